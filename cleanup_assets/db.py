"""Engines, transactions and the SQL transient-error retry.

The default database is an embedded SQLite file under ``$CLEANUP_HOME`` (else
``~/.cleanup_assets``). Any SQLAlchemy URL works otherwise: ``postgresql+psycopg://…`` or
``mssql+pyodbc://…``. SQLAlchemy imports a URL's DBAPI only when an engine is created, so
pyodbc (and the unixODBC library it needs) is touched only when SQL Server is configured.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError

log = logging.getLogger(__name__)
T = TypeVar("T")


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


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` (default: the embedded SQLite file, created on demand)."""
    url = url or default_database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True, future=True)


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
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
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


# --- transient errors ---------------------------------------------------------------------
# SQL Server error numbers the legacy retry policy treats as transient (deadlock victim,
# timeouts, Azure SQL throttling and failover).
_MSSQL_TRANSIENT = {-2, 20, 64, 233, 1205, 4060, 10053, 10054, 10060, 40143, 40197, 40501,
                    40613, 49918, 49919, 49920}
# PostgreSQL SQLSTATEs: serialization failure, deadlock, connection failures, admin shutdown.
_PG_TRANSIENT_PREFIXES = ("40001", "40P01", "08", "57P01", "57P02", "57P03", "53300")


def is_transient(error: BaseException) -> bool:
    """Whether a database error is worth retrying (locks, deadlocks, timeouts, dropped links)."""
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    orig = error.orig
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if sqlstate and str(sqlstate).startswith(_PG_TRANSIENT_PREFIXES):
        return True
    message = str(orig).lower()
    if "database is locked" in message or "database table is locked" in message:
        return True
    if "timeout" in message or "timed out" in message:
        return True
    for arg in getattr(orig, "args", ()):
        # pyodbc: args = (sqlstate, message); the native error number is inside the message.
        text = str(arg)
        if any(f"({n})" in text for n in _MSSQL_TRANSIENT) or text in {"HYT00", "HYT01", "08S01"}:
            return True
    return isinstance(error, OperationalError) and "disk i/o error" in message


@dataclass(frozen=True)
class RetryPolicy:
    """The legacy SQL retry: 3 tries, exponential backoff from a 4 s base."""

    attempts: int = 3
    base_delay_seconds: float = 4.0

    def delay(self, attempt: int) -> float:
        return self.base_delay_seconds * (2 ** (attempt - 1))


def in_transaction(
    engine: Engine,
    work: Callable[[Connection], T],
    retry: RetryPolicy = RetryPolicy(),
    on_retry: Callable[[int, BaseException], None] | None = None,
) -> T:
    """Run ``work`` in one transaction; roll back on any error; retry transient ones.

    Each try starts from a clean transaction, so a retried step never sees half of an
    earlier try's writes.
    """
    attempt = 1
    while True:
        try:
            with engine.begin() as conn:
                # Row counts of INSERT … SELECT are our metrics; SQLAlchemy keeps them for
                # UPDATE/DELETE only unless asked.
                conn.execution_options(preserve_rowcount=True)
                return work(conn)
        except DBAPIError as error:
            if attempt >= retry.attempts or not is_transient(error):
                raise
            if on_retry is not None:
                on_retry(attempt, error)
            log.warning("transient database error on try %d, retrying: %s", attempt,
                        type(error.orig).__name__)
            time.sleep(retry.delay(attempt))
            attempt += 1
