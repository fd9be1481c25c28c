"""Engines, transactions and the SQL transient-error retry.

The default database is an embedded SQLite file under ``$CLEANUP_HOME`` (else
``~/.cleanup_assets``). Any SQLAlchemy URL works otherwise: ``postgresql+psycopg://…`` or
``mssql+pyodbc://…``. SQLAlchemy imports a URL's DBAPI only when an engine is created, so
pyodbc (and the unixODBC library it needs) is touched only when SQL Server is configured.
"""

from __future__ import annotations

import logging
import os
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError

log = logging.getLogger(__name__)
T = TypeVar("T")


def utcnow() -> datetime:
    """Now, as naive UTC on a 24-hour clock: how every timestamp of ours is stored."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def cleanup_home() -> Path:
    """The local home folder for the embedded database, outboxes and logs."""
    return Path(os.environ.get("CLEANUP_HOME") or Path.home() / ".cleanup_assets").expanduser()


def default_database_url() -> str:
    return f"sqlite:///{cleanup_home() / 'cleanup.db'}"


def redacted(url: str) -> str:
    """The URL with its password masked: the only form of a URL that may be logged."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparseable URL is shown not at all rather than leaked
        return "<unparseable database URL>"


def make_engine(url: str | None = None, *, attach: dict[str, str] | None = None) -> Engine:
    """An engine for ``url`` (default: the embedded SQLite file, created on demand).

    ``attach`` (SQLite only): other database files to attach to every connection, by
    schema name — how the embedded setup reaches a separate Jasper database file.
    """
    url = url or default_database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, attach or {})
    return create_engine(url, pool_pre_ping=True, future=True)


def _sqlite_engine(url: str, attach: dict[str, str]) -> Engine:
    database = make_url(url).database
    for path in (database, *attach.values()):
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 60})

    # pysqlite's own transaction handling defers BEGIN and cannot take the write lock up
    # front; partitions finalized in parallel processes would then fail with "database is
    # locked" at their first write instead of waiting. BEGIN IMMEDIATE makes them queue.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=60000")
        for schema, path in attach.items():
            cursor.execute("ATTACH DATABASE ? AS " + _sqlite_schema_name(schema), (path,))
            cursor.execute(f"PRAGMA {_sqlite_schema_name(schema)}.journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _sqlite_schema_name(name: str) -> str:
    if not name.isidentifier():
        raise ValueError(f"not a schema name: {name!r}")
    return name


# --- two databases ------------------------------------------------------------------------
# The legacy keeps the Jasper family's tables (staging, JasperDevice, JasperDeviceUsage, the
# rows to process, the summary procedure) in a second database (`JasperDbConnectionString`,
# AltaworxJasperGetDevicesCleanup.cs:589, 826, 1028, 1240) and reaches it from the central
# one by name: `{jasperCn.Database}.[dbo].[JasperDevice]` (ibid. 846) and
# `@JasperDbName = jasperCn.Database` (ibid. 1040). Tables of that database are declared
# with the symbolic schema JASPER_SCHEMA; each engine maps it to where they really are.
# Execution option: the dialect names a statement is issued on (PostgreSQL's SET LOCAL and
# ANALYZE, a dialect's own catalog queries). A statement carrying it is not part of what
# SQL Server receives: the T-SQL review (tooling/tsql.py) leaves it out.
ONLY_ON = "only_on"


@contextmanager
def catalog_queries(conn: Connection):
    """Mark the dialect's own catalog queries (inspection) as this database's only, for
    the block; ``Connection.execution_options`` changes the connection in place, so the
    previous value is put back after."""
    previous = conn.get_execution_options().get(ONLY_ON)
    conn.execution_options(**{ONLY_ON: (conn.dialect.name,)})
    try:
        yield conn
    finally:
        conn.execution_options(**{ONLY_ON: previous})


JASPER_SCHEMA = "jasper"
_DEFAULT_SCHEMA = {"postgresql": "public", "sqlite": "main", "mssql": "dbo"}


class CrossDatabaseError(RuntimeError):
    """A statement that joins the two databases where the database cannot."""


@dataclass(frozen=True)
class Databases:
    """The central database and the Jasper database (the same one unless configured).

    ``central`` reaches the Jasper tables too when it can: the same database, an attached
    SQLite file, or another database of the same SQL Server (three-part names, as the
    legacy does). PostgreSQL cannot join two databases: there a separate Jasper database
    serves the statements that run on it alone (rows to process, its summary procedure),
    and ``require_joinable`` refuses the rest with a clear message.
    """

    central: Engine
    jasper: Engine
    # What the legacy passes as @JasperDbName (jasperCn.Database, F:1040); None: read from
    # the live Jasper connection when first needed (a URL may not name its database: an
    # ODBC connection string, a PostgreSQL URL relying on the default).
    jasper_name: str | None
    separate: bool
    joinable: bool

    @cached_property
    def jasper_db_name(self) -> str:
        name = self.jasper_name or live_database_name(self.jasper)
        if not name:
            raise RuntimeError("cannot tell the Jasper database's name (@JasperDbName) from "
                               f"{self.jasper.url.render_as_string(hide_password=True)}")
        return name

    def require_joinable(self, what: str) -> None:
        """The settings check refuses such a configuration before anything loads
        (``unjoinable_databases``); this guards callers that build ``Databases`` themselves
        (the stand-in tests run the procedure engine on two PostgreSQL databases)."""
        if not self.joinable:
            raise CrossDatabaseError(f"{what} joins the central and the Jasper databases: "
                                     + UNJOINABLE)

    def dispose(self) -> None:
        self.central.dispose()
        if self.separate:
            self.jasper.dispose()


# One message for a configuration we cannot run, whoever finds it: the settings check (at
# load, `cleanup-assets settings --check`, every command in production) or a statement.
UNJOINABLE = (
    "CLEANUP_JASPER_DATABASE_URL names a second database that CLEANUP_DATABASE_URL's cannot "
    "join (PostgreSQL never joins two databases; SQL Server only on one server), and the "
    "set-based engine and the Jasper sync log join them. Keep the Jasper tables in the "
    "central database: set CLEANUP_JASPER_DATABASE_URL to the same URL as "
    "CLEANUP_DATABASE_URL (on SQL Server: a database of the same server)")


def unjoinable_databases(central_url: str, jasper_url: str | None) -> bool:
    """Whether ``connect_databases`` would give two databases it cannot join. Reads the URLs
    only (nothing is contacted)."""
    if not jasper_url:
        return False
    central, jasper = make_url(central_url), make_url(jasper_url)
    if central == jasper or central.get_backend_name() != jasper.get_backend_name():
        return False  # one database; two kinds are refused on their own
    backend = central.get_backend_name()
    if backend == "mssql":
        return _mssql_server(central_url) != _mssql_server(jasper_url)
    return backend != "sqlite"


def connect_databases(central_url: str | None = None, jasper_url: str | None = None) -> Databases:
    """Engines for the central and the Jasper database (``jasper_url`` None: the central one)."""
    central_url = central_url or default_database_url()
    separate = bool(jasper_url) and make_url(jasper_url) != make_url(central_url)
    backend = make_url(central_url).get_backend_name()
    if separate and make_url(jasper_url).get_backend_name() != backend:
        raise ValueError("the central and the Jasper database must be the same kind of database")
    default = _DEFAULT_SCHEMA.get(backend)
    if not separate:
        engine = make_engine(central_url)
        mapped = engine.execution_options(schema_translate_map={JASPER_SCHEMA: default})
        return Databases(mapped, mapped, None, False, True)
    jasper = make_engine(jasper_url).execution_options(
        schema_translate_map={JASPER_SCHEMA: default})
    jasper_name = None
    if backend == "sqlite":
        central = make_engine(central_url, attach={JASPER_SCHEMA: make_url(jasper_url).database})
        qualifier, joinable = JASPER_SCHEMA, True
    elif backend == "mssql":
        # Three-part names ([JasperDb].dbo.[JasperDevice], F:846) reach another database of
        # the same server only; the name is the live connection's.
        central = make_engine(central_url)
        jasper_name = live_database_name(jasper)
        joinable = _mssql_server(central_url) == _mssql_server(jasper_url)
        qualifier = f"{jasper_name}.dbo" if joinable else None
    else:
        central = make_engine(central_url)
        qualifier, joinable = None, False
    translate = {JASPER_SCHEMA: qualifier} if qualifier else {}
    return Databases(central.execution_options(schema_translate_map=translate), jasper,
                     jasper_name, True, joinable)


def live_database_name(engine: Engine) -> str:
    """The database a connection of ``engine`` is in (a SQLite file's name without folders
    and suffix)."""
    dialect = engine.dialect.name
    if dialect == "sqlite":
        return Path(engine.url.database or "").stem
    query = {"mssql": "SELECT DB_NAME()", "postgresql": "SELECT current_database()"}.get(dialect)
    if query is None:
        return engine.url.database or ""
    with engine.connect() as conn:
        return conn.exec_driver_sql(query).scalar() or ""


def _mssql_server(url: str) -> tuple[str, str] | None:
    """(host, port or instance) of a SQL Server URL or of its ``odbc_connect`` string,
    normalised (``tcp:`` dropped, lower case, port 1433 by default), None when not shown."""
    parsed = make_url(url)
    host, port = parsed.host, str(parsed.port) if parsed.port else None
    if not host:
        for part in str(parsed.query.get("odbc_connect", "")).split(";"):
            name, _, value = part.partition("=")
            if name.strip().lower() in {"server", "address", "addr"}:
                host, _, port = value.strip().removeprefix("tcp:").partition(",")
                port = port.strip() or None
    if not host:
        return None
    host, _, instance = host.lower().partition("\\")
    return host.strip(), (instance or port or "1433").strip().lower()


# --- transient errors ---------------------------------------------------------------------
# The legacy's policy (Amop.Core PolicyFactory.GetSqlRetryPolicy(3), F:184-185) is Polly's
# WaitAndRetry(3, 2^n s) on EF Core's SqlServerTransientExceptionDetector plus
# TimeoutException. These are that detector's numbers (EF Core 3.1, the version F:813's
# comment names: Azure throttling and failover, in-memory OLTP commit failures, deadlock,
# connection set-up and transport errors). -2 (command timeout) is NOT among them: "it can be
# thrown even if the operation completed successfully" (the detector's own comment); the
# Lambda's ShouldRetry that adds it (F:811-820) is never called.
_MSSQL_TRANSIENT = {49920, 49919, 49918, 41839, 41325, 41305, 41302, 41301, 40613, 40501,
                    40197, 10929, 10928, 10060, 10054, 10053, 1205, 233, 121, 64, 20}
# Of those, the ones after which the server may have run the whole call: the link was lost
# while it ran (10053/10054 transport errors, 121 semaphore timeout). Re-running a call that
# is not idempotent after one of these is running it blind.
_MSSQL_MAY_HAVE_RUN = {10053, 10054, 121}
_MSSQL_TIMEOUT = -2
_PYODBC_NATIVE_ERROR = re.compile(r"\((-?\d+)\)\s*\(SQL\w+\)\s*$")
# PostgreSQL SQLSTATEs: serialization failure, deadlock (rolled back: nothing ran), too many
# connections (nothing ran); connection failures and admin shutdown (the call may have run).
_PG_TRANSIENT = ("40001", "40P01", "53300")
_PG_MAY_HAVE_RUN = ("08", "57P01", "57P02", "57P03")
_PG_TIMEOUT = "57014"  # query_canceled: statement_timeout (the command timeout's twin)


def _native_numbers(orig) -> set:
    """pyodbc: args = (sqlstate, message); the native error number is the message's last
    "(n)" before the ODBC call's name — "…deadlock victim… (1205) (SQLExecDirectW)" — not
    any "(20)" of its text (nvarchar(20))."""
    found = set()
    for arg in getattr(orig, "args", ()):
        native = _PYODBC_NATIVE_ERROR.search(str(arg))
        if native:
            found.add(int(native.group(1)))
    return found


def _sqlstate(orig) -> str:
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if state:
        return str(state)
    args = getattr(orig, "args", ())  # pyodbc: the SQLSTATE is the first argument
    return str(args[0]) if args and isinstance(args[0], str) and len(args[0]) == 5 else ""


def error_kind(error: BaseException) -> str | None:
    """How a database error bears on a retry:

    - ``"timeout"``: the command timeout fired (SQL Server -2 / ODBC HYT00, PostgreSQL
      57014) — the call may have done all or part of its work;
    - ``"may_have_run"``: transient, but the link was lost while the call ran;
    - ``"transient"``: transient and nothing of the call took effect (deadlock victim,
      throttling before it ran, a connection that could not be opened, a login timeout —
      HYT01, the client-side TimeoutException's twin);
    - ``None``: not transient (a constraint, a missing object, bad data…): never retried.
    """
    if not isinstance(error, DBAPIError):
        return None
    orig = error.orig
    state = _sqlstate(orig)
    numbers = _native_numbers(orig)
    connecting = "(SQLDriverConnect)" in str(orig)  # ODBC: the connection was being opened
    if state in {"HYT00", "HYT01"} and connecting:
        return "transient"  # a login timeout: nothing ran (TimeoutException's twin)
    if state == "HYT00" or _MSSQL_TIMEOUT in numbers or state == _PG_TIMEOUT:
        return "timeout"
    if numbers & _MSSQL_MAY_HAVE_RUN or state == "08S01" or state.startswith(_PG_MAY_HAVE_RUN):
        return "may_have_run"
    if error.connection_invalidated:
        return "may_have_run"
    if numbers & _MSSQL_TRANSIENT or state == "HYT01" or state.startswith(_PG_TRANSIENT):
        return "transient"
    message = str(orig).lower()
    if "database is locked" in message or "database table is locked" in message:
        return "transient"  # SQLite: the write lock was not had, nothing ran
    if isinstance(error, OperationalError) and "disk i/o error" in message:
        return "transient"
    return None


def short_error(error: BaseException) -> str:
    """An error's class and first line, for a log line or a step's failure (a driver's
    message can be long and its next lines carry the statement; it names no secret:
    SQLAlchemy never puts a password in one)."""
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0][:300] if text else ''}"


def is_transient(error: BaseException) -> bool:
    """Whether a database error is worth retrying at all (see ``error_kind``)."""
    return error_kind(error) is not None


@dataclass(frozen=True)
class TransientRetry:
    """The legacy SQL retry of transient errors (not Dagster's op RetryPolicy), Polly's
    ``WaitAndRetry(3, 2^n s)``: 4 tries, waiting 2, 4 and 8 s between them.

    ``idempotent``: the work can be run again whatever a failed try did. Our own statements
    are (one transaction, rolled back on any error). A legacy procedure is only when its
    registry entry says so (``Procedure.idempotent``, argued there): otherwise a timeout or
    a link lost mid-call is reported, never re-run blind. ``retry_timeouts``: a command
    timeout is retried at all (the legacy never retries one, see above; the procedure engine
    turns this off).
    """

    attempts: int = 4
    base_delay_seconds: float = 2.0
    idempotent: bool = True
    retry_timeouts: bool = True

    def delay(self, attempt: int) -> float:
        return self.base_delay_seconds * (2 ** (attempt - 1))

    def should_retry(self, error: BaseException) -> bool:
        kind = error_kind(error)
        if kind == "timeout":
            return self.retry_timeouts and self.idempotent
        if kind == "may_have_run":
            return self.idempotent
        return kind == "transient"


def in_transaction(
    engine: Engine,
    work: Callable[[Connection], T],
    retry: TransientRetry = TransientRetry(),
    on_retry: Callable[[int, BaseException], None] | None = None,
    *,
    retry_commit: bool = True,
) -> T:
    """Run ``work`` in one transaction; roll back on any error; retry transient ones.

    Each try starts from a clean transaction, so a retried step never sees half of an
    earlier try's writes. ``retry_commit=False``: a failure after ``work`` returned came with
    the commit, which may have landed — raised, never retried (work that must not run
    twice).
    """
    attempt = 1
    while True:
        returned = False
        try:
            with engine.begin() as conn:
                # Row counts of INSERT … SELECT are our metrics; SQLAlchemy keeps them for
                # UPDATE/DELETE only unless asked.
                conn.execution_options(preserve_rowcount=True)
                value = work(conn)
                returned = True
            return value
        except DBAPIError as error:
            if (returned and not retry_commit) or attempt >= retry.attempts \
                    or not retry.should_retry(error):
                raise
            if on_retry is not None:
                on_retry(attempt, error)
            log.warning("transient database error on try %d, retrying: %s", attempt,
                        type(error.orig).__name__)
            time.sleep(retry.delay(attempt))
            attempt += 1
