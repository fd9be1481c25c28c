"""The sync sensor: waits for staging completion, then launches the partition's run.

It decides and requests; it deletes nothing. A forced launch's rows to process are cleared
by the first step of its run (sql/finalize.py, ``clear_forced_rows``). Its state — retry
counts, next checks, decisions — is the inbox's rows (``CleanupSyncNotification``): the
sensor keeps no cursor.
"""

from datetime import timedelta

import dagster as dg

from ...db import in_transaction
from ...db import utcnow
from ...notifications import evaluate_notifications, launched_between
from ..device_sync.jobs import FINALIZE_DEVICE_SYNC
from ..run_tags import NOTIFICATION_TAG, NotifiedSync
from ..partitions import TENANT_PARTITIONS_NAME, partition_key, tenant_partitions
from ..resources import DatabaseResource, MessageQueue
from ..sensor_interval import sensor_interval
from ..schema_guard import waits_for_the_schema

MAX_RUNS_PER_TICK = 25
# A decided launch whose run is still missing after the grace period is requested again,
# for up to the window (the daemon creates runs within seconds of a tick).
RELAUNCH_GRACE = timedelta(minutes=2)
RELAUNCH_WINDOW = timedelta(hours=6)


def notified_tags(launch) -> dict[str, str]:
    """What the run's steps and the stop sensor read (defs/run_tags.py)."""
    return NotifiedSync(
        service_provider_id=launch.service_provider_id,
        should_queue_carrier_optimization=launch.should_queue_carrier_optimization,
        optimization_session_id=launch.optimization_session_id,
        forced=launch.forced, notification_id=launch.notification_id).tags()


@dg.sensor(
    name="sync_notification_sensor",
    job_name=FINALIZE_DEVICE_SYNC,
    minimum_interval_seconds=sensor_interval(30),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Turns the carriers' device-sync notifications (the database inbox, and the legacy SQS "
        "queue when configured) into runs of finalize_device_sync: one per integration and "
        "tenant, tagged with the notified provider, once that provider's rows to process are "
        "done. Waits DelayBetweenRetries while rows remain; when retries run out it launches "
        "the run as forced, and the run clears those rows first. Adds a new tenant's "
        "partition first. Malformed notifications are rejected with their reason "
        "(cleanup-assets notifications)."
    ),
)
@waits_for_the_schema
def sync_notification_sensor(
    context: dg.SensorEvaluationContext,
    database: DatabaseResource,
    device_sync_queue: MessageQueue,
):
    """Finalizes a carrier sync once its staging is complete.

    Reads sync notifications (the database inbox, and the legacy SQS device-notification
    queue when configured). While the service provider's rows to process remain and retries
    are left, the notification waits `DelayBetweenRetries`; when retries run out (or, for
    eBonding, the count stops moving) the run is marked forced, and its first step clears
    that provider's rows. Then the tenant's partition is added if new and one run is
    requested for (integration, tenant) with the notification's provider, optimization flag
    and session. Malformed notifications are rejected with their reason
    (`cleanup-assets notifications`).
    """
    databases = database.get_databases()
    engine = databases.central
    ingested, queue_error = 0, None
    try:  # botocore retries first; a message is deleted only once recorded
        ingested = device_sync_queue.receive_notifications(engine)
    except Exception as error:  # reported below, after the inbox had its turn
        queue_error = error
    now = utcnow()
    outcome = evaluate_notifications(databases, now=now, max_launches=MAX_RUNS_PER_TICK,
                                     retry=database.retry_policy)
    launches = list(outcome.launches)
    for table in sorted(outcome.whole_table):
        context.log.warning(
            f"{table} has neither a ServiceProviderId column nor a key to the carrier table: "
            "its rows were counted for the whole table, as the legacy does — one provider's "
            "wait sees every provider's rows (and a forced run clears the whole table)")

    # Decisions of earlier ticks whose run never came to exist (a crash between the commit
    # and the run's creation): request them again under the same run key.
    decided_earlier = in_transaction(engine, lambda conn: launched_between(
        conn, now - RELAUNCH_WINDOW, now - RELAUNCH_GRACE))
    if decided_earlier:
        existing = {
            record.dagster_run.tags.get(NOTIFICATION_TAG)
            for record in context.instance.get_run_records(filters=dg.RunsFilter(
                tags={NOTIFICATION_TAG: [str(l.notification_id) for l in decided_earlier]}))
        }
        launches += [l for l in decided_earlier if str(l.notification_id) not in existing]

    for launch in launches:
        if launch.forced:
            context.log.warning(
                f"notification {launch.notification_id}: {launch.reason}; launched as forced: "
                f"the run clears provider {launch.service_provider_id}'s rows to process "
                "first (its finalize step's log says what it deleted)")
    for key, error in sorted(outcome.unavailable.items()):
        context.log.error(
            f"{key}: its database could not be read ({error}); its notifications wait as they "
            "are and are evaluated again by the next tick — the other integrations went on")
    if outcome.rejected:
        context.log.warning(f"{outcome.rejected} notification(s) rejected; see "
                            "`cleanup-assets notifications --status rejected`")

    known = set(context.instance.get_dynamic_partitions(TENANT_PARTITIONS_NAME))
    new_tenants = sorted({l.tenant_key for l in launches} - known)
    run_requests = [
        dg.RunRequest(
            run_key=launch.run_key,
            partition_key=partition_key(launch.integration_key, launch.tenant_key),
            tags=notified_tags(launch),
        )
        for launch in launches
    ]
    summary = {"ingested": ingested, "launched": len(run_requests), "waiting": outcome.waiting,
               "rejected": outcome.rejected, "forced": outcome.forced,
               "deferred": outcome.deferred, "tick": now.isoformat()}
    if outcome.whole_table:
        summary["counted_whole_table"] = sorted(outcome.whole_table)
    if outcome.unavailable:
        summary["database_unavailable"] = sorted(outcome.unavailable)
    context.log.info(f"sync sensor tick: {summary}")
    if queue_error is not None:
        # The tick fails visibly. Its decisions are committed: the runs it could not
        # request here are requested again by the first tick once RELAUNCH_GRACE has passed
        # (a run key is launched once, whichever tick requests it).
        again = (now + RELAUNCH_GRACE).strftime("%H:%M:%S UTC")
        raise RuntimeError(
            f"the device-sync queue could not be read ({type(queue_error).__name__}: "
            f"{queue_error}); "
            + (f"{len(run_requests)} run(s) decided this tick are requested again by the first "
               f"tick after {again} (the {int(RELAUNCH_GRACE.total_seconds() // 60)}-minute "
               "relaunch grace); the messages already recorded are not lost"
               if run_requests else "no run was decided this tick")) from queue_error
    return dg.SensorResult(
        run_requests=run_requests,
        # The tick's line in the UI when nothing is launched (else Dagster's own "Sensor
        # function returned an empty result").
        skip_reason=None if run_requests else no_run_reason(outcome, ingested),
        dynamic_partitions_requests=[tenant_partitions.build_add_request(new_tenants)]
        if new_tenants else [],
        # No cursor: the inbox holds the state. (A tick summary an earlier version left
        # there is never read: its "Edit" beside the cursor on the sensor page clears it.)
        cursor=None,
    )


def no_run_reason(outcome, ingested: int) -> str:
    """Why a tick requested no run, in the operator's words."""
    found = [f"{count} {what}" for count, what in (
        (outcome.waiting, "notification(s) waiting for their rows to process"),
        (outcome.rejected, "notification(s) rejected (cleanup-assets notifications --status "
                           "rejected)"),
        (len(outcome.unavailable), "integration(s) whose database could not be read: "
                                   + ", ".join(sorted(outcome.unavailable))),
    ) if count]
    if ingested:
        found.insert(0, f"{ingested} message(s) taken from the device-sync queue")
    return "no run requested: " + ("; ".join(found) if found
                                   else "no sync notification is due (a waiting one is checked "
                                   "again once its DelayBetweenRetries has passed)")
