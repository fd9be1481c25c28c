"""What the runs tell an operator, in process and on both databases (test_ui.py reads the same
through the webserver): a partition without a provider is skipped, a key that is not a
tenant fails before any work, a materialization describes its whole partition, a blocked
gate says which checks and why — in the run, the stop email and the AMOP 2.0 error."""

from __future__ import annotations

import email
import email.policy

import dagster as dg
import pytest
from sqlalchemy import delete, insert

from cleanup_assets.definitions import make_definitions
from cleanup_assets.defs.run_tags import NotifiedSync
from cleanup_assets.defs.resources import DatabaseResource
from cleanup_assets.outbox import outbox_dir, read_json
from cleanup_assets.schema import billing_period, optimization_session

from .builders import good_devices, rows, seed_providers, stage, stop_sensor_sees

# Each test executes Dagster jobs in process (seconds each): not in `scripts/test --fast`.
pytestmark = pytest.mark.runs

TABLES = {"carrier_devices", "common_devices", "communication_plans"}


def run(database_url, instance, partition: str, tags=None, selection=None):
    defs = make_definitions(DatabaseResource(url=database_url, retry_base_delay_seconds=0.01))
    tenant = partition.split("|")[1]
    if tenant not in instance.get_dynamic_partitions("tenant"):
        instance.add_dynamic_partitions("tenant", [tenant])  # as the UI's "Add a partition"
    if selection is None:
        job = defs.resolve_job_def("finalize_device_sync")
        result = job.execute_in_process(instance=instance, partition_key=partition, tags=tags,
                                        raise_on_error=False)
    else:
        job = defs.resolve_implicit_global_asset_job_def()
        result = job.execute_in_process(instance=instance, partition_key=partition, tags=tags,
                                        asset_selection=[dg.AssetKey(k) for k in selection],
                                        raise_on_error=False)
    return defs, result


def materialized(result) -> dict[str, dg.AssetMaterialization]:
    return {e.asset_key.to_user_string(): e.event_specific_data.materialization
            for e in result.get_asset_materialization_events()}


def step_statuses(result) -> dict[str, str]:
    found = {}
    for event in result.all_events:
        if event.is_step_success:
            found[event.step_key] = "success"
        elif event.is_step_skipped:
            found[event.step_key] = "skipped"
        elif event.is_step_failure:
            found[event.step_key] = "failure"
    return found


def failure_description(result) -> str:
    (failure,) = result.get_step_failure_events()
    return failure.step_failure_data.user_failure_data.description


def test_a_partition_without_an_active_provider_reads_nothing_to_finalize(database_url,
                                                                        instance, engine):
    seed_providers(engine, (11, 1, "jasper"))  # tenant 2 has no Jasper provider
    note = "nothing to finalize: tenant 2 has no active Jasper service provider"

    _, result = run(database_url, instance, "jasper|2")

    assert result.success
    # Every asset of the job is materialized, saying so: a backfill over every tenant of
    # the carrier completes, and the partition is not "missing".
    found = materialized(result)
    assert set(found) == TABLES | {"device_sync_summary", "device_history", "amop_daily_sync",
                                   "optimization_handover"}
    for asset, materialization in found.items():
        assert materialization.metadata["nothing_to_finalize"].value == note, asset
    assert found["common_devices"].metadata["dagster/row_count"].value == 0
    # The checks judged it: passed, saying why (never "skipped", never counted as failed).
    checks = [e.event_specific_data for e in result.all_events
              if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    finalize_checks = [c for c in checks if c.check_name != "finalized_recently"]
    assert len(finalize_checks) == 5
    assert {(c.passed, c.description) for c in finalize_checks} == {(True, note)}
    (freshness,) = [c for c in checks if c.check_name == "finalized_recently"]
    assert (freshness.passed, freshness.description) == (
        True, "nothing to judge: no active provider in this partition")
    assert set(step_statuses(result).values()) == {"success"}
    assert rows(engine, "CleanupDeviceSync") == []  # nothing was written
    assert read_json("amop") == [] and read_json("sqs") == []


def test_a_tenant_key_that_is_not_a_tenant_id_fails_before_any_work(database_url, instance,
                                                                    engine):
    seed_providers(engine, (11, 1, "jasper"))

    _, result = run(database_url, instance, "jasper|acme")

    assert not result.success
    description = failure_description(result)
    assert description.startswith("tenant partition key 'acme' is not a TenantId")
    assert "`cleanup-assets register-tenants` adds the valid ones" in description
    assert materialized(result) == {} and rows(engine, "CleanupDeviceSync") == []


def test_a_materialization_counts_the_whole_partition_and_names_this_runs_provider(
        database_url, instance, engine):
    seed_providers(engine, (11, 1, "rogers"), (12, 1, "rogers"))
    stage(engine, "rogers", 11, good_devices(11, 4))
    stage(engine, "rogers", 12, good_devices(12, 6))
    run(database_url, instance, "rogers|1", NotifiedSync(service_provider_id=12).tags())

    _, result = run(database_url, instance, "rogers|1", NotifiedSync(service_provider_id=11).tags())

    assert result.success
    common = materialized(result)["common_devices"]
    meta = {k: v.value for k, v in common.metadata.items()}
    assert meta["dagster/row_count"] == 10  # both providers: what the partition holds
    assert meta["live_devices_this_run"] == 4 and meta["inserted"] == 4  # this run's
    assert meta["providers_this_run"] == "11 Provider 11"
    assert meta["providers_in_partition"] == "11 Provider 11, 12 Provider 12"
    assert meta["tenant"] == "1 Acme Logistics"
    assert isinstance(common.metadata["sync_id"], dg.TextMetadataValue)
    assert common.tags["cleanup/providers"] == "11"
    assert common.tags["cleanup/trigger"] == "notification"
    carrier = materialized(result)["carrier_devices"]
    assert carrier.metadata["dagster/row_count"].value == 10


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # dialect-free
def test_a_rerun_of_every_provider_is_tagged_with_all_of_them(database_url, instance, engine):
    seed_providers(engine, (11, 1, "rogers"), (12, 1, "rogers"))

    _, result = run(database_url, instance, "rogers|1")

    tags = materialized(result)["communication_plans"].tags
    assert (tags["cleanup/providers"], tags["cleanup/trigger"]) == ("11-12", "rerun")
    handover = materialized(result)["optimization_handover"].metadata["optimization"].value
    assert handover.startswith("not requested: a run without a sync notification")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # dialect-free
def test_a_rerun_of_more_providers_than_a_tag_can_list_gives_their_number(
        database_url, instance, engine):
    providers = range(100_001, 100_016)  # 15 accounts: 104 characters joined, Dagster allows 63
    seed_providers(engine, *[(p, 1, "rogers") for p in providers])

    _, result = run(database_url, instance, "rogers|1")

    assert result.success
    common = materialized(result)["common_devices"]
    assert common.tags["cleanup/providers"] == "15-providers"
    assert common.metadata["providers_this_run"].value.count("Provider 1000") == 15


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # dialect-free
def test_a_notified_run_that_did_not_ask_says_so_on_the_handover(database_url, instance,
                                                                 engine):
    seed_providers(engine, (11, 1, "jasper"))

    _, result = run(database_url, instance, "jasper|1", NotifiedSync(service_provider_id=11).tags())

    handover = materialized(result)["optimization_handover"].metadata["optimization"].value
    assert handover == ("not requested: provider 11's sync notification did not ask for it "
                        "(ShouldQueueCarrierOptimization false)")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # dialect-free
@pytest.mark.parametrize("asset", ["device_sync_summary", "device_history", "amop_daily_sync",
                                   "optimization_handover"])
def test_a_report_materialized_alone_re_reports_the_latest_sync_and_names_it(
        database_url, instance, engine, asset):
    seed_providers(engine, (11, 1, "jasper"))
    stage(engine, "jasper", 11, good_devices(11, 4))
    _, first = run(database_url, instance, "jasper|1", NotifiedSync(service_provider_id=11).tags())
    (sync,) = rows(engine, "CleanupDeviceSync")

    _, result = run(database_url, instance, "jasper|1", selection=[asset])

    assert result.success  # the partition is not marked failed
    meta = materialized(result)[asset].metadata
    if asset == "device_history":  # no historian configured here: it says so, whatever sync
        assert meta["skipped"].value.startswith("no historian configured")
        return
    assert meta["reported_sync"].value.startswith(
        f"re-reported: sync {sync['id']}, the partition's latest finalized sync (")
    assert f"run {first.run_id}); this run finalized none" in meta["reported_sync"].value


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # dialect-free
def test_a_report_alone_on_a_partition_never_finalized_succeeds_doing_nothing(
        database_url, instance, engine):
    seed_providers(engine, (11, 1, "jasper"))

    _, result = run(database_url, instance, "jasper|1", selection=["device_sync_summary"])

    assert result.success and materialized(result) == {}
    assert any("nothing to report: jasper|1 has no finalized sync yet" in entry.user_message
               for entry in instance.all_logs(result.run_id))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # dialect-free
def test_the_handover_alone_asking_for_optimization_hands_over_nothing(
        database_url, instance, engine):
    seed_providers(engine, (11, 1, "jasper"))
    stage(engine, "jasper", 11, good_devices(11, 4))
    run(database_url, instance, "jasper|1")  # a finalized sync, of another run
    tags = NotifiedSync(service_provider_id=11, should_queue_carrier_optimization=True,
                        optimization_session_id=555).tags()

    _, result = run(database_url, instance, "jasper|1", tags, selection=["optimization_handover"])

    assert not result.success
    assert "this run finalized no sync to hand over" in failure_description(result)
    assert "launch the job finalize_device_sync" in failure_description(result)
    assert read_json("sqs") == []  # no handover without a finalized, judged sync


def test_a_blocked_gate_is_a_decision_in_the_run_the_stop_email_and_amop(database_url,
                                                                         instance, engine):
    seed_providers(engine, (11, 1, "jasper"))
    stage(engine, "jasper", 11, good_devices(11, 20))
    with engine.begin() as conn:
        conn.execute(delete(billing_period))
        conn.execute(insert(optimization_session).values(
            Id=555, SessionId="0f5b6a0e-4d0c-4c7b-9d7e-2f1f5a4b3c2d", TenantId=1,
            ServiceProviderId=11, IsActive=True, IsDeleted=False))
    tags = NotifiedSync(service_provider_id=11, should_queue_carrier_optimization=True,
                        optimization_session_id=555, forced=True).tags()

    defs, result = run(database_url, instance, "jasper|1", tags)

    assert not result.success
    decision = ("optimization not handed over: the gate blocked it - sync_is_complete: forced: "
                "the wait for the carrier's rows to process gave up; billing_period_exists: no "
                "billing period this month or next for provider 11")
    assert failure_description(result) == decision
    assert step_statuses(result)["judge_optimization_gate"] == "failure"
    # What the UI shows of the step and of the run: the decision, no class, no stack trace.
    (step,) = result.get_step_failure_events()
    (run_failure,) = [e for e in result.all_events
                      if e.event_type == dg.DagsterEventType.RUN_FAILURE]
    for error in (step.step_failure_data.error, run_failure.event_specific_data.error):
        assert (error.message, error.stack, error.cls_name, error.cause) == (
            decision, [], None, None)
    assert "queue_carrier_optimization" not in step_statuses(result)  # never ran
    stop_sensor_sees(defs, instance, result)
    (path,) = [p for p in outbox_dir("email").glob("*.eml")
               if b"Optimization stopped" in p.read_bytes()]
    mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert mail.get_body(("plain",)).get_content().endswith(f"Error Details: {decision}")
    (error,) = [c["data"] for c in read_json("amop") if c["data"].get("job_name") == "ErrorMessage"]
    assert error["ErrorMessage"] == decision
    assert rows(engine, "CleanupOptimizationHandover")[0]["Reason"] == decision


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # dialect-free
def test_rejected_keys_are_sampled_in_the_metadata_and_listed_whole_by_a_command(
        database_url, instance, engine, monkeypatch, capsys):
    from cleanup_assets.tooling.cli import main

    seed_providers(engine, (11, 1, "thingspace"))
    devices = good_devices(11, 3)
    bad = [{**devices[0], "ICCID": f"89014A{n:013d}"} for n in range(23)]  # a letter in each
    bad.append({**devices[0], "ICCID": "8901410000000|00\u00071"})  # a pipe and a BEL
    stage(engine, "thingspace", 11, devices + bad)

    _, result = run(database_url, instance, "thingspace|1")

    carrier = materialized(result)["carrier_devices"].metadata
    table = carrier["rejected_rows"].value
    sync_id = carrier["sync_id"].value
    lines = table.splitlines()
    assert lines[:2] == ["| provider | table | key | reason |", "|---:|---|---|---|"]
    assert "| 11 | ThingSpaceDevice | 89014A0000000000000 | ICCID has a non-digit character |" \
        in lines
    # The key as it was, readable: its pipe does not split the cell, its BEL is shown.
    assert ("| 11 | ThingSpaceDevice | 8901410000000\\|00\\x071 | ICCID has a control "
            "character |") in lines
    assert len([line for line in lines if line.startswith("| 11 |")]) == 20  # bounded
    assert lines[-1] == (f"The first 20 of 24 rejected rows. The full list: cleanup-assets "
                         f"rejected --sync {sync_id}")

    monkeypatch.setenv("CLEANUP_DATABASE_URL", database_url)
    assert main(["rejected", "--sync", sync_id]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0] == "provider\ttable\tkey\treason" and len(listed) == 25
    assert "11\tThingSpaceDevice\t8901410000000|00\\x071\tICCID has a control character" \
        in listed
    assert main(["rejected", "--sync", "999"]) == 1
    assert "no sync 999" in capsys.readouterr().err
