"""The PostgreSQL server the tests (and benchmarks/fleet.py, through stack.py) make their
throwaway databases on: its admin URL, and dropping a database without waiting for it."""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor

from sqlalchemy import create_engine, text

PG_ADMIN_URL = os.environ.get(
    "CLEANUP_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")

# A DROP DATABASE takes the server 2-4 s (it waits for every backend to let go of the
# database's files); nothing needs it done but the end of the session, so the drops run on a
# thread beside the next tests and wait_for_drops() (conftest's pytest_sessionfinish) waits
# for them: a failed drop fails the session there, naming the database. Outside pytest the
# interpreter waits for the thread at exit.
_DROPS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="drop-database")
_pending: list[Future] = []


def database_url(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def _drop(name: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def drop_database(name: str) -> None:
    """Drops the database in the background (its users' engines disposed first)."""
    _pending.append(_DROPS.submit(_drop, name))


def wait_for_drops() -> None:
    while _pending:
        _pending.pop(0).result()
