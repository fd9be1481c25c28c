"""Failures reach a person: every failed run of the location emails the operators once."""

import dagster as dg

from ...alerts import (
    RUN_FAILURE,
    claim_alert,
    mark_sent,
    run_failure_alert,
    run_failure_key,
)
from ...db import in_transaction
from ...emails import build_email, recipients
from ...optimization import global_settings
from ..optimization.sensors import failure_reason
from ..resources import DatabaseResource, Mailer
from ..run_tags import partition_of, will_retry
from ..sensor_interval import sensor_interval


# No `monitored_jobs`: every job of the location works on a partition (the sensor's job, the
# `__ASSET_JOB` of UI materializations and backfills, and judge_carrier_freshness — a failed
# freshness check run is a failure an operator should hear of too).
@dg.run_failure_sensor(
    name="alert_operators_on_failure",
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=sensor_interval(30),
    description=(
        "Every failed run of this location — any carrier, whether or not it asked for "
        "optimization — sends one email to the operators (CLEANUP_OPERATOR_EMAIL_ADDRESSES) "
        "naming the partition, the run and why it failed (for a blocked gate: the checks and "
        "their reasons). Recorded in CleanupOperatorAlert: once per failed run, however many "
        "ticks see it. A run the daemon will retry is left to its retry."),
)
def alert_operators_on_failure(context: dg.RunFailureSensorContext,
                               database: DatabaseResource, email: Mailer):
    """Email the operators about a failed run, once (``CleanupOperatorAlert``)."""
    run = context.dagster_run
    if will_retry(run):
        return dg.SkipReason(f"run {run.run_id} will be retried: the retry's outcome is "
                             "reported")
    partition = partition_of(run)  # a label here: any failed run, whatever its key
    reason = failure_reason(context)
    subject, text, html_body = run_failure_alert(partition, run.job_name, run.run_id, reason)
    key = run_failure_key(run.run_id)
    engine = database.get_engine()

    def claim(conn):
        return claim_alert(conn, key, RUN_FAILURE, partition, subject, reason), \
            global_settings(conn).get("DeviceSyncFromEmailAddress")

    status, sender = in_transaction(engine, claim)
    if status is not None:
        done = f"run {run.run_id}: the operators' alert was already {status}"
        context.log.info(done)
        return dg.SkipReason(done)
    to = recipients(email.operator_addresses)
    # Raised after the resource's retries: the tick fails visibly, the claim stays
    # `sending` and the next tick sends it.
    where = email.send(build_email(sender, to, subject, text, html_body))
    in_transaction(engine, lambda conn: mark_sent(conn, key, ", ".join(to)))
    context.log.info(f"run {run.run_id} ({partition}): alert sent to {', '.join(to)} ({where})")
    return None
