"""Every statement the code location issues, as SQL Server would receive it.

No SQL Server runs in our tests (none can run on the development machines), so the T-SQL
contract is kept in two steps:

1. **Capture.** ``capture_statements`` listens on engines (``before_execute``) and keeps
   each SQLAlchemy statement executed, whatever database it ran on. Statements meant for
   one database only (PostgreSQL's ``SET LOCAL`` and ``ANALYZE``, SQLite's pragmas) carry the
   execution option ``only_on`` (db.ONLY_ON) and are left out. Code whose statements differ
   on SQL Server is asked for SQL Server's by its caller (``FinalizeRequest.dialect``: the
   workload in explain.py does), not by the capture.
2. **Compile and lint.** ``to_tsql`` compiles a captured statement with SQLAlchemy's mssql
   dialect (a statement SQL Server's dialect cannot express fails here), and ``lint``
   checks the text for what T-SQL lacks: ``FILTER``, ``LIMIT``, ``RETURNING``, ``ILIKE``,
   ``::`` casts, ``substr``, ``||``, regular-expression operators, ``ON CONFLICT``,
   ``IS DISTINCT FROM`` (SQL Server 2022 only), ``NULLS FIRST/LAST``, functions outside
   T-SQL's built-ins, conversions that can raise inside a condition (T-SQL does not promise
   short-circuit evaluation: a numeric or date conversion must be ``TRY_CAST`` /
   ``TRY_CONVERT``) and more than 2,100 parameters.

``cleanup-assets explain-sql --dialect mssql`` prints the same statements for a DBA
(explain.py runs the workload). Tooling: nothing of the code location imports this.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

from sqlalchemy import event
from sqlalchemy.dialects import mssql
from sqlalchemy.schema import DDLElement
from sqlalchemy.engine import Engine
from sqlalchemy.exc import CompileError
from sqlalchemy.sql.elements import ClauseElement

from ..db import ONLY_ON

MAX_PARAMETERS = 2100  # SQL Server's limit per statement

# T-SQL built-in functions (and type names written with a length) the code may call.
TSQL_FUNCTIONS = frozenset("""
abs avg cast ceiling char charindex choose coalesce concat convert count count_big
datalength dateadd datediff datefromparts datepart datetime2fromparts day eomonth exists
floor getdate getutcdate iif isnull left len lower ltrim max min month nullif patindex
replace replicate right round row_number rank dense_rank rtrim scope_identity sign
string_agg stuff substring sum switchoffset sysdatetime sysutcdatetime todatetimeoffset
trim try_cast try_convert unicode upper year
db_id db_name has_perms_by_name quotename schema_id schema_name serverproperty
varchar nvarchar char nchar varbinary decimal numeric datetime2 datetimeoffset time float
""".split())
# Keywords that may stand before a parenthesis without being a function call.
_KEYWORDS_BEFORE_PAREN = frozenset("""
as and or not in exists values over on from join where select into having by when then
else set top with like between is union all intersect except output case table
key unique check
""".split())  # key, unique, check: PRIMARY KEY (…), UNIQUE (…), CHECK (…) of our DDL
_STRING_TYPES = ("varchar", "nvarchar", "char", "nchar", "text", "ntext")

_FORBIDDEN: list[tuple[re.Pattern, str]] = [
    (re.compile(r"\bFILTER\s*\(\s*WHERE\b", re.I), "aggregate FILTER (WHERE …): use CASE"),
    (re.compile(r"\bLIMIT\b", re.I), "LIMIT: use TOP or OFFSET … FETCH"),
    (re.compile(r"\bRETURNING\b", re.I), "RETURNING: not T-SQL (OUTPUT fails on tables with triggers)"),
    (re.compile(r"\bILIKE\b", re.I), "ILIKE: not T-SQL"),
    (re.compile(r"::"), ":: cast: not T-SQL"),
    (re.compile(r"\bsubstr\s*\(", re.I), "substr(): T-SQL has SUBSTRING"),
    (re.compile(r"\|\|"), "|| concatenation: T-SQL uses + or CONCAT"),
    (re.compile(r"(?<![<>!])~\*?\s"), "~ regular-expression match: not T-SQL"),
    (re.compile(r"\b(GLOB|REGEXP|SIMILAR\s+TO)\b", re.I), "pattern operator not in T-SQL"),
    (re.compile(r"\bON\s+CONFLICT\b", re.I), "ON CONFLICT: not T-SQL (MERGE or UPDATE + INSERT)"),
    (re.compile(r"\bIS\s+(NOT\s+)?DISTINCT\s+FROM\b", re.I),
     "IS DISTINCT FROM: SQL Server 2022 only"),
    (re.compile(r"\bNULLS\s+(FIRST|LAST)\b", re.I), "NULLS FIRST/LAST: not T-SQL"),
    (re.compile(r"\bTRIM\s*\(", re.I), "TRIM(): SQL Server 2017 or later only; LTRIM(RTRIM())"),
    (re.compile(r"\b(N?TEXT|IMAGE)\b", re.I), "TEXT/NTEXT/IMAGE: deprecated types; NVARCHAR(MAX)"),
    (re.compile(r"\b(TRUE|FALSE)\b", re.I), "boolean literal: T-SQL has none (use 1/0)"),
    (re.compile(r"\bCREATE\s+(TEMP|TEMPORARY)\b", re.I), "CREATE TEMP TABLE: not T-SQL"),
    (re.compile(r"\bDELETE\s+FROM\s+\S+\s+USING\b", re.I), "DELETE … USING: not T-SQL"),
    (re.compile(r"\bSELECT\s+(DISTINCT\s+)?(NOT\s+)?EXISTS\b", re.I),
     "EXISTS as a value in a select list: not T-SQL (SELECT 1 … WHERE EXISTS)"),
]
_FUNCTION_CALL = re.compile(r"(?<![\w\].@#])([A-Za-z_][A-Za-z0-9_]*)\s*\(")
_RAISING_CONVERSION = re.compile(r"(?<![\w_])(CAST|CONVERT)\s*\(", re.I)


@dataclass
class Captured:
    statement: ClauseElement
    parameter_sets: list[dict] = field(default_factory=list)
    dialect: str = ""


def _strip_literals(sql: str) -> str:
    """The text with string literals and quoted identifiers blanked out."""
    return re.sub(r"'(?:[^']|'')*'|\[[^\]]*\]|\"[^\"]*\"", " _ ", sql)


def _conversion_target(sql: str, start: int) -> str:
    """The type named by ``AS <type>`` (CAST) or the first argument (CONVERT) of the
    conversion whose opening parenthesis ends at ``start``."""
    depth, i = 1, start
    while i < len(sql) and depth:
        depth += {"(": 1, ")": -1}.get(sql[i], 0)
        i += 1
    inner = sql[start:i - 1]
    match = re.search(r"\bAS\s+([A-Za-z0-9_]+)\s*(\([^)]*\))?\s*$", inner, re.I)
    if match:
        return match.group(1).lower()
    return inner.split(",", 1)[0].strip().lower()


def lint(sql: str, parameter_count: int = 0) -> list[str]:
    """What SQL Server would refuse, or may evaluate differently, in ``sql`` (T-SQL text)."""
    problems = []
    text = _strip_literals(sql)
    for pattern, message in _FORBIDDEN:
        if pattern.search(text):
            problems.append(message)
    for match in _FUNCTION_CALL.finditer(text):
        name = match.group(1).lower()
        if name in _KEYWORDS_BEFORE_PAREN or name in TSQL_FUNCTIONS:
            continue
        # EXEC [dbo].[usp_…], INSERT INTO t (…) and CREATE INDEX i ON t (…) have no function here
        before = text[:match.start()].rstrip().split()
        # … AS v (a, b): a derived table's column list, not a call.
        if before and before[-1].upper() in {"INTO", "EXEC", "UPDATE", "TABLE", "INDEX", "ON",
                                             "AS"}:
            continue
        problems.append(f"function {match.group(1)}() is not a T-SQL built-in")
    for match in _RAISING_CONVERSION.finditer(text):
        target = _conversion_target(text, match.end())
        if not target.startswith(_STRING_TYPES):
            problems.append(f"{match.group(1).upper()}( … AS {target}) can raise: T-SQL does not "
                            "short-circuit conditions; use TRY_CAST / TRY_CONVERT")
    if parameter_count > MAX_PARAMETERS:
        problems.append(f"{parameter_count} parameters: SQL Server takes at most {MAX_PARAMETERS}")
    return sorted(set(problems))


# Tables of the Jasper database, as SQL Server names them from the central one (F:846).
JASPER_ON_SQL_SERVER = {"jasper": "JasperDb.dbo"}


def to_tsql(statement: ClauseElement) -> str:
    """The statement compiled for SQL Server (parameters as ``:name``; the Jasper database's
    tables by their cross-database name)."""
    return str(statement.compile(dialect=mssql.dialect(), schema_translate_map=JASPER_ON_SQL_SERVER,
                                 render_schema_translate=True)).strip()


def parameter_count(statement: ClauseElement, parameters: dict) -> int:
    """Parameters SQL Server would receive once IN lists are expanded."""
    if isinstance(statement, DDLElement):
        return 0
    compiled = statement.compile(dialect=mssql.dialect(), schema_translate_map=JASPER_ON_SQL_SERVER,
                                 render_schema_translate=True)
    total = 0
    for name, bind in compiled.binds.items():
        value = parameters.get(name, bind.value) if parameters else bind.value
        total += len(value) if bind.expanding and value is not None else 1
    return total


@contextmanager
def capture_statements(*engines: Engine) -> Iterator[list[Captured]]:
    """Collect every statement executed on ``engines`` while the block runs."""
    captured: list[Captured] = []

    def listener(conn, clauseelement, multiparams, params, execution_options):
        only_on = execution_options.get(ONLY_ON) or conn._execution_options.get(ONLY_ON)
        if only_on is not None and "mssql" not in only_on:
            return
        if not isinstance(clauseelement, ClauseElement):
            return  # exec_driver_sql strings are SQLite connection pragmas only
        parameter_sets = list(multiparams) if multiparams else [dict(params or {})]
        captured.append(Captured(clauseelement, parameter_sets, conn.dialect.name))

    for engine in dict.fromkeys(engines):
        event.listen(engine, "before_execute", listener)
    try:
        yield captured
    finally:
        for engine in dict.fromkeys(engines):
            event.remove(engine, "before_execute", listener)


def review(captured: list[Captured]) -> list[tuple[str, list[str]]]:
    """(T-SQL text, problems) per distinct statement, in first-seen order."""
    seen: dict[str, list[str]] = {}
    for item in captured:
        try:
            sql = to_tsql(item.statement)
        except CompileError as error:
            sql = f"-- does not compile for SQL Server: {type(item.statement).__name__}"
            seen.setdefault(sql, []).append(f"does not compile for SQL Server: {error}")
            continue
        count = max((parameter_count(item.statement, p) for p in item.parameter_sets), default=0)
        problems = lint(sql, count)
        if sql in seen:
            seen[sql] = sorted(set(seen[sql]) | set(problems))
        else:
            seen[sql] = problems
    return list(seen.items())
