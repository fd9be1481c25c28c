"""Transactions and the transient-error retry, against the real databases."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from cleanup_assets.db import TransientRetry, connect_databases, in_transaction, redacted
from cleanup_assets.schema import (
    OWN_TABLES,
    MissingTablesError,
    add_columns_ddl,
    create_schema,
    require_own_tables,
)

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

    result = in_transaction(engine, work, TransientRetry(3, 0.01),
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
        in_transaction(engine, work, TransientRetry(3, 0.01))
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


def test_a_column_of_ours_added_since_the_table_was_made_is_named_then_added_by_init_db(
        tmp_path):
    databases = connect_databases(f"sqlite:///{tmp_path / 'old.db'}")
    create_schema(databases)
    with databases.central.begin() as conn:  # a database made before GateVerdict existed
        conn.execute(text('ALTER TABLE "CleanupDeviceSync" DROP COLUMN "GateVerdict"'))
        with pytest.raises(MissingTablesError, match=r"CleanupDeviceSync\.GateVerdict.*init-db"):
            require_own_tables(conn)

    create_schema(databases)  # what `cleanup-assets init-db` does

    with databases.central.begin() as conn:
        require_own_tables(conn)
        conn.execute(text('UPDATE "CleanupDeviceSync" SET "GateVerdict" = NULL'))


def test_a_sql_server_dba_is_given_the_alter_and_a_not_null_column_is_refused():
    from sqlalchemy import Column, Integer, MetaData, String, Table
    from sqlalchemy.dialects import mssql

    present = {t.name: {c.name for c in t.columns} for t in OWN_TABLES}
    present["CleanupDeviceSync"].discard("GateVerdict")
    assert add_columns_ddl(present, mssql.dialect()) == [
        "ALTER TABLE [CleanupDeviceSync] ADD [GateVerdict] VARCHAR(20) NULL"]
    later = Table("CleanupLater", MetaData(), Column("id", Integer, primary_key=True),
                  Column("Note", String(10)), Column("Mandatory", Integer, nullable=False))
    with pytest.raises(MissingTablesError, match=r"CleanupLater\.Mandatory.*NOT NULL"):
        add_columns_ddl({"CleanupLater": {"id"}}, mssql.dialect(), tables=[later])


def test_the_retry_policy_is_the_legacys_polly_wait_and_retry():
    """PolicyFactory.GetSqlRetryPolicy(3) (F:184-185): Polly WaitAndRetry(3, 2^n s)."""
    policy = TransientRetry()
    assert policy.attempts == 4
    assert [policy.delay(n) for n in (1, 2, 3)] == [2, 4, 8]


def _odbc(state: str, message: str):
    from sqlalchemy.exc import DBAPIError

    return DBAPIError("EXEC [dbo].[usp_x]", {}, Exception(state, f"[{state}] {message}"))


@pytest.mark.parametrize("state, message, own, procedure", [
    # a command timeout (the legacy's -2): may have done its work
    ("HYT00", "[Microsoft][ODBC Driver 18 for SQL Server]Query timeout expired (0) "
     "(SQLExecDirectW)", True, False),
    # the link lost mid-call (EF's 10054): may have run
    ("08S01", "[Microsoft][ODBC Driver 18 for SQL Server]TCP Provider: An existing "
     "connection was forcibly closed by the remote host. (10054) (SQLExecDirectW)", True, False),
    # deadlock victim: rolled back, nothing ran
    ("40001", "[Microsoft][ODBC Driver 18 for SQL Server][SQL Server]Transaction (Process ID "
     "57) was deadlocked on lock resources with another process and has been chosen as the "
     "deadlock victim. Rerun the transaction. (1205) (SQLExecDirectW)", True, True),
    # a login timeout (the client-side TimeoutException): the call was never sent
    ("HYT00", "[Microsoft][ODBC Driver 18 for SQL Server]Login timeout expired (0) "
     "(SQLDriverConnect)", True, True),
    # a procedure's own error whose text says "timeout": not transient
    ("42000", "[Microsoft][ODBC Driver 18 for SQL Server][SQL Server]Carrier timeout window "
     "closed (50000) (SQLExecDirectW)", False, False),
    # Azure SQL failover number that EF Core's detector does not list
    ("42000", "[Microsoft][ODBC Driver 18 for SQL Server][SQL Server]Database 'x' on server "
     "'y' is not currently available. (40613) (SQLExecDirectW)", True, True),
])
def test_a_non_idempotent_procedure_is_never_rerun_after_a_timeout_or_a_lost_link(
        state, message, own, procedure):
    """Our own statements (one transaction, rolled back) retry any transient error; a
    procedure that is not idempotent (usp_Telegence_Update_Device) only one that proves
    nothing ran; no procedure after a timeout (EF's detector leaves -2 out)."""
    error = _odbc(state, message)
    assert TransientRetry().should_retry(error) is own
    assert TransientRetry(idempotent=False, retry_timeouts=False).should_retry(error) is procedure


def test_a_timeout_in_the_key_ordered_checks_is_still_a_timeout(pg_database_url):
    """The PostgreSQL settings around the checks' statement are reset after success only: a
    reset after the failed statement would replace its error (a timeout, retried) with
    "transaction aborted" (never retried)."""
    from sqlalchemy.exc import DBAPIError

    from cleanup_assets.db import error_kind
    from cleanup_assets.sql.merge import along_the_carrier_indexes

    databases = connect_databases(pg_database_url)
    try:
        with pytest.raises(DBAPIError) as raised, databases.central.begin() as conn:
            conn.execute(text("SET LOCAL statement_timeout = 50"))
            with along_the_carrier_indexes(conn, "postgresql"):
                conn.execute(text("SELECT pg_sleep(1)"))
        assert error_kind(raised.value) == "timeout"
    finally:
        databases.dispose()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # drops a table
def test_the_set_based_engines_verdicts_table_is_required_by_it_alone(database_url, engine):
    """CleanupJudgedRow is the set-based engine's: a deployment on the procedures runs
    without it (a DBA adds it before switching engines); the set-based engine names it."""
    from cleanup_assets.schema import MissingTablesError, judged_row, require_own_tables

    judged_row.drop(engine)
    with engine.connect() as conn:
        require_own_tables(conn, set_based=False)  # the procedures: nothing missing
        with pytest.raises(MissingTablesError, match="CleanupJudgedRow"):
            require_own_tables(conn)
