"""Device finalization as partitioned assets: validated staging → carrier devices → common
devices → communication plans.

The four are one multi-asset because they are written in one database transaction: a
failure anywhere leaves every table of the partition exactly as it was. The lineage still
shows each table on its own.
"""


from typing import Optional

import dagster as dg

from ...registry import SyncMode, get_integration
from ...sql.finalize import FinalizeError, FinalizeRequest, FinalizeResult, finalize_partition
from ..optimization.checks import CHECK_SPECS, gate_results
from ..partitions import device_sync_partitions, split_partition_key
from ..resources import DatabaseResource

GROUP = "device_sync"

carrier_staging = dg.AssetSpec(
    "carrier_staging",
    group_name=GROUP,
    partitions_def=device_sync_partitions,
    kinds={"sql"},
    description=(
        "The carrier's staging tables (`JasperDeviceStaging`, `ThingSpaceDeviceStaging`, …), "
        "filled by the device-sync Lambdas. External: not materialized here."
    ),
)

validated_staging = dg.AssetSpec(
    "validated_staging",
    group_name=GROUP,
    deps=[carrier_staging],
    kinds={"sql"},
    description=(
        "This sync's staging rows, normalized and checked (`CleanupStagedDevice`). Malformed "
        "rows — missing or non-digit ICCID, wrong length, duplicates within the sync, overlong "
        "values, unparseable dates — go to `CleanupStagingReject` with their reason. "
        "staged = accepted + rejected, always."
    ),
)
carrier_devices = dg.AssetSpec(
    "carrier_devices",
    group_name=GROUP,
    deps=[validated_staging],
    kinds={"sql"},
    description=(
        "The carrier device table (`JasperDevice`, `ThingSpaceDevice`, …): new devices "
        "inserted, changed ones updated. Where the carrier sends its whole device list, devices "
        "absent from a complete sync are soft-deleted (IsActive 0, IsDeleted 1); the Jasper "
        "family syncs only changed devices, so there an absent device is simply unchanged."
    ),
)
common_devices = dg.AssetSpec(
    "common_devices",
    group_name=GROUP,
    deps=[carrier_devices],
    kinds={"sql"},
    description=(
        "The tables downstream steps read: `Device` and `Device_Tenant` for M2M carriers, "
        "`MobilityDevice` for Mobility carriers, mirrored from the carrier table."
    ),
)
communication_plans = dg.AssetSpec(
    "communication_plans",
    group_name=GROUP,
    deps=[common_devices],
    kinds={"sql"},
    description=(
        "`JasperCommunicationPlan`: every communication plan used by the providers' devices "
        "and missing from the table, added in one statement (CreatedBy `JasperDeviceSync`). "
        "New plans need a rate-plan association before those devices can be optimized."
    ),
)
DEVICE_TABLE_SPECS = [validated_staging, carrier_devices, common_devices, communication_plans]


class FinalizeConfig(dg.Config):
    """What the sync notification said. Empty for a rerun or backfill: then every active
    provider of the partition is finalized from the current staging, without optimization."""

    service_provider_id: Optional[int] = None
    should_queue_carrier_optimization: bool = False
    optimization_session_id: int = 0
    forced: bool = False  # the wait gave up before the carrier's rows were processed
    # Compare every staged row with the carrier table instead of only the rows that changed
    # since the last sync: repairs carrier rows someone else wrote to.
    reconcile: bool = False
    # The optimization gate (checks on common_devices).
    max_active_device_drop_share: float = 0.10
    max_rejected_share: float = 0.05


@dg.multi_asset(
    name="finalize_device_tables",
    specs=[spec.replace_attributes(partitions_def=device_sync_partitions)
           for spec in DEVICE_TABLE_SPECS],
    check_specs=CHECK_SPECS,
    can_subset=False,
)
def finalize_device_tables(
    context: dg.AssetExecutionContext, config: FinalizeConfig, database: DatabaseResource
):
    """Finalize one (integration, tenant) partition in one transaction."""
    integration_key, tenant_key = split_partition_key(context.partition_key)
    integration = get_integration(integration_key)
    if config.service_provider_id is None and config.should_queue_carrier_optimization:
        raise dg.Failure(
            "a run without a sync notification (no service_provider_id) never asks for "
            "optimization; set service_provider_id or drop should_queue_carrier_optimization"
        )
    request = FinalizeRequest(
        integration=integration,
        tenant_key=tenant_key,
        service_provider_id=config.service_provider_id,
        forced=config.forced,
        run_id=context.run.run_id,
        reconcile=config.reconcile,
        use_legacy_procedures=database.use_legacy_procedures,
    )
    try:
        result = finalize_partition(
            database.get_engine(),
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
    yield from gate_results(result, integration, config)


def _summary_line(result: FinalizeResult) -> str:
    if not result.service_provider_ids:
        return f"{result.integration_key}|{result.tenant_key}: no active service provider, nothing to do"
    v, c = result.validation, result.carrier
    return (
        f"{result.integration_key}|{result.tenant_key} providers {result.service_provider_ids}: "
        f"staged {v.staged}, rejected {v.rejected}, inserted {c.inserted}, updated {c.updated}, "
        f"unchanged {c.unchanged}, deactivated {c.deactivated}, new plans {len(result.new_plans)}"
    )


def _materializations(result: FinalizeResult):
    integration = get_integration(result.integration_key)
    shared = {
        "service_provider_ids": dg.MetadataValue.json(result.service_provider_ids),
        "sync_id": result.sync_id if result.sync_id is not None else dg.MetadataValue.null(),
        "mode": result.mode,
    }
    if not result.service_provider_ids:
        shared["note"] = "no active service provider of this integration for this tenant"
    v = result.validation
    yield dg.MaterializeResult(
        asset_key=validated_staging.key,
        metadata={
            **shared,
            "dagster/row_count": v.accepted,
            "staged": v.staged,
            "accepted": v.accepted,
            "rejected": v.rejected,
            "validated_rows": v.differing,  # the rest were unchanged since the last sync
            "reject_reasons": dg.MetadataValue.md(_reasons_table(v.reasons)),
        },
    )
    merged = result.mode == "set_based"
    counts = result.carrier
    yield dg.MaterializeResult(
        asset_key=carrier_devices.key,
        metadata={
            **shared,
            "dagster/row_count": result.carrier_live_devices,
            "table": integration.carrier_table,
            "sync_mode": integration.sync_mode.value
            + ("" if integration.sync_mode_known else " (assumed: not known from the legacy)"),
            **(
                {
                    "inserted": counts.inserted,
                    "updated": counts.updated,
                    "unchanged": counts.unchanged,
                    "deactivated": counts.deactivated,
                    "rejected": v.rejected,
                }
                if merged
                else {"legacy_procedures": dg.MetadataValue.json(result.legacy_statements)}
            ),
            **(
                {"deactivation_skipped": dg.MetadataValue.json(
                    {str(k): r for k, r in result.deactivation_skipped.items()})}
                if integration.sync_mode is SyncMode.FULL and result.deactivation_skipped
                else {}
            ),
        },
    )
    common = result.common
    yield dg.MaterializeResult(
        asset_key=common_devices.key,
        metadata={
            **shared,
            "dagster/row_count": result.common_live_devices,
            "table": "Device + Device_Tenant" if integration.has_communication_plans
            else "MobilityDevice",
            **(
                {
                    "inserted": common.devices.inserted,
                    "updated": common.devices.updated,
                    "unchanged": common.devices.unchanged,
                    "deactivated": common.devices.deactivated,
                    "tenant_links_inserted": common.tenant_links_inserted,
                    "tenant_links_updated": common.tenant_links_updated,
                }
                if merged
                else {}
            ),
        },
    )
    yield dg.MaterializeResult(
        asset_key=communication_plans.key,
        metadata={
            **shared,
            "dagster/row_count": result.plans_total,
            "new_plans": len(result.new_plans),
            "new_plan_names": dg.MetadataValue.json(
                [{"service_provider_id": sp, "plan": name} for sp, name in result.new_plans]
            ),
            **(
                {}
                if integration.has_communication_plans
                else {"note": "Mobility carriers have no communication plans"}
            ),
        },
    )


def _reasons_table(reasons: dict[str, int]) -> str:
    if not reasons:
        return "No rejected rows."
    lines = ["| reason | rows |", "|---|---:|"]
    lines += [f"| {reason} | {count} |" for reason, count in sorted(reasons.items())]
    return "\n".join(lines)
