"""The main job: finalize one (integration, tenant) partition's device tables."""

import dagster as dg

from ..policy import GROUP

finalize_device_sync_job = dg.define_asset_job(
    name="finalize_device_sync",
    # The freshness check is the freshness sensor's (and the UI's): right after a
    # finalization it could only pass.
    selection=dg.AssetSelection.groups(GROUP)
    - dg.AssetSelection.checks(dg.AssetCheckKey(dg.AssetKey("common_devices"),
                                                "finalized_recently")),
    description=(
        "Finalize a carrier device sync for one integration and tenant: validate staging, "
        "merge the carrier and common device tables, add missing communication plans. "
        "Launched by the sync sensor, or by hand / as a backfill (then without optimization)."
    ),
)
