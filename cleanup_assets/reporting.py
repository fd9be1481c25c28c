"""Reporting after a finalized sync, in the legacy's formats: the summary (the legacy seven
fields, kept on the ledger row), its emails, the ThingSpace billing-cycle discrepancy report,
the device sync log and the Snowflake device-history file.

Device rows are never held whole in memory: the log and the history stream from a
server-side cursor in chunks into a file; only the discrepancy report (a short list of
exceptions) is built in memory.

**Cells that could run.** A text value starting with ``=``, ``+``, ``-``, ``@``, a tab or a
CR is a formula to a spreadsheet. In the CSV files such a value gets a leading ``'`` (and a
value holding a comma, a quote or a line break is quoted, RFC 4180), so the files differ from
the legacy's only for such hostile values; in the xlsx every text cell is typed as a string.
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Iterator

from sqlalchemy import and_, false, select
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from sqlalchemy.engine import Connection

from .db import TransientRetry, in_transaction
from .emails import (
    NEW_PLANS_SUBJECT,
    build_email,
    new_plans_bodies,
    recipients,
    summary_bodies,
    summary_subject,
)
from .optimization import global_settings
from .registry import Integration
from .schema import (
    billing_period,
    device,
    device_tenant,
    integration as integration_table,
    rejected_row,
    service_provider,
    staging_tables,
    tenant,
)
from .sql.dialect import trimmed, try_timestamp
from .sql.ledger import providers_of, record_summary
from .sql.procedures import procedure_call, run_procedure
from .sql.reports import SYNC_LOG_COLUMNS, device_history_query, sync_log_query
from .sql.summary import computed_summary, summary_by_procedure

CHUNK_ROWS = 10_000
# ThingSpace's billing-cycle discrepancies (ThingSpaceDiscrepancyService.cs:75-125).
DISCREPANCY_PROCEDURE = "usp_GetDevicesWithBillingCycleDiscrepancy"
NEWLINE = "\n"  # StreamWriter.WriteLine / StringBuilder.AppendLine on Linux (Environment.NewLine)
# The optional direct Snowflake write (SnowflakeResource): our own table, keyed by sync.
SNOWFLAKE_COLUMNS = ["SyncId", "DeviceId", "ServiceProviderId", "ServiceProviderName",
                     "TenantId", "AccountNumber", "ICCID", "IMSI", "MSISDN", "IMEI", "Status",
                     "RatePlan", "CommunicationPlan", "CtdDataUsage", "CtdSMSUsage",
                     "CtdVoiceUsage", "LastUsageDate", "ProviderDateActivated", "IsActive",
                     "IsDeleted", "CreatedDate", "ModifiedDate", "SnapshotAt"]


def iso_utc(moment: datetime | None) -> str | None:
    """ISO-8601 UTC on a 24-hour clock (the legacy wrote ``hh`` without AM/PM)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


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
    providers = providers_of(sync)
    error = None
    try:
        values = (summary_by_procedure(databases, integration, providers) if use_procedure
                  else computed_summary(databases, integration, providers, sync))
        fields = values.as_dict()
    except Exception as failure:  # reported in the email and the metadata, never swallowed
        fields, error = None, f"{type(failure).__name__}: {failure}"
    duration = (sync.FinishedAt - sync.StartedAt).total_seconds() if sync.FinishedAt else None

    stored = in_transaction(databases.central, lambda conn: record_summary(
        conn, sync.id, fields, round(duration) if duration is not None else None))
    return Summary(stored, fields, providers, error)


def summary_table_rows(integration: Integration, summary: Summary, tenant_name: str) -> list:
    """The summary as (label, value) rows, for the materialization's metadata."""
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


# --- emails ------------------------------------------------------------------------------
def integration_name(conn: Connection, integration: Integration, provider_id: int) -> str:
    """``Integration.Name`` of the provider's integration, else the enum name (F:1324-1326)."""
    name = conn.execute(
        select(integration_table.c.Name)
        .join(service_provider, service_provider.c.IntegrationId == integration_table.c.id)
        .where(service_provider.c.id == provider_id)).scalar()
    return name or integration.legacy_name


def _sender_and_recipients(settings: dict) -> tuple[str | None, list[str]]:
    return (settings.get("DeviceSyncFromEmailAddress"),
            recipients(settings.get("DeviceSyncToEmailAddresses")))


def summary_email(conn: Connection, integration: Integration, summary: Summary,
                  historian: bool):
    """``SendEmailSummaryAsync`` (F:1316-1334) with ``BuildResultsEmailBody`` (F:1376-1394)."""
    settings = global_settings(conn)
    template = settings.get("DeviceSyncResultsEmailSubject")
    if not template:  # the legacy throws on the missing setting and sends nothing
        raise ValueError("setting DeviceSyncResultsEmailSubject is missing: no summary email")
    subject = summary_subject(template, integration_name(conn, integration,
                                                         summary.provider_ids[0]))
    text, html_body = summary_bodies(summary.fields, historian)
    return build_email(*_sender_and_recipients(settings), subject, text, html_body)


def new_plans_email(conn: Connection, plans: list[str]):
    """"New Communication Plans Added" (F:434-473), listing the plans this sync inserted."""
    text, html_body = new_plans_bodies(plans)
    return build_email(*_sender_and_recipients(global_settings(conn)), NEW_PLANS_SUBJECT,
                       text, html_body)


def billing_cycle_discrepancies(conn: Connection, integration: Integration,
                                provider_ids: list[int], today, *, use_procedure: bool) -> list[dict]:
    """Devices whose billing cycle disagrees with their provider's billing period:
    ``usp_GetDevicesWithBillingCycleDiscrepancy @ServiceProviderId`` per provider
    (ThingSpaceDiscrepancyService.cs:75-125) where the procedures exist; elsewhere our guess
    at its rule — the carrier's billing-cycle end (ThingSpace staging) differs from this
    month's period end."""
    if use_procedure:
        found = []
        for provider in provider_ids:  # providers of one partition
            found += run_procedure(conn, procedure_call(
                DISCREPANCY_PROCEDURE, {"ServiceProviderId": provider},
                returns_rows=True)).records()
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


def discrepancy_workbook(found: list[dict]) -> bytes:
    """The devices as an xlsx sheet. Every text cell is typed as a string, so a value such as
    ``=HYPERLINK(…)`` is shown as written and never evaluated (EPPlus's LoadFromCollection,
    ThingSpaceDiscrepancyService.cs:33-38, writes values, not formulas, either)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Discrepancies")
    columns = list(found[0]) if found else []
    sheet.append(columns)
    for row in found:
        cells = []
        for column in columns:
            value = row[column]
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never "f" (formula)
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def discrepancy_email(conn: Connection, found: list[dict], tenant_name: str):
    text = (f"{len(found)} ThingSpace devices have a billing cycle that differs from their "
            "billing period; the list is attached.")
    return build_email(*_sender_and_recipients(global_settings(conn)),
                       f"ThingSpace Billing Cycle Discrepancies - {tenant_name}", text + "\n",
                       f"<p>{html.escape(text)}</p>", attachments=[(
                           "billing-cycle-discrepancies.xlsx", discrepancy_workbook(found),
                           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")])


# --- the legacy CSV files ------------------------------------------------------------------
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str) -> str:
    """A text cell that cannot start a formula or break the row: ``'`` before a formula
    start, RFC 4180 quotes around a comma, quote or line break. Other text is unchanged."""
    if value.startswith(_FORMULA_STARTS):
        value = "'" + value
    if any(c in value for c in ',"\r\n'):
        value = '"' + value.replace('"', '""') + '"'
    return value


def _ymd(moment: datetime | None) -> str:
    """``{date:yyyy-MM-dd}`` of a value read as ``DateTime.MinValue`` when NULL (F:1018-1020)."""
    return f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}" if moment else "0001-01-01"


def sync_log_line(row) -> str:
    """One row of ``GenerateDeviceSyncSummaryLogFile`` (F:1580-1581) from a row read as
    ``DeviceSyncSummaryLogFromReader`` does (F:1005-1023): NULL numbers are 0, NULL dates
    ``DateTime.MinValue``, NULL text empty."""
    (device_id, iccid, msisdn, raw_data, data, raw_sms, sms, raw_voice, voice, start, end,
     usage_date, provider) = row
    numbers = [str(int(v)) if v is not None else "0"
               for v in (raw_data, data, raw_sms, sms, raw_voice, voice)]
    return ",".join([str(device_id), csv_text(iccid or ""), csv_text(msisdn or ""), *numbers,
                     _ymd(start), _ymd(end), _ymd(usage_date),
                     str(provider) if provider is not None else "0"]) + NEWLINE


def write_sync_log(conn: Connection, integration: Integration, provider_ids: list[int],
                   now: datetime, out: IO[bytes]) -> int:
    """Stream the providers' sync log (header and rows, UTF-8 without BOM — StreamWriter's
    default) into ``out``; returns the rows written."""
    out.write((",".join(SYNC_LOG_COLUMNS) + NEWLINE).encode("utf-8"))
    written = 0
    result = conn.execution_options(stream_results=True, yield_per=CHUNK_ROWS).execute(
        sync_log_query(integration, provider_ids, now))
    for chunk in result.partitions(CHUNK_ROWS):
        out.write("".join(sync_log_line(row) for row in chunk).encode("utf-8"))
        written += len(chunk)
    return written


def sync_log_key(integration: Integration, day: datetime) -> str:
    """``<Carrier>-yyyyMMdd.txt`` at the bucket root (F:742, 760, 772, 783, 791): one name
    for every provider and tenant of the family, so the day's last sync wins, as in the
    legacy."""
    return f"{integration.sync_log_name}-{day:%Y%m%d}.txt"


def history_cell(value) -> str:
    """``DeviceHistoryFileLineFromReader`` (F:355-384): NULL empty, a date
    ``yyyy-MM-ddTHH:mm:ssZ`` (24-hour: the legacy's ``hh`` lost the afternoon), a bit
    ``True``/``False`` (``object.ToString()``), text as a safe CSV cell."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, str):
        return csv_text(value)
    return str(value)


def write_device_history(conn: Connection, provider_id: int, out: IO[bytes]) -> int:
    """Stream one provider's history file (39 columns, no header) into ``out``."""
    written = 0
    result = conn.execution_options(stream_results=True, yield_per=CHUNK_ROWS).execute(
        device_history_query(provider_id))
    for chunk in result.partitions(CHUNK_ROWS):
        out.write("".join(",".join(history_cell(v) for v in row) + NEWLINE
                          for row in chunk).encode("utf-8"))
        written += len(chunk)
    return written


def device_history_key(path: str, provider_id: int, moment: datetime) -> str:
    """``<SnowflakeS3BucketPath>/DeviceHistory_<spId>_<yyyyMMddHHmmss>.csv`` (F:278), on a
    24-hour clock (the legacy's ``hh`` repeats names twice a day)."""
    return f"{path}/DeviceHistory_{provider_id}_{moment:%Y%m%d%H%M%S}.csv"


# --- the direct Snowflake write (an option beside the stage file) ---------------------------
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
        yield frame[SNOWFLAKE_COLUMNS]


def tenant_name(conn: Connection, tenant_key: str) -> str:
    name = conn.execute(select(tenant.c.Name).where(tenant.c.id == int(tenant_key))).scalar()
    return name or f"tenant {tenant_key}"


def tenant_display_name(engine, tenant_key: str) -> tuple[str, str | None]:
    """(the tenant's name for a report, why it is only the id — or None). Never raises:
    the name is display text, and the legacy reads one only for the ThingSpace report,
    from the portal database (GET_TENANT_NAME_BY_ID, ThingSpaceDiscrepancyService.cs:48-59)
    — a central database without a readable ``Tenant`` must not cost an email."""
    try:
        return in_transaction(engine, lambda conn: tenant_name(conn, tenant_key),
                              TransientRetry(attempts=1)), None
    except Exception as error:  # any: a missing table, a permission, a lost connection
        return f"tenant {tenant_key}", f"{type(error).__name__}: {str(error)[:300]}"


@dataclass(frozen=True)
class PartitionNames:
    """What an operator reads beside the ids: the tenant's and the providers' names."""

    tenant: str
    providers: dict[int, str]

    def provider(self, provider_id: int) -> str:
        name = self.providers.get(provider_id)
        return f"{provider_id} {name}" if name else str(provider_id)

    def listing(self, provider_ids) -> str:
        return ", ".join(self.provider(p) for p in provider_ids) or "none"


def partition_names(conn: Connection, tenant_key: str, provider_ids) -> PartitionNames:
    names = dict(conn.execute(select(service_provider.c.id, service_provider.c.Name).where(
        service_provider.c.id.in_(list(provider_ids)))).all()) if provider_ids else {}
    return PartitionNames(tenant_name(conn, tenant_key), names)


# How many rejected rows a materialization lists (the rest: `cleanup-assets rejected`).
REJECTED_SAMPLE = 20


def rejected_rows(conn: Connection, sync_id: int, limit: int | None = None):
    """The rows a sync's checks rejected, in the order they were recorded (``limit``: the
    first ones only)."""
    r = rejected_row
    query = (select(r.c.ServiceProviderId, r.c.SourceTable, r.c.DeviceKey, r.c.Reason)
             .where(r.c.SyncId == sync_id).order_by(r.c.id))
    return conn.execute(query.limit(limit) if limit else query).all()
