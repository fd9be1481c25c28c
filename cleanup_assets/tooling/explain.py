"""A representative workload of every statement the code location issues, for
``cleanup-assets explain-sql`` (and the T-SQL test, which runs it on PostgreSQL with
stand-in procedures): both engines' finalization, the gate, a sensor tick and the clearing
of its forced launches' rows to process, the handover, the stop path and the reporting
queries. Each statement is captured and compiled for SQL Server (tsql.py). The databases
are seeded first (``seed_demo``, and ``seed_rows_to_process`` for the forced launches)."""

from __future__ import annotations

import dataclasses

import io
import tempfile
from datetime import date
from pathlib import Path
from typing import Iterator

from ..alerts import RUN_FAILURE, claim_alert, mark_sent
from ..db import Databases, TransientRetry, connect_databases, in_transaction, utcnow
from ..defs.optimization.gate import gate_facts
from ..notifications import evaluate_notifications, launched_between, post_notification
from ..optimization import (
    claim_send,
    claim_stop,
    current_handover,
    finish_stop,
    global_settings,
    mark_progress_delivered,
    mark_unsent,
    optimization_settings,
    provider_name,
    record_handover,
    record_queued,
    release_stop,
    reopen_handover,
    session_guid,
)
from ..preflight import catalog_statements
from ..registry import INTEGRATIONS, Family
from ..reporting import (
    DISCREPANCY_PROCEDURE,
    billing_cycle_discrepancies,
    history_chunks,
    integration_name,
    rejected_rows,
    summarize,
    tenant_name,
    write_device_history,
    write_sync_log,
)
from ..schema import (
    create_schema,
    own_tables_ddl,
    service_provider,
)
from ..sql.common_tables import new_plans_of
from ..sql.finalize import (
    FinalizeEngine,
    FinalizeRequest,
    clear_forced_rows,
    finalize_partition,
    shadow_partition,
)
from ..sql.gate_facts import BILL_PERIOD_PROCEDURE, find_billing_period
from ..sql.ledger import (
    TRIGGER_RERUN,
    close_syncs_of_dead_runs,
    open_sync,
    record_gate_verdict,
    runs_with_running_syncs,
    sync_of_run,
)
from ..sql.procedure_engine import planned_calls
from ..sql.procedures import procedure_call
from .demo import DEMO_PROVIDERS, seed_demo, seed_rows_to_process
from .tsql import Captured, capture_statements, lint, review, to_tsql

QUICK = TransientRetry(attempts=1, base_delay_seconds=0)


def run_workload(databases: Databases, *, procedures: bool, set_based: bool = True,
                 shadow: bool = False) -> None:
    """Exercise every statement path once on seeded databases (demo data): the set-based
    engine's, and the procedure engine's when ``procedures``; with ``shadow``, the shadow
    pass's too (beside the procedures, and after the set-based engine when there are no
    procedures: explain-sql shows it)."""
    engines = ([FinalizeEngine.SET_BASED] if set_based else []) + (
        [FinalizeEngine.PROCEDURES] if procedures else [])
    seen = set()
    for provider_id, tenant_id, key, _ in DEMO_PROVIDERS:
        if key in seen:
            continue
        seen.add(key)
        integration = INTEGRATIONS[key]
        for engine in engines:
            if (engine is FinalizeEngine.SET_BASED and integration.database.value == "jasper"
                    and not databases.joinable):
                continue  # PostgreSQL cannot join two databases: the set-based engine refuses
            request = FinalizeRequest(
                integration, str(tenant_id), provider_id, run_id=f"explain-{key}-{engine.value}",
                engine=engine, shadow=FinalizeEngine.SET_BASED if shadow else None,
                dialect="mssql")  # what SQL Server would run, whatever runs it here
            if engine is FinalizeEngine.SET_BASED:
                # A first sync first: the statements after it are then a resync's — the
                # compare-and-update and the absent search, which a first sync skips.
                finalize_partition(databases, dataclasses.replace(
                    request, run_id=f"{request.run_id}-first", shadow=None), retry=QUICK)
            result = finalize_partition(databases, request, retry=QUICK)
            if shadow and engine is FinalizeEngine.SET_BASED and not procedures:
                shadow = shadow_partition(databases, request, result, result.service_provider_ids)
                assert shadow.status != "failed", shadow.error
            with databases.central.connect() as conn:
                sync = sync_of_run(conn, key, str(tenant_id), [f"explain-{key}-{engine.value}"])
                gate_facts(conn, integration, sync, date.today())  # the gate step's reads
                record_gate_verdict(conn, sync.id, blocked=False)  # and its verdict
                tenant_name(conn, str(tenant_id))
                new_plans_of(conn, result.sync_id)
                rejected_rows(conn, result.sync_id, limit=20)  # the materialization's sample
                rejected_rows(conn, result.sync_id)  # cleanup-assets rejected
                global_settings(conn)
                integration_name(conn, integration, provider_id)
                if integration.billing_cycle_discrepancy_report:
                    billing_cycle_discrepancies(conn, integration, [provider_id], date.today(),
                                                use_procedure=engine is FinalizeEngine.PROCEDURES)
                if integration.sync_log_name and (integration.database.value != "jasper"
                                                  or databases.joinable):
                    write_sync_log(conn, integration, [provider_id], utcnow(), io.BytesIO())
                if integration.family is Family.M2M:
                    write_device_history(conn, provider_id, io.BytesIO())
                    for _ in history_chunks(conn, [provider_id], result.sync_id, utcnow()):
                        pass
            summarize(databases, integration, sync,
                      use_procedure=engine is FinalizeEngine.PROCEDURES)
    # A sensor tick: post, parse, count rows to process, decide (retries exhausted at once:
    # a provider with rows left is launched forced); relaunch lookups.
    with databases.central.begin() as conn:
        rows = conn.execute(service_provider.select()).mappings().all()
        for row in rows:
            post_notification(conn, {"IntegrationType": row["IntegrationId"],
                                     "ServiceProviderId": row["id"], "MaxRetries": 0})
    outcome = evaluate_notifications(databases, retry=QUICK)
    # A forced run's first work, twice (a re-execution finds it done).
    for launch in [l for l in outcome.launches if l.forced] * 2:
        clear_forced_rows(databases, FinalizeRequest(
            INTEGRATIONS[launch.integration_key], launch.tenant_key,
            launch.service_provider_id, forced=True, run_id="explain-forced",
            notification_id=launch.notification_id), QUICK)
    with databases.central.connect() as conn:
        launched_between(conn, utcnow().replace(year=2000), utcnow())
    # The handover and the stop path.
    provider = next(p for p, _, key, _ in DEMO_PROVIDERS if INTEGRATIONS[key].optimization)

    def handover(conn):
        current_handover(conn, provider, "session:1")
        find_billing_period(conn, provider, date.today(), use_procedure=procedures)
        claim_send(conn, provider, "session:1", 1, "explain", 1)  # the INSERT of a new row
        mark_unsent(conn, provider, "session:1", "explain", "refused")
        claim_send(conn, provider, "session:1", 1, "explain", 1,  # the conditional UPDATE
                   resend_claimed_after=utcnow())
        record_queued(conn, provider, "session:1", "explain", "m-1")  # and its fallback
        record_queued(conn, provider, "session:1", "explain", "m-1")
        record_handover(conn, provider, "session:1", 1, "queued", message_id="m-1")
        mark_progress_delivered(conn, provider, "session:1")
        session_guid(conn, 9000 + provider)
        # The stop path: claim (a new row, then a row to take), release, finish.
        claim_stop(conn, provider, "session:2", 2, "explain/1", utcnow(), "why",
                   run_id="explain", root_run_id="explain")
        release_stop(conn, provider, "session:2", "explain/1")
        claim_stop(conn, provider, "session:2", 2, "explain/1", utcnow(), "why",
                   run_id="explain", root_run_id="explain")
        provider_name(conn, provider)
        optimization_settings(conn)
        finish_stop(conn, provider, "session:2", 9000 + provider, "explain/1", "explain",
                    unconfirmed=False)
        reopen_handover(conn, provider, 2)

    in_transaction(databases.central, handover, QUICK)
    # The stop sensors closing the ledger row a dead run left `running`.
    def dead_run(conn):
        open_sync(conn, integration_key="jasper", tenant_key="1", providers=[provider],
                  run_id="explain-dead", trigger=TRIGGER_RERUN, forced=False, complete=True,
                  engine="set_based", rules_version=None, active_before=None)
        close_syncs_of_dead_runs(conn, {run: "died" for run in runs_with_running_syncs(
            conn, {"explain-dead"})})

    in_transaction(databases.central, dead_run, QUICK)

    # The operators' alert: claimed, then marked sent.
    def alert(conn):
        claim_alert(conn, "run-failure:explain", RUN_FAILURE, "jasper|1", "subject", "why")
        claim_alert(conn, "run-failure:explain", RUN_FAILURE, "jasper|1", "subject", "why")
        mark_sent(conn, "run-failure:explain", "ops@example.com")

    in_transaction(databases.central, alert, QUICK)


def planned_procedure_statements():
    """The procedure engine's calls, as built (for explain-sql, which runs on SQLite)."""
    for integration in INTEGRATIONS.values():
        for step, parameters in planned_calls(integration, 101, jasper_db_name="JasperDb",
                                              integration_id=1):
            call = procedure_call(step.name, parameters)  # a constant's name resolved
            yield (f"{integration.key}: {call.name} ({step.database.value} database, "
                   f"{step.source})", call)
        summary = {"ServiceProviderId": 101} if integration.summary_takes_provider else {}
        yield (f"{integration.key}: summary ({integration.summary_database.value} database)",
               procedure_call(integration.summary_procedure, summary, returns_rows=True))
    yield ("billing period", procedure_call(BILL_PERIOD_PROCEDURE, {
        "ServiceProviderId": 101, "BillMonth": 1, "BillYear": 2026}, returns_rows=True))
    yield ("ThingSpace billing-cycle discrepancies", procedure_call(
        DISCREPANCY_PROCEDURE, {"ServiceProviderId": 103},
        returns_rows=True))


def explain_statements(dialect: str = "mssql") -> Iterator[tuple[str, str, list[str]]]:
    """(title, SQL Server text, lint findings) for every distinct statement."""
    with tempfile.TemporaryDirectory() as folder:
        databases = connect_databases(f"sqlite:///{Path(folder) / 'central.db'}",
                                      f"sqlite:///{Path(folder) / 'JasperDb.db'}")
        create_schema(databases)
        seed_demo(databases, devices_per_provider=5)
        seed_rows_to_process(databases)
        with capture_statements(databases.central, databases.jasper) as captured:
            run_workload(databases, procedures=False, shadow=True)
        databases.dispose()
    for number, (sql, problems) in enumerate(review(captured), start=1):
        yield f"statement {number}", sql, problems
    for title, statement in planned_procedure_statements():
        sql = to_tsql(statement)
        yield title, sql, lint(sql)
    if dialect == "mssql":  # what a DBA creates (nothing is created on SQL Server by us)
        for number, ddl in enumerate(own_tables_ddl("mssql").split(";"), start=1):
            if ddl.strip():
                yield f"our tables: DDL {number}", ddl.strip(), lint(ddl)
    # cleanup-assets preflight's catalog queries (never run against a SQL Server: compiled
    # and linted here; their PostgreSQL twins are what the tests run).
    for title, statement in catalog_statements("mssql"):
        sql = to_tsql(statement)
        yield f"{title} (not run against a SQL Server)", sql, lint(sql)


__all__ = ["Captured", "explain_statements", "run_workload", "planned_procedure_statements"]
