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
from .merge import ACTOR, MergeCounts, merge_devices

PLAN_CREATED_BY = "JasperDeviceSync"  # the legacy value; reports filter on it


@dataclass
class CommonCounts:
    devices: MergeCounts
    tenant_links_inserted: int = 0
    tenant_links_updated: int = 0


def sync_common_devices(
    conn: Connection,
    integration: Integration,
    provider_ids: Sequence[int],
    *,
    sync_id: int,
    now: datetime,
    reconcile: bool = False,
    carrier_deactivated: int = 0,
) -> CommonCounts:
    """Mirror the providers' carrier rows into the family's common table.

    The carrier table is the whole truth for a provider (incremental syncs accumulate in
    it). Only its rows this sync wrote (``LastSyncId``) can differ from the common table,
    so only they are carried over: live ones are inserted or updated, deleted ones
    (``carrier_deactivated`` of them) soft-delete their common row. With ``reconcile``, every carrier row is compared
    instead, and common rows without a live carrier row are soft-deleted: that repairs a
    common table someone else wrote to (or one a legacy sync left behind).
    """
    carrier = carrier_tables[integration.carrier_table]
    target = COMMON_TABLES[integration.family.value]
    providers = list(provider_ids)
    of_providers = carrier.c.ServiceProviderId.in_(providers)
    written_now = carrier.c.LastSyncId == sync_id
    live = (
        select(carrier.c.ServiceProviderId, *[carrier.c[name] for name in DEVICE_ATTRIBUTES])
        .where(of_providers, carrier.c.IsDeleted == false(), *([] if reconcile else [written_now]))
        .subquery("live_carrier_devices")
    )
    if reconcile:
        devices = merge_devices(
            conn, target, live, providers, sync_id=sync_id, now=now, deactivate_for=providers
        )
    else:
        devices = merge_devices(conn, target, live, providers, sync_id=sync_id, now=now)
        if carrier_deactivated:
            devices.deactivated = _deactivate_deleted(
                conn, carrier, target, providers, sync_id, now
            )
    counts = CommonCounts(devices=devices)
    if target is device:
        counts.tenant_links_inserted, counts.tenant_links_updated = _sync_device_tenant(
            conn, providers, now=now, sync_id=None if reconcile else sync_id
        )
    return counts


def _deactivate_deleted(conn, carrier, target, providers, sync_id, now) -> int:
    """Soft-delete the common rows whose carrier row this sync soft-deleted."""
    return conn.execute(
        target.update()
        .where(
            target.c.ServiceProviderId.in_(providers),
            target.c.IsDeleted == false(),
            exists().where(
                carrier.c.ServiceProviderId == target.c.ServiceProviderId,
                carrier.c.ICCID == target.c.ICCID,
                carrier.c.LastSyncId == sync_id,
                carrier.c.IsDeleted == true(),
            ),
        )
        .values(
            IsActive=False, IsDeleted=True, DeletedBy=ACTOR, DeletedDate=now,
            ModifiedBy=ACTOR, ModifiedDate=now, LastSyncId=sync_id,
        )
    ).rowcount


def _sync_device_tenant(
    conn: Connection, provider_ids: Sequence[int], *, now: datetime, sync_id: int | None
):
    """One ``Device_Tenant`` link per device and its provider's tenant, kept in step.

    With a ``sync_id``, only the devices that sync wrote are looked at (no other can have
    changed); without, every device of the providers.
    """
    providers = list(provider_ids)
    devices = [device.c.ServiceProviderId.in_(providers)]
    if sync_id is not None:
        devices.append(device.c.LastSyncId == sync_id)
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
            .where(*devices, ~exists().where(link_matches)),
        )
    ).rowcount
    updated = conn.execute(
        device_tenant.update()
        .where(
            link_matches,
            service_provider.c.id == device.c.ServiceProviderId,
            *devices,
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
    conn: Connection, provider_ids: Sequence[int], *, now: datetime, sync_id: int | None = None
) -> list[tuple[int, str]]:
    """Insert, in one statement, every plan the providers' devices use and the plan table lacks.

    With a ``sync_id``, only the devices that sync wrote are looked at: a plan can only be
    new where a device is. Returns the (ServiceProviderId, plan) pairs added: they need a
    rate plan association before those devices can be optimized.
    """
    plan = jasper_communication_plan
    written = [] if sync_id is None else [device.c.LastSyncId == sync_id]
    missing = (
        select(device.c.ServiceProviderId, device.c.CommunicationPlan)
        .where(
            device.c.ServiceProviderId.in_(list(provider_ids)),
            *written,
            device.c.IsDeleted == false(),
            device.c.CommunicationPlan.isnot(None),
            ~exists().where(
                plan.c.ServiceProviderId == device.c.ServiceProviderId,
                plan.c.CommunicationPlanName == device.c.CommunicationPlan,
            ),
        )
        .distinct()
    )
    # Plans, not devices: a handful of names per provider.
    added = [tuple(row) for row in conn.execute(missing.order_by(device.c.ServiceProviderId,
                                                                  device.c.CommunicationPlan))]
    if added:
        source = missing.subquery("missing_plans")
        conn.execute(
            insert(plan).from_select(
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
        )
    return added
