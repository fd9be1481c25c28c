"""Device finalization as partitioned assets: carrier devices → common devices →
communication plans.

The three are one multi-asset because one step writes them: on PostgreSQL and SQLite in one
database transaction (a failure anywhere leaves every table of the partition as it was), on
SQL Server through the legacy procedures in the legacy order. The lineage still shows each
table on its own.
"""

import dagster as dg

from ...db import in_transaction
from ...registry import get_integration
from ...reporting import sync_for_run
from ...sql.finalize import FinalizeError, FinalizeRequest, FinalizeResult, finalize_partition
from ..notified import InvalidRunTags, notified_sync
from ..partitions import device_sync_partitions, split_partition_key
from ..resources import DatabaseResource

GROUP = "device_sync"

carrier_staging = dg.AssetSpec(
    "carrier_staging",
    group_name=GROUP,
    partitions_def=device_sync_partitions,
    kinds={"sql"},
    description=(
        "The carrier's staging tables (`JasperDeviceStaging`, `TealDeviceStaging`, "
        "`TelegenceDeviceStaging`, …), filled by the device-sync step before us. External: not "
        "materialized here."
    ),
)
carrier_devices = dg.AssetSpec(
    "carrier_devices",
    group_name=GROUP,
    deps=[carrier_staging],
    kinds={"sql"},
    description=(
        "The carrier device table (`JasperDevice` in the Jasper database, `TealDevice`, "
        "`PondDevice`, `TelegenceDevice`, …) as the device-sync step leaves it — for Telegence "
        "this step merges the staging into it, as the legacy does. Every row is checked: a "
        "row with a malformed key, a value the common table cannot hold, a control character "
        "or a device named twice is not mirrored and goes to `CleanupRejectedRow` with its "
        "reason; its device keeps its last state."
    ),
)
common_devices = dg.AssetSpec(
    "common_devices",
    group_name=GROUP,
    deps=[carrier_devices],
    kinds={"sql"},
    description=(
        "The tables optimization and billing read: `Device` and `Device_Tenant` for M2M "
        "carriers, `MobilityDevice` for Mobility carriers. On SQL Server the legacy procedures "
        "write them (`usp_<Carrier>_DeviceSync`, then `usp_DeviceSync_Common` / "
        "`usp_MobilityDeviceSync_Common`); elsewhere our SQL mirrors the carrier table: every "
        "row compared every sync (drift is repaired), devices the carrier no longer lists "
        "soft-deleted after a complete sync."
    ),
)
communication_plans = dg.AssetSpec(
    "communication_plans",
    group_name=GROUP,
    deps=[common_devices],
    kinds={"sql"},
    description=(
        "`JasperCommunicationPlan`: every communication plan the providers' devices use whose "
        "name the table lacks (matched by name, as the legacy does) is added (CreatedBy "
        "`JasperDeviceSync`). New plans need rate plans (`vwJasperCommPlan_RatePlan`) before "
        "those devices can be optimized."
    ),
)
DEVICE_TABLE_SPECS = [carrier_devices, common_devices, communication_plans]


@dg.multi_asset(
    name="finalize_device_tables",
    specs=[spec.replace_attributes(partitions_def=device_sync_partitions)
           for spec in DEVICE_TABLE_SPECS],
    can_subset=False,
)
def finalize_device_tables(context: dg.AssetExecutionContext, database: DatabaseResource):
    """Finalize one (integration, tenant) partition in one transaction: the notified
    provider (the run's tags, set by the sync sensor), else every active provider."""
    integration_key, tenant_key = split_partition_key(context.partition_key)
    integration = get_integration(integration_key)
    try:
        notified = notified_sync(context.run)
    except InvalidRunTags as error:
        raise dg.Failure(description=str(error)) from None
    request = FinalizeRequest(
        integration=integration,
        tenant_key=tenant_key,
        service_provider_id=notified.service_provider_id,
        forced=notified.forced,
        run_id=context.run.run_id,
        engine=database.engine_kind(),
    )
    try:
        result = finalize_partition(
            database.get_databases(),
            request,
            retry=database.retry_policy,
            on_retry=lambda attempt, error: context.log.warning(
                f"transient database error on try {attempt} ({type(error.orig).__name__}); "
                "the partition's transaction was rolled back and is retried"
            ),
        )
    except FinalizeError as error:
        raise dg.Failure(description=str(error)) from error
    context.log.info(_summary_line(result))
    yield from _materializations(result)


def this_sync(context, engine, integration_key: str, tenant_key: str):
    """The finalized ledger row this run wrote for the partition — or, for a re-execution of
    later steps only, the row of the run it re-executes."""
    run = context.run
    run_ids = [run.run_id, run.parent_run_id, run.tags.get("dagster/root_run_id")]
    return in_transaction(engine, lambda c: sync_for_run(c, integration_key, tenant_key, run_ids))


def _summary_line(result: FinalizeResult) -> str:
    where = f"{result.integration_key}|{result.tenant_key}"
    if not result.service_provider_ids:
        return f"{where}: no active service provider, nothing to do"
    if result.procedures is not None:
        return (f"{where} providers {result.service_provider_ids}: "
                f"{len(result.procedures.calls)} legacy procedures, "
                f"new plans {len(result.new_plans)}")
    c = result.common.devices
    return (f"{where} providers {result.service_provider_ids}: read {result.rows_read}, "
            f"rejected {result.rejected}, inserted {c.inserted}, updated {c.updated}, "
            f"unchanged {c.unchanged}, deactivated {c.deactivated}, "
            f"new plans {len(result.new_plans)}")


def _materializations(result: FinalizeResult):
    integration = get_integration(result.integration_key)
    shared = {
        "service_provider_ids": ", ".join(map(str, result.service_provider_ids)) or "none",
        "sync_id": dg.MetadataValue.text(str(result.sync_id)) if result.sync_id is not None
        else dg.MetadataValue.null(),
        "engine": result.engine,
    }
    if not result.service_provider_ids:
        shared["note"] = "no active service provider of this integration for this tenant"
    carrier = {
        **shared,
        "dagster/row_count": result.carrier_live_devices,
        "table": integration.carrier.table
        + (" (Jasper database)" if integration.database.value == "jasper" else ""),
    }
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
                        "reject_reasons": dg.MetadataValue.md(_reasons_table(result.reasons))})
    if result.deactivation_skipped:
        carrier["deactivation_skipped"] = dg.MetadataValue.md("\n".join(
            f"- provider {p}: {why}" for p, why in sorted(result.deactivation_skipped.items())))
    yield dg.MaterializeResult(asset_key=carrier_devices.key, metadata=carrier)
    common = {**shared, "dagster/row_count": result.common_live_devices,
              "table": "Device + Device_Tenant" if integration.has_communication_plans
              else "MobilityDevice"}
    if result.common is not None:
        d = result.common.devices
        common.update({"inserted": d.inserted, "updated": d.updated, "unchanged": d.unchanged,
                       "deactivated": d.deactivated,
                       "tenant_links_inserted": result.common.tenant_links_inserted})
    yield dg.MaterializeResult(asset_key=common_devices.key, metadata=common)
    plans = {**shared, "dagster/row_count": result.plans_total,
             "new_plans": len(result.new_plans),
             "new_plan_names": ", ".join(name for _, name in result.new_plans) or "none"}
    if not integration.has_communication_plans:
        plans["note"] = "Mobility carriers have no communication plans"
    yield dg.MaterializeResult(asset_key=communication_plans.key, metadata=plans)


def _reasons_table(reasons: dict[str, int]) -> str:
    if not reasons:
        return "No rejected rows."
    lines = ["| reason | rows |", "|---|---:|"]
    lines += [f"| {reason} | {count} |" for reason, count in sorted(reasons.items())]
    return "\n".join(lines)
