"""The handover to carrier rate-plan optimization (Jasper family): the legacy queue message,
exactly once per (service provider, session); the stop path; AMOP 2.0 payloads; emails.

Pure functions over a connection; the Dagster op and sensor call them.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any

from sqlalchemy import false, insert, select, update
from sqlalchemy.engine import Connection

from .db import utcnow
from .schema import optimization_handover, optimization_session, service_provider
from .schema import service_provider_setting
from .sql.gate import BillingPeriod

QUEUED, SENDING, STOPPING, STOPPED = "queued", "sending", "stopping", "stopped"


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


def current_handover(conn: Connection, provider_id: int, key: str) -> Handover:
    row = conn.execute(select(optimization_handover).where(
        optimization_handover.c.ServiceProviderId == provider_id,
        optimization_handover.c.HandoverKey == key)).first()
    if row is None:
        return Handover(None)
    return Handover(row.Status, row.RunId, row.MessageId)


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


def provider_name(conn: Connection, provider_id: int) -> str:
    row = conn.execute(select(service_provider.c.DisplayName, service_provider.c.Name).where(
        service_provider.c.id == provider_id)).first()
    return (row.DisplayName or row.Name) if row else f"service provider {provider_id}"


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


# --- AMOP 2.0 ------------------------------------------------------------------------------
def amop_daily_sync_payload(key_name: str, tenant_id: str) -> dict:
    return {"data": {"key_name": key_name, "tenant_id": str(tenant_id), "tenant_name": ""}}


def amop_progress_payload(session_id: int, guid: str | None, *, progress: int | None,
                          customer_id: Any, device_count: int | None = None,
                          error: str | None = None) -> dict:
    path = "/get_optimization_error_details_data" if error else "/get_optimization_progress_bar_data"
    return {"data": {
        "path": path,
        "job_name": "Error" if error else "Progress",
        "SessionId": session_id,
        "OptimizationSessionGuid": guid,
        "ErrorMessage": error,
        "Progress": progress,
        "CustomerId": customer_id,
        "AdditionalJson": None,
        "DeviceCount": device_count,
    }}


# --- email ---------------------------------------------------------------------------------
def recipients(value: str | None) -> list[str]:
    """The legacy ``;``-separated address list, validated (no header injection)."""
    addresses = [a for _, a in getaddresses([(value or "").replace(";", ",")]) if a]
    for address in addresses:
        if any(c in address for c in "\r\n") or "@" not in address:
            raise ValueError(f"not an email address: {address!r}")
    return addresses


def build_email(sender: str, to: list[str], subject: str, text: str, html_body: str,
                attachments: list[tuple[str, bytes, str]] = ()) -> EmailMessage:
    """A text + HTML email. Header values with CR/LF are refused by the email policy, so a
    hostile provider or plan name cannot inject headers; callers escape HTML."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Subject"] = " ".join(subject.split())  # a line break in a name becomes a space
    message.set_content(text)
    message.add_alternative(html_body, subtype="html")
    for filename, data, mime in attachments:
        maintype, subtype = mime.split("/", 1)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message


def stop_email(settings: dict[str, str], name: str, session_id: int, reason: str) -> EmailMessage:
    subject = settings.get("OptimizationSyncDeviceErrorEmailSubject") or "Optimization stopped"
    sender = settings.get("DeviceSyncFromEmailAddress")
    to = recipients(settings.get("DeviceSyncToEmailAddresses"))
    if not sender or not to:
        raise ValueError("settings DeviceSyncFromEmailAddress / DeviceSyncToEmailAddresses are "
                         "missing: the optimization-stopped email has nowhere to go")
    text = (f"Carrier optimization for {name} was stopped because the device sync did not "
            f"finish cleanly.\n\nOptimization session: {session_id or 'none'}\nError: {reason}\n")
    body = (f"<p>Carrier optimization for <b>{html.escape(name)}</b> was stopped because the "
            f"device sync did not finish cleanly.</p><p>Optimization session: "
            f"{session_id or 'none'}</p><pre>{html.escape(reason)}</pre>")
    return build_email(sender, to, f"{subject} - {name}", text, body)
