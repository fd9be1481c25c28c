"""What downstream consumers read after every finalized sync: the summary (with its emails and
the device sync log), the Snowflake device history and the AMOP 2.0 daily-sync notification.

Each depends on ``communication_plans`` only — never on ``common_devices`` directly — so a
failed blocking gate check (``judge_optimization_gate``) stops the optimization handover and
none of these: every finalized sync is reported.

Each step records what it did on the sync's ledger row as it goes (``EmailStatus``,
``SyncLogObject``, ``HistoryStatus``): a step that fails half-way still shows what it had
already sent.
"""

import tempfile
from pathlib import Path

import dagster as dg

from ...db import in_transaction, utcnow
from ...optimization import amop_daily_sync_body
from ...registry import Database, Family
from ...reporting import (
    SNOWFLAKE_COLUMNS,
    billing_cycle_discrepancies,
    device_history_key,
    discrepancy_email,
    history_chunks,
    new_plans_email,
    summarize,
    summary_email,
    summary_table_rows,
    sync_log_key,
    tenant_display_name,
    write_device_history,
    write_sync_log,
)
from ...sql.common_tables import new_plans_of
from ...sql.ledger import record_outcome
from ..device_sync.assets import COMMUNICATION_PLANS
from ..policy import device_sync_asset
from ..resources import (
    Amop20,
    DatabaseResource,
    DeviceHistoryStage,
    DeviceHistoryWarehouse,
    Mailer,
    SyncLogStore,
)
from ..sync_of_run import SyncOfRun, nothing_metadata

DEVICE_SYNC_SUMMARY = dg.AssetKey("device_sync_summary")
DEVICE_HISTORY = dg.AssetKey("device_history")
AMOP_DAILY_SYNC = dg.AssetKey("amop_daily_sync")


class _Outcome:
    """What a reporting step did, recorded on the ledger row after every action."""

    def __init__(self, engine, sync_id: int, column: str):
        self.engine, self.sync_id, self.column = engine, sync_id, column
        self.done: list[str] = []
        self.failures: list[str] = []

    def ok(self, label: str | None, where: str) -> None:
        self.done.append(f"{label}: {where}" if label else where)
        self._record()

    def failed(self, label: str, error: BaseException, *, prefixed: bool = True) -> None:
        self.done.append(f"{label}: FAILED ({error})" if prefixed else f"FAILED ({error})")
        self.failures.append(f"{label}: {error}")
        self._record()

    def _record(self) -> None:
        text = "; ".join(self.done)
        in_transaction(self.engine, lambda c: record_outcome(c, self.sync_id,
                                                             **{self.column: text}))

    def raise_if_failed(self, sync_id: int) -> None:
        if self.failures:
            raise dg.Failure(description="; ".join(self.failures),
                             metadata={"sync_id": dg.MetadataValue.text(str(sync_id))})


# Skippable: materialized alone on a partition never finalized, a report has nothing to
# report and says so in the log, succeeding (defs/sync_of_run.py, sync_to_report).
@dg.multi_asset(name="report_device_sync", specs=[device_sync_asset(
    DEVICE_SYNC_SUMMARY,
    stage="report",
    deps=[COMMUNICATION_PLANS],
    kinds={"sql", "email", "s3"},
    description=(
        "One row per sync in CleanupDeviceSync (history, never overwritten): the legacy "
        "summary's seven fields, the counts, new plans, forced flag and duration. Writes the "
        "device sync log ({Carrier}-yyyyMMdd.txt at the root of "
        "DEVICE_SYNC_SUMMARY_LOG_S3_BUCKET_NAME, when DEVICE_SYNC_SUMMARY_LOG_ENABLE) and "
        "sends the legacy emails: 'New Communication Plans Added' (exactly the plans this sync "
        "inserted), the summary (DeviceSyncResultsEmailSubject, or 'Error getting device "
        "summary'), and for ThingSpace the billing-cycle discrepancy report. Runs for every "
        "finalized sync, gated or not. A failure is retried, recorded on the row and fails "
        "this step — the device tables stay finalized. Materialized alone (the asset's own "
        "Materialize): reports again the partition's latest finalized sync, named in "
        "reported_sync; on a partition never finalized it does nothing and says so."
    ),
    skippable=True,
)])
def report_device_sync(context: dg.AssetExecutionContext, database: DatabaseResource,
                       email: Mailer, sync_log: SyncLogStore,
                       history_stage: DeviceHistoryStage, warehouse: DeviceHistoryWarehouse):
    """Summarize the sync, write its log, send its emails."""
    engine = database.get_engine()
    found = SyncOfRun.of_step(context).with_reported_sync(engine, context.log)
    if found.nothing:
        yield dg.MaterializeResult(asset_key=DEVICE_SYNC_SUMMARY,
                                   metadata=nothing_metadata(found.note))
        return
    if found.row is None:
        return
    integration, tenant_key, sync, reported = (found.integration, found.tenant_key, found.row,
                                               found.note)
    use_procedure = database.reads_by_procedure(integration.key)
    summary = summarize(database.get_databases(), integration, sync, use_procedure=use_procedure)
    # The legacy's order (F:187-231): the log (inside SyncDeviceTables), the new-plans email,
    # the summary email, the discrepancy report.
    log = _Outcome(engine, sync.id, "SyncLogObject")
    if not sync_log.writes:
        log_object = "disabled (DEVICE_SYNC_SUMMARY_LOG_ENABLE)"
    elif integration.sync_log_name is None:
        log_object = f"none: the legacy writes no {integration.legacy_name} log"
    else:
        try:
            log_object = _write_log(database, sync_log, integration, summary.provider_ids)
            log.ok(None, log_object)  # SyncLogObject: where the file is
        except Exception as error:  # recorded; the emails still go; the step fails at the end
            log.failed("sync log", error, prefixed=False)
            log_object = f"FAILED ({error})"

    # "Devices sent to Historian" is the legacy's stage upload (F:197): M2M with
    # SnowflakeS3BucketName and SnowflakeS3BucketPath; our direct warehouse write is not it.
    historian = integration.family is Family.M2M and history_stage.configured
    name, unread = tenant_display_name(engine, tenant_key)  # never costs an email
    if unread:
        context.log.warning(f"tenant name not read ({unread}): reports say {name!r}")
    mails = _Outcome(engine, sync.id, "EmailStatus")
    for label, build in _emails(integration, summary, sync, historian, name, use_procedure):
        try:
            message = in_transaction(engine, build)
            if message is not None:
                mails.ok(label, f"sent ({email.send(message)})")
        except Exception as error:  # retried inside send; recorded, then the step fails
            mails.failed(label, error)

    rows = summary_table_rows(integration, summary, name)
    metadata = {
        "sync_id": dg.MetadataValue.text(str(sync.id)),
        "reported_sync": dg.MetadataValue.text(reported),
        "tenant": dg.MetadataValue.text(f"{tenant_key} {name}"
                                        + (f" (name not read: {unread})" if unread else "")),
        "summary": dg.MetadataValue.md("| field | value |\n|---|---|\n" + "\n".join(
            f"| {k} | {'' if v is None else v} |" for k, v in rows)),
        "summary_read": "yes" if summary.fields is not None else f"no: {summary.error}",
        "emails": dg.MetadataValue.md("\n".join(f"- {line}" for line in mails.done)
                                      or "none sent"),
        "sync_log": log_object,
        "dagster/row_count": (summary.fields or {}).get("DeviceCount") or 0,
    }
    yield dg.MaterializeResult(asset_key=DEVICE_SYNC_SUMMARY, metadata=metadata)
    if mails.failures or log.failures:
        raise dg.Failure(description="; ".join(log.failures + mails.failures),
                         metadata={"sync_id": dg.MetadataValue.text(str(sync.id))})


def _emails(integration, summary, sync, historian: bool, tenant: str, use_procedure: bool):
    """(label, builder) of each email in the legacy's order; a builder returns None when
    there is nothing to send."""
    def new_plans(conn):
        plans = [name for _, name in new_plans_of(conn, sync.id)]  # exactly this sync's
        return new_plans_email(conn, plans) if plans else None

    def summary_mail(conn):
        return summary_email(conn, integration, summary, historian)

    def discrepancies(conn):
        found = billing_cycle_discrepancies(conn, integration, summary.provider_ids,
                                            utcnow().date(), use_procedure=use_procedure)
        return discrepancy_email(conn, found, tenant) if found else None

    yield "new plans", new_plans
    yield "summary", summary_mail
    if integration.billing_cycle_discrepancy_report:
        yield "billing-cycle discrepancies", discrepancies


def _write_log(database: DatabaseResource, store: SyncLogStore, integration, providers) -> str:
    """Stream the log into a temporary file, then store it (S3 or the local folder)."""
    databases = database.get_databases()
    if integration.database is Database.JASPER and databases.separate:
        # F:846-847 joins the Jasper database's tables from the central one.
        databases.require_joinable(f"the {integration.sync_log_name} sync log")
    now = utcnow()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sync-log.txt"
        with path.open("wb") as out, databases.central.connect() as conn:
            rows = write_sync_log(conn, integration, providers, now, out)
        return f"{store.put(sync_log_key(integration, now), path)} ({rows} rows)"


@dg.multi_asset(name="export_device_history", specs=[device_sync_asset(
    DEVICE_HISTORY,
    stage="report",
    deps=[COMMUNICATION_PLANS],
    kinds={"s3", "snowflake"},
    description=(
        "M2M only. With SnowflakeS3BucketName and SnowflakeS3BucketPath: one file per "
        "provider, {path}/DeviceHistory_{spId}_{yyyyMMddHHmmss}.csv in the stage bucket a "
        "Snowflake pipe loads — every Device row with its link to the provider's own tenant, "
        "the legacy's 39 columns, no header. With CLEANUP_SNOWFLAKE_ACCOUNT: the same devices "
        "written straight to a Snowflake table keyed by sync. The metadata says what was "
        "written where. Materialized alone: exports again for the partition's latest "
        "finalized sync (reported_sync)."
    ),
    skippable=True,
)])
def export_device_history(context: dg.AssetExecutionContext, database: DatabaseResource,
                          history_stage: DeviceHistoryStage, warehouse: DeviceHistoryWarehouse):
    """Write this sync's device history: the legacy stage file and/or the Snowflake table."""
    engine = database.get_engine()
    found = SyncOfRun.of_step(context).with_reported_sync(engine, context.log)
    integration, sync, reported = found.integration, found.row, found.note
    if found.nothing:
        yield dg.MaterializeResult(asset_key=DEVICE_HISTORY,
                                   metadata=nothing_metadata(reported))
        return
    if integration.family is not Family.M2M:
        yield dg.MaterializeResult(asset_key=DEVICE_HISTORY, metadata={
            "skipped": f"{integration.legacy_name} is a Mobility carrier: no device history"})
        return
    if not history_stage.configured and not warehouse.configured:
        yield dg.MaterializeResult(asset_key=DEVICE_HISTORY, metadata={
            "skipped": "no historian configured (SnowflakeS3BucketName and "
                       "SnowflakeS3BucketPath unset, CLEANUP_SNOWFLAKE_ACCOUNT unset)"})
        return
    if sync is None:
        return
    outcome = _Outcome(engine, sync.id, "HistoryStatus")
    metadata: dict = {"sync_id": dg.MetadataValue.text(str(sync.id)),
                      "reported_sync": dg.MetadataValue.text(reported)}
    written = 0
    if history_stage.configured:
        files = []
        for provider in found.providers:  # one file per provider, as the legacy
            try:
                where, rows = _stage_file(engine, history_stage, provider)
                outcome.ok(f"stage {provider}", f"{where} ({rows} rows)")
                files.append(f"{where} ({rows} rows)")
                written += rows
            except Exception as error:
                outcome.failed(f"stage {provider}", error)
        metadata["stage"] = dg.MetadataValue.md("\n".join(f"- {f}" for f in files) or "none")
    else:
        metadata["stage"] = "not configured (SnowflakeS3BucketName, SnowflakeS3BucketPath)"
    if warehouse.configured:
        try:
            rows = _snowflake_table(engine, warehouse, found)
            outcome.ok("snowflake", f"{rows} rows in {warehouse.table}")
            metadata["snowflake"] = f"{rows} rows in {warehouse.table}"
            written = max(written, rows)
        except Exception as error:
            outcome.failed("snowflake", error)
    else:
        metadata["snowflake"] = "not configured (CLEANUP_SNOWFLAKE_ACCOUNT)"
    metadata["dagster/row_count"] = written
    yield dg.MaterializeResult(asset_key=DEVICE_HISTORY, metadata=metadata)
    outcome.raise_if_failed(sync.id)


def _stage_file(engine, stage: DeviceHistoryStage, provider: int) -> tuple[str, int]:
    moment = utcnow()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "device-history.csv"
        with path.open("wb") as out, engine.connect() as conn:
            rows = write_device_history(conn, provider, out)
        return stage.put(device_history_key(stage.path, provider, moment), path), rows


def _snowflake_table(engine, warehouse: DeviceHistoryWarehouse, sync: SyncOfRun) -> int:
    """The direct write through ``SnowflakeResource`` (an option beside the stage file):
    the sync's rows replace any earlier export of the same sync."""
    from snowflake.connector import pandas_tools  # at call time (fakesnow patches it)

    written = 0
    with warehouse.get_connection() as snow, engine.connect() as conn:
        cursor = snow.cursor()
        table = warehouse.table
        columns = ", ".join(f"{c.upper()} VARCHAR" for c in SNOWFLAKE_COLUMNS)
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
        cursor.execute(f"DELETE FROM {table} WHERE SYNCID = %s", (str(sync.sync_id),))
        for frame in history_chunks(conn, sync.providers, sync.sync_id, utcnow()):
            frame = frame.astype("string")
            frame.columns = [c.upper() for c in frame.columns]
            pandas_tools.write_pandas(snow, frame, table, auto_create_table=False,
                                      use_logical_type=True)
            written += len(frame)
    return written


@dg.multi_asset(name="notify_amop_daily_sync", specs=[device_sync_asset(
    AMOP_DAILY_SYNC,
    stage="report",
    deps=[COMMUNICATION_PLANS],
    kinds={"api"},
    description=(
        "The AMOP 2.0 daily-sync notification after every finalized sync, gated or not: the "
        "legacy body ({\"data\": { \"key_name\": …,\"tenant_id\": …,\"tenant_name\": \"\"}}) "
        "with Accept: application/json. eBonding has no key name: skipped, and said so. "
        "Materialized alone: notifies again for the partition's latest finalized sync "
        "(reported_sync)."
    ),
    skippable=True,
)])
def notify_amop_daily_sync(context: dg.AssetExecutionContext, database: DatabaseResource,
                           amop: Amop20):
    """Tell AMOP 2.0 the carrier's devices were synced (DailySyncAmopApiTrigger.cs:17-39)."""
    found = SyncOfRun.of_step(context).with_reported_sync(database.get_engine(), context.log)
    if found.nothing:
        yield dg.MaterializeResult(asset_key=AMOP_DAILY_SYNC,
                                   metadata=nothing_metadata(found.note))
        return
    if found.row is None:
        return
    integration, tenant_key, sync, reported = (found.integration, found.tenant_key, found.row,
                                               found.note)
    if integration.amop_key is None:  # the legacy throws here (F:107-109)
        note = f"skipped: {integration.legacy_name} has no AMOP 2.0 key name"
        context.log.warning(note)
    else:
        where = amop.sync_update.post(amop_daily_sync_body(integration.amop_key, tenant_key),
                                      accept_json=True, what="daily-sync notification")
        note = f"sent ({integration.amop_key}, tenant {tenant_key}): {where}"
    yield dg.MaterializeResult(asset_key=AMOP_DAILY_SYNC, metadata={
        "amop_daily_sync": note, "sync_id": dg.MetadataValue.text(str(sync.id)),
        "reported_sync": dg.MetadataValue.text(reported)})
