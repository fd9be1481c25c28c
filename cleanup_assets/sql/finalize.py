"""One partition's finalization — validate, merge the carrier table, mirror the common
tables, add communication plans — in one database transaction.

This is the pure core the Dagster assets call. A failure anywhere rolls the whole
partition back, so the tables are exactly as before; transient errors are retried.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import delete, false, func, select, true
from sqlalchemy.engine import Connection, Engine

from ..db import RetryPolicy, in_transaction
from ..registry import Integration, SyncMode
from ..schema import COMMON_TABLES, carrier_tables, device_sync, jasper_communication_plan
from ..schema import integration as integration_table
from ..schema import service_provider, staged_device
from .common import CommonCounts, add_missing_communication_plans, sync_common_devices
from .dialect import prefer_set_joins, refresh_statistics
from .gate import GateFacts, find_billing_period, plans_without_rate_plan
from .legacy import run_legacy_procedures
from .merge import MergeCounts, device_rows, live_rows, merge_devices
from .staging import ValidationCounts, drop_unlisted, validate_staging

TENANT_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")


class FinalizeError(ValueError):
    """A partition that cannot be finalized as asked (unknown tenant or provider)."""


def tenant_id_from_key(tenant_key: str) -> int:
    """A tenant partition key is the legacy ``TenantId`` in decimal.

    Names are neither unique, stable nor safe as partition keys; ids are all three.
    """
    if not TENANT_KEY_PATTERN.match(tenant_key or ""):
        raise FinalizeError(
            f"invalid tenant partition key {tenant_key!r}: use only letters, digits, '_' and '-'"
        )
    if not tenant_key.isdigit():
        raise FinalizeError(
            f"tenant partition key {tenant_key!r} is not a TenantId: tenant keys are the numeric "
            "legacy Tenant.id"
        )
    return int(tenant_key)


@dataclass(frozen=True)
class FinalizeRequest:
    """What to finalize. With no ``service_provider_id`` (a rerun or backfill), every active
    provider of the integration and tenant is finalized from the current staging."""

    integration: Integration
    tenant_key: str
    service_provider_id: int | None = None
    forced: bool = False  # the wait gave up: staging may be incomplete
    run_id: str | None = None
    use_legacy_procedures: bool = False
    # Compare every staged row with the carrier table, instead of only the rows that differ
    # from the accepted ones: repairs carrier rows someone else wrote to.
    reconcile: bool = False

    @property
    def trigger(self) -> str:
        return "notification" if self.service_provider_id is not None else "rerun"


@dataclass
class FinalizeResult:
    integration_key: str
    tenant_key: str
    service_provider_ids: list[int]
    sync_id: int | None = None
    mode: str = "set_based"
    validation: ValidationCounts = field(default_factory=ValidationCounts)
    carrier: MergeCounts = field(default_factory=MergeCounts)
    common: CommonCounts = field(default_factory=lambda: CommonCounts(MergeCounts()))
    new_plans: list[tuple[int, str]] = field(default_factory=list)
    # Full-sync providers whose staging was empty or the sync forced: nothing soft-deleted.
    deactivation_skipped: dict[int, str] = field(default_factory=dict)
    legacy_statements: list[str] = field(default_factory=list)
    carrier_live_devices: int = 0
    common_live_devices: int = 0
    plans_total: int = 0
    gate: GateFacts = field(default_factory=GateFacts)


def resolve_service_providers(
    conn: Connection, integration: Integration, tenant_id: int, requested: int | None
) -> tuple[int, list[int]]:
    """(numeric integration id, active provider ids) for an integration and tenant.

    The numeric id is read from ``Integration`` by the legacy enum name, never hard-coded.
    """
    integration_id = conn.execute(
        select(integration_table.c.id).where(
            func.lower(integration_table.c.Name) == integration.legacy_name.lower()
        )
    ).scalar()
    if integration_id is None:
        raise FinalizeError(
            f"the Integration table has no row named {integration.legacy_name!r}"
        )
    query = select(service_provider.c.id).where(
        service_provider.c.IntegrationId == integration_id,
        service_provider.c.TenantId == tenant_id,
        service_provider.c.IsActive == true(),
        service_provider.c.IsDeleted == false(),
    )
    if requested is not None:
        query = query.where(service_provider.c.id == requested)
    providers = list(conn.execute(query.order_by(service_provider.c.id)).scalars())
    if requested is not None and not providers:
        raise FinalizeError(
            f"service provider {requested} is not an active {integration.legacy_name} provider "
            f"of tenant {tenant_id}"
        )
    return integration_id, providers


def finalize_partition(
    engine: Engine, request: FinalizeRequest, retry: RetryPolicy = RetryPolicy(), on_retry=None
) -> FinalizeResult:
    """Finalize one (integration, tenant) partition in one transaction."""
    tenant_id = tenant_id_from_key(request.tenant_key)
    return in_transaction(
        engine, lambda conn: _finalize(conn, request, tenant_id), retry, on_retry=on_retry
    )


def _finalize(conn: Connection, request: FinalizeRequest, tenant_id: int) -> FinalizeResult:
    integration = request.integration
    prefer_set_joins(conn)
    now = datetime.now(timezone.utc).replace(tzinfo=None)  # stored naive UTC, 24-hour clock
    integration_id, providers = resolve_service_providers(
        conn, integration, tenant_id, request.service_provider_id
    )
    result = FinalizeResult(integration.key, request.tenant_key, providers)
    if not providers:
        return result  # a tenant without this carrier: nothing to do, and that is fine

    result.sync_id = conn.execute(
        device_sync.insert().values(
            IntegrationKey=integration.key,
            TenantKey=request.tenant_key,
            ServiceProviderIds=",".join(map(str, providers)),
            RunId=request.run_id,
            Trigger=request.trigger,
            Forced=request.forced,
            Mode="legacy_procedures" if request.use_legacy_procedures else "set_based",
            StartedAt=now,
        )
    ).inserted_primary_key[0]

    common_rows_before, result.gate.active_before = device_rows(
        conn, COMMON_TABLES[integration.family.value], providers
    )
    if request.reconcile:  # forget the accepted rows: every staged row is compared afresh
        conn.execute(delete(staged_device).where(staged_device.c.ServiceProviderId.in_(providers)))
    result.validation = validate_staging(conn, integration, providers, result.sync_id)
    if _wrote_much(result.validation.differing, result.validation.accepted):
        refresh_statistics(conn, staged_device)
    if request.use_legacy_procedures:
        result.mode = "legacy_procedures"
        result.legacy_statements = run_legacy_procedures(
            conn, integration, integration_id, staging_has_rows=result.validation.staged > 0
        )
    else:
        _merge_set_based(conn, integration, providers, request, result, now,
                         first_rows=common_rows_before == 0)

    result.new_plans = (
        add_missing_communication_plans(conn, providers, now=now)
        if integration.has_communication_plans
        else []
    )
    _count_live_rows(conn, integration, providers, result)
    result.gate.active_after = result.common_live_devices
    if integration.optimization:
        today = now.date()
        result.gate.billing_periods = {p: find_billing_period(conn, p, today) for p in providers}
    if integration.has_communication_plans:
        (result.gate.devices_on_plans_without_rate_plan,
         result.gate.plans_without_rate_plan) = plans_without_rate_plan(conn, providers)
    _close_ledger(conn, result)
    return result


def _wrote_much(written: int, total: int) -> bool:
    """Worth fresh planner statistics: a tenth or more of the rows are new or changed."""
    return written > 0 and written * 10 >= total


def _merge_set_based(conn, integration, providers, request, result, now, first_rows) -> None:
    deactivate_for: list[int] = []
    if integration.sync_mode is SyncMode.FULL:
        accepted = result.validation.accepted_per_provider
        for provider in providers:  # providers, not devices
            if request.forced:
                result.deactivation_skipped[provider] = "sync forced: staging may be incomplete"
            elif not accepted.get(provider):
                result.deactivation_skipped[provider] = "no accepted staging rows"
            else:
                deactivate_for.append(provider)
        drop_unlisted(conn, integration, deactivate_for, result.sync_id, accepted)

    carrier = carrier_tables[integration.carrier_table]
    of_providers = staged_device.c.ServiceProviderId.in_(providers)
    differing = (  # validated rows that differ from the devices' accepted rows
        select(staged_device)
        .where(of_providers, staged_device.c.SyncId == result.sync_id)
        .subquery("validated_staging")
    )
    listed = select(staged_device).where(of_providers).subquery("listed_devices")
    result.carrier = merge_devices(  # the unchanged rows count as compared
        conn, carrier, differing, providers, sync_id=result.sync_id, now=now,
        deactivate_for=deactivate_for, listed=listed, source_rows=result.validation.accepted,
    )
    written = result.carrier.inserted + result.carrier.updated + result.carrier.deactivated
    if request.reconcile or _wrote_much(written, result.validation.accepted):
        refresh_statistics(conn, carrier, COMMON_TABLES[integration.family.value])
    result.common = sync_common_devices(
        conn, integration, providers, sync_id=result.sync_id, now=now,
        had_live_rows=result.gate.active_before > 0, had_rows=not first_rows,
    )


def _count_live_rows(conn, integration, providers, result) -> None:
    if result.mode == "set_based":  # the merge counted them
        result.carrier_live_devices = result.common.carrier_live
        result.common_live_devices = result.common.common_live
    else:
        carrier = carrier_tables[integration.carrier_table]
        common = COMMON_TABLES[integration.family.value]
        result.carrier_live_devices = live_rows(conn, carrier, providers)
        result.common_live_devices = live_rows(conn, common, providers)
    result.plans_total = live_rows(conn, jasper_communication_plan, providers)


def _close_ledger(conn, result: FinalizeResult) -> None:
    # The legacy procedures report no counts: NULL says "unknown", where 0 would lie.
    merged = result.mode == "set_based"
    conn.execute(
        device_sync.update()
        .where(device_sync.c.id == result.sync_id)
        .values(
            FinishedAt=datetime.now(timezone.utc).replace(tzinfo=None),
            Staged=result.validation.staged,
            Accepted=result.validation.accepted,
            Rejected=result.validation.rejected,
            Inserted=result.carrier.inserted if merged else None,
            Updated=result.carrier.updated if merged else None,
            Unchanged=result.carrier.unchanged if merged else None,
            Deactivated=result.carrier.deactivated if merged else None,
            NewCommunicationPlans=len(result.new_plans),
            ActiveDevicesBefore=result.gate.active_before,
            ActiveDevicesAfter=result.common_live_devices,
        )
    )
