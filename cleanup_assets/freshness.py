"""Is each carrier still syncing? Every active service provider is expected to be finalized
again within a number of hours of its last finalized sync (default 26: a daily sync and two
hours of slack; per integration in CLEANUP_STALE_AFTER_HOURS). A provider past it is
*stale*: the check ``finalized_recently`` fails for its partition and the operators get one
email per staleness (the sensor ``carrier_freshness_sensor``).

Ours, not the legacy's: a carrier whose device sync stopped notifying was never noticed.
A provider never finalized here has no "last one" to measure from and is not judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import false, select, true
from sqlalchemy.engine import Connection

from .integration_ids import integration_ids
from .registry import INTEGRATIONS
from .schema import service_provider
from .sql.ledger import last_finalized_per_provider

DEFAULT_STALE_AFTER_HOURS = 26.0


def parse_expectations(text: str | None) -> tuple[float, dict[str, float]]:
    """``"26"``, ``"jasper=30,telegence=48"`` or both (``"30,telegence=48"``): the default
    hours and the integrations' own. Raises ValueError naming the entry that is wrong."""
    default, own = DEFAULT_STALE_AFTER_HOURS, {}
    for entry in (text or "").split(","):
        entry = entry.strip()
        if not entry:
            continue
        key, _, hours = entry.rpartition("=")
        key = key.strip().lower()
        try:
            value = float(hours)
        except ValueError:
            raise ValueError(f"CLEANUP_STALE_AFTER_HOURS: {entry!r} is not hours "
                             "(26, or integration=hours)") from None
        if not 0 < value < 24 * 366:
            raise ValueError(f"CLEANUP_STALE_AFTER_HOURS: {entry!r} is not a number of hours "
                             "between 0 and a year")
        if not key:
            default = value
        elif key not in INTEGRATIONS:
            raise ValueError(f"CLEANUP_STALE_AFTER_HOURS: {key!r} is not an integration "
                             f"({', '.join(INTEGRATIONS)})")
        else:
            own[key] = value
    return default, own


@dataclass(frozen=True)
class ProviderFreshness:
    integration_key: str
    tenant_key: str
    provider_id: int
    provider_name: str
    hours_allowed: float
    last_sync_id: int | None  # None: never finalized here (not judged)
    last_finished_at: datetime | None

    @property
    def partition(self) -> str:
        return f"{self.integration_key}|{self.tenant_key}"

    def age_hours(self, now: datetime) -> float | None:
        if self.last_finished_at is None:
            return None
        return (now - self.last_finished_at).total_seconds() / 3600

    def is_stale(self, now: datetime) -> bool:
        age = self.age_hours(now)
        return age is not None and age > self.hours_allowed

    def describe(self, now: datetime) -> str:
        who = f"provider {self.provider_id} {self.provider_name}"
        if self.last_finished_at is None:
            return f"{who}: no finalized sync yet (not judged)"
        return (f"{who} last finalized {self.last_finished_at:%Y-%m-%d %H:%M} UTC (sync "
                f"{self.last_sync_id}), {self.age_hours(now):.1f} h ago: "
                f"{'more than' if self.is_stale(now) else 'within'} the "
                f"{self.hours_allowed:g} h expected")


def provider_freshness(conn: Connection, expectations: tuple[float, dict[str, float]],
                       partition: tuple[str, str] | None = None) -> list[ProviderFreshness]:
    """Every active provider (of one partition, (integration, tenant), when given) with its
    last finalized sync. For one partition only its ledger rows are read (every finalize run
    judges its partition: the ledger grows by a row a sync)."""
    default, own = expectations
    by_id = {v: k for k, v in integration_ids(conn).items()}
    providers = conn.execute(
        select(service_provider.c.id, service_provider.c.Name, service_provider.c.TenantId,
               service_provider.c.IntegrationId)
        .where(service_provider.c.IsActive == true(), service_provider.c.IsDeleted == false(),
               service_provider.c.IntegrationId.in_(list(by_id)))).all()
    last = last_finalized_per_provider(conn, partition)  # the ledger (sql/ledger.py)
    found = []
    for row in providers:  # bounded: the active service providers
        integration_key, tenant_key = by_id[row.IntegrationId], str(row.TenantId)
        if partition is not None and partition != (integration_key, tenant_key):
            continue
        sync_id, finished = last.get((integration_key, tenant_key, row.id), (None, None))
        found.append(ProviderFreshness(integration_key, tenant_key, row.id, row.Name,
                                       own.get(integration_key, default), sync_id, finished))
    return sorted(found, key=lambda f: (f.integration_key, f.tenant_key, f.provider_id))


def partition_verdict(found: list[ProviderFreshness], now: datetime) -> tuple[bool, str]:
    """(passed, one line) for a partition's providers."""
    if not found:
        return True, "nothing to judge: no active provider in this partition"
    stale = [f for f in found if f.is_stale(now)]
    shown = stale or found
    return not stale, "; ".join(f.describe(now) for f in shown)


def stale_alert(fresh: ProviderFreshness, now: datetime) -> tuple[str, str, str]:
    """(key, subject, text) of the operators' email about a stale provider: one per
    staleness (the key names the last sync: a new sync ends it)."""
    key = f"stale:{fresh.partition}:{fresh.provider_id}:{fresh.last_sync_id}"
    subject = (f"Device sync stale: {fresh.partition} provider {fresh.provider_id} "
               f"{fresh.provider_name}")
    text = (f"{fresh.describe(now)}.\n\nNo device sync of this provider has been finalized "
            "since. Check that the carrier's device-sync Lambda still runs and notifies "
            "(cleanup-assets notifications lists what arrived).")
    return key, subject, text
