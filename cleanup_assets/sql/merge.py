"""One set-based merge, used for every device table: carrier tables from validated staging,
common tables (``Device``, ``MobilityDevice``) from carrier tables.

Three statements, each one pass inside the database:
1. UPDATE … FROM the source where any compared attribute differs (or the row was deleted);
2. INSERT … SELECT the source rows with no target row;
3. optionally, soft-delete target rows absent from the source (never a hard delete).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from sqlalchemy import Integer, and_, case, exists, func, insert, literal, or_, select, true, false
from sqlalchemy.engine import Connection
from sqlalchemy.sql import FromClause
from sqlalchemy.schema import Table

from ..schema import DEVICE_ATTRIBUTES, DEVICE_COMPARED_ATTRIBUTES

ACTOR = "cleanup_assets"


@dataclass
class MergeCounts:
    source: int = 0
    inserted: int = 0
    updated: int = 0
    deactivated: int = 0

    @property
    def unchanged(self) -> int:
        return self.source - self.inserted - self.updated


def merge_devices(
    conn: Connection,
    target: Table,
    source: FromClause,
    provider_ids: Sequence[int],
    *,
    sync_id: int,
    now: datetime,
    deactivate_for: Sequence[int] = (),
    listed: FromClause | None = None,
    source_rows: int | None = None,
) -> MergeCounts:
    """Merge ``source`` (ServiceProviderId, ICCID and the device attributes) into ``target``.

    ``source`` must already be limited to ``provider_ids``. Target rows of the providers in
    ``deactivate_for`` that ``listed`` (by default the source) lacks are soft-deleted.
    ``source_rows`` is the number of devices compared (by default the source's rows).
    """
    providers = list(provider_ids)
    counts = MergeCounts()
    same_device = and_(
        target.c.ServiceProviderId == source.c.ServiceProviderId,
        target.c.ICCID == source.c.ICCID,
    )

    counts.source = (  # known to most callers; counted otherwise
        source_rows if source_rows is not None
        else conn.execute(select(func.count()).select_from(source)).scalar_one()
    )

    changed = or_(
        target.c.IsDeleted == true(),
        *[target.c[name].is_distinct_from(source.c[name]) for name in DEVICE_COMPARED_ATTRIBUTES],
    )
    counts.updated = conn.execute(
        target.update()
        .where(same_device, target.c.ServiceProviderId.in_(providers), changed)
        .values(
            {name: source.c[name] for name in DEVICE_COMPARED_ATTRIBUTES}
            | {
                "ModifiedBy": ACTOR,
                "ModifiedDate": now,
                "IsActive": True,
                "IsDeleted": False,
                "DeletedBy": None,
                "DeletedDate": None,
                "LastSyncId": sync_id,
            }
        )
    ).rowcount

    counts.inserted = conn.execute(
        insert(target).from_select(
            ["ServiceProviderId", *DEVICE_ATTRIBUTES, "CreatedBy", "CreatedDate", "IsActive",
             "IsDeleted", "LastSyncId"],
            select(
                source.c.ServiceProviderId,
                *[source.c[name] for name in DEVICE_ATTRIBUTES],
                literal(ACTOR),
                literal(now),
                true(),
                false(),
                literal(sync_id, Integer),
            ).where(~exists().where(same_device)),
        )
    ).rowcount

    if deactivate_for:
        counts.deactivated = soft_delete_unlisted(
            conn, target, source if listed is None else listed, deactivate_for,
            sync_id=sync_id, now=now,
        )
    return counts


def soft_delete_unlisted(
    conn: Connection,
    target: Table,
    listed: FromClause,
    provider_ids: Sequence[int],
    *,
    sync_id: int,
    now: datetime,
) -> int:
    """Soft-delete the providers' live ``target`` rows whose device ``listed`` lacks."""
    return conn.execute(
        target.update()
        .where(
            target.c.ServiceProviderId.in_(list(provider_ids)),
            target.c.IsDeleted == false(),
            ~exists().where(
                target.c.ServiceProviderId == listed.c.ServiceProviderId,
                target.c.ICCID == listed.c.ICCID,
            ),
        )
        .values(
            IsActive=False,
            IsDeleted=True,
            DeletedBy=ACTOR,
            DeletedDate=now,
            ModifiedBy=ACTOR,
            ModifiedDate=now,
            LastSyncId=sync_id,
        )
    ).rowcount


def live_rows(conn: Connection, table: Table, provider_ids: Sequence[int]) -> int:
    """The providers' rows of a device table that are not soft-deleted."""
    return conn.execute(
        select(func.count()).where(
            table.c.ServiceProviderId.in_(list(provider_ids)), table.c.IsDeleted == false()
        )
    ).scalar_one()


def device_rows(conn: Connection, table: Table, provider_ids: Sequence[int]) -> tuple[int, int]:
    """(all, live) rows of the providers in a device table, in one pass."""
    live = case((table.c.IsDeleted == false(), 1))
    every, alive = conn.execute(
        select(func.count(), func.count(live)).where(
            table.c.ServiceProviderId.in_(list(provider_ids))
        )
    ).one()
    return every, alive
