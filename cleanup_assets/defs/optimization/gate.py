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

import warnings

import dagster as dg
from pydantic import Field

from ...db import in_transaction, utcnow
from ...registry import Integration
from ...sql.finalize import FinalizeEngine
from ...sql.gate_facts import find_billing_period, plans_without_rate_plan
from ...sql.ledger import providers_of, record_gate_verdict
from ..decision import Decision
from ..device_sync.assets import COMMON_DEVICES
from ..partitions import device_sync_partitions
from ..resources import DatabaseResource
from ..run_tags import NotifiedSync
from ..sync_of_run import SyncOfRun

GATED_ASSET = COMMON_DEVICES

# Partitioned like the asset they check: each (integration, tenant) has its own result, and
# one partition's failure never colours another's. Preview in Dagster 1.13, chosen knowingly
# (the UI needs it): its warning is not repeated by every process that loads the location.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", dg.PreviewWarning)
    CHECK_SPECS = [
        dg.AssetCheckSpec(
            "sync_is_complete", asset=GATED_ASSET, blocking=True,
            partitions_def=device_sync_partitions,
            description="The carrier finished processing before the sync was finalized: it was not "
                        "forced after the wait for rows to process gave up.",
        ),
        dg.AssetCheckSpec(
            "active_device_count_is_stable", asset=GATED_ASSET, blocking=True,
            partitions_def=device_sync_partitions,
            description="The providers' active devices did not drop by more than "
                        "max_active_device_drop_share during this sync: a truncated device list "
                        "must not be optimized.",
        ),
        dg.AssetCheckSpec(
            "billing_period_exists", asset=GATED_ASSET, blocking=True,
            partitions_def=device_sync_partitions,
            description="The service provider has a billing period for this month, else next "
                        "month: the optimization message names it.",
        ),
        dg.AssetCheckSpec(
            "communication_plans_have_rate_plans", asset=GATED_ASSET,
            partitions_def=device_sync_partitions,
            description="Every communication plan in use is associated to a rate plan "
                        "(vwJasperCommPlan_RatePlan, what optimization reads); devices on the "
                        "others are left out of optimization.",
        ),
        dg.AssetCheckSpec(
            "rejected_rows_within_threshold", asset=GATED_ASSET,
            partitions_def=device_sync_partitions,
            description="Rows the checks rejected are at most max_rejected_share of the rows "
                        "read.",
        ),
    ]
BLOCKING_CHECKS = {spec.name for spec in CHECK_SPECS if spec.blocking}


class GateConfig(dg.Config):
    """The gate's thresholds (a run's launchpad may change them)."""

    max_active_device_drop_share: float = Field(
        default=0.10, description="Largest share of the providers' active devices a sync may "
        "lose before the handover is refused (a truncated device list).")
    max_rejected_share: float = Field(
        default=0.05, description="Largest share of rejected rows before the warning check "
        "rejected_rows_within_threshold fails.")


def gate_facts(conn, integration: Integration, sync, today):
    """What the checks judge, for the finalized ledger row ``sync``."""
    providers = providers_of(sync)
    periods: dict = {}
    if integration.optimization:
        use_procedure = FinalizeEngine(sync.Engine).reads_by_procedure(conn.dialect.name)
        periods = {p: find_billing_period(conn, p, today, use_procedure=use_procedure)
                   for p in providers}
    unlinked_devices, unlinked_plans = (plans_without_rate_plan(conn, providers)
                                        if integration.has_communication_plans else (0, []))
    return providers, periods, unlinked_devices, unlinked_plans


def _percent(share: float) -> str:
    return f"{share * 100:.1f} %"


def _listed(names, most: int = 5) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def gate_results(integration: Integration, notified: NotifiedSync, config: GateConfig, sync,
                 facts) -> list:
    """The five results, each with a one-line description of why (what the UI lists per
    partition, and what a blocked run and the stop email say)."""
    gates = notified.asks_optimization(integration)
    blocking = dg.AssetCheckSeverity.ERROR if gates else dg.AssetCheckSeverity.WARN
    providers, periods, unlinked_devices, unlinked_plans = facts
    why = {"gates_optimization": gates, "sync_id": str(sync.id),
           "service_provider_ids": ", ".join(map(str, providers))}

    def result_for(name, passed, severity, description, **metadata):
        if not passed and name in BLOCKING_CHECKS and not gates:
            description += " (reported only: this run does not hand over to optimization)"
        # Every value as text: the UI plots a check's numbers over its executions, whatever
        # their partition; the numbers are read per partition here and in the description.
        shown = {k: v if isinstance(v, (dg.MetadataValue, bool)) else dg.MetadataValue.text(
            str(v)) for k, v in {**why, **metadata}.items()}
        return dg.AssetCheckResult(asset_key=GATED_ASSET, check_name=name, passed=bool(passed),
                                   severity=severity, description=description, metadata=shown)

    before, after = sync.ActiveDevicesBefore or 0, sync.ActiveDevicesAfter or 0
    share = (before - after) / before if before else 0.0
    stable = share <= config.max_active_device_drop_share
    change = (f"active devices {before} -> {after}"
              + (f" (a drop of {_percent(share)})" if share > 0 else ""))
    limit = f"{_percent(config.max_active_device_drop_share)} allowed"
    if integration.optimization:
        wanted = ([notified.service_provider_id] if notified.is_notified else providers)
        missing = [p for p in wanted if periods.get(p) is None]
        found = [f"{p}: {b.year}/{b.month}" for p, b in sorted(periods.items()) if b]
        shown = "; ".join(f"{p}: " + (f"{b.year}/{b.month} (id {b.id})" if b else "none")
                          for p, b in sorted(periods.items()))
        # The legacy logs "No Billing period found" and returns (F:485-497): nothing queued,
        # no stop path (F:223 counts it as sent), the session left active for good. Ours
        # blocks and stops the session, visibly; the way back is the operator's.
        session = notified.optimization_session_id if notified.is_notified else 0
        fix = (f"add a BillingPeriod for provider {_listed(list(map(str, missing)))} (this "
               "month or next), then `cleanup-assets resume-optimization "
               f"--service-provider-id {missing[0]} --session {session}`" if missing and session
               else "add the BillingPeriod; the next notified sync queues" if missing else "")
        billing = result_for(
            "billing_period_exists", not missing, blocking,
            f"no billing period this month or next for provider {_listed(list(map(str, missing)))}"
            if missing else f"billing period found (provider {'; '.join(found)})",
            providers_without_billing_period=dg.MetadataValue.text(
                ", ".join(map(str, missing)) or "none"),
            billing_periods=shown, **({"what_to_do": fix} if fix and gates else {}))
    else:
        billing = result_for("billing_period_exists", True, blocking,
                             f"not applicable: {integration.legacy_name} is not optimized")
    read, rejected = sync.CarrierRows or 0, sync.Rejected or 0
    rejected_share = rejected / read if read else 0.0
    if not integration.has_communication_plans:
        plans_why = f"not applicable: {integration.legacy_name} has no communication plans"
    elif unlinked_devices:
        plans_why = (f"{unlinked_devices} devices on {len(unlinked_plans)} plans without a "
                     f"rate plan: {_listed(unlinked_plans)}")
    else:
        plans_why = "every communication plan in use has a rate plan"
    return [
        result_for("sync_is_complete", not sync.Forced, blocking,
                   "forced: the wait for the carrier's rows to process gave up" if sync.Forced
                   else "the carrier's rows to process were all processed",
                   forced=bool(sync.Forced)),
        result_for("active_device_count_is_stable", stable, blocking,
                   f"{change}: {'within' if stable else 'more than'} the {limit}",
                   active_before=before, active_after=after, drop_share=round(share, 4),
                   max_drop_share=config.max_active_device_drop_share),
        billing,
        result_for("communication_plans_have_rate_plans", unlinked_devices == 0,
                   dg.AssetCheckSeverity.WARN, plans_why,
                   devices_on_plans_without_rate_plan=unlinked_devices,
                   plans_without_rate_plan=dg.MetadataValue.text(
                       ", ".join(unlinked_plans) or "none")),
        result_for("rejected_rows_within_threshold", rejected_share <= config.max_rejected_share,
                   dg.AssetCheckSeverity.WARN,
                   f"{rejected} of {read} rows rejected ({_percent(rejected_share)}): "
                   f"{'within' if rejected_share <= config.max_rejected_share else 'more than'}"
                   f" the {_percent(config.max_rejected_share)} allowed",
                   rejected=rejected, rows_checked=read,
                   rejected_share=round(rejected_share, 4),
                   max_rejected_share=config.max_rejected_share),
    ]


GATE_BLOCKED = "optimization not handed over: the gate blocked it"


def blocked_by(results) -> list:
    """The results that block the handover: blocking checks failed at ERROR severity."""
    return [r for r in results if not r.passed and r.check_name in BLOCKING_CHECKS
            and r.severity == dg.AssetCheckSeverity.ERROR]


def gate_decision(blocked) -> str:
    """One line, for the run, the stop email and AMOP 2.0: which checks blocked, and why."""
    return f"{GATE_BLOCKED} - " + "; ".join(f"{r.check_name}: {r.description}" for r in blocked)


def nothing_to_judge(note: str):
    """Each check's result in a partition without an active provider: passed, saying why
    (the checks badge then counts the partition as judged, not as skipped)."""
    for spec in CHECK_SPECS:
        yield dg.AssetCheckResult(asset_key=GATED_ASSET, check_name=spec.name, passed=True,
                                  severity=dg.AssetCheckSeverity.WARN, description=note)


@dg.multi_asset_check(name="judge_optimization_gate", specs=CHECK_SPECS)
def judge_optimization_gate(context: dg.AssetCheckExecutionContext, config: GateConfig,
                            database: DatabaseResource):
    """Judge the finalized sync for the optimization handover (and only for it). When a
    blocking check fails, the step fails with the decision — which checks, and why — and
    the handover does not run."""
    engine = database.get_engine()
    # Asking for optimization, the gate judges its own run's sync; else this run's sync,
    # and executed alone the partition's latest.
    sync = SyncOfRun.of_step(context).with_sync(engine, context.log, "judge")
    if sync.nothing:  # judged: nothing to hand over, nothing wrong
        yield from nothing_to_judge(sync.note)
        return
    if sync.row is None:
        raise Decision(sync.note)
    integration = sync.integration
    facts = in_transaction(engine, lambda conn: gate_facts(conn, integration, sync.row,
                                                           utcnow().date()))
    results = gate_results(integration, sync.notified, config, sync.row, facts)
    blocked = blocked_by(results)
    if sync.asks_optimization:  # else nothing is handed over: no verdict
        in_transaction(engine, lambda conn: record_gate_verdict(
            conn, sync.sync_id, blocked=bool(blocked)))
    yield from results
    if blocked:
        # Raised after every result is recorded, instead of Dagster's own
        # DagsterAssetCheckFailedError: the step and the run then read as the decision it
        # is, with no stack trace (defs/decision.py).
        raise Decision(gate_decision(blocked), metadata={
            "blocked_by": dg.MetadataValue.text(", ".join(r.check_name for r in blocked))})
