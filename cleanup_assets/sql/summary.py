"""The sync summary's seven fields (DeviceSyncSummary.cs): DetailLastSyncDate,
DetailQueueCount, DetailUpdatedCount, UsageLastSyncDate, UsageQueueCount, UsageUpdatedCount,
DeviceCount.

Procedure engine: ``usp_<Carrier>_Devices_Get_Sync_Summary`` as the legacy calls it
(``GetSummaryValues``, F:1215-1314) — the Jasper family's on the Jasper database with
``@ServiceProviderId``, the others on the central database without parameters — its first
row read by position. Set-based engine: the same fields from what the sync did (below).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from sqlalchemy import and_, false, func, null, select

from ..db import Databases, TransientRetry, in_transaction
from ..registry import Database, Integration
from .row_rules import count_of
from .procedures import procedure_call, run_procedure
from .rows_to_process import count_rows_to_process
from .sources import common_table

FIELDS = ("DetailLastSyncDate", "DetailQueueCount", "DetailUpdatedCount", "UsageLastSyncDate",
          "UsageQueueCount", "UsageUpdatedCount", "DeviceCount")


@dataclass(frozen=True)
class SummaryValues:
    DetailLastSyncDate: datetime | None = None
    DetailQueueCount: int | None = None
    DetailUpdatedCount: int | None = None
    UsageLastSyncDate: datetime | None = None
    UsageQueueCount: int | None = None
    UsageUpdatedCount: int | None = None
    DeviceCount: int | None = None

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in FIELDS}


def _combine(values: list[SummaryValues]) -> SummaryValues:
    """Several providers of one partition: counts add up, dates take the latest."""
    if len(values) == 1:
        return values[0]
    combined = {}
    for name in FIELDS:
        present = [getattr(v, name) for v in values if getattr(v, name) is not None]
        combined[name] = (max(present) if name.endswith("Date") else sum(present)) if present else None
    return SummaryValues(**combined)


def summary_by_procedure(databases: Databases, integration: Integration,
                         provider_ids: Sequence[int],
                         retry: TransientRetry = TransientRetry()) -> SummaryValues:
    """The legacy summary procedure's first row, positionally (F:1266-1304): an empty result
    gives empty fields, as the legacy's; an error is raised to the caller."""
    engine = databases.jasper if integration.summary_database is Database.JASPER else databases.central
    calls = ([{"ServiceProviderId": p} for p in provider_ids] if integration.summary_takes_provider
             else [{}])  # the others summarize the whole integration: one call

    def read(conn) -> list[SummaryValues]:  # each call commits, as the legacy's own connection
        values = []
        for parameters in calls:  # one per provider of the partition, or one
            result = run_procedure(conn, procedure_call(integration.summary_procedure,
                                                        parameters, returns_rows=True))
            values.append(summary_from_result(result, integration.summary_procedure))
        return values

    values = in_transaction(engine, read, retry)
    return _combine(values)


def summary_from_result(result, procedure: str) -> SummaryValues:
    """The first row's columns 0-6, whatever their names (``GetDateTime(0)`` …
    ``GetInt32(6)``, F:1266-1304): unnamed or repeated names read as well. No row: empty
    fields, as the legacy's. Fewer than seven columns: the legacy's reader throws; so do we,
    saying what came back."""
    if not result:
        return SummaryValues()
    if len(result.columns) < len(FIELDS):
        raise ValueError(f"{procedure} returned {len(result.columns)} column(s) "
                         f"({', '.join(repr(c) for c in result.columns)}); the legacy reads "
                         f"{len(FIELDS)} by position (F:1266-1304)")
    return SummaryValues(*result.rows[0][:len(FIELDS)])


def computed_summary(databases: Databases, integration: Integration,
                     provider_ids: Sequence[int], sync) -> SummaryValues:
    """The seven fields on the set-based engine: the carrier rows read (queue), the common
    rows inserted or updated, the latest usage date, the rows to process still left, the
    devices written this sync that carry usage, and the live devices."""
    common = common_table(integration)
    live = and_(common.c.ServiceProviderId.in_(list(provider_ids)), common.c.IsDeleted == false())
    usage_columns = [common.c[c] for c in ("CtdDataUsage", "CtdSMSUsage", "CtdVoiceUsage")]
    # MobilityDevice shows neither a usage date nor a modification date: unknown there.
    usage_last = func.max(common.c.LastUsageDate) if "LastUsageDate" in common.c else null()
    usage_updated = (count_of(and_(common.c.ModifiedDate >= sync.StartedAt,
                                   func.coalesce(*usage_columns).isnot(None)))
                     if "ModifiedDate" in common.c else null())
    with databases.central.connect() as conn:
        last_usage, devices, usage_updated = conn.execute(select(
            usage_last, func.count(), usage_updated).where(live)).one()
    rows_engine = databases.jasper if integration.database is Database.JASPER else databases.central
    with rows_engine.connect() as conn:
        queue = sum(count_rows_to_process(conn, integration, provider_ids).per_provider.values())
    return SummaryValues(
        DetailLastSyncDate=sync.FinishedAt,
        DetailQueueCount=sync.CarrierRows,
        DetailUpdatedCount=(sync.Inserted or 0) + (sync.Updated or 0),
        UsageLastSyncDate=last_usage,
        UsageQueueCount=queue,
        UsageUpdatedCount=usage_updated,
        DeviceCount=devices,
    )
