"""The shadow pass: the legacy procedures finalize, and beside them the set-based engine says
what it would have done differently — device by device, column by column — changing nothing.

After the procedure engine has finalized a partition and committed (finalize.py), the
set-based engine runs on the same tables in a transaction that is always rolled back:

1. the set-based engine runs as it would finalize the partition (``finalize._set_based``:
   the same statements, the same completeness decision as the procedures' run). Each of
   its statements that writes a compared table — the common table (``Device`` /
   ``MobilityDevice``) and Telegence's ``TelegenceDevice`` — also writes down the rows it
   writes, in the same statement (``RecordedWrite``, through merge.RECORD_WRITES): their
   table, id, and for an update the compared columns as they were before it; so does its
   statement that adds ``Device_Tenant`` links (the links it adds). One temporary table
   holds them all. Nothing is copied beforehand;
2. still inside the transaction, one SELECT compares the rows written with what the engine
   left — rows it inserted, columns it changed (the procedures' value and ours), rows it
   soft-deleted —, adds the rows its row rules quarantined (``CleanupRejectedRow`` of the
   sync) and the links it added, and returns the count per (table, column, kind), the
   differing devices and at most ``cap`` examples (spread over the kinds of difference);
   when every statement's row count said it wrote nothing (PostgreSQL: on SQL Server a
   trigger's count can stand in for the statement's), it asks only for the refused rows.
   The communication plans the engine added are its own answer, less the sync's plans
   before it. The engine refreshes no statistics of a legacy table in the pass
   (PostgreSQL's ``ANALYZE`` would outlive the rollback);
3. the transaction is rolled back: every table is as the procedures left it;
4. on the same connection, a committed transaction writes the verdict to
   ``CleanupShadowRun`` and the examples to ``CleanupShadowDifference`` — the only rows
   the shadow pass ever writes.

A row the engine did not write cannot differ: so the pass costs the engine's statements
plus work in proportion to what they write — nothing when the engines agree — plus fixed
costs kept few: one temporary table, one comparing SELECT, the verdict's transaction, and
each wrapped statement's compilation (statements on the pass's own tables stay in
SQLAlchemy's statement cache: their tables are defined once per process). On PostgreSQL
it costs less than a finalization (whose ledger, gate facts and recorded verdicts it
skips) — docs/performance.md. "Would change nothing" is agreement. The pass never fails the
finalization: an error (a table missing, the engine refusing the partition, a lost
connection) is recorded as a ``failed`` shadow — on a fresh connection — and the run goes
on. Compared are the columns the engine can write in a table (its sources' mapped columns
and its rules'), not the audit columns (who and when: ours would always differ).

Where it runs: SQL Server (beside the procedures, in production) and PostgreSQL (beside
the tests' stand-in procedures; the T-SQL review's workload). A statement records its rows
on SQL Server with ``OUTPUT deleted.… INTO`` a ``#`` table, on PostgreSQL (before 18 there is
no ``RETURNING OLD``) in a ``WITH`` whose outer ``INSERT`` reads the table as it was
before the statement (one snapshot). SQLite has no procedures to shadow, but explain-sql
runs the pass there to print SQL Server's statements; SQLite can record neither way, so
there the partition's rows (and its devices without a link) are copied before the engine
runs and what it added is found after — statements SQL Server never gets (``only_on``).

On SQL Server the temporary tables are local ``#`` tables in the database's collation (a
text comparison across tempdb's collation and the table's would fail); compiled and linted
there, never run (no SQL Server can run here). Its row locks — the engine's updates — are
held until the rollback, as the set-based engine's own are until its commit.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    cast,
    delete,
    exists,
    false,
    func,
    insert,
    literal,
    literal_column,
    null,
    or_,
    select,
    text,
    true,
    Unicode,
    union_all,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import CompileError, DBAPIError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ClauseElement, Executable
from sqlalchemy.sql.visitors import InternalTraversal

from ..db import ONLY_ON, utcnow
from ..registry import Integration
from ..schema import (
    SHADOW_AGREE,
    SHADOW_DIFFER,
    SHADOW_FAILED,
    SET_BASED_TABLES,
    SHADOW_TABLES,
    carrier_tables,
    device,
    device_tenant,
    missing_own_tables,
    rejected_row,
    service_provider,
    shadow_difference,
    shadow_run,
)
from .dialect import in_database_collation
from .common_tables import new_plans_of
from .merge import RECORD_WRITES
from .sources import carrier_source, common_table, staging_source

log = logging.getLogger(__name__)

DEFAULT_CAP = 1000  # difference rows recorded per sync; the rest are counted
VALUE_LENGTH = 1000  # CleanupShadowDifference's value columns
# Where a statement can write down the rows it writes (RecordedWrite); elsewhere (SQLite)
# the pass copies the partition's rows before the engine runs.
RECORDING_DIALECTS = ("postgresql", "mssql")
INSERT, UPDATE, SOFT_DELETE, QUARANTINE, LINK, PLAN = (
    "insert", "update", "soft_delete", "quarantine", "link", "plan")
# Who and when: the set-based engine writes its own name and time, always unlike the
# procedures'; not a difference in the device.
AUDIT_COLUMNS = frozenset({"CreatedBy", "CreatedDate", "ModifiedBy", "ModifiedDate",
                           "DeletedBy", "DeletedDate"})


# Columns the merge's rules write besides the mapped ones (merge.py): the life cycle, the
# status history (OldDeviceStatusId, LastActivatedDate), Telegence's status and its absent
# rule (FailedSyncCount, SubscriberNumberStatus). A test holds the set to every statement
# the engine issues (test_shadow.py).
RULE_COLUMNS = ("IsActive", "IsDeleted", "DeviceStatusId", "OldDeviceStatusId",
                "LastActivatedDate", "FailedSyncCount", "SubscriberNumberStatus")


@dataclass(frozen=True)
class Tracked:
    """A device table the set-based engine may change, keyed by ``key`` per provider, and
    the columns it can write there: the source's mapped columns and the rules' (only they
    can differ after its pass — a column it never writes is not recorded)."""

    table: Table
    key: str
    mapped: tuple[str, ...]

    @property
    def identity(self) -> Column:
        (column,) = self.table.primary_key.columns
        return column

    @property
    def compared(self) -> list[str]:
        written = set(self.mapped) | set(RULE_COLUMNS)
        skipped = AUDIT_COLUMNS | {self.identity.name, "ServiceProviderId", self.key}
        return [c.name for c in self.table.c if c.name in written and c.name not in skipped]


_TRACKED: dict[str, tuple[Integration, list[Tracked]]] = {}  # per integration, per process


def tracked_tables(integration: Integration, providers: Sequence[int] = ()) -> list[Tracked]:
    """Telegence's carrier table (the engine merges its staging), then the common table;
    the mapped columns are the engine's own sources' (sources.py) — the same for any
    providers, so built once per integration and process (building the sources is a
    hundredth of a 10k-device pass)."""
    known = _TRACKED.get(integration.key)
    if known is not None and known[0] is integration:
        return list(known[1])
    tables = []
    if integration.staging_merge is not None:
        tables.append(Tracked(carrier_tables[integration.carrier.table],
                              integration.staging_merge.key,
                              staging_source(integration, providers).columns))
    tables.append(Tracked(common_table(integration), integration.carrier.key[1],
                          carrier_source(integration, providers).columns))
    _TRACKED[integration.key] = (integration, tables)
    return list(tables)


@dataclass
class ShadowOutcome:
    """What one shadow pass found (``CleanupShadowRun``)."""

    status: str  # agree | differ | failed
    differences: int = 0
    devices: int = 0
    counts: list[tuple[str, str | None, str, int]] = field(default_factory=list)
    examples: list[dict] = field(default_factory=list)  # at most the cap
    recorded: int = 0  # examples written (read back: the examples are not)
    error: str | None = None
    duration_ms: int = 0

    @property
    def not_recorded(self) -> int:
        return self.differences - self.recorded

    def reason(self) -> str:
        """One line: '37 devices differ: RatePlan 30, Status 7'."""
        if self.status == SHADOW_FAILED:
            return f"the shadow pass failed: {self.error}"
        if self.status == SHADOW_AGREE:
            return "the engines agree: the set-based engine would change nothing"
        devices = "1 device differs" if self.devices == 1 else f"{self.devices} devices differ"
        return f"{devices}: " + describe_counts(self.counts)


_KIND_LABELS = {INSERT: "inserted", SOFT_DELETE: "soft-deleted", QUARANTINE: "quarantined",
                LINK: "tenant links", PLAN: "plans"}


def describe_counts(counts) -> str:
    """'RatePlan 30, Status 7, soft-deleted 2': a changed column by its name (with its
    table's when two tables change a column of that name), anything else by its kind; the
    largest first."""
    totals: dict[str, int] = {}
    columns = [c for _, c, kind, _ in counts if kind == UPDATE]
    for table, column, kind, n in counts:
        if kind == UPDATE:
            label = column if columns.count(column) == 1 else f"{table}.{column}"
        else:
            label = _KIND_LABELS.get(kind, kind)
        totals[label] = totals.get(label, 0) + n
    return ", ".join(f"{label} {n}" for label, n in
                     sorted(totals.items(), key=lambda item: (-item[1], item[0])))


def shadow_pass(central: Engine, integration: Integration, *, sync_id: int,
                tenant_key: str, provider_ids: Sequence[int],
                run_set_based: Callable[[Connection], list | None],
                cap: int = DEFAULT_CAP, dialect: str | None = None) -> ShadowOutcome:
    """Run ``run_set_based`` (the set-based engine on the partition; it returns the sync's
    communication plans after it, or None where it adds none) in a rolled-back
    transaction, record what it would have changed, and return it. Never raises.
    ``dialect``: whose temporary tables to create (None: the database's)."""
    started_at, started = utcnow(), time.monotonic()
    outcome = None
    try:
        with central.connect() as conn:
            outcome = _capture(conn, integration, sync_id, list(provider_ids), run_set_based,
                               cap, dialect)
            outcome.duration_ms = int((time.monotonic() - started) * 1000)
            # On the same connection, its transaction rolled back: one checkout (and the
            # pool's ping) less.
            _record_safely(conn, integration, sync_id, tenant_key, provider_ids, outcome,
                           started_at)
            return outcome
    except Exception as error:  # the real finalization is done: a shadow error is a finding
        if outcome is not None:  # recorded (or said not to be); the connection's return failed
            return outcome
        log.warning("shadow pass of sync %s failed: %s", sync_id, error, exc_info=True)
        outcome = ShadowOutcome(SHADOW_FAILED, error=f"{type(error).__name__}: {error}"[:2000])
    outcome.duration_ms = int((time.monotonic() - started) * 1000)
    try:  # on a fresh connection: the pass's may be what failed
        with central.connect() as conn:
            _record_safely(conn, integration, sync_id, tenant_key, provider_ids, outcome,
                           started_at)
    except Exception as error:
        log.warning("shadow result of sync %s not recorded: %s", sync_id, error, exc_info=True)
    return outcome


def _record_safely(conn: Connection, integration: Integration, sync_id: int, tenant_key: str,
                   provider_ids: Sequence[int], outcome: ShadowOutcome, started_at) -> None:
    """The verdict committed, or its failure logged and said in the outcome. A connection
    lost on the way (the pass's own) is replaced once by a fresh one."""
    try:
        try:
            with conn.begin():
                _record(conn, integration, sync_id, tenant_key, provider_ids, outcome,
                        started_at)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
            with conn.engine.connect() as fresh, fresh.begin():
                _record(fresh, integration, sync_id, tenant_key, provider_ids, outcome,
                        started_at)
    except Exception as error:
        log.warning("shadow result of sync %s not recorded: %s", sync_id, error, exc_info=True)
        if outcome.status != SHADOW_FAILED:
            outcome.error = f"not recorded: {type(error).__name__}: {error}"[:2000]


def _capture(conn: Connection, integration: Integration, sync_id: int, providers: list[int],
             run_set_based: Callable[[Connection], list | None], cap: int,
             dialect: str | None) -> ShadowOutcome:
    dialect = dialect or conn.dialect.name
    transaction = conn.begin()
    try:
        _require_shadow_tables(conn)
        tracked = tracked_tables(integration, providers)
        has_links = any(t.table is device for t in tracked)
        written = _written_table(tracked, has_links, dialect, conn.dialect.name == "mssql")
        written.create(conn)
        copied = conn.dialect.name not in RECORDING_DIALECTS
        if copied:  # SQLite: no statement can record the rows it writes
            for n, t in enumerate(tracked):
                _copy_rows(conn, t, n, written, providers)
        unlinked = _copy_unlinked(conn, providers, dialect) if has_links and copied else None
        plans_before = (set(new_plans_of(conn, sync_id))
                        if integration.has_communication_plans else set())
        recorder = _Recorder(tracked, written, has_links)
        conn.execution_options(**{RECORD_WRITES: recorder})
        try:
            plans_after = run_set_based(conn) or []
        finally:
            conn.execution_options(**{RECORD_WRITES: None})
        if copied:
            for n, t in enumerate(tracked):
                _add_inserted_rows(conn, t, n, written, providers)
            if unlinked is not None:
                _add_new_links(conn, unlinked, written)
        # The engine is done: what follows joins the few rows it wrote (or the few devices
        # without a link) with the tables by key, a look-up per row where the engine's
        # hash joins would read every row of the table.
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL enable_nestloop = on"),
                         execution_options={ONLY_ON: ("postgresql",)})
        # When every recorded statement said it wrote nothing, no row can differ: only the
        # rows the row rules refused are asked for. Trusted on PostgreSQL only: on SQL Server
        # a write that fires a trigger (without SET NOCOUNT ON) reports the trigger's last
        # count through pyodbc — a 0 there is no proof that nothing was written.
        wrote = copied or conn.dialect.name != "postgresql" or recorder.rows != 0
        plans = [(provider, name) for provider, name in plans_after
                 if (provider, name) not in plans_before]  # bounded: one sync's plans
        return _summarize(conn, _found(tracked, written, sync_id, has_links, wrote), plans, cap)
    finally:
        transaction.rollback()  # always: the shadow changes nothing


_FOUND_TABLES: set[str] = set()  # databases whose shadow tables were seen, per process


def _require_shadow_tables(conn: Connection) -> None:
    """Said before any work (nothing could record what the pass finds); looked up once per
    database and process: a catalog query is a tenth of a small partition's pass."""
    where = conn.engine.url.render_as_string(hide_password=True)
    if where in _FOUND_TABLES:
        return
    missing = missing_own_tables(conn, tables=SHADOW_TABLES + SET_BASED_TABLES)
    if missing:
        raise RuntimeError(f"{', '.join(missing)} missing: apply `cleanup-assets schema-ddl` "
                           "(SQL Server) or run `cleanup-assets init-db`")
    _FOUND_TABLES.add(where)


def _temporary_table(name: str, columns: list[Column], dialect: str, sql_server: bool) -> Table:
    """A temporary table's definition (created by the caller, gone with the rollback). For
    SQL Server (``dialect``) a local ``#`` table, its text in the database's collation when
    it runs there (``sql_server``)."""
    if dialect == "mssql":
        if sql_server:
            columns = [Column(c.name, String(c.type.length, collation="DATABASE_DEFAULT"))
                       if isinstance(c.type, String) else c for c in columns]
        return Table(f"#{name}", MetaData(), *columns)
    return Table(name, MetaData(), *columns, prefixes=["TEMPORARY"])


def _temporary(conn: Connection, name: str, columns: list[Column], dialect: str) -> Table:
    """A temporary table, created, gone with the rollback."""
    table = _temporary_table(name, columns, dialect, conn.dialect.name == "mssql")
    table.create(conn)
    return table


def _plain(column: Column, name: str | None = None) -> Column:
    """A copy of a column's name and type, nothing else (no key, no default, nullable)."""
    return Column(name or column.name, column.type)


def _before(n: int, i: int) -> str:
    return f"b{n}_{i}"


LINKS = -1  # the written table's TableNo of the Device_Tenant links the engine adds

_WRITTEN: dict[tuple, Table] = {}  # the written table's definition, per shape and dialect


def _written_table(tracked: list[Tracked], has_links: bool, dialect: str,
                   sql_server: bool) -> Table:
    """Where the rows the engine writes are written down — one temporary table for every
    compared table and the links (creating a table is the cost: a millisecond or two
    each, of a 10k-device pass's 150): each row's table (``TableNo``: its number in
    ``tracked``, or LINKS), identity (of a link: the device), whether the engine inserted
    it, and for a row it updated the compared columns of its table as they were before
    (``Step``: the statement's number, for a row written twice); of a link, the tenant.

    Defined once per process for each shape (a new definition per pass would make every
    statement that reads it new to SQLAlchemy's statement cache: compiled again, each
    pass)."""
    key = (tuple((t.table.name, tuple(t.compared)) for t in tracked), has_links, dialect,
           sql_server)
    table = _WRITTEN.get(key)
    if table is None:
        columns = [Column("TableNo", Integer), Column("Step", Integer),
                   Column("Id", BigInteger), Column("Inserted", Integer)]
        if has_links:
            columns.append(_plain(device_tenant.c.TenantId))
        for n, t in enumerate(tracked):
            columns += [_plain(t.table.c[c], _before(n, i)) for i, c in enumerate(t.compared)]
        table = _WRITTEN[key] = _temporary_table("cleanup_shadow_written", columns, dialect,
                                                 sql_server)
    return table


class _Recorder:
    """What a shadow pass sets as the engine's ``RECORD_WRITES`` (merge.py): each statement
    that writes a compared table, wrapped to write down the rows it writes — and each
    that adds ``Device_Tenant`` links, the links it adds. A write to any other table fails
    the pass (its difference would go unseen). ``rows``: the rows they wrote, as their row
    counts say (negative: a count unknown)."""

    def __init__(self, tracked: list[Tracked], written: Table, has_links: bool):
        self.tracked, self.written, self.has_links = tracked, written, has_links
        self.steps = 0
        self.rows = 0

    def wrote(self, rowcount: int) -> None:
        if rowcount is None or rowcount < 0 or self.rows < 0:
            self.rows = -1
        else:
            self.rows += rowcount

    def __call__(self, target: Table, statement, inserting: bool) -> "RecordedWrite":
        if target is device_tenant and self.has_links and inserting:
            return RecordedWrite(statement, target, self.written, [
                ("TableNo", LINKS), ("Id", "DeviceId"), ("TenantId", "TenantId")],
                recorder=self)
        for n, tracked in enumerate(self.tracked):
            if tracked.table is target:
                self.steps += 1
                identity = tracked.identity.name
                if inserting:
                    return RecordedWrite(statement, target, self.written, [
                        ("TableNo", n), ("Step", self.steps), ("Id", identity),
                        ("Inserted", 1)], recorder=self)
                return RecordedWrite(statement, target, self.written, [
                    ("TableNo", n), ("Step", self.steps), ("Id", identity), ("Inserted", 0),
                    *[(_before(n, i), c) for i, c in enumerate(tracked.compared)]],
                    before=identity, recorder=self)
        raise RuntimeError(f"the set-based engine wrote {target.name}, which the shadow pass "
                           "does not compare")


class RecordedWrite(Executable, ClauseElement):
    """One statement of the engine that writes ``target``, and the rows it writes written
    down in ``written``, in one statement. ``outputs``: per column of ``written``, the
    column of ``target`` it takes — as the statement left it, or with ``before`` (the
    target's primary key) as it was before — or a constant.

    - PostgreSQL: the statement in a ``WITH`` that returns what it wrote, and an ``INSERT``
      of that — for ``before``, of the row read by primary key in the same statement, which
      sees the rows as they were before it (every part of a statement reads one snapshot;
      PostgreSQL before 18 has no ``RETURNING OLD``);
    - SQL Server: the statement with ``OUTPUT inserted.…`` / ``deleted.…`` ``INTO`` the
      ``#`` table — allowed on a table with triggers, unlike a bare ``OUTPUT``;
    - SQLite: the statement alone (the pass copies the partition's rows beforehand).

    The statement's own row count is the count of rows written down; executed, it tells
    ``recorder`` (``_Recorder.wrote``). Cached by SQLAlchemy as the statement it wraps is
    (the same statement, table and outputs compile to the same SQL)."""

    inherit_cache = True  # the key: _traverse_internals
    _traverse_internals = [
        ("statement", InternalTraversal.dp_clauseelement),
        ("target", InternalTraversal.dp_clauseelement),
        ("written", InternalTraversal.dp_clauseelement),
        ("outputs", InternalTraversal.dp_plain_obj),
        ("before", InternalTraversal.dp_plain_obj),
    ] + Executable._executable_traverse_internals
    _inline = True  # an INSERT … SELECT: no identity to fetch afterwards (SQL Server)

    def __init__(self, statement, target: Table, written: Table,
                 outputs: list[tuple[str, str | int]], before: str | None = None,
                 recorder: _Recorder | None = None):
        self.statement, self.target, self.written = statement, target, written
        self.outputs, self.before = tuple(outputs), before
        self.recorder = recorder

    @property
    def inserting(self) -> bool:
        return self.before is None

    @property
    def step(self) -> int | None:
        return dict(self.outputs).get("Step")

    def _execute_on_connection(self, connection, distilled_params, execution_options):
        # (SQLAlchemy keeps a row count only for its own INSERT / UPDATE / DELETE unless told)
        result = super()._execute_on_connection(
            connection, distilled_params, {**execution_options, "preserve_rowcount": True})
        if self.recorder is not None:
            self.recorder.wrote(result.rowcount)
        return result


@compiles(RecordedWrite)
def _recorded_write(element: RecordedWrite, compiler, **kw) -> str:
    table = element.target
    read = [source for _, source in element.outputs if isinstance(source, str)]
    if element.before is None:
        rows = element.statement.returning(*[table.c[c] for c in read]).cte("written_rows")
        source = rows
    else:
        # One look-up by primary key per row written (a LATERAL with LIMIT is never turned
        # into a join): a join would hash the whole table, the engine having turned nested
        # loops off (dialect.prefer_set_joins) and the planner expecting every row written.
        key = element.before
        rows = element.statement.returning(table.c[key]).cte("written_rows")
        source = (select(*[table.c[c] for c in dict.fromkeys([key, *read])])
                  .where(table.c[key] == rows.c[key]).limit(1).lateral("before_write"))
    recorded = select(*[literal(value, Integer) if isinstance(value, int) else source.c[value]
                        for _, value in element.outputs])
    recorded = (recorded.select_from(rows) if element.before is None
                else recorded.select_from(rows).join(source, true()))
    return compiler.process(insert(element.written).from_select(
        [name for name, _ in element.outputs], recorded), **kw)


_OUTPUT_MARK = "__recorded_write__"


@compiles(RecordedWrite, "mssql")
def _recorded_write_mssql(element: RecordedWrite, compiler, **kw) -> str:
    quote = compiler.preparer.quote
    image = "inserted" if element.before is None else "deleted"
    output = [str(value) if isinstance(value, int) else f"{image}.{quote(value)}"
              for _, value in element.outputs]
    sql = compiler.process(element.statement.returning(literal_column(_OUTPUT_MARK)), **kw)
    mark = f"OUTPUT {_OUTPUT_MARK}"
    if sql.count(mark) != 1:
        raise CompileError(f"no single OUTPUT clause to record the rows written: {sql[:200]}")
    into = ", ".join(quote(name) for name, _ in element.outputs)
    return sql.replace(mark, f"OUTPUT {', '.join(output)} INTO "
                             f"{compiler.preparer.format_table(element.written)} ({into})")


@compiles(RecordedWrite, "sqlite")
def _recorded_write_sqlite(element: RecordedWrite, compiler, **kw) -> str:
    return compiler.process(element.statement, **kw)


# Not what SQL Server runs (the T-SQL review leaves them out); given to the execution, where
# the connection's own options cannot override it.
_SQLITE_ONLY = {ONLY_ON: ("sqlite",)}


def _copy_rows(conn: Connection, tracked: Tracked, n: int, written: Table,
               providers: list[int]) -> None:
    """SQLite: the providers' rows of the table as the procedures left them."""
    table = tracked.table
    conn.execute(insert(written).from_select(
        ["TableNo", "Step", "Id", "Inserted",
         *[_before(n, i) for i in range(len(tracked.compared))]],
        select(literal(n, Integer), literal(0, Integer), tracked.identity, literal(0, Integer),
               *[table.c[c] for c in tracked.compared])
        .where(table.c.ServiceProviderId.in_(providers))), execution_options=_SQLITE_ONLY)


def _add_inserted_rows(conn: Connection, tracked: Tracked, n: int, written: Table,
                       providers: list[int]) -> None:
    """SQLite: the providers' rows that were not there before the pass."""
    table, w = tracked.table, written.c
    conn.execute(insert(written).from_select(
        ["TableNo", "Step", "Id", "Inserted"],
        select(literal(n, Integer), literal(0, Integer), tracked.identity, literal(1, Integer))
        .where(table.c.ServiceProviderId.in_(providers),
               ~exists().where(w.TableNo == n, w.Id == tracked.identity))),
        execution_options=_SQLITE_ONLY)


def _copy_unlinked(conn: Connection, providers: list[int], dialect: str) -> Table:
    """SQLite: the providers' devices without a ``Device_Tenant`` link to their provider's
    tenant (usually none: the procedures link every device) — the only devices the engine
    can add a link to besides those it inserts."""
    unlinked = _temporary(conn, "cleanup_shadow_unlinked", [_plain(device.c.id, "DeviceId")],
                          dialect)
    conn.execute(insert(unlinked).from_select(["DeviceId"], select(device.c.id)
        .join_from(device, service_provider, service_provider.c.id == device.c.ServiceProviderId)
        .where(device.c.ServiceProviderId.in_(providers),
               ~exists().where(device_tenant.c.DeviceId == device.c.id,
                               device_tenant.c.TenantId == service_provider.c.TenantId))),
        execution_options=_SQLITE_ONLY)
    return unlinked


def _add_new_links(conn: Connection, unlinked: Table, written: Table) -> None:
    """SQLite: the links those devices have now."""
    t = device_tenant.c
    conn.execute(insert(written).from_select(
        ["TableNo", "Id", "TenantId"], select(literal(LINKS, Integer), t.DeviceId, t.TenantId)
        .join_from(unlinked, device_tenant, t.DeviceId == unlinked.c.DeviceId)),
        execution_options=_SQLITE_ONLY)


def _text(value):
    """A compared value as text; on SQL Server ``NVARCHAR`` (a ``VARCHAR`` would turn what
    its code page lacks into '?') in the database's collation (a legacy column's own may
    differ, and meets other tables' text in the UNION and the windows)."""
    return in_database_collation(cast(value, Unicode()))


FOUND = ("ServiceProviderId", "DeviceKey", "TableName", "ColumnName", "ProceduresValue",
         "OursValue", "Kind")  # one difference


def _difference(*values):
    """A SELECT of one kind of difference: its values named as ``FOUND``."""
    return select(*[value.label(name) for value, name in zip(values, FOUND, strict=True)])


def _found(tracked: list[Tracked], written: Table, sync_id: int, has_links: bool,
           wrote: bool):
    """Every difference (``FOUND``), as one derived table: the rows the engine wrote that
    differ from what they were, the links it added, the rows its row rules refused — only
    the refused rows when nothing was written."""
    parts = []
    if wrote:
        parts = [_differences(t, written, n) for n, t in enumerate(tracked)]
        if has_links:
            (n,) = [n for n, t in enumerate(tracked) if t.table is device]
            parts.append(_new_links(written, tracked[n], n))
    parts.append(_quarantined(sync_id))
    found = parts[0] if len(parts) == 1 else union_all(*parts)
    return found.subquery("shadow_found")


def _differences(tracked: Tracked, written: Table, n: int):
    """The rows of ``tracked`` the engine wrote that differ from what they were — inserted,
    or a compared column changed: the rows written joined with the table as the engine left
    them (a derived table, computed once), then one row per difference — each joined with
    the number of what differs (-1: the row was inserted; i: its compared column i
    changed), all columns in one statement. A row written twice is compared as it was
    before the first."""
    table, identity = tracked.table, tracked.identity.name
    compared = tracked.compared
    after = {c: f"a{i}" for i, c in enumerate(compared)}
    before = {c: f"b{i}" for i, c in enumerate(compared)}
    # A row written twice: its first write (a window, not a join of the rows written with
    # themselves — the planner, expecting few of them, would compare every pair).
    w = written.c
    first = func.row_number().over(partition_by=w.Id, order_by=w.Step).label("WriteNo")
    writes = (select(w.Id, w.Inserted, *[w[_before(n, i)] for i in range(len(compared))], first)
              .where(w.TableNo == n).subquery(f"shadow_writes_{n}"))
    v = writes.c
    inserted = v.Inserted == 1
    changed = (
        select(table.c.ServiceProviderId.label("ServiceProviderId"),
               _text(table.c[tracked.key]).label("DeviceKey"),
               case((inserted, null()), else_=v.Id).label("BeforeId"),
               *[table.c[c].label(after[c]) for c in compared],
               *[v[_before(n, i)].label(before[c]) for i, c in enumerate(compared)])
        .join_from(writes, table, table.c[identity] == v.Id)
        .where(v.WriteNo == 1,
               inserted | or_(*[table.c[c].is_distinct_from(v[_before(n, i)])
                                for i, c in enumerate(compared)]))
        .subquery(f"shadow_changed_{n}"))
    x = changed.c
    numbers = union_all(*[select(literal_column(str(i)).label("No"))
                          for i in range(-1, len(compared))]).subquery(f"shadow_what_{n}")
    what = numbers.c.No
    soft_deleted = (and_(x[before["IsDeleted"]] == false(), x[after["IsDeleted"]] == true())
                    if "IsDeleted" in compared else None)
    differs = [and_(what == -1, x.BeforeId.is_(None))]
    kind = [(what == -1, literal(INSERT, String(20)))]
    for i, column in enumerate(compared):
        where = [what == i, x.BeforeId.isnot(None),
                 x[after[column]].is_distinct_from(x[before[column]])]
        if column == "IsDeleted":
            kind.append((and_(what == i, soft_deleted), literal(SOFT_DELETE, String(20))))
        elif column == "IsActive" and soft_deleted is not None:
            where.append(~soft_deleted)  # part of the soft delete, not a difference of its own
        differs.append(and_(*where))
    column_name = case(*[(what == i, literal(c, String(100))) for i, c in enumerate(compared)],
                       else_=null())
    procedures = case(*[(what == i, _text(x[before[c]])) for i, c in enumerate(compared)],
                      else_=null())
    ours = case(*[(what == i, _text(x[after[c]])) for i, c in enumerate(compared)],
                else_=null())
    return (_difference(x.ServiceProviderId, x.DeviceKey, literal(table.name, String(100)),
                        column_name, procedures, ours,
                        case(*kind, else_=literal(UPDATE, String(20))))
            .select_from(changed.join(numbers, or_(*differs))))


def _quarantined(sync_id: int):
    """Rows the engine's row rules refused: the procedures took them (or left them) unchecked."""
    r = rejected_row.c
    return _difference(r.ServiceProviderId, _text(r.DeviceKey), r.SourceTable,
                       null(), null(), _text(r.Reason), literal(QUARANTINE, String(20))
                       ).where(r.SyncId == sync_id)


def _new_links(written: Table, devices: Tracked, n: int):
    """``Device_Tenant`` links the engine added to devices the procedures had left without
    one (a device it inserted is one difference: its link goes with it — told by a window
    over the device's written rows, not a join of the rows written with themselves)."""
    d, w = device.c, written.c
    device_inserted = func.max(case((and_(w.TableNo == n, w.Inserted == 1), 1), else_=0)
                               ).over(partition_by=w.Id).label("DeviceInserted")
    links = (select(w.TableNo, w.Id, w.TenantId, device_inserted)
             .where(w.TableNo.in_([n, LINKS])).subquery("shadow_links"))
    return (_difference(d.ServiceProviderId, _text(d[devices.key]),
                        literal(device_tenant.name, String(100)),
                        literal("TenantId", String(100)), null(), _text(links.c.TenantId),
                        literal(LINK, String(20)))
            .join_from(links, device, d.id == links.c.Id)
            .where(links.c.TableNo == LINKS, links.c.DeviceInserted == 0))


def _summarize(conn: Connection, found, plans: list[tuple[int, str]],
               cap: int) -> ShadowOutcome:
    """The counts per (table, column, kind), the differing devices and at most ``cap``
    examples, in one query: each difference numbered within its kind, the kinds' first
    ones first (then the second of each, ... — one column differing everywhere does not
    crowd out the others); returned are the first ``cap`` and each kind's first (which
    carries its kind's count)."""
    f = found.c
    kind = (f.TableName, f.ColumnName, f.Kind)
    ranked = select(
        *[f[c] for c in FOUND],
        func.row_number().over(partition_by=kind, order_by=(f.ServiceProviderId, f.DeviceKey))
        .label("Rank"),
        func.count().over(partition_by=kind).label("KindCount"),
        # the devices, numbered (apart from the differences that name none)
        func.dense_rank().over(partition_by=case((f.DeviceKey.is_(None), 1), else_=0),
                               order_by=(f.ServiceProviderId, f.DeviceKey)).label("DeviceNo"),
    ).subquery("ranked_differences")
    r = ranked.c
    placed = select(
        *[r[c] for c in FOUND], r.Rank, r.KindCount,
        func.row_number().over(order_by=(r.Rank, r.TableName, r.ColumnName, r.Kind,
                                          r.ServiceProviderId, r.DeviceKey)).label("Place"),
        func.max(case((r.DeviceKey.isnot(None), r.DeviceNo))).over().label("Devices"),
    ).subquery("placed_differences")
    p = placed.c
    counts, examples, devices = [], [], 0
    for row in conn.execute(select(placed)  # bounded: the cap, and one row per kind
                            .where(or_(p.Place <= cap, p.Rank == 1)).order_by(p.Place)):
        devices = row.Devices or 0
        if row.Rank == 1:
            counts.append((row.TableName, row.ColumnName, row.Kind, row.KindCount))
        if row.Place <= cap:
            examples.append({c: row._mapping[c] for c in FOUND})
    if plans:
        table = "JasperCommunicationPlan"
        counts.append((table, "CommunicationPlanName", PLAN, len(plans)))
        room = plans[:max(cap - len(examples), 0)]
        examples += [{  # bounded: the cap
            "ServiceProviderId": provider, "DeviceKey": None, "TableName": table,
            "ColumnName": "CommunicationPlanName", "ProceduresValue": None, "OursValue": name,
            "Kind": PLAN} for provider, name in room]
    counts.sort(key=lambda c: (c[0], c[1] or "", c[2]))
    total = sum(n for *_, n in counts)  # bounded: columns x kinds
    return ShadowOutcome(SHADOW_DIFFER if total else SHADOW_AGREE, differences=total,
                         devices=devices, counts=counts, examples=examples,
                         recorded=len(examples))


def _clip(value):
    return None if value is None else str(value)[:VALUE_LENGTH]


def _record(conn: Connection, integration: Integration, sync_id: int, tenant_key: str,
            provider_ids: Sequence[int], outcome: ShadowOutcome, started_at) -> None:
    """The verdict and at most the cap of examples (a list read under the cap, written in
    one statement). A second pass of the same sync replaces the first's, examples and all
    (also examples a purge of the verdicts left behind)."""
    conn.execute(delete(shadow_run).where(shadow_run.c.SyncId == sync_id))
    conn.execute(delete(shadow_difference).where(shadow_difference.c.SyncId == sync_id))
    conn.execute(shadow_run.insert().values(
        SyncId=sync_id, IntegrationKey=integration.key, TenantKey=tenant_key,
        ServiceProviderIds=",".join(map(str, provider_ids)), Engine="set_based",
        Status=outcome.status, Differences=outcome.differences, Devices=outcome.devices,
        Recorded=outcome.recorded, NotRecorded=outcome.not_recorded,
        Counts=json.dumps([list(c) for c in outcome.counts]), Error=outcome.error,
        StartedAt=started_at, DurationMs=outcome.duration_ms))
    if outcome.examples:
        now = utcnow()
        conn.execute(insert(shadow_difference), [{
            "SyncId": sync_id, "IntegrationKey": integration.key,
            "ServiceProviderId": e["ServiceProviderId"], "DeviceKey": _clip(e["DeviceKey"]),
            "TableName": e["TableName"], "ColumnName": e["ColumnName"],
            "ProceduresValue": _clip(e["ProceduresValue"]), "OursValue": _clip(e["OursValue"]),
            "Kind": e["Kind"], "RecordedAt": now} for e in outcome.examples])


def latest_shadow(conn: Connection, sync_id: int) -> ShadowOutcome | None:
    """The recorded shadow pass of a sync (the examples are not read), or None."""
    row = conn.execute(select(shadow_run).where(shadow_run.c.SyncId == sync_id)
                       .order_by(shadow_run.c.id.desc()).limit(1)).first()
    if row is None:
        return None
    return ShadowOutcome(row.Status, differences=row.Differences or 0, devices=row.Devices or 0,
                         counts=[tuple(c) for c in json.loads(row.Counts or "[]")],  # bounded:
                         recorded=row.Recorded or 0, error=row.Error,
                         duration_ms=row.DurationMs or 0)


def shadow_report(conn: Connection, integration_key: str | None = None, since=None,
                  examples: int = 3) -> str:
    """What ``cleanup-assets shadow-report`` prints: per integration, its shadow passes and
    their verdicts, then every difference grouped by table, column and kind — the full
    counts of every pass (recorded or not) and a few recorded examples of each."""
    runs_query = select(shadow_run).order_by(shadow_run.c.IntegrationKey, shadow_run.c.id)
    d = shadow_difference.c
    rank = func.row_number().over(partition_by=(d.IntegrationKey, d.TableName, d.ColumnName,
                                                 d.Kind),
                                  order_by=(d.SyncId.desc(), d.ServiceProviderId, d.DeviceKey))
    ranked = select(shadow_difference, rank.label("Rank"))
    if integration_key:
        runs_query = runs_query.where(shadow_run.c.IntegrationKey == integration_key)
        ranked = ranked.where(d.IntegrationKey == integration_key)
    if since is not None:
        runs_query = runs_query.where(shadow_run.c.StartedAt >= since)
        ranked = ranked.where(d.RecordedAt >= since)
    ranked = ranked.subquery("ranked_examples")
    # One row per shadowed sync (a report's period of them), and a few examples per group.
    runs = conn.execute(runs_query).all()
    shown: dict[tuple, list] = {}
    for row in conn.execute(select(ranked).where(ranked.c.Rank <= examples)  # bounded: examples
                            .order_by(ranked.c.Rank)):
        shown.setdefault((row.IntegrationKey, row.TableName, row.ColumnName, row.Kind),
                         []).append(row)
    period = f" since {since:%Y-%m-%d}" if since is not None else ""
    if not runs:
        return f"No shadow pass recorded{period}" + (
            f" for {integration_key}" if integration_key else "") + (
            ". Set CLEANUP_SHADOW_ENGINE=set_based where the procedures finalize.\n")
    lines = [f"Shadow passes{period}: the set-based engine beside the legacy procedures, "
             "rolled back; what it would have changed."]
    by_integration: dict[str, list] = {}
    for run in runs:  # bounded: one row per shadowed sync in the period
        by_integration.setdefault(run.IntegrationKey, []).append(run)
    for key, its_runs in by_integration.items():
        verdicts = {status: sum(1 for r in its_runs if r.Status == status)
                    for status in (SHADOW_AGREE, SHADOW_DIFFER, SHADOW_FAILED)}
        first, last = its_runs[0], its_runs[-1]
        lines.append("")
        lines.append(f"{key}: {len(its_runs)} passes, {verdicts[SHADOW_AGREE]} agree, "
                     f"{verdicts[SHADOW_DIFFER]} differ, {verdicts[SHADOW_FAILED]} failed "
                     f"({first.StartedAt:%Y-%m-%d %H:%M} .. {last.StartedAt:%Y-%m-%d %H:%M})")
        if verdicts[SHADOW_AGREE] == len(its_runs):
            lines.append(f"  clean: every pass agreed. Ready to switch: add {key} to "
                         "CLEANUP_SET_BASED_INTEGRATIONS.")
            continue
        totals: dict[tuple, list[int]] = {}
        for run in its_runs:
            for table, column, kind, n in json.loads(run.Counts or "[]"):
                total = totals.setdefault((table, column, kind), [0, 0])
                total[0] += n
                total[1] += 1
        for (table, column, kind), (n, syncs) in sorted(
                totals.items(), key=lambda item: (-item[1][0], item[0][0], item[0][1] or "")):
            name = f"{table}.{column}" if kind == UPDATE else table
            lines.append(f"  {name} ({kind}): {n} {'difference' if n == 1 else 'differences'}"
                         f" in {syncs} {'sync' if syncs == 1 else 'syncs'}")
            for e in shown.get((key, table, column, kind), []):
                device_key = f" {e.DeviceKey}" if e.DeviceKey is not None else ""
                lines.append(f"    sync {e.SyncId} provider {e.ServiceProviderId}{device_key}: "
                             + _example(kind, e.ProceduresValue, e.OursValue))
        not_recorded = sum(r.NotRecorded or 0 for r in its_runs)
        if not_recorded:
            lines.append(f"  ({not_recorded} differences beyond the per-sync cap were counted, "
                         "not recorded)")
        for run in its_runs:
            if run.Status == SHADOW_FAILED:
                lines.append(f"  failed: sync {run.SyncId} at {run.StartedAt:%Y-%m-%d %H:%M}: "
                             f"{run.Error}")
    return "\n".join(lines) + "\n"


def _example(kind: str, procedures, ours) -> str:
    if kind == UPDATE:
        return f"procedures {procedures!r}, ours {ours!r}"
    if kind == INSERT:
        return "ours would insert it"
    if kind == SOFT_DELETE:
        return "ours would soft-delete it"
    if kind == QUARANTINE:
        return f"ours would quarantine it: {ours}"
    if kind == LINK:
        return f"ours would link it to tenant {ours}"
    return f"ours would add {ours}"
