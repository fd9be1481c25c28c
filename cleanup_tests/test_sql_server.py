"""The SQL Server contract, tested as far as it can be without a SQL Server (none can run
here): the procedure engine against stand-in procedures under the legacy names on two real
PostgreSQL databases (central and Jasper); every statement the code location issues,
captured, compiled for SQL Server and linted; the schema held to the legacy evidence."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date

import pytest
from sqlalchemy import create_engine, text

from cleanup_assets.db import connect_databases
from cleanup_assets.registry import INTEGRATIONS, procedure_name
from cleanup_assets.schema import (
    LEGACY_TABLES,
    MissingTablesError,
    OWN_TABLES,
    create_schema,
    jasper_device_staging,
    metadata,
    own_tables_ddl,
    thingspace_device_staging,
)
from cleanup_assets.sql.finalize import (
    FinalizeEngine,
    FinalizeError,
    FinalizeRequest,
    finalize_partition,
)
from cleanup_assets.tooling.demo import upstream_device_sync
from cleanup_assets.tooling.tsql import capture_statements, lint, review

from . import evidence, stand_ins
from .builders import (
    NO_WAIT,
    TEST_INTEGRATION_IDS,
    good_devices,
    live,
    rows,
    run_notified,
    seed_providers,
    seed_session,
    stop_mails,
    stop_sensor_sees,
)
from .conftest import create_pg_database, drop_pg_database

# Its module-scoped databases are built once: under pytest-xdist its tests stay on one worker.
pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("sql_server")]


@pytest.fixture(scope="module")
def two_databases():
    """A central and a Jasper database on the PostgreSQL server, with the schema and the
    stand-in procedures; emptied before each test."""
    central_url, jasper_url = create_pg_database("cleanup_central"), create_pg_database(
        "cleanup_jasper")
    databases = connect_databases(central_url, jasper_url)
    create_schema(databases)
    stand_ins.install(databases)
    yield databases
    databases.dispose()
    drop_pg_database(central_url)
    drop_pg_database(jasper_url)


@pytest.fixture(autouse=True)
def procedure_names(monkeypatch):
    """The stand-ins' CLEANUP_PROCEDURE_NAMES (Pond's procedure is not named by its C#
    constant), read afresh: the location reads it once per process."""
    from cleanup_assets.registry import configured_procedure_names

    monkeypatch.setenv("CLEANUP_PROCEDURE_NAMES", stand_ins.PROCEDURE_NAMES)
    configured_procedure_names.cache_clear()
    yield
    configured_procedure_names.cache_clear()


@pytest.fixture
def databases(two_databases):
    for engine, jasper in ((two_databases.central, False), (two_databases.jasper, True)):
        names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables
                          if (t.schema is not None) == jasper)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    stand_ins.forget_calls(two_databases)
    stand_ins.install(two_databases)  # undo any broken stand-in
    return two_databases


def synced(databases, key: str, provider: int = 11, tenant: int = 1, count: int = 4):
    seed_providers(databases.central, (provider, tenant, key))
    devices = good_devices(provider, count)
    upstream_device_sync(databases, INTEGRATIONS[key], provider, devices)
    return devices


def finalize(databases, key, provider=11, engine=FinalizeEngine.PROCEDURES, **options):
    return finalize_partition(databases, FinalizeRequest(
        INTEGRATIONS[key], "1", provider, engine=engine, **options), retry=NO_WAIT)


# --- the procedure engine -----------------------------------------------------------------

def test_the_jasper_family_calls_its_procedure_on_central_with_the_jasper_database_name(databases):
    synced(databases, "rogers")

    result = finalize(databases, "rogers")

    jasper_db = databases.jasper.url.database
    central_db = databases.central.url.database
    rogers_id = TEST_INTEGRATION_IDS["rogers"]
    today = date.today()
    assert stand_ins.recorded_calls(databases) == [
        ("usp_Jasper_DeviceSync", f"JasperDbName={jasper_db},ServiceProviderId=11", central_db),
        ("usp_DeviceSync_Common", f"IntegrationId={rogers_id}", central_db),
        # the gate's billing period (BillingPeriodHelper.cs:20-23)
        ("usp_Service_Provider_Get_Bill_Period_Day_And_Hour",
         f"ServiceProviderId=11,BillMonth={today.month},BillYear={today.year}", central_db),
    ]
    assert databases.jasper_db_name == jasper_db
    # the stand-in read JasperDevice in the Jasper database by that name
    assert len(live(databases.central, "Device", 11)) == 4
    (ledger,) = rows(databases.central, "CleanupDeviceSync")
    assert (ledger["Engine"], ledger["Status"]) == ("procedures", "finalized")
    assert [c.name for c in result.procedures.calls] == ["usp_Jasper_DeviceSync",
                                                         "usp_DeviceSync_Common"]


@pytest.mark.parametrize("key, expected", [
    ("thingspace", ["usp_ThingSpace_DeviceSync@11", "usp_DeviceSync_Common"]),
    ("teal", ["usp_Teal_Device_Sync@11", "usp_DeviceSync_Common"]),
    ("pond", [f"{stand_ins.POND_PROCEDURE}@11", "usp_DeviceSync_Common"]),
    ("ebonding", ["usp_eBonding_Update_DeviceUsage_FromStaging@11", "usp_eBonding_DeviceSync@11",
                  "usp_MobilityDeviceSync_Common"]),
    ("telegence", ["usp_Telegence_Update_Device@11", "usp_Telegence_Update_DeviceDetail@11",
                   "usp_Update_TelegenceDeviceMobilityFeature_FromStaging",
                   "usp_Telegence_Update_DeviceUsage_FromStaging@11",
                   "usp_Telegence_Update_DeviceMubuUsage_FromStaging@11",
                   "usp_Telegence_DeviceSync@11", "usp_MobilityDeviceSync_Common"]),
])
def test_each_integration_calls_the_legacy_sequence_with_its_parameters(databases, key, expected):
    synced(databases, key)

    finalize(databases, key)

    central_db = databases.central.url.database
    calls = stand_ins.recorded_calls(databases)
    integration_id = TEST_INTEGRATION_IDS[key]
    assert calls == [
        (name.split("@")[0],
         "ServiceProviderId=11" if "@" in name else
         (f"IntegrationId={integration_id}" if name.endswith("_Common") else ""),
         central_db) for name in expected]


def test_a_procedure_named_by_a_csharp_constant_is_called_by_its_configured_name(
        databases, monkeypatch):
    """POND_DEVICE_SYNC is the legacy's constant (F:1547), not a procedure: unconfigured,
    the call fails naming the setting; configured, the configured name is EXECuted."""
    from cleanup_assets.registry import configured_procedure_names
    from cleanup_assets.sql.procedures import ProcedureNotFound

    synced(databases, "pond")
    monkeypatch.delenv("CLEANUP_PROCEDURE_NAMES")
    configured_procedure_names.cache_clear()
    with pytest.raises(ProcedureNotFound, match="C# constant POND_DEVICE_SYNC: set "
                                                "CLEANUP_PROCEDURE_NAMES"):
        finalize(databases, "pond")
    (ledger,) = rows(databases.central, "CleanupDeviceSync")
    assert ledger["Status"] == "failed" and "CLEANUP_PROCEDURE_NAMES" in ledger["Error"]

    monkeypatch.setenv("CLEANUP_PROCEDURE_NAMES", stand_ins.PROCEDURE_NAMES)
    configured_procedure_names.cache_clear()
    result = finalize(databases, "pond")
    assert result.procedures.calls[0].name == stand_ins.POND_PROCEDURE
    assert len(live(databases.central, "Device", 11)) == 4


def test_telegence_updates_devices_only_when_its_staging_has_rows(databases):
    seed_providers(databases.central, (11, 1, "telegence"))  # nothing staged

    result = finalize(databases, "telegence")

    names = [name for name, _, _ in stand_ins.recorded_calls(databases)]
    assert "usp_Telegence_Update_Device" not in names and len(names) == 6
    assert "TelegenceDeviceStaging has no rows" in result.procedures.skipped[0]


def _telegence_with_a_missing_subscriber(databases) -> str:
    """Telegence staged for provider 11, and one subscriber of 11 the staging lacks."""
    synced(databases, "telegence")
    with databases.central.begin() as conn:
        conn.execute(text(
            'INSERT INTO "TelegenceDevice" ("ServiceProviderId", "SubscriberNumber", '
            '"SubscriberNumberStatus", "IsActive", "IsDeleted") '
            "VALUES (11, '15550000999', 'a', true, false)"))
    return "15550000999"


def _telegence_device(databases, subscriber: str) -> dict:
    with databases.central.connect() as conn:
        return dict(conn.execute(text(
            'SELECT "FailedSyncCount", "SubscriberNumberStatus" FROM "TelegenceDevice" '
            'WHERE "SubscriberNumber" = :s'), {"s": subscriber}).one()._mapping)


def test_a_retry_of_a_notified_run_on_the_procedure_engine_counts_no_miss_again(databases):
    """A run retry or re-execution keeps the notification's tags; the procedure that counts
    a miss per call is called once per notification, claimed before the call (issue 19.7)."""
    from cleanup_assets.notifications import post_notification

    missing = _telegence_with_a_missing_subscriber(databases)
    with databases.central.begin() as conn:
        notification = post_notification(conn, {"ServiceProviderId": 11})

    first = finalize(databases, "telegence", notification_id=notification)
    retried = finalize(databases, "telegence", notification_id=notification)

    assert _telegence_device(databases, missing)["FailedSyncCount"] == 1
    assert first.procedures.skipped == []
    (skipped,) = retried.procedures.skipped
    assert "counted by an earlier attempt" in skipped


def test_a_rerun_on_the_procedure_engine_does_not_count_telegence_misses_again(databases):
    """usp_Telegence_Update_Device counts a failed sync on every call (its public body,
    :118-136): three reruns of one day would turn a subscriber 'Unknown'. A rerun (no new
    notification) skips it and says why; the rest of the sequence runs."""
    missing = _telegence_with_a_missing_subscriber(databases)
    finalize(databases, "telegence")  # the notified sync: one miss
    assert _telegence_device(databases, missing)["FailedSyncCount"] == 1

    for _ in range(3):
        rerun = finalize_partition(databases, FinalizeRequest(
            INTEGRATIONS["telegence"], "1", None, engine=FinalizeEngine.PROCEDURES),
            retry=NO_WAIT)

    assert _telegence_device(databases, missing) == {"FailedSyncCount": 1,
                                                     "SubscriberNumberStatus": "a"}
    (skipped,) = rerun.procedures.skipped
    assert "usp_Telegence_Update_Device for provider 11: not on a rerun" in skipped
    assert [c.name for c in rerun.procedures.calls][-1] == "usp_MobilityDeviceSync_Common"
    names = [name for name, _, _ in stand_ins.recorded_calls(databases)]
    assert names.count("usp_Telegence_Update_Device") == 1
    assert names.count("usp_Telegence_DeviceSync") == 4


def test_a_timed_out_procedure_that_counts_misses_is_not_run_again(databases):
    """A command timeout (SQL Server -2, here PostgreSQL's statement_timeout) may come
    after the work is done: usp_Telegence_Update_Device is not re-run blind, the run fails
    saying so (the legacy's policy does not retry -2 either)."""
    from dataclasses import replace

    from sqlalchemy.exc import OperationalError

    _telegence_with_a_missing_subscriber(databases)
    with databases.central.begin() as conn:
        conn.execute(text("DROP SEQUENCE IF EXISTS tries; CREATE SEQUENCE tries"))
    stand_ins.replace_procedure(databases.central, "usp_Telegence_Update_Device",
                                stand_ins.SP, "PERFORM nextval('tries'); PERFORM pg_sleep(3); "
                                + stand_ins.TELEGENCE_UPDATE_DEVICE)
    telegence = INTEGRATIONS["telegence"]
    quick = replace(telegence, procedures=(replace(telegence.procedures[0], timeout_seconds=1),
                                           *telegence.procedures[1:]))

    with pytest.raises(OperationalError, match="statement timeout"):
        finalize_partition(databases, FinalizeRequest(
            quick, "1", 11, engine=FinalizeEngine.PROCEDURES), retry=NO_WAIT)

    with databases.central.connect() as conn:
        assert conn.execute(text("SELECT last_value FROM tries")).scalar() == 1  # one try
    (ledger,) = rows(databases.central, "CleanupDeviceSync")
    assert ledger["Status"] == "failed"


def test_a_failing_procedure_fails_the_partition_and_records_no_success(databases):
    synced(databases, "thingspace")
    stand_ins.break_procedure(databases.central, "usp_ThingSpace_DeviceSync",
                              [("ServiceProviderId", "integer")])

    with pytest.raises(Exception, match="stand-in usp_ThingSpace_DeviceSync failed"):
        finalize(databases, "thingspace")

    (ledger,) = rows(databases.central, "CleanupDeviceSync")
    assert ledger["Status"] == "failed" and "usp_ThingSpace_DeviceSync" in ledger["Error"]
    names = [name for name, _, _ in stand_ins.recorded_calls(databases)]
    assert "usp_DeviceSync_Common" not in names  # nothing after the failure


@pytest.mark.parametrize("key", ["thingspace", "telegence"])
def test_the_procedures_are_not_called_on_a_list_with_no_usable_key(databases, key):
    """The stand-in mirrors whatever the carrier table holds (as a procedure that trusts its
    input would): a list whose every key is malformed would deactivate every device."""
    devices = synced(databases, key)
    finalize(databases, key)
    table, attribute = ("Device", "ICCID") if key == "thingspace" else ("MobilityDevice", "MSISDN")
    before = live(databases.central, table, 11, attribute)
    stand_ins.forget_calls(databases)
    upstream_device_sync(databases, INTEGRATIONS[key], 11,
                         [{**d, attribute: "X" + d[attribute][1:]} for d in devices])

    with pytest.raises(FinalizeError, match="procedures were not called.*provider 11"):
        finalize(databases, key)

    assert stand_ins.recorded_calls(databases) == []
    assert live(databases.central, table, 11, attribute) == before
    assert rows(databases.central, "CleanupDeviceSync")[-1]["Status"] == "failed"


def test_a_transient_procedure_error_is_retried_and_the_call_made_once(databases):
    synced(databases, "thingspace")
    stand_ins.fail_procedure_once(databases.central, "usp_ThingSpace_DeviceSync",
                                  [("ServiceProviderId", "integer")], "40001")

    result = finalize(databases, "thingspace")  # serialization failure: transient

    names = [name for name, _, _ in stand_ins.recorded_calls(databases)]
    assert names.count("usp_ThingSpace_DeviceSync") == 1  # the failed try left nothing
    (ledger,) = rows(databases.central, "CleanupDeviceSync")
    assert ledger["Status"] == "finalized" and result.procedures.calls[0].name == names[0]
    with databases.central.connect() as conn:
        assert conn.execute(text("SELECT last_value FROM stand_in_fail_once")).scalar() == 2


def test_a_procedure_that_ends_its_own_transaction_runs_as_the_legacy_runs_it(databases):
    """Calls other than usp_Jasper_DeviceSync run without an outer transaction, as the
    legacy's plain SqlCommand: a procedure that commits (or rolls back) its own work then
    works — inside ours it would fail (PostgreSQL: invalid transaction termination; SQL
    Server: error 266)."""
    synced(databases, "thingspace")
    stand_ins.replace_procedure(databases.central, "usp_ThingSpace_DeviceSync",
                                [("ServiceProviderId", "integer")], "COMMIT;")

    result = finalize(databases, "thingspace")

    assert [c.name for c in result.procedures.calls] == ["usp_ThingSpace_DeviceSync",
                                                         "usp_DeviceSync_Common"]


def test_the_exec_text_binds_the_legacy_parameters_in_the_legacy_order():
    from sqlalchemy.dialects import mssql

    from cleanup_assets.sql.procedure_engine import planned_calls
    from cleanup_assets.sql.procedures import mssql_statement, procedure_call

    dialect = mssql.pyodbc.dialect(paramstyle="qmark")  # what pyodbc's engine uses
    (jasper, _), (common, common_parameters) = planned_calls(
        INTEGRATIONS["jasper"], 11, jasper_db_name="JasperDb", integration_id=2)
    assert mssql_statement(procedure_call(jasper.name, _), dialect) == (
        "EXEC [dbo].[usp_Jasper_DeviceSync] @JasperDbName = ?, @ServiceProviderId = ?",
        ["JasperDb", 11])  # F:1025-1059
    assert mssql_statement(procedure_call(common.name, common_parameters), dialect) == (
        "EXEC [dbo].[usp_DeviceSync_Common] @IntegrationId = ?", [2])  # F:1177


class PyodbcLikeCursor:
    """What pyodbc does with a procedure's several results: each ``nextset()`` moves to the
    next one and raises the error the procedure hit there."""

    def __init__(self, results):
        self.results = list(results)
        self.description = None
        self._advance()

    def _advance(self):
        current = self.results.pop(0)
        if isinstance(current, Exception):
            raise current
        self.description = [(name,) for name in current[0]] if current else None
        self.rows = current[1] if current else []

    def fetchall(self):
        return self.rows

    def nextset(self):
        if not self.results:
            return False
        self._advance()
        return True


def test_every_result_of_a_procedure_is_drained_so_a_late_error_is_raised():
    from cleanup_assets.sql.procedures import drain_result_sets

    # a row count (no columns), the rows the caller reads, then an error in a later statement
    late = PyodbcLikeCursor([None, (("Id", "BillPeriodEndDay"), [(7, 28)]), None,
                             RuntimeError("[42000] error 50000 in a later statement")])
    with pytest.raises(RuntimeError, match="later statement"):
        drain_result_sets(late)
    fine = PyodbcLikeCursor([None, (("Id",), [(7,)]), (("Other",), [(1,)])])
    assert drain_result_sets(fine).rows == ((7,),)  # the first result with columns


def test_a_summary_of_unnamed_and_repeated_columns_is_read_by_position(databases):
    """The legacy reads the summary by ordinal (GetDateTime(0) … GetInt32(6), F:1266-1304):
    a procedure ending in ``SELECT @LastSync, @Queued, …`` gives no names (pyodbc: ''), and
    PostgreSQL's driver gives '?column?' for each — several result sets, too. Read through
    a real driver cursor, every position survives."""
    from datetime import datetime

    from cleanup_assets.sql.procedures import drain_result_sets
    from cleanup_assets.sql.summary import SummaryValues, summary_from_result

    raw = databases.central.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("DO $$ BEGIN END $$; "  # a statement without a result (a row count)
                       "SELECT timestamp '2026-11-27 06:00', 7, 5, timestamp '2026-11-27 07:00',"
                       " 0, 3, 4; SELECT 'a later result'")
        result = drain_result_sets(cursor)
    finally:
        raw.close()

    assert result.columns.count("?column?") == 5
    assert summary_from_result(result, "usp_Jasper_Devices_Get_Sync_Summary") == SummaryValues(
        datetime(2026, 11, 27, 6), 7, 5, datetime(2026, 11, 27, 7), 0, 3, 4)
    assert [list(r) for r in result.records()][0][:3] == ["timestamp", "?column?", "?column? (2)"]


def test_the_billing_period_is_the_last_rows_id_found_ignoring_case(databases):
    """BillingPeriodHelper.cs:28-46 keeps the LAST row's Id and finds the column with
    GetOrdinal (case-insensitive): a procedure answering ``ID`` over two rows is read, never
    taken for "no billing period" (which would block the gate and stop the session)."""
    from cleanup_assets.sql.gate_facts import find_billing_period

    with databases.central.begin() as conn:
        conn.execute(text(
            'DROP FUNCTION "usp_Service_Provider_Get_Bill_Period_Day_And_Hour"'
            "(integer, integer, integer)"))
        conn.execute(text(
            'CREATE FUNCTION "usp_Service_Provider_Get_Bill_Period_Day_And_Hour"('
            '"ServiceProviderId" integer, "BillMonth" integer, "BillYear" integer) '
            'RETURNS TABLE ("BillPeriodEndDay" integer, "BillPeriodEndHour" integer, "ID" integer)'
            " LANGUAGE sql AS $$ VALUES (18, 18, 501), (18, 18, 502), (18, 18, NULL) $$"))
        period = find_billing_period(conn, 11, date.today(), use_procedure=True)

    assert period is not None and period.id == 502


def test_three_part_names_are_used_only_for_databases_of_one_server():
    from cleanup_assets.db import _mssql_server

    odbc = "mssql+pyodbc:///?odbc_connect=DRIVER%3Dx%3BSERVER%3Dtcp%3ASQL1.example%2C1433%3BDATABASE%3DJ"
    # One server written two ways is one server; another port or instance is another.
    assert _mssql_server("mssql+pyodbc://u:p@SQL1.example/Central?driver=x") == _mssql_server(odbc)
    assert _mssql_server("mssql+pyodbc://u:p@sql1.example:1434/J?driver=x") != _mssql_server(odbc)
    named = "mssql+pyodbc:///?odbc_connect=SERVER%3Dsql1.example%5CREPORTS%3BDATABASE%3DJ"
    assert _mssql_server(named) == ("sql1.example", "reports")


def test_summary_billing_period_and_discrepancies_come_from_their_procedures(databases):
    from cleanup_assets.reporting import billing_cycle_discrepancies, summarize
    from cleanup_assets.sql.gate_facts import find_billing_period
    from cleanup_assets.sql.ledger import sync_of_run

    synced(databases, "jasper")
    finalize(databases, "jasper", run_id="r1")
    with databases.central.connect() as conn:
        sync = sync_of_run(conn, "jasper", "1", ["r1"])
        period = find_billing_period(conn, 11, date.today(), use_procedure=True)
    summary = summarize(databases, INTEGRATIONS["jasper"], sync, use_procedure=True)

    assert summary.fields["DeviceCount"] == 4 and summary.fields["DetailQueueCount"] == 7
    assert period is not None and period.month == date.today().month
    calls = stand_ins.recorded_calls(databases)
    assert ("usp_Jasper_Devices_Get_Sync_Summary", "ServiceProviderId=11",
            databases.jasper.url.database) in calls  # on the Jasper database
    synced(databases, "thingspace", provider=12)
    with databases.central.connect() as conn:
        found = billing_cycle_discrepancies(conn, INTEGRATIONS["thingspace"], [12], date.today(),
                                            use_procedure=True)
    assert found == []  # the stand-in returns the provider's devices: none mirrored yet


@pytest.mark.parametrize("first, second", [(FinalizeEngine.PROCEDURES, FinalizeEngine.SET_BASED),
                                           (FinalizeEngine.SET_BASED, FinalizeEngine.PROCEDURES)])
def test_switching_engines_never_loses_a_device(databases, first, second):
    devices = synced(databases, "thingspace", count=6)

    finalize(databases, "thingspace", engine=first)
    finalize(databases, "thingspace", engine=second)

    assert set(live(databases.central, "Device", 11)) == {d["ICCID"] for d in devices}


# --- every statement, as SQL Server would get it ------------------------------------------

def test_every_statement_the_code_location_issues_is_t_sql(databases, pg_database_url):
    from cleanup_assets.tooling.demo import seed_demo, seed_rows_to_process
    from cleanup_assets.tooling.explain import run_workload

    from .conftest import empty_tables

    seed_demo(databases, devices_per_provider=5)
    seed_rows_to_process(databases)  # the tick's forced launches: their clearing reviewed
    one = connect_databases(pg_database_url)  # the set-based Jasper path needs one database
    empty_tables(one)
    seed_demo(one, devices_per_provider=5)
    seed_rows_to_process(one)
    with capture_statements(databases.central, databases.jasper, one.central) as captured:
        run_workload(databases, procedures=True, shadow=True)
        run_workload(one, procedures=False, shadow=True)
    one.dispose()

    reviewed = review(captured)
    problems = [(sql[:300], found) for sql, found in reviewed if found]
    assert problems == []
    executed = " ".join(sql for sql, _ in reviewed)
    # The workload covered every integration: each legacy procedure it calls (and its
    # common procedure) and each carrier table the set-based engine reads.
    not_called = sorted({procedure_name(p.name) for i in INTEGRATIONS.values()
                         for p in (*i.procedures, i.common_procedure)
                         if f"EXEC [dbo].[{procedure_name(p.name)}]" not in executed})
    assert not_called == []
    not_read = sorted(i.carrier.table for i in INTEGRATIONS.values()
                      if f"[{i.carrier.table}]" not in executed)
    assert not_read == []
    for contract in ("EXEC [dbo].[usp_Jasper_DeviceSync] @JasperDbName",
                     "EXEC [dbo].[usp_Telegence_Update_Device] @ServiceProviderId",
                     "EXEC [dbo].[usp_Service_Provider_Get_Bill_Period_Day_And_Hour] "
                     "@ServiceProviderId = :p_ServiceProviderId_1, @BillMonth",
                     "[JasperDb].dbo.[JasperDevice]"):
        assert contract in executed
    # The set-based engine's checked rows go through a # table, as through a temporary
    # table on the other databases: created with its text in the database's collation,
    # filled once, read by the statements that merge, dropped (merge._checked_rows).
    checked = "[#cleanup_checked_rows]"
    statements = [sql for sql, _ in reviewed if checked in sql]
    created = [sql for sql in statements if sql.startswith(f"CREATE TABLE {checked}")]
    texts = [t for sql in created for t in re.findall(r"VARCHAR\([^)]*\)(?: COLLATE \w+)?", sql)]
    assert texts and all(t.endswith(" COLLATE DATABASE_DEFAULT") for t in texts), texts
    heads = sorted({sql[:40] for sql in statements})
    assert any(sql.startswith(f"INSERT INTO {checked}") for sql in statements), heads
    # The compare-and-update as the engine runs it (a resync: a first sync skips it), not
    # only the shadow pass's form of it (with OUTPUT … INTO).
    assert any(sql.startswith("UPDATE [Device] SET") and " OUTPUT " not in sql
               for sql in statements), heads
    assert any(sql.startswith("INSERT INTO [CleanupRejectedRow]") for sql in statements), heads
    assert any(sql.startswith("INSERT INTO [CleanupJudgedRow]") for sql in statements), heads
    # The recorded verdicts are matched code point by code point (the database's collation
    # may ignore case, accents or width, which the checks do not).
    assert any("([CleanupJudgedRow].[Fingerprint]) COLLATE Latin1_General_BIN2) = ((" in sql
               for sql in statements), heads
    assert f"DROP TABLE {checked}" in statements
    stray = [sql[:120] for sql, _ in reviewed
             if "cleanup_checked_rows" in sql and checked not in sql]
    assert stray == []


@pytest.mark.parametrize("sql, finding", [
    ("SELECT count(*) FILTER (WHERE a = 1) FROM t", "FILTER"),
    ("SELECT a FROM t LIMIT 5", "LIMIT"),
    ("INSERT INTO t (a) VALUES (1) RETURNING a", "RETURNING"),
    ("SELECT a::int FROM t", ":: cast"),
    ("SELECT substr(a, 1, 2) FROM t", "substr"),
    ("SELECT a || b FROM t", "concatenation"),
    ("SELECT a FROM t WHERE a ILIKE 'x'", "ILIKE"),
    ("SELECT a FROM t WHERE trim(a) = ''", "SQL Server 2017"),
    ("CREATE TABLE [t] ([a] TEXT NOT NULL)", "NVARCHAR(MAX)"),
    ("SELECT a FROM t WHERE a ~ '[0-9]' ", "regular-expression"),
    ("SELECT regexp_replace(a, 'x', 'y') FROM t", "not a T-SQL built-in"),
    ("SELECT CASE WHEN a LIKE '[0-9]%' AND CAST(a AS int) > 3 THEN 1 END FROM t", "TRY_CAST"),
    ("SELECT EXISTS (SELECT * FROM [Device] WHERE [Device].[ServiceProviderId] IN (1))",
     "EXISTS as a value"),
])
def test_the_lint_finds_what_sql_server_lacks(sql, finding):
    assert any(finding in problem for problem in lint(sql)), lint(sql)


@pytest.mark.slow  # starts a process (the CLI, a fresh interpreter)
def test_explain_sql_prints_every_statement_for_a_dba(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "cleanup_assets.tooling.cli", "explain-sql", "--dialect", "mssql"],
        capture_output=True, text=True, timeout=180,
        env={"CLEANUP_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "EXEC [dbo].[usp_Jasper_DeviceSync] @JasperDbName = :p_JasperDbName_1" in completed.stdout
    # Every supported version (README): no TRIM() (2017+), no deprecated TEXT — in the
    # statements and in our tables' DDL, which it prints too.
    assert "CREATE TABLE [CleanupNewCommunicationPlan]" in completed.stdout
    assert re.findall(r"\bTRIM\s*\(|\bN?TEXT\b", completed.stdout, re.I) == []
    assert "[CommunicationPlanName] NVARCHAR(255) NOT NULL" in completed.stdout
    # preflight's SQL Server catalog queries: compiled and linted, never run against a server
    for query in ("FROM sys.objects AS o LEFT JOIN sys.parameters AS p",
                  "EXEC sp_describe_first_result_set @tsql = :tsql", "HAS_PERMS_BY_NAME(",
                  "SERVERPROPERTY('ProductVersion')"):
        assert query in completed.stdout, query
    assert "0 statement(s) with lint findings" in completed.stderr


# --- the schema, held to the evidence ------------------------------------------------------

def test_legacy_tables_have_only_columns_the_legacy_sources_show_or_declared_guesses():
    unexplained, wrong_guesses = [], []
    for table in LEGACY_TABLES:
        shown = evidence.TABLES.get(table.name)
        for column in table.c:
            guess = column.info.get("guess") or table.info.get("guess")
            evidenced = shown is not None and column.name in shown.columns
            if not evidenced and not guess:
                unexplained.append(f"{table.name}.{column.name}")
            if evidenced and column.info.get("guess"):
                wrong_guesses.append(f"{table.name}.{column.name}")
    assert unexplained == [] and wrong_guesses == []
    assert not any(c.name == "LastSyncId" for t in LEGACY_TABLES for c in t.c)
    assert all(t.name.startswith("Cleanup") for t in OWN_TABLES)


def test_bulk_copied_staging_keeps_the_legacy_column_order():
    # copied without column mappings: by ordinal (AltaworxJasperAWSGetDevicesQueue.cs:161-182)
    assert [c.name for c in jasper_device_staging.c] == [
        "ID", "ICCID", "Status", "RatePlan", "CommunicationPlan", "CreatedBy", "CreatedDate",
        "ServiceProviderId"]
    assert [c.name for c in thingspace_device_staging.c] == list(
        evidence.TABLES["ThingSpaceDeviceStaging"].columns)


def test_nothing_is_created_on_sql_server_and_the_ddl_is_offered_instead():
    from cleanup_assets.db import Databases

    engine = create_engine("mssql+pyodbc://user:secret@sqlserver.invalid/db?driver=x")
    with pytest.raises(RuntimeError, match="refusing to create tables on SQL Server") as error:
        create_schema(Databases(engine, engine, "db", False, True))
    assert "secret" not in str(error.value)
    ddl = own_tables_ddl("mssql")
    assert "CREATE TABLE [CleanupDeviceSync]" in ddl and "IDENTITY" in ddl
    assert "CREATE TABLE [Device]" not in ddl


def test_a_run_that_finds_one_of_our_tables_missing_fails_at_once_naming_it(databases):
    synced(databases, "pond")
    with databases.central.begin() as conn:
        conn.execute(text('ALTER TABLE "CleanupNewCommunicationPlan" RENAME TO "Elsewhere"'))
    try:
        with pytest.raises(MissingTablesError, match="CleanupNewCommunicationPlan"):
            finalize(databases, "pond", engine=FinalizeEngine.SET_BASED)
        assert live(databases.central, "Device", 11) == {}
    finally:
        with databases.central.begin() as conn:
            conn.execute(text('ALTER TABLE "Elsewhere" RENAME TO "CleanupNewCommunicationPlan"'))


@pytest.mark.slow  # starts a process (the CLI, a fresh interpreter)
def test_the_embedded_default_never_imports_pyodbc_nor_dagster_aws(tmp_path):
    # (dagster-aws is imported where a bucket is configured: 0.7 CPU-s in every process
    # that never touches S3 — each run's, each code server's — definitions._s3)
    code = (
        "import sys, cleanup_assets.definitions, cleanup_assets.tooling.cli;"
        "from cleanup_assets.db import connect_databases; from cleanup_assets.schema import "
        "create_schema; create_schema(connect_databases());"
        "assert 'pyodbc' not in sys.modules, 'pyodbc was imported';"
        "assert 'dagster_aws' not in sys.modules, 'dagster_aws was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True,
                   env={"CLEANUP_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})


def test_a_failing_procedure_fails_the_run_and_stops_the_optimization_once(databases, instance):
    from cleanup_assets.definitions import make_definitions
    from cleanup_assets.defs.resources import Amop20, AmopHttp, DatabaseResource, SmtpMailer

    from .servers import AmopServer, SmtpServer

    synced(databases, "jasper")
    seed_session(databases.central)
    stand_ins.break_procedure(databases.central, "usp_Jasper_DeviceSync",
                              [("JasperDbName", "text"), ("ServiceProviderId", "integer")])
    with AmopServer() as amop, SmtpServer() as smtp:
        defs = make_definitions(
            DatabaseResource(url=databases.central.url.render_as_string(hide_password=False),
                             jasper_url=databases.jasper.url.render_as_string(
                                 hide_password=False),
                             finalize_engine="procedures", retry_base_delay_seconds=0.01),
            amop=Amop20(sync_update=AmopHttp(url=f"{amop.url}/sync-update",
                                             backoff_seconds=0.01),
                        optimization=AmopHttp(url=f"{amop.url}/optimization",
                                              backoff_seconds=0.01)),
            email=SmtpMailer(port=smtp.port, backoff_seconds=0.01))

        result = run_notified(defs, instance, "jasper", "1", 11, session=555)
        stop_sensor_sees(defs, instance, result)  # the daemon looks at the failure again

        assert not result.success
        (mail,) = stop_mails(smtp)
        assert "stand-in usp_Jasper_DeviceSync failed" in mail.get_body(("plain",)).get_content()
    (ledger,) = rows(databases.central, "CleanupDeviceSync")
    assert ledger["Status"] == "failed"
    (handover,) = rows(databases.central, "CleanupOptimizationHandover")
    assert handover["Status"] == "stopped"

