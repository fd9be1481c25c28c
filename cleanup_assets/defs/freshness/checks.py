"""``finalized_recently``: is each partition's carrier still syncing? A check on
``common_devices`` per partition, judged in every run of the job (fresh: it was just
finalized) and in a run of its own that ``carrier_freshness_sensor`` launches when the
partition goes stale; executable from the UI. WARN: it never blocks anything.

Why runs and not the sensor's runless reports (``SensorResult(asset_events=...)``): Dagster
stores a runless evaluation with the run id ``""``, and its unique index on (asset, check,
run id, partition) refuses a second one for the same partition — the second report of a
partition failed the sensor's tick on every later tick (SQLite and PostgreSQL storage
alike; found by test_ui.py against a real daemon)."""

import warnings

import dagster as dg

from ...db import in_transaction, utcnow
from ...freshness import partition_verdict, provider_freshness
from ..device_sync.assets import COMMON_DEVICES
from ..partitions import device_sync_partitions
from ..resources import DatabaseResource, FreshnessExpectation
from ..sync_of_run import SyncOfRun

with warnings.catch_warnings():  # partitioned checks are a preview, chosen knowingly
    warnings.simplefilter("ignore", dg.PreviewWarning)
    FINALIZED_RECENTLY = dg.AssetCheckSpec(
        "finalized_recently", asset=COMMON_DEVICES, partitions_def=device_sync_partitions,
        description="Every active service provider of the partition was finalized within "
                    "CLEANUP_STALE_AFTER_HOURS (default 26) of its last finalized sync: a "
                    "carrier whose device sync stopped notifying is noticed. Judged by every "
                    "run of the job and, once a partition is stale, by the run the sensor "
                    "carrier_freshness_sensor launches; never blocks.")


@dg.multi_asset_check(name="check_finalized_recently", specs=[FINALIZED_RECENTLY])
def check_finalized_recently(context: dg.AssetCheckExecutionContext, database: DatabaseResource,
                             freshness: FreshnessExpectation):
    """Judge the partition's providers' last finalized syncs against the expectation."""
    if not context.op_execution_context.has_partition_key:  # judge_carrier_freshness by hand
        raise dg.Failure("finalized_recently judges one partition: launch it with the tag "
                         "dagster/partition=<integration>|<tenant> (as the sensor "
                         "carrier_freshness_sensor does), or from common_devices' Checks tab")
    sync = SyncOfRun.of_step(context)  # the partition: the run's dagster/partition tag
    found = in_transaction(database.get_engine(), lambda conn: provider_freshness(
        conn, freshness.expectations(), partition=(sync.integration.key, sync.tenant_key)))
    now = utcnow()
    passed, description = partition_verdict(found, now)
    yield dg.AssetCheckResult(
        asset_key=COMMON_DEVICES, check_name=FINALIZED_RECENTLY.name, passed=passed,
        severity=dg.AssetCheckSeverity.WARN, description=description,
        metadata={"stale_providers": dg.MetadataValue.text(", ".join(
            str(f.provider_id) for f in found if f.is_stale(now)) or "none")})
