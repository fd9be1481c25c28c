"""Reporting assets: the sync summary (with its emails and the S3 sync log) and the
Snowflake device history."""

import tempfile
from pathlib import Path

import dagster as dg

from ...db import in_transaction
from ...db import utcnow
from ...registry import Family, get_integration
from ...reporting import (
    HISTORY_COLUMNS,
    billing_cycle_discrepancies,
    discrepancy_email,
    history_chunks,
    new_plans_email,
    record_outcome,
    summarize,
    summary_email,
    summary_table_rows,
    sync_for_run,
    sync_log_key,
    tenant_name,
    write_sync_log,
)
from ...sql.common import new_plans_of
from ...optimization import global_settings
from ..device_sync.assets import GROUP, communication_plans
from ..partitions import device_sync_partitions, split_partition_key
from ..resources import DatabaseResource, DeviceHistoryWarehouse, EmailResource, SyncLogStore

device_sync_summary = dg.AssetSpec(
    "device_sync_summary",
    group_name=GROUP,
    deps=[communication_plans],
    partitions_def=device_sync_partitions,
    kinds={"sql", "email", "s3"},
    description=(
        "One row per sync in `CleanupDeviceSync` (history, never overwritten): the legacy "
        "summary's seven fields (DetailLastSyncDate, DetailQueueCount, DetailUpdatedCount, "
        "UsageLastSyncDate, UsageQueueCount, UsageUpdatedCount, DeviceCount), the counts, new "
        "plans, forced flag and duration. Sends the summary email, the 'New Communication Plans "
        "Added' email and, for ThingSpace, the billing-cycle discrepancy report; writes the "
        "sync log CSV when `DeviceSyncSummaryLogEnable`. A failed send is retried, recorded on "
        "the row and fails this step — the device tables stay finalized."
    ),
)
device_history = dg.AssetSpec(
    "device_history",
    group_name=GROUP,
    deps=[communication_plans],
    partitions_def=device_sync_partitions,
    kinds={"snowflake"},
    description=(
        "M2M only, when Snowflake is configured: every `Device` row of the providers, with "
        "provider and tenant, appended to the Snowflake device history keyed by sync (a rerun "
        "replaces its own rows), timestamps ISO-8601 UTC. Otherwise it reports why it skipped."
    ),
)


def _this_sync(context, engine, integration_key: str, tenant_key: str):
    """The ledger row this run wrote — or, for a re-execution of only this step, the row of
    the run it re-executes."""
    run = context.run
    run_ids = [run.run_id, run.parent_run_id, run.tags.get("dagster/root_run_id")]
    return in_transaction(engine, lambda c: sync_for_run(c, integration_key, tenant_key, run_ids))


@dg.multi_asset(name="report_device_sync", specs=[device_sync_summary])
def report_device_sync(context: dg.AssetExecutionContext, database: DatabaseResource,
                       email: EmailResource, sync_log: SyncLogStore):
    """Summarize the sync, send its emails, write its log."""
    integration_key, tenant_key = split_partition_key(context.partition_key)
    integration = get_integration(integration_key)
    engine = database.get_engine()
    sync = _this_sync(context, engine, integration_key, tenant_key)
    if sync is None:
        yield dg.MaterializeResult(asset_key=device_sync_summary.key, metadata={
            "note": "no active service provider: nothing was synced, nothing to report"})
        return
    use_procedure = database.reads_by_procedure()
    summary = summarize(database.get_databases(), integration, sync, use_procedure=use_procedure)

    def build(conn):
        name = tenant_name(conn, tenant_key)
        new_plans = new_plans_of(conn, sync.id)  # exactly the plans this sync inserted
        mails = [("summary", summary_email(conn, integration, summary, name))]
        if new_plans:
            mails.append(("new plans", new_plans_email(conn, integration, new_plans, name)))
        if integration.billing_cycle_discrepancy_report:
            found = billing_cycle_discrepancies(conn, integration, summary.provider_ids,
                                                utcnow().date(), use_procedure=use_procedure)
            if found:
                mails.append(("billing-cycle discrepancies", discrepancy_email(conn, found, name)))
        log_enabled = (global_settings(conn).get("DeviceSyncSummaryLogEnable", "").lower()
                       in {"true", "1", "yes"})
        return name, mails, log_enabled

    name, mails, log_enabled = in_transaction(engine, build)
    statuses, failures = [], []
    for label, message in mails:  # at most three emails
        try:
            statuses.append(f"{label}: sent ({email.send(message)})")
        except Exception as error:  # retried inside send; recorded, then the step fails
            statuses.append(f"{label}: FAILED ({error})")
            failures.append(f"{label} email: {error}")
    log_object = None
    if log_enabled and integration.family is Family.M2M:
        log_object = _write_log(engine, sync_log, integration, tenant_key, summary.provider_ids)
    in_transaction(engine, lambda c: record_outcome(
        c, sync.id, EmailStatus="; ".join(statuses), SyncLogObject=log_object))

    rows = summary_table_rows(integration, summary, name)
    metadata = {
        "sync_id": sync.id,
        "summary": dg.MetadataValue.md("| field | value |\n|---|---|\n" + "\n".join(
            f"| {k} | {'' if v is None else v} |" for k, v in rows)),
        "emails": dg.MetadataValue.json(statuses),
        "sync_log": log_object or ("disabled (DeviceSyncSummaryLogEnable)" if not log_enabled
                                   else "not applicable: Mobility"),
        "dagster/row_count": (summary.fields or {}).get("DeviceCount") or 0,
    }
    yield dg.MaterializeResult(asset_key=device_sync_summary.key, metadata=metadata)
    if failures:
        raise dg.Failure(description="; ".join(failures), metadata={"sync_id": sync.id})


def _write_log(engine, store: SyncLogStore, integration, tenant_key, providers) -> str:
    key = sync_log_key(store.prefix, integration, tenant_key, utcnow())
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sync-log.txt"
        with path.open("w", newline="") as out:
            with engine.connect() as conn:
                write_sync_log(conn, providers, out)
        return store.put(key, path)


@dg.multi_asset(name="export_device_history", specs=[device_history])
def export_device_history(context: dg.AssetExecutionContext, database: DatabaseResource,
                          warehouse: DeviceHistoryWarehouse):
    """Append this sync's device snapshot to the Snowflake history."""
    integration_key, tenant_key = split_partition_key(context.partition_key)
    integration = get_integration(integration_key)
    if integration.family is not Family.M2M:
        yield dg.MaterializeResult(asset_key=device_history.key, metadata={
            "skipped": f"{integration.legacy_name} is a Mobility carrier: no device history"})
        return
    if not warehouse.enabled:
        yield dg.MaterializeResult(asset_key=device_history.key, metadata={
            "skipped": "Snowflake is not configured (CLEANUP_SNOWFLAKE_ACCOUNT unset)"})
        return
    engine = database.get_engine()
    sync = _this_sync(context, engine, integration_key, tenant_key)
    if sync is None:
        yield dg.MaterializeResult(asset_key=device_history.key, metadata={
            "skipped": "no active service provider: nothing was synced"})
        return
    providers = [int(p) for p in sync.ServiceProviderIds.split(",") if p]
    from snowflake.connector import pandas_tools  # at call time (fakesnow patches it)

    written = 0
    with warehouse.get_connection() as snow, engine.connect() as conn:
        cursor = snow.cursor()
        table = warehouse.table
        columns = ", ".join(f"{c.upper()} VARCHAR" for c in HISTORY_COLUMNS)
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
        cursor.execute(f"DELETE FROM {table} WHERE SYNCID = %s", (str(sync.id),))
        for frame in history_chunks(conn, providers, sync.id, utcnow()):
            frame = frame.astype("string")
            frame.columns = [c.upper() for c in frame.columns]
            pandas_tools.write_pandas(snow, frame, table, auto_create_table=False,
                                      use_logical_type=True)
            written += len(frame)
    in_transaction(engine, lambda c: record_outcome(
        c, sync.id, HistoryStatus=f"{written} rows in {table}"))
    yield dg.MaterializeResult(asset_key=device_history.key, metadata={
        "sync_id": sync.id, "dagster/row_count": written, "table": table})

