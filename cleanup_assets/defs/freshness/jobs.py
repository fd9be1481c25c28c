"""The freshness check alone, for one partition: what the freshness sensor launches when a
partition goes stale (a finalization judges it fresh in its own run)."""

import dagster as dg

from .checks import FINALIZED_RECENTLY

# By name where the sensor launches it (a job at another module's scope would be loaded from
# defs/ twice).
JUDGE_CARRIER_FRESHNESS = "judge_carrier_freshness"

# Not partitioned by definition: Dagster infers an asset job's partitions from its selected
# assets and ignores a given `partitions_def` when the selection is checks alone
# (assets/job/asset_job.py, `_infer_and_validate_common_partitions_def`), so a partitioned
# RunRequest is refused ("Job has no PartitionsDefinition"). The sensor names the partition
# as every run does, in the tag `dagster/partition`: the check reads it as its partition key
# and its evaluation is recorded for that partition.
judge_freshness_job = dg.define_asset_job(
    name=JUDGE_CARRIER_FRESHNESS,
    selection=dg.AssetSelection.checks(FINALIZED_RECENTLY.key),
    description=(
        "The check finalized_recently of one partition (the run's dagster/partition tag), "
        "alone: launched by carrier_freshness_sensor once per staleness (a finalization "
        "judges its partition fresh in its own run). Writes nothing."),
)
