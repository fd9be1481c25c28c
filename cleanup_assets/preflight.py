"""``cleanup-assets preflight``: what the configured databases would refuse, found before a run.

Against the central and the Jasper database it checks every object the location touches,
in one pass of catalog queries per database, and returns one ``Finding`` per problem with
its fix (a DDL line, a setting to set). A *blocking* finding is one a run would fail on;
the CLI exits 1 on any, and a production code location refuses to load (definitions.py).

What is checked, and where the expectation comes from:

- **Legacy tables and columns** (``schema.py`` is our model of them): each table some
  statement of ours touches (not ``NOT_TOUCHED``), with every column the model declares —
  present in the right database (the Jasper family's in the Jasper database), of a
  compatible type family, and — for the tables we write — at least as long/wide as our
  model (a longer value than the column holds fails the write on SQL Server).
  ``vwJasperCommPlan_RatePlan`` too. With the procedure engine, a finding on a table only
  the set-based engine touches (``SET_BASED_ONLY``), or on a guessed column of a carrier
  table, is a warning: the legacy procedures read those, not we.
- **Our own tables** (``Cleanup*``): present, every column of ours present; the shadow
  pass's two only when ``CLEANUP_SHADOW_ENGINE`` is set (and a finding on them is a
  warning: the shadow pass never fails a run).
- **Procedures** (``registry.py``, the billing-period and the discrepancy procedure): present
  in the database the legacy calls them on, declaring each parameter name we pass.
- **Reading procedures' first result set**: the summary procedure's seven columns, read by
  position (F:1266-1304: ``GetDateTime(0)`` … ``GetInt32(6)``); the billing period's ``Id``.
- **The server version** against what our SQL needs (``MINIMUM_SQL_SERVER``, held to the
  statements ``explain-sql`` prints by a test).
- **Permissions**: SELECT on every table we read, INSERT/UPDATE/DELETE where we write,
  EXECUTE on every procedure we call.
- **Integrations**: every integration is mapped to an ``Integration`` row
  (integration_ids.py: ``CLEANUP_INTEGRATION_IDS`` or the row's Name).

Per database kind:

- **SQL Server**: ``INFORMATION_SCHEMA.COLUMNS``, ``sys.objects`` + ``sys.parameters``,
  ``sp_describe_first_result_set``, ``HAS_PERMS_BY_NAME``, ``SERVERPROPERTY``. **These
  queries were never run against a SQL Server** (none can run where this was written):
  they are compiled and linted as T-SQL (``cleanup-assets explain-sql`` prints them), and
  their PostgreSQL twins are what the tests run. ``sys.parameters`` cannot tell whether a
  T-SQL procedure's parameter has a default, so a declared parameter we do not pass is a
  warning there, not blocking; a procedure reached through a synonym is not followed
  (it reads as missing).
- **PostgreSQL** (the stand-ins of ``cleanup_tests/stand_ins.py``): ``information_schema``,
  ``pg_proc`` (``pg_get_function_arguments``, the ``RETURNS TABLE`` columns as the first
  result set), ``has_table_privilege`` / ``has_function_privilege``.
- **SQLite**: tables and columns only (SQLite keeps no types or lengths it enforces, has no
  procedures and no permissions; the report says so).

Values reach every query as bound parameters; only names from the registry and the schema
(checked identifiers) are part of a statement's text.
"""

from __future__ import annotations

import re
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Sequence

from sqlalchemy import Boolean, DateTime, Integer, BigInteger, SmallInteger, String, bindparam, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.schema import Column, Table

from .db import Databases, connect_databases, default_database_url
from .integration_ids import VARIABLE, integration_ids, parse_configured
from .registry import (
    CONSTANT_PROCEDURES,
    INTEGRATIONS,
    PROCEDURE_NAMES_SETTING,
    Database,
    parse_procedure_names,
    procedure_name,
)
from .reporting import DISCREPANCY_PROCEDURE
from .schema import (
    LEGACY_TABLES,
    REQUIRED_OWN_TABLES,
    SET_BASED_TABLES,
    SHADOW_TABLES,
    MissingTablesError,
    add_columns_ddl,
    carrier_tables,
    comm_plan_rate_plan,
    integration as integration_table,
    is_jasper_table,
    rows_to_process_tables,
)
from .settings import ConfigurationError, Settings
from .sql.finalize import FinalizeEngine
from .sql.gate_facts import BILL_PERIOD_PROCEDURE

BLOCKING, WARNING, INFO = "BLOCKING", "warning", "info"

# The oldest SQL Server our statements run on, and why: the feature that needs it. A test
# holds this to the statements `explain-sql --dialect mssql` prints (required_sql_server).
MINIMUM_SQL_SERVER = 11  # SQL Server 2012: TRY_CONVERT (the set-based engine's date grammar)
SQL_SERVER_RELEASES = {10: "2008", 11: "2012", 12: "2014", 13: "2016", 14: "2017", 15: "2019",
                       16: "2022", 17: "2025"}
# T-SQL features by the release that introduced them (Microsoft's "What's new" pages).
SQL_SERVER_FEATURES: tuple[tuple[re.Pattern, int, str], ...] = (
    (re.compile(r"(?<![\w\].])TRIM\s*\(", re.I), 14, "TRIM()"),
    (re.compile(r"\bSTRING_AGG\s*\(", re.I), 14, "STRING_AGG()"),
    (re.compile(r"\bCONCAT_WS\s*\(", re.I), 14, "CONCAT_WS()"),
    (re.compile(r"\bTRANSLATE\s*\(", re.I), 14, "TRANSLATE()"),
    (re.compile(r"\bIS\s+(NOT\s+)?DISTINCT\s+FROM\b", re.I), 16, "IS [NOT] DISTINCT FROM"),
    (re.compile(r"\b(GREATEST|LEAST)\s*\(", re.I), 16, "GREATEST()/LEAST()"),
    (re.compile(r"\bDATETRUNC\s*\(", re.I), 16, "DATETRUNC()"),
    (re.compile(r"\bSTRING_SPLIT\s*\(", re.I), 13, "STRING_SPLIT()"),
    (re.compile(r"\b(OPENJSON|JSON_VALUE)\s*\(", re.I), 13, "JSON functions"),
    (re.compile(r"\bDROP\s+\w+\s+IF\s+EXISTS\b", re.I), 13, "DROP … IF EXISTS"),
    (re.compile(r"\bCREATE\s+OR\s+ALTER\b", re.I), 13, "CREATE OR ALTER"),
    (re.compile(r"\b(TRY_CONVERT|TRY_CAST|TRY_PARSE|IIF|CHOOSE|CONCAT|EOMONTH|DATEFROMPARTS|"
                r"DATETIME2FROMPARTS|FORMAT)\s*\(", re.I), 11, "SQL Server 2012 functions"),
    (re.compile(r"\bOFFSET\s+\S+\s+ROWS\b", re.I), 11, "OFFSET … FETCH"),
)
# Azure SQL Database (5) and Managed Instance (8) report an old ProductVersion but run the
# current engine.
_AZURE_EDITIONS = {5, 8}

# Modeled legacy tables no statement of ours reads or writes (only the demo's stand-in of
# the device-sync step fills them): not checked.
NOT_TOUCHED = frozenset({"JasperDeviceStaging", "TealDeviceStaging"})
# Tables only the set-based engine reads or writes (sql/sources.py, merge.py, finalize.py):
# with the procedure engine the legacy procedures touch them, not we, and a finding on them
# is a warning. (TelegenceDeviceStaging is read by both: F:746-751's row check.) Both sets
# are held to the statements each engine's workload issues by a test.
SET_BASED_ONLY = frozenset({
    "DeviceStatus", "ThingSpaceDevice", "ThingSpaceDeviceStaging", "TelegenceDeviceDetailStaging",
    "TelegenceDeviceContractStatusStaging", "TealDevice", "eBondingDevice"})
# What we write, by table (held to the statements the workload issues by a test). The
# set-based engine's own writes are done by the legacy procedures on the procedure engine.
WRITES: Mapping[str, frozenset[str]] = {
    "Device": frozenset({"INSERT", "UPDATE"}),
    "Device_Tenant": frozenset({"INSERT"}),
    "MobilityDevice": frozenset({"INSERT", "UPDATE"}),
    "TelegenceDevice": frozenset({"INSERT", "UPDATE"}),
    "JasperCommunicationPlan": frozenset({"INSERT"}),
    "OptimizationSession": frozenset({"UPDATE"}),
    "CleanupDeviceSync": frozenset({"INSERT", "UPDATE"}),
    "CleanupNewCommunicationPlan": frozenset({"INSERT"}),
    "CleanupOptimizationHandover": frozenset({"INSERT", "UPDATE"}),
    "CleanupOperatorAlert": frozenset({"INSERT", "UPDATE"}),  # the operators' alerts
    "CleanupRejectedRow": frozenset({"INSERT", "DELETE"}),
    "CleanupJudgedRow": frozenset({"INSERT", "DELETE"}),  # the set-based engine's verdicts
    "CleanupSyncNotification": frozenset({"INSERT", "UPDATE"}),
    # A forced sync's run clears its provider's rows to process first (F:585-627): a login
    # that may not delete them fails that run.
    **{name: frozenset({"DELETE"}) for name in rows_to_process_tables},
}
SET_BASED_WRITES = frozenset({"Device", "Device_Tenant", "MobilityDevice", "TelegenceDevice",
                              "CleanupJudgedRow"})

# The summary's first result set, read by position (F:1266-1304; sql/summary.py FIELDS).
SUMMARY_COLUMNS = (("DetailLastSyncDate", "datetime"), ("DetailQueueCount", "integer"),
                   ("DetailUpdatedCount", "integer"), ("UsageLastSyncDate", "datetime"),
                   ("UsageQueueCount", "integer"), ("UsageUpdatedCount", "integer"),
                   ("DeviceCount", "integer"))


@dataclass(frozen=True)
class Finding:
    """One problem with one object, and what fixes it."""

    severity: str  # BLOCKING | warning | info
    database: str  # central | jasper
    kind: str  # table, column, own table, procedure, parameter, result set, version, …
    name: str
    problem: str
    fix: str = ""

    @property
    def blocking(self) -> bool:
        return self.severity == BLOCKING

    def line(self) -> str:
        return (f"{self.severity:<8} {self.database:<7} {self.kind:<11} {self.name}: "
                f"{self.problem}" + (f" — fix: {self.fix}" if self.fix else ""))


@dataclass(frozen=True)
class ExpectedProcedure:
    """A procedure we call: where, with which parameter names, and what we read from it."""

    name: str  # as called: a legacy constant's name resolved (CLEANUP_PROCEDURE_NAMES)
    database: Database
    parameters: tuple[str, ...]
    used_by: str
    reads: str | None = None  # "summary" | "billing period" | "rows": its first result set
    constant: str | None = None  # the C# constant the legacy names it by, if any


def expected_procedures(*, finalizes: bool, reads: bool,
                        names: Mapping[str, str] | None = None) -> list[ExpectedProcedure]:
    """Every procedure the location calls, once per (name, database), under the name it is
    called by: ``names`` maps the legacy C# constants to procedure names (None: as
    ``CLEANUP_PROCEDURE_NAMES`` configures them, registry.procedure_name)."""
    found: dict[tuple[str, Database], ExpectedProcedure] = {}

    def add(name: str, database: Database, parameters, used_by: str, reads=None) -> None:
        called = (names or {}).get(name, name) if names is not None else procedure_name(name)
        constant = name if name in CONSTANT_PROCEDURES else None
        found.setdefault((called, database), ExpectedProcedure(
            called, database, tuple(parameters), used_by, reads, constant))

    for integration in INTEGRATIONS.values():
        if finalizes:
            for step in (*integration.procedures, integration.common_procedure):
                add(step.name, step.database, step.parameters,
                    f"{integration.key} finalize, {step.source}")
        if reads:
            add(integration.summary_procedure, integration.summary_database,
                ("ServiceProviderId",) if integration.summary_takes_provider else (),
                f"{integration.key} summary (F:1215-1314)", reads="summary")
            if integration.billing_cycle_discrepancy_report:
                add(DISCREPANCY_PROCEDURE, Database.CENTRAL, ("ServiceProviderId",),
                    "billing-cycle discrepancies (ThingSpaceDiscrepancyService.cs:75-125)",
                    reads="rows")
    if reads:
        add(BILL_PERIOD_PROCEDURE, Database.CENTRAL, ("ServiceProviderId", "BillMonth", "BillYear"),
            "billing period (BillingPeriodHelper.cs:11-54)", reads="billing period")
    return list(found.values())


# --- types ----------------------------------------------------------------------------------
_INT_WIDTH = {"tinyint": 1, "smallint": 2, "int": 4, "integer": 4, "int4": 4, "bigint": 8,
              "int8": 8, "int2": 2}
_STRING = ("char", "varchar", "nchar", "nvarchar", "text", "ntext", "character varying",
           "character", "citext", "bpchar", "sysname")
_DATETIME = ("datetime", "datetime2", "smalldatetime", "datetimeoffset", "date",
             "timestamp without time zone", "timestamp with time zone", "timestamp",
             "timestamptz")
_NUMBER = ("numeric", "decimal", "float", "real", "money", "smallmoney", "double precision")


def family_of(type_name: str) -> tuple[str, int | None]:
    """(family, length or integer width) of a catalog's type name, e.g. ``nvarchar(20)``
    → ("string", 20), ``character varying`` → ("string", None): None is unbounded/unknown."""
    name = type_name.strip().lower()
    base = re.sub(r"\s*\(.*\)", "", name).strip()
    size = re.search(r"\((max|-?\d+)", name)
    if base in _INT_WIDTH:
        return "integer", _INT_WIDTH[base]
    if base in ("bit", "boolean", "bool"):
        return "boolean", None
    if base in _STRING:
        length = None if not size or size.group(1) in ("max", "-1") else int(size.group(1))
        return "string", length
    if base in _DATETIME:
        return "datetime", None
    if base in _NUMBER:
        return "number", None
    return base, None


def model_family(column: Column) -> tuple[str, int | None]:
    kind = column.type
    if isinstance(kind, Boolean):
        return "boolean", None
    if isinstance(kind, BigInteger):
        return "integer", 8
    if isinstance(kind, SmallInteger):
        return "integer", 2
    if isinstance(kind, Integer):
        return "integer", 4
    if isinstance(kind, String):
        return "string", kind.length  # Text: None, unbounded
    if isinstance(kind, DateTime):
        return "datetime", None
    return type(kind).__name__.lower(), None


def _compatible(ours: str, theirs: str) -> bool:
    return ours == theirs or {ours, theirs} == {"integer", "number"}


# --- catalog queries ------------------------------------------------------------------------
# The schema our objects live in: SQL Server's EXEC names [dbo] (sql/procedures.py).
SQL_SERVER_SCHEMA = "dbo"

COLUMNS_SQL = {
    "mssql": "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH "
             "FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = :schema "
             "AND TABLE_NAME IN :names",
    "postgresql": "SELECT table_name, column_name, data_type, character_maximum_length "
                  "FROM information_schema.columns WHERE table_schema = current_schema() "
                  "AND table_name IN :names",
    "sqlite": "SELECT m.name, p.name, p.type, NULL FROM sqlite_master AS m "
              "JOIN pragma_table_info(m.name) AS p WHERE m.type IN ('table', 'view') "
              "AND m.name IN :names",
}
PROCEDURES_SQL = {
    # sys.parameters names carry their '@'; a procedure without parameters has one NULL row.
    "mssql": "SELECT o.name, p.name, p.parameter_id, "
             "HAS_PERMS_BY_NAME(QUOTENAME(SCHEMA_NAME(o.schema_id)) + '.' + QUOTENAME(o.name), "
             "'OBJECT', 'EXECUTE') "
             "FROM sys.objects AS o LEFT JOIN sys.parameters AS p ON p.object_id = o.object_id "
             "WHERE o.schema_id = SCHEMA_ID(:schema) AND o.type IN ('P', 'PC') "
             "AND o.name IN :names ORDER BY o.name, p.parameter_id",
    # Input parameters are the names whose mode is i, b or v (or all, when no modes); a
    # RETURNS TABLE function's t columns are its result set.
    "postgresql": "SELECT p.proname, p.prokind, pg_get_function_arguments(p.oid), "
                  "p.pronargdefaults, coalesce(p.proargnames, '{}'::text[]), "
                  "coalesce(p.proargmodes::text[], '{}'::text[]), "
                  "ARRAY(SELECT format_type(a.t, NULL) FROM unnest(coalesce("
                  "p.proallargtypes, p.proargtypes::oid[])) WITH ORDINALITY AS a(t, n) "
                  "ORDER BY a.n), has_function_privilege(p.oid, 'EXECUTE') "
                  "FROM pg_proc AS p WHERE p.pronamespace = current_schema()::regnamespace "
                  "AND p.proname IN :names",
}
VERSION_SQL = {
    # The database's compatibility level decides which T-SQL it accepts (TRY_CONVERT: 110).
    "mssql": "SELECT CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)), "
             "TRY_CAST(SERVERPROPERTY('EngineEdition') AS int), CURRENT_USER, "
             "(SELECT d.compatibility_level FROM sys.databases AS d "
             "WHERE d.database_id = DB_ID()), DB_NAME()",
    "postgresql": "SELECT current_setting('server_version'), "
                  "current_setting('server_version_num')::int, current_user",
}
# The first result set of a procedure call, described without running it (one row per
# column: column_ordinal, name, system_type_name, is_hidden, …).
DESCRIBE_SQL = "EXEC sp_describe_first_result_set @tsql = :tsql"


def _permissions_sql(dialect: str, count: int) -> str:
    rows = ", ".join(f"(:o{i}, :p{i})" for i in range(count))
    if dialect == "mssql":
        return ("SELECT v.object_name, v.permission, HAS_PERMS_BY_NAME(QUOTENAME(:schema) + '.' "
                "+ QUOTENAME(v.object_name), 'OBJECT', v.permission) "
                f"FROM (VALUES {rows}) AS v(object_name, permission)")
    return ("SELECT v.object_name, v.permission, has_table_privilege(c.oid, v.permission) "
            f"FROM (VALUES {rows}) AS v(object_name, permission) JOIN pg_class AS c "
            "ON c.relname = v.object_name AND c.relnamespace = current_schema()::regnamespace")


def describe_call(procedure: ExpectedProcedure) -> str:
    """The call whose first result set ``sp_describe_first_result_set`` describes (the
    T-SQL of sql/procedures.py, every parameter NULL: it is described, never run). The
    text is a value, bound as @tsql; its names are checked identifiers."""
    for part in (procedure.name, *procedure.parameters):
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part):
            raise ValueError(f"not a procedure or parameter name: {part!r}")
    arguments = ", ".join(f"@{p} = NULL" for p in procedure.parameters)
    return f"EXEC [{SQL_SERVER_SCHEMA}].[{procedure.name}]" + (f" {arguments}" if arguments else "")


def catalog_statements(dialect: str = "mssql") -> list[tuple[str, object]]:
    """(title, statement) of every catalog query preflight issues on ``dialect``, with
    example bound values (explain-sql prints the SQL Server ones)."""
    names = [t.name for t in (*checked_legacy_tables(), *REQUIRED_OWN_TABLES,
                              *SET_BASED_TABLES, *SHADOW_TABLES)]
    procedures = expected_procedures(finalizes=True, reads=True)
    statements = [
        ("preflight: columns", text(COLUMNS_SQL[dialect]).bindparams(
            bindparam("names", names, expanding=True),
            *([bindparam("schema", SQL_SERVER_SCHEMA)] if dialect == "mssql" else []))),
        ("preflight: procedures and their parameters", text(PROCEDURES_SQL[dialect]).bindparams(
            bindparam("names", [p.name for p in procedures], expanding=True),
            *([bindparam("schema", SQL_SERVER_SCHEMA)] if dialect == "mssql" else []))),
        ("preflight: server version", text(VERSION_SQL[dialect])),
        ("preflight: permissions", _permissions_statement(
            dialect, [("Device", "SELECT"), ("Device", "INSERT")])),
    ]
    if dialect == "mssql":
        summary = next(p for p in procedures if p.reads == "summary")
        statements.append(("preflight: a reading procedure's first result set",
                           text(DESCRIBE_SQL).bindparams(tsql=describe_call(summary))))
    return statements


def _permissions_statement(dialect: str, wanted: Sequence[tuple[str, str]]):
    values = {}
    for i, (name, permission) in enumerate(wanted):
        values[f"o{i}"], values[f"p{i}"] = name, permission
    if dialect == "mssql":
        values["schema"] = SQL_SERVER_SCHEMA
    return text(_permissions_sql(dialect, len(wanted))).bindparams(**values)


# --- the checks -----------------------------------------------------------------------------
@dataclass
class _Catalog:
    """What one database's catalog says (one pass of queries)."""

    dialect: str
    columns: dict[str, dict[str, tuple[str, int | None]]]  # table -> column -> (type, length)
    procedures: dict[str, dict] | None = None
    version: tuple | None = None
    permissions: dict[tuple[str, str], bool] | None = None


def _key(name: str, dialect: str) -> str:
    # SQL Server (default collation) and SQLite match names regardless of case.
    return name if dialect == "postgresql" else name.lower()


def _read_columns(conn: Connection, names: list[str]) -> dict[str, dict]:
    dialect = conn.dialect.name
    statement = text(COLUMNS_SQL[dialect]).bindparams(bindparam("names", names, expanding=True))
    parameters = {"schema": SQL_SERVER_SCHEMA} if dialect == "mssql" else {}
    found: dict[str, dict] = {}
    for table, column, data_type, length in conn.execute(statement, parameters):
        # bounded: the columns of the thirty-odd tables we touch
        shown = data_type if length in (None, -1) or "(" in data_type else f"{data_type}({length})"
        if length == -1:
            shown = f"{data_type}(max)"
        found.setdefault(_key(table, dialect), {})[_key(column, dialect)] = (column, shown)
    return found


def _read_procedures(conn: Connection, names: list[str]) -> dict[str, dict]:
    dialect = conn.dialect.name
    statement = text(PROCEDURES_SQL[dialect]).bindparams(bindparam("names", names, expanding=True))
    found: dict[str, dict] = {}
    if dialect == "mssql":
        for name, parameter, _, can_execute in conn.execute(statement,
                                                           {"schema": SQL_SERVER_SCHEMA}):
            entry = found.setdefault(_key(name, dialect), {
                "name": name, "kind": "procedure", "parameters": [], "optional": 0,
                "result": None, "signature": None, "execute": bool(can_execute)})
            if parameter:
                entry["parameters"].append(parameter.lstrip("@"))
        return found
    for name, kind, signature, defaults, arg_names, modes, types, can_execute in conn.execute(
            statement):
        modes = list(modes) or ["i"] * len(types)
        arg_names = list(arg_names) + [""] * (len(modes) - len(arg_names))
        inputs = [n for n, m in zip(arg_names, modes) if m in ("i", "b", "v")]
        result = [(n, t) for n, m, t in zip(arg_names, modes, types) if m == "t"]
        found[_key(name, dialect)] = {
            "name": name, "kind": {"p": "procedure", "f": "function"}.get(kind, kind),
            "parameters": inputs, "optional": defaults or 0, "result": result,
            "signature": signature, "execute": bool(can_execute)}
    return found


def _read_version(conn: Connection) -> tuple:
    return tuple(conn.execute(text(VERSION_SQL[conn.dialect.name])).one())


def _read_permissions(conn: Connection, wanted: list[tuple[str, str]]) -> dict:
    if not wanted:
        return {}
    dialect = conn.dialect.name
    return {(_key(name, dialect), permission.upper()): bool(allowed)
            for name, permission, allowed in conn.execute(_permissions_statement(dialect, wanted))}


def _describe(conn: Connection, procedure: ExpectedProcedure) -> list[tuple[str, str]]:
    rows = conn.execute(text(DESCRIBE_SQL), {"tsql": describe_call(procedure)}).mappings().all()
    return [(row["name"] or "", row["system_type_name"] or "")
            for row in sorted(rows, key=lambda r: r["column_ordinal"]) if not row["is_hidden"]]


def _quoted(dialect: str, table: str, column: str | None = None) -> str:
    if dialect == "mssql":
        name = f"[{SQL_SERVER_SCHEMA}].[{table}]"
        return name + (f".[{column}]" if column else "")
    return f'"{table}"' + (f'."{column}"' if column else "")


def _type_ddl(column: Column, dialect) -> str:
    return column.type.compile(dialect=dialect)


def _alter_type(dialect, table: Table, column: Column) -> str:
    kind = _type_ddl(column, dialect)
    if dialect.name == "mssql":
        null = " NULL" if column.nullable else " NOT NULL"
        return (f"ALTER TABLE {_quoted('mssql', table.name)} ALTER COLUMN [{column.name}] "
                f"{kind}{null}")
    return f'ALTER TABLE "{table.name}" ALTER COLUMN "{column.name}" TYPE {kind}'


def _add_column(dialect, table: Table, column: Column) -> str:
    kind = _type_ddl(column, dialect)
    null = "" if column.nullable else " NOT NULL"
    if dialect.name == "mssql":
        return f"ALTER TABLE {_quoted('mssql', table.name)} ADD [{column.name}] {kind}{null}"
    return f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}{null}'


def _own_column_fix(dialect, table: Table, column: Column) -> str:
    try:
        return add_columns_ddl({table.name: {c.name for c in table.columns if c is not column}},
                               dialect, [table])[0]
    except MissingTablesError as refused:  # NOT NULL without a default: not addable to rows
        return f"{refused}; recreate the table from `cleanup-assets schema-ddl`"


def _where(table: Table) -> Database:
    return Database.JASPER if is_jasper_table(table) else Database.CENTRAL


_SHADOW_NAMES = frozenset(t.name for t in SHADOW_TABLES)
_SET_BASED_OWN = frozenset(t.name for t in SET_BASED_TABLES)  # ours: its recorded verdicts


def _soft(name: str, procedure_engine: bool, shadow: bool) -> str | None:
    """Why a finding on table ``name`` cannot fail a run (it is then a warning), or None."""
    if name in _SHADOW_NAMES:
        return "only the shadow pass writes it, and that pass never fails a run"
    if procedure_engine and (name in SET_BASED_ONLY or name in _SET_BASED_OWN):
        return "only the set-based engine reads it" + (
            "; the shadow pass would record 'failed' (it never fails a run)" if shadow else "")
    return None


def _table_findings(table: Table, catalog: _Catalog, dialect, *, own: bool,
                    procedure_engine: bool, shadow: bool = False) -> list[Finding]:
    database = _where(table).value
    found = catalog.columns.get(_key(table.name, catalog.dialect))
    why_soft = _soft(table.name, procedure_engine, shadow)
    soft = why_soft is not None
    severity = WARNING if soft else BLOCKING
    note = f" ({why_soft})" if soft else ""
    written = table.name in WRITES and not (procedure_engine and table.name in SET_BASED_WRITES)
    if found is None:
        if own:
            fix = ("have a DBA apply `cleanup-assets schema-ddl --dialect mssql`"
                   if dialect.name == "mssql" else "run `cleanup-assets init-db`")
            return [Finding(severity, database, "own table", table.name, "missing" + note,
                            fix)]
        where = ("CLEANUP_JASPER_DATABASE_URL (the Jasper database)" if is_jasper_table(table)
                 else "CLEANUP_DATABASE_URL (the central database)")
        fix = f"point {where} at the database that holds it, or grant the login access to it"
        if dialect.name != "mssql":  # where we create the legacy schema (demo, tests)
            fix += " (or run `cleanup-assets init-db` to create the schema there)"
        return [Finding(severity, database, "table", table.name,
                        f"missing, or not visible to this login{note}", fix)]
    findings = []
    for column in table.columns:
        present = found.get(_key(column.name, catalog.dialect))
        name = f"{table.name}.{column.name}"
        column_soft = soft or (procedure_engine and table.name in carrier_tables
                               and "guess" in column.info)
        column_severity = WARNING if column_soft else BLOCKING
        if present is None:
            if own:
                fix = _own_column_fix(dialect, table, column)
            else:
                fix = (_add_column(dialect, table, column) + " — or correct "
                       "cleanup_assets/schema.py if our model is wrong")
            findings.append(Finding(column_severity, database,
                                    "own column" if own else "column", name,
                                    "missing" + (note if soft else ""), fix))
            continue
        if catalog.dialect == "sqlite":
            continue  # SQLite enforces neither types nor lengths: nothing to compare
        _, actual_type = present
        theirs, their_size = family_of(actual_type)
        ours, our_size = model_family(column)
        if not _compatible(ours, theirs):
            findings.append(Finding(
                column_severity, database, "column", name,
                f"is {actual_type}, we read{' and write' if written else ''} it as {ours} "
                f"({_type_ddl(column, dialect)})",
                _alter_type(dialect, table, column) + " — or correct cleanup_assets/schema.py"))
            continue
        shorter = (ours == theirs and their_size is not None
                   and (our_size is None or their_size < our_size))
        if shorter and (written or own):
            what = "characters" if ours == "string" else "bytes"
            findings.append(Finding(
                BLOCKING, database, "column", name,
                f"is {actual_type}, narrower than the {our_size or 'unbounded'} {what} we write "
                f"({_type_ddl(column, dialect)}): a longer value fails the write",
                _alter_type(dialect, table, column)))
    return findings


def _procedure_findings(procedure: ExpectedProcedure, catalog: _Catalog, dialect: str,
                        describe: Callable[[ExpectedProcedure], list] | None) -> list[Finding]:
    database = procedure.database.value
    declared = (catalog.procedures or {}).get(_key(procedure.name, dialect))
    passing = ", ".join(f"@{p}" for p in procedure.parameters) or "no parameters"
    if declared is None:
        if procedure.constant:
            fix = (f"the legacy names it by the C# constant {procedure.constant}: set "
                   f"{PROCEDURE_NAMES_SETTING} ({procedure.constant}=<its real name>, …), or "
                   "create it there")
        else:
            fix = ("create it there (its name is a literal of the legacy's source), or point "
                   + ("CLEANUP_JASPER_DATABASE_URL" if procedure.database is Database.JASPER
                      else "CLEANUP_DATABASE_URL") + " at the database that has it")
        return [Finding(BLOCKING, database, "procedure", procedure.name,
                        f"missing from the {database} database ({procedure.used_by}; we pass "
                        f"{passing})", fix)]
    findings = []
    if dialect == "postgresql":
        wanted_kind = "function" if procedure.reads else "procedure"
        if declared["kind"] != wanted_kind:
            findings.append(Finding(
                BLOCKING, database, "procedure", procedure.name,
                f"is a {declared['kind']}; called with "
                f"{'SELECT * FROM' if procedure.reads else 'CALL'} it must be a {wanted_kind}",
                f"CREATE OR REPLACE {wanted_kind.upper()} \"{procedure.name}\"(…)"))
    match = (lambda a, b: a == b) if dialect == "postgresql" else (
        lambda a, b: a.lower() == b.lower())
    signature = declared["signature"] or ", ".join(f"@{p}" for p in declared["parameters"])
    for parameter in procedure.parameters:
        if not any(match(parameter, d) for d in declared["parameters"]):
            findings.append(Finding(
                BLOCKING, database, "parameter", f"{procedure.name} @{parameter}",
                f"not declared (it declares: {signature or 'nothing'}); we pass {passing}",
                f"declare @{parameter} in {procedure.name}, or correct its parameters in "
                "cleanup_assets/registry.py"))
    extra = [d for d in declared["parameters"]
             if not any(match(p, d) for p in procedure.parameters)]
    # pronargdefaults (PostgreSQL): how many of the last input parameters have defaults.
    # sys.parameters cannot tell for a T-SQL procedure: every extra one may be required.
    known = dialect == "postgresql"
    defaulted = declared["parameters"][len(declared["parameters"]) - declared["optional"]:]
    for parameter in extra:
        if not (known and declared["optional"] and parameter in defaulted):
            findings.append(Finding(
                BLOCKING if known else WARNING, database, "parameter",
                f"{procedure.name} @{parameter}",
                "declared but not passed by us" + (
                    " and without a default: the call fails" if known else
                    ": fine only if it has a default (sys.parameters cannot tell for T-SQL)"),
                f"give @{parameter} a default, or pass it (cleanup_assets/registry.py)"))
    if not declared["execute"]:
        findings.append(Finding(BLOCKING, database, "permission", procedure.name,
                                "this login may not EXECUTE it",
                                f"GRANT EXECUTE ON {_quoted(dialect, procedure.name)} TO "
                                f"{_user(catalog)}"))
    if procedure.reads in ("summary", "billing period"):
        findings += _result_findings(procedure, declared, dialect, describe)
    return findings


def _result_findings(procedure, declared, dialect, describe) -> list[Finding]:
    database = procedure.database.value
    if dialect == "mssql":
        try:
            result = describe(procedure)
        except Exception as error:  # temp tables or dynamic SQL: SQL Server cannot describe it
            return [Finding(WARNING, database, "result set", procedure.name,
                            f"sp_describe_first_result_set could not describe it "
                            f"({type(error).__name__}: {_first_line(error)})",
                            "check its first result set by hand")]
    else:
        result = declared["result"] or []
    shown = ", ".join(f"{n or '(unnamed)'} {t}" for n, t in result) or "no columns"
    if procedure.reads == "billing period":
        # Read as GetOrdinal("Id") reads it: the exact name, else ignoring case
        # (BillingPeriodHelper.cs:28-46; sql/gate_facts.last_period_id).
        if any(n.casefold() == "id" for n, _ in result):
            return []
        return [Finding(BLOCKING, database, "result set", procedure.name,
                        f"its first result set has no Id column ({shown}): reading the "
                        "billing period fails (the legacy throws there too)",
                        "ALTER the procedure so its first result set has an Id column "
                        "(BillingPeriodHelper.cs:28-46)")]
    expected = ", ".join(f"{n} {f}" for n, f in SUMMARY_COLUMNS)
    if len(result) < len(SUMMARY_COLUMNS):
        return [Finding(BLOCKING, database, "result set", procedure.name,
                        f"its first result set has {len(result)} column(s) ({shown}); we read "
                        f"{len(SUMMARY_COLUMNS)} by position (F:1266-1304): the summary email "
                        "fails", f"ALTER the procedure to return {expected}")]
    findings = []
    for position, ((label, wanted), (name, type_name)) in enumerate(zip(SUMMARY_COLUMNS,
                                                                        result)):
        family = family_of(type_name)[0]
        if not _compatible(wanted, family):
            findings.append(Finding(
                BLOCKING, database, "result set", f"{procedure.name} column {position}",
                f"is {name or '(unnamed)'} {type_name}; we read it by position as {label} "
                f"({wanted}, F:1266-1304)", f"ALTER the procedure to return {expected}"))
    return findings


def _first_line(error: BaseException) -> str:
    return str(getattr(error, "orig", error)).strip().splitlines()[0][:300] if str(error) else ""


def _user(catalog: _Catalog) -> str:
    user = (catalog.version or (None, None, None))[2] or "<the location's login>"
    return f"[{user}]" if catalog.dialect == "mssql" else f'"{user}"'


def _version_findings(catalog: _Catalog, database: str) -> list[Finding]:
    if catalog.version is None:
        return []
    if catalog.dialect == "postgresql":
        shown, number, _ = catalog.version
        severity = BLOCKING if number < 110000 else INFO
        return [Finding(severity, database, "version", f"PostgreSQL {shown}",
                        "procedures (CALL) need PostgreSQL 11" if number < 110000 else
                        "not checked against a minimum: the tests run on one PostgreSQL "
                        "release", "upgrade PostgreSQL" if number < 110000 else "")]
    product, edition, _, level, name = catalog.version
    major = int(str(product).split(".")[0]) if product else 0
    minimum = SQL_SERVER_RELEASES[MINIMUM_SQL_SERVER]
    release = SQL_SERVER_RELEASES.get(major, f"major version {major}")
    needed_level = MINIMUM_SQL_SERVER * 10  # 2012 (11.x): compatibility level 110
    if edition not in _AZURE_EDITIONS and major < MINIMUM_SQL_SERVER:
        return [Finding(BLOCKING, database, "version", f"SQL Server {product} ({release})",
                        f"older than SQL Server {minimum} ({MINIMUM_SQL_SERVER}.x), the oldest "
                        "our statements run on (`cleanup-assets explain-sql --dialect mssql`)",
                        f"upgrade the server to SQL Server {minimum} or later")]
    if level is not None and level < needed_level:
        return [Finding(BLOCKING, database, "version", f"compatibility level {level} of {name}",
                        f"below {needed_level}, the level of SQL Server {minimum}, whose T-SQL "
                        "our statements use", f"ALTER DATABASE [{name}] SET COMPATIBILITY_LEVEL "
                        f"= {needed_level} (or higher)")]
    return [Finding(INFO, database, "version",
                    f"SQL Server {product}, compatibility level {level}",
                    f"at least {minimum} (level {needed_level}), which our statements need")]


def required_sql_server(statements: Iterable[str]) -> tuple[int, list[str]]:
    """(the oldest major version, the features that need it) for T-SQL texts."""
    needed, features = 10, set()
    for sql in statements:
        for pattern, major, feature in SQL_SERVER_FEATURES:
            if pattern.search(sql):
                needed = max(needed, major)
                features.add((major, feature))
    return needed, [f for m, f in sorted(features) if m == needed]


def _integration_findings(conn: Connection, configured: str | None) -> list[Finding]:
    findings = []
    try:
        ids = integration_ids(conn, configured or "")
    except ValueError as error:
        return [Finding(BLOCKING, "central", "integration", VARIABLE, str(error),
                        f"correct {VARIABLE}")]
    for integration in INTEGRATIONS.values():
        if integration.key not in ids:
            findings.append(Finding(
                BLOCKING, "central", "integration", integration.legacy_name,
                "no Integration row is named so (ignoring case and punctuation)",
                f"set {VARIABLE} (e.g. {VARIABLE}={integration.legacy_name}=<Integration.id>), "
                "or name its Integration row so"))
    if configured:
        listed = set(parse_configured(configured).values())
        present = set(conn.execute(
            integration_table.select().with_only_columns(integration_table.c.id)
            .where(integration_table.c.id.in_(sorted(listed)))).scalars())
        for key, value in sorted(ids.items()):
            if value not in present:
                findings.append(Finding(
                    BLOCKING, "central", "integration", INTEGRATIONS[key].legacy_name,
                    f"{VARIABLE} maps it to {value}, which no Integration row has",
                    f"correct {VARIABLE}"))
    return findings


def check_database(conn: Connection, database: Database, *, tables: Sequence[Table],
                   procedures: Sequence[ExpectedProcedure], procedure_engine: bool,
                   shadow: bool = False) -> list[Finding]:
    """The findings of one database: one query each for its columns, procedures (with
    their parameters, result columns on PostgreSQL and EXECUTE permission), version and
    table permissions; on SQL Server one description per reading procedure."""
    dialect = conn.dialect.name
    if dialect not in COLUMNS_SQL:
        return [Finding(BLOCKING, database.value, "database", dialect,
                        "not a database preflight knows", "use SQL Server or PostgreSQL")]
    names = [t.name for t in tables]
    catalog = _Catalog(dialect, _read_columns(conn, names))
    findings: list[Finding] = []
    if dialect == "sqlite":
        if procedures:
            findings.append(Finding(
                BLOCKING, database.value, "procedure", "(all)",
                "SQLite has no procedures, and the procedure engine needs them",
                "CLEANUP_FINALIZE_ENGINE=set_based"))
            procedures = ()  # each would only be "missing" again
        findings.append(Finding(INFO, database.value, "database", "SQLite",
                                "tables and columns checked; SQLite enforces no types or "
                                "lengths and has no procedures, permissions or versions to check"))
    else:
        catalog.version = _read_version(conn)
        findings += _version_findings(catalog, database.value)
        if procedures:
            catalog.procedures = _read_procedures(conn, [p.name for p in procedures])
        wanted = []
        for table in tables:
            if _key(table.name, dialect) not in catalog.columns:
                continue  # reported missing; its permissions say nothing more
            wanted.append((table.name, "SELECT"))
            writes = WRITES.get(table.name, frozenset())
            if procedure_engine and table.name in SET_BASED_WRITES and not shadow:
                writes = frozenset()  # the legacy procedures write it (the shadow pass: we)
            wanted += [(table.name, w) for w in sorted(writes)]
        catalog.permissions = _read_permissions(conn, wanted)
        for (name, permission), allowed in sorted(catalog.permissions.items()):
            if not allowed:
                table = next(t for t in tables if _key(t.name, dialect) == name)
                why_soft = _soft(table.name, procedure_engine, shadow)
                if (why_soft is None and procedure_engine and permission != "SELECT"
                        and table.name in SET_BASED_WRITES):
                    why_soft = "only the shadow pass writes it, and that pass never fails a run"
                findings.append(Finding(
                    BLOCKING if why_soft is None else WARNING, database.value, "permission",
                    table.name, f"this login may not {permission} it"
                    + (f" ({why_soft})" if why_soft else ""),
                    f"GRANT {permission} ON {_quoted(dialect, table.name)} TO {_user(catalog)}"))
    own = set(REQUIRED_OWN_TABLES) | set(SET_BASED_TABLES) | set(SHADOW_TABLES)
    for table in tables:
        findings += _table_findings(table, catalog, conn.dialect, own=table in own,
                                    procedure_engine=procedure_engine, shadow=shadow)
    describe = (lambda p: _describe(conn, p)) if dialect == "mssql" else None
    for procedure in procedures:
        findings += _procedure_findings(procedure, catalog, dialect, describe)
    return findings


def preflight(databases: Databases, *, engine=None, integration_ids: str | None = None,
              procedure_names: Mapping[str, str] | None = None,
              shadow: str | None = None) -> list[Finding]:
    """Every finding for the configured databases, blocking ones first: one connection to
    each database, one pass of catalog queries (``check_connections``).

    ``engine``: the finalize engine (sql/finalize.Engine; None: the database's default);
    ``integration_ids``: ``CLEANUP_INTEGRATION_IDS`` as configured (None: unset);
    ``procedure_names``: {C# constant: procedure} (None: ``CLEANUP_PROCEDURE_NAMES`` of the
    process environment, as the calls resolve them); ``shadow``: ``CLEANUP_SHADOW_ENGINE``
    (set: with the procedure engine the shadow pass runs, and its tables are checked).
    """
    with ExitStack() as stack:
        central = _connect(stack, databases.central, Database.CENTRAL)
        jasper = _connect(stack, databases.jasper, Database.JASPER) if databases.separate else None
        unreachable = [c for c in (central, jasper) if isinstance(c, Finding)]
        if unreachable:
            return unreachable
        return check_connections(central, jasper, engine=engine,
                                 integration_ids=integration_ids,
                                 procedure_names=procedure_names, shadow=shadow)


def checked_legacy_tables() -> list[Table]:
    """The legacy tables (and the view) some statement of ours reads or writes."""
    return [t for t in (*LEGACY_TABLES, comm_plan_rate_plan) if t.name not in NOT_TOUCHED]


def check_connections(central: Connection, jasper: Connection | None, *, engine=None,
                      integration_ids: str | None = None,
                      procedure_names: Mapping[str, str] | None = None,
                      shadow: str | None = None) -> list[Finding]:
    """``preflight`` over open connections (``jasper`` None: the central database holds the
    Jasper tables too). Only reads: a caller's open transaction is left as it was."""
    dialect = central.dialect.name
    engine = FinalizeEngine(engine) if engine else FinalizeEngine.default_for(dialect)
    procedure_engine = engine is FinalizeEngine.PROCEDURES
    reads = engine.reads_by_procedure(dialect) and dialect != "sqlite"
    procedures = expected_procedures(finalizes=procedure_engine, reads=reads,
                                     names=procedure_names)
    shadowed = procedure_engine and bool(shadow)  # sql/shadow.py runs beside the procedures
    tables = [*checked_legacy_tables(), *REQUIRED_OWN_TABLES, *SET_BASED_TABLES,
              *(SHADOW_TABLES if shadowed else ())]
    findings: list[Finding] = []
    places = [(Database.CENTRAL, central)] + ([(Database.JASPER, jasper)] if jasper else [])
    for database, conn in places:
        here = [t for t in tables if jasper is None or _where(t) is database]
        calls = [p for p in procedures if jasper is None or p.database is database]
        findings += _guarded(database, lambda: check_database(
            conn, database, tables=here, procedures=calls, procedure_engine=procedure_engine,
            shadow=shadowed))
    if not any(f.kind in ("table", "database") and f.database == "central"
               and f.name in (integration_table.name, "catalog") for f in findings):
        findings += _guarded(Database.CENTRAL,
                             lambda: _integration_findings(central, integration_ids))
    order = {BLOCKING: 0, WARNING: 1, INFO: 2}
    return sorted(findings, key=lambda f: order[f.severity])


def _variable(database: Database) -> str:
    return "CLEANUP_JASPER_DATABASE_URL" if database is Database.JASPER else "CLEANUP_DATABASE_URL"


def _scrubbed(error: BaseException, engine: Engine) -> str:
    """The error's first line, never the URL's password."""
    message = _first_line(error)
    password = engine.url.password
    return message.replace(str(password), "***") if password else message


def _connect(stack: ExitStack, engine: Engine, database: Database) -> Connection | Finding:
    try:
        return stack.enter_context(engine.connect())
    except Exception as error:
        return Finding(BLOCKING, database.value, "database", "connection",
                       f"cannot connect: {type(error).__name__}: {_scrubbed(error, engine)}",
                       f"check {_variable(database)} and that the login can connect")


def _guarded(database: Database, check) -> list[Finding]:
    """``check()``'s findings; a catalog the login cannot read is one blocking finding."""
    try:
        return check()
    except Exception as error:
        return [Finding(BLOCKING, database.value, "database", "catalog",
                        f"preflight could not read it: {type(error).__name__}: "
                        f"{_first_line(error)}",
                        f"check {_variable(database)} and the login's rights on the catalog")]


def blocking(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.blocking]


def report(findings: Sequence[Finding]) -> str:
    """The findings, one line each, and a closing count."""
    lines = [f.line() for f in findings]
    stopping = len(blocking(findings))
    lines.append(f"preflight: {stopping} blocking finding(s), "
                 f"{sum(f.severity == WARNING for f in findings)} warning(s)"
                 + ("" if stopping else " — a run can start"))
    return "\n".join(lines)


def _password(url: str | None) -> str | None:
    try:
        return make_url(url).password if url else None
    except Exception:  # not a URL: nothing of it is shown anyway
        return None


def preflight_from_settings(settings=None) -> list[Finding]:
    """Preflight against the databases the environment configures (what the CLI and a
    production load run)."""
    settings = settings or Settings()
    try:
        databases = connect_databases(
            settings.raw("CLEANUP_DATABASE_URL") or default_database_url(),
            settings.raw("CLEANUP_JASPER_DATABASE_URL"))
    except Exception as error:
        message = _first_line(error)
        for name in ("CLEANUP_DATABASE_URL", "CLEANUP_JASPER_DATABASE_URL"):
            password = _password(settings.raw(name))
            message = message.replace(password, "***") if password else message
        return [Finding(BLOCKING, "central", "database", "connection",
                        f"cannot open the configured databases: {type(error).__name__}: "
                        f"{message}",
                        "check CLEANUP_DATABASE_URL and CLEANUP_JASPER_DATABASE_URL")]

    configured = settings.raw(PROCEDURE_NAMES_SETTING)
    try:
        return preflight(databases, engine=settings.raw("CLEANUP_FINALIZE_ENGINE"),
                         integration_ids=settings.raw("CLEANUP_INTEGRATION_IDS"),
                         procedure_names=parse_procedure_names(configured) if configured
                         else {}, shadow=settings.raw("CLEANUP_SHADOW_ENGINE"))
    finally:
        databases.dispose()


def refuse_on_blocking_findings(settings) -> None:
    """Raise ``PreflightRefused`` naming every blocking finding with its fix (a production
    code location's load calls this: nothing is loaded, nothing written)."""
    stopping = blocking(preflight_from_settings(settings))
    if stopping:
        raise PreflightRefused(
            "CLEANUP_DEPLOYMENT=production: preflight found what would fail a run; nothing was "
            "loaded (`cleanup-assets preflight` lists every finding):\n  - "
            + "\n  - ".join(f.line() for f in stopping))


class PreflightRefused(ConfigurationError):
    """The configured databases would fail a run: the production location does not load."""


__all__ = ["Finding", "PreflightRefused", "blocking", "catalog_statements", "check_connections",
           "preflight", "preflight_from_settings", "refuse_on_blocking_findings", "report",
           "required_sql_server", "MINIMUM_SQL_SERVER"]
