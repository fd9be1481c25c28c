"""Golden files: for each integration a fixed dataset, and the exact bytes the legacy Lambda
gave its consumers for it — the device sync log, the Snowflake history file, the emails
(subject, sender, recipients, text and HTML), the AMOP 2.0 request (body and headers) —
written out here from the legacy code (``F:<line>`` = AltaworxJasperGetDevicesCleanup.cs) and
compared byte for byte with what reached the real servers: moto's S3 over HTTP, an SMTP
server (aiosmtpd), the local AMOP 2.0 server.

The datasets hold devices the sync leaves unchanged (fixed ids and dates: every byte of
their lines is written out) and one the sync adds (its id and creation time are the
database's; the rest is written out). One SQLite database each: the bytes do not depend on
the dialect (the statements are held to T-SQL in test_sql_server.py).
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
from cleanup_assets.defs.resources import (
    Amop20Resource,
    DatabaseResource,
    DeviceHistoryStage,
    EmailResource,
    SyncLogStore,
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
HEADER = (b"ID,ICCID,MSISDN,RawDataUsage,CurrentDataUsage,RawSMSUsage,CurrentSMSUsage,"
          b"RawVoiceUsage,CurrentVoiceUsage,BillingCycleStartDate,BillingCycleEndDate,UsageDate,"
          b"ServiceProviderId\n")  # F:1576, WriteLine on Linux: "\n"
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
            amop=Amop20Resource(sync_update_url=f"{amop.url}/sync-update",
                                optimization_url=f"{amop.url}/optimization",
                                backoff_seconds=0.01),
            email=EmailResource(transport="smtp", smtp_port=smtp.port, backoff_seconds=0.01),
            sync_log=SyncLogStore(bucket=logs, endpoint_url=moto_endpoint),
            history_stage=DeviceHistoryStage(bucket=stage, path=STAGE_PATH,
                                             endpoint_url=moto_endpoint))

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


def summary_texts(detail_last, detail_queue, detail_updated, usage_last, usage_queue,
                  usage_updated, historian=True):
    """BuildResultsEmailBody (F:1389-1393), written out."""
    note = "Devices sent to Historian" if historian else ""
    text = (f"Device Sync Summary\nDevice Details\nLast Sync: {detail_last}\n"
            f"Queue Count: {detail_queue}\nUpdate Count: {detail_updated}\nDevice Usage\n"
            f"Last Sync: {usage_last}\nQueue Count: {usage_queue}\nUpdate Count: {usage_updated}"
            f"\n{note}")
    html = (f"<h1>Device Sync Summary</h1><h2>Device Details</h2><div><b>Last Sync:</b> "
            f"{detail_last}<br/><b>Queue Count:</b> {detail_queue}<br/><b>Update Count:</b> "
            f"{detail_updated}</div><h2>Device Usage</h2><div><b>Last Sync:</b> {usage_last}"
            f"<br/><b>Queue Count:</b> {usage_queue}<br/><b>Update Count:</b> {usage_updated}"
            f"</div><div>{note}</div>")
    return text, html


def assert_mail(mail, subject, text, html):
    assert mail["Subject"] == subject
    assert mail["From"] == "device-sync@example.com"
    assert mail["To"] == "noc@example.com, billing@example.com"  # split on ';' (F:1344)
    assert mail.get_body(("plain",)).get_content() == text
    assert mail.get_body(("html",)).get_content() == html


def assert_daily_sync(stack, key_name):
    (request,) = [r for r in stack.amop.requests if r["path"] == "/sync-update"]
    # DailySyncAmopApiTrigger.cs:25, string concatenation, spaces included.
    assert request["raw"] == ('{"data": { "key_name": "' + key_name + '","tenant_id": "1",'
                              '"tenant_name": ""}}').encode()
    assert request["headers"]["Accept"] == "application/json"  # :23
    assert request["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert "x-api-key" not in {h.lower() for h in request["headers"]}  # none configured


def new_device_id(stack, iccid):
    with stack.engine.connect() as conn:
        return conn.execute(select(device.c.id, device.c.CreatedDate).where(
            device.c.ICCID == iccid)).one()


# --- Jasper --------------------------------------------------------------------------------
def test_jasper_golden(stack):
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
    assert the_sync_log(stack, "Jasper", after) == HEADER + (
        f"501,{ICCID_A},15551230001,1000,1000,5,5,60,60,2026-01-01,2026-01-31,{yesterday},11\n"
        f"502,{ICCID_B},,2100,2200,1,3,2,4,0001-01-01,0001-01-01,{yesterday},11\n"
        f"502,{ICCID_B},,2200,2200,3,3,4,4,0001-01-01,0001-01-01,{yesterday},11\n"
        f"{new_id},{ICCID_NEW},,300,300,0,0,0,0,0001-01-01,0001-01-01,{yesterday},11\n"
    ).encode()

    # GetDeviceHistoryString (F:284-326) through DeviceHistoryFileLineFromReader (F:355-384):
    # 39 columns, no header, NULL empty, bits True/False, dates on a 24-hour clock; only the
    # link to the provider's own tenant (501's tenant-2 link is not exported).
    assert the_history_file(stack, before, after) == (
        f"501,11,{ICCID_A},310150123456789,15551230001,352099001761481,2,ACTIVATED,44,RP-1GB,"
        "CP-Known,2026-02-03T17:45:09Z,iot.example,PKG-1,1000,5,60,3,False,none,"
        "JasperDeviceSync,2025-12-01T15:30:00Z,ops,2026-01-02T00:05:00Z,,,,True,False,ACCT-1,"
        "2025-11-30T09:00:00Z,2025-12-01T13:00:00Z,,900,CC-9,fleet,31,7,5\n"
        f"502,11,{ICCID_B},,,,,ACTIVATED,,RP-1GB,CP-Known,,,,2200,3,4,,,,,,cleanup_assets,"
        f"{repaired:%Y-%m-%dT%H:%M:%S}Z,,,,True,False,,,,,,,,,,\n"
        f"{new_id},11,{ICCID_NEW},,,,,ACTIVATED,,RP-1GB,CP-New,,,,300,0,0,,,,cleanup_assets,"
        f"{created:%Y-%m-%dT%H:%M:%S}Z,,,,,,True,False,,,,,,,,,,\n"
    ).encode()

    new_plans, summary = stack.smtp.messages  # the legacy's order (F:190, 202)
    assert_mail(new_plans, "New Communication Plans Added", (
        "\r\nNew Communication Plans Added\r\n                    \r\n"
        "These communication plans need to be associated to rate plans in order to optimize or "
        "deactivate devices.\r\nSee bottom of Carrier Rate Plans page to edit Communication "
        "Plans.\r\n\r\nCommunication Plans Added:\r\n\r\nCP-New"), (
        "<html>\r\n                    <h2>New Communication Plans Added</h2>\r\n"
        "                    <p>\r\n                        These communication plans need to be "
        "associated to rate plans in order to optimize or deactivate devices.\r\n"
        "                        See bottom of Carrier Rate Plans page to edit Communication "
        "Plans.\r\n                    </p>\r\n                    <h3>Communication Plans "
        "Added:</h3>\r\n                    <ul>\r\n                        <li>CP-New</li>\r\n"
        "                    </ul>\r\n                </html>"))
    # Set-based engine: 3 carrier rows read, 1 device added and 1 repaired; the latest usage
    # date is 501's; nothing left to process; one device's usage was written (502's).
    assert_mail(summary, "Jasper Device Sync Results",
                *summary_texts(short(after), 3, 2, "2/3/2026", 0, 1))
    assert_daily_sync(stack, "jasper_devices")


def history_line(*cells) -> str:
    """One line of the history file: the 39 cells of GetDeviceHistoryString, in its order."""
    assert len(cells) == 39
    return ",".join(cells) + "\n"


A_HISTORY = history_line(  # device 501 of device_row(): every column set
    "501", "11", ICCID_A, "310150123456789", "15551230001", "352099001761481", "2",
    "ACTIVATED", "44", "RP-1GB", "CP-Known", "2026-02-03T17:45:09Z", "iot.example", "PKG-1",
    "1000", "5", "60", "3", "False", "none", "JasperDeviceSync", "2025-12-01T15:30:00Z", "ops",
    "2026-01-02T00:05:00Z", "", "", "", "True", "False", "ACCT-1", "2025-11-30T09:00:00Z",
    "2025-12-01T13:00:00Z", "", "900", "CC-9", "fleet", "31", "7", "5")


def new_device_history(new_id, created, iccid, imsi="", msisdn="", imei="", eid_status="",
                       rate_plan="", usage=("", "", "")):
    """A device the sync added: the columns our finalization fills, the rest NULL."""
    return history_line(
        str(new_id), "11", iccid, imsi, msisdn, imei, "", eid_status, "", rate_plan, "", "",
        "", "", *usage, "", "", "", "cleanup_assets", f"{created:%Y-%m-%dT%H:%M:%S}Z", "", "",
        "", "", "", "True", "False", "", "", "", "", "", "", "", "", "", "")


# --- ThingSpace ----------------------------------------------------------------------------
def test_thingspace_golden(stack):
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
    assert the_sync_log(stack, "ThingSpace", after) == HEADER + (
        f"501,{ICCID_A},15551230001,700,1000,7,5,70,60,2026-01-01,2026-01-31,{ymd(yesterday)},11\n"
        f"{new_id},{ICCID_NEW},,10,0,1,0,0,0,0001-01-01,0001-01-01,{ymd(yesterday)},11\n"
    ).encode()
    assert the_history_file(stack, before, after) == (
        A_HISTORY
        + history_line("502", "11", ICCID_B, "310150123456789", "15551230002", "352099001761481",
                       "2", "ACTIVATED", "44", "RP-1GB", "CP-Known", "2026-02-03T17:45:09Z",
                       "iot.example", "PKG-1", "1000", "5", "60", "3", "False", "none",
                       "JasperDeviceSync", "2025-12-01T15:30:00Z", "ops", "2026-01-02T00:05:00Z",
                       "", "", "", "True", "False", "ACCT-2", "2025-11-30T09:00:00Z",
                       "2025-12-01T13:00:00Z", "", "900", "CC-9", "fleet", "", "7", "")
        + new_device_history(new_id, created, ICCID_NEW, imei="356938035643809",
                             eid_status="ACTIVATED", rate_plan="RP-1GB")
    ).encode()
    (summary,) = stack.smtp.messages  # no new plan, no billing-cycle discrepancy
    assert_mail(summary, "ThingSpace Device Sync Results",
                *summary_texts(short(after), 3, 1, "2/3/2026", 0, 0))
    assert_daily_sync(stack, "thingspace_devices")


# --- Teal ----------------------------------------------------------------------------------
def test_teal_golden(stack):
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
    assert the_sync_log(stack, "Teal", after) == HEADER + (
        f"501,{ICCID_A},15551230001,4096,1000,0,0,0,0,2026-01-01,2026-01-31,2026-02-02,11\n"
        f"{new_id},{ICCID_NEW},15551239999,5,0,0,0,0,0,0001-01-01,0001-01-01,0001-01-01,11\n"
    ).encode()
    assert the_history_file(stack, before, after) == (
        A_HISTORY
        + history_line("502", "11", ICCID_B, "310150123456789", "15551230001", "352099001761481",
                       "2", "Unknown", "44", "RP-1GB", "CP-Known", "2026-02-03T17:45:09Z",
                       "iot.example", "PKG-1", "1000", "5", "60", "3", "False", "none",
                       "JasperDeviceSync", "2025-12-01T15:30:00Z", "ops", "2026-01-02T00:05:00Z",
                       "", "", "", "True", "False", "", "2025-11-30T09:00:00Z",
                       "2025-12-01T13:00:00Z", "", "900", "CC-9", "fleet", "", "7", "")
        + new_device_history(new_id, created, ICCID_NEW, msisdn="15551239999",
                             imei="356938035643809", eid_status="ACTIVATED", rate_plan="RP-1GB")
    ).encode()
    (summary,) = stack.smtp.messages
    assert_mail(summary, "Teal Device Sync Results",
                *summary_texts(short(after), 3, 1, "2/3/2026", 0, 0))
    assert_daily_sync(stack, "teal_devices")


# --- Pond ----------------------------------------------------------------------------------
def test_pond_golden(stack):
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

    before, after = run(stack, "pond")

    new_id, _ = new_device_id(stack, ICCID_NEW)
    log = the_sync_log(stack, "Pond", after).decode()
    assert log.encode() == HEADER + (
        f"501,{ICCID_A},15551230001,120,1000,0,0,0,0,2026-01-01,2026-01-31,2026-02-01,11\n"
        f"{new_id},{ICCID_NEW},,7,0,0,0,0,0,0001-01-01,0001-01-01,{ymd(after)},11\n").encode()
    (summary,) = stack.smtp.messages
    assert_mail(summary, "Pond Device Sync Results",
                *summary_texts(short(after), 3, 1, "2/3/2026", 0, 0))
    assert_daily_sync(stack, "pond_inventories")


# --- Telegence (Mobility) ------------------------------------------------------------------
def test_telegence_golden(stack):
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
    assert the_sync_log(stack, "Telegence", after) == HEADER + (
        f"601,{ICCID_A},15551230001,5000,5000,9,9,90,90,2026-01-01,2026-01-31,{yesterday},11\n"
        f"602,{ICCID_B},15551230002,0,0,1,1,2,2,0001-01-01,0001-01-01,{yesterday},11\n"
        f"{new_id},{ICCID_NEW},15551230003,0,0,0,0,0,0,0001-01-01,0001-01-01,{yesterday},11\n"
    ).encode()
    assert objects(stack, stack.stage) == {}  # Mobility: no history (F:197)
    (summary,) = stack.smtp.messages
    # Set-based engine: 3 staging rows merged into TelegenceDevice and its 3 rows mirrored
    # (the queue count is the carrier rows the mirror read: 3), 1 subscriber added;
    # MobilityDevice has no usage date (blank); no historian.
    assert_mail(summary, "Telegence Device Sync Results",
                *summary_texts(short(after), 3, 1, "", 0, 0, historian=False))
    assert_daily_sync(stack, "telegence_devices")


# --- a failed gate stops the handover, nothing else ----------------------------------------
def test_a_failed_gate_still_produces_every_report_and_the_legacy_stop_email(stack):
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
    assert_daily_sync(stack, "jasper_devices")
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
    body = "Carrier optimization for Provider 11 was stopped because its device sync did not " \
           "finish cleanly."
    assert_mail(stop, "Optimization stopped: device sync failed - Provider 11",
                f"Carrier Optimization Sync Device Error - {body} - Error Details: {reason}",
                "<html>\r\n                                <h2>Carrier Optimization Sync Device "
                f"Error</h2>\r\n                                <p>{body}</p>\r\n"
                f"                                <p>Error Details: {html.escape(reason)}</p>\r\n"
                "                              </html>")
    (error,) = [r for r in stack.amop.requests if r["path"] == "/optimization"]
    assert error["raw"] == (
        '{"data":{"path":"/get_optimization_progress_bar_data","job_name":"ErrorMessage",'
        '"SessionId":"555","OptimizationSessionGuid":null,"ErrorMessage":'
        + json.dumps(reason) + ',"Progress":0,"CustomerId":"","AdditionalJson":null,'
        '"DeviceCount":0}}').encode()
    assert error["headers"]["Content-Type"] == "application/json; charset=utf-8"


# --- eBonding: a summary and nothing else --------------------------------------------------
def test_ebonding_golden(stack):
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
    assert_mail(summary, "eBonding Device Sync Results",
                *summary_texts(short(after), 2, 2, "", 0, 0, historian=False))
