"""Golden files: for each integration a fixed dataset, and the exact bytes the legacy Lambda
gave its consumers for it — the device sync log, the Snowflake history file, the emails
(subject, sender, recipients, text and HTML), the AMOP 2.0 request body — written out from
the legacy code (``F:<line>`` = AltaworxJasperGetDevicesCleanup.cs) in cleanup_tests/golden/
(one folder per integration) and compared byte for byte with what reached the real servers:
moto's S3 over HTTP, an SMTP server (aiosmtpd), the local AMOP 2.0 server.

The datasets hold devices the sync leaves unchanged (fixed ids and dates: every byte of
their lines is written out) and one the sync adds (its id and creation time are the
database's: the golden file names them ``${new_id}``, ``${created}``; so too the dates of
the run). One SQLite database each: the bytes do not depend on the dialect (the statements
are held to T-SQL in test_sql_server.py). CLEANUP_UPDATE_GOLDEN=1 rewrites the files.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime, timedelta, timezone

import boto3
import pytest
from sqlalchemy import insert, select

from cleanup_assets.db import connect_databases
from cleanup_assets.definitions import make_definitions
from dagster_aws.s3 import S3Resource

from cleanup_assets.defs.resources import (
    Amop20,
    AmopHttp,
    DatabaseResource,
    S3HistoryStage,
    S3SyncLog,
    SmtpMailer,
)
from cleanup_assets.schema import (
    billing_period,
    create_schema,
    device,
    device_tenant,
    jasper_communication_plan,
    jasper_device,
    jasper_device_usage,
    mobility_device,
    pond_device,
    pond_device_usage_staging,
    teal_device,
    teal_device_usage_daily_staging,
    telegence_device,
    thingspace_device,
    thingspace_device_daily_usage,
)

from .builders import rows, run_notified, seed_providers, seed_session
from .servers import AmopServer, SmtpServer, free_port

# Each test executes Dagster jobs in process (seconds each): not in `scripts/test --fast`.
pytestmark = pytest.mark.runs

STAGE_PATH = "snowflake/device-history"
# The sync log's header (F:1576, WriteLine on Linux: "\n"), the first line of each golden one.
HEADER = (b"ID,ICCID,MSISDN,RawDataUsage,CurrentDataUsage,RawSMSUsage,CurrentSMSUsage,"
          b"RawVoiceUsage,CurrentVoiceUsage,BillingCycleStartDate,BillingCycleEndDate,UsageDate,"
          b"ServiceProviderId\n")
ICCID_A, ICCID_B, ICCID_NEW = "8910300000000000011", "8910300000000000029", "8910300000000000037"
EID_A, EID_B, EID_NEW = "89049" + "1" * 27, "89049" + "2" * 27, "89049" + "3" * 27


# --- the fixed dataset, shared by the integrations -----------------------------------------
def device_row(device_id, iccid, **values):
    """A Device row with every column of the history file set (or NULL where given None)."""
    row = {
        "id": device_id, "ServiceProviderId": 11, "ICCID": iccid, "IMSI": "310150123456789",
        "MSISDN": "15551230001", "IMEI": "352099001761481", "EID": None, "DeviceStatusId": 2,
        "Status": "ACTIVATED", "CarrierRatePlanId": 44, "RatePlan": "RP-1GB",
        "CommunicationPlan": "CP-Known", "LastUsageDate": datetime(2026, 2, 3, 17, 45, 9),
        "APN": "iot.example", "Package": "PKG-1", "CtdDataUsage": 1000, "CtdSMSUsage": 5,
        "CtdVoiceUsage": 60, "CtdSessionCount": 3, "OverageLimitReached": False,
        "OverageLimitOverride": "none", "CreatedBy": "JasperDeviceSync",
        "CreatedDate": datetime(2025, 12, 1, 15, 30, 0), "ModifiedBy": "ops",
        "ModifiedDate": datetime(2026, 1, 2, 0, 5, 0), "LastActivatedDate": None,
        "DeletedBy": None, "DeletedDate": None, "IsActive": True, "IsDeleted": False,
        "ProviderDateAdded": datetime(2025, 11, 30, 9, 0, 0),
        "ProviderDateActivated": datetime(2025, 12, 1, 13, 0, 0), "OldDeviceStatusId": None,
        "OldCtdDataUsage": 900, "CostCenter": "CC-9", "Username": "fleet",
        "BillingPeriodId": 7,
    }
    row.update(values)
    return row


def seed_common(conn, *devices, links=()):
    conn.execute(insert(device), list(devices))
    conn.execute(insert(device_tenant), [
        {"DeviceId": d, "TenantId": t, "AccountNumber": a,
         "AccountNumberIntegrationAuthenticationId": auth, "SiteId": site}
        for d, t, a, auth, site in links])
    conn.execute(insert(billing_period).values(
        Id=7, ServiceProviderId=11, BillYear=2026, BillMonth=1,
        BillingCycleStartDate=datetime(2026, 1, 1), BillingCycleEndDate=datetime(2026, 1, 31, 23),
        IsDeleted=False))
    conn.execute(insert(jasper_communication_plan).values(
        Id=1, CommunicationPlanName="CP-Known", ServiceProviderId=11, IsActive=True,
        IsDeleted=False))


# --- servers and definitions ---------------------------------------------------------------
@pytest.fixture
def stack(tmp_path, moto_endpoint, aws_env, instance):
    """A SQLite database, two buckets on moto, an SMTP and an AMOP 2.0 server, and the
    definitions wired to them (no AMOP key configured: the legacy sends none)."""
    url = f"sqlite:///{tmp_path / 'golden.db'}"
    databases = connect_databases(url)
    create_schema(databases)
    s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    logs, stage = f"sync-logs-{free_port()}", f"snowflake-stage-{free_port()}"
    for bucket in (logs, stage):
        s3.create_bucket(Bucket=bucket)
    with SmtpServer() as smtp, AmopServer() as amop:
        defs = make_definitions(
            DatabaseResource(url=url, retry_base_delay_seconds=0.01),
            amop=Amop20(sync_update=AmopHttp(url=f"{amop.url}/sync-update",
                                             backoff_seconds=0.01),
                        optimization=AmopHttp(url=f"{amop.url}/optimization",
                                              backoff_seconds=0.01)),
            email=SmtpMailer(port=smtp.port, backoff_seconds=0.01),
            sync_log=S3SyncLog(bucket=logs, s3=S3Resource(endpoint_url=moto_endpoint)),
            history_stage=S3HistoryStage(bucket=stage, path=STAGE_PATH,
                                         s3=S3Resource(endpoint_url=moto_endpoint)))

        class Stack:
            pass

        st = Stack()
        st.engine, st.defs, st.instance, st.s3 = databases.central, defs, instance, s3
        st.logs, st.stage, st.smtp, st.amop = logs, stage, smtp, amop
        yield st
    databases.dispose()


def objects(stack, bucket) -> dict[str, bytes]:
    listed = stack.s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {o["Key"]: stack.s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
            for o in listed}


def run(stack, key):
    before = datetime.now(timezone.utc).replace(tzinfo=None)
    result = run_notified(stack.defs, stack.instance, key, "1", 11, optimize=False)
    assert result.success
    return before, datetime.now(timezone.utc).replace(tzinfo=None)


def ymd(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d}"


def short(moment: datetime) -> str:
    return f"{moment.month}/{moment.day}/{moment.year}"  # ToShortDateString, en-US


def the_sync_log(stack, name: str, now: datetime) -> bytes:
    (key, body), = objects(stack, stack.logs).items()
    assert key == f"{name}-{now:%Y%m%d}.txt"  # the bucket root (F:742-791)
    return body


def the_history_file(stack, before, after) -> bytes:
    (key, body), = objects(stack, stack.stage).items()
    match = re.fullmatch(rf"{STAGE_PATH}/DeviceHistory_11_(\d{{14}})\.csv", key)
    stamp = datetime.strptime(match.group(1), "%Y%m%d%H%M%S")  # 24-hour clock
    assert before.replace(microsecond=0) <= stamp <= after
    return body


def history_time(moment: datetime) -> str:
    return f"{moment:%Y-%m-%dT%H:%M:%S}"  # the history file's dates (a "Z" follows)


def the_daily_sync(stack) -> bytes:
    """The body of the AMOP 2.0 daily-sync call (DailySyncAmopApiTrigger.cs:25, string
    concatenation, spaces included); its headers are asserted here."""
    (request,) = [r for r in stack.amop.requests if r["path"] == "/sync-update"]
    assert request["headers"]["Accept"] == "application/json"  # :23
    assert request["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert "x-api-key" not in {h.lower() for h in request["headers"]}  # none configured
    return request["raw"]


def new_device_id(stack, iccid):
    with stack.engine.connect() as conn:
        return conn.execute(select(device.c.id, device.c.CreatedDate).where(
            device.c.ICCID == iccid)).one()


# --- Jasper --------------------------------------------------------------------------------
def test_jasper_golden(stack, golden):
    seed_providers(stack.engine, (11, 1, "jasper"))
    with stack.engine.begin() as conn:
        seed_common(
            conn,
            device_row(501, ICCID_A),
            device_row(502, ICCID_B, IMSI=None, MSISDN=None, IMEI=None, DeviceStatusId=None,
                       CarrierRatePlanId=None, LastUsageDate=None, APN=None, Package=None,
                       CtdDataUsage=2000, CtdSMSUsage=0, CtdVoiceUsage=None,
                       CtdSessionCount=None, OverageLimitReached=None,
                       OverageLimitOverride=None, CreatedBy=None, CreatedDate=None,
                       ModifiedBy=None, ModifiedDate=None, ProviderDateAdded=None,
                       ProviderDateActivated=None, OldCtdDataUsage=None, CostCenter=None,
                       Username=None, BillingPeriodId=None, IsActive=False),
            links=[(501, 1, "ACCT-1", 31, 5), (501, 2, "OTHER-TENANT", None, None),
                   (502, 1, None, None, None)])
        conn.execute(insert(jasper_device), [
            {"ServiceProviderId": 11, "ICCID": i, "Status": "ACTIVATED", "RatePlan": "RP-1GB",
             "CommunicationPlan": plan}
            for i, plan in ((ICCID_A, "CP-Known"), (ICCID_B, "CP-Known"),
                            (ICCID_NEW, "CP-New"))])
        # The carrier lists ICCID_B's usage twice: still one device, with its largest counters;
        # its Device row was made inactive by someone: the sync repairs it.
        conn.execute(insert(jasper_device_usage), [
            {"ServiceProviderId": 11, "ICCID": i, "CtdDataUsage": d, "CtdSMSUsage": s,
             "CtdVoiceUsage": v}
            for i, d, s, v in ((ICCID_A, 1000, 5, 60), (ICCID_B, 2100, 1, 2),
                               (ICCID_B, 2200, 3, 4), (ICCID_NEW, 300, 0, 0))])

    before, after = run(stack, "jasper")

    new_id, created = new_device_id(stack, ICCID_NEW)
    with stack.engine.connect() as conn:
        repaired = conn.execute(select(device.c.ModifiedDate).where(device.c.id == 502)).scalar()
    yesterday = ymd(after - timedelta(days=1))
    # GetDeviceSyncSummaryLogsForJasper (F:830-850) through GenerateDeviceSyncSummaryLogFile
    # (F:1576-1582): raw usage from JasperDeviceUsage, current from Device, NULL -> 0 and
    # 0001-01-01, DISTINCT (ICCID_B's two usage rows are two lines).
    golden.check("jasper/sync_log.txt", the_sync_log(stack, "Jasper", after),
                 yesterday=yesterday, new_id=new_id)

    # GetDeviceHistoryString (F:284-326) through DeviceHistoryFileLineFromReader (F:355-384):
    # 39 columns, no header, NULL empty, bits True/False, dates on a 24-hour clock; only the
    # link to the provider's own tenant (501's tenant-2 link is not exported).
    golden.check("jasper/device_history.csv", the_history_file(stack, before, after),
                 new_id=new_id, created=history_time(created), repaired=history_time(repaired))

    new_plans, summary = stack.smtp.messages  # the legacy's order (F:190, 202)
    golden.check_mail("jasper/new_plans.mail", new_plans)
    # BuildResultsEmailBody (F:1389-1393). Set-based engine: 3 carrier rows read, 1 device
    # added and 1 repaired; the latest usage date is 501's; nothing left to process; one
    # device's usage was written (502's).
    golden.check_mail("jasper/summary.mail", summary, last_sync=short(after))
    golden.check("jasper/daily_sync.json", the_daily_sync(stack))


# --- ThingSpace ----------------------------------------------------------------------------
def test_thingspace_golden(stack, golden):
    seed_providers(stack.engine, (11, 1, "thingspace"))
    yesterday = datetime.now(timezone.utc).replace(tzinfo=None, hour=0, minute=0, second=0,
                                                   microsecond=0) - timedelta(days=1)
    with stack.engine.begin() as conn:
        seed_common(conn, device_row(501, ICCID_A), device_row(502, ICCID_B, MSISDN="15551230002"),
                    links=[(501, 1, "ACCT-1", 31, 5), (502, 1, "ACCT-2", None, None)])
        conn.execute(insert(thingspace_device), [
            {"ServiceProviderId": 11, "ICCID": i, "IMEI": imei, "Status": "ACTIVATED",
             "RatePlan": "RP-1GB", "IsActive": True, "IsDeleted": False}
            for i, imei in ((ICCID_A, "352099001761481"), (ICCID_B, "352099001761481"),
                            (ICCID_NEW, "356938035643809"))])
        # F:935-937: only yesterday's daily usage counts (502's is older).
        conn.execute(insert(thingspace_device_daily_usage), [
            {"ServiceProviderId": 11, "ICCID": i, "CtdDataUsage": d, "CtdSMSUsage": s,
             "CtdVoiceUsage": v, "CreatedDate": day}
            for i, d, s, v, day in ((ICCID_A, 700, 7, 70, yesterday),
                                    (ICCID_B, 800, 8, 80, yesterday - timedelta(days=1)),
                                    (ICCID_NEW, 10, 1, None, yesterday))])

    before, after = run(stack, "thingspace")

    new_id, created = new_device_id(stack, ICCID_NEW)
    # DeviceSyncSummaryLogForThingSpace (F:917-939) with its defect fixed: the third column
    # is Device.ServiceProviderId (the legacy selected MSISDN twice and threw at F:1021).
    golden.check("thingspace/sync_log.txt", the_sync_log(stack, "ThingSpace", after),
                 yesterday=ymd(yesterday), new_id=new_id)
    golden.check("thingspace/device_history.csv", the_history_file(stack, before, after),
                 new_id=new_id, created=history_time(created))
    (summary,) = stack.smtp.messages  # no new plan, no billing-cycle discrepancy
    golden.check_mail("thingspace/summary.mail", summary, last_sync=short(after))
    golden.check("thingspace/daily_sync.json", the_daily_sync(stack))


# --- Teal ----------------------------------------------------------------------------------
def test_teal_golden(stack, golden):
    seed_providers(stack.engine, (11, 1, "teal"))
    with stack.engine.begin() as conn:
        seed_common(conn, device_row(501, ICCID_A, EID=EID_A),
                    device_row(502, ICCID_B, EID=EID_B, Status="Unknown"),
                    links=[(501, 1, "ACCT-1", 31, 5), (502, 1, None, None, None)])
        conn.execute(insert(teal_device), [
            {"ServiceProviderId": 11, "EID": eid, "ICCID": i, "IMEI": imei, "MSISDN": msisdn,
             "DeviceStatus": status, "PlanName": "RP-1GB", "IsActive": True}
            for eid, i, imei, msisdn, status in (
                (EID_A, ICCID_A, "352099001761481", "15551230001", "ACTIVATED"),
                (EID_B, ICCID_B, "352099001761481", "15551230001", "Unknown"),
                (EID_NEW, ICCID_NEW, "356938035643809", "15551239999", "ACTIVATED"))])
        # F:949-963: data usage only, by EID; a device 'Unknown' is left out.
        conn.execute(insert(teal_device_usage_daily_staging), [
            {"EID": eid, "Usage": usage, "CreatedDate": day, "ServiceProviderId": 11}
            for eid, usage, day in ((EID_A, 4096, datetime(2026, 2, 2)),
                                    (EID_B, 10, datetime(2026, 2, 2)), (EID_NEW, 5, None))])

    before, after = run(stack, "teal")

    new_id, created = new_device_id(stack, ICCID_NEW)
    golden.check("teal/sync_log.txt", the_sync_log(stack, "Teal", after), new_id=new_id)
    golden.check("teal/device_history.csv", the_history_file(stack, before, after),
                 new_id=new_id, created=history_time(created))
    (summary,) = stack.smtp.messages
    golden.check_mail("teal/summary.mail", summary, last_sync=short(after))
    golden.check("teal/daily_sync.json", the_daily_sync(stack))


# --- Pond ----------------------------------------------------------------------------------
def test_pond_golden(stack, golden):
    seed_providers(stack.engine, (11, 1, "pond"))
    with stack.engine.begin() as conn:
        seed_common(conn, device_row(501, ICCID_A), device_row(502, ICCID_B, Status="Unknown"),
                    links=[(501, 1, "ACCT-1", 31, 5), (502, 1, None, None, None)])
        conn.execute(insert(pond_device), [
            {"ServiceProviderId": 11, "ICCID": i, "DeviceStatus": status}
            for i, status in ((ICCID_A, "ACTIVATED"), (ICCID_B, "Unknown"),
                              (ICCID_NEW, "ACTIVATED"))])
        # F:975-976: the usage row's Duration is the raw "data usage", CloseTime or now.
        conn.execute(insert(pond_device_usage_staging), [
            {"ServiceProviderId": 11, "ICCID": i, "CloseTime": close, "Duration": duration}
            for i, close, duration in ((ICCID_A, datetime(2026, 2, 1, 10), 120),
                                       (ICCID_B, datetime(2026, 2, 1, 11), 3),
                                       (ICCID_NEW, None, 7))])

    _, after = run(stack, "pond")

    new_id, _ = new_device_id(stack, ICCID_NEW)
    golden.check("pond/sync_log.txt", the_sync_log(stack, "Pond", after), new_id=new_id,
                 today=ymd(after))
    (summary,) = stack.smtp.messages
    golden.check_mail("pond/summary.mail", summary, last_sync=short(after))
    golden.check("pond/daily_sync.json", the_daily_sync(stack))


# --- Telegence (Mobility) ------------------------------------------------------------------
def test_telegence_golden(stack, golden):
    from cleanup_assets.schema import telegence_device_detail_staging, telegence_device_staging

    seed_providers(stack.engine, (11, 1, "telegence"))
    subscribers = (("15551230001", ICCID_A, 5000, 9, 90), ("15551230002", ICCID_B, None, 1, 2))
    with stack.engine.begin() as conn:
        conn.execute(insert(billing_period).values(
            Id=7, ServiceProviderId=11, BillYear=2026, BillMonth=1,
            BillingCycleStartDate=datetime(2026, 1, 1),
            BillingCycleEndDate=datetime(2026, 1, 31, 23), IsDeleted=False))
        conn.execute(insert(mobility_device), [
            {"id": 601 + n, "ServiceProviderId": 11, "ICCID": iccid, "MSISDN": msisdn,
             "CtdDataUsage": data, "CtdSMSUsage": sms, "CtdVoiceUsage": voice,
             "BillingPeriodId": 7 if n == 0 else None, "IsActive": True, "IsDeleted": False}
            for n, (msisdn, iccid, data, sms, voice) in enumerate(subscribers)])
        conn.execute(insert(telegence_device), [
            {"ServiceProviderId": 11, "SubscriberNumber": msisdn, "ICCID": iccid,
             "FoundationAccountNumber": "FAN-11", "BillingAccountNumber": "BAN-1",
             "SubscriberNumberStatus": "A", "RefreshTimestamp": datetime(2026, 2, 1),
             "CtdDataUsage": data, "SMSCount": sms, "MinutesUsed": voice, "IsActive": True,
             "IsDeleted": False}
            for msisdn, iccid, data, sms, voice in subscribers])
        listed = [*subscribers, ("15551230003", ICCID_NEW, None, None, None)]
        conn.execute(insert(telegence_device_staging), [
            {"ServiceProviderId": 11, "FoundationAccountNumber": "FAN-11",
             "BillingAccountNumber": "BAN-1", "SubscriberNumber": msisdn,
             "SubscriberNumberStatus": "A", "RefreshTimestamp": "2026-02-01T00:00:00Z"}
            for msisdn, *_ in listed])
        conn.execute(insert(telegence_device_detail_staging), [
            {"ServiceProviderId": 11, "SubscriberNumber": msisdn, "ICCID": iccid}
            for msisdn, iccid, *_ in listed])

    _, after = run(stack, "telegence")

    with stack.engine.connect() as conn:
        new_id = conn.execute(select(mobility_device.c.id).where(
            mobility_device.c.MSISDN == "15551230003")).scalar_one()
    yesterday = ymd(after - timedelta(days=1))
    # DeviceSyncSummaryLogForTelegence (F:893-915): MobilityDevice, raw usage from
    # TelegenceDevice (SMSCount, MinutesUsed) on SubscriberNumber = MSISDN.
    golden.check("telegence/sync_log.txt", the_sync_log(stack, "Telegence", after),
                 yesterday=yesterday, new_id=new_id)
    assert objects(stack, stack.stage) == {}  # Mobility: no history (F:197)
    (summary,) = stack.smtp.messages
    # Set-based engine: 3 staging rows merged into TelegenceDevice and its 3 rows mirrored
    # (the queue count is the carrier rows the mirror read: 3), 1 subscriber added;
    # MobilityDevice has no usage date (blank); no historian.
    golden.check_mail("telegence/summary.mail", summary, last_sync=short(after))
    golden.check("telegence/daily_sync.json", the_daily_sync(stack))


# --- a failed gate stops the handover, nothing else ----------------------------------------
def test_a_failed_gate_still_produces_every_report_and_the_legacy_stop_email(stack, golden):
    from cleanup_assets.outbox import outbox_dir

    seed_providers(stack.engine, (11, 1, "jasper"))
    seed_session(stack.engine)
    with stack.engine.begin() as conn:
        seed_common(conn, device_row(501, ICCID_A), links=[(501, 1, "ACCT-1", 31, 5)])
        conn.execute(insert(jasper_device).values(
            ServiceProviderId=11, ICCID=ICCID_A, Status="ACTIVATED", RatePlan="RP-1GB",
            CommunicationPlan="CP-Known"))
        conn.execute(insert(jasper_device_usage).values(
            ServiceProviderId=11, ICCID=ICCID_A, CtdDataUsage=1000, CtdSMSUsage=5,
            CtdVoiceUsage=60))

    # Forced: the wait for rows to process gave up, so the blocking check sync_is_complete fails.
    result = run_notified(stack.defs, stack.instance, "jasper", "1", 11, optimize=True,
                          session=555, forced=True)

    assert not result.success
    steps = {e.step_key: e.event_type_value for e in result.all_events
             if e.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE")}
    assert steps == {"finalize_device_tables": "STEP_SUCCESS",
                     "judge_optimization_gate": "STEP_FAILURE",
                     "report_device_sync": "STEP_SUCCESS", "export_device_history": "STEP_SUCCESS",
                     "notify_amop_daily_sync": "STEP_SUCCESS",
                     "check_finalized_recently": "STEP_SUCCESS"}  # the handover never ran
    assert list(outbox_dir("sqs").iterdir()) == []  # nothing queued
    # Every report, as for any finalized sync:
    assert the_sync_log(stack, "Jasper", datetime.now(timezone.utc)).startswith(HEADER + b"501,")
    assert len(objects(stack, stack.stage)) == 1
    golden.check("jasper/daily_sync.json", the_daily_sync(stack))
    (sync,) = rows(stack.engine, "CleanupDeviceSync")
    assert sync["EmailStatus"].startswith("summary: sent") and sync["SyncLogObject"]
    assert sync["HistoryStatus"].startswith(f"stage 11: s3://{stack.stage}/{STAGE_PATH}/")
    # ... and the stop path, as the legacy's ProcessStopCarrierOptimization.
    summary, stop = stack.smtp.messages
    assert summary["Subject"] == "Jasper Device Sync Results"
    (handover,) = rows(stack.engine, "CleanupOptimizationHandover")
    reason = handover["Reason"]
    assert "sync_is_complete" in reason
    # string.Format(OptimizationSyncDeviceErrorEmailSubject, ServiceProvider.Name) and the
    # layout of OptimizationUsageSyncErrorHandler.cs:45-53 (its texts are our guesses).
    golden.check_mail("failed_gate/stop.mail", stop, reason=reason,
                      reason_html=html.escape(reason))
    (error,) = [r for r in stack.amop.requests if r["path"] == "/optimization"]
    golden.check("failed_gate/amop_error.json", error["raw"], reason_json=json.dumps(reason))
    assert error["headers"]["Content-Type"] == "application/json; charset=utf-8"


# --- eBonding: a summary and nothing else --------------------------------------------------
def test_ebonding_golden(stack, golden):
    from cleanup_assets.schema import ebonding_device

    seed_providers(stack.engine, (11, 1, "ebonding"))
    with stack.engine.begin() as conn:
        conn.execute(insert(ebonding_device), [
            {"ServiceProviderId": 11, "SubscriberNumber": msisdn, "ICCID": iccid}
            for msisdn, iccid in (("15551230001", ICCID_A), ("15551230002", ICCID_B))])

    _, after = run(stack, "ebonding")

    # No eBonding log (F:763-766), no history (Mobility, F:197), no daily-sync notification
    # (no key name: the legacy threw, F:107-109).
    assert objects(stack, stack.logs) == {} and objects(stack, stack.stage) == {}
    assert stack.amop.requests == []
    (summary,) = stack.smtp.messages
    golden.check_mail("ebonding/summary.mail", summary, last_sync=short(after))
