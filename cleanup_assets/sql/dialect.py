"""The few expressions whose SQL differs between SQLite, PostgreSQL and SQL Server."""

from __future__ import annotations

from sqlalchemy import DateTime, Integer, String, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement


_ISO_GLOB = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"  # GLOB and T-SQL LIKE alike


class try_timestamp(FunctionElement):
    """Parse carrier text as a UTC timestamp; NULL where it is not a valid one.

    Only ISO-8601 text counts (``YYYY-MM-DD``, optionally a time and an offset): every
    database also accepts words such as ``now`` or ``yesterday``, or a bare number, which
    would turn a carrier's garbage into today's date.
    """

    type = DateTime()
    inherit_cache = True
    name = "try_timestamp"


@compiles(try_timestamp, "sqlite")
def _try_timestamp_sqlite(element, compiler, **kw):
    (arg,) = list(element.clauses)
    value = compiler.process(arg, **kw)
    # datetime() accepts any day up to 31 in every month (2024-02-30); julianday() rolls
    # such a day over into the next month, so the two disagree exactly on impossible dates.
    # A trailing offset is converted to UTC.
    return (
        f"CASE WHEN {value} GLOB '{_ISO_GLOB}*' AND datetime({value}) IS NOT NULL "
        f"AND date(julianday({value})) = date({value}) "
        f"THEN datetime({value}) END"
    )


@compiles(try_timestamp, "postgresql")
def _try_timestamp_pg(element, compiler, **kw):
    (arg,) = list(element.clauses)
    return f"cleanup_try_timestamp({compiler.process(arg, **kw)})"  # see schema.py


@compiles(try_timestamp, "mssql")
def _try_timestamp_mssql(element, compiler, **kw):
    (arg,) = list(element.clauses)
    value = compiler.process(arg, **kw)
    return (
        f"CASE WHEN {value} LIKE '{_ISO_GLOB}%' THEN "
        f"COALESCE(CONVERT(datetime2, SWITCHOFFSET(TRY_CONVERT(datetimeoffset, {value}), 0)), "
        f"TRY_CONVERT(datetime2, {value})) END"
    )


class has_non_digit(FunctionElement):
    """True where a text value contains a character other than 0-9."""

    type = String()
    inherit_cache = True
    name = "has_non_digit"


@compiles(has_non_digit, "sqlite")
def _has_non_digit_sqlite(element, compiler, **kw):
    (arg,) = list(element.clauses)
    return f"({compiler.process(arg, **kw)} GLOB '*[^0-9]*')"


@compiles(has_non_digit, "postgresql")
def _has_non_digit_pg(element, compiler, **kw):
    (arg,) = list(element.clauses)
    return f"({compiler.process(arg, **kw)} ~ '[^0-9]')"


@compiles(has_non_digit, "mssql")
def _has_non_digit_mssql(element, compiler, **kw):
    (arg,) = list(element.clauses)
    return f"({compiler.process(arg, **kw)} LIKE '%[^0-9]%')"


def text_length(expr: ColumnElement) -> ColumnElement:
    """Character length (``char_length`` renders as ``LEN`` on SQL Server)."""
    return func.char_length(expr, type_=Integer)


def trimmed(expr: ColumnElement) -> ColumnElement:
    """NULL for blank text, else the text without surrounding spaces."""
    return func.nullif(func.trim(expr), "")


def refresh_statistics(conn, *tables) -> None:
    """Let PostgreSQL's planner see what this transaction just wrote.

    Without fresh statistics a table filled moments ago looks empty, the planner picks
    nested loops for the merge's anti-joins, and a 10k-device resync takes 25 s instead of
    one. ANALYZE samples a bounded number of rows (and sees this transaction's own), so it
    costs about the same at 1M rows as at 10k. SQLite and SQL Server need nothing here.
    """
    if conn.dialect.name != "postgresql":
        return
    from sqlalchemy import text

    for table in tables:
        conn.execute(text(f'ANALYZE "{table.name}"'))


def prefer_set_joins(conn) -> None:
    """PostgreSQL: plan this transaction's joins as hash / merge joins.

    The merge statements anti-join a table against the very table they fill. Estimating it
    from statistics taken while it was (nearly) empty, the planner picks a nested loop whose
    inner side re-reads every page inserted so far: O(n^2), 107 s for a 100k first sync.
    Hash anti-joins over the provider's rows are O(n) at every size. SET LOCAL ends with the
    transaction.
    """
    if conn.dialect.name == "postgresql":
        from sqlalchemy import text

        conn.execute(text("SET LOCAL enable_nestloop = off"))
