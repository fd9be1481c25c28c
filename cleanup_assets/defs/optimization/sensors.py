"""Stop optimization whenever it was requested and not queued: a gate failed, the send
failed after retries, any step of the run failed, or the run's process died (the code
server or run monitoring marks such a run failed). Never a silent hang."""

from datetime import datetime, timedelta, timezone

import dagster as dg

from ...db import in_transaction
from ...emails import build_email, recipients, stop_bodies, stop_subject
from ...optimization import (
    QUEUED,
    STOPPED,
    STOPPING,
    amop_error_body,
    current_handover,
    global_settings,
    handover_key,
    optimization_settings,
    provider_name,
    record_handover,
    remove_carrier_optimization_session,
)
from ..notified import SHOULD_QUEUE_TAG, InvalidRunTags, notified_sync
from ..partitions import split_partition_key
from ..resources import Amop20Resource, DatabaseResource, EmailResource


def _root_cause(error) -> str:
    """The innermost message of a step error ("Error occurred while executing op …" wraps it)."""
    while error.cause is not None:
        error = error.cause
    return " ".join(error.message.split())


def _step_reason(event) -> str:
    """What a failed step says: the description of a ``dg.Failure`` our steps raise (a
    decision, written for an operator: the gate's blocking checks and their reasons, an
    unconfirmed send, an unknown provider), else the step and its innermost error."""
    data = event.step_failure_data
    described = data.user_failure_data and data.user_failure_data.description
    if described:
        return " ".join(described.split())
    return f"{event.step_key}: {_root_cause(data.error)}"


def _steps_reason(events) -> str:
    """The reasons of a run's failed steps (bounded: a run's steps), joined."""
    return "; ".join(_step_reason(event) for event in events
                     if event.step_failure_data and (event.step_failure_data.error
                                                     or event.step_failure_data.user_failure_data))


def failure_reason(context: dg.RunFailureSensorContext) -> str:
    return (_steps_reason(context.get_step_failure_events())
            or context.failure_event.message or "the run failed")


# Set by the run-retry daemon on a failed run it will retry (instance `run_retries`).
WILL_RETRY_TAG = "dagster/will_retry"


# No `monitored_jobs`: every job of this code location is watched, because every one of them
# can finalize a partition — the sensor's `finalize_device_sync` and the `__ASSET_JOB` that
# UI materializations and backfills run as. Runs that did not ask for optimization are
# skipped below by their tags (defs/notified.py), whatever their job.
@dg.run_failure_sensor(
    name="stop_optimization_on_failure",
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description=(
        "When a run that asked for carrier optimization fails before queueing it (a blocking "
        "gate check, the optimization queue, the database, a lost process): sends the legacy "
        "stop email with the reason (for a blocked gate: the failing checks and why), marks "
        "the OptimizationSession stopped and reports the error to AMOP 2.0. Runs that did not "
        "ask for optimization are skipped. cleanup-assets resume-optimization reopens a "
        "stopped session."
    ),
)
def stop_optimization_on_failure(
    context: dg.RunFailureSensorContext,
    database: DatabaseResource,
    email: EmailResource,
    amop: Amop20Resource,
):
    """When a finalize run that asked for carrier optimization fails before queueing it — a
    blocking gate check, SQS down, the database, anything: email the error (subject
    `OptimizationSyncDeviceErrorEmailSubject` formatted with the provider's name), mark the
    `OptimizationSession` stopped, and report it to AMOP 2.0 as an `ErrorMessage` job."""
    run = context.dagster_run
    if run.tags.get(WILL_RETRY_TAG) == "true":
        # The retry finalizes again and may still queue optimization (the handover key is
        # the session, or the root run shared by retries); its failure comes back here.
        return dg.SkipReason(f"run {run.run_id} will be retried: the stop path waits for "
                             "the retry's outcome")
    try:
        notified = notified_sync(run)
    except InvalidRunTags as error:  # the run itself failed on them, before finalizing
        return dg.SkipReason(f"run {run.run_id}: {error}")
    target = _what_to_stop(run, notified)
    if isinstance(target, str):
        return dg.SkipReason(target)
    reason = failure_reason(context)
    if stop_optimization(database, email, amop, *target, run.run_id, reason):
        context.log.warning(f"optimization stopped for provider {target[0]}: {reason}")
    return None


def _what_to_stop(run, notified):
    """(provider, session, tenant key, handover key) of the optimization a finished run
    asked for, or why there is none."""
    partition = run.tags.get("dagster/partition")
    if not partition or not notified.is_notified:
        return "not a notified sync: no optimization to stop"
    if not notified.stops_optimization_on_failure:
        return "optimization was not requested for this run"
    _, tenant_key = split_partition_key(partition)
    session = notified.optimization_session_id
    return (notified.service_provider_id, session, tenant_key,
            handover_key(session, run.tags.get("dagster/root_run_id") or run.run_id))


# How far back the sweep looks, and how often.
SWEEP_WINDOW = timedelta(hours=24)


@dg.sensor(
    name="stop_optimization_sweep",
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=120,
    description=(
        "The stop path's backstop, every 2 minutes: a run of the last 24 hours that asked for "
        "carrier optimization and ended failed or cancelled (terminated by an operator, "
        "cancelled in the queue, or failed with a retry that never came), with no "
        "re-execution still able to queue it, has its optimization stopped once — the same "
        "email, session and AMOP 2.0 report as the failure sensor's."),
)
def stop_optimization_sweep(
    context: dg.SensorEvaluationContext,
    database: DatabaseResource,
    email: EmailResource,
    amop: Amop20Resource,
):
    """The stop path's backstop, for what the failure sensor never sees: a run an operator
    terminated (or a queued run cancelled), and a failed run the retry daemon marked
    `dagster/will_retry` but then did not retry. Every run of the last 24 hours that asked
    for optimization and ended failed or cancelled, with no re-execution still able to queue
    it, has its optimization stopped — once (the handover ledger makes it idempotent)."""
    instance = context.instance
    records = instance.get_run_records(filters=dg.RunsFilter(
        statuses=[dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED],
        tags={SHOULD_QUEUE_TAG: "true"},
        updated_after=datetime.now(timezone.utc) - SWEEP_WINDOW))
    stopped, waiting = [], 0
    for record in records:  # bounded: the day's finished runs that asked for optimization
        run = record.dagster_run
        if run.tags.get(WILL_RETRY_TAG) == "true" or _re_executed(instance, record):
            waiting += 1  # a retry or re-execution decides
            continue
        try:
            target = _what_to_stop(run, notified_sync(run))
        except InvalidRunTags:
            continue
        if isinstance(target, str):
            continue
        reason = finished_run_reason(instance, run)
        if stop_optimization(database, email, amop, *target, run.run_id, reason):
            context.log.warning(f"optimization stopped for provider {target[0]}: {reason}")
            stopped.append(run.run_id)
    return dg.SkipReason(f"{len(records)} finished run(s) asked for optimization; "
                         f"stopped now: {len(stopped)}; left to a retry: {waiting}")


def _re_executed(instance, record) -> bool:
    """Whether a later run of the same root (a retry or an operator's re-execution) is
    still running or succeeded: it decides the optimization, not this one."""
    run = record.dagster_run
    root = run.tags.get("dagster/root_run_id") or run.run_id
    later = instance.get_run_records(filters=dg.RunsFilter(tags={"dagster/root_run_id": root}))
    return any(r.dagster_run.run_id != run.run_id
               and r.create_timestamp > record.create_timestamp
               and r.dagster_run.status not in (dg.DagsterRunStatus.FAILURE,
                                                dg.DagsterRunStatus.CANCELED)
               for r in later)  # bounded: one root's re-executions


def finished_run_reason(instance, run) -> str:
    """Why a finished run did not queue optimization, from its event log."""
    if run.status == dg.DagsterRunStatus.CANCELED:
        return f"the run {run.run_id} was cancelled before optimization was queued"
    # The failure sensor's words (_step_reason): whichever of the two stops a failed run,
    # the email and AMOP 2.0 read the same reason — for a blocked gate, the checks and why.
    return (_steps_reason(event.dagster_event for event in instance.all_logs(
        run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE))
        or f"the run {run.run_id} failed")


def stop_optimization(database, email, amop, provider: int, session: int, tenant_key: str,
                      key: str, run_id: str, reason: str) -> bool:
    """The stop path; False when the handover was already queued or stopped.

    The row goes to `stopping` first; then the session is removed, before and whatever the
    email and AMOP do — the legacy removes it even when its email fails
    (OptimizationUsageSyncErrorHandler.cs:20-39), and a session left active outlives the
    sweep's window for good. Then the email and the AMOP report, each tried; a failure of
    either is raised after both were tried (the tick fails visibly; the next try repeats
    them), and only then is the row `stopped`.
    The email is the legacy's (OptimizationUsageSyncErrorHandler.cs:25-68): subject
    `string.Format(OptimizationSyncDeviceErrorEmailSubject, ServiceProvider.Name)` from the
    optimization settings, from `DeviceSyncFromEmailAddress` to `DeviceSyncToEmailAddresses`.
    """
    engine = database.get_engine()

    def begin(conn):
        existing = current_handover(conn, provider, key)
        if existing.status in (QUEUED, STOPPED):
            return None
        record_handover(conn, provider, key, session, STOPPING, run_id=run_id, reason=reason)
        return global_settings(conn), optimization_settings(conn), provider_name(conn, provider)

    begun = in_transaction(engine, begin)
    if begun is None:
        return False
    in_transaction(engine, lambda conn: remove_carrier_optimization_session(conn, session))
    settings, optimization, name = begun
    text, html_body = stop_bodies(name, reason)
    failed = []
    try:
        email.send(build_email(
            settings.get("DeviceSyncFromEmailAddress"),
            recipients(settings.get("DeviceSyncToEmailAddresses")),
            stop_subject(optimization.get("OptimizationSyncDeviceErrorEmailSubject"), name),
            text, html_body))
    except Exception as error:  # retried inside send; raised below, after the AMOP report
        failed.append(f"stop email: {error}")
    if session > 0:  # ours: AMOP 2.0 shows the session's error (the legacy sent none)
        try:
            amop.post(amop.optimization_url, amop_error_body(session, reason),
                      what="error report")
        except Exception as error:  # retried inside post; raised below
            failed.append(f"AMOP 2.0 error report: {error}")
    if failed:
        raise RuntimeError(f"optimization session {session} of provider {provider} removed; "
                           + "; ".join(failed))

    in_transaction(engine, lambda conn: record_handover(conn, provider, key, session, STOPPED,
                                                        reason=reason))
    return True
