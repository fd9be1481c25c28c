"""The main job: finalize one (integration, tenant) partition's device tables."""

import dagster as dg

from ..policy import GROUP

# By name where a sensor launches it (a job at another module's scope would be loaded from
# defs/ twice).
FINALIZE_DEVICE_SYNC = "finalize_device_sync"

finalize_device_sync_job = dg.define_asset_job(
    name=FINALIZE_DEVICE_SYNC,
    # With the freshness check: the run judges its partition fresh (or names the providers of
    # the partition still stale) — how a stale partition reads fresh again in the UI.
    selection=dg.AssetSelection.groups(GROUP),
    description=(
        "Finalize a carrier device sync for one integration and tenant: validate staging, "
        "merge the carrier and common device tables, add missing communication plans. "
        "Launched by the sync sensor, or by hand / as a backfill (then without optimization)."
    ),
)
