"""Failures reach a person: a failed run of any carrier emails the operators once, through
the location's email resource, recorded in CleanupOperatorAlert."""

from __future__ import annotations

import email
import email.policy

import dagster as dg
import pytest

from cleanup_assets.definitions import make_definitions
from cleanup_assets.defs.resources import DatabaseResource, OutboxMailer
from cleanup_assets.outbox import outbox_dir

from .builders import alert_sensor_sees, rows, seed_providers

# Each test executes Dagster jobs in process (seconds each): not in `scripts/test --fast`.
pytestmark = pytest.mark.runs

BACKENDS = ("sqlite",)  # the claim is one row; the SQL is not the point


def mails():
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted(outbox_dir("email").glob("*.eml"))]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_failed_run_of_a_carrier_without_optimization_emails_the_operators_once(
        database_url, instance, engine):
    seed_providers(engine, (11, 1, "teal"))
    defs = make_definitions(DatabaseResource(url=database_url, retry_base_delay_seconds=0.01),
                            email=OutboxMailer(operator_addresses="ops@example.com; "
                                                                  "night@example.com"))
    instance.add_dynamic_partitions("tenant", ["acme"])  # a key that is not a tenant id
    result = defs.resolve_job_def("finalize_device_sync").execute_in_process(
        instance=instance, partition_key="teal|acme", raise_on_error=False)
    assert not result.success

    first = alert_sensor_sees(defs, instance, result)
    again = alert_sensor_sees(defs, instance, result)  # a second tick sees the same failure

    assert first is None
    (mail,) = mails()
    assert mail["To"] == "ops@example.com, night@example.com"
    assert mail["From"] == "device-sync@example.com"
    assert mail["Subject"] == "Device sync cleanup failed: teal|acme"
    body = mail.get_body(("plain",)).get_content()
    assert f"The run {result.run_id} of finalize_device_sync" in body
    assert "Why: tenant partition key 'acme' is not a TenantId" in body
    assert again.skip_message == f"run {result.run_id}: the operators' alert was already sent"
    (alert,) = rows(engine, "CleanupOperatorAlert")
    assert (alert["AlertKey"], alert["Status"], alert["PartitionKey"]) == (
        f"run-failure:{result.run_id}", "sent", "teal|acme")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_carrier_that_stopped_syncing_fails_its_check_and_alerts_once_per_staleness(
        database_url, instance, engine):
    from datetime import timedelta

    from sqlalchemy import update

    from cleanup_assets.db import utcnow
    from cleanup_assets.defs.resources import FreshnessExpectation
    from cleanup_assets.schema import device_sync

    from .builders import finalize

    seed_providers(engine, (11, 1, "teal"), (12, 2, "teal"), (21, 1, "jasper"))
    defs = make_definitions(DatabaseResource(url=database_url, retry_base_delay_seconds=0.01),
                            email=OutboxMailer(operator_addresses="ops@example.com"),
                            freshness=FreshnessExpectation(stale_after_hours="26,jasper=48"))
    sensor = defs.resolve_sensor_def("carrier_freshness_sensor")

    def tick(cursor=None):
        with dg.build_sensor_context(instance=instance, resources=defs.resources,
                                     cursor=cursor) as context:  # nested resources: opened
            return sensor.evaluate_tick(context)

    def judge(partition):
        """The run the daemon launches for a request: the check alone, for the partition."""
        job = defs.resolve_job_def("judge_carrier_freshness")
        judged = job.execute_in_process(instance=instance, raise_on_error=False, tags={
            "dagster/partition": partition})
        (evaluation,) = [e.event_specific_data for e in judged.all_events
                         if e.event_type_value == "ASSET_CHECK_EVALUATION"]
        assert evaluation.partition == partition
        return evaluation.passed, evaluation.description

    old = finalize(engine, "teal", "1")  # teal|1: 30 h ago; teal|2: now; jasper|1: 30 h ago
    finalize(engine, "teal", "2")
    finalize(engine, "jasper", "1")
    with engine.begin() as conn:
        conn.execute(update(device_sync).where(device_sync.c.TenantKey == "1").values(
            FinishedAt=utcnow() - timedelta(hours=30)))

    first = tick()

    (request,) = first.run_requests  # teal|1 alone: teal|2 is fresh, jasper allows 48 h
    assert request.run_key == f"stale:teal|1:11@{old.sync_id}"
    assert {k: v for k, v in request.tags.items() if k != "dagster/sensor_name"} == {
        "dagster/partition": "teal|1", "cleanup/trigger": "freshness",
        "dagster/priority": "-1"}  # under the finalize runs
    (mail,) = mails()
    assert mail["Subject"] == "Device sync stale: teal|1 provider 11 Provider 11"
    assert mail["To"] == "ops@example.com"
    passed, description = judge("teal|1")
    assert not passed and description.startswith("provider 11 Provider 11 last finalized ")
    assert description.endswith("h ago: more than the 26 h expected")
    passed, description = judge("jasper|1")  # 30 h: within jasper's own 48
    assert passed and description.endswith("h ago: within the 48 h expected")
    assert judge("teal|2")[0] is True

    second = tick(first.cursor)  # the same staleness: no second run, no second email
    assert second.run_requests == [] and len(mails()) == 1
    assert second.skip_message.startswith("3 active provider(s) in 3 partition(s); stale: 1 "
                                           "(teal|1 provider 11); alerts sent now: 0; judge "
                                           "runs requested now: 0")

    finalize(engine, "teal", "1")  # a new sync ends the staleness: judged again, once
    third = tick(second.cursor)
    assert [(r.run_key, r.tags["dagster/partition"]) for r in third.run_requests] == [
        (f"fresh:stale:teal|1:11@{old.sync_id}", "teal|1")]
    assert judge("teal|1")[0] is True
    fourth = tick(third.cursor)
    assert fourth.run_requests == [] and len(mails()) == 1
    assert old.sync_id in [r["id"] for r in rows(engine, "CleanupDeviceSync")]
    (alert,) = rows(engine, "CleanupOperatorAlert")
    assert alert["AlertKey"] == f"stale:teal|1:11:{old.sync_id}" and alert["Status"] == "sent"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_carrier_outage_makes_many_partitions_stale_and_they_are_judged_a_few_a_tick(
        database_url, instance, engine):
    from datetime import timedelta

    from sqlalchemy import update

    from cleanup_assets.db import utcnow
    from cleanup_assets.defs.freshness.sensors import MAX_RUNS_PER_TICK
    from cleanup_assets.schema import device_sync, service_provider

    from .builders import finalize

    tenants = [str(t) for t in range(1, MAX_RUNS_PER_TICK + 4)]
    seed_providers(engine, *[(100 + int(t), int(t), "teal") for t in tenants])
    for tenant in tenants:
        finalize(engine, "teal", tenant)
    with engine.begin() as conn:  # the carrier's Lambda stopped two days ago
        conn.execute(update(device_sync).values(FinishedAt=utcnow() - timedelta(hours=50)))
        conn.execute(update(service_provider).where(service_provider.c.id == 101)
                     .values(Name="Acme <US> & Co"))
    defs = make_definitions(DatabaseResource(url=database_url, retry_base_delay_seconds=0.01),
                            email=OutboxMailer(operator_addresses="ops@example.com"))
    sensor = defs.resolve_sensor_def("carrier_freshness_sensor")

    def tick(cursor=None):
        with dg.build_sensor_context(instance=instance, resources=defs.resources,
                                     cursor=cursor) as context:  # nested resources: opened
            return sensor.evaluate_tick(context)

    first = tick()
    second = tick(first.cursor)
    third = tick(second.cursor)

    assert len(first.run_requests) == MAX_RUNS_PER_TICK
    assert len(second.run_requests) == len(tenants) - MAX_RUNS_PER_TICK  # the rest, next
    assert third.run_requests == [] and third.skip_message  # said, not a blank skip
    judged = [r.tags["dagster/partition"] for r in first.run_requests + second.run_requests]
    assert sorted(judged) == sorted(f"teal|{t}" for t in tenants)
    assert len(mails()) == len(tenants)  # each provider's staleness emailed once
    (acme,) = [m for m in mails() if "provider 101" in m["Subject"]]
    html = acme.get_body(("html",)).get_content()
    assert "provider 101 Acme &lt;US&gt; &amp; Co last finalized" in html  # escaped


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_freshness_check_executed_alone_judges_its_partition(database_url, instance,
                                                                   engine):
    from .builders import finalize

    seed_providers(engine, (11, 1, "teal"))
    finalize(engine, "teal", "1")
    defs = make_definitions(DatabaseResource(url=database_url, retry_base_delay_seconds=0.01))
    instance.add_dynamic_partitions("tenant", ["1"])
    check = dg.AssetCheckKey(dg.AssetKey("common_devices"), "finalized_recently")

    job = defs.resolve_implicit_global_asset_job_def().get_subset(
        asset_selection=set(), asset_check_selection={check})
    result = job.execute_in_process(instance=instance, partition_key="teal|1",
                                    raise_on_error=False)

    assert result.success
    (evaluation,) = [e.event_specific_data for e in result.all_events
                     if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    assert evaluation.passed and evaluation.partition == "teal|1"
    assert evaluation.description.startswith("provider 11 Provider 11 last finalized ")
    assert evaluation.description.endswith("h ago: within the 26 h expected")
