"""Calling a legacy stored procedure: one SQLAlchemy element, compiled per database.

On SQL Server it is the legacy call itself, ``EXEC [dbo].[usp_…] @Name = ?, …`` (the C#
code's ``CommandType.StoredProcedure`` with ``AddWithValue``: named parameters, values
bound, never spliced). On PostgreSQL — where the tests create stand-in procedures under
the legacy names — it is ``CALL "usp_…"("Name" => …)``, or ``SELECT * FROM "usp_…"(…)`` for
a procedure whose result set the caller reads (a stand-in function returning a table).
SQLite has no procedures: compiling for it is an error that says so.

Being one element, a captured call can be compiled again for SQL Server, which is how
``explain-sql`` and the T-SQL test show the exact ``EXEC`` text of every call.

A name the legacy takes from a C# constant (``POND_DEVICE_SYNC``, the summary procedures…)
is resolved here, once for every caller, through ``registry.procedure_name``
(``CLEANUP_PROCEDURE_NAMES``); a procedure the server does not have fails with
``ProcedureNotFound`` naming that setting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from sqlalchemy import bindparam
from sqlalchemy.exc import CompileError, DBAPIError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.elements import ClauseElement

from ..registry import CONSTANT_PROCEDURES, PROCEDURE_NAMES_SETTING, procedure_name

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class ProcedureNotFound(LookupError):
    """The database has no procedure of the name we call (SQL Server error 2812; PostgreSQL
    42883): a configuration fault, never retried."""


class procedure_call(Executable, ClauseElement):
    """``EXEC [dbo].[name] @Param = :value, …`` with every value a bound parameter.

    ``parameters`` maps the legacy parameter names (without ``@``) to their values, in the
    legacy order. ``returns_rows``: the caller reads a result set from it.
    """

    inherit_cache = False  # compiled per call: a handful per partition, never per device
    _execution_options = Executable._execution_options.union({"autocommit": False})

    def __init__(self, name: str, parameters: Mapping[str, Any] | None = None, *,
                 returns_rows: bool = False):
        # ``name`` is the registry's: a legacy constant's name becomes the configured one.
        self.constant = name if name in CONSTANT_PROCEDURES else None
        name = procedure_name(name)
        # Names come from the registry and a checked setting, never from input; checked
        # anyway because they cannot be bound parameters.
        for part in (name, *(parameters or {})):
            if not _NAME.match(part):
                raise ValueError(f"not a procedure or parameter name: {part!r}")
        self.name = name
        self.parameters = dict(parameters or {})
        self.returns_rows = returns_rows

    def _bound(self):
        return [(key, bindparam(f"p_{key}", value, unique=True))
                for key, value in self.parameters.items()]

    def __repr__(self) -> str:
        args = ", ".join(f"@{k}={v!r}" for k, v in self.parameters.items())
        return f"procedure_call({self.name}{': ' + args if args else ''})"


@compiles(procedure_call, "mssql")
def _exec_mssql(element: procedure_call, compiler, **kw) -> str:
    args = ", ".join(f"@{key} = {compiler.process(value, **kw)}"
                     for key, value in element._bound())
    return f"EXEC [dbo].[{element.name}]" + (f" {args}" if args else "")


@compiles(procedure_call, "postgresql")
def _call_postgresql(element: procedure_call, compiler, **kw) -> str:
    args = ", ".join(f'"{key}" => {compiler.process(value, **kw)}'
                     for key, value in element._bound())
    if element.returns_rows:
        return f'SELECT * FROM "{element.name}"({args})'
    return f'CALL "{element.name}"({args})'


@compiles(procedure_call)
def _call_elsewhere(element: procedure_call, compiler, **kw) -> str:
    raise CompileError(
        f"{compiler.dialect.name} has no stored procedures: the procedure engine needs SQL "
        "Server (or PostgreSQL with procedures under the legacy names); use "
        "CLEANUP_FINALIZE_ENGINE=set_based here"
    )


@dataclass(frozen=True)
class ResultSet:
    """A procedure's first result set as the legacy's ``SqlDataReader`` sees it: columns by
    position, their names as the server gave them — possibly empty (``SELECT @a, @b``) or
    repeated. Read by ordinal (the summary, F:1266-1304) or through ``ordinal(name)``
    (``GetOrdinal``, BillingPeriodHelper.cs:30-45); never through a mapping of names, which
    would lose an unnamed or repeated column."""

    columns: tuple[str, ...] = ()
    rows: tuple[tuple, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def ordinal(self, name: str) -> int:
        """``SqlDataReader.GetOrdinal``: the first column of exactly that name, else the first
        whose name matches ignoring case; a clear error naming what there is otherwise (the
        legacy throws IndexOutOfRangeException)."""
        for position, column in enumerate(self.columns):
            if column == name:
                return position
        for position, column in enumerate(self.columns):
            if column.casefold() == name.casefold():
                return position
        raise LookupError(f"the result has no column {name!r} (columns: "
                          f"{', '.join(repr(c) for c in self.columns) or 'none'})")

    def records(self) -> list[dict]:
        """Rows as dicts for a report, one key per position: an unnamed column is
        ``Column<n>`` (1-based), a repeated name gets `` (2)``, `` (3)``…"""
        keys, seen = [], {}
        for position, column in enumerate(self.columns, start=1):
            key = column or f"Column{position}"
            seen[key.casefold()] = seen.get(key.casefold(), 0) + 1
            keys.append(key if seen[key.casefold()] == 1 else f"{key} ({seen[key.casefold()]})")
        return [dict(zip(keys, row)) for row in self.rows]  # bounded: a procedure's result


def run_procedure(conn, call: procedure_call) -> ResultSet:
    """Execute ``call``; its first result set when it ``returns_rows`` (else empty).

    On SQL Server the call goes through the driver's cursor and every result set is drained
    (``nextset()`` until there is none): pyodbc raises an error that a procedure hits after
    its first result set (or its first row count) only when that set is reached, so a call
    whose results were not drained could fail without anyone hearing of it.
    """
    try:
        return _run(conn, call)
    except DBAPIError as error:
        if not _is_missing_procedure(error):
            raise
        where = (f"the legacy takes its name from the C# constant {call.constant}: set "
                 f"{PROCEDURE_NAMES_SETTING} ({call.constant}=<the real name>, …)"
                 if call.constant else "a literal of the legacy's source")
        declared = ", ".join(f"@{p}" for p in call.parameters) or "none"
        raise ProcedureNotFound(
            f"procedure {call.name} (parameters: {declared}) does not exist in database "
            f"{_database(conn)!r}; {where}. "
            "`cleanup-assets preflight` lists every procedure the location calls"
        ) from error


def _database(conn) -> str:
    return conn.engine.url.database or conn.dialect.name


def _is_missing_procedure(error: DBAPIError) -> bool:
    """SQL Server 2812 "Could not find stored procedure"; PostgreSQL undefined_function."""
    orig = error.orig
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if code == "42883":
        return True
    return any("(2812)" in str(arg) for arg in getattr(orig, "args", ()))


def _run(conn, call: procedure_call) -> ResultSet:
    if conn.dialect.name != "mssql":
        result = conn.execute(call)
        if not call.returns_rows:
            return ResultSet()
        # A procedure's result: a summary row, a period, the rows of a report.
        return ResultSet(tuple(result.keys()),
                         tuple(tuple(row) for row in result))  # bounded: as above
    sql, parameters = mssql_statement(call, conn.dialect)
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql, parameters)
        return drain_result_sets(cursor)
    finally:
        cursor.close()


def mssql_statement(call: procedure_call, dialect) -> tuple[str, list]:
    """The ``EXEC`` text with the driver's positional markers, and its values in order."""
    compiled = call.compile(dialect=dialect)
    values = compiled.construct_params()
    if not compiled.positional:  # a driver with named markers takes the mapping
        return str(compiled), values
    return str(compiled), [values[name] for name in compiled.positiontup]


def drain_result_sets(cursor) -> ResultSet:
    """Every result set of a DBAPI cursor read to its end; the first one with columns kept
    (as the legacy's ``ExecuteReader`` read the first), by position. An error in a later
    set raises."""
    first: ResultSet | None = None
    while True:
        if cursor.description is not None:
            rows = cursor.fetchall()
            if first is None:
                names = tuple(column[0] or "" for column in cursor.description)
                first = ResultSet(names, tuple(tuple(row) for row in rows))  # bounded: as above
        if not cursor.nextset():
            return first or ResultSet()
