"""The comparison of the two engines: where a shadow pass runs (CLEANUP_SHADOW_ENGINE), the
check ``engines_agree`` on ``common_devices`` reads what the set-based engine, run beside the
legacy procedures and rolled back, would have changed (sql/shadow.py). Next to the
optimization gate (defs/optimization/gate.py), never part of it."""

import warnings

import dagster as dg

from ...db import in_transaction
from ...sql.shadow import SHADOW_AGREE, latest_shadow
from ..decision import Decision
from ..partitions import device_sync_partitions
from ..resources import DatabaseResource
from ..sync_of_run import SyncOfRun
from .assets import COMMON_DEVICES

# The shadow pass (sql/shadow.py): next to the gate, never part of it — a difference between
# the engines is for the cut-over decision, not a reason to hold a sync back.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", dg.PreviewWarning)
    ENGINES_AGREE = dg.AssetCheckSpec(
        "engines_agree", asset=COMMON_DEVICES, partitions_def=device_sync_partitions,
        description="Where the legacy procedures finalized the sync, the set-based engine, run "
                    "beside them in a transaction that was rolled back, would have changed "
                    "nothing. Differences are listed by cleanup-assets shadow-report. A "
                    "warning only: it never blocks the handover.")


def engines_agree_result(sync, shadow) -> dg.AssetCheckResult:
    """``engines_agree``'s result for the finalized ledger row ``sync`` and its shadow pass."""
    metadata = {"sync_id": dg.MetadataValue.text(str(sync.id))}
    if sync.Engine != "procedures":
        passed, why = True, f"not applicable: the {sync.Engine} engine finalized this sync"
    elif shadow is None:
        passed, why = False, f"no shadow pass was recorded for sync {sync.id}"
    else:
        passed, why = shadow.status == SHADOW_AGREE, shadow.reason()
        metadata.update({
            "status": dg.MetadataValue.text(shadow.status),
            "devices_differing": dg.MetadataValue.text(str(shadow.devices)),
            "differences": dg.MetadataValue.text(str(shadow.differences)),
            "not_recorded": dg.MetadataValue.text(str(shadow.not_recorded))})
    return dg.AssetCheckResult(asset_key=COMMON_DEVICES, check_name=ENGINES_AGREE.name,
                               passed=passed, severity=dg.AssetCheckSeverity.WARN,
                               description=why, metadata=metadata)


@dg.multi_asset_check(name="compare_finalize_engines", specs=[ENGINES_AGREE])
def compare_finalize_engines(context: dg.AssetCheckExecutionContext,
                             database: DatabaseResource):
    """Read the shadow pass the finalization recorded for this run's sync (defined only
    when CLEANUP_SHADOW_ENGINE is set)."""
    engine = database.get_engine()
    sync = SyncOfRun.of_step(context).with_reported_sync(engine, context.log)
    if sync.nothing:  # no provider: nothing finalized, nothing to compare
        yield dg.AssetCheckResult(asset_key=COMMON_DEVICES, check_name=ENGINES_AGREE.name,
                                  passed=True, severity=dg.AssetCheckSeverity.WARN,
                                  description=sync.note)
        return
    if sync.row is None:
        raise Decision(sync.note)
    shadow = in_transaction(engine, lambda conn: latest_shadow(conn, sync.sync_id))
    yield engines_agree_result(sync.row, shadow)
