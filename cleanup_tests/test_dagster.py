"""The Dagster shell: definitions, partitions, the multi-asset's materializations, run
config, and a real backfill through the dagster CLI and daemon."""

from __future__ import annotations

import json
import subprocess

import dagster as dg
import pytest
from sqlalchemy import update

from cleanup_assets.defs.run_tags import NotifiedSync
from cleanup_assets.defs.partitions import (
    InvalidPartitionKey,
    add_tenant_partitions,
    partition_key,
    split_partition_key,
)
from cleanup_assets.defs.resources import DatabaseResource
from cleanup_assets.definitions import make_definitions
from cleanup_assets.schema import service_provider

from .builders import good_devices, live, rows, seed_providers, stage
from .processes import BIN, ROOT

# The Dagster shell: one database (the finalize SQL runs on both in test_finalize).
BACKENDS = ("sqlite",)

DEVICE_ASSETS = ["carrier_devices", "common_devices", "communication_plans"]


def run_partition(database_url, instance, integration, tenant, tags=None):
    """A run of the partition; ``tags`` as the sync sensor sets them (defs/run_tags.py)."""
    defs = make_definitions(DatabaseResource(url=database_url, retry_base_delay_seconds=0.01))
    add_tenant_partitions(instance, [tenant])
    job = defs.resolve_job_def("finalize_device_sync")
    return job.execute_in_process(
        instance=instance, partition_key=partition_key(integration, tenant),
        tags=tags, raise_on_error=False,
    )


def materializations(result) -> dict[str, dict]:
    out = {}
    for event in result.get_asset_materialization_events():
        m = event.event_specific_data.materialization
        out[m.asset_key.to_user_string()] = {k: v.value for k, v in m.metadata.items()}
    return out


@pytest.mark.slow  # starts a process (the CLI, a fresh interpreter)
def test_the_code_location_loads_and_validates():
    completed = subprocess.run(
        [str(BIN / "dagster"), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_the_location_is_what_the_defs_folder_declares():
    """definitions.py lists no definition by hand: the dg loader ([tool.dg] in
    pyproject.toml; definitions.defs_folder) finds each asset, check, job and sensor at the
    scope of the module of defs/ that declares it, once (other modules name it by key or by name), and the
    location adds the resources, the executor and the asset policy to exactly those —
    engines_agree only where a shadow pass runs."""
    from cleanup_assets.definitions import defs_folder

    folder = defs_folder()
    assert sorted(a.node_def.name for a in folder.assets
                  if isinstance(a, dg.AssetsDefinition)) == [
        "export_device_history", "finalize_device_tables", "notify_amop_daily_sync",
        "queue_carrier_optimization", "report_device_sync"]
    # (Dagster lists a spec declared at a module's scope twice: the same object.)
    assert {a.key for a in folder.assets if isinstance(a, dg.AssetSpec)} == {
        dg.AssetKey("carrier_staging")}
    assert sorted(c.node_def.name for c in folder.asset_checks) == [
        "check_finalized_recently", "compare_finalize_engines", "judge_optimization_gate"]
    jobs = ["finalize_device_sync", "judge_carrier_freshness"]
    sensors = ["alert_operators_on_failure", "carrier_freshness_sensor",
               "stop_optimization_on_failure", "stop_optimization_sweep",
               "sync_notification_sensor"]
    assert sorted(j.name for j in folder.jobs) == jobs
    assert sorted(s.name for s in folder.sensors) == sensors

    gate = {"sync_is_complete", "active_device_count_is_stable", "billing_period_exists",
            "communication_plans_have_rate_plans", "rejected_rows_within_threshold"}
    for shadow, checks in ((None, gate | {"finalized_recently"}),
                           ("set_based", gate | {"finalized_recently", "engines_agree"})):
        location = make_definitions(DatabaseResource(
            url="sqlite://", finalize_engine="procedures", shadow_engine=shadow))
        graph = location.resolve_asset_graph()
        assert {key.name for key in graph.asset_check_keys} == checks
        assert sorted(j.name for j in location.jobs) == jobs
        assert sorted(s.name for s in location.sensors) == sensors
        assert sorted(spec.key.to_user_string() for spec in location.resolve_all_asset_specs()
                      if spec.group_name == "device_sync" and spec.owners == ["team:device-sync"]
                      and spec.tags["domain"] == "device-sync") == sorted(
            DEVICE_ASSETS + ["amop_daily_sync", "carrier_staging", "device_history",
                             "device_sync_summary", "optimization_handover"])


def test_descriptions_read_as_plain_text_in_the_catalog():
    """The catalog lists descriptions as text (a backtick shows as one); the asset page
    renders them as markdown (an <word> would vanish as an unknown tag)."""
    import re

    from cleanup_assets.definitions import defs

    graph = defs.resolve_asset_graph()
    described = {k.to_user_string(): graph.get(k).description
                 for k in graph.get_all_asset_keys()}
    described.update({k.name: graph.get(k).description for k in graph.asset_check_keys})
    described.update({s.name: s.description for s in defs.sensors})
    described.update({j.name: j.description for j in defs.jobs})
    raw = {name: text for name, text in described.items()
           if "`" in (text or "") or re.search(r"<[A-Za-z]", text or "")}
    assert raw == {}


@pytest.mark.parametrize("bad", ["acme corp", "a|b", "x,y", "../etc", ""])
def test_tenant_keys_outside_the_safe_alphabet_are_refused(instance, bad):
    with pytest.raises(InvalidPartitionKey, match="only letters, digits"):
        add_tenant_partitions(instance, [bad])
    assert instance.get_dynamic_partitions("tenant") == []


def test_a_tenant_key_must_be_a_tenant_id():
    with pytest.raises(ValueError, match="not a TenantId"):
        partition_key("jasper", "acme")
    assert split_partition_key("thingspace|42") == ("thingspace", "42")
    with pytest.raises(ValueError, match="unknown integration 'verizon'"):
        split_partition_key("verizon|42")


def test_a_materialization_reports_counts_and_providers_in_the_ui(database_url, instance, engine):
    seed_providers(engine, (11, 7, "jasper"))
    from cleanup_assets.tooling.demo import COMMUNICATION_PLANS, demo_devices

    stage(engine, "jasper", 11, demo_devices(11, 12)[0])

    result = run_partition(database_url, instance, "jasper", "7")

    assert result.success
    meta = materializations(result)
    assert sorted(meta) == sorted(DEVICE_ASSETS + ["optimization_handover", "amop_daily_sync",
                                                   "device_sync_summary", "device_history"])
    carrier = meta["carrier_devices"]
    # 12 good rows, 6 malformed ones; the device named twice is rejected with its twin
    assert (carrier["rows_checked"], carrier["rejected"]) == (18, 7)
    assert "missing ICCID in JasperDevice" in carrier["reject_reasons"]
    assert carrier["table"] == "JasperDevice (Jasper database)"
    assert carrier["providers_this_run"] == "11 Provider 11"
    common = meta["common_devices"]
    assert (common["inserted"], common["updated"], common["deactivated"]) == (11, 0, 0)
    assert common["dagster/row_count"] == 11
    # The devices' plans but the one the provider already knew (seed_reference_data's).
    plans = meta["communication_plans"]
    assert plans["new_plans"] == len(COMMUNICATION_PLANS) - 1
    assert sorted(plans["new_plan_names"].split(", ")) == sorted(COMMUNICATION_PLANS[1:])
    assert partition_key("jasper", "7") in instance.get_materialized_partitions(
        dg.AssetKey("carrier_devices"))


def test_a_notification_run_finalizes_only_the_notified_provider(database_url, instance, engine):
    seed_providers(engine, (11, 1, "rogers"), (12, 1, "rogers"))
    stage(engine, "rogers", 11, good_devices(11, 4))
    stage(engine, "rogers", 12, good_devices(12, 4))

    result = run_partition(database_url, instance, "rogers", "1",
                           NotifiedSync(service_provider_id=12).tags())

    assert result.success
    assert live(engine, "Device", 11) == {} and len(live(engine, "Device", 12)) == 4
    (ledger,) = rows(engine, "CleanupDeviceSync")
    assert (ledger["Trigger"], ledger["RunId"]) == ("notification", result.run_id)


def test_a_run_without_a_notification_never_asks_for_optimization(database_url, instance, engine):
    seed_providers(engine, (11, 1, "jasper"))

    result = run_partition(database_url, instance, "jasper", "1",
                           {"cleanup/should_queue_carrier_optimization": "true"})

    assert not result.success
    failure = result.get_step_failure_events()[0].step_failure_data.error
    assert "never asks for optimization" in failure.message
    assert rows(engine, "CleanupDeviceSync") == []


def test_an_unknown_provider_fails_the_run_with_a_clear_message(database_url, instance, engine):
    seed_providers(engine, (11, 1, "jasper"))

    result = run_partition(database_url, instance, "jasper", "1",
                           NotifiedSync(service_provider_id=999).tags())

    assert not result.success
    message = result.get_step_failure_events()[0].step_failure_data.error.message
    assert "service provider 999 is not an active Jasper provider of tenant 1" in message


def test_the_database_password_never_reaches_run_logs_even_when_the_connection_fails(instance):
    url = "postgresql+psycopg://svc:hunter2secret@127.0.0.1:1/amop"  # nothing listens there

    result = run_partition(url, instance, "jasper", "1")

    assert not result.success
    logs = json.dumps([str(e) for e in instance.all_logs(result.run_id)])
    assert "127.0.0.1" in logs  # the failure is reported ...
    assert "hunter2secret" not in logs  # ... without the secret


def test_the_sensors_keep_their_intervals_unless_a_test_shortens_them(monkeypatch):
    from cleanup_assets.definitions import defs
    from cleanup_assets.defs.sensor_interval import TEST_INTERVAL_VARIABLE, sensor_interval

    # What the daemon is given in this (test-free) environment: the declared intervals.
    assert {name: defs.resolve_sensor_def(name).minimum_interval_seconds for name in (
        "sync_notification_sensor", "stop_optimization_on_failure", "stop_optimization_sweep",
        "alert_operators_on_failure", "carrier_freshness_sensor")
    } == {"sync_notification_sensor": 30, "stop_optimization_on_failure": 30,
          "stop_optimization_sweep": 120, "alert_operators_on_failure": 30,
          "carrier_freshness_sensor": 300}
    # The tests' 5 s: the 30 s sensors at 5 s, the sweep still four times less often, the
    # freshness sensor's 5 minutes no longer than that.
    monkeypatch.setenv(TEST_INTERVAL_VARIABLE, "5")
    assert (sensor_interval(30), sensor_interval(120), sensor_interval(300),
            sensor_interval(3)) == (5, 20, 20, 1)
    for longer in ("30", "60"):  # never longer than declared, nor shorter
        monkeypatch.setenv(TEST_INTERVAL_VARIABLE, longer)
        assert (sensor_interval(30), sensor_interval(120), sensor_interval(300)) == (30, 120, 300)
    for bad in ("0", "-5", "fast"):
        monkeypatch.setenv(TEST_INTERVAL_VARIABLE, bad)
        with pytest.raises(ValueError, match="whole number of seconds"):
            sensor_interval(30)


@pytest.mark.runs
@pytest.mark.stored_instance  # the sensor's tick, as the daemon evaluates it
def test_the_demos_second_day_deactivates_the_devices_that_left_and_inserts_the_new(
        database_url, databases, instance, capsys):
    """The demo's day 2 (``cleanup-assets demo``; the UI module runs its day 1 through the
    daemon): the same sensor evaluation and runs, in process, for one provider."""
    from cleanup_assets.tooling.demo import seed_demo, simulate_next_sync
    from cleanup_assets.tooling.demo_run import (
        _post_for_every_provider,
        _print_table,
        run_sensor_tick,
    )

    seed_demo(databases, devices_per_provider=12)
    with databases.central.begin() as conn:  # ThingSpace, tenant 1 alone
        conn.execute(update(service_provider).where(service_provider.c.id != 103)
                     .values(IsActive=False))
    defs = make_definitions(DatabaseResource(url=database_url, retry_base_delay_seconds=0.01))
    days = []
    for day in (1, 2):
        if day == 2:
            simulate_next_sync(databases, devices_per_provider=12)
        assert len(_post_for_every_provider(databases.central)) == 1
        days.append(run_sensor_tick(instance, defs))
    _print_table("Day 2", days[1])
    (line,) = [l.split() for l in capsys.readouterr().out.splitlines()
               if l.startswith("thingspace|1")]
    # partition, provider, ok, checked, rejected, inserted, updated, unchanged, deactivated:
    # of the 12 devices 3 left and 2 joined; device 0 was never mirrored (day 1 named it
    # twice: rejected), so 2 of the 3 are deactivated
    assert line[1:3] == ["103", "yes"]
    assert (line[5], line[8]) == ("2", "2")
    assert [r["success"] for r in days[0]] == [True]
