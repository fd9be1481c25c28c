"""The optimization gate: asset checks on ``common_devices`` (the table optimization reads).

The three blocking checks fail with ERROR severity — stopping the run before the
optimization-queue op — only when the run asked for optimization (Jasper family, a
notified provider). Otherwise they still report, as WARN, and block nothing.
"""

import dagster as dg

from ...registry import Integration
from ...sql.finalize import FinalizeResult

GATED_ASSET = dg.AssetKey("common_devices")

CHECK_SPECS = [
    dg.AssetCheckSpec(
        "sync_is_complete", asset=GATED_ASSET, blocking=True,
        description="The carrier finished processing before the sync was finalized: it was not "
                    "forced after the wait for rows to process gave up.",
    ),
    dg.AssetCheckSpec(
        "active_device_count_is_stable", asset=GATED_ASSET, blocking=True,
        description="The providers' active devices did not drop by more than "
                    "`max_active_device_drop_share` since the previous materialization: a "
                    "truncated device list must not be optimized.",
    ),
    dg.AssetCheckSpec(
        "billing_period_exists", asset=GATED_ASSET, blocking=True,
        description="The service provider has a billing period for this month, else next month: "
                    "the optimization message names it.",
    ),
    dg.AssetCheckSpec(
        "communication_plans_have_rate_plans", asset=GATED_ASSET,
        description="Every communication plan in use is associated to a rate plan; devices on "
                    "the others are left out of optimization.",
    ),
    dg.AssetCheckSpec(
        "rejected_rows_within_threshold", asset=GATED_ASSET,
        description="Rows the checks rejected are at most `max_rejected_share` of the rows read.",
    ),
]


def gating(integration: Integration, service_provider_id, should_queue: bool) -> bool:
    """Whether this run hands over to optimization, so the gate must hold."""
    return bool(should_queue and integration.optimization and service_provider_id is not None)


def gate_results(result: FinalizeResult, integration: Integration, config) -> list:
    gate = result.gate
    gates = gating(integration, config.service_provider_id,
                   config.should_queue_carrier_optimization)
    blocking = dg.AssetCheckSeverity.ERROR if gates else dg.AssetCheckSeverity.WARN
    why = {"gates_optimization": gates}

    def result_for(name, passed, severity, **metadata):
        return dg.AssetCheckResult(asset_key=GATED_ASSET, check_name=name, passed=bool(passed),
                                   severity=severity, metadata={**why, **metadata})

    drop = gate.active_before - gate.active_after
    share = drop / gate.active_before if gate.active_before else 0.0
    if integration.optimization:
        wanted = ([config.service_provider_id] if config.service_provider_id is not None
                  else result.service_provider_ids)
        missing = [p for p in wanted if gate.billing_periods.get(p) is None]
        periods = {str(p): (f"{b.year}/{b.month} (id {b.id})" if b else None)
                   for p, b in gate.billing_periods.items()}
        billing = result_for("billing_period_exists", not missing, blocking,
                             providers_without_billing_period=dg.MetadataValue.json(missing),
                             billing_periods=dg.MetadataValue.json(periods))
    else:
        billing = result_for("billing_period_exists", True, blocking,
                             reason=f"not applicable: {integration.legacy_name} is not optimized")
    read = result.rows_read
    rejected_share = result.rejected / read if read else 0.0
    return [
        result_for("sync_is_complete", not config.forced, blocking, forced=config.forced,
                   reason="forced: the wait for rows to process gave up" if config.forced
                   else "the carrier's rows to process were all processed"),
        result_for("active_device_count_is_stable", share <= config.max_active_device_drop_share,
                   blocking, active_before=gate.active_before, active_after=gate.active_after,
                   drop_share=round(share, 4),
                   max_drop_share=config.max_active_device_drop_share),
        billing,
        result_for("communication_plans_have_rate_plans",
                   gate.devices_on_plans_without_rate_plan == 0, dg.AssetCheckSeverity.WARN,
                   devices_on_plans_without_rate_plan=gate.devices_on_plans_without_rate_plan,
                   plans_without_rate_plan=dg.MetadataValue.json(gate.plans_without_rate_plan)),
        result_for("rejected_rows_within_threshold", rejected_share <= config.max_rejected_share,
                   dg.AssetCheckSeverity.WARN, rejected=result.rejected,
                   rows_checked=read, rejected_share=round(rejected_share, 4),
                   max_rejected_share=config.max_rejected_share),
    ]
