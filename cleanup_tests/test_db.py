"""Transactions and the transient-error retry, against the real databases."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from cleanup_assets.db import RetryPolicy, in_transaction, redacted

from .builders import rows


@pytest.mark.postgres
def test_a_dropped_connection_is_retried_in_a_fresh_transaction(pg_database_url):
    from cleanup_assets.db import make_engine

    engine = make_engine(pg_database_url)
    with engine.begin() as conn:
        conn.execute(text('DELETE FROM "Tenant"'))
    tries, retried = [], []

    def work(conn):
        tries.append(1)
        conn.execute(text('INSERT INTO "Tenant" (id, "Name") VALUES (:id, \'x\')'),
                     {"id": len(tries)})
        if len(tries) == 1:  # the server drops our connection mid-transaction
            conn.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
        return len(tries)

    result = in_transaction(engine, work, RetryPolicy(3, 0.01),
                            on_retry=lambda attempt, error: retried.append(attempt))

    assert result == 2 and retried == [1]
    assert [r["id"] for r in rows(engine, "Tenant")] == [2]  # the first try left nothing
    engine.dispose()


def test_a_non_transient_error_is_raised_at_once(engine):
    tries = []

    def work(conn):
        tries.append(1)
        conn.execute(text('SELECT * FROM "NoSuchTable"'))

    with pytest.raises(Exception, match="NoSuchTable"):
        in_transaction(engine, work, RetryPolicy(3, 0.01))
    assert len(tries) == 1


def test_database_urls_are_shown_without_their_password():
    shown = redacted("postgresql+psycopg://svc:s3cr3t@db.example:5432/amop")
    assert "s3cr3t" not in shown and "svc" in shown and "***" in shown
    assert redacted("not a url at all ::::") == "<unparseable database URL>"


@pytest.mark.parametrize("message, transient", [
    ("[40001] [Microsoft][ODBC Driver 18 for SQL Server][SQL Server]Transaction (Process ID "
     "57) was deadlocked on lock resources with another process and has been chosen as the "
     "deadlock victim. Rerun the transaction. (1205) (SQLExecDirectW)", True),
    ("[22001] [Microsoft][ODBC Driver 18 for SQL Server][SQL Server]String or binary data "
     "would be truncated in table 'Device', column 'Status' nvarchar(20). (2628) "
     "(SQLExecDirectW)", False),
])
def test_a_sql_server_error_is_judged_by_its_native_number(message, transient):
    from sqlalchemy.exc import DBAPIError

    from cleanup_assets.db import is_transient

    error = DBAPIError("EXEC [dbo].[usp_x]", {}, Exception(message[1:6], message))
    assert is_transient(error) is transient
