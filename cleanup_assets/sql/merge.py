"""One set-based merge of checked rows into a device table, by key. Used twice: Telegence's
staging into ``TelegenceDevice`` (the one merge the cleanup does itself), and every carrier
table into the common table (``Device`` / ``MobilityDevice``).

Every sync compares every row it reads with the table it writes and updates what differs,
so a value someone else changed is repaired by the next sync. Statements, each one pass
inside the database:
1. INSERT the rows with a defect into ``CleanupRejectedRow`` (the device keeps its state);
2. UPDATE … FROM the good rows where any column differs, or the target row was deleted or
   made inactive (when the merge owns the life cycle), or is counting failed syncs;
3. INSERT … SELECT the good rows with no target row;
4. for the providers allowed to, soft-delete target rows whose key no source row names
   (a rejected row still names its device: one bad value never removes a device).

In a shadow pass (shadow.py, RECORD_WRITES) statements 2-4 also write down the rows they
write, each in the same statement.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Mapping, Sequence

from sqlalchemy import (
    Column,
    Index,
    Integer,
    MetaData,
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
    text,
    true,
)
from sqlalchemy.engine import Connection
from sqlalchemy.schema import CreateIndex, CreateTable, Table
from sqlalchemy.types import NullType
from sqlalchemy.sql import Select

from ..schema import judged_row, rejected_row
from . import row_rules
from .row_rules import count_of
from .dialect import refresh_statistics

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
    # Columns read through an outer join (a usage table, a detail row): when the joined row
    # is missing (its presence column is NULL), the target keeps its value rather than NULL.
    optional: Mapping[str, str] = field(default_factory=dict)  # column -> presence column
    # Whether the merge owns the target's life cycle (IsActive / IsDeleted): the common
    # tables, yes; TelegenceDevice, no (usp_Telegence_Update_Device never touches them).
    lifecycle: bool = True
    # Status ids the target's rules need, as SQL scalars: "activated" (LastActivatedDate)
    # and "unknown" (what an absent subscriber becomes) — Telegence's DeviceStatus rows.
    statuses: Mapping[str, object] = field(default_factory=dict)
    # The reasons a row is refused for its key (missing, malformed): such a row could name
    # any device, so a list holding one cannot prove which devices left (WITHHELD below).
    key_reasons: frozenset[str] = frozenset()
    # Carrier sources (sources.carrier_source): the columns the row rules read besides the key,
    # whose fingerprint records a verdict in CleanupJudgedRow; ``select`` then also yields
    # JUDGED_NOW (1: judged by this sync, 0: a recorded verdict stood). None: every row
    # is judged every sync, nothing recorded (Telegence's staging).
    fingerprinted: tuple[str, ...] | None = None
    # Whether ``select`` also compares each row with the target in the checks' own pass
    # (sources.carrier_source, PostgreSQL) and yields KNOWN: NULL where the target has no
    # such device, 0 where its one row holds the row's values already, 1 where it may
    # differ (``changes``; or the device is there twice); and LIVE_DEVICES, the device's
    # live target rows. The checked rows then keep only the rows with something to do — a
    # defect, judged now, a new device, or KNOWN 1 — counted in the same statement
    # (``_checked_rows``): on a 1 % resync a hundredth of the rows is written down, the
    # compare-and-update reads that hundredth (none: no update), and the absent search runs
    # only for a provider whose accepted rows did not name every live device of its, as the
    # same statement counted them (``_checked_rows``).
    compares_devices: bool = False

    @property
    def records_verdicts(self) -> bool:
        return self.fingerprinted is not None


JUDGED_NOW = "JudgedNow"
KNOWN = "Known"
LIVE_DEVICES = "LiveDevices"
# The shadow pass (shadow.py) records the rows the engine writes, as it writes them: it sets
# this execution option on its connection to a callable ``(target, statement, inserting)``
# that returns the statement to execute instead — the same statement, wrapped so that it
# also writes down the rows it writes. Its transaction is always rolled back.
RECORD_WRITES = "cleanup_record_writes"
VERDICTS_LOCK = 25  # PostgreSQL advisory lock class of CleanupJudgedRow's writes (per provider)


@dataclass
class MergeCounts:
    rows: int = 0  # source rows read
    accepted: int = 0
    rejected: int = 0
    inserted: int = 0
    updated: int = 0
    deactivated: int = 0
    # Rows the row rules judged this sync (the rest kept the verdict recorded for their
    # fingerprint and rules version); every row when the source records no verdicts.
    judged: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    # Providers allowed to lose devices whose absent devices were kept all the same, and why.
    withheld: dict[int, str] = field(default_factory=dict)

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
    dialect: str | None = None,
    key_order: bool = False,
) -> MergeCounts:
    """Merge ``source`` into ``target`` for ``provider_ids`` (see the module docstring).
    ``absent`` is what happens to a device no source row names (ABSENT_RULES). ``dialect``:
    whose statements to issue (None: the connection's; explain-sql's workload asks for SQL
    Server's on another database to review them). ``key_order``: the compare-and-update and
    the absent search joined in key order on PostgreSQL (``along_the_carrier_indexes``; the
    compare-and-update by index look-ups instead when the checks' pass found few rows that
    may differ: ``by_index_lookups``) —
    set for the common tables (measured on ``Device``, Jasper's; ``MobilityDevice`` has the
    same (provider, key) index), not for Telegence's staging merge (not measured)."""
    providers = list(provider_ids)
    dialect = dialect or conn.dialect.name
    in_key_order = dialect if key_order else None
    counts = MergeCounts()
    rows, per_provider, names_every_device = _checked_rows(conn, source, target, providers,
                                                           dialect)
    good = rows.c.Defect.is_(None)
    key = source.key

    counts.rows = sum(n[0] for n in per_provider.values())  # bounded: one row per provider
    counts.accepted = sum(n[1] for n in per_provider.values())  # bounded: as above
    counts.judged = sum(n[3] or 0 for n in per_provider.values())  # bounded: as above
    counts.withheld = withheld_absence(per_provider, delete_absent_for, source)
    delete_absent_for = [p for p in delete_absent_for if p not in counts.withheld]
    # A retry after a commit whose answer was lost finds this sync's rejects: start afresh.
    conn.execute(rejected_row.delete().where(rejected_row.c.SyncId == sync_id,
                                             rejected_row.c.SourceTable == source.table_name))
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

    # Providers with no row yet (a first sync) have nothing to update and nothing absent:
    # the compare-and-update is skipped (in key order its plan may sort every checked row
    # before finding no device: 4 s of a 10M-device first sync, 1 ms at 1M where it did
    # not) and so is the search for absent devices (0.5 s of a 1M-device first sync).
    # ``delete_absent_for`` is a part of ``provider_ids`` (every caller: finalize.py).
    assert set(delete_absent_for) <= set(providers), (delete_absent_for, providers)

    def any_row(of: Sequence[int]) -> bool:
        return conn.execute(select(literal(1)).where(exists().where(
            target.c.ServiceProviderId.in_(list(of))))).first() is not None

    had_any = any_row(providers)
    had_rows = bool(delete_absent_for) and had_any and (
        set(delete_absent_for) == set(providers) or any_row(delete_absent_for))
    same_device = and_(target.c.ServiceProviderId == rows.c.ServiceProviderId,
                       target.c[key] == rows.c[key])
    lifecycle = {"IsActive": True, "IsDeleted": False, "DeletedBy": None, "DeletedDate": None}

    def new_value(name):
        if name in source.optional:
            return case((rows.c[source.optional[name]].is_(None), target.c[name]),
                        else_=rows.c[name])
        return rows.c[name]

    values = {name: new_value(name) for name in source.columns}
    if "DeviceStatusId" in source.columns and "OldDeviceStatusId" in target.c:
        values["OldDeviceStatusId"] = case(  # the status it had before a change
            (target.c.DeviceStatusId.is_distinct_from(rows.c.DeviceStatusId),
             target.c.DeviceStatusId), else_=target.c.OldDeviceStatusId)
    activated = source.statuses.get("activated")
    if activated is not None and "LastActivatedDate" in target.c:
        # "the date the Activated status ended the last" (usp_Telegence_Update_Device.sql:74-84)
        values["LastActivatedDate"] = case(
            (and_(target.c.DeviceStatusId == activated, rows.c.DeviceStatusId != activated),
             literal(now)), else_=target.c.LastActivatedDate)
    # The common table compared in key order on PostgreSQL: its (provider, key) index against
    # the checked rows sorted once — 1.5 s hashed, 0.95 s in order at 1M (docs/performance.md).
    # Where the checks' pass compared already (compares_devices), the rows that may differ
    # are looked up one by one instead while they are few (a 1 % resync: 0.45-0.6 s in key
    # order, 0.17-0.26 s looked up; a third: 10 % slower looked up).
    may_differ = (conn.execute(select(func.count()).where(rows.c[KNOWN] == 1)).scalar_one()
                  if source.compares_devices else None)
    if had_any and may_differ != 0:
        order = in_key_order
        if may_differ is not None and may_differ * 20 < counts.rows:
            order = None
        with (along_the_carrier_indexes(conn, order) if order
              else by_index_lookups(conn, in_key_order)):
            counts.updated = write_rows(conn, target, (
                target.update()
                .where(same_device, good, target.c.ServiceProviderId.in_(providers),
                       *([rows.c[KNOWN] == 1] if source.compares_devices else []),
                       or_(*changes(target, target.c, rows.c, source.columns,
                                    optional=source.optional, lifecycle=source.lifecycle)))
                .values(values | _only_existing(target, {
                    "ModifiedBy": ACTOR, "ModifiedDate": now, "FailedSyncCount": None,
                    **(lifecycle if source.lifecycle else {})}))))

    audit = _only_existing(target, {"CreatedBy": ACTOR, "CreatedDate": now, "IsActive": True,
                                    "IsDeleted": False})
    counts.inserted = write_rows(conn, target, insert(target).from_select(
        ["ServiceProviderId", key, *source.columns, *audit],
        select(rows.c.ServiceProviderId, rows.c[key], *[rows.c[n] for n in source.columns],
               *[literal(v) for v in audit.values()])
        # New devices: known from the checks' pass where the source says, else looked for.
        .where(good, rows.c[KNOWN].is_(None) if source.compares_devices
               else ~exists().where(same_device))), inserting=True)

    if counts.inserted * 10 >= max(counts.rows, 1) and not _recorded(conn):
        # A first sync (or a tenth new): the statements after this one — the absent search,
        # the tenant links, the plans, the gate's facts, the counts — read the rows just
        # written, and the planner would take the table for the (nearly) empty one its
        # statistics last saw. Not in a shadow pass (RECORD_WRITES): PostgreSQL writes the
        # statistics in place, untouched by the rollback, and its lock would last until it.
        refresh_statistics(conn, target)
    # Not in a shadow pass (RECORD_WRITES): rolled back, the verdicts would be too. Where the
    # procedures finalize no verdict of ours is recorded, so the shadow judges every row, and
    # would rewrite every record for nothing.
    if source.records_verdicts and counts.judged and not _recorded(conn):
        record_verdicts(conn, rows, source, providers, dialect)
    if had_rows and names_every_device is not None:
        # The checks' statement found that a provider's accepted rows name every live
        # device of its (``_checked_rows``): none is absent, no search (the common tables'
        # rule: soft-delete).
        assert absent == "soft_delete", absent
        delete_absent_for = [p for p in delete_absent_for if not names_every_device.get(p)]
    if had_rows and delete_absent_for:
        # Every source row is a checked row, unless the source keeps only those with
        # something to do (compares_devices): then the source's own ``present``.
        counts.deactivated = mark_absent(
            conn, target, source, delete_absent_for, now=now, rule=absent,
            present=None if source.compares_devices else rows, in_key_order=in_key_order)
    rows.drop(conn)
    return counts


def changes(target: Table, current, row, columns: Sequence[str], *,
            optional: Mapping[str, str], lifecycle: bool) -> list:
    """The reasons the compare-and-update writes a target row, as conditions to OR: a value
    of ``columns`` differs (NULL-safe; an optional one only where its joined row is
    present), the row was soft-deleted or made inactive (when the merge owns the life
    cycle), or it is counting failed syncs. ``current``: the target's values by column
    name (``target.c``, or the checks' pass's per-device values); ``row``: the source row's
    (and its presence columns)."""
    revived = ([current["IsDeleted"] == true(), current["IsActive"] == false()]
               if lifecycle and "IsDeleted" in target.c else [])
    # FailedSyncCount (Telegence): a subscriber listed again starts counting anew (:73).
    failed = ([current["FailedSyncCount"].isnot(None)] if "FailedSyncCount" in target.c
              else [])

    def differs(name):
        difference = current[name].is_distinct_from(row[name])
        if name in optional:
            return and_(row[optional[name]].isnot(None), difference)
        return difference

    return [*revived, *failed, *[differs(name) for name in columns]]


def _counts(rows, source: Source, of=None) -> list:
    """What merge_into counts of the checked rows: rows, accepted, refused for their key,
    judged now — of the rows where ``of`` holds (None: every row, to group per provider)."""
    def count(condition=None):
        where = [c for c in (of, condition) if c is not None]
        return count_of(and_(*where)) if where else func.count()

    def judged():
        now = rows.c[JUDGED_NOW]
        return func.sum(now if of is None else case((of, now), else_=0))

    reasons = sorted(source.key_reasons)
    return [count(), count(rows.c.Defect.is_(None)),
            count(rows.c.Defect.in_(reasons)) if reasons else literal(0),
            judged() if source.records_verdicts else count()]


def _counts_side_by_side(every, source: Source, target: Table,
                         providers: Sequence[int]) -> list:
    """``_counts`` of every checked row for each provider, side by side (the statement that
    writes the checked rows down cannot group: ``_checked_rows``), each followed by whether
    the provider's accepted rows name every live device of its in the target: the live
    devices they name (LIVE_DEVICES) equal its live rows with a key, read in the same
    statement, and no row was repeated by a join (as many checked rows as ``present``
    rows: a second verdict record of a key would name its device twice)."""
    good = every.c.Defect.is_(None)
    present = source.present.subquery("present_rows")
    live = [target.c.IsDeleted == false()] if "IsDeleted" in target.c else []
    columns = []
    for provider in providers:  # bounded: the partition's providers
        of = every.c.ServiceProviderId == provider
        counted = _counts(every, source, of)
        live_keyed = (select(func.count()).where(target.c.ServiceProviderId == provider,
                                                 target.c[source.key].isnot(None), *live)
                      .scalar_subquery())
        listed = (select(func.count()).where(present.c.ServiceProviderId == provider)
                  .scalar_subquery())
        named = func.coalesce(func.sum(case((and_(of, good), every.c[LIVE_DEVICES]))), 0)
        columns += [*counted, case((and_(named == live_keyed, counted[0] == listed), literal(1)),
                                   else_=literal(0))]
    return columns


def _recorded(conn: Connection):
    return conn.get_execution_options().get(RECORD_WRITES)


def write_rows(conn: Connection, target: Table, statement, inserting: bool = False) -> int:
    """Execute a statement that writes a device table ``target`` (or adds ``Device_Tenant``
    links): the rows it wrote. In a shadow pass (RECORD_WRITES) the same statement, wrapped
    to record those rows."""
    record = _recorded(conn)
    if record is not None:
        statement = record(target, statement, inserting)
    return conn.execute(statement).rowcount


def record_verdicts(conn: Connection, rows, source: Source, providers: Sequence[int],
                    dialect: str) -> None:
    """Replace the recorded verdicts of the rows this sync judged: the accepted ones are
    recorded with their fingerprint and the rules version; a refused one loses its record.
    Rows judged before keep theirs. A record whose key no row names any more stays: it
    can only ever match a row with the very same values, whose verdict it is. The rows'
    values are the carrier's as read (a carrier source maps them unchanged), so their
    fingerprint is the one the source matched."""
    judged = judged_row
    now_judged = rows.c[JUDGED_NOW] == 1
    if dialect == "postgresql":
        # No unique index there (schema.judged_row): two finalizations of one provider at
        # once (which the runs' concurrency limits already prevent) take turns here, and the
        # later one's DELETE sees the earlier one's records, so a key never has two. (SQL
        # Server and SQLite have the unique index.)
        for provider in sorted(providers):  # bounded: the partition's providers
            conn.execute(text("SELECT pg_advisory_xact_lock(:kind, :provider)")
                         .bindparams(kind=VERDICTS_LOCK, provider=provider)
                         .execution_options(only_on=("postgresql",)))
    # Driven by the (few, on a resync) rows judged now, not by every record: a key judged
    # for one provider also drops another provider's record of that key, which only makes
    # that row judged once more.
    conn.execute(judged.delete().where(
        judged.c.ServiceProviderId.in_(list(providers)),
        judged.c.SourceTable == source.table_name,
        judged.c.DeviceKey.in_(select(rows.c[source.key]).where(now_judged))))
    conn.execute(insert(judged).from_select(
        ["ServiceProviderId", "SourceTable", "DeviceKey", "RulesVersion", "Fingerprint"],
        select(rows.c.ServiceProviderId, literal(source.table_name, String), rows.c[source.key],
               literal(row_rules.RULES_VERSION, Integer),
               row_rules.fingerprint([rows.c[source.key],
                                   *[rows.c[name] for name in source.fingerprinted]]))
        .where(now_judged, rows.c.Defect.is_(None))))


def withheld_absence(per_provider: Mapping[int, tuple[int, ...]],
                     delete_absent_for: Sequence[int], source: Source) -> dict[int, str]:
    """The providers whose list cannot prove which devices left, and why: a list with no
    accepted row (every row refused is the same non-evidence as an empty list), or one with a
    row refused for its key — that row could be any of the devices it would find absent.
    Their absent devices keep their state until a clean list names them or leaves them out
    (docs/legacy-differences.md, "A list that cannot prove which devices left")."""
    withheld = {}
    for provider in delete_absent_for:
        total, accepted, key_refused = per_provider.get(provider, (0, 0, 0, 0))[:3]
        if key_refused:
            withheld[provider] = (
                f"{key_refused} of {total} {source.table_name} row(s) refused for their "
                f"{source.key}: a refused key could be any absent device")
        elif total and not accepted:
            withheld[provider] = (f"no {source.table_name} row accepted ({total} refused): "
                                  "the list proves nothing absent")
    return withheld


CHECKED_ROWS = "cleanup_checked_rows"


def _checked_rows(conn: Connection, source: Source, target: Table, providers: Sequence[int],
                  dialect: str):
    """The source's checked rows, computed once, into a temporary table that the rejects, the
    update, the insert, the verdicts and the absent search read (computing the row rules
    for each was half of a 1M-device resync); with the counts per provider (``_counts``:
    rows, accepted, refused for their key, judged now) and, where the source compares
    devices, per provider whether its accepted rows name every live device of its in
    ``target`` (else None).

    - PostgreSQL and SQLite: ``CREATE TEMPORARY TABLE``; indexed by device on SQLite only
      (its anti-join needs it; PostgreSQL hash-joins it, or sorts it for a merge join — and a
      B-tree would refuse a garbage key over 2.7 kB).
    - A source that compares devices (PostgreSQL): one statement checks every row, writes
      down those with something to do (Source.compares_devices) and counts them all — the
      checked rows a common table expression read twice, the write one that only inserts
      (PostgreSQL runs it whether or not the query reads it).
    - SQL Server: a ``#`` table (tempdb, this session's, gone with it), its text columns
      ``COLLATE DATABASE_DEFAULT`` — tempdb's collation may differ from the database's, and
      comparing the two would fail ("cannot resolve the collation conflict") — and no index
      (an index key is limited to 900 bytes there; a carrier key can be 1,000 characters).
      Compiled and linted by the T-SQL review (explain-sql's workload asks for SQL Server's
      statements on PostgreSQL: ``dialect``), never run against a server here."""
    sql_server = dialect == "mssql"
    table, index = _checked_rows_table(source, sql_server)
    conn.execute(CreateTable(table))  # the table alone: its index comes after the rows
    names = [c.name for c in table.c]
    with along_the_carrier_indexes(conn, dialect):
        if source.compares_devices:
            every = source.select.cte("checked_every_row")
            kept = select(*[every.c[name] for name in names]).where(or_(
                every.c.Defect.isnot(None), every.c[JUDGED_NOW] == 1,
                every.c[KNOWN].is_distinct_from(0)))
            written = insert(table).from_select(names, kept).cte("checked_rows_written")
            counted = conn.execute(select(*_counts_side_by_side(every, source, target, providers))
                                   .add_cte(written)).one()
        else:
            conn.execute(insert(table).from_select(names, source.select))
    if source.compares_devices:
        per_provider, names_every_device = {}, {}
        for at, provider in enumerate(providers):  # bounded: the partition's providers
            *numbers, names_all = counted[5 * at:5 * at + 5]
            names_every_device[provider] = bool(names_all)
            if numbers[0]:  # a provider without rows has none (as grouped)
                per_provider[provider] = tuple(numbers)
    else:
        per_provider, names_every_device = None, None
    if not sql_server:
        if conn.dialect.name == "sqlite":
            conn.execute(CreateIndex(index))
        refresh_statistics(conn, table)  # PostgreSQL: the planner sees its size
    if per_provider is None:
        grouped = conn.execute(select(table.c.ServiceProviderId, *_counts(table, source))
                               .group_by(table.c.ServiceProviderId))
        per_provider = {p: tuple(n) for p, *n in grouped}  # bounded: one row per provider
    return table, per_provider, names_every_device


# One Table object per shape of checked rows, per process: every statement that reads it is
# then the same statement each sync, compiled once (SQLAlchemy caches a statement by the
# objects it names; a new Table each sync made the engine's every statement — and the
# shadow's wrapped writes — compile again, a few milliseconds each).
_CHECKED_ROWS_TABLES: dict[tuple, tuple[Table, Index]] = {}


def _checked_rows_table(source: Source, sql_server: bool) -> tuple[Table, Index]:
    columns = [(c.name, _temporary_type(c.type, sql_server))
               for c in source.select.selected_columns]
    shape = (sql_server, source.key, tuple((name, repr(kind)) for name, kind in columns))
    found = _CHECKED_ROWS_TABLES.get(shape)
    if found is None:
        if sql_server:
            table = Table(SQL_SERVER_CHECKED_ROWS, MetaData(),
                          *[Column(name, kind) for name, kind in columns])
        else:
            table = Table(CHECKED_ROWS, MetaData(), *[Column(name, kind) for name, kind in columns],
                          prefixes=["TEMPORARY"])
        index = Index("ix_cleanup_checked_rows", table.c.ServiceProviderId, table.c[source.key])
        found = _CHECKED_ROWS_TABLES[shape] = (table, index)
    return found


SQL_SERVER_CHECKED_ROWS = "#" + CHECKED_ROWS


def _temporary_type(column_type, sql_server: bool):
    """A checked row's column type in the temporary table (text of unknown type: text; on
    SQL Server, text in the database's collation)."""
    if isinstance(column_type, NullType):
        column_type = String()
    if sql_server and isinstance(column_type, String):
        collated = column_type.copy()
        collated.collation = "DATABASE_DEFAULT"
        return column_type.with_variant(collated, "mssql")
    return column_type


@contextmanager
def along_the_carrier_indexes(conn: Connection, dialect: str | None):
    """PostgreSQL, for one statement: group and join in key order — merge joins over the
    tables' indexes — instead of hashing a million rows per input. Used where it was
    measured to win (docs/performance.md, 1M devices): the statement that reads and checks
    the carrier rows (the usage per device, the repeated keys, the recorded verdicts: 7.4 s
    hashed, 3.2 s in order), the compare-and-update of the common table, the absent search
    and the tenant links; not the insert of new devices nor the verdicts' delete (slower in
    order). The planner still sorts instead where an index scan would cost more (a table
    far from key order; the checked rows, which have no index on PostgreSQL). Back to the
    defaults after. ``dialect`` None or not PostgreSQL: nothing changes."""
    if dialect != "postgresql":
        yield
        return
    settings = ("enable_hashagg", "enable_hashjoin")
    for setting in settings:
        conn.execute(text(f"SET LOCAL {setting} = off").execution_options(
            only_on=("postgresql",)))
    yield
    # Reset after success only: after a failed statement PostgreSQL refuses every statement
    # of the transaction, and a reset in a `finally` would replace the real error (a timeout,
    # a lost connection: retried) with "transaction aborted" (not retried). A failure ends
    # the transaction, and SET LOCAL with it.
    for setting in settings:
        conn.execute(text(f"SET LOCAL {setting} TO DEFAULT").execution_options(
            only_on=("postgresql",)))


@contextmanager
def by_index_lookups(conn: Connection, dialect: str | None):
    """PostgreSQL, for one statement: join by looking each row up in the other table's index
    (a nested loop, which the transaction otherwise turns off: dialect.prefer_set_joins) —
    for a few rows against a large indexed table. Back to the transaction's settings after
    (as along_the_carrier_indexes)."""
    if dialect != "postgresql":
        yield
        return
    settings = {"enable_nestloop": "on", "enable_hashjoin": "off", "enable_mergejoin": "off"}
    before = conn.execute(text(
        "SELECT " + ", ".join(f"current_setting('{setting}')" for setting in settings)
    ).execution_options(only_on=("postgresql",))).one()
    for setting, value in settings.items():
        conn.execute(text(f"SET LOCAL {setting} = {value}").execution_options(
            only_on=("postgresql",)))
    yield
    # The transaction's own settings back, not the defaults.
    for setting, value in zip(settings, before):  # bounded: three settings
        conn.execute(text(f"SET LOCAL {setting} = {'on' if value == 'on' else 'off'}")
                     .execution_options(only_on=("postgresql",)))


def _soft_delete(target: Table, now: datetime, unknown_status=None):
    """Common tables: a device no longer listed is soft-deleted (never a hard delete)."""
    live = [target.c.IsDeleted == false()] if "IsDeleted" in target.c else []
    return live, _only_existing(target, {
        "IsActive": False, "IsDeleted": True, "DeletedBy": ACTOR, "DeletedDate": now,
        "ModifiedBy": ACTOR, "ModifiedDate": now})


_LEGACY_TELEGENCE = "usp_Telegence_Update_Device"


def _failed_sync_count(target: Table, now: datetime, unknown_status=None):
    """``usp_Telegence_Update_Device``: an absent subscriber's FailedSyncCount goes up by one;
    once it is above 3 the subscriber becomes 'Unknown' (DeviceStatusId of Telegence's
    'Unknown' status) and the count is cleared — the legacy's two UPDATEs, run one after the
    other in one call, so the fourth miss in a row turns it Unknown. Never deleted
    (usp_Telegence_Update_Device.sql:118-136)."""
    counted = func.coalesce(target.c.FailedSyncCount, 0) + 1
    unknown = counted > 3
    values = {
        "FailedSyncCount": case((unknown, null()), else_=counted),
        "SubscriberNumberStatus": case((unknown, literal("Unknown", String)),
                                       else_=target.c.SubscriberNumberStatus),
        "ModifiedBy": case((unknown, literal(_LEGACY_TELEGENCE, String)),
                           else_=target.c.ModifiedBy),
        "ModifiedDate": case((unknown, literal(now)), else_=target.c.ModifiedDate),
    }
    if unknown_status is not None:  # Telegence's 'Unknown' status id (DeviceStatus)
        values["DeviceStatusId"] = case((unknown, unknown_status),
                                        else_=target.c.DeviceStatusId)
        values["OldDeviceStatusId"] = case((unknown, target.c.DeviceStatusId),
                                           else_=target.c.OldDeviceStatusId)
    return [], values


ABSENT_RULES = {"soft_delete": _soft_delete, "failed_sync_count": _failed_sync_count}


def mark_absent(conn: Connection, target: Table, source: Source, provider_ids: Sequence[int],
                *, now: datetime, rule: str = "soft_delete", present=None,
                in_key_order: str | None = None) -> int:
    """Apply the absent rule to the providers' ``target`` rows whose device no source row
    names (a rejected row still names its device). ``present``: the checked rows, when
    already written down (every source row, good or not, is one of them). ``in_key_order``:
    the dialect whose statement runs in key order (merge_into; the common table's on
    PostgreSQL: 0.76 s hashed, 0.57 s in order at 1M), None for the planner's default."""
    if present is None:
        present = source.present.subquery("present_devices")
    candidates, values = ABSENT_RULES[rule](target, now, source.statuses.get("unknown"))
    with along_the_carrier_indexes(conn, in_key_order):
        return write_rows(conn, target, (
            target.update()
            # A row without a key (another writer's) cannot be told absent: it is left alone.
            .where(target.c.ServiceProviderId.in_(list(provider_ids)), *candidates,
                   target.c[source.key].isnot(None),
                   ~exists().where(present.c.ServiceProviderId == target.c.ServiceProviderId,
                                   present.c[source.key] == target.c[source.key]))
            .values(values)))


def live_rows(conn: Connection, table: Table, provider_ids: Sequence[int]) -> int:
    """The providers' rows of a device table that are not soft-deleted."""
    live = [table.c.IsDeleted == false()] if "IsDeleted" in table.c else []
    return conn.execute(select(func.count()).where(
        table.c.ServiceProviderId.in_(list(provider_ids)), *live)).scalar_one()
