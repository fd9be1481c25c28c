"""The shadow pass (issue 20): the procedures finalize, and the set-based engine, run beside
them in a rolled-back transaction, records what it would have done differently — tested on
PostgreSQL against stand-in procedures.

The Jasper stand-in here does what our reading of ``usp_Jasper_DeviceSync`` says the legacy
does (its body is not public): it mirrors ``JasperDevice`` into ``Device`` — status, rate
plan, communication plan, and the largest usage counters ``JasperDeviceUsage`` holds for
the device (a device without usage keeps its own) —, inserts new devices, and soft-deletes
the provider's devices the carrier no longer lists. Changing it one way at a time (a column
not updated, a device not soft-deleted, usage summed) is what the shadow report must name.
One database: PostgreSQL cannot join two, and the set-based engine needs the Jasper tables
beside ``Device`` (as on SQL Server, through three-part names).
"""

from __future__ import annotations

import json

import dagster as dg
import pytest
from sqlalchemy import delete, insert, text, update

from cleanup_assets.db import connect_databases
from cleanup_assets.registry import INTEGRATIONS
from cleanup_assets.schema import (
    SHADOW_TABLES,
    create_schema,
    device_tenant,
    jasper_device,
    jasper_device_usage,
    metadata,
)
from cleanup_assets.sql.finalize import FinalizeEngine, FinalizeRequest, finalize_partition
from cleanup_assets.tooling.demo import upstream_device_sync

from . import stand_ins
from .builders import NO_WAIT, good_devices, live, rows, run_notified, seed_providers
from .conftest import create_pg_database, drop_pg_database

# Its module-scoped databases are built once: under pytest-xdist its tests stay on one worker.
pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("shadow")]

SP = [("JasperDbName", "text"), ("ServiceProviderId", "integer")]


def faithful_jasper(*, update_rate_plan=True, soft_delete=True, usage="max") -> str:
    """The body of a ``usp_Jasper_DeviceSync`` stand-in (see the module docstring); each
    keyword changes it one way."""
    me = '"usp_Jasper_DeviceSync"'
    carrier = (f"""SELECT * FROM dblink('dbname=' || "JasperDbName", 'SELECT "ServiceProviderId",
        "ICCID", "Status", "RatePlan", "CommunicationPlan" FROM "JasperDevice"')
        AS j(sp integer, iccid text, status text, rate_plan text, comm_plan text)
        WHERE j.sp = {me}."ServiceProviderId\"""")
    counters = (f"""SELECT sp, iccid, {usage}(data) data, {usage}(sms) sms, {usage}(voice) voice
        FROM dblink('dbname=' || "JasperDbName", 'SELECT "ServiceProviderId", "ICCID",
          "CtdDataUsage", "CtdSMSUsage", "CtdVoiceUsage" FROM "JasperDeviceUsage"')
        AS u(sp integer, iccid text, data bigint, sms bigint, voice bigint)
        WHERE u.sp = {me}."ServiceProviderId" GROUP BY sp, iccid""")
    rate_plan = '"RatePlan" = s.rate_plan,' if update_rate_plan else ""
    deletion = f"""
        UPDATE "Device" d SET "IsDeleted" = true, "IsActive" = false,
               "DeletedBy" = 'stand-in', "DeletedDate" = now()
         WHERE d."ServiceProviderId" = {me}."ServiceProviderId" AND NOT d."IsDeleted"
           AND d."ICCID" IS NOT NULL AND NOT EXISTS (
               SELECT 1 FROM ({carrier}) s WHERE s.iccid = d."ICCID");""" if soft_delete else ""
    return f"""
        UPDATE "Device" d SET "Status" = s.status, {rate_plan}
               "CommunicationPlan" = s.comm_plan,
               "CtdDataUsage" = CASE WHEN u.iccid IS NULL THEN d."CtdDataUsage" ELSE u.data END,
               "CtdSMSUsage" = CASE WHEN u.iccid IS NULL THEN d."CtdSMSUsage" ELSE u.sms END,
               "CtdVoiceUsage" = CASE WHEN u.iccid IS NULL THEN d."CtdVoiceUsage" ELSE u.voice END,
               "IsActive" = true, "IsDeleted" = false, "ModifiedBy" = 'stand-in',
               "ModifiedDate" = now()
          FROM ({carrier}) s LEFT JOIN ({counters}) u ON u.iccid = s.iccid
         WHERE d."ServiceProviderId" = s.sp AND d."ICCID" = s.iccid;
        INSERT INTO "Device" ("ServiceProviderId", "ICCID", "Status", "RatePlan",
               "CommunicationPlan", "CtdDataUsage", "CtdSMSUsage", "CtdVoiceUsage",
               "IsActive", "IsDeleted", "CreatedBy", "CreatedDate")
        SELECT s.sp, s.iccid, s.status, s.rate_plan, s.comm_plan, u.data, u.sms, u.voice,
               true, false, 'stand-in', now()
          FROM ({carrier}) s LEFT JOIN ({counters}) u ON u.iccid = s.iccid
         WHERE NOT EXISTS (SELECT 1 FROM "Device" d
                            WHERE d."ServiceProviderId" = s.sp AND d."ICCID" = s.iccid);
        {deletion}"""


@pytest.fixture(scope="module")
def one_database():
    url = create_pg_database("cleanup_shadow")
    databases = connect_databases(url)
    create_schema(databases)
    stand_ins.install(databases)
    yield databases
    databases.dispose()
    drop_pg_database(url)


@pytest.fixture
def databases(one_database):
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with one_database.central.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    stand_ins.forget_calls(one_database)
    stand_ins.install(one_database)
    stand_ins.replace_procedure(one_database.central, "usp_Jasper_DeviceSync", SP,
                                faithful_jasper())
    return one_database


def finalize(databases, shadow=FinalizeEngine.SET_BASED, **options):
    return finalize_partition(databases, FinalizeRequest(
        INTEGRATIONS["jasper"], "1", 11, engine=FinalizeEngine.PROCEDURES, shadow=shadow,
        **options), retry=NO_WAIT)


def first_sync(databases, count=6):
    seed_providers(databases.central, (11, 1, "jasper"))
    devices = good_devices(11, count)
    upstream_device_sync(databases, INTEGRATIONS["jasper"], 11, devices)
    return devices


def sync_the_procedures_get_wrong(databases, count=6, *, first_gone=False):
    """Provider 11's second sync — every RatePlan new (and, ``first_gone``, its first device
    no longer listed) — finalized, unshadowed, by procedures that write no rate plan and
    soft-delete nothing: (devices, the request, the finalization's result)."""
    devices = first_sync(databases, count=count)
    stand_ins.replace_procedure(databases.central, "usp_Jasper_DeviceSync", SP, faithful_jasper(
        update_rate_plan=False, soft_delete=False))
    finalize(databases, shadow=None)
    with databases.central.begin() as conn:
        conn.execute(update(jasper_device).values(RatePlan="RP-NEW"))  # every device
        if first_gone:
            conn.execute(delete(jasper_device).where(
                jasper_device.c.ICCID == devices[0]["ICCID"]))
    request = FinalizeRequest(INTEGRATIONS["jasper"], "1", 11, engine=FinalizeEngine.PROCEDURES)
    return devices, request, finalize_partition(databases, request, retry=NO_WAIT)


def differences(engine) -> set[tuple]:
    return {(r["DeviceKey"], r["TableName"], r["ColumnName"], r["Kind"], r["ProceduresValue"],
             r["OursValue"]) for r in rows(engine, "CleanupShadowDifference")}


def test_when_the_procedures_do_what_our_engine_does_the_shadow_finds_nothing(databases):
    devices = first_sync(databases)
    first = finalize(databases)
    with databases.central.begin() as conn:  # the carrier's next sync: changes, one gone
        conn.execute(update(jasper_device).where(jasper_device.c.ICCID == devices[0]["ICCID"])
                     .values(RatePlan="RP-NEW", Status="deactivated"))
        conn.execute(delete(jasper_device).where(jasper_device.c.ICCID == devices[1]["ICCID"]))

    second = finalize(databases)

    assert (first.shadow.status, second.shadow.status) == ("agree", "agree")
    assert second.shadow.reason() == (
        "the engines agree: the set-based engine would change nothing")
    assert [r["Status"] for r in rows(databases.central, "CleanupShadowRun")] == ["agree"] * 2
    assert rows(databases.central, "CleanupShadowDifference") == []
    # the procedures did the work: the update and the soft delete are there
    assert live(databases.central, "Device", 11)[devices[0]["ICCID"]]["RatePlan"] == "RP-NEW"
    assert devices[1]["ICCID"] not in live(databases.central, "Device", 11)


def test_a_procedure_that_behaves_differently_is_named_device_by_device_column_by_column(
        databases, monkeypatch, capsys):
    devices = first_sync(databases)
    finalize(databases)
    changed, gone, counted, unlinked = (d["ICCID"] for d in devices[:4])
    malformed = good_devices(11, len(devices) + 1)[-1]["ICCID"]  # a new device's row
    before = live(databases.central, "Device", 11)
    with databases.central.begin() as conn:
        conn.execute(update(jasper_device).where(jasper_device.c.ICCID == changed)
                     .values(RatePlan="RP-NEW"))
        conn.execute(delete(jasper_device).where(jasper_device.c.ICCID == gone))
        conn.execute(insert(jasper_device_usage).values(  # a second usage row for one device
            ServiceProviderId=11, ICCID=counted, CtdDataUsage=5, CtdSMSUsage=1, CtdVoiceUsage=2))
        conn.execute(insert(jasper_device).values(  # a malformed row: ours refuses it
            ServiceProviderId=11, ICCID=malformed, Status="activ\x01ated"))
        conn.execute(delete(device_tenant).where(  # a link someone removed
            device_tenant.c.DeviceId == before[unlinked]["id"]))
    stand_ins.replace_procedure(databases.central, "usp_Jasper_DeviceSync", SP, faithful_jasper(
        update_rate_plan=False, soft_delete=False, usage="sum"))
    stand_ins.replace_procedure(databases.central, "usp_DeviceSync_Common",
                                [("IntegrationId", "integer")], "")  # links nothing

    result = finalize(databases)

    old = before[counted]
    found = differences(databases.central)
    (quarantined,) = [d for d in found if d[3] == "quarantine"]
    assert quarantined[:3] == (malformed, "JasperDevice", None)
    assert "control character" in quarantined[5]
    assert found - {quarantined} == {
        (unlinked, "Device_Tenant", "TenantId", "link", None, "1"),
        # the procedure inserted the malformed row's device; ours links every device
        (malformed, "Device_Tenant", "TenantId", "link", None, "1"),
        (changed, "Device", "RatePlan", "update", before[changed]["RatePlan"], "RP-NEW"),
        (gone, "Device", "IsDeleted", "soft_delete", "false", "true"),
        (counted, "Device", "CtdDataUsage", "update", str(old["CtdDataUsage"] + 5),
         str(max(old["CtdDataUsage"], 5))),
        (counted, "Device", "CtdSMSUsage", "update", str(old["CtdSMSUsage"] + 1),
         str(max(old["CtdSMSUsage"], 1))),
        (counted, "Device", "CtdVoiceUsage", "update", str(old["CtdVoiceUsage"] + 2),
         str(max(old["CtdVoiceUsage"], 2))),
    }
    assert result.shadow.reason() == (
        "5 devices differ: tenant links 2, CtdDataUsage 1, CtdSMSUsage 1, CtdVoiceUsage 1, "
        "RatePlan 1, "
        "quarantined 1, soft-deleted 1")
    first, run = rows(databases.central, "CleanupShadowRun")
    assert first["Status"] == "agree"  # the first sync: the stand-in inserted as ours would
    assert (run["Status"], run["Differences"], run["Devices"], run["NotRecorded"]) == (
        "differ", 8, 5, 0)
    # and the procedures' outcome stands: the shadow changed nothing
    assert live(databases.central, "Device", 11)[changed]["RatePlan"] == before[changed]["RatePlan"]
    assert gone in live(databases.central, "Device", 11)

    from cleanup_assets.tooling.cli import main

    monkeypatch.setenv("CLEANUP_DATABASE_URL",
                       databases.central.url.render_as_string(hide_password=False))
    assert main(["shadow-report", "--integration", "jasper"]) == 0
    report = capsys.readouterr().out
    assert "jasper: 2 passes, 1 agree, 1 differ, 0 failed" in report
    assert "  Device.RatePlan (update): 1 difference in 1 sync\n" \
           f"    sync {result.sync_id} provider 11 {changed}: procedures " \
           f"{before[changed]['RatePlan']!r}, ours 'RP-NEW'" in report
    assert f"  Device (soft_delete): 1 difference in 1 sync\n" \
           f"    sync {result.sync_id} provider 11 {gone}: ours would soft-delete it" in report
    assert f"provider 11 {unlinked}: ours would link it to tenant 1" in report
    assert f"  Device.CtdDataUsage (update): 1 difference in 1 sync\n" \
           f"    sync {result.sync_id} provider 11 {counted}: procedures " \
           f"'{old['CtdDataUsage'] + 5}'" in report


def dump(engine) -> dict[str, list]:
    """Every table but the shadow's own, every row, in a stable order."""
    shadow = {t.name for t in SHADOW_TABLES}
    with engine.connect() as conn:
        return {t.name: sorted(map(repr, conn.execute(t.select())))
                for t in metadata.sorted_tables if t.name not in shadow}


def test_the_shadow_pass_writes_nothing_but_its_own_tables(databases):
    from cleanup_assets.sql.finalize import shadow_partition

    devices, request, result = sync_the_procedures_get_wrong(databases, first_gone=True)
    without = dump(databases.central)

    outcome = shadow_partition(databases, request, result, [11])  # the same sync, shadowed

    assert outcome.status == "differ" and outcome.devices == len(devices)
    assert dump(databases.central) == without
    assert len(rows(databases.central, "CleanupShadowDifference")) == outcome.differences


def test_differences_beyond_the_cap_are_counted_not_written(databases):
    from cleanup_assets.sql.finalize import shadow_partition

    _, request, result = sync_the_procedures_get_wrong(databases, 8, first_gone=True)

    outcome = shadow_partition(databases, request, result, [11], cap=3)

    (run,) = rows(databases.central, "CleanupShadowRun")
    assert (run["Differences"], run["Recorded"], run["NotRecorded"]) == (8, 3, 5)
    assert json.loads(run["Counts"]) == [["Device", "IsDeleted", "soft_delete", 1],
                                         ["Device", "RatePlan", "update", 7]]
    # the examples spread over the kinds of difference: the one soft delete is among them
    assert sorted(r["Kind"] for r in rows(databases.central, "CleanupShadowDifference")) == [
        "soft_delete", "update", "update"]
    assert outcome.reason() == "8 devices differ: RatePlan 7, soft-deleted 1"


def test_a_second_pass_of_a_sync_replaces_the_first_and_costs_one_temporary_table(databases):
    """The pass's fixed costs, bounded: one temporary table of its own (every row the
    engine writes, of every compared table and the links), the differences counted and
    sampled in one statement; the verdict of the same sync written again replaces the
    first's, examples and all."""
    from sqlalchemy import Select
    from sqlalchemy.schema import CreateTable

    from cleanup_assets.sql.finalize import shadow_partition
    from cleanup_assets.tooling.tsql import capture_statements

    devices, request, result = sync_the_procedures_get_wrong(databases, 4)
    shadow_partition(databases, request, result, [11])

    with capture_statements(databases.central) as captured:
        outcome = shadow_partition(databases, request, result, [11])  # the same sync again

    assert outcome.reason() == f"{len(devices)} devices differ: RatePlan {len(devices)}"
    created = [c.statement.element.name for c in captured
               if isinstance(c.statement, CreateTable)]
    assert [name for name in created if "shadow" in name] == ["cleanup_shadow_written"], created
    reads = [str(c.statement.compile(dialect=databases.central.dialect)) for c in captured
             if isinstance(c.statement, Select)]
    assert sum("shadow_found" in sql for sql in reads) == 1
    (run,) = rows(databases.central, "CleanupShadowRun")
    assert (run["Differences"], run["Recorded"]) == (len(devices), len(devices))
    assert len(rows(databases.central, "CleanupShadowDifference")) == len(devices)


def test_when_the_engine_writes_nothing_only_the_refused_rows_are_asked_for(databases):
    """The procedures did all the work but took one malformed carrier row unchecked: the
    only difference is that row, quarantined by ours — and since no statement of the engine
    wrote a row (PostgreSQL's row counts, kept for the wrapped writes), the comparison does
    not read the rows written at all."""
    from sqlalchemy import Select

    from cleanup_assets.sql.finalize import shadow_partition
    from cleanup_assets.tooling.tsql import capture_statements

    devices = first_sync(databases, count=4)
    with databases.central.begin() as conn:  # a row the carrier sent with a letter in it
        conn.execute(insert(jasper_device).values(
            ServiceProviderId=11, ICCID="8901260A00000000001", Status="activated"))
    request = FinalizeRequest(INTEGRATIONS["jasper"], "1", 11, engine=FinalizeEngine.PROCEDURES)
    result = finalize_partition(databases, request, retry=NO_WAIT)
    assert len(live(databases.central, "Device", 11)) == len(devices) + 1  # taken unchecked

    with capture_statements(databases.central) as captured:
        outcome = shadow_partition(databases, request, result, [11])

    assert (outcome.status, outcome.counts) == ("differ", [
        ("JasperDevice", None, "quarantine", 1)]), outcome.reason()
    (compared,) = [str(c.statement.compile(dialect=databases.central.dialect))
                   for c in captured if isinstance(c.statement, Select)
                   and "shadow_found" in str(c.statement.compile(
                       dialect=databases.central.dialect))]
    assert "cleanup_shadow_written" not in compared and "CleanupRejectedRow" in compared


def test_the_shadow_never_refreshes_a_legacy_tables_statistics(databases):
    """The procedures inserted nothing (a stand-in that does nothing): the shadow's engine
    inserts every device, where a finalization would ANALYZE the table — not in a shadow
    pass, whose rollback would leave PostgreSQL's statistics of rows that never were."""
    from sqlalchemy import event

    first_sync(databases, count=6)
    stand_ins.replace_procedure(databases.central, "usp_Jasper_DeviceSync", SP, "")
    executed = []

    def seen(conn, cursor, statement, *args):
        executed.append(statement)

    event.listen(databases.central, "before_cursor_execute", seen)
    try:
        result = finalize(databases)
    finally:
        event.remove(databases.central, "before_cursor_execute", seen)

    assert result.shadow.status == "differ"
    assert ("Device", None, "insert", 6) in result.shadow.counts, result.shadow.reason()
    analyzed = [sql for sql in executed if sql.lstrip().upper().startswith("ANALYZE")]
    assert not [sql for sql in analyzed if '"Device"' in sql or '"JasperDevice"' in sql], (
        analyzed)


def test_a_shadow_failure_is_recorded_and_the_finalization_stands(databases):
    """The set-based pass fails half-way (a trigger refuses our engine's writes to Device,
    as a constraint or a permission of the production database could): the shadow records
    the error, the procedures' sync is finalized, the run goes on."""
    devices = first_sync(databases, count=3)
    finalize(databases)
    stand_ins.replace_procedure(databases.central, "usp_Jasper_DeviceSync", SP, faithful_jasper(
        update_rate_plan=False))
    with databases.central.begin() as conn:
        conn.execute(update(jasper_device).values(RatePlan="RP-NEW"))
        conn.execute(text("""
            CREATE FUNCTION refuse_ours() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'Device refuses this writer'; END $$;
            CREATE TRIGGER refuse_ours BEFORE UPDATE ON "Device" FOR EACH ROW
              WHEN (NEW."ModifiedBy" = 'cleanup_assets') EXECUTE FUNCTION refuse_ours();"""))
    try:
        result = finalize(databases)
    finally:
        with databases.central.begin() as conn:
            conn.execute(text('DROP TRIGGER refuse_ours ON "Device"; DROP FUNCTION refuse_ours()'))

    ledger = rows(databases.central, "CleanupDeviceSync")[-1]
    assert ledger["Status"] == "finalized" and ledger["id"] == result.sync_id
    assert {d["ICCID"] for d in devices} == set(live(databases.central, "Device", 11))
    run = rows(databases.central, "CleanupShadowRun")[-1]
    assert run["Status"] == "failed" and "Device refuses this writer" in run["Error"]
    assert result.shadow.reason().startswith("the shadow pass failed: ")
    assert rows(databases.central, "CleanupShadowDifference") == []


def test_the_engines_agree_check_warns_with_the_reason_and_blocks_nothing(databases, instance):
    from cleanup_assets.definitions import make_definitions
    from cleanup_assets.defs.resources import DatabaseResource

    devices = first_sync(databases)
    url = databases.central.url.render_as_string(hide_password=False)
    defs = make_definitions(DatabaseResource(url=url, finalize_engine="procedures",
                                             shadow_engine="set_based"))
    first = run_notified(defs, instance, "jasper", "1", 11, optimize=False)
    with databases.central.begin() as conn:
        conn.execute(update(jasper_device).where(jasper_device.c.ICCID == devices[0]["ICCID"])
                     .values(RatePlan="RP-NEW"))
    stand_ins.replace_procedure(databases.central, "usp_Jasper_DeviceSync", SP, faithful_jasper(
        update_rate_plan=False))

    second = run_notified(defs, instance, "jasper", "1", 11, optimize=False)

    def engines_agree(result):
        (check,) = [e.event_specific_data for e in result.all_events
                    if e.event_type_value == "ASSET_CHECK_EVALUATION"
                    and e.event_specific_data.check_name == "engines_agree"]
        return check

    assert first.success and second.success
    assert engines_agree(first).passed
    check = engines_agree(second)
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    assert check.description == "1 device differs: RatePlan 1"
    assert check.partition == "jasper|1"
    (common,) = [m for m in second.asset_materializations_for_node("finalize_device_tables")
                 if m.asset_key == dg.AssetKey("common_devices")]
    assert common.metadata["shadow"].value == "1 device differs: RatePlan 1"


def test_the_shadow_compares_every_column_the_set_based_engine_writes(tmp_path):
    """Only the columns the engine can write are copied and compared: this holds that set
    to every UPDATE and INSERT the engine issues on those tables, for every integration."""
    import re

    from sqlalchemy.dialects import sqlite

    from cleanup_assets.tooling.demo import DEMO_PROVIDERS, seed_demo
    from cleanup_assets.sql.shadow import AUDIT_COLUMNS, tracked_tables
    from cleanup_assets.tooling.tsql import capture_statements

    databases = connect_databases(f"sqlite:///{tmp_path / 'central.db'}")
    create_schema(databases)
    seed_demo(databases, devices_per_provider=3)
    unseen = []
    for key in dict.fromkeys(key for _, _, key, _ in DEMO_PROVIDERS):
        with capture_statements(databases.central) as captured:
            for provider, tenant, _ in [(p, t, k) for p, t, k, _ in DEMO_PROVIDERS if k == key]:
                for _ in range(2):  # the second finds rows: the absent rules run
                    finalize_partition(databases, FinalizeRequest(
                        INTEGRATIONS[key], str(tenant), provider, engine=FinalizeEngine.SET_BASED),
                        retry=NO_WAIT)
        for tracked in tracked_tables(INTEGRATIONS[key]):
            allowed = set(tracked.compared) | AUDIT_COLUMNS | {
                tracked.identity.name, "ServiceProviderId", tracked.key}
            for c in captured:
                sql = str(c.statement.compile(dialect=sqlite.dialect()))
                if sql.startswith(f'UPDATE "{tracked.table.name}" SET '):
                    written = re.findall(r'(?:SET |, )"?(\w+)"?=', sql.split(" WHERE ")[0])
                elif sql.startswith(f'INSERT INTO "{tracked.table.name}" ('):
                    written = re.findall(r'"?(\w+)"?', sql.split("(", 1)[1].split(")")[0])
                else:
                    continue
                assert written, sql
                unseen += [f"{key}: {tracked.table.name}.{w}" for w in written
                           if w not in allowed]
    databases.dispose()
    assert sorted(set(unseen)) == []


def test_the_shadow_records_every_row_the_engine_writes_as_its_own_statements_write_it(
        tmp_path):
    """The shadow compares the rows the engine wrote, each as it was before and as the pass
    left it: a write it did not record would be a difference unseen. In a shadow pass every
    UPDATE and INSERT of a compared table is the engine's own statement — the very one a
    finalization runs — wrapped to record what it writes (on SQL Server ``OUTPUT … INTO``
    the pass's ``#`` table), for every integration; and no verdict is recorded (the pass is
    rolled back: they would be too), even where none of ours was recorded before, as where
    the procedures finalize."""
    import re

    from sqlalchemy import Delete, Insert, Update
    from sqlalchemy.dialects import sqlite

    from cleanup_assets.schema import judged_row
    from cleanup_assets.sql.finalize import shadow_partition
    from cleanup_assets.sql.shadow import RecordedWrite, tracked_tables
    from cleanup_assets.tooling.demo import DEMO_PROVIDERS, seed_demo
    from cleanup_assets.tooling.tsql import capture_statements, to_tsql

    def sql(statement):
        return str(statement.compile(dialect=sqlite.dialect()))

    databases = connect_databases(f"sqlite:///{tmp_path / 'central.db'}")
    create_schema(databases)
    seed_demo(databases, devices_per_provider=3)
    absent_rules = []
    for provider, tenant, key, _ in DEMO_PROVIDERS:
        integration = INTEGRATIONS[key]
        request = FinalizeRequest(integration, str(tenant), provider,
                                  engine=FinalizeEngine.SET_BASED)
        finalize_partition(databases, request, retry=NO_WAIT)
        with capture_statements(databases.central) as finalized:
            result = finalize_partition(databases, request, retry=NO_WAIT)  # rows to compare
        with databases.central.begin() as conn:
            conn.execute(delete(judged_row))
        with capture_statements(databases.central) as shadowed:
            outcome = shadow_partition(databases, request, result, [provider])

        # the engine beside itself: only the rows its checks refuse (the demo's defects)
        assert {kind for *_, kind, _ in outcome.counts} <= {"quarantine"}, outcome.reason()
        compared = {t.table.name for t in tracked_tables(integration)}
        links = {"Device_Tenant"} if "Device" in compared else set()
        writes = [c.statement for c in shadowed
                  if isinstance(c.statement, (Insert, Update, Delete))]
        assert [sql(w)[:60] for w in writes if w.table.name in compared | links] == []
        assert [sql(w)[:60] for w in writes if w.table is judged_row] == []
        recorded = [c.statement for c in shadowed if isinstance(c.statement, RecordedWrite)]
        kinds = [(r.target.name, r.inserting) for r in recorded]
        # each compared table's update and insert, and its absent rule where it ran; the
        # tenant links the engine adds
        assert {(name, inserting) for name in compared for inserting in (False, True)} | {
            (name, True) for name in links} == set(kinds), key
        absent_rules += [name for name in compared if kinds.count((name, False)) == 2]
        engine_writes = {sql(c.statement) for c in finalized}
        assert [sql(r.statement)[:60] for r in recorded
                if sql(r.statement) not in engine_writes] == []
        for r in recorded:  # what SQL Server would run (one # table: each row's TableNo)
            if r.target.name in links:
                output = (r"-1, inserted\.\[DeviceId\], inserted\.\[TenantId\] INTO \[?[#\w]+\]? "
                          r"\(\[TableNo\], \[Id\], \[TenantId\]\)")
            elif r.inserting:
                output = (rf"\d, {r.step}, inserted\.\[?\w+\]?, 1 INTO \[?[#\w]+\]? "
                          r"\(\[TableNo\], \[Step\], \[Id\], \[Inserted\]\)")
            else:
                output = (rf"\d, {r.step}, deleted\.\[?\w+\]?, 0(, deleted\.\[\w+\])+ "
                          r"INTO \[?[#\w]+\]? \(\[TableNo\], \[Step\], \[Id\], \[Inserted\], ")
            assert re.search(" OUTPUT " + output, to_tsql(r)), to_tsql(r)
    databases.dispose()
    assert absent_rules, "no absent rule ran"
