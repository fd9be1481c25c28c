"""The optimization gate: asset checks on ``common_devices`` (the table optimization reads),
evaluated by a step of their own, ``judge_optimization_gate``.

Why a step of their own: Dagster gates, on a failed blocking check, the steps that take the
checked asset as a direct input (and, within one multi-asset step, everything after the
check). Only ``optimization_handover`` takes ``common_devices`` directly; the reports
(``device_sync_summary``, ``device_history``) and the AMOP 2.0 daily-sync notification
depend on ``communication_plans`` alone. So a failed gate stops the handover and nothing
else: every finalized sync is reported (issue 11, point 5).

The three blocking checks fail with ERROR severity only when the run asked for
optimization (Jasper family, a notified provider); otherwise they still report, as WARN, and
block nothing. Their facts come from the sync's ledger row (device counts before and after,
forced, rows read and rejected — written by the finalization in its transaction) and from
two reads made here: the billing period and the plans without rate plans.
"""

import dagster as dg
from pydantic import Field

from ...db import in_transaction, utcnow
from ...registry import Integration, get_integration
from ...sql.finalize import Engine
from ...sql.gate import find_billing_period, plans_without_rate_plan
from ..notified import NotifiedSync, notified_sync
from ..partitions import split_partition_key
from ..resources import DatabaseResource
from .assets import this_sync

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
                    "`max_active_device_drop_share` during this sync: a truncated device list "
                    "must not be optimized.",
    ),
    dg.AssetCheckSpec(
        "billing_period_exists", asset=GATED_ASSET, blocking=True,
        description="The service provider has a billing period for this month, else next month: "
                    "the optimization message names it.",
    ),
    dg.AssetCheckSpec(
        "communication_plans_have_rate_plans", asset=GATED_ASSET,
        description="Every communication plan in use is associated to a rate plan "
                    "(`vwJasperCommPlan_RatePlan`, what optimization reads); devices on the "
                    "others are left out of optimization.",
    ),
    dg.AssetCheckSpec(
        "rejected_rows_within_threshold", asset=GATED_ASSET,
        description="Rows the checks rejected are at most `max_rejected_share` of the rows read.",
    ),
]


class GateConfig(dg.Config):
    """The gate's thresholds (a run's launchpad may change them)."""

    max_active_device_drop_share: float = Field(
        default=0.10, description="Largest share of the providers' active devices a sync may "
        "lose before the handover is refused (a truncated device list).")
    max_rejected_share: float = Field(
        default=0.05, description="Largest share of rejected rows before the warning check "
        "rejected_rows_within_threshold fails.")


def _facts(conn, integration: Integration, sync, today):
    """What the checks judge, for the finalized ledger row ``sync``."""
    providers = [int(p) for p in sync.ServiceProviderIds.split(",") if p]
    periods: dict = {}
    if integration.optimization:
        use_procedure = Engine(sync.Engine).reads_by_procedure(conn.dialect.name)
        periods = {p: find_billing_period(conn, p, today, use_procedure=use_procedure)
                   for p in providers}
    unlinked_devices, unlinked_plans = (plans_without_rate_plan(conn, providers)
                                        if integration.has_communication_plans else (0, []))
    return providers, periods, unlinked_devices, unlinked_plans


def gate_results(integration: Integration, notified: NotifiedSync, config: GateConfig, sync,
                 facts) -> list:
    gates = notified.asks_optimization(integration)
    blocking = dg.AssetCheckSeverity.ERROR if gates else dg.AssetCheckSeverity.WARN
    why = {"gates_optimization": gates, "sync_id": sync.id}

    def result_for(name, passed, severity, **metadata):
        return dg.AssetCheckResult(asset_key=GATED_ASSET, check_name=name, passed=bool(passed),
                                   severity=severity, metadata={**why, **metadata})

    providers, periods, unlinked_devices, unlinked_plans = facts
    before, after = sync.ActiveDevicesBefore or 0, sync.ActiveDevicesAfter or 0
    share = (before - after) / before if before else 0.0
    if integration.optimization:
        wanted = ([notified.service_provider_id] if notified.is_notified else providers)
        missing = [p for p in wanted if periods.get(p) is None]
        shown = {str(p): (f"{b.year}/{b.month} (id {b.id})" if b else None)
                 for p, b in periods.items()}
        billing = result_for("billing_period_exists", not missing, blocking,
                             providers_without_billing_period=dg.MetadataValue.json(missing),
                             billing_periods=dg.MetadataValue.json(shown))
    else:
        billing = result_for("billing_period_exists", True, blocking,
                             reason=f"not applicable: {integration.legacy_name} is not optimized")
    read, rejected = sync.CarrierRows or 0, sync.Rejected or 0
    rejected_share = rejected / read if read else 0.0
    return [
        result_for("sync_is_complete", not sync.Forced, blocking, forced=bool(sync.Forced),
                   reason="forced: the wait for rows to process gave up" if sync.Forced
                   else "the carrier's rows to process were all processed"),
        result_for("active_device_count_is_stable", share <= config.max_active_device_drop_share,
                   blocking, active_before=before, active_after=after,
                   drop_share=round(share, 4),
                   max_drop_share=config.max_active_device_drop_share),
        billing,
        result_for("communication_plans_have_rate_plans", unlinked_devices == 0,
                   dg.AssetCheckSeverity.WARN,
                   devices_on_plans_without_rate_plan=unlinked_devices,
                   plans_without_rate_plan=dg.MetadataValue.json(unlinked_plans)),
        result_for("rejected_rows_within_threshold", rejected_share <= config.max_rejected_share,
                   dg.AssetCheckSeverity.WARN, rejected=rejected, rows_checked=read,
                   rejected_share=round(rejected_share, 4),
                   max_rejected_share=config.max_rejected_share),
    ]


@dg.multi_asset_check(name="judge_optimization_gate", specs=CHECK_SPECS)
def judge_optimization_gate(context: dg.AssetCheckExecutionContext, config: GateConfig,
                            database: DatabaseResource):
    """Judge the finalized sync for the optimization handover (and only for it)."""
    op_context = context.op_execution_context
    integration_key, tenant_key = split_partition_key(op_context.partition_key)
    integration = get_integration(integration_key)
    engine = database.get_engine()
    sync = this_sync(op_context, engine, integration_key, tenant_key)
    if sync is None:  # no active provider: nothing was finalized, nothing to hand over
        for spec in CHECK_SPECS:
            yield dg.AssetCheckResult(asset_key=GATED_ASSET, check_name=spec.name, passed=True,
                                      metadata={"reason": "no active service provider: nothing "
                                                "was synced"})
        return
    facts = in_transaction(engine, lambda conn: _facts(conn, integration, sync, utcnow().date()))
    yield from gate_results(integration, notified_sync(op_context.run), config, sync, facts)
