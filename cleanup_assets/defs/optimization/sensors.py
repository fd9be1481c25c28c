"""Stop optimization whenever it was requested and not queued: a gate failed, the send
failed after retries, any step of the run failed, or the run's process died (the code
server or run monitoring marks such a run failed). Never a silent hang. The same sensors
close the ledger row of any run that died before its sync finished (sql/ledger.py)."""

import logging
import uuid
from datetime import datetime, timedelta, timezone
from typing import NamedTuple

import dagster as dg

from ...db import in_transaction
from ...emails import (
    build_email,
    recipients,
    stop_bodies,
    stop_subject,
    unconfirmed_bodies,
    unconfirmed_subject,
)
from ...optimization import (
    SENDING,
    STOP_AMOP,
    STOP_EMAIL,
    amop_error_body,
    claim_stop,
    current_handover,
    finish_stop,
    global_settings,
    handover_key,
    mark_stop_part_sent,
    optimization_settings,
    provider_name,
    release_stop,
    remove_carrier_optimization_session,
    unconfirmed_error,
)
from ...sql.ledger import close_syncs_of_dead_runs, runs_with_running_syncs
from ..resources import Amop20, DatabaseResource, Mailer
from ..run_tags import (
    ROOT_RUN_TAG,
    SHOULD_QUEUE_TAG,
    InvalidRunTags,
    notified_sync,
    partition_of,
    root_run_id,
    will_retry,
)
from ..sensor_interval import sensor_interval
from ..schema_guard import waits_for_the_schema
from ..sync_of_run import SyncOfRun

log = logging.getLogger(__name__)


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


# No `monitored_jobs`: every job of this code location is watched, because every one of them
# can finalize a partition — the sensor's `finalize_device_sync` and the `__ASSET_JOB` that
# UI materializations and backfills run as. Runs that did not ask for optimization are
# skipped below by their tags (defs/run_tags.py), whatever their job.
@dg.run_failure_sensor(
    name="stop_optimization_on_failure",
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=sensor_interval(30),
    description=(
        "When a run that asked for carrier optimization fails before queueing it (a blocking "
        "gate check, the optimization queue, the database, a lost process): sends the legacy "
        "stop email with the reason (for a blocked gate: the failing checks and why), marks "
        "the OptimizationSession stopped and reports the error to AMOP 2.0 — once, claimed in "
        "the database. A send whose outcome is unknown is reported as sent, not confirmed "
        "(the session is not stopped). Runs that did not ask for optimization are skipped. "
        "For every failed run of the location, its ledger rows left running are marked "
        "failed. cleanup-assets resume-optimization reopens a stopped session."
    ),
)
def stop_optimization_on_failure(
    context: dg.RunFailureSensorContext,
    database: DatabaseResource,
    email: Mailer,
    amop: Amop20,
):
    """When a finalize run that asked for carrier optimization fails before queueing it — a
    blocking gate check, SQS down, the database, anything: email the error (subject
    `OptimizationSyncDeviceErrorEmailSubject` formatted with the provider's name), mark the
    `OptimizationSession` stopped, and report it to AMOP 2.0 as an `ErrorMessage` job."""
    run = context.dagster_run
    # First, whatever the run asked: a run that died before its sync finished leaves its
    # ledger row `running` (a retry writes a row of its own).
    closed = in_transaction(database.get_engine(), lambda conn: close_syncs_of_dead_runs(
        conn, {run.run_id: dead_run_error(run.run_id, "failed", "stop_optimization_on_failure",
                                          context.failure_event.message)}))
    if closed:
        context.log.warning(f"run {run.run_id} died before its sync finished: ledger row(s) "
                            f"{', '.join(map(str, closed))} marked failed")
    if will_retry(run):
        # The retry finalizes again and may still queue optimization (the handover key is
        # the session, or the root run shared by retries); its failure comes back here.
        return dg.SkipReason(f"run {run.run_id} will be retried: the stop path waits for "
                             "the retry's outcome")
    try:
        target = _what_to_stop(run)
    except InvalidRunTags as error:  # the run itself failed on them, before finalizing
        return dg.SkipReason(f"run {run.run_id}: {error}")
    if isinstance(target, str):
        return dg.SkipReason(f"run {run.run_id}: {target}")  # which failed run, and why not
    reason = failure_reason(context)
    record = context.instance.get_run_record_by_id(run.run_id)
    ended = stop_optimization(database, email, amop, *target.stop, run.run_id,
                              run_ended_at(record), reason, root_run_id=target.root_run_id,
                              run_alive=_run_alive(context.instance))
    if ended:
        context.log.warning(f"optimization {ended} for provider {target.provider}: {reason}")
        return None
    # Said in the tick, not silent: this failure was handled before (an earlier tick, the
    # sweep) or the session was handed over by another run of it.
    done = (f"run {run.run_id}: provider {target.provider}'s optimization ({target.key}) was "
            "already queued, stopped or claimed by the other stop sensor: nothing to stop")
    context.log.info(done)
    return dg.SkipReason(done)


def run_ended_at(record) -> datetime:
    """When a finished run ended, as our tables store time (naive UTC): the end of its
    events (precise), else the record's last update. An operator's resume after it makes
    the run's stop path a thing of the past (optimization.claim_stop)."""
    if record.end_time is not None:
        return datetime.fromtimestamp(record.end_time, timezone.utc).replace(tzinfo=None)
    moment = record.update_timestamp
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def dead_run_error(run_id: str, how: str, learned_by: str, message: str | None) -> str:
    """The ledger's error for a sync whose run ended without closing it."""
    said = f": {' '.join(message.split())}" if message else ""
    return (f"the run {run_id} was {how} before its sync finished (its process died or was "
            f"stopped: killed, lost, terminated or cancelled); learned by {learned_by} from "
            f"the run's status{said}")


class StopTarget(NamedTuple):
    """The optimization a finished run asked for: what ``stop_optimization`` stops."""

    provider: int
    session: int
    tenant_key: str
    key: str  # the handover's key (optimization.handover_key)
    root_run_id: str

    @property
    def stop(self) -> tuple[int, int, str, str]:
        return self.provider, self.session, self.tenant_key, self.key


def _what_to_stop(run) -> StopTarget | str:
    """The optimization a finished run asked for, or why there is none. Raises
    ``InvalidRunTags`` for a run whose tags of ours say nothing valid."""
    notified = notified_sync(run)
    if not partition_of(run) or not notified.is_notified:
        return "not a notified sync: no optimization to stop"
    if not notified.stops_optimization_on_failure:
        return "optimization was not requested for this run"
    sync = SyncOfRun.of_run(run)
    session = notified.optimization_session_id
    return StopTarget(notified.service_provider_id, session, sync.tenant_key,
                      handover_key(session, sync.root_run_id), sync.root_run_id)


def _run_alive(instance):
    """Whether a run may still be sending: known to the instance and not finished."""
    def alive(run_id: str) -> bool:
        run = instance.get_run_by_id(run_id)
        return run is not None and not run.is_finished
    return alive


# How far back the sweep looks, and how often.
SWEEP_WINDOW = timedelta(hours=24)


@dg.sensor(
    name="stop_optimization_sweep",
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=sensor_interval(120),
    description=(
        "The stop path's backstop, every 2 minutes: a run of the last 24 hours that asked for "
        "carrier optimization and ended failed or cancelled (terminated by an operator, "
        "cancelled in the queue, or failed with a retry that never came), with no "
        "re-execution still able to queue it, has its optimization stopped once — the same "
        "email, session and AMOP 2.0 report as the failure sensor's, never twice with it, "
        "never after an operator's resume. Any failed or cancelled run's ledger rows left "
        "running are marked failed."),
)
@waits_for_the_schema
def stop_optimization_sweep(
    context: dg.SensorEvaluationContext,
    database: DatabaseResource,
    email: Mailer,
    amop: Amop20,
):
    """The stop path's backstop, for what the failure sensor never sees: a run an operator
    terminated (or a queued run cancelled), and a failed run the retry daemon marked
    `dagster/will_retry` but then did not retry. Every run of the last 24 hours that asked
    for optimization and ended failed or cancelled, with no re-execution still able to queue
    it, has its optimization stopped — once (the stop claim on the handover row decides,
    also against the failure sensor evaluated at the same moment). Before that, every
    failed or cancelled run's ledger rows left `running` are closed (sql/ledger.py)."""
    instance = context.instance
    # Every run of the day that failed or was cancelled: its ledger rows left `running` are
    # closed (a cancelled run never reaches the failure sensor); those that asked for
    # optimization are then looked at for the stop path.
    dead = instance.get_run_records(filters=dg.RunsFilter(
        statuses=[dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED],
        updated_after=datetime.now(timezone.utc) - SWEEP_WINDOW))
    closed = _close_dead_runs_syncs(instance, database, [r.dagster_run for r in dead])
    if closed:
        context.log.warning(f"ledger row(s) of dead runs marked failed: "
                            f"{', '.join(map(str, closed))}")
    records = [r for r in dead if r.dagster_run.tags.get(SHOULD_QUEUE_TAG) == "true"]
    stopped, waiting, failures = [], 0, []
    for record in records:  # bounded: the day's finished runs that asked for optimization
        run = record.dagster_run
        if will_retry(run) or _re_executed(instance, record):
            waiting += 1  # a retry or re-execution decides
            continue
        try:
            target = _what_to_stop(run)
        except InvalidRunTags:
            continue
        if isinstance(target, str):
            continue
        reason = finished_run_reason(instance, run)
        try:  # each run on its own: one failing stop does not hold back the others
            ended = stop_optimization(database, email, amop, *target.stop, run.run_id,
                                      run_ended_at(record), reason,
                                      root_run_id=target.root_run_id,
                                      run_alive=_run_alive(instance))
        except Exception as error:
            context.log.error(f"stop path of run {run.run_id} failed: {error}")
            failures.append(f"run {run.run_id}: {error}")
            continue
        if ended:
            context.log.warning(f"optimization {ended} for provider {target.provider}: "
                                f"{reason}")
            stopped.append(run.run_id)
    if failures:  # the tick fails visibly, naming every run whose stop is to be repeated
        raise RuntimeError(f"the stop path failed for {len(failures)} run(s) (repeated on the "
                           f"next tick; stopped now: {len(stopped)}): " + "; ".join(failures))
    return dg.SkipReason(f"{len(dead)} run(s) failed or cancelled, {len(closed)} ledger row(s) "
                         f"closed; {len(records)} asked for optimization; stopped now: "
                         f"{len(stopped)}; left to a retry: {waiting}")


def _close_dead_runs_syncs(instance, database, runs) -> list[int]:
    """Close the ledger rows the day's dead runs left `running`: which runs left one is
    read from the ledger first, so a run's failure message is read only for those."""
    engine = database.get_engine()
    leaking = in_transaction(engine, lambda conn: runs_with_running_syncs(
        conn, {run.run_id for run in runs}))
    errors = {}
    for run in runs:  # bounded: the day's dead runs; messages only for those that leaked
        if run.run_id not in leaking:
            continue
        if run.status == dg.DagsterRunStatus.CANCELED:
            message = None
            how = "cancelled"
        else:
            failure = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
            message = failure[-1].dagster_event.message if failure else None
            how = "failed"
        errors[run.run_id] = dead_run_error(run.run_id, how, "stop_optimization_sweep", message)
    if not errors:
        return []
    return in_transaction(engine, lambda conn: close_syncs_of_dead_runs(conn, errors))


def _re_executed(instance, record) -> bool:
    """Whether a later run of the same root (a retry or an operator's re-execution) is
    still running or succeeded: it decides the optimization, not this one."""
    run = record.dagster_run
    later = instance.get_run_records(filters=dg.RunsFilter(
        tags={ROOT_RUN_TAG: root_run_id(run)}))
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
                      key: str, run_id: str, run_ended_at: datetime,
                      reason: str, *, root_run_id: str | None = None,
                      run_alive=None) -> str | None:
    """The stop path of one failed run, exactly once whichever sensor calls it and when:
    the end state reached (``stopped`` or ``unconfirmed``), or None when there is nothing
    to stop (queued, stopped, unconfirmed, reopened after this run ended) or another
    attempt holds the claim.

    The claim comes first, in the database (optimization.claim_stop: one winner), then the
    email and the AMOP call, then the end state, only while the claim is still ours. A
    failure in between releases the claim and is raised (the tick fails visibly; the next
    one repeats them); a claimer that died is taken over after ``STOP_LEASE``.

    Once claimed, the session is removed first, before and whatever the
    email and AMOP do — the legacy removes it even when its email fails
    (OptimizationUsageSyncErrorHandler.cs:20-39), and a session left active outlives the
    sweep's window for good. Then the email and the AMOP report, each tried; a failure of
    either is raised after both were tried (the tick fails visibly; the next try repeats
    the one that failed — each part's delivery is recorded on the row, StopEmailSentAt /
    StopAmopSentAt), and only then is the row `stopped`. A failure to remove the session
    releases the claim too.
    The email is the legacy's (OptimizationUsageSyncErrorHandler.cs:25-68): subject
    `string.Format(OptimizationSyncDeviceErrorEmailSubject, ServiceProvider.Name)` from the
    optimization settings, from `DeviceSyncFromEmailAddress` to `DeviceSyncToEmailAddresses`.
    A handover claimed from ``sending`` — a send whose outcome is unknown — ends
    ``unconfirmed`` instead: the email and the AMOP error say "sent, not confirmed" and the
    session is not removed (the optimizer may be running it).
    """
    engine = database.get_engine()
    claim = f"{run_id}/{uuid.uuid4().hex[:12]}"

    def begin(conn):
        # A `sending` row of another root is a live send, not ours to report — unless its
        # run is over (killed between the send and its record: its own stop path may never
        # come, e.g. a process lost without run monitoring); ``run_alive`` asks Dagster.
        dead_sender = None
        existing = current_handover(conn, provider, key)
        if (existing.status == SENDING and existing.run_id not in (None, run_id)
                and run_alive is not None and not run_alive(existing.run_id)):
            dead_sender = existing.run_id
        claimed = claim_stop(conn, provider, key, session, claim, run_ended_at, reason,
                             run_id=run_id, root_run_id=root_run_id or run_id,
                             dead_sender=dead_sender)
        if claimed is None:
            return None
        return (claimed, global_settings(conn), optimization_settings(conn),
                provider_name(conn, provider))

    begun = in_transaction(engine, begin)
    if begun is None:
        return None
    claimed, settings, optimization, name = begun
    unconfirmed = claimed.claimed_from == SENDING

    def release():
        try:
            in_transaction(engine, lambda conn: release_stop(conn, provider, key, claim))
        except Exception:  # the database may be what failed: the lease frees the claim
            log.exception("could not release the stop claim %s", claim)

    if not unconfirmed:  # before and whatever the email and AMOP do, as the legacy
        try:
            in_transaction(engine, lambda conn: remove_carrier_optimization_session(
                conn, session))
        except BaseException:  # the claim goes back: the next attempt repeats it at once
            release()
            raise
    if unconfirmed:
        subject = unconfirmed_subject(name)
        text, html_body = unconfirmed_bodies(name, claimed.run_id, provider, session, reason)
        error = unconfirmed_error(claimed.run_id, reason)
    else:
        subject = stop_subject(optimization.get("OptimizationSyncDeviceErrorEmailSubject"),
                               name)
        text, html_body = stop_bodies(name, reason)
        error = reason
    failed = []

    def deliver(part, what, send):
        """One part of the stop, unless an earlier attempt of this stop delivered it (the
        retry repeats only what failed), then its delivery on the row."""
        if (claimed.stop_email_sent_at if part == STOP_EMAIL else claimed.stop_amop_sent_at):
            return
        try:
            send()  # retried inside; a failure is raised below, after the other part
        except Exception as problem:
            failed.append(f"{what}: {problem}")
            return
        try:
            in_transaction(engine, lambda conn: mark_stop_part_sent(conn, provider, key, claim,
                                                                    part))
        except Exception as problem:  # delivered, not recorded: the retry may repeat it
            failed.append(f"recording the {what} as delivered: {problem}")

    deliver(STOP_EMAIL, "stop email", lambda: email.send(build_email(
        settings.get("DeviceSyncFromEmailAddress"),
        recipients(settings.get("DeviceSyncToEmailAddresses")), subject, text, html_body)))
    if session > 0:  # ours: AMOP 2.0 shows the session's error (the legacy sent none)
        deliver(STOP_AMOP, "AMOP 2.0 error report", lambda: amop.optimization.post(
            amop_error_body(session, error), what="error report"))
    if failed:
        release()
        raise RuntimeError(f"optimization session {session} of provider {provider}"
                           + (" left active (send unconfirmed)" if unconfirmed else " removed")
                           + "; " + "; ".join(failed))
    finished = in_transaction(engine, lambda conn: finish_stop(
        conn, provider, key, session, claim, run_id, unconfirmed=unconfirmed))
    if not finished:  # taken over after the lease, or queued by its sender after all
        return None
    return "unconfirmed" if unconfirmed else "stopped"
