"""The handover to carrier rate-plan optimization (Jasper family): the legacy queue message,
exactly once per (service provider, session); the handover ledger, its progress delivery and
an operator's resume; the settings the emails read; AMOP 2.0 bodies (the emails themselves
are in emails.py).

Pure functions over a connection; the Dagster op and sensor call them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, false, insert, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from .db import utcnow
from .schema import optimization_handover, optimization_session, optimization_setting
from .schema import service_provider, service_provider_setting
from .sql.gate_facts import BillingPeriod

QUEUED, SENDING, STOPPING, STOPPED = "queued", "sending", "stopping", "stopped"
REOPENED = "reopened"  # an operator resumed a stopped handover: the next notified run queues
# The queue refused the send on every try (no connection, a 4xx answer): nothing is on it,
# so the stop path stops the session and a retry of the run may send.
UNSENT = "unsent"
# A send whose outcome is unknown (the run died after it, or the queue's answer was lost)
# reached the stop path: the message may be on the queue and the optimizer may be running
# the session, so it is not stopped. An operator checks the queue (resume-optimization says
# how); nothing resends it or stops it by itself.
UNCONFIRMED = "unconfirmed"

# A stop claim older than this is taken over by the next stop attempt: its claimer died
# (a stop attempt is one email and one AMOP 2.0 call, each bounded by its resource's
# timeouts and retries: 3 x 20 s and 3 x 10 s plus backoff, about two minutes at worst).
# A claimer that fails releases its claim.
STOP_LEASE = timedelta(minutes=15)


def handover_key(optimization_session_id: int, root_run_id: str) -> str:
    """One handover per session; without a session, one per original run (its re-executions
    share the root run id)."""
    if optimization_session_id > 0:
        return f"session:{optimization_session_id}"
    return f"run:{root_run_id}"


def optimization_message(provider_id: int, tenant_id: int, period: BillingPeriod,
                         optimization_session_id: int) -> tuple[str, dict[str, str]]:
    """The legacy message: body and String attributes, exactly as the Lambda sent them."""
    attributes = {
        "BillYear": str(period.year),
        "BillMonth": str(period.month),
        "ServiceProviderId": str(provider_id),
        "TenantId": str(tenant_id),
        "BillPeriodId": str(period.id),
        "HasSynced": "True",
    }
    if optimization_session_id > 0:
        attributes["OptimizationSessionId"] = str(optimization_session_id)
    return f"Carrier to optimize is for Billing Period {period.year}/{period.month}", attributes


@dataclass(frozen=True)
class Handover:
    status: str | None
    run_id: str | None = None
    message_id: str | None = None
    updated_at: datetime | None = None
    progress_delivered_at: datetime | None = None
    claimed_by: str | None = None
    claimed_from: str | None = None
    reason: str | None = None
    stop_email_sent_at: datetime | None = None
    stop_amop_sent_at: datetime | None = None


def current_handover(conn: Connection, provider_id: int, key: str) -> Handover:
    row = conn.execute(select(optimization_handover).where(
        optimization_handover.c.ServiceProviderId == provider_id,
        optimization_handover.c.HandoverKey == key)).first()
    if row is None:
        return Handover(None)
    return Handover(row.Status, row.RunId, row.MessageId, row.UpdatedAt, row.ProgressDeliveredAt,
                    row.ClaimedBy, row.ClaimedFrom, row.Reason, row.StopEmailSentAt,
                    row.StopAmopSentAt)


def _this_handover(provider_id: int, key: str):
    return and_(optimization_handover.c.ServiceProviderId == provider_id,
                optimization_handover.c.HandoverKey == key)


def _claim(conn: Connection, provider_id: int, key: str, session_id: int, claimable,
           update_values: dict, insert_values: dict) -> bool:
    """Take the row where ``claimable`` holds, or create it when there is none: True for the
    one winner. The UPDATE re-checks its condition on the locked row (two claimers: the
    second waits and finds it taken); two INSERTs meet the unique key (provider, key) and
    the second loses, rolled back to its savepoint."""
    h = optimization_handover
    if conn.execute(update(h).where(_this_handover(provider_id, key), claimable)
                    .values(update_values)).rowcount:
        return True
    if conn.execute(select(h.c.id).where(_this_handover(provider_id, key))).first() is not None:
        return False
    try:
        with conn.begin_nested():
            conn.execute(insert(h).values(ServiceProviderId=provider_id, HandoverKey=key,
                                          OptimizationSessionId=session_id,
                                          CreatedAt=insert_values["UpdatedAt"], **insert_values))
    except IntegrityError:
        return False
    return True


def claim_send(conn: Connection, provider_id: int, key: str, session_id: int, run_id: str,
               bill_period_id: int, *, resend_claimed_after: datetime | None = None,
               root_run_id: str | None = None) -> bool:
    """The handover op's claim (``sending``) before it sends: won only where nothing was
    sent — no row yet, ``reopened``, ``unsent`` — or, with ``resend_claimed_after`` (a FIFO
    queue's deduplication window), a ``sending`` claim younger than that. ``root_run_id``
    (the run's ``dagster/root_run_id``, default the run itself) is kept with it: only the
    sender's stop path, or a re-execution's, may claim a ``sending`` row (claim_stop)."""
    h = optimization_handover
    claimable = h.c.Status.in_((REOPENED, UNSENT))
    if resend_claimed_after is not None:
        claimable = or_(claimable, and_(h.c.Status == SENDING,
                                        h.c.UpdatedAt >= resend_claimed_after))
    values = {"Status": SENDING, "RunId": run_id, "RootRunId": root_run_id or run_id,
              "BillPeriodId": bill_period_id,
              "UpdatedAt": utcnow(), "ClaimedBy": None, "ClaimedAt": None, "ClaimedFrom": None}
    # A resend over an unknown send (FIFO) remembers that send's run: if the resend is
    # refused, the earlier message may still be on the queue (mark_unsent).
    taken = {**values, "ResentOver": case((h.c.Status == SENDING, h.c.RunId), else_=None)}
    return _claim(conn, provider_id, key, session_id, claimable, taken,
                  {**values, "ResentOver": None})


def mark_unsent(conn: Connection, provider_id: int, key: str, run_id: str, reason: str) -> int:
    """The queue refused this run's send on every try: nothing of this run is on it —
    ``unsent``, unless this send was a resend over an earlier send whose outcome is unknown
    (``ResentOver``, a FIFO queue): that message may be on the queue, so the row goes back
    to that run's ``sending`` (its stop path, or a later run's, reports it unconfirmed)."""
    h = optimization_handover
    mine = and_(_this_handover(provider_id, key), h.c.Status == SENDING, h.c.RunId == run_id)
    changed = conn.execute(update(h).where(mine, h.c.ResentOver.is_(None)).values(
        Status=UNSENT, Reason=str(reason)[:2000], UpdatedAt=utcnow())).rowcount
    if changed:
        return changed
    return conn.execute(update(h).where(mine, h.c.ResentOver.is_not(None)).values(
        RunId=h.c.ResentOver, RootRunId=None, ResentOver=None,
        Reason=(f"resend by run {run_id} refused ({reason}); the earlier send is not "
                "confirmed")[:2000])).rowcount


def claim_stop(conn: Connection, provider_id: int, key: str, session_id: int, claim: str,
               run_ended_at: datetime, reason: str, *, run_id: str | None = None,
               root_run_id: str | None = None,
               dead_sender: str | None = None) -> Handover | None:
    """The stop path's claim (``stopping``) for the run ``run_id`` (of root ``root_run_id``),
    exactly once per failed run whichever sensor asks and whenever: the handover row
    (created if missing) when it is unqueued — ``unsent``, no row, ``sending`` by this run
    or a run of its root (the send whose outcome is unknown is this run's own: a re-execution
    refuses to resend it) —, ``reopened``, or ``stopping`` under a claim released or older
    than ``STOP_LEASE`` (its claimer died). Whatever the status, never after an operator's
    resume that came after the run ended (``ReopenedAt``, kept while the next runs move the
    row on): such a run was decided before the resume. Another run's ``sending`` is a live
    send (or that run's own stop path's to report): not ours — unless the caller found that
    run ended or unknown to the instance (``dead_sender``, its RunId: a killed sender whose
    own stop path may never come). The status it was claimed
    from is kept across a takeover (``ClaimedFrom``): from ``sending`` the end is
    ``unconfirmed``; so are the stop's parts already delivered (``StopEmailSentAt``,
    ``StopAmopSentAt``), cleared by a fresh claim. None: nothing to stop, or another claimer
    has it."""
    h = optimization_handover
    now = utcnow()
    this_sender = [h.c.RunId == run_id] if run_id is not None else []
    if root_run_id is not None:
        this_sender.append(h.c.RootRunId == root_run_id)
    if dead_sender is not None:
        this_sender.append(h.c.RunId == dead_sender)
    claimable = and_(
        or_(h.c.ReopenedAt.is_(None), h.c.ReopenedAt < run_ended_at),
        or_(h.c.Status.in_((UNSENT, REOPENED)),
            and_(h.c.Status == SENDING, or_(*this_sender)) if this_sender else false(),
            and_(h.c.Status == STOPPING,
                 or_(h.c.ClaimedAt.is_(None), h.c.ClaimedAt < now - STOP_LEASE))))
    values = {"Status": STOPPING, "ClaimedBy": claim, "ClaimedAt": now,
              "Reason": str(reason)[:2000], "UpdatedAt": now}
    taken = {**values,
             **{column: case((h.c.Status == STOPPING, h.c[column]), else_=None)
                for column in ("StopEmailSentAt", "StopAmopSentAt")},
             "ClaimedFrom": case((h.c.Status == STOPPING, h.c.ClaimedFrom),
                                 else_=h.c.Status)}
    if not _claim(conn, provider_id, key, session_id, claimable, taken, values):
        return None
    return current_handover(conn, provider_id, key)


STOP_EMAIL, STOP_AMOP = "StopEmailSentAt", "StopAmopSentAt"


def mark_stop_part_sent(conn: Connection, provider_id: int, key: str, claim: str,
                        part: str) -> int:
    """One part of a claimed stop (``STOP_EMAIL``, ``STOP_AMOP``) was delivered: a retry of
    the stop (after the other part failed) does not send it again."""
    h = optimization_handover
    return conn.execute(update(h).where(
        _this_handover(provider_id, key), h.c.Status == STOPPING, h.c.ClaimedBy == claim)
        .values({part: utcnow()})).rowcount


def release_stop(conn: Connection, provider_id: int, key: str, claim: str) -> int:
    """A stop attempt that failed (email or AMOP 2.0 down) gives its claim back: the next
    attempt repeats it at once instead of after the lease."""
    h = optimization_handover
    return conn.execute(update(h).where(
        _this_handover(provider_id, key), h.c.Status == STOPPING, h.c.ClaimedBy == claim)
        .values(ClaimedAt=None)).rowcount


def finish_stop(conn: Connection, provider_id: int, key: str, session_id: int, claim: str,
                run_id: str, *, unconfirmed: bool) -> bool:
    """The end of a claimed stop, if the claim is still this attempt's: ``stopped`` (the
    session removed, as the legacy does) or ``unconfirmed`` (the session left as it is:
    the optimizer may be running it; RunId stays the run that sent)."""
    h = optimization_handover
    values = {"Status": UNCONFIRMED if unconfirmed else STOPPED, "UpdatedAt": utcnow()}
    if not unconfirmed:
        values["RunId"] = run_id
    if not conn.execute(update(h).where(_this_handover(provider_id, key), h.c.Status == STOPPING,
                                        h.c.ClaimedBy == claim).values(values)).rowcount:
        return False
    if not unconfirmed:
        remove_carrier_optimization_session(conn, session_id)
    return True


def record_queued(conn: Connection, provider_id: int, key: str, run_id: str,
                  message_id: str) -> Handover | None:
    """The queue took this run's message: ``queued``, only while the row is still this run's
    ``sending`` claim. None when so; else the row as it is now, left to whoever owns it.

    Else the stop path of this run (or a re-execution of its root) claimed the send in the
    meantime — its process was thought dead, the queue's answer late — and reports it
    ``unconfirmed``, with the session left active; that report is what an operator acts on,
    so it is not overwritten (a ``stopping`` claim would otherwise end in nothing, its email
    already sent). What is true and new — the message is on the queue, under this id — is
    recorded on the row (``MessageId``) where the row is still this run's send, for the
    operator who checks it (``resume-optimization``). A row another run holds is left as it
    is: its own sender or stop path records it."""
    h = optimization_handover
    now = utcnow()
    if conn.execute(update(h).where(
            _this_handover(provider_id, key), h.c.Status == SENDING, h.c.RunId == run_id)
            .values(Status=QUEUED, MessageId=message_id, UpdatedAt=now)).rowcount:
        return None
    conn.execute(update(h).where(_this_handover(provider_id, key), h.c.RunId == run_id,
                                 h.c.Status.in_((STOPPING, UNCONFIRMED)))
                 .values(MessageId=message_id, UpdatedAt=now))
    return current_handover(conn, provider_id, key)


def record_handover(conn: Connection, provider_id: int, key: str, session_id: int, status: str,
                    *, run_id: str | None = None, message_id: str | None = None,
                    bill_period_id: int | None = None, reason: str | None = None) -> None:
    """Insert or move the handover row to ``status``."""
    now = utcnow()
    values = {"Status": status, "UpdatedAt": now}
    for column, value in (("RunId", run_id), ("MessageId", message_id),
                          ("BillPeriodId", bill_period_id), ("Reason", reason)):
        if value is not None:
            values[column] = value if column != "Reason" else str(value)[:2000]
    changed = conn.execute(update(optimization_handover).where(
        optimization_handover.c.ServiceProviderId == provider_id,
        optimization_handover.c.HandoverKey == key).values(values)).rowcount
    if not changed:
        conn.execute(insert(optimization_handover).values(
            ServiceProviderId=provider_id, HandoverKey=key, OptimizationSessionId=session_id,
            CreatedAt=now, **values))


def global_settings(conn: Connection) -> dict[str, str]:
    """The global settings: ``WHERE IsDeleted = 0 AND ServiceProviderId IS NULL``
    (SettingsRepository.cs:40)."""
    setting = service_provider_setting
    return dict(conn.execute(select(setting.c.SettingKey, setting.c.SettingValue).where(
        setting.c.ServiceProviderId.is_(None), setting.c.IsDeleted == false())).all())


def optimization_settings(conn: Connection) -> dict[str, str]:
    """The optimization settings (``OptimizationSyncDeviceErrorEmailSubject``, …). The legacy
    reads them through a procedure whose name is not public (SettingsRepository.cs:109-144);
    we read the rows of the portal's ``OptimizationSetting`` entity that are not deleted."""
    setting = optimization_setting
    return dict(conn.execute(select(setting.c.SettingKey, setting.c.SettingValue).where(
        setting.c.IsDeleted == false())).all())


def provider_name(conn: Connection, provider_id: int) -> str:
    """``ServiceProvider.Name``: what the stop email names
    (OptimizationUsageSyncErrorHandler.cs:30)."""
    name = conn.execute(select(service_provider.c.Name).where(
        service_provider.c.id == provider_id)).scalar()
    return name if name is not None else f"service provider {provider_id}"


def mark_progress_delivered(conn: Connection, provider_id: int, key: str) -> None:
    conn.execute(update(optimization_handover).where(
        optimization_handover.c.ServiceProviderId == provider_id,
        optimization_handover.c.HandoverKey == key).values(ProgressDeliveredAt=utcnow()))


def reopen_handover(conn: Connection, provider_id: int, session_id: int, *,
                    not_on_queue: bool = False) -> Handover:
    """An operator's resume of a stopped session (``cleanup-assets resume-optimization``): the
    handover row goes to ``reopened`` (so the next notified run may queue; runs that ended
    before now can no longer stop it) and the session is active again. Refused unless the
    handover is ``stopped`` — or ``unconfirmed`` with ``not_on_queue``, the operator's word
    that the unconfirmed message never reached the queue: a queued session needs nothing,
    an unconfirmed one may be on the queue and running."""
    key = handover_key(session_id, "")
    existing = current_handover(conn, provider_id, key)
    which = f"the handover of provider {provider_id}, session {session_id}"
    if existing.status == UNCONFIRMED and not not_on_queue:
        raise ValueError(
            f"{which} is unconfirmed: run {existing.run_id} sent the optimization message at "
            f"{existing.updated_at:%Y-%m-%d %H:%M} UTC or before and its delivery was never "
            "confirmed, so it may be on the carrier-optimization queue and the optimizer may "
            "be running the session (it was not stopped). Check the queue and AMOP 2.0: if "
            "the optimization runs, nothing is to do; if the message never arrived, resume "
            "with --not-on-queue to send it again")
    if existing.status not in (STOPPED, UNCONFIRMED):
        raise ValueError(f"{which} is {existing.status or 'not recorded'}: only a stopped one "
                         "(or an unconfirmed one, with --not-on-queue) is resumed")
    h = optimization_handover
    now = utcnow()
    if not conn.execute(update(h).where(_this_handover(provider_id, key),
                                        h.c.Status == existing.status).values(
            Status=REOPENED, ReopenedAt=now, UpdatedAt=now, ClaimedBy=None, ClaimedAt=None,
            ClaimedFrom=None, Reason="resumed by an operator")).rowcount:
        raise ValueError(f"{which} changed while it was being resumed: look again")
    restore_carrier_optimization_session(conn, session_id)
    return current_handover(conn, provider_id, key)


def session_guid(conn: Connection, session_id: int) -> str | None:
    if session_id <= 0:
        return None
    return conn.execute(select(optimization_session.c.SessionId).where(
        optimization_session.c.Id == session_id)).scalar()


def remove_carrier_optimization_session(conn: Connection, session_id: int) -> int:
    """The legacy ``OptimizationRepository.RemoveCarrierOptimizationSession(id)``
    (OptimizationUsageSyncErrorHandler.cs:21-22). Its SQL is not public: guess, kept to this
    one replaceable statement — the session is made inactive."""
    if session_id <= 0:
        return 0
    return conn.execute(update(optimization_session).where(
        optimization_session.c.Id == session_id).values(IsActive=False)).rowcount


def restore_carrier_optimization_session(conn: Connection, session_id: int) -> int:
    """The inverse of our guess above, for an operator's resume: the session is active again."""
    if session_id <= 0:
        return 0
    return conn.execute(update(optimization_session).where(
        optimization_session.c.Id == session_id).values(IsActive=True)).rowcount


# --- AMOP 2.0 ------------------------------------------------------------------------------
# The daily-sync notification (DailySyncAmopApiTrigger.cs:17-39) and the optimization
# progress / error calls: the consumer's OptimizationAmopApiTrigger.SendResponseToAMOP20(
# context, jobName, sessionId, guid, deviceCount, error, progress, customerId, additional)
# (QueueCarrierPlanOptimization.cs:251, 298, 500…), whose only visible implementation is the
# portal's twin (OptimizationApiController.cs:2029-2070: a POST of {"data": {...}}, "path" a
# body field). What AMOP 2.0 does with it: its receiver routes on "path"; only
# get_optimization_progress_bar_data records anything, and it records an error row
# (optimization_details) when job_name == "ErrorMessage";
# get_optimization_error_details_data returns {"flag": True} and records nothing (the AMOP
# 2.0 optimization module's path_func, read in its public Python source). So both go to the
# progress path — where the twin would put an error job is where AMOP 2.0 drops it.
PROGRESS_PATH = "/get_optimization_progress_bar_data"


def amop_daily_sync_body(key_name: str, tenant_id: int | str | None) -> bytes:
    """The legacy body byte for byte: built by string concatenation, with its spaces
    (DailySyncAmopApiTrigger.cs:25); ``tenant_name`` is always empty (null, F:118). The
    values are JSON-escaped (the legacy concatenated them raw; ours are a registry key and a
    number, so the bytes are the same)."""
    tenant = "" if tenant_id is None else str(tenant_id)
    return ('{"data": { "key_name": ' + json.dumps(key_name) + ',"tenant_id": '
            + json.dumps(tenant) + ',"tenant_name": ""}}').encode("utf-8")


def unconfirmed_error(sender_run: str | None, reason: str) -> str:
    """What AMOP 2.0 and the email read of an unconfirmed send: what is known, no more."""
    return (f"optimization message sent by run {sender_run or 'unknown'}, not confirmed: it "
            "may be on the queue and running; the session was not stopped. " + reason)


def _amop_job_body(job_name: str, session_id: int, guid: str | None, *, progress: int,
                   error: str | None) -> bytes:
    """One SendResponseToAMOP20 call as the consumer makes it: ``sessionId.ToString()`` (a
    string), ``customerId`` "", ``deviceCount`` 0, ``additionalData`` null (the message
    carried the session, :223), serialized as Newtonsoft does the twin's anonymous object:
    compact, the twin's property order (OptimizationApiController.cs:2040-2056)."""
    payload = {"data": {
        "path": PROGRESS_PATH,
        "job_name": job_name,
        "SessionId": str(session_id),
        "OptimizationSessionGuid": guid,
        "ErrorMessage": error,
        "Progress": progress,
        "CustomerId": "",
        "AdditionalJson": None,
        "DeviceCount": 0,
    }}
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def amop_progress_body(session_id: int, guid: str | None, progress: int = 25) -> bytes:
    """The 25 % progress call after a queued handover, as the consumer's own progress calls
    (``"Progress", id.ToString(), guid, 0, null, n, ""``, QueueCarrierPlanOptimization.cs:251,
    278)."""
    return _amop_job_body("Progress", session_id, guid, progress=progress, error=None)


def amop_error_body(session_id: int, error: str) -> bytes:
    """A stopped optimization as the consumer reports its errors: ``SendResponseToAMOP20(
    context, "ErrorMessage", sessionId.ToString(), null, 0, error, 0, "", additionalData)``
    (QueueCarrierPlanOptimization.cs:500), on the progress path AMOP 2.0 records it on."""
    return _amop_job_body("ErrorMessage", session_id, None, progress=0, error=error)
