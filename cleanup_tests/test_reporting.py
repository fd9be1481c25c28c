"""Reporting against real servers: aiosmtpd and moto's SES for email, moto's S3 for the sync
log and the history stage, fakesnow for the direct Snowflake write. The exact bytes of each
consumer's file are in test_golden.py; here: what is kept, recorded and refused."""

from __future__ import annotations

import csv
import io
import json
import re
import urllib.request
from datetime import datetime, timezone

import boto3
import dagster as dg
import pytest
from dagster_aws.s3 import S3Resource
from sqlalchemy import text

from cleanup_assets.definitions import make_definitions
from cleanup_assets.defs.resources import (
    DatabaseResource,
    NoSyncLog,
    S3HistoryStage,
    S3SyncLog,
    SesMailer,
    SmtpMailer,
    SnowflakeWarehouse,
)
from cleanup_assets.reporting import SNOWFLAKE_COLUMNS
from cleanup_assets.sql.reports import SYNC_LOG_COLUMNS

from .builders import good_devices, rows, run_notified, seed_providers, stage
from .servers import free_port

# Each test executes Dagster jobs in process (seconds each): not in `scripts/test --fast`.
pytestmark = pytest.mark.runs

# The report steps: dialect-free shells (their queries are compiled for both, and for
# SQL Server, by the T-SQL test; the golden files hold the bytes).
BACKENDS = ("sqlite",)


def defs_for(database_url, *, email=None, sync_log=None, warehouse=None, history_stage=None):
    return make_definitions(DatabaseResource(url=database_url, retry_base_delay_seconds=0.01),
                            email=email, sync_log=sync_log, warehouse=warehouse,
                            history_stage=history_stage)


def smtp_email(smtp):
    return SmtpMailer(port=smtp.port, backoff_seconds=0.01)


def snowflake_warehouse():
    """The warehouse of the history tests (fakesnow answers for the account)."""
    from dagster_snowflake import SnowflakeResource

    return SnowflakeWarehouse(snowflake=SnowflakeResource(
        account="acct", user="svc", password="pw", database="HISTORY", schema="PUBLIC"))


def materialized(result, key):
    (event,) = [e for e in result.get_asset_materialization_events()
                if e.asset_key == dg.AssetKey(key)]
    return {k: v.value for k, v in event.event_specific_data.materialization.metadata.items()}


def test_the_summary_is_kept_per_sync_with_the_legacy_fields(engine, database_url, instance,
                                                            smtp):
    seed_providers(engine, (11, 1, "thingspace"))
    stage(engine, "thingspace", 11, good_devices(11, 12))
    defs = defs_for(database_url, email=smtp_email(smtp))

    first = run_notified(defs, instance, "thingspace", "1", 11, optimize=False)
    stage(engine, "thingspace", 11, good_devices(11, 12)[2:])
    second = run_notified(defs, instance, "thingspace", "1", 11, optimize=False)

    assert first.success and second.success
    history = rows(engine, "CleanupDeviceSync")
    assert len(history) == 2  # a row per sync, never overwritten
    assert [(r["DeviceCount"], r["DetailQueueCount"], r["Deactivated"]) for r in history] == [
        (12, 12, 0), (10, 10, 2)]
    assert history[0]["DetailUpdatedCount"] == 12
    assert history[1]["DurationSeconds"] is not None and history[1]["Forced"] is False
    meta = materialized(second, "device_sync_summary")
    assert "| Device count | 10 |" in meta["summary"]


def test_the_summary_email_arrives_with_the_legacy_subject_and_both_parts(engine, database_url,
                                                                        instance, smtp):
    seed_providers(engine, (11, 1, "telegence"))
    stage(engine, "telegence", 11, good_devices(11, 5))

    result = run_notified(defs_for(database_url, email=smtp_email(smtp)), instance, "telegence",
                          "1", 11, optimize=False)

    assert result.success
    (mail,) = smtp.messages
    # Integration.Name replaces "Jasper" in the setting, nothing appended (F:1325)
    assert mail["Subject"] == "Telegence Device Sync Results"
    assert mail["From"] == "device-sync@example.com"
    assert mail["To"] == "noc@example.com, billing@example.com"
    text = mail.get_body(("plain",)).get_content()
    assert "\nUpdate Count: 5\nDevice Usage\n" in text
    assert text.endswith("\n")  # Mobility: no history, an empty historian note
    assert "<b>Update Count:</b> 5</div>" in mail.get_body(("html",)).get_content()


def test_an_unreadable_tenant_name_never_costs_an_email(engine, database_url, instance, smtp):
    """The tenant's name is display text (the legacy reads one only for the ThingSpace
    report, from the portal database: ThingSpaceDiscrepancyService.cs:48-59): a central
    database without a readable Tenant table still gets every email out."""
    seed_providers(engine, (11, 1, "thingspace"))
    stage(engine, "thingspace", 11, good_devices(11, 3))
    with engine.begin() as conn:
        conn.execute(text('DROP TABLE "Tenant"'))

    result = run_notified(defs_for(database_url, email=smtp_email(smtp)), instance, "thingspace",
                          "1", 11, optimize=False)

    assert result.success
    assert [m["Subject"] for m in smtp.messages] == ["ThingSpace Device Sync Results"]
    assert materialized(result, "device_sync_summary")["tenant"].startswith(
        "1 tenant 1 (name not read: ")


def test_devices_are_sent_to_historian_only_through_the_legacy_stage(engine, database_url,
                                                                     instance, smtp, tmp_path):
    """"Devices sent to Historian" says the stage upload happened (F:197: M2M with
    SnowflakeS3BucketName and SnowflakeS3BucketPath); our direct warehouse write alone is
    not that upload."""
    import fakesnow

    seed_providers(engine, (11, 1, "pod19"))
    stage(engine, "pod19", 11, good_devices(11, 2))
    warehouse = snowflake_warehouse()
    with fakesnow.patch(db_path=str(tmp_path)):
        with warehouse.get_connection() as snow:
            snow.cursor().execute("CREATE DATABASE IF NOT EXISTS HISTORY")
            snow.cursor().execute("CREATE SCHEMA IF NOT EXISTS HISTORY.PUBLIC")
        result = run_notified(defs_for(database_url, email=smtp_email(smtp), warehouse=warehouse),
                              instance, "pod19", "1", 11, optimize=False)

    assert result.success
    (summary,) = [m for m in smtp.messages if m["Subject"].endswith("Device Sync Results")]
    assert "Historian" not in summary.get_body(("plain",)).get_content()


def test_the_error_summary_is_sent_when_the_summary_cannot_be_read(engine, database_url,
                                                                   instance, smtp):
    seed_providers(engine, (11, 1, "thingspace"))
    stage(engine, "thingspace", 11, good_devices(11, 3))
    with engine.begin() as conn:  # what the summary reads is gone: it cannot be computed
        conn.execute(text('DROP TABLE "ThingSpaceDeviceUsageICCICDsToProcess"'))

    result = run_notified(defs_for(database_url, email=smtp_email(smtp)), instance, "thingspace",
                          "1", 11, optimize=False)

    assert result.success
    (mail,) = smtp.messages
    assert mail.get_body(("plain",)).get_content() == (
        "Device Sync Summary\nError getting device summary")  # F:1385
    assert mail.get_body(("html",)).get_content() == (
        "<h1>Device Sync Summary</h1><h2>Error getting device summary</h2>")
    assert materialized(result, "device_sync_summary")["summary_read"].startswith("no: ")


def test_new_communication_plans_are_emailed(engine, database_url, instance, smtp):
    seed_providers(engine, (11, 1, "jasper"), (12, 1, "jasper"))
    stage(engine, "jasper", 11, good_devices(11, 40))
    with engine.begin() as conn:  # another provider's plan added by someone else, today
        conn.execute(text('INSERT INTO "JasperCommunicationPlan" ("CommunicationPlanName", '
                          '"CreatedBy", "CreatedDate", "IsActive", "IsDeleted", '
                          '"ServiceProviderId") VALUES (\'CP-Other\', \'JasperDeviceSync\', '
                          'CURRENT_TIMESTAMP, :t, :f, 12)'), {"t": True, "f": False})

    run_notified(defs_for(database_url, email=smtp_email(smtp)), instance, "jasper", "1", 11,
                 optimize=False)

    subjects = [m["Subject"] for m in smtp.messages]
    assert subjects == ["New Communication Plans Added", "Jasper Device Sync Results"]
    body = smtp.messages[0].get_body(("plain",)).get_content()
    listed = body.split("Communication Plans Added:\r\n\r\n")[1].split("\n")
    # exactly the plans this finalization inserted: not the known one, not the other's
    assert listed == ["CP-Camera-HighData", "CP-Fleet-Plus", "CP-Meter-LowData"]


def test_thingspace_billing_cycle_discrepancies_come_as_an_xlsx(engine, database_url, instance,
                                                               smtp):
    import pandas as pd

    seed_providers(engine, (11, 1, "thingspace"))
    devices = good_devices(11, 4)
    today = datetime.now(timezone.utc).date()
    with engine.begin() as conn:  # this month's billing period ends on the 15th
        conn.execute(text('INSERT INTO "BillingPeriod" ("ServiceProviderId", "BillYear", '
                          '"BillMonth", "BillingCycleEndDate", "IsDeleted") '
                          "VALUES (11, :y, :m, :d, :f)"),
                     {"y": today.year, "m": today.month, "f": False, "d": datetime(2030, 1, 15)})
    stage(engine, "thingspace", 11, devices)
    with engine.begin() as conn:
        conn.execute(text('UPDATE "ThingSpaceDeviceStaging" SET "BillingCycleEndDate" = '
                          'CASE WHEN "ICCID" = :odd THEN \'2030-01-20\' ELSE \'2030-01-15\' END'),
                     {"odd": devices[2]["ICCID"]})

    run_notified(defs_for(database_url, email=smtp_email(smtp)), instance, "thingspace", "1", 11,
                 optimize=False)

    (report,) = [m for m in smtp.messages if "Discrepancies" in m["Subject"]]
    (attachment,) = list(report.iter_attachments())
    assert attachment.get_filename() == "billing-cycle-discrepancies.xlsx"
    sheet = pd.read_excel(io.BytesIO(attachment.get_content()))
    assert sheet["ICCID"].astype(str).tolist() == [devices[2]["ICCID"]]


def test_no_cell_of_the_discrepancy_report_is_a_formula():
    from openpyxl import load_workbook

    from cleanup_assets.reporting import discrepancy_workbook

    hostile = ['=HYPERLINK("http://evil.example","click")', "+1+2", "-3+4", "@SUM(A1)",
               "\t=1", "\r=1"]
    data = discrepancy_workbook([{"ICCID": v, "MSISDN": "1", "Count": 3} for v in hostile])

    sheet = load_workbook(io.BytesIO(data)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    # shown as written (XML turns a stored CR into LF when read back)
    assert [c.value for c in cells[0::3]] == [v.replace("\r", "\n") for v in hostile]
    assert {c.data_type for c in cells[0::3]} == {"s"}  # never "f"
    assert cells[2].data_type == "n"


def test_the_summary_email_goes_through_ses(engine, database_url, instance, moto_endpoint,
                                            aws_env):
    boto3.client("ses", endpoint_url=moto_endpoint, region_name="us-east-1"
                 ).verify_email_identity(EmailAddress="device-sync@example.com")
    seed_providers(engine, (11, 1, "teal"))
    stage(engine, "teal", 11, good_devices(11, 3))
    email = SesMailer(endpoint_url=moto_endpoint)

    assert run_notified(defs_for(database_url, email=email), instance, "teal", "1", 11,
                        optimize=False).success

    sent = json.load(urllib.request.urlopen(f"{moto_endpoint}/moto-api/data.json"))
    raw = [m["raw_data"] for m in sent["ses"]["RawMessage"]]
    assert any("Subject: Teal Device Sync Results" in r for r in raw)


def test_an_smtp_outage_is_recorded_and_shown_and_the_device_tables_stay(engine, database_url,
                                                                        instance):
    seed_providers(engine, (11, 1, "pond"))
    stage(engine, "pond", 11, good_devices(11, 6))
    email = SmtpMailer(port=free_port(), attempts=2, backoff_seconds=0.01)

    result = run_notified(defs_for(database_url, email=email), instance, "pond", "1", 11,
                          optimize=False)

    assert not result.success
    failed = [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert failed == ["report_device_sync"]
    assert len(rows(engine, "PondDevice")) == 6 and len(rows(engine, "Device")) == 6
    (sync,) = rows(engine, "CleanupDeviceSync")
    assert sync["EmailStatus"].startswith("summary: FAILED (email via smtp failed after 2 tries")
    day = f"{datetime.now(timezone.utc):%Y%m%d}"
    assert sync["SyncLogObject"].endswith(f"Pond-{day}.txt (0 rows)")  # written before


def test_with_s3_down_the_emails_already_sent_are_recorded_before_the_step_fails(
        engine, database_url, instance, smtp, aws_env):
    seed_providers(engine, (11, 1, "jasper"))
    stage(engine, "jasper", 11, good_devices(11, 4))
    down = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    defs = defs_for(database_url, email=smtp_email(smtp),
                    sync_log=S3SyncLog(bucket="logs", s3=S3Resource(endpoint_url=down)),
                    history_stage=S3HistoryStage(bucket="stage", path="p",
                                                 s3=S3Resource(endpoint_url=down)))

    result = run_notified(defs, instance, "jasper", "1", 11, optimize=False)

    assert not result.success
    failed = sorted(e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert failed == ["export_device_history", "report_device_sync"]
    assert [m["Subject"] for m in smtp.messages] == ["New Communication Plans Added",
                                                     "Jasper Device Sync Results"]
    (sync,) = rows(engine, "CleanupDeviceSync")
    assert sync["SyncLogObject"].startswith("FAILED (")
    assert sync["EmailStatus"].startswith("new plans: sent (smtp 127.0.0.1:")
    assert "; summary: sent (smtp" in sync["EmailStatus"]
    assert sync["HistoryStatus"].startswith("stage 11: FAILED (")


def test_hostile_names_are_escaped_and_cannot_inject_headers(engine, database_url, instance,
                                                            smtp, aws_env, moto_endpoint):
    seed_providers(engine, (11, 1, "jasper"))
    hostile = 'Evil\r\nBcc: victim@example.com <script>alert("x")</script> ../../etc'
    with engine.begin() as conn:
        conn.execute(text('UPDATE "Tenant" SET "Name" = :n WHERE id = 1'), {"n": hostile})
        conn.execute(text('UPDATE "ServiceProvider" SET "Name" = :n'), {"n": hostile})
    plan = '<img src=x onerror=alert(1)>, "=HYPERLINK(""http://evil"")"'
    devices = [{**d, "CommunicationPlan": plan} for d in good_devices(11, 3)]
    stage(engine, "jasper", 11, devices)
    s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    bucket = f"stage-{free_port()}"
    s3.create_bucket(Bucket=bucket)
    stage_files = S3HistoryStage(bucket=bucket, path="h",
                                 s3=S3Resource(endpoint_url=moto_endpoint))

    assert run_notified(defs_for(database_url, email=smtp_email(smtp),
                                 history_stage=stage_files), instance, "jasper", "1", 11,
                        optimize=False).success

    for mail in smtp.messages:
        assert mail["Bcc"] is None and "\n" not in mail["Subject"]
        html_body = mail.get_body(("html",)).get_content()
        assert "<script>" not in html_body and "<img" not in html_body
    new_plans, _ = smtp.messages
    assert "&lt;img src=x onerror=alert(1)&gt;" in new_plans.get_body(("html",)).get_content()
    (key,) = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert re.fullmatch(r"h/DeviceHistory_11_\d{14}\.csv", key)  # no name in any key
    lines = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode().splitlines()
    for line in lines:  # one quoted cell, never a formula, always 39 columns
        (cell,) = [c for c in next(csv.reader([line])) if "HYPERLINK" in c]
        assert cell == "'" + plan if plan.startswith(("=", "+", "-", "@")) else cell == plan
        assert len(next(csv.reader([line]))) == 39


@pytest.fixture
def bucket(moto_endpoint, aws_env):
    client = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    name = f"sync-logs-{free_port()}"
    client.create_bucket(Bucket=name)
    return client, name


def test_the_sync_log_lands_at_the_bucket_root_once_per_day_for_the_family(
        engine, database_url, instance, bucket, moto_endpoint):
    client, name = bucket
    seed_providers(engine, (11, 4, "rogers"))
    stage(engine, "rogers", 11, good_devices(11, 7))
    defs = defs_for(database_url, sync_log=S3SyncLog(bucket=name,
                                                     s3=S3Resource(endpoint_url=moto_endpoint)))

    run_notified(defs, instance, "rogers", "4", 11, optimize=False)
    run_notified(defs, instance, "rogers", "4", 11, optimize=False)  # a rerun

    (obj,) = client.list_objects_v2(Bucket=name)["Contents"]
    assert obj["Key"] == f"Jasper-{datetime.now(timezone.utc):%Y%m%d}.txt"  # the whole family
    lines = list(csv.reader(io.StringIO(
        client.get_object(Bucket=name, Key=obj["Key"])["Body"].read().decode())))
    assert lines[0] == list(SYNC_LOG_COLUMNS)
    assert len(lines) == 8 and {line[-1] for line in lines[1:]} == {"11"}


def test_the_sync_log_is_off_when_the_environment_says_so(engine, database_url, instance):
    seed_providers(engine, (11, 1, "teal"))
    result = run_notified(defs_for(database_url, sync_log=NoSyncLog()),
                          instance, "teal", "1", 11, optimize=False)
    assert materialized(result, "device_sync_summary")["sync_log"] == (
        "disabled (DEVICE_SYNC_SUMMARY_LOG_ENABLE)")


def test_the_device_history_reaches_snowflake_without_duplicates_on_rerun(engine, database_url,
                                                                         instance, tmp_path):
    import fakesnow

    seed_providers(engine, (11, 1, "pod19"))
    stage(engine, "pod19", 11, good_devices(11, 9))
    warehouse = snowflake_warehouse()
    defs = defs_for(database_url, warehouse=warehouse)
    with fakesnow.patch(db_path=str(tmp_path)):
        with warehouse.get_connection() as snow:
            snow.cursor().execute("CREATE DATABASE IF NOT EXISTS HISTORY")
            snow.cursor().execute("CREATE SCHEMA IF NOT EXISTS HISTORY.PUBLIC")
        first = run_notified(defs, instance, "pod19", "1", 11, optimize=False)
        second = run_notified(defs, instance, "pod19", "1", 11, optimize=False)
        export_again = defs.resolve_job_def("finalize_device_sync").execute_in_process(
            instance=instance, partition_key="pod19|1", op_selection=["export_device_history"],
            tags={"dagster/parent_run_id": second.run_id, "dagster/root_run_id": second.run_id})
        with warehouse.get_connection() as snow:
            cursor = snow.cursor()
            cursor.execute("SELECT SYNCID, ICCID, CREATEDDATE, TENANTID FROM DEVICE_HISTORY")
            history = cursor.fetchall()
    assert first.success and second.success and export_again.success
    assert materialized(second, "device_history")["dagster/row_count"] == 9
    assert materialized(second, "device_history")["snowflake"] == "9 rows in DEVICE_HISTORY"
    by_sync = {}
    for sync_id, *_ in history:
        by_sync[sync_id] = by_sync.get(sync_id, 0) + 1
    # one snapshot per sync: re-exporting the second sync replaced its rows
    assert sorted(by_sync.values()) == [9, 9]
    assert all(r[2].endswith("Z") and "T" in r[2] for r in history)
    assert {r[3] for r in history} == {"1"}
    assert len(SNOWFLAKE_COLUMNS) == 23


def test_without_a_historian_the_history_reports_why_it_skipped(engine, database_url, instance):
    seed_providers(engine, (11, 1, "jasper"))
    result = run_notified(defs_for(database_url), instance, "jasper", "1", 11, optimize=False)
    assert materialized(result, "device_history")["skipped"].startswith(
        "no historian configured (SnowflakeS3BucketName and SnowflakeS3BucketPath unset")

