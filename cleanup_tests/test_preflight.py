"""``cleanup-assets preflight`` finds, before any run, each kind of object a run would fail
on — named, with its fix — on real databases: two PostgreSQL databases (central and Jasper)
with the stand-in procedures, each test on its own copy, broken once; and SQLite, where only
tables and columns can be checked. A production load refuses on a blocking finding.

The SQL Server catalog queries (sys.parameters, sp_describe_first_result_set,
HAS_PERMS_BY_NAME, SERVERPROPERTY) cannot run here: they are compiled and linted with
explain-sql (test_sql_server.py); only the version rule is tested here, on the text
SERVERPROPERTY('ProductVersion') returns."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest
from sqlalchemy import text

from cleanup_assets.db import connect_databases
from cleanup_assets.definitions import definitions_from_environment
from cleanup_assets.preflight import (
    BLOCKING,
    INFO,
    MINIMUM_SQL_SERVER,
    SET_BASED_ONLY,
    SET_BASED_WRITES,
    WRITES,
    _Catalog,
    _version_findings,
    blocking,
    check_connections,
    checked_legacy_tables,
    preflight,
    required_sql_server,
)
from cleanup_assets.registry import parse_procedure_names
from cleanup_assets.schema import LEGACY_TABLES, comm_plan_rate_plan, create_schema
from cleanup_assets.settings import Settings

from . import stand_ins
from .builders import PRODUCTION, seed_providers
from .conftest import create_pg_database, drop_pg_database
from .processes import BIN, ROOT, environment

NAMES = parse_procedure_names(stand_ins.PROCEDURE_NAMES)
# Its module-scoped databases and workloads are built once: under pytest-xdist its tests stay
# on one worker.
pytestmark = pytest.mark.xdist_group("preflight")


@pytest.fixture(scope="module")
def databases():
    """A central and a Jasper database as a run needs them: the schema, the stand-in
    procedures, the Integration rows."""
    central, jasper = create_pg_database("preflight_c"), create_pg_database("preflight_j")
    databases = connect_databases(central, jasper)
    create_schema(databases)
    stand_ins.install(databases)
    seed_providers(databases.central, (11, 1, "jasper"))
    yield databases
    databases.dispose()
    drop_pg_database(central)
    drop_pg_database(jasper)


@pytest.fixture(scope="module")
def one_database():
    """One database holding the Jasper tables too: what a deployment configures on
    PostgreSQL (two PostgreSQL databases cannot be joined, and the settings refuse them)."""
    url = create_pg_database("preflight_one")
    databases = connect_databases(url)
    create_schema(databases)
    stand_ins.install(databases)
    seed_providers(databases.central, (11, 1, "jasper"))
    yield databases
    databases.dispose()
    drop_pg_database(url)


def broken(databases, central=(), jasper=(), engine="procedures", shadow=None):
    """Preflight's findings with ``central`` / ``jasper`` statements run first, inside a
    transaction on each database that is rolled back after (PostgreSQL's DDL is
    transactional: the next test finds the databases whole)."""
    with databases.central.connect() as on_central, databases.jasper.connect() as on_jasper:
        with on_central.begin() as undo_central, on_jasper.begin() as undo_jasper:
            try:
                for conn, statements in ((on_central, central), (on_jasper, jasper)):
                    for statement in statements:
                        conn.execute(text(statement))
                return check_connections(on_central, on_jasper, engine=engine,
                                         procedure_names=NAMES, shadow=shadow)
            finally:
                undo_central.rollback()
                undo_jasper.rollback()


def _summary_function(name: str, columns: str, values: str) -> str:
    return (f'CREATE FUNCTION "{name}"() RETURNS TABLE ({columns}) LANGUAGE sql '
            f"AS $$ SELECT {values} $$")


BREAKS = {
    "a dropped column": dict(
        central=['ALTER TABLE "Device" DROP COLUMN "EID"'],
        names=["Device.EID"], fix='ALTER TABLE "Device" ADD COLUMN "EID" VARCHAR(32)'),
    "a shrunk type": dict(
        engine="set_based", central=['ALTER TABLE "Device" ALTER COLUMN "ICCID" TYPE varchar(10)'],
        names=["Device.ICCID"], problem="narrower than the 20 characters we write",
        fix='ALTER TABLE "Device" ALTER COLUMN "ICCID" TYPE VARCHAR(20)'),
    "a column of another type": dict(
        central=['ALTER TABLE "MobilityDevice" ALTER COLUMN "CtdDataUsage" TYPE text'],
        names=["MobilityDevice.CtdDataUsage"], problem="is text, we read it as integer",
        fix='ALTER COLUMN "CtdDataUsage" TYPE BIGINT'),
    "a dropped procedure": dict(
        central=[f'DROP PROCEDURE "{stand_ins.POND_PROCEDURE}"'],
        names=[stand_ins.POND_PROCEDURE], problem="missing from the central database",
        fix="set CLEANUP_PROCEDURE_NAMES (POND_DEVICE_SYNC=<its real name>"),
    "a procedure in the other database": dict(
        jasper=['DROP FUNCTION "usp_Jasper_Devices_Get_Sync_Summary"'],
        names=["usp_Jasper_Devices_Get_Sync_Summary"], problem="missing from the jasper database"),
    "a renamed parameter": dict(
        central=['DROP PROCEDURE "usp_ThingSpace_DeviceSync"',
                 'CREATE PROCEDURE "usp_ThingSpace_DeviceSync"("SPId" integer) LANGUAGE sql '
                 "AS $$ SELECT 1 $$"],
        names=["usp_ThingSpace_DeviceSync @ServiceProviderId", "usp_ThingSpace_DeviceSync @SPId"],
        problem='not declared (it declares: IN "SPId" integer)',
        fix="declare @ServiceProviderId in usp_ThingSpace_DeviceSync"),
    "a summary with fewer columns": dict(
        central=['DROP FUNCTION "usp_Pond_Devices_Get_Sync_Summary"',
                 _summary_function("usp_Pond_Devices_Get_Sync_Summary",
                                   '"DetailLastSyncDate" timestamp, "DetailQueueCount" int',
                                   "now()::timestamp, 1")],
        names=["usp_Pond_Devices_Get_Sync_Summary"],
        problem="has 2 column(s) (DetailLastSyncDate timestamp without time zone, "
                "DetailQueueCount integer); we read 7 by position (F:1266-1304)",
        fix="ALTER the procedure to return DetailLastSyncDate datetime"),
    "a billing period without Id": dict(
        central=['DROP FUNCTION "usp_Service_Provider_Get_Bill_Period_Day_And_Hour"',
                 'CREATE FUNCTION "usp_Service_Provider_Get_Bill_Period_Day_And_Hour"('
                 '"ServiceProviderId" integer, "BillMonth" integer, "BillYear" integer) '
                 'RETURNS TABLE ("PeriodId" integer) LANGUAGE sql AS $$ SELECT 1 $$'],
        names=["usp_Service_Provider_Get_Bill_Period_Day_And_Hour"],
        problem="has no Id column (PeriodId integer)"),
    # An "ID" column is read (GetOrdinal ignores case): the same procedure, not a finding,
    # is checked in test_a_differently_cased_id_is_read.
    "a missing Integration row": dict(
        central=['DELETE FROM "Integration" WHERE "Name" = \'Pond\''],
        names=["Pond"], fix="set CLEANUP_INTEGRATION_IDS (e.g. CLEANUP_INTEGRATION_IDS=Pond="),
    "a missing own table": dict(
        central=['DROP TABLE "CleanupRejectedRow"'],
        names=["CleanupRejectedRow"], fix="run `cleanup-assets init-db`"),
    "a missing own column": dict(
        central=['ALTER TABLE "CleanupDeviceSync" DROP COLUMN "GateVerdict"'],
        names=["CleanupDeviceSync.GateVerdict"],
        fix='ALTER TABLE "CleanupDeviceSync" ADD "GateVerdict" VARCHAR(20)'),
    "a Jasper table missing from the Jasper database": dict(
        jasper=['DROP TABLE "JasperDeviceUsage"'],
        names=["JasperDeviceUsage"], fix="point CLEANUP_JASPER_DATABASE_URL (the Jasper database)"),
}


@pytest.mark.postgres
@pytest.mark.parametrize("case", BREAKS)
def test_preflight_names_each_broken_object_with_its_fix(databases, case):
    spec = BREAKS[case]

    findings = broken(databases, spec.get("central", []), spec.get("jasper", []),
                      spec.get("engine", "procedures"))

    stopping = blocking(findings)
    assert [f.name for f in stopping] == spec["names"], [f.line() for f in findings]
    line = stopping[0].line()
    assert line.startswith(BLOCKING)
    assert spec.get("problem", "") in line and spec.get("fix", "") in line, line


@pytest.mark.postgres
def test_the_shadow_tables_are_checked_only_with_the_shadow_on_and_never_block(databases):
    drop = ['DROP TABLE "CleanupShadowDifference"']

    without = broken(databases, central=drop)
    shadowed = broken(databases, central=drop, shadow="set_based")

    assert [f for f in without if "CleanupShadow" in f.name] == []
    assert blocking(shadowed) == []
    assert [f.line() for f in shadowed if "CleanupShadow" in f.name] == [
        "warning  central own table   CleanupShadowDifference: missing (only the shadow pass "
        "writes it, and that pass never fails a run) — fix: run `cleanup-assets init-db`"]


@pytest.mark.postgres
def test_a_differently_cased_id_is_read(databases):
    findings = broken(databases, central=[
        'DROP FUNCTION "usp_Service_Provider_Get_Bill_Period_Day_And_Hour"',
        'CREATE FUNCTION "usp_Service_Provider_Get_Bill_Period_Day_And_Hour"('
        '"ServiceProviderId" integer, "BillMonth" integer, "BillYear" integer) '
        'RETURNS TABLE ("ID" integer) LANGUAGE sql AS $$ SELECT 1 $$'])

    assert blocking(findings) == []


@pytest.mark.postgres
def test_a_missing_permission_is_named_with_its_grant(databases):
    role = f"preflight_{uuid.uuid4().hex[:8]}"  # created and dropped in the rolled-back transaction

    findings = broken(databases, central=[
        f'CREATE ROLE "{role}"', f'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{role}"',
        f'REVOKE INSERT ON "CleanupRejectedRow" FROM "{role}"', f'SET LOCAL ROLE "{role}"'])

    assert [f.line() for f in blocking(findings)] == [
        "BLOCKING central permission  CleanupRejectedRow: this login may not INSERT it — fix: "
        f'GRANT INSERT ON "CleanupRejectedRow" TO "{role}"']


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.mark.slow  # starts a process (the CLI, a fresh interpreter)
@pytest.mark.postgres
def test_a_clean_database_passes_and_a_broken_one_exits_1_from_the_cli(one_database, tmp_path):
    databases = one_database
    env = environment(tmp_path, CLEANUP_DATABASE_URL=_url(databases.central),
                      CLEANUP_FINALIZE_ENGINE="procedures",
                      CLEANUP_PROCEDURE_NAMES=stand_ins.PROCEDURE_NAMES)
    command = [sys.executable, "-m", "cleanup_assets.tooling.cli", "preflight"]

    clean = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    with databases.central.begin() as conn:
        conn.execute(text('DROP TABLE "CleanupRejectedRow"'))
    try:
        failing = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                                 timeout=120)
    finally:
        create_schema(databases)  # creates our table again

    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "preflight: 0 blocking finding(s), 0 warning(s) — a run can start" in clean.stdout
    assert failing.returncode == 1
    assert ("BLOCKING central own table   CleanupRejectedRow: missing — fix: run "
            "`cleanup-assets init-db`") in failing.stdout


@pytest.mark.slow  # starts a process (the dagster CLI)
@pytest.mark.postgres
def test_production_refuses_to_load_on_a_blocking_finding(one_database, tmp_path):
    databases = one_database
    production = {**PRODUCTION, "CLEANUP_DATABASE_URL": _url(databases.central),
                  "CLEANUP_JASPER_DATABASE_URL": _url(databases.central),
                  "CLEANUP_PROCEDURE_NAMES": stand_ins.PROCEDURE_NAMES,
                  "CLEANUP_FINALIZE_ENGINE": "procedures"}
    # A clean database loads (preflight ran: the same call refuses below).
    assert definitions_from_environment(Settings(production), preflight=True).resources
    with databases.central.begin() as conn:
        conn.execute(text(f'DROP PROCEDURE "{stand_ins.POND_PROCEDURE}"'))
    try:
        completed = subprocess.run(
            [str(BIN / "dagster"), "definitions", "validate", "-w", "workspace.yaml"],
            cwd=ROOT, env=environment(tmp_path, **production), capture_output=True, text=True,
            timeout=180)
    finally:
        stand_ins.install(databases)  # the procedure again

    output = completed.stdout + completed.stderr
    assert completed.returncode != 0
    assert "preflight found what would fail a run; nothing was loaded" in output
    assert (f"BLOCKING central procedure   {stand_ins.POND_PROCEDURE}: missing from the central "
            "database") in output
    assert "s3cret" not in output


def test_sqlite_checks_tables_and_columns_and_says_it_has_no_procedures(tmp_path):
    databases = connect_databases(f"sqlite:///{tmp_path / 'cleanup.db'}")
    create_schema(databases)
    with databases.central.begin() as conn:
        conn.execute(text('ALTER TABLE "Device" DROP COLUMN "CostCenter"'))
        conn.execute(text('DROP TABLE "CleanupRejectedRow"'))
        conn.execute(text('INSERT INTO "Integration" (id, "Name") VALUES (1, \'Jasper\')'))

    findings = preflight(databases, procedure_names={})
    on_procedures = preflight(databases, engine="procedures", procedure_names={})
    databases.dispose()

    assert [f.name for f in blocking(findings) if f.kind != "integration"] == [
        "Device.CostCenter", "CleanupRejectedRow"]
    assert any(f.severity == INFO and "has no procedures" in f.problem for f in findings)
    assert [f.fix for f in blocking(on_procedures) if f.kind == "procedure"] == [
        "CLEANUP_FINALIZE_ENGINE=set_based"]


@pytest.mark.parametrize("version, edition, level, severity, says", [
    ("10.50.6000.34", 3, 100, BLOCKING, "older than SQL Server 2012 (11.x)"),  # 2008 R2
    ("13.0.5026.0", 3, 100, BLOCKING, "ALTER DATABASE [Central] SET COMPATIBILITY_LEVEL = 110"),
    ("11.0.7001.0", 3, 110, INFO, "at least 2012"),
    ("12.0.2000.8", 5, 150, INFO, "at least 2012"),  # Azure SQL Database reports 12
])
def test_a_sql_server_older_than_the_minimum_is_blocking(version, edition, level, severity,
                                                         says):
    """The rule on what SERVERPROPERTY('ProductVersion'), SERVERPROPERTY('EngineEdition') and
    sys.databases.compatibility_level return (documented formats; no server ran here)."""
    catalog = _Catalog("mssql", {}, version=(version, edition, "cleanup", level, "Central"))
    (finding,) = _version_findings(catalog, "central")
    assert finding.severity == severity
    assert says in finding.line()


@pytest.fixture(scope="module")
def workloads(one_database):
    """What each engine's workload (explain-sql's, on demo data) touches on one PostgreSQL
    database with the stand-ins: {engine: (tables read or written, {table: writes})}, and
    the T-SQL text of every statement."""
    import os

    from sqlalchemy import Table
    from sqlalchemy.sql import visitors
    from sqlalchemy.sql.dml import Delete, Insert, Update

    from cleanup_assets.tooling.demo import seed_demo, seed_rows_to_process
    from cleanup_assets.tooling.explain import planned_procedure_statements, run_workload
    from cleanup_assets.registry import configured_procedure_names
    from cleanup_assets.tooling.tsql import capture_statements, review, to_tsql

    before = os.environ.get("CLEANUP_PROCEDURE_NAMES")
    os.environ["CLEANUP_PROCEDURE_NAMES"] = stand_ins.PROCEDURE_NAMES
    configured_procedure_names.cache_clear()
    seed_demo(one_database, devices_per_provider=5)
    seed_rows_to_process(one_database)  # the tick's forced launches clear them
    found, texts = {}, []
    try:
        for engine in ("procedures", "set_based"):
            with capture_statements(one_database.central) as captured:
                # The procedure engine alone (its shadow pass is the set-based engine's
                # statements, which the set-based workload runs, shadow pass included).
                run_workload(one_database, procedures=engine == "procedures",
                             set_based=engine == "set_based", shadow=False)
            tables, writes = set(), {}
            for item in captured:
                tables |= {e.name for e in visitors.iterate(item.statement) if isinstance(e, Table)}
                for kind in (Insert, Update, Delete):
                    # A temporary table (the shadow's #tables) needs no permission.
                    if isinstance(item.statement, kind) \
                            and not item.statement.table.name.startswith("#"):
                        writes.setdefault(item.statement.table.name, set()).add(
                            kind.__name__.upper())
            found[engine] = (tables, writes)
            texts += [sql for sql, _ in review(captured)]
    finally:
        os.environ.pop("CLEANUP_PROCEDURE_NAMES")
        if before is not None:
            os.environ["CLEANUP_PROCEDURE_NAMES"] = before
        configured_procedure_names.cache_clear()
    texts += [to_tsql(statement) for _, statement in planned_procedure_statements()]
    return found, texts


@pytest.mark.postgres
def test_the_minimum_sql_server_is_what_the_statements_need(workloads):
    _, texts = workloads
    needed, features = required_sql_server(texts)
    assert (needed, bool(features)) == (MINIMUM_SQL_SERVER, True), features


@pytest.mark.postgres
def test_the_tables_checked_are_the_tables_the_statements_touch(workloads):
    (procedures, _), (set_based, _) = workloads[0]["procedures"], workloads[0]["set_based"]
    legacy = {t.name for t in (*LEGACY_TABLES, comm_plan_rate_plan)}

    assert {t.name for t in checked_legacy_tables()} == (procedures | set_based) & legacy
    assert (set_based - procedures) & legacy == SET_BASED_ONLY
    assert (procedures - set_based) & legacy == set()


@pytest.mark.postgres
def test_the_permissions_asked_for_are_the_writes_the_statements_make(workloads):
    (_, procedures), (_, set_based) = workloads[0]["procedures"], workloads[0]["set_based"]

    both = {name: procedures.get(name, set()) | set_based.get(name, set())
            for name in {*procedures, *set_based}}
    assert both == {name: set(kinds) for name, kinds in WRITES.items()}
    # With the procedure engine the legacy procedures write the device tables, not we (the
    # workload's stand-ins add no plan and reject no row: a subset).
    assert all(kinds <= WRITES[name] and name not in SET_BASED_WRITES
               for name, kinds in procedures.items())
    assert set(procedures) >= {"CleanupDeviceSync", "OptimizationSession"}


@pytest.mark.postgres
def test_the_set_based_engines_verdicts_table_blocks_only_the_set_based_engine(databases):
    """CleanupJudgedRow is read and written by the set-based engine alone: on the procedures
    its absence is a warning (a DBA adds it before switching), on set_based it blocks."""
    drop = ['DROP TABLE "CleanupJudgedRow"']
    (on_procedures,) = [f for f in broken(databases, drop) if f.name == "CleanupJudgedRow"]
    assert on_procedures.line().startswith("warning")
    assert "only the set-based engine" in on_procedures.line()
    on_set_based = [f for f in broken(databases, drop, engine="set_based")
                    if f.name == "CleanupJudgedRow"]
    assert on_set_based and blocking(on_set_based) == on_set_based


def test_a_missing_shadow_table_is_a_warning_only(databases):
    """CleanupShadowRun / CleanupShadowDifference are written only by the shadow pass
    (CLEANUP_SHADOW_ENGINE): without them a run works, and a shadow says they are missing."""
    findings = broken(databases, ['DROP TABLE "CleanupShadowDifference"'], shadow="set_based")

    assert blocking(findings) == []
    (shadow,) = [f for f in findings if f.name == "CleanupShadowDifference"]
    assert shadow.line().startswith("warning") and "only the shadow pass" in shadow.line()
