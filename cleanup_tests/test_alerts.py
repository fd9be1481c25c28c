"""Failures reach a person: a failed run of any carrier emails the operators once, through
the location's email resource, recorded in CleanupOperatorAlert."""

from __future__ import annotations

import email
import email.policy

import dagster as dg
import pytest

from cleanup_assets.definitions import make_definitions
from cleanup_assets.defs.resources import DatabaseResource, EmailResource
from cleanup_assets.outbox import outbox_dir

from .builders import rows, seed_providers

# Each test executes Dagster jobs in process (seconds each): not in `scripts/test --fast`.
pytestmark = pytest.mark.runs

BACKENDS = ("sqlite",)  # the claim is one row; the SQL is not the point


def alert_sensor_sees(defs, instance, result):
    """Evaluate the operators' failure sensor on a failed run, as the daemon does."""
    failure = next(e for e in result.all_events if e.is_run_failure)
    sensor = defs.resolve_sensor_def("alert_operators_on_failure")
    return sensor(dg.build_run_status_sensor_context(
        sensor_name=sensor.name, dagster_event=failure, dagster_instance=instance,
        dagster_run=instance.get_run_by_id(result.run_id),
        resources=defs.resources).for_run_failure())


def mails():
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted(outbox_dir("email").glob("*.eml"))]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_failed_run_of_a_carrier_without_optimization_emails_the_operators_once(
        database_url, instance, engine):
    seed_providers(engine, (11, 1, "teal"))
    defs = make_definitions(DatabaseResource(url=database_url, retry_base_delay_seconds=0.01),
                            email=EmailResource(operator_addresses="ops@example.com; "
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
                            email=EmailResource(operator_addresses="ops@example.com"),
                            freshness=FreshnessExpectation(stale_after_hours="26,jasper=48"))
    sensor = defs.resolve_sensor_def("carrier_freshness_sensor")

    def tick():
        return sensor.evaluate_tick(dg.build_sensor_context(
            instance=instance, resources=defs.resources))

    old = finalize(engine, "teal", "1")  # teal|1: 30 h ago; teal|2: now; jasper|1: 30 h ago
    finalize(engine, "teal", "2")
    finalize(engine, "jasper", "1")
    with engine.begin() as conn:
        conn.execute(update(device_sync).where(device_sync.c.TenantKey == "1").values(
            FinishedAt=utcnow() - timedelta(hours=30)))

    first = tick()

    (request,) = first.run_requests  # teal|1 alone: teal|2 is fresh, jasper allows 48 h
    assert request.tags["dagster/partition"] == "teal|1"
    assert request.run_key == f"stale:teal|1:11@{old.sync_id}"
    assert request.tags["cleanup/trigger"] == "freshness"
    (mail,) = mails()
    assert mail["Subject"] == "Device sync stale: teal|1 provider 11 Provider 11"
    assert mail["To"] == "ops@example.com"
    assert mail.get_body(("plain",)).get_content().startswith(
        f"provider 11 Provider 11 last finalized ")

    second = tick()  # the same staleness: no second email, the same run key (launched once)
    assert len(mails()) == 1
    assert [r.run_key for r in second.run_requests] == [request.run_key]

    # The run the daemon launches: the check alone, failing for the stale provider.
    job = defs.resolve_job_def("judge_carrier_freshness")
    judged = job.execute_in_process(instance=instance, tags=request.tags,
                                    raise_on_error=False)
    (evaluation,) = [e.event_specific_data for e in judged.all_events
                     if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    assert (evaluation.passed, evaluation.partition) == (False, "teal|1")
    assert evaluation.description.startswith("provider 11 Provider 11 last finalized ")
    assert evaluation.description.endswith("h ago: more than the 26 h expected")

    finalize(engine, "teal", "1")  # a new sync ends the staleness
    third = tick()
    assert third.run_requests == [] and len(mails()) == 1
    assert third.skip_message.startswith("3 active provider(s) in 3 partition(s); stale: 0 "
                                         "(none); alerts sent now: 0")
    assert old.sync_id in [r["id"] for r in rows(engine, "CleanupDeviceSync")]
    (alert,) = rows(engine, "CleanupOperatorAlert")
    assert alert["AlertKey"] == f"stale:teal|1:11:{old.sync_id}" and alert["Status"] == "sent"


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
