"""Stand-in procedures under the legacy names and parameter names, on PostgreSQL: no SQL
Server can run here, so the procedure engine is tested against these.

Each records its call — name, parameters, the database it ran in — in ``stand_in_calls``
of that database, and does what its name says on the test data, plainly (the legacy bodies
are not public, except usp_Telegence_Update_Device's). ``usp_Jasper_DeviceSync`` runs on the
central database and reads the Jasper database by the name it is given (``@JasperDbName``),
through dblink — as SQL Server's cross-database names do.
"""

from __future__ import annotations

from sqlalchemy import text

from cleanup_assets.registry import CONSTANT_PROCEDURES

CALLS = """
CREATE TABLE IF NOT EXISTS stand_in_calls (
    id serial PRIMARY KEY, name text NOT NULL, parameters text NOT NULL, db text NOT NULL,
    at timestamptz NOT NULL DEFAULT clock_timestamp());
CREATE OR REPLACE FUNCTION record_call(name text, parameters text) RETURNS void
LANGUAGE sql AS $$ INSERT INTO stand_in_calls (name, parameters, db)
                   VALUES (name, parameters, current_database()) $$;
"""


def _mirror(source_sql: str) -> str:
    """Mirror (ServiceProviderId, ICCID, Status) rows into Device: insert or update."""
    return f"""
    UPDATE "Device" d SET "Status" = s.status, "IsDeleted" = false, "IsActive" = true
      FROM ({source_sql}) s WHERE d."ServiceProviderId" = s.sp AND d."ICCID" = s.iccid
       AND length(s.status) <= 50;
    INSERT INTO "Device" ("ServiceProviderId", "ICCID", "Status", "IsActive", "IsDeleted",
                          "CreatedBy", "CreatedDate")
    SELECT s.sp, s.iccid, s.status, true, false, 'stand-in', now() FROM ({source_sql}) s
     WHERE s.iccid IS NOT NULL AND length(s.iccid) <= 20 AND length(s.status) <= 50
       AND NOT EXISTS (
           SELECT 1 FROM "Device" d WHERE d."ServiceProviderId" = s.sp AND d."ICCID" = s.iccid);
    """


def _procedure(name: str, parameters: list[tuple[str, str]], body: str = "") -> str:
    declared = ", ".join(f'"{p}" {t}' for p, t in parameters)
    recorded = " || ',' || ".join(f"'{p}=' || coalesce(\"{p}\"::text, 'NULL')"
                                  for p, _ in parameters) or "''"
    return (f'CREATE OR REPLACE PROCEDURE "{name}"({declared}) LANGUAGE plpgsql AS $body$ '
            f"#variable_conflict use_column\n BEGIN PERFORM record_call('{name}', {recorded}); "
            f"{body} END $body$;")


def _summary(name: str, parameters: list[tuple[str, str]], count_sql: str) -> str:
    declared = ", ".join(f'"{p}" {t}' for p, t in parameters)
    recorded = " || ',' || ".join(f"'{p}=' || \"{p}\"::text" for p, _ in parameters) or "''"
    # The legacy reads these by position (F:1266-1304): the names are whatever the body
    # says, so the stand-ins say other ones (a summary body's own aliases, another case).
    return (f'CREATE OR REPLACE FUNCTION "{name}"({declared}) RETURNS TABLE ('
            '"lastsync" timestamp, "queued" int, "updated" int, '
            '"LASTUSAGESYNC" timestamp, "usagequeued" int, "UsageUpdated" int, '
            '"devices" int) LANGUAGE plpgsql AS $body$ BEGIN '
            f"PERFORM record_call('{name}', {recorded}); "
            "RETURN QUERY SELECT timestamp '2026-11-27 06:00', 7, 5, timestamp '2026-11-27 07:00',"
            f" 0, 3, ({count_sql})::int; END $body$;")


SP = [("ServiceProviderId", "integer")]
POND_PROCEDURE = "usp_Pond_DeviceSync"
# CLEANUP_PROCEDURE_NAMES for these stand-ins: every constant its own name but Pond's.
PROCEDURE_NAMES = ",".join(
    f"{constant}={POND_PROCEDURE if constant == 'POND_DEVICE_SYNC' else constant}"
    for constant in CONSTANT_PROCEDURES)

TELEGENCE_UPDATE_DEVICE = """
    MERGE INTO "TelegenceDevice" AS target
    USING (SELECT * FROM (
             SELECT s.*, st.id AS status_id, cs."ContractStatus",
                    row_number() OVER (PARTITION BY s."SubscriberNumber"
                                       ORDER BY s."CreatedDate" DESC) AS record_number
               FROM "TelegenceDeviceStaging" s
               LEFT JOIN "DeviceStatus" st ON lower(s."SubscriberNumberStatus") = lower(st."Status")
                                          AND st."IntegrationId" = 6
               LEFT JOIN "TelegenceDeviceContractStatusStaging" cs
                      ON s."SubscriberNumber" = cs."SubscriberNumber"
              WHERE s."SubscriberNumber" IS NOT NULL) a
            WHERE record_number = 1) AS source
    ON target."SubscriberNumber" = source."SubscriberNumber"
    WHEN MATCHED THEN UPDATE SET
        "OldDeviceStatusId" = target."DeviceStatusId", "DeviceStatusId" = source.status_id,
        "FoundationAccountNumber" = source."FoundationAccountNumber",
        "BillingAccountNumber" = source."BillingAccountNumber",
        "ModifiedBy" = 'usp_Telegence_Update_Device', "ModifiedDate" = source."CreatedDate",
        "ServiceProviderId" = source."ServiceProviderId",
        "SubscriberNumberStatus" = source."SubscriberNumberStatus",
        "BanStatus" = source."BanStatus", "ContractStatus" = source."ContractStatus",
        "FailedSyncCount" = NULL
    WHEN NOT MATCHED
     AND source."ServiceProviderId" = "usp_Telegence_Update_Device"."ServiceProviderId"
    THEN INSERT ("SubscriberNumber", "FoundationAccountNumber", "BillingAccountNumber",
                 "DeviceStatusId", "SubscriberNumberStatus", "CreatedBy", "CreatedDate",
                 "IsActive", "IsDeleted", "ServiceProviderId", "BanStatus", "ContractStatus")
         VALUES (source."SubscriberNumber", source."FoundationAccountNumber",
                 source."BillingAccountNumber", source.status_id, source."SubscriberNumberStatus",
                 'usp_Telegence_Update_Device', source."CreatedDate", true, false,
                 source."ServiceProviderId", source."BanStatus", source."ContractStatus");
    UPDATE "TelegenceDevice" SET "FailedSyncCount" = coalesce("FailedSyncCount", 0) + 1
     WHERE "ServiceProviderId" = "usp_Telegence_Update_Device"."ServiceProviderId"
       AND coalesce("FailedSyncCount", 0) <= 3
       AND "SubscriberNumber" NOT IN (SELECT "SubscriberNumber" FROM "TelegenceDeviceStaging");
    UPDATE "TelegenceDevice" SET
        "DeviceStatusId" = (SELECT id FROM "DeviceStatus"
                             WHERE "Status" = 'Unknown' AND "IntegrationId" = 6),
        "OldDeviceStatusId" = "DeviceStatusId", "SubscriberNumberStatus" = 'Unknown',
        "ModifiedBy" = 'usp_Telegence_Update_Device', "ModifiedDate" = now(),
        "FailedSyncCount" = NULL
     WHERE "ServiceProviderId" = "usp_Telegence_Update_Device"."ServiceProviderId"
       AND coalesce("FailedSyncCount", 0) > 3
       AND "SubscriberNumber" NOT IN (SELECT "SubscriberNumber" FROM "TelegenceDeviceStaging");
"""

CENTRAL = [
    CALLS,
    "CREATE EXTENSION IF NOT EXISTS dblink;",
    _procedure("usp_Jasper_DeviceSync", [("JasperDbName", "text"), ("ServiceProviderId", "integer")],
               _mirror("""SELECT * FROM dblink('dbname=' || "JasperDbName",
                   'SELECT "ServiceProviderId", "ICCID", "Status" FROM "JasperDevice"')
                   AS j(sp integer, iccid text, status text)
                   WHERE j.sp = "usp_Jasper_DeviceSync"."ServiceProviderId\"""")),
    _procedure("usp_ThingSpace_DeviceSync", SP, _mirror(
        'SELECT "ServiceProviderId" sp, "ICCID" iccid, "Status" status FROM "ThingSpaceDevice" '
        'WHERE "ServiceProviderId" = "usp_ThingSpace_DeviceSync"."ServiceProviderId"')),
    _procedure("usp_Teal_Device_Sync", SP, _mirror(
        'SELECT "ServiceProviderId" sp, "ICCID" iccid, "DeviceStatus" status FROM "TealDevice" '
        'WHERE "ServiceProviderId" = "usp_Teal_Device_Sync"."ServiceProviderId"')),
    # POND_DEVICE_SYNC is a C# constant's name (F:1547), not a procedure's: a server has no
    # procedure of that name. guess: the real name; deliberately NOT the constant's, so a
    # call under the constant's name fails here as it would there.
    _procedure(POND_PROCEDURE, SP, _mirror(
        'SELECT "ServiceProviderId" sp, "ICCID" iccid, "DeviceStatus" status FROM "PondDevice" '
        f'WHERE "ServiceProviderId" = "{POND_PROCEDURE}"."ServiceProviderId"')),
    _procedure("usp_DeviceSync_Common", [("IntegrationId", "integer")], """
        INSERT INTO "Device_Tenant" ("DeviceId", "TenantId")
        SELECT d.id, sp."TenantId" FROM "Device" d JOIN "ServiceProvider" sp
          ON sp.id = d."ServiceProviderId" AND sp."IntegrationId" = "usp_DeviceSync_Common"."IntegrationId"
         WHERE NOT EXISTS (SELECT 1 FROM "Device_Tenant" t
                            WHERE t."DeviceId" = d.id AND t."TenantId" = sp."TenantId");"""),
    # Written from its PUBLIC body (Telegence_Carrier/usp_Telegence_Update_Device.sql), its
    # rules kept: MERGE on SubscriberNumber alone, the latest staging row by CreatedDate,
    # FailedSyncCount reset for matched rows, a failed sync counted on EVERY call for each
    # subscriber of the provider missing from the whole staging table (:118-124), 'Unknown'
    # past 3 (:127-136), IntegrationId = 6 written in (:17-18). Not kept: the audit insert
    # (:138-172; TelegenceDeviceSyncAudit is not ours), its own BEGIN/COMMIT (a CALL is
    # atomic here).
    _procedure("usp_Telegence_Update_Device", SP, TELEGENCE_UPDATE_DEVICE),
    _procedure("usp_Telegence_Update_DeviceDetail", SP),
    _procedure("usp_Update_TelegenceDeviceMobilityFeature_FromStaging", []),
    _procedure("usp_Telegence_Update_DeviceUsage_FromStaging", SP),
    _procedure("usp_Telegence_Update_DeviceMubuUsage_FromStaging", SP),
    _procedure("usp_Telegence_DeviceSync", SP, """
        INSERT INTO "MobilityDevice" ("ServiceProviderId", "MSISDN", "IsActive", "IsDeleted")
        SELECT t."ServiceProviderId", t."SubscriberNumber", true, false FROM "TelegenceDevice" t
         WHERE t."ServiceProviderId" = "usp_Telegence_DeviceSync"."ServiceProviderId"
           AND length(t."SubscriberNumber") <= 15 AND NOT EXISTS (SELECT 1 FROM "MobilityDevice" m WHERE m."MSISDN" = t."SubscriberNumber");"""),
    _procedure("usp_eBonding_Update_DeviceUsage_FromStaging", SP),
    _procedure("usp_eBonding_DeviceSync", SP, """
        INSERT INTO "MobilityDevice" ("ServiceProviderId", "MSISDN", "IsActive", "IsDeleted")
        SELECT e."ServiceProviderId", e."SubscriberNumber", true, false FROM "eBondingDevice" e
         WHERE e."ServiceProviderId" = "usp_eBonding_DeviceSync"."ServiceProviderId"
           AND length(e."SubscriberNumber") <= 15 AND NOT EXISTS (SELECT 1 FROM "MobilityDevice" m WHERE m."MSISDN" = e."SubscriberNumber");"""),
    _procedure("usp_MobilityDeviceSync_Common", [("IntegrationId", "integer")]),
    *[_summary(f"usp_{name}_Devices_Get_Sync_Summary", [], 'SELECT count(*) FROM "Device"')
      for name in ("ThingSpace", "Telegence", "eBonding", "Teal", "Pond")],
    # Dropped first: a test may have replaced it by one of another shape.
    'DROP FUNCTION IF EXISTS "usp_Service_Provider_Get_Bill_Period_Day_And_Hour"'
    "(integer, integer, integer);",
    """CREATE OR REPLACE FUNCTION "usp_Service_Provider_Get_Bill_Period_Day_And_Hour"(
         "ServiceProviderId" integer, "BillMonth" integer, "BillYear" integer)
       RETURNS TABLE ("Id" integer, "BillPeriodEndDay" integer, "BillPeriodEndHour" integer)
       LANGUAGE plpgsql AS $body$ BEGIN
         PERFORM record_call('usp_Service_Provider_Get_Bill_Period_Day_And_Hour',
           'ServiceProviderId=' || "ServiceProviderId" || ',BillMonth=' || "BillMonth"
           || ',BillYear=' || "BillYear");
         RETURN QUERY SELECT b."Id", 18, 18 FROM "BillingPeriod" b
          WHERE b."ServiceProviderId" = "usp_Service_Provider_Get_Bill_Period_Day_And_Hour"."ServiceProviderId"
            AND b."BillMonth" = "usp_Service_Provider_Get_Bill_Period_Day_And_Hour"."BillMonth"
            AND b."BillYear" = "usp_Service_Provider_Get_Bill_Period_Day_And_Hour"."BillYear"
            AND NOT b."IsDeleted";
       END $body$;""",
    """CREATE OR REPLACE FUNCTION "usp_GetDevicesWithBillingCycleDiscrepancy"(
         "ServiceProviderId" integer) RETURNS TABLE ("ICCID" text, "ServiceProviderId_" integer)
       LANGUAGE plpgsql AS $body$ BEGIN
         PERFORM record_call('usp_GetDevicesWithBillingCycleDiscrepancy',
                             'ServiceProviderId=' || "ServiceProviderId");
         RETURN QUERY SELECT d."ICCID"::text, d."ServiceProviderId" FROM "Device" d
          WHERE d."ServiceProviderId" = "usp_GetDevicesWithBillingCycleDiscrepancy"."ServiceProviderId"
          LIMIT 1;
       END $body$;""",
]

JASPER = [
    CALLS,
    _summary("usp_Jasper_Devices_Get_Sync_Summary", SP,
             'SELECT count(*) FROM "JasperDevice" j WHERE j."ServiceProviderId" = '
             '"usp_Jasper_Devices_Get_Sync_Summary"."ServiceProviderId"'),
]


def install(databases) -> None:
    """Create the stand-ins in both databases (idempotent)."""
    for engine, statements in ((databases.central, CENTRAL), (databases.jasper, JASPER)):
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))


def break_procedure(engine, name: str, parameters: list[tuple[str, str]]) -> None:
    """Replace a stand-in by one that raises, as a failing procedure would."""
    with engine.begin() as conn:
        conn.execute(text(_procedure(name, parameters,
                                     f"RAISE EXCEPTION 'stand-in {name} failed';")))


def fail_procedure_once(engine, name: str, parameters: list[tuple[str, str]], sqlstate: str,
                        body: str = "") -> None:
    """Replace a stand-in by one whose first call fails with ``sqlstate`` (a sequence
    counts the calls: it survives the failed call's rollback); later calls run ``body``."""
    with engine.begin() as conn:
        conn.execute(text("DROP SEQUENCE IF EXISTS stand_in_fail_once; "
                          "CREATE SEQUENCE stand_in_fail_once"))
        conn.execute(text(_procedure(name, parameters, (
            "IF nextval('stand_in_fail_once') = 1 THEN RAISE EXCEPTION 'stand-in transient' "
            f"USING ERRCODE = '{sqlstate}'; END IF; {body}"))))


def replace_procedure(engine, name: str, parameters: list[tuple[str, str]], body: str) -> None:
    with engine.begin() as conn:
        conn.execute(text(_procedure(name, parameters, body)))


def recorded_calls(databases) -> list[tuple[str, str, str]]:
    """(name, parameters, database name) of every stand-in call, in order, both databases."""
    calls = []
    for engine in dict.fromkeys((databases.central, databases.jasper)):
        with engine.connect() as conn:
            calls += [tuple(r) for r in conn.execute(text(
                "SELECT at, name, parameters, db FROM stand_in_calls"))]
    return [call[1:] for call in sorted(calls)]


def forget_calls(databases) -> None:
    for engine in dict.fromkeys((databases.central, databases.jasper)):
        with engine.begin() as conn:
            conn.execute(text("TRUNCATE stand_in_calls RESTART IDENTITY"))
