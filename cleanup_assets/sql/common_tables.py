"""The set-based engine's own work after the carrier tables: the common device tables
(``Device`` + ``Device_Tenant`` for M2M carriers, ``MobilityDevice`` for Mobility carriers)
mirrored from the carrier table — what ``usp_<Carrier>_DeviceSync`` and
``usp_DeviceSync_Common`` / ``usp_MobilityDeviceSync_Common`` do on SQL Server — and the
communication plans, which the legacy adds with its own SQL after either engine (F:386-445).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from sqlalchemy import String, and_, exists, false, func, insert, literal, select, true
from sqlalchemy.engine import Connection

from ..registry import Integration
from ..schema import PLAN_NAME_LENGTH, device, device_tenant, jasper_communication_plan
from ..schema import new_communication_plan, rejected_row, service_provider
from .dialect import text_length
from .merge import MergeCounts, along_the_carrier_indexes, merge_into, write_rows
from .sources import carrier_source, common_table

PLAN_CREATED_BY = "JasperDeviceSync"  # the legacy value (F:423)


@dataclass
class CommonCounts:
    devices: MergeCounts
    tenant_links_inserted: int = 0


def mirror_common_devices(
    conn: Connection,
    integration: Integration,
    provider_ids: Sequence[int],
    *,
    sync_id: int,
    now: datetime,
    delete_absent_for: Sequence[int],
    dialect: str | None = None,
) -> CommonCounts:
    """Mirror the providers' live, good carrier rows into the family's common table.

    The carrier table is the truth for a provider (the device-sync step keeps it), so every
    row is compared every sync and drift is repaired; a common row whose device no carrier
    row names any more is soft-deleted — only for the providers in ``delete_absent_for``.
    ``dialect``: whose statements to issue (merge_into).
    """
    # Whose statements: the connection's, unless explain-sql asks for another dialect's.
    dialect = dialect or conn.dialect.name
    counts = CommonCounts(merge_into(
        conn, common_table(integration),
        carrier_source(integration, provider_ids, compares_devices=dialect == "postgresql"),
        provider_ids,
        sync_id=sync_id, now=now, delete_absent_for=delete_absent_for, dialect=dialect,
        key_order=True))
    if common_table(integration) is device:
        counts.tenant_links_inserted = link_devices_to_tenants(conn, provider_ids,
                                                               dialect=dialect)
    return counts


def link_devices_to_tenants(conn: Connection, provider_ids: Sequence[int], *,
                            dialect: str | None = None) -> int:
    """One ``Device_Tenant`` row per device and its provider's own tenant (the link the
    history export joins on, F:325). On PostgreSQL in key order: ``Device``'s primary key
    against the links' (DeviceId, TenantId) index, no hash of a million links (0.66 s
    hashed, 0.29 s in order for a 1M resync; docs/performance.md)."""
    link = and_(device_tenant.c.DeviceId == device.c.id,
                device_tenant.c.TenantId == service_provider.c.TenantId)
    with along_the_carrier_indexes(conn, dialect or conn.dialect.name):
        return write_rows(conn, device_tenant, insert(device_tenant).from_select(
            ["DeviceId", "TenantId"],
            select(device.c.id, service_provider.c.TenantId)
            .join_from(device, service_provider,
                       service_provider.c.id == device.c.ServiceProviderId)
            .where(device.c.ServiceProviderId.in_(list(provider_ids)),
                   service_provider.c.TenantId.isnot(None), ~exists().where(link)),
        ), inserting=True)


def add_missing_communication_plans(
    conn: Connection, provider_ids: Sequence[int], *, sync_id: int, now: datetime
) -> list[tuple[int, str]]:
    """The legacy ``UpdateCommPlans`` (F:386-445), in two statements instead of one per plan.

    Every distinct ``Device.CommunicationPlan`` of the providers whose name no
    ``JasperCommunicationPlan`` row has — matched by name alone, across providers, as the
    legacy does — is inserted (CreatedBy ``JasperDeviceSync``, IsActive 1, IsDeleted 0) for
    the provider that uses it (the lowest id when two of the partition do). The plans this
    finalization inserted are recorded in ``CleanupNewCommunicationPlan``; the new-plans
    email lists exactly those.
    """
    plan = jasper_communication_plan
    # The plans in use first, then which of them are missing: grouped before the look-up,
    # the planner counts the plans from Device's statistics (a few dozen: hashed); looked
    # up first, it took nearly every device's plan for one already there and sorted a
    # million rows on a first sync (0.67 s at 1M; docs/performance.md). Each test below is
    # of the name alone, so the same plans and lowest providers either way.
    used = (
        select(device.c.CommunicationPlan.label("Name"),
               func.min(device.c.ServiceProviderId).label("ServiceProviderId"))
        .where(device.c.ServiceProviderId.in_(list(provider_ids)),
               device.c.CommunicationPlan.isnot(None))
        .group_by(device.c.CommunicationPlan)
        .subquery("plans_in_use")
    )
    absent = ~exists().where(plan.c.CommunicationPlanName == used.c.Name)
    # A name longer than JasperCommunicationPlan.CommunicationPlanName would fail the whole
    # INSERT on SQL Server (and the finalize with it): refused with its reason instead
    # (the procedure engine's Device may hold longer names than ours lets through).
    fits = text_length(used.c.Name) <= PLAN_NAME_LENGTH
    refuse_long_plan_names(conn, used, and_(absent, ~fits), sync_id=sync_id)
    recorded = conn.execute(insert(new_communication_plan).from_select(
        ["SyncId", "ServiceProviderId", "CommunicationPlanName"],
        select(literal(sync_id), used.c.ServiceProviderId, used.c.Name).where(absent, fits),
    )).rowcount
    if recorded:  # the plans just recorded, not the search for them again
        new = new_communication_plan
        conn.execute(insert(plan).from_select(
            ["CommunicationPlanName", "CreatedBy", "CreatedDate", "IsActive", "IsDeleted",
             "ServiceProviderId"],
            select(new.c.CommunicationPlanName, literal(PLAN_CREATED_BY, String), literal(now),
                   true(), false(), new.c.ServiceProviderId)
            .where(new.c.SyncId == sync_id,
                   ~exists().where(plan.c.CommunicationPlanName == new.c.CommunicationPlanName)),
        ))
    # Also what an earlier attempt of this sync added (a retry after a lost commit answer).
    return new_plans_of(conn, sync_id)


PLANS_SOURCE = "JasperCommunicationPlan"  # CleanupRejectedRow.SourceTable of a refused plan


def refuse_long_plan_names(conn: Connection, used, where, *, sync_id: int) -> int:
    """Record in ``CleanupRejectedRow`` each plan name in ``used`` (with its lowest provider)
    that cannot be added, with the reason; replaces what an earlier try of this sync
    recorded."""
    conn.execute(rejected_row.delete().where(rejected_row.c.SyncId == sync_id,
                                             rejected_row.c.SourceTable == PLANS_SOURCE))
    reason = (f"communication plan name longer than {PLAN_NAME_LENGTH} characters "
              "(JasperCommunicationPlan.CommunicationPlanName): not added")
    return conn.execute(insert(rejected_row).from_select(
        ["SyncId", "ServiceProviderId", "SourceTable", "DeviceKey", "Reason"],
        select(literal(sync_id), used.c.ServiceProviderId, literal(PLANS_SOURCE, String),
               func.substring(used.c.Name, 1, 1000), literal(reason, String))
        .where(where),
    )).rowcount


def new_plans_of(conn: Connection, sync_id: int) -> list[tuple[int, str]]:
    """(provider, plan name) of the plans one finalization inserted."""
    rows = conn.execute(select(new_communication_plan.c.ServiceProviderId,
                               new_communication_plan.c.CommunicationPlanName)
                        .where(new_communication_plan.c.SyncId == sync_id))
    return sorted(tuple(row) for row in rows)  # bounded: the plans one sync added
