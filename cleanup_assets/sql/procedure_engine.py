"""The procedure engine: on SQL Server the legacy procedures finalize the device tables, in
exactly the legacy sequence (``SyncDeviceTables``, F:730-808), with their parameters, on their
database, each under the transient-retry policy (F:184-185: Polly WaitAndRetry(3, 2^n s), 4
tries), never re-run after a timeout, and after a link lost mid-call only when idempotent
(``Procedure.idempotent``).

Unlike the legacy, a failure is never swallowed (the Jasper, Teal and Pond wrappers logged
and went on, F:1049-1054, 1115-1126, 1557-1568): it is raised, the partition's run fails,
our ledger records no success, and the stop path runs when optimization was asked.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Callable, Sequence

from sqlalchemy.engine import Connection, Engine

from ..db import Databases, TransientRetry, in_transaction
from ..registry import Database, Integration, Procedure
from .procedures import procedure_call, run_procedure
from .rows_to_process import staging_has_rows


@dataclass(frozen=True)
class Call:
    """One procedure call, as made (for metadata, tests and explain-sql)."""

    name: str
    parameters: dict
    database: str

    def describe(self) -> str:
        args = ", ".join(f"@{k} = {v!r}" for k, v in self.parameters.items())
        return f"{self.database}: EXEC {self.name}" + (f" {args}" if args else "")


@dataclass
class ProcedureRun:
    calls: list[Call] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # conditional calls not made, and why


def _engine(databases: Databases, database: Database) -> Engine:
    return databases.jasper if database is Database.JASPER else databases.central


def _parameters(step: Procedure, provider_id: int | None, *, jasper_db_name: str,
                integration_id: int) -> dict:
    values = {"ServiceProviderId": provider_id, "JasperDbName": jasper_db_name,
              "IntegrationId": integration_id}
    return {name: values[name] for name in step.parameters}


def _call(databases: Databases, step: Procedure, parameters: dict, retry: TransientRetry,
          on_retry) -> Call:
    engine = _engine(databases, step.database)
    statement = procedure_call(step.name, parameters)

    def work(conn: Connection):
        with command_timeout(conn, step.timeout_seconds):
            run_procedure(conn, statement)

    # As the legacy: usp_Jasper_DeviceSync inside an explicit transaction (F:1034-1047); every
    # other call on its own, without one (a plain SqlCommand: autocommit). A procedure with
    # its own BEGIN TRAN / ROLLBACK then behaves as it does for the legacy — inside an outer
    # transaction its ROLLBACK would end ours and fail the call (SQL Server error 266).
    if not step.transaction:
        engine = engine.execution_options(isolation_level="AUTOCOMMIT")
    # A timeout re-runs nothing; a link lost mid-call re-runs only an idempotent procedure
    # (Procedure.idempotent): never a blind second call of usp_Telegence_Update_Device.
    policy = replace(retry, idempotent=step.idempotent, retry_timeouts=False)
    in_transaction(engine, work, policy, on_retry=on_retry)
    return Call(statement.name, parameters, step.database.value)  # the name EXECuted


@contextmanager
def command_timeout(conn: Connection, seconds: int | None):
    """The legacy's command timeout, put back afterwards (the pooled connection serves
    other statements next): pyodbc's ``Connection.timeout`` on SQL Server (a timeout is
    ODBC HYT00, the legacy's SqlException -2); ``statement_timeout`` on PostgreSQL, where
    the stand-ins then time out as the server would (SQLSTATE 57014)."""
    if not seconds:
        yield
        return
    if conn.dialect.name == "postgresql":
        dbapi = conn.connection.dbapi_connection
        if not getattr(dbapi, "autocommit", False):  # in a transaction: ends with it
            conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(seconds) * 1000}")
            yield
            return
        before = conn.exec_driver_sql("SHOW statement_timeout").scalar()
        conn.exec_driver_sql(f"SET statement_timeout = {int(seconds) * 1000}")
        try:
            yield
        finally:
            conn.exec_driver_sql("SELECT set_config('statement_timeout', %s, false)", (before,))
        return
    raw = conn.connection.dbapi_connection if conn.dialect.name == "mssql" else None
    if raw is None or not hasattr(raw, "timeout"):
        yield
        return
    before = raw.timeout
    raw.timeout = seconds
    try:
        yield
    finally:
        raw.timeout = before


def _steps(integration: Integration, provider_ids: Sequence[int], *, jasper_db_name: str,
           integration_id: int, has_rows: Callable[[str, int], bool], rerun: bool = False,
           may_count: Callable[[], str | None] = lambda: None):
    """(procedure, parameters, why skipped or None) in the legacy order: the carrier
    procedures of each provider, then the common one once. A rerun (no new notification)
    skips what must run once per notified sync (``Procedure.not_on_rerun``)."""
    for provider_id in provider_ids:  # providers of one partition: one, rarely a few
        for step in integration.procedures:
            parameters = _parameters(step, provider_id, jasper_db_name=jasper_db_name,
                                     integration_id=integration_id)
            if rerun and step.not_on_rerun:
                yield step, parameters, (f"{step.name} for provider {provider_id}: not on a "
                                         f"rerun - {step.not_on_rerun}")
            elif step.only_when_rows_in and not has_rows(step.only_when_rows_in, provider_id):
                yield step, parameters, (f"{step.name} for provider {provider_id}: "
                                         f"{step.only_when_rows_in} has no rows (F:746-751)")
            elif step.not_on_rerun and (refused := may_count()):
                yield step, parameters, f"{step.name} for provider {provider_id}: {refused}"
            else:
                yield step, parameters, None
    common = integration.common_procedure
    yield common, _parameters(common, None, jasper_db_name=jasper_db_name,
                              integration_id=integration_id), None


def run_procedures(
    databases: Databases,
    integration: Integration,
    provider_ids: Sequence[int],
    *,
    integration_id: int,
    retry: TransientRetry = TransientRetry(),
    on_retry: Callable | None = None,
    rerun: bool = False,
    may_count: Callable[[], str | None] = lambda: None,
) -> ProcedureRun:
    """The carrier procedures of each provider in the legacy order, then the common one.

    The common procedure takes only ``@IntegrationId`` (F:1177, 1199): it is called once,
    after every provider's carrier procedures — the legacy called it once per notification,
    which is one provider. ``rerun``: no new notification (a rerun or backfill) — the
    procedures that count a sync (``Procedure.not_on_rerun``) are skipped, and say why;
    ``may_count``: asked before such a call of a notified run (None: call it; else why not
    — an earlier attempt of the same notification may have counted already).
    """
    def has_rows(table: str, provider_id: int) -> bool:
        return in_transaction(databases.central,
                              lambda conn: staging_has_rows(conn, table, provider_id), retry)

    run = ProcedureRun()
    for step, parameters, skipped in _steps(
            integration, provider_ids, jasper_db_name=databases.jasper_db_name,
            integration_id=integration_id, has_rows=has_rows, rerun=rerun,
            may_count=may_count):
        if skipped:
            run.skipped.append(skipped)
        else:
            run.calls.append(_call(databases, step, parameters, retry, on_retry))
    return run


def planned_calls(integration: Integration, provider_id: int, *, jasper_db_name: str,
                  integration_id: int, staging_has_rows: bool = True) -> list[tuple[Procedure, dict]]:
    """The calls ``run_procedures`` makes for one provider (explain-sql prints them)."""
    return [(step, parameters) for step, parameters, skipped in _steps(
        integration, [provider_id], jasper_db_name=jasper_db_name,
        integration_id=integration_id, has_rows=lambda table, p: staging_has_rows)
        if not skipped]
