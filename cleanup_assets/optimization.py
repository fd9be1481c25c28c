"""The handover to carrier rate-plan optimization (Jasper family): the legacy queue message,
exactly once per (service provider, session); the handover ledger, its progress delivery and
an operator's resume; the settings the emails read; AMOP 2.0 bodies (the emails themselves
are in emails.py).

Pure functions over a connection; the Dagster op and sensor call them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import false, insert, select, update
from sqlalchemy.engine import Connection

from .db import utcnow
from .schema import optimization_handover, optimization_session, optimization_setting
from .schema import service_provider, service_provider_setting
from .sql.gate import BillingPeriod

QUEUED, SENDING, STOPPING, STOPPED = "queued", "sending", "stopping", "stopped"
REOPENED = "reopened"  # an operator resumed a stopped handover: the next notified run queues


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


def current_handover(conn: Connection, provider_id: int, key: str) -> Handover:
    row = conn.execute(select(optimization_handover).where(
        optimization_handover.c.ServiceProviderId == provider_id,
        optimization_handover.c.HandoverKey == key)).first()
    if row is None:
        return Handover(None)
    return Handover(row.Status, row.RunId, row.MessageId, row.UpdatedAt, row.ProgressDeliveredAt)


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


def reopen_handover(conn: Connection, provider_id: int, session_id: int) -> Handover:
    """An operator's resume of a stopped session (``cleanup-assets resume-optimization``): the
    handover row goes to ``reopened`` (so the next notified run may queue) and the session is
    active again. Refused unless the handover is ``stopped``: a queued session needs nothing,
    a ``sending`` one may have reached the queue."""
    key = handover_key(session_id, "")
    existing = current_handover(conn, provider_id, key)
    if existing.status != STOPPED:
        raise ValueError(f"the handover of provider {provider_id}, session {session_id} is "
                         f"{existing.status or 'not recorded'}: only a stopped one is resumed")
    record_handover(conn, provider_id, key, session_id, REOPENED, reason="resumed by an operator")
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
