"""The common tables downstream steps read: ``Device`` + ``Device_Tenant`` (M2M) or
``MobilityDevice`` (Mobility), mirrored from the carrier table; and the communication plans."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from sqlalchemy import and_, exists, insert, literal, or_, select, true, false
from sqlalchemy.engine import Connection

from ..registry import Integration
from ..schema import (
    COMMON_TABLES,
    DEVICE_ATTRIBUTES,
    carrier_tables,
    device,
    device_tenant,
    jasper_communication_plan,
    service_provider,
)
from .merge import ACTOR, MergeCounts, live_rows, merge_devices, soft_delete_unlisted

PLAN_CREATED_BY = "JasperDeviceSync"  # the legacy value; reports filter on it


@dataclass
class CommonCounts:
    devices: MergeCounts
    tenant_links_inserted: int = 0
    tenant_links_updated: int = 0
    carrier_live: int = 0  # the providers' live rows after the sync, in each table
    common_live: int = 0


def sync_common_devices(
    conn: Connection,
    integration: Integration,
    provider_ids: Sequence[int],
    *,
    sync_id: int,
    now: datetime,
    had_live_rows: bool = True,
    had_rows: bool = True,
) -> CommonCounts:
    """Mirror the providers' live carrier rows into the family's common table.

    The carrier table is the whole truth for a provider (incremental syncs accumulate in
    it), so a common row whose carrier row is gone or deleted is soft-deleted too. Those
    rows are searched for only when there can be any: after the update and insert every
    live carrier row has its live common row (one per device: the unique index), so the
    live common rows outnumber the live carrier rows exactly when some lack one. With no
    live common rows before the sync (``had_live_rows``) there is nothing to count; with no
    common rows at all (``had_rows``), every ``Device_Tenant`` link is new and none needs
    updating.
    """
    carrier = carrier_tables[integration.carrier_table]
    target = COMMON_TABLES[integration.family.value]
    providers = list(provider_ids)
    live = (
        select(carrier.c.ServiceProviderId, *[carrier.c[name] for name in DEVICE_ATTRIBUTES])
        .where(carrier.c.ServiceProviderId.in_(providers), carrier.c.IsDeleted == false())
        .subquery("live_carrier_devices")
    )
    carrier_live = live_rows(conn, carrier, providers)
    counts = CommonCounts(
        devices=merge_devices(
            conn, target, live, providers, sync_id=sync_id, now=now, source_rows=carrier_live
        ),
        carrier_live=carrier_live,
    )
    counts.common_live = live_rows(conn, target, providers) if had_live_rows else carrier_live
    if counts.common_live > carrier_live:
        counts.devices.deactivated = soft_delete_unlisted(
            conn, target, live, providers, sync_id=sync_id, now=now
        )
        counts.common_live -= counts.devices.deactivated
    if target is device:
        counts.tenant_links_inserted, counts.tenant_links_updated = _sync_device_tenant(
            conn, provider_ids, now=now, update_links=had_rows
        )
    return counts


def _sync_device_tenant(
    conn: Connection, provider_ids: Sequence[int], *, now: datetime, update_links: bool = True
):
    """One ``Device_Tenant`` link per device and its provider's tenant, kept in step."""
    providers = list(provider_ids)
    link_matches = and_(
        device_tenant.c.DeviceId == device.c.id,
        device_tenant.c.TenantId == service_provider.c.TenantId,
    )
    inserted = conn.execute(
        insert(device_tenant).from_select(
            ["DeviceId", "TenantId", "AccountNumber", "CreatedBy", "CreatedDate", "IsActive",
             "IsDeleted"],
            select(
                device.c.id,
                service_provider.c.TenantId,
                device.c.AccountNumber,
                literal(ACTOR),
                literal(now),
                device.c.IsActive,
                device.c.IsDeleted,
            )
            .join_from(device, service_provider, service_provider.c.id == device.c.ServiceProviderId)
            .where(device.c.ServiceProviderId.in_(providers), ~exists().where(link_matches)),
        )
    ).rowcount
    if not update_links:
        return inserted, 0
    updated = conn.execute(
        device_tenant.update()
        .where(
            link_matches,
            service_provider.c.id == device.c.ServiceProviderId,
            device.c.ServiceProviderId.in_(providers),
            or_(
                device_tenant.c.AccountNumber.is_distinct_from(device.c.AccountNumber),
                device_tenant.c.IsDeleted.is_distinct_from(device.c.IsDeleted),
            ),
        )
        .values(
            AccountNumber=device.c.AccountNumber,
            IsActive=device.c.IsActive,
            IsDeleted=device.c.IsDeleted,
            ModifiedBy=ACTOR,
            ModifiedDate=now,
        )
    ).rowcount
    return inserted, updated


def add_missing_communication_plans(
    conn: Connection, provider_ids: Sequence[int], *, now: datetime
) -> list[tuple[int, str]]:
    """Insert, in one statement, every plan the providers' devices use and the plan table lacks.

    Returns the (ServiceProviderId, plan) pairs added: they need a rate plan association
    before those devices can be optimized.
    """
    plan = jasper_communication_plan
    missing = (
        select(device.c.ServiceProviderId, device.c.CommunicationPlan)
        .where(
            device.c.ServiceProviderId.in_(list(provider_ids)),
            device.c.IsDeleted == false(),
            device.c.CommunicationPlan.isnot(None),
            ~exists().where(
                plan.c.ServiceProviderId == device.c.ServiceProviderId,
                plan.c.CommunicationPlanName == device.c.CommunicationPlan,
            ),
        )
        .distinct()
    )
    source = missing.subquery("missing_plans")
    add = insert(plan).from_select(
        ["ServiceProviderId", "CommunicationPlanName", "CreatedBy", "CreatedDate",
         "IsActive", "IsDeleted"],
        select(
            source.c.ServiceProviderId,
            source.c.CommunicationPlan,
            literal(PLAN_CREATED_BY),
            literal(now),
            true(),
            false(),
        ),
    )
    if conn.dialect.name == "mssql":
        # OUTPUT without INTO is refused on a table with triggers, which a legacy table may
        # have: list the plans (a handful: plans, not devices), then insert them.
        added = [tuple(row) for row in conn.execute(missing)]
        if added:
            conn.execute(add)
    else:  # one statement inserts the plans and returns them
        added = conn.execute(
            add.returning(plan.c.ServiceProviderId, plan.c.CommunicationPlanName)
        ).all()
    return sorted(tuple(row) for row in added)
