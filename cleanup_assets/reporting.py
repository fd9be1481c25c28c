"""Reporting after a finalized sync: the summary (legacy fields + our counts), the summary and
new-plans emails, the ThingSpace billing-cycle discrepancy report, the S3 sync log and the
Snowflake device history.

Device rows are never held whole in memory: exports stream from a server-side cursor in
chunks; only the discrepancy report (a short list of exceptions) is built in pandas.
"""

from __future__ import annotations

import csv
import html
import io
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Iterator

from sqlalchemy import and_, desc, false, select
from sqlalchemy.engine import Connection

from .optimization import build_email, global_settings, recipients
from .registry import Integration
from .schema import (
    SYNC_FINALIZED,
    billing_period,
    staging_tables,
    device,
    device_sync,
    device_tenant,
    service_provider,
)

SYNC_LOG_HEADER = ["ID", "ICCID", "MSISDN", "RawDataUsage", "CurrentDataUsage", "RawSMSUsage",
                   "CurrentSMSUsage", "RawVoiceUsage", "CurrentVoiceUsage",
                   "BillingCycleStartDate", "BillingCycleEndDate", "UsageDate",
                   "ServiceProviderId"]
HISTORY_COLUMNS = ["SyncId", "DeviceId", "ServiceProviderId", "ServiceProviderName", "TenantId",
                   "AccountNumber", "ICCID", "IMSI", "MSISDN", "IMEI", "Status", "RatePlan",
                   "CommunicationPlan", "CtdDataUsage", "CtdSMSUsage", "CtdVoiceUsage",
                   "LastUsageDate", "ProviderDateActivated", "IsActive", "IsDeleted",
                   "CreatedDate", "ModifiedDate", "SnapshotAt"]
CHUNK_ROWS = 10_000


def iso_utc(moment: datetime | None) -> str | None:
    """ISO-8601 UTC on a 24-hour clock (the legacy wrote `hh` without AM/PM)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def sync_for_run(conn: Connection, integration_key: str, tenant_key: str, run_ids: list[str]):
    """The finalized ledger row this run (or the run it re-executes) wrote for the partition."""
    return conn.execute(
        select(device_sync).where(device_sync.c.IntegrationKey == integration_key,
                                  device_sync.c.TenantKey == tenant_key,
                                  device_sync.c.Status == SYNC_FINALIZED,
                                  device_sync.c.RunId.in_([r for r in run_ids if r]))
        .order_by(desc(device_sync.c.id)).limit(1)
    ).first()


@dataclass
class Summary:
    sync: object  # the CleanupDeviceSync row
    fields: dict | None  # the legacy seven; None: the summary could not be read
    provider_ids: list[int]
    error: str | None = None


def summarize(databases, integration: Integration, sync, *, use_procedure: bool) -> Summary:
    """The legacy summary's seven fields — from ``usp_<Carrier>_Devices_Get_Sync_Summary``
    with the procedure engine, computed otherwise — stored on the ledger row. A failing
    procedure gives no fields (the legacy then emails "Error getting device summary")."""
    from .db import in_transaction
    from .sql.summary import computed_summary, summary_by_procedure

    providers = [int(p) for p in sync.ServiceProviderIds.split(",") if p]
    error = None
    try:
        values = (summary_by_procedure(databases, integration, providers) if use_procedure
                  else computed_summary(databases, integration, providers, sync))
        fields = values.as_dict()
    except Exception as failure:  # reported in the email and the metadata, never swallowed
        fields, error = None, f"{type(failure).__name__}: {failure}"
    duration = (sync.FinishedAt - sync.StartedAt).total_seconds() if sync.FinishedAt else None

    def store(conn):
        conn.execute(device_sync.update().where(device_sync.c.id == sync.id).values(
            **(fields or {}), DurationSeconds=round(duration) if duration is not None else None))
        return conn.execute(device_sync.select().where(device_sync.c.id == sync.id)).first()

    stored = in_transaction(databases.central, store)
    return Summary(stored, fields, providers, error)


def record_outcome(conn: Connection, sync_id: int, **values) -> None:
    conn.execute(device_sync.update().where(device_sync.c.id == sync_id).values(
        **{k: (str(v)[:2000] if isinstance(v, str) else v) for k, v in values.items()}))


# --- emails ------------------------------------------------------------------------------
def _settings_email(conn):
    settings = global_settings(conn)
    sender = settings.get("DeviceSyncFromEmailAddress")
    to = recipients(settings.get("DeviceSyncToEmailAddresses"))
    return settings, sender, to


def summary_table_rows(integration: Integration, summary: Summary, tenant_name: str) -> list:
    s = summary.sync
    fields = summary.fields or {}
    return [
        ("Integration", integration.legacy_name), ("Tenant", tenant_name),
        ("Service providers", ", ".join(map(str, summary.provider_ids))),
        ("Detail last sync", iso_utc(fields.get("DetailLastSyncDate"))),
        ("Detail queue count", fields.get("DetailQueueCount")),
        ("Detail updated count", fields.get("DetailUpdatedCount")),
        ("Usage last sync", iso_utc(fields.get("UsageLastSyncDate"))),
        ("Usage queue count", fields.get("UsageQueueCount")),
        ("Usage updated count", fields.get("UsageUpdatedCount")),
        ("Device count", fields.get("DeviceCount")),
        ("Inserted", s.Inserted), ("Updated", s.Updated), ("Unchanged", s.Unchanged),
        ("Deactivated", s.Deactivated), ("Rejected", s.Rejected),
        ("New communication plans", s.NewCommunicationPlans),
        ("Forced (staging may be incomplete)", "yes" if s.Forced else "no"),
        ("Duration (s)", s.DurationSeconds),
    ]


def _table(rows) -> tuple[str, str]:
    text = "\n".join(f"{k}: {'' if v is None else v}" for k, v in rows)
    body = "".join(f"<tr><th align='left'>{html.escape(str(k))}</th>"
                   f"<td>{html.escape('' if v is None else str(v))}</td></tr>" for k, v in rows)
    return text, f"<table>{body}</table>"


def summary_email(conn: Connection, integration: Integration, summary: Summary, tenant_name: str):
    settings, sender, to = _settings_email(conn)
    subject = (settings.get("DeviceSyncResultsEmailSubject") or "Jasper Device Sync Results")
    subject = subject.replace("Jasper", integration.legacy_name) + f" - {tenant_name}"
    text, table = _table(summary_table_rows(integration, summary, tenant_name))
    return build_email(sender, to, subject, f"Device sync results\n\n{text}\n",
                       f"<h3>Device sync results</h3>{table}")


def new_plans_email(conn: Connection, integration: Integration, plans: list[tuple[int, str]],
                    tenant_name: str):
    _, sender, to = _settings_email(conn)
    names = dict(conn.execute(select(service_provider.c.id, service_provider.c.Name).where(
        service_provider.c.id.in_([p for p, _ in plans]))).all())
    rows = [(names.get(p, p), plan) for p, plan in plans]
    text = "\n".join(f"- {plan} ({provider})" for provider, plan in rows)
    items = "".join(f"<li>{html.escape(str(plan))} ({html.escape(str(provider))})</li>"
                    for provider, plan in rows)
    intro = ("These communication plans were added and must be associated to rate plans "
             "before their devices can be optimized.")
    return build_email(sender, to, f"New Communication Plans Added - {integration.legacy_name} - "
                       f"{tenant_name}", f"{intro}\n\n{text}\n",
                       f"<p>{html.escape(intro)}</p><ul>{items}</ul>")


def billing_cycle_discrepancies(conn: Connection, integration: Integration,
                                provider_ids: list[int], today, *, use_procedure: bool) -> list[dict]:
    """Devices whose billing cycle disagrees with their provider's billing period:
    ``usp_GetDevicesWithBillingCycleDiscrepancy @ServiceProviderId`` per provider
    (ThingSpaceDiscrepancyService.cs:75-125) where the procedures exist; elsewhere our guess
    at its rule — the carrier's billing-cycle end (ThingSpace staging) differs from this
    month's period end."""
    from .sql.dialect import trimmed, try_timestamp
    from .sql.procedures import procedure_call, run_procedure

    if use_procedure:
        found = []
        for provider in provider_ids:  # providers of one partition
            found += run_procedure(conn, procedure_call(
                "usp_GetDevicesWithBillingCycleDiscrepancy", {"ServiceProviderId": provider},
                returns_rows=True))
        return found
    # Only devices the finalization accepted (live in Device): a row the checks rejected
    # never reaches a reader. The carrier's cycle end is staging text: parsed by the grammar.
    staging = staging_tables[integration.staging_table]
    period = billing_period
    carrier_end = try_timestamp(trimmed(staging.c.BillingCycleEndDate))
    query = (
        select(device.c.ServiceProviderId, device.c.ICCID, device.c.MSISDN,
               carrier_end.label("CarrierBillingCycleEnd"),
               period.c.BillingCycleEndDate.label("BillingPeriodEnd"))
        .join(staging, and_(staging.c.ServiceProviderId == device.c.ServiceProviderId,
                            staging.c.ICCID == device.c.ICCID))
        .join(period, and_(period.c.ServiceProviderId == device.c.ServiceProviderId,
                           period.c.BillYear == today.year, period.c.BillMonth == today.month,
                           period.c.IsDeleted == false()))
        .where(device.c.ServiceProviderId.in_(provider_ids), device.c.IsDeleted == false(),
               period.c.BillingCycleEndDate.isnot(None), carrier_end.isnot(None),
               carrier_end != period.c.BillingCycleEndDate)
        .order_by(device.c.ICCID).limit(100_000)
    )
    return [dict(r._mapping) for r in conn.execute(query)]


def discrepancy_email(conn: Connection, found: list[dict], tenant_name: str):
    import pandas as pd

    _, sender, to = _settings_email(conn)
    buffer = io.BytesIO()
    pd.DataFrame(found).to_excel(buffer, index=False, sheet_name="Discrepancies")
    text = (f"{len(found)} ThingSpace devices have a billing cycle that differs from their "
            "billing period; the list is attached.")
    return build_email(sender, to, f"ThingSpace Billing Cycle Discrepancies - {tenant_name}",
                       text + "\n", f"<p>{html.escape(text)}</p>", attachments=[(
                           "billing-cycle-discrepancies.xlsx", buffer.getvalue(),
                           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")])


# --- the S3 sync log -----------------------------------------------------------------------
def sync_log_key(prefix: str, integration: Integration, tenant_key: str, day: datetime) -> str:
    """`<prefix>/<integration>/<tenant>/<Carrier>-yyyyMMdd.txt`; every part is a registry key
    or a validated partition key, so nothing can climb out of the prefix."""
    parts = [p for p in prefix.strip("/").split("/") if p not in ("", ".", "..")]
    return "/".join([*parts, integration.key, tenant_key,
                     f"{integration.legacy_name}-{day:%Y%m%d}.txt"])


def write_sync_log(conn: Connection, provider_ids: list[int], out: IO[str]) -> int:
    """Stream the providers' devices as the legacy CSV into ``out``, chunk by chunk."""
    period_start = billing_period.c.BillingCycleStartDate
    query = (
        # Raw and current usage: the legacy columns; we hold one cycle-to-date value each.
        select(device.c.id, device.c.ICCID, device.c.MSISDN,
               device.c.CtdDataUsage.label("RawDataUsage"),
               device.c.CtdDataUsage.label("CurrentDataUsage"),
               device.c.CtdSMSUsage.label("RawSMSUsage"),
               device.c.CtdSMSUsage.label("CurrentSMSUsage"),
               device.c.CtdVoiceUsage.label("RawVoiceUsage"),
               device.c.CtdVoiceUsage.label("CurrentVoiceUsage"), period_start,
               billing_period.c.BillingCycleEndDate, device.c.LastUsageDate,
               device.c.ServiceProviderId)
        .outerjoin(billing_period, billing_period.c.Id == device.c.BillingPeriodId)
        .where(device.c.ServiceProviderId.in_(provider_ids), device.c.IsDeleted == false())
        .order_by(device.c.id)
    )
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SYNC_LOG_HEADER)
    written = 0
    result = conn.execution_options(stream_results=True, yield_per=CHUNK_ROWS).execute(query)
    for chunk in result.partitions(CHUNK_ROWS):
        writer.writerows(chunk)  # one C-level call per chunk
        written += len(chunk)
    return written


# --- Snowflake device history ----------------------------------------------------------------
def history_chunks(conn: Connection, provider_ids: list[int], sync_id: int,
                   snapshot_at: datetime) -> Iterator:
    """The providers' Device rows (with provider and tenant) as DataFrames of CHUNK_ROWS."""
    import pandas as pd

    query = (
        select(device.c.id.label("DeviceId"), device.c.ServiceProviderId,
               service_provider.c.Name.label("ServiceProviderName"), device_tenant.c.TenantId,
               device_tenant.c.AccountNumber, device.c.ICCID, device.c.IMSI, device.c.MSISDN,
               device.c.IMEI, device.c.Status, device.c.RatePlan, device.c.CommunicationPlan,
               device.c.CtdDataUsage, device.c.CtdSMSUsage, device.c.CtdVoiceUsage,
               device.c.LastUsageDate, device.c.ProviderDateActivated, device.c.IsActive,
               device.c.IsDeleted, device.c.CreatedDate, device.c.ModifiedDate)
        .join(service_provider, service_provider.c.id == device.c.ServiceProviderId)
        # the provider's own tenant, as the legacy joins (F:324-325): one row per device
        .join(device_tenant, and_(device_tenant.c.DeviceId == device.c.id,
                                  device_tenant.c.TenantId == service_provider.c.TenantId))
        .where(device.c.ServiceProviderId.in_(provider_ids))
        .order_by(device.c.id)
    )
    result = conn.execution_options(stream_results=True, yield_per=CHUNK_ROWS).execute(query)
    columns = list(result.keys())
    for chunk in result.partitions(CHUNK_ROWS):
        frame = pd.DataFrame(chunk, columns=columns)
        for column in ("LastUsageDate", "ProviderDateActivated", "CreatedDate", "ModifiedDate"):
            frame[column] = pd.to_datetime(frame[column]).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        frame.insert(0, "SyncId", sync_id)
        frame["SnapshotAt"] = iso_utc(snapshot_at)
        yield frame[HISTORY_COLUMNS]


def tenant_name(conn: Connection, tenant_key: str) -> str:
    from .schema import tenant

    name = conn.execute(select(tenant.c.Name).where(tenant.c.id == int(tenant_key))).scalar()
    return name or f"tenant {tenant_key}"
