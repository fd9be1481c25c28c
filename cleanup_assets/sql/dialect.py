"""The few expressions whose SQL differs between SQLite, PostgreSQL and SQL Server."""

from __future__ import annotations

from sqlalchemy import Boolean, DateTime, Integer, String, func, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement


_ISO_GLOB = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"  # GLOB and T-SQL LIKE alike

# The one date grammar every dialect accepts (ISO-8601, as carriers send it):
#   YYYY-MM-DD [ (T|space) hh:mm [:ss [.fraction of 1-9 digits]] [ [space] (Z | +hh:mm | +hhmm) ] ]
# with real calendar days (2024-02-30 is rejected), years 0002-9998 (so that an offset
# cannot push a timestamp outside 0001-9999), hours 00-23 and offsets up to 14 hours.
_PG_ISO_REGEX = (
    "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    "([T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]{1,9})?)?"
    " ?(Z|[+-](0[0-9]|1[0-4]):?[0-5][0-9])?)?$"
)


_TEN_DIGITS = "[0-9]" * 10  # a fraction of more than 9 digits: PostgreSQL refuses it


def _calendar_checks(v: str, day_as_int: str, year_as_int: str, mod=None) -> str:
    """SQL that is true when text already shaped like an ISO date names a real day.

    Days up to 28 need no arithmetic; only 29-31 look at the month (and leap years)."""
    mod = mod or (lambda a, b: f"{a} % {b}")
    y = year_as_int
    leap = f"({mod(y, 4)} = 0 AND ({mod(y, 100)} <> 0 OR {mod(y, 400)} = 0))"
    month_days = (
        f"CASE substr({v}, 6, 2) WHEN '02' THEN CASE WHEN {leap} THEN 29 ELSE 28 END "
        f"WHEN '04' THEN 30 WHEN '06' THEN 30 WHEN '09' THEN 30 WHEN '11' THEN 30 ELSE 31 END"
    )
    return (
        f"substr({v}, 1, 4) BETWEEN '0002' AND '9998' "
        f"AND (substr({v}, 9, 2) <= '28' OR {day_as_int} <= {month_days})"
    )


class try_timestamp(FunctionElement):
    """Parse carrier text as a UTC timestamp; NULL where it is not a valid one.

    Only the ISO-8601 grammar above counts: every database also accepts words such as
    ``now`` or ``yesterday``, or a bare number, which would turn a carrier's garbage into
    today's date. A timestamp with an offset is converted to UTC; one without is UTC.

    Plain expressions on every dialect, never an exception handler: PostgreSQL's
    exception-trapping PL/pgSQL function cost a subtransaction per value (about 2 µs, 6 s
    per million devices); the shape and calendar checks here make the cast safe instead.
    """

    type = DateTime()
    inherit_cache = True
    name = "try_timestamp"


@compiles(try_timestamp, "sqlite")
def _try_timestamp_sqlite(element, compiler, **kw):
    (arg,) = list(element.clauses)
    v = f"({compiler.process(arg, **kw)})"
    # datetime() checks the rest of the shape and the ranges (NULL when wrong), but takes
    # any day up to 31 in every month and offsets only as +hh:mm.
    with_colon = (
        f"CASE WHEN {v} GLOB '*[+-][0-9][0-9][0-9][0-9]' "
        f"THEN substr({v}, 1, length({v}) - 2) || ':' || substr({v}, -2) ELSE {v} END"
    )
    checks = _calendar_checks(
        v, f"CAST(substr({v}, 9, 2) AS INTEGER)", f"CAST(substr({v}, 1, 4) AS INTEGER)"
    )
    return (
        f"CASE WHEN {v} GLOB '{_ISO_GLOB}*' AND NOT {v} GLOB '*[^0-9T :.Z+-]*' "
        f"AND NOT {v} GLOB '*  *' AND (length({v}) = 10 OR (substr({v}, 11, 1) IN ('T', ' ') "
        f"AND substr({v}, 12, 2) GLOB '[0-2][0-9]' AND substr({v}, 12, 2) <= '23')) "
        f"AND NOT {v} GLOB '*.{_TEN_DIGITS}*' AND {checks} "
        f"THEN datetime({with_colon}) END"
    )


@compiles(try_timestamp, "postgresql")
def _try_timestamp_pg(element, compiler, **kw):
    (arg,) = list(element.clauses)
    v = f"({compiler.process(arg, **kw)})"
    checks = _calendar_checks(  # mod(): a bare % would be read as a parameter marker
        v, f"substr({v}, 9, 2)::int", f"substr({v}, 1, 4)::int", lambda a, b: f"mod({a}, {b})"
    )
    # After the shape check, Z, + or - past the date can only start an offset.
    return (
        f"CASE WHEN {v} ~ '{_PG_ISO_REGEX}' AND {checks} THEN "
        f"CASE WHEN substr({v}, 11) ~ '[Z+-]' THEN ({v}::timestamptz AT TIME ZONE 'UTC') "
        f"ELSE {v}::timestamp END END"
    )


@compiles(try_timestamp, "mssql")
def _try_timestamp_mssql(element, compiler, **kw):
    """The shared grammar in T-SQL: LIKE patterns and string comparisons decide the shape,
    TRY_CONVERT the calendar (2024-02-30 gives NULL). Nothing here can raise, so nothing
    depends on the evaluation order of AND (T-SQL does not promise short-circuit). The
    zone is cut off first ('Z', '+hh:mm' or '+hhmm', optionally after one space) and
    written as '+hh:mm'; the fraction is cut to the 7 digits datetime2 keeps."""
    (arg,) = list(element.clauses)
    # A binary collation: LIKE then tells 'Z' from 'z' and 'T' from 't', as the grammar does.
    v = f"({compiler.process(arg, **kw)} COLLATE Latin1_General_BIN2)"
    d = "[0-9]"
    zone_length = (
        f"CASE WHEN {v} LIKE '%{d} Z' THEN 2 WHEN {v} LIKE '%{d}Z' THEN 1 "
        f"WHEN {v} LIKE '%{d} [+-]{d}{d}:{d}{d}' THEN 7 WHEN {v} LIKE '%{d}[+-]{d}{d}:{d}{d}' THEN 6 "
        f"WHEN {v} LIKE '%{d} [+-]{d}{d}{d}{d}' THEN 6 WHEN {v} LIKE '%{d}[+-]{d}{d}{d}{d}' THEN 5 "
        "ELSE 0 END"
    )
    body_length = f"(LEN({v}) - {zone_length})"
    body = f"LEFT({v}, {body_length})"
    zone = f"RIGHT({v}, {zone_length})"
    date_shape = f"{d}{d}{d}{d}-[01]{d}-[0-3]{d}"
    minutes = f"{date_shape}[T ][0-2]{d}:[0-5]{d}"
    seconds = f"{minutes}:[0-5]{d}"
    shape = (
        f"(({body_length} = 10 AND {zone_length} = 0 AND {body} LIKE '{date_shape}') "
        f"OR ({body_length} = 16 AND {body} LIKE '{minutes}') "
        f"OR ({body_length} = 19 AND {body} LIKE '{seconds}') "
        f"OR ({body_length} BETWEEN 21 AND 29 AND {body} LIKE '{seconds}.%' "
        f"AND SUBSTRING({body}, 21, 9) NOT LIKE '%[^0-9]%'))"
    )
    ranges = (
        f"LEFT({v}, 4) BETWEEN '0002' AND '9998' AND SUBSTRING({v}, 6, 2) BETWEEN '01' AND '12' "
        f"AND SUBSTRING({v}, 9, 2) BETWEEN '01' AND '31' "
        f"AND ({body_length} = 10 OR SUBSTRING({v}, 12, 2) <= '23') "
        f"AND ({zone_length} < 5 OR SUBSTRING({zone}, {zone_length} - 3, 2) <= '14')"
    )
    offset = (
        f"CASE WHEN {zone_length} = 0 OR RIGHT({zone}, 1) = 'Z' THEN '+00:00' "
        f"WHEN {zone} LIKE '%:%' THEN LTRIM({zone}) "
        f"ELSE LEFT(LTRIM({zone}), 3) + ':' + RIGHT({zone}, 2) END"
    )
    clock = f"CASE WHEN {body_length} = 10 THEN '00:00' ELSE SUBSTRING({body}, 12, 16) END"
    normalized = f"LEFT({v}, 10) + ' ' + {clock} + ' ' + {offset}"
    return (
        f"CASE WHEN {shape} AND {ranges} THEN "
        f"TRY_CONVERT(datetime2, SWITCHOFFSET(TRY_CONVERT(datetimeoffset, {normalized}), '+00:00')) "
        "END"
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
    # T-SQL's LIKE ignores the value's trailing blanks ('123 ' would pass): a sentinel after
    # the value makes them count. A binary collation: only ASCII 0-9 fall in [0-9].
    return (f"(({compiler.process(arg, **kw)} + '|') COLLATE Latin1_General_BIN2 "
            "LIKE '%[^0-9]%|')")


class before_datetime_range(FunctionElement):
    """True where a parsed timestamp is before 1753-01-01, where SQL Server's ``datetime``
    starts (a constant of ours, written in the statement: no value from input)."""

    type = Boolean()
    inherit_cache = True
    name = "before_datetime_range"


@compiles(before_datetime_range, "sqlite")
def _before_sqlite(element, compiler, **kw):
    (arg,) = list(element.clauses)
    return f"({compiler.process(arg, **kw)} < '1753-01-01')"  # ISO text compares in order


@compiles(before_datetime_range, "postgresql")
def _before_pg(element, compiler, **kw):
    (arg,) = list(element.clauses)
    return f"({compiler.process(arg, **kw)} < TIMESTAMP '1753-01-01 00:00:00')"


@compiles(before_datetime_range, "mssql")
def _before_mssql(element, compiler, **kw):
    (arg,) = list(element.clauses)
    return f"({compiler.process(arg, **kw)} < TRY_CONVERT(datetime2, '1753-01-01T00:00:00', 126))"


def text_length(expr: ColumnElement) -> ColumnElement:
    """Character length (``char_length`` renders as ``LEN`` on SQL Server)."""
    return func.char_length(expr, type_=Integer)


class _SameTypeAsItsText(FunctionElement):
    """A function of one text whose result is of that text's type."""

    inherit_cache = True

    @property
    def type(self):
        (arg,) = list(self.clauses)
        return arg.type


class trim_spaces(_SameTypeAsItsText):
    """The text without surrounding spaces: ``trim(x)`` on PostgreSQL and SQLite,
    ``LTRIM(RTRIM(x))`` on SQL Server — ``TRIM()`` exists there only from SQL Server 2017,
    ``LTRIM``/``RTRIM`` on every version (and trim the same character, the space)."""

    name = "trim"
    inherit_cache = True


@compiles(trim_spaces)
def _trim_elsewhere(element, compiler, **kw):
    return f"trim({compiler.process(element.clauses, **kw)})"


@compiles(trim_spaces, "mssql")
def _trim_mssql(element, compiler, **kw):
    return f"LTRIM(RTRIM({compiler.process(element.clauses, **kw)}))"


class in_database_collation(_SameTypeAsItsText):
    """Text in the database's default collation: ``x COLLATE DATABASE_DEFAULT`` on SQL
    Server — where text from a legacy table (whatever its column's collation) meets text
    from a ``#`` table or another table in one UNION, window or comparison, a collation
    conflict is an error — and the text as it is elsewhere."""

    name = "in_database_collation"
    inherit_cache = True


@compiles(in_database_collation)
def _collation_elsewhere(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


@compiles(in_database_collation, "mssql")
def _collation_mssql(element, compiler, **kw):
    return f"({compiler.process(element.clauses, **kw)} COLLATE DATABASE_DEFAULT)"


def trimmed(expr: ColumnElement) -> ColumnElement:
    """NULL for blank text, else the text without surrounding spaces."""
    return func.nullif(trim_spaces(expr), "")


def refresh_statistics(conn, *tables) -> None:
    """Let PostgreSQL's planner see what this transaction just wrote.

    Without fresh statistics a table filled moments ago looks empty, the planner picks
    nested loops for the merge's anti-joins, and a 10k-device resync takes 25 s instead of
    one. ANALYZE samples a bounded number of rows (and sees this transaction's own), so it
    costs about the same at 1M rows as at 10k. SQLite and SQL Server need nothing here.
    """
    if conn.dialect.name != "postgresql":
        return

    for table in tables:
        name = f'"{table.schema}"."{table.name}"' if table.schema else f'"{table.name}"'
        translate = conn.get_execution_options().get("schema_translate_map") or {}
        if table.schema in translate:
            mapped = translate[table.schema]
            name = f'"{mapped}"."{table.name}"' if mapped else f'"{table.name}"'
        conn.execute(text(f"ANALYZE {name}").execution_options(only_on=("postgresql",)))


def prefer_set_joins(conn) -> None:
    """PostgreSQL: plan this transaction's joins as hash / merge joins, in memory, without JIT.

    - ``enable_nestloop = off``: the merge statements anti-join a table against the very
      table they fill. Estimating it from statistics taken while it was (nearly) empty, the
      planner picks a nested loop whose inner side re-reads every page inserted so far:
      O(n^2), 107 s for a 100k first sync. Hash anti-joins over the provider's rows are O(n).
    - ``work_mem = 256MB``: the hash of a million devices' rows (about 180 MB) then fits in
      one batch instead of spilling to disk or turning into an on-disk sort and merge join.
    - ``jit = off``: the big statements' cost estimates trigger JIT compilation, which took
      0.5-0.8 s per statement and won nothing back on these one-pass scans.
    SET LOCAL ends with the transaction.
    """
    if conn.dialect.name == "postgresql":
        for setting in ("enable_nestloop = off", "work_mem = '256MB'", "jit = off"):
            conn.execute(text(f"SET LOCAL {setting}").execution_options(only_on=("postgresql",)))

