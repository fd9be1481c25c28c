"""One set-based merge of checked rows into a device table, by key. Used twice: Telegence's
staging into ``TelegenceDevice`` (the one merge the cleanup does itself), and every carrier
table into the common table (``Device`` / ``MobilityDevice``).

Every sync compares every row it reads with the table it writes and updates what differs,
so a value someone else changed is repaired by the next sync. Statements, each one pass
inside the database:
1. INSERT the rows with a defect into ``CleanupRejectedRow`` (the device keeps its state);
2. UPDATE … FROM the good rows where any column differs, or the target row was deleted;
3. INSERT … SELECT the good rows with no target row;
4. for the providers allowed to, soft-delete target rows whose key no source row names
   (a rejected row still names its device: one bad value never removes a device).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Sequence

from sqlalchemy import (
    String,
    and_,
    case,
    exists,
    false,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    true,
)
from sqlalchemy.engine import Connection
from sqlalchemy.schema import Table
from sqlalchemy.sql import Select

from ..schema import rejected_row
from .checks import count_of

ACTOR = "cleanup_assets"


@dataclass(frozen=True)
class Source:
    """Rows to merge: ``select`` yields ServiceProviderId, the key, ``columns`` (named as the
    target's columns) and ``Defect`` (NULL for a good row); ``present`` yields
    (ServiceProviderId, key) of every row that names a device, good or not."""

    select: Select
    present: Select
    key: str
    columns: tuple[str, ...]
    table_name: str


@dataclass
class MergeCounts:
    rows: int = 0  # source rows read
    accepted: int = 0
    rejected: int = 0
    inserted: int = 0
    updated: int = 0
    deactivated: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def unchanged(self) -> int:
        return self.accepted - self.inserted - self.updated


def _only_existing(target: Table, values: dict) -> dict:
    return {name: value for name, value in values.items() if name in target.c}


def merge_into(
    conn: Connection,
    target: Table,
    source: Source,
    provider_ids: Sequence[int],
    *,
    sync_id: int,
    now: datetime,
    delete_absent_for: Sequence[int] = (),
    absent: str = "soft_delete",
) -> MergeCounts:
    """Merge ``source`` into ``target`` for ``provider_ids`` (see the module docstring).
    ``absent`` is what happens to a device no source row names (ABSENT_RULES)."""
    providers = list(provider_ids)
    counts = MergeCounts()
    rows = source.select.subquery("source_rows")
    good = rows.c.Defect.is_(None)
    key = source.key

    counts.rows, counts.accepted = conn.execute(
        select(func.count(), count_of(good)).select_from(rows)).one()
    counts.rejected = conn.execute(insert(rejected_row).from_select(
        ["SyncId", "ServiceProviderId", "SourceTable", "DeviceKey", "Reason"],
        select(literal(sync_id), rows.c.ServiceProviderId,
               literal(source.table_name, String), rows.c[key], rows.c.Defect)
        .where(rows.c.Defect.isnot(None)),
    )).rowcount if counts.rows > counts.accepted else 0
    if counts.rejected:
        counts.reasons = dict(conn.execute(
            select(rejected_row.c.Reason, func.count())
            .where(rejected_row.c.SyncId == sync_id,
                   rejected_row.c.SourceTable == source.table_name)
            .group_by(rejected_row.c.Reason)).all())

    same_device = and_(target.c.ServiceProviderId == rows.c.ServiceProviderId,
                       target.c[key] == rows.c[key])
    deleted = [target.c.IsDeleted == true()] if "IsDeleted" in target.c else []
    changed = or_(*deleted, *[target.c[name].is_distinct_from(rows.c[name])
                              for name in source.columns])
    counts.updated = conn.execute(
        target.update()
        .where(same_device, good, target.c.ServiceProviderId.in_(providers), changed)
        .values({name: rows.c[name] for name in source.columns} | _only_existing(target, {
            "ModifiedBy": ACTOR, "ModifiedDate": now, "IsActive": True, "IsDeleted": False,
            "DeletedBy": None, "DeletedDate": None}))
    ).rowcount

    audit = _only_existing(target, {"CreatedBy": ACTOR, "CreatedDate": now, "IsActive": True,
                                    "IsDeleted": False})
    counts.inserted = conn.execute(insert(target).from_select(
        ["ServiceProviderId", key, *source.columns, *audit],
        select(rows.c.ServiceProviderId, rows.c[key], *[rows.c[n] for n in source.columns],
               *[literal(v) for v in audit.values()])
        .where(good, ~exists().where(same_device)),
    )).rowcount

    if delete_absent_for:
        counts.deactivated = mark_absent(conn, target, source, delete_absent_for, now=now,
                                         rule=absent)
    return counts


def _soft_delete(target: Table, now: datetime):
    """Common tables: a device no longer listed is soft-deleted (never a hard delete)."""
    live = [target.c.IsDeleted == false()] if "IsDeleted" in target.c else []
    return live, _only_existing(target, {
        "IsActive": False, "IsDeleted": True, "DeletedBy": ACTOR, "DeletedDate": now,
        "ModifiedBy": ACTOR, "ModifiedDate": now})


_LEGACY_TELEGENCE = "usp_Telegence_Update_Device"


def _failed_sync_count(target: Table, now: datetime):
    """``usp_Telegence_Update_Device``: an absent subscriber's FailedSyncCount goes up by one
    while it is at most 3; above 3 it becomes 'Unknown' and the count restarts. Never
    deleted (usp_Telegence_Update_Device.sql:118-136)."""
    failed = func.coalesce(target.c.FailedSyncCount, 0)
    counting = failed <= 3
    return [], {
        "FailedSyncCount": case((counting, failed + 1), else_=null()),
        "SubscriberNumberStatus": case((counting, target.c.SubscriberNumberStatus),
                                       else_=literal("Unknown", String)),
        "OldDeviceStatusId": case((counting, target.c.OldDeviceStatusId),
                                  else_=target.c.DeviceStatusId),
        "ModifiedBy": case((counting, target.c.ModifiedBy), else_=literal(_LEGACY_TELEGENCE)),
        "ModifiedDate": case((counting, target.c.ModifiedDate), else_=literal(now)),
    }


ABSENT_RULES = {"soft_delete": _soft_delete, "failed_sync_count": _failed_sync_count}


def mark_absent(conn: Connection, target: Table, source: Source, provider_ids: Sequence[int],
                *, now: datetime, rule: str = "soft_delete") -> int:
    """Apply the absent rule to the providers' ``target`` rows whose device no source row
    names (a rejected row still names its device)."""
    present = source.present.subquery("present_devices")
    candidates, values = ABSENT_RULES[rule](target, now)
    return conn.execute(
        target.update()
        # A row without a key (another writer's) cannot be told absent: it is left alone.
        .where(target.c.ServiceProviderId.in_(list(provider_ids)), *candidates,
               target.c[source.key].isnot(None),
               ~exists().where(present.c.ServiceProviderId == target.c.ServiceProviderId,
                               present.c[source.key] == target.c[source.key]))
        .values(values)
    ).rowcount


def live_rows(conn: Connection, table: Table, provider_ids: Sequence[int]) -> int:
    """The providers' rows of a device table that are not soft-deleted."""
    live = [table.c.IsDeleted == false()] if "IsDeleted" in table.c else []
    return conn.execute(select(func.count()).where(
        table.c.ServiceProviderId.in_(list(provider_ids)), *live)).scalar_one()
