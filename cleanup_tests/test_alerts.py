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
