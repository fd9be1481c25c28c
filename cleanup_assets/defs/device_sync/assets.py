"""Device finalization as partitioned assets: carrier devices → common devices →
communication plans.

The three are one multi-asset because one step writes them: on PostgreSQL and SQLite in one
database transaction (a failure anywhere leaves every table of the partition as it was), on
SQL Server through the legacy procedures in the legacy order. The lineage still shows each
table on its own.
"""

import re

import dagster as dg
from sqlalchemy.exc import SQLAlchemyError

from ...db import in_transaction
from ...registry import get_integration
from ...reporting import REJECTED_SAMPLE, PartitionNames, partition_names, rejected_rows
from ...sql.row_rules import RULES_VERSION
from ...sql.finalize import (
    FinalizeError,
    FinalizeRequest,
    FinalizeResult,
    RowsCleared,
    RowsNotCleared,
    finalize_partition,
)
from ..partitions import InvalidPartitionKey
from ..policy import device_sync_asset
from ..resources import DatabaseResource
from ..run_tags import PROVIDERS_TAG, TAG_VALUE_MAX, TRIGGER_TAG, InvalidRunTags
from ..sync_of_run import SyncOfRun, no_provider_note

# The device tables are judged by the row rules (sql/row_rules.py): a partition finalized under
# older rules shows as changed code in the UI until it is finalized again.
DEVICE_TABLES_VERSION = f"rules-{RULES_VERSION}"

carrier_staging = device_sync_asset(
    "carrier_staging",
    stage="upstream",
    kinds={"sql"},
    description=(
        "The carrier's staging tables (JasperDeviceStaging, TealDeviceStaging, "
        "TelegenceDeviceStaging, …), filled by the device-sync step before us. External: not "
        "materialized here."
    ),
)
# The three tables this step writes, by key: the specs are the multi-asset's own (a spec
# at module scope would be loaded from defs/ as an asset of its own), and other modules name
# the tables by these keys.
CARRIER_DEVICES = dg.AssetKey("carrier_devices")
COMMON_DEVICES = dg.AssetKey("common_devices")
COMMUNICATION_PLANS = dg.AssetKey("communication_plans")
DEVICE_TABLES = (CARRIER_DEVICES, COMMON_DEVICES, COMMUNICATION_PLANS)


@dg.multi_asset(
    name="finalize_device_tables",
    specs=[
        device_sync_asset(
            CARRIER_DEVICES,
            stage="finalize",
            code_version=DEVICE_TABLES_VERSION,
            deps=[carrier_staging],
            kinds={"sql"},
            description=(
                "The carrier device table (JasperDevice in the Jasper database, TealDevice, "
                "PondDevice, TelegenceDevice, …) as the device-sync step leaves it — for "
                "Telegence this step merges the staging into it, as the legacy does. Every row "
                "is checked: a row with a malformed key, a value the common table cannot hold, "
                "a control character or a device named twice is not mirrored and goes to "
                "CleanupRejectedRow with its reason; its device keeps its last state."
            ),
        ),
        device_sync_asset(
            COMMON_DEVICES,
            stage="finalize",
            code_version=DEVICE_TABLES_VERSION,
            deps=[CARRIER_DEVICES],
            kinds={"sql"},
            description=(
                "The tables optimization and billing read: Device and Device_Tenant for M2M "
                "carriers, MobilityDevice for Mobility carriers. On SQL Server the legacy "
                "procedures write them (usp_{Carrier}_DeviceSync, then usp_DeviceSync_Common / "
                "usp_MobilityDeviceSync_Common); elsewhere our SQL mirrors the carrier table: "
                "every row compared every sync (drift is repaired), devices the carrier no "
                "longer lists soft-deleted after a complete sync."
            ),
        ),
        device_sync_asset(
            COMMUNICATION_PLANS,
            stage="finalize",
            code_version=DEVICE_TABLES_VERSION,
            deps=[COMMON_DEVICES],
            kinds={"sql"},
            description=(
                "JasperCommunicationPlan: every communication plan the providers' devices use "
                "whose name the table lacks (matched by name, as the legacy does) is added "
                "(CreatedBy JasperDeviceSync). New plans need rate plans "
                "(vwJasperCommPlan_RatePlan) before those devices can be optimized."
            ),
        ),
    ],
    can_subset=False,
)
def finalize_device_tables(context: dg.AssetExecutionContext, database: DatabaseResource):
    """Finalize one (integration, tenant) partition in one transaction: the notified
    provider (the run's tags, set by the sync sensor), else every active provider. A
    partition without an active provider has nothing to finalize, and says so: its
    materializations carry `nothing_to_finalize` (a backfill over every tenant of a carrier
    then completes, and the partition reads as what it is, not as missing).

    A forced sync (the sensor gave up waiting for the carrier's rows to process) first
    clears that provider's rows to process, once per notification, and logs it; if they
    cannot be cleared the step fails and nothing is finalized, as the legacy stops there."""
    try:
        sync = SyncOfRun.of_step(context)
    except InvalidPartitionKey as error:  # a partition added by hand in the UI, say
        raise dg.Failure(description=(
            f"{error}. Nothing was done. Remove the partition in the UI: an asset's menu "
            "beside Materialize -> Delete partitions."), allow_retries=False) from None
    except InvalidRunTags as error:
        raise dg.Failure(description=str(error)) from None
    integration, tenant_key, notified = sync.integration, sync.tenant_key, sync.notified
    request = FinalizeRequest(
        integration=integration,
        tenant_key=tenant_key,
        service_provider_id=notified.service_provider_id,
        forced=notified.forced,
        run_id=sync.run_id,
        notification_id=notified.notification_id,
        engine=database.engine_kind(integration.key),
        shadow=database.shadow_kind(),
    )
    try:
        result = finalize_partition(
            database.get_databases(),
            request,
            retry=database.retry_policy,
            on_retry=lambda attempt, error: context.log.warning(
                f"transient database error on try {attempt} ({type(error.orig).__name__}); "
                "its transaction was rolled back and is retried"
            ),
            on_cleared=lambda cleared: _log_cleared(context, cleared),
        )
    except (FinalizeError, RowsNotCleared) as error:
        raise dg.Failure(description=str(error)) from error
    if not result.service_provider_ids:
        note = no_provider_note(integration, tenant_key)
        context.log.info(f"{sync.partition}: {note}. Nothing was written; the "
                         "checks, reports and handover say the same.")
        yield from _nothing_to_finalize(request, note)
        return
    names = _names(context, database, tenant_key, result.partition_provider_ids)
    context.log.info(_summary_line(result, names))
    yield from _materializations(request, result, names,
                                 _rejected_sample(context, database, result))


def _log_cleared(context, cleared: RowsCleared) -> None:
    """The forced sync's first work, in the run's log (a warning where it touched more
    than the provider's rows, or where the tags asked for a clearing nobody decided)."""
    warn = cleared.whole_table or cleared.not_decided or cleared.superseded
    (context.log.warning if warn else context.log.info)(f"forced sync: {cleared.describe()}")


def _nothing_to_finalize(request: FinalizeRequest, note: str):
    """The three tables' materializations of a partition without an active provider: it
    holds no device of that carrier, and nothing was written."""
    for table in DEVICE_TABLES:
        yield dg.MaterializeResult(asset_key=table, metadata={
            "nothing_to_finalize": dg.MetadataValue.text(note), "dagster/row_count": 0},
            tags={PROVIDERS_TAG: "none", TRIGGER_TAG: request.trigger})


def _names(context, database: DatabaseResource, tenant_key: str, providers) -> PartitionNames:
    """The names shown beside the ids. Read after the commit; the `Tenant` table is a guess
    at the platform's schema (README), so a failed read shows ids alone instead of failing a
    finalized partition over a label."""
    try:
        return in_transaction(database.get_engine(),
                              lambda conn: partition_names(conn, tenant_key, providers))
    except SQLAlchemyError as error:
        context.log.warning(f"tenant and provider names not read ({type(error).__name__}); "
                            "the metadata shows their ids")
        return PartitionNames(f"tenant {tenant_key}", {})


def _rejected_sample(context, database: DatabaseResource, result: FinalizeResult):
    """The first rejected rows of this sync (set-based engine: the procedures record none),
    read after the commit; a failed read leaves the sample out rather than failing a
    finalized partition over its metadata."""
    if result.common is None or not result.rejected:
        return []
    try:
        return in_transaction(database.get_engine(), lambda conn: rejected_rows(
            conn, result.sync_id, limit=REJECTED_SAMPLE))
    except SQLAlchemyError as error:
        context.log.warning(f"rejected rows not read ({type(error).__name__}): "
                            f"`cleanup-assets rejected --sync {result.sync_id}` lists them")
        return []


def _summary_line(result: FinalizeResult, names: PartitionNames) -> str:
    where = f"{result.integration_key}|{result.tenant_key} ({names.tenant})"
    providers = names.listing(result.service_provider_ids)
    if result.procedures is not None:
        return (f"{where} providers {providers}: {len(result.procedures.calls)} legacy "
                f"procedures, new plans {len(result.new_plans)}")
    c = result.common.devices
    return (f"{where} providers {providers}: read {result.rows_read}, "
            f"rejected {result.rejected}, inserted {c.inserted}, updated {c.updated}, "
            f"unchanged {c.unchanged}, deactivated {c.deactivated}, "
            f"new plans {len(result.new_plans)}")


def materialization_tags(request: FinalizeRequest, result: FinalizeResult) -> dict[str, str]:
    """Which providers a materialization finalized (several: their ids joined by '-', tag
    values allow no comma), and whether a notification or a rerun asked for it. Past
    Dagster's 63 characters (a rerun of a tenant with a dozen accounts of one carrier) the
    tag gives their number; `providers_this_run` lists them all."""
    ids = result.service_provider_ids
    listed = "-".join(map(str, ids))
    return {PROVIDERS_TAG: listed if len(listed) <= TAG_VALUE_MAX else f"{len(ids)}-providers",
            TRIGGER_TAG: request.trigger}


def _materializations(request: FinalizeRequest, result: FinalizeResult, names: PartitionNames,
                      rejected_sample=()):
    """Each table's materialization: what the partition holds after this run (every
    provider of it: `dagster/row_count`), and what this run did (its providers' counts)."""
    integration = get_integration(result.integration_key)
    text = dg.MetadataValue.text
    shared = {
        "tenant": text(f"{result.tenant_key} {names.tenant}"),
        "providers_this_run": text(names.listing(result.service_provider_ids)),
        "providers_in_partition": text(names.listing(result.partition_provider_ids)),
        "sync_id": text(str(result.sync_id)),
        "engine": text(result.engine),
    }
    tags = materialization_tags(request, result)
    carrier = {
        **shared,
        "table": text(integration.carrier.table
                      + (" (Jasper database)" if integration.database.value == "jasper" else "")),
    }
    if result.rows_cleared is not None:
        carrier["rows_to_process_cleared"] = text(result.rows_cleared.describe())
    if result.partition_carrier_live_devices is not None:  # the procedures report no counts
        carrier["dagster/row_count"] = result.partition_carrier_live_devices
    if result.procedures is not None:
        carrier["legacy_procedures"] = dg.MetadataValue.md("\n".join(
            f"- `{call.describe()}`" for call in result.procedures.calls)
            + "".join(f"\n- skipped: {why}" for why in result.procedures.skipped))
    if result.staging is not None:
        s = result.staging
        carrier.update({"staging_rows": s.rows, "inserted": s.inserted, "updated": s.updated,
                        "unchanged": s.unchanged, "deactivated": s.deactivated})
    if result.common is not None:
        carrier.update({"rows_checked": result.rows_read, "rejected": result.rejected,
                        "reject_reasons": dg.MetadataValue.md(_reasons_table(result.reasons)),
                        "rejected_rows": dg.MetadataValue.md(
                            _rejected_table(rejected_sample, result.rejected, result.sync_id))})
    if result.deactivation_skipped:
        carrier["deactivation_skipped"] = dg.MetadataValue.md("\n".join(
            f"- provider {names.provider(p)}: {why}"
            for p, why in sorted(result.deactivation_skipped.items())))
    yield dg.MaterializeResult(asset_key=CARRIER_DEVICES, metadata=carrier, tags=tags)
    common = {**shared, "dagster/row_count": result.partition_common_live_devices,
              "live_devices_this_run": result.common_live_devices,
              "table": text("Device + Device_Tenant" if integration.has_communication_plans
                            else "MobilityDevice")}
    if result.common is not None:
        d = result.common.devices
        common.update({"inserted": d.inserted, "updated": d.updated, "unchanged": d.unchanged,
                       "deactivated": d.deactivated,
                       "tenant_links_inserted": result.common.tenant_links_inserted})
    if result.shadow is not None:
        common.update(shadow_metadata(result.shadow))
    yield dg.MaterializeResult(asset_key=COMMON_DEVICES, metadata=common, tags=tags)
    plans = {**shared, "dagster/row_count": result.partition_plans,
             "new_plans": len(result.new_plans),
             "new_plan_names": text(", ".join(name for _, name in result.new_plans) or "none")}
    if not integration.has_communication_plans:
        plans["note"] = text("Mobility carriers have no communication plans")
    yield dg.MaterializeResult(asset_key=COMMUNICATION_PLANS, metadata=plans, tags=tags)


def shadow_metadata(outcome) -> dict:
    """The shadow pass's summary (sql/shadow.py): its verdict in one line, and the counts
    per table, column and kind (every difference, recorded or not)."""
    lines = ["| table | column | kind | differences |", "|---|---|---|---:|"]
    lines += [f"| {table} | {column or ''} | {kind} | {n} |"
              for table, column, kind, n in outcome.counts]
    return {
        "shadow": dg.MetadataValue.text(outcome.reason()),
        "shadow_status": dg.MetadataValue.text(outcome.status),
        "shadow_devices_differing": outcome.devices,
        "shadow_differences": dg.MetadataValue.md(
            "\n".join(lines) if outcome.counts else "None."),
        "shadow_not_recorded": outcome.not_recorded,
        "shadow_seconds": round(outcome.duration_ms / 1000, 3),
    }


def _reasons_table(reasons: dict[str, int]) -> str:
    if not reasons:
        return "No rejected rows."
    lines = ["| reason | rows |", "|---|---:|"]
    lines += [f"| {reason} | {count} |" for reason, count in sorted(reasons.items())]
    return "\n".join(lines)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _cell(value) -> str:
    """A value as a markdown table cell: control characters shown escaped (a key is often
    rejected for holding one), pipes and backticks escaped."""
    text = "" if value is None else str(value)
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return text.replace("|", "\\|").replace("`", "\\`")


def _rejected_table(sample, total: int, sync_id: int) -> str:
    """The first rejected rows with their reasons, and where the rest are."""
    if not total:
        return "No rejected rows."
    lines = ["| provider | table | key | reason |", "|---:|---|---|---|"]
    lines += [f"| {r.ServiceProviderId} | {_cell(r.SourceTable)} | {_cell(r.DeviceKey)} | "
              f"{_cell(r.Reason)} |" for r in sample]
    shown = f"The first {len(sample)} of {total}" if len(sample) < total else f"All {total}"
    return "\n".join(lines) + (f"\n\n{shown} rejected rows. The full list: "
                               f"cleanup-assets rejected --sync {sync_id}")
