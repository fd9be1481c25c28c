"""The run tags the sync sensor sets and every step reads (defs/run_tags.py), and the sync of
a run built from them (defs/sync_of_run.py): pure parsing."""

import dagster as dg
import pytest

from cleanup_assets.defs.partitions import InvalidPartitionKey
from cleanup_assets.defs.run_tags import (
    PARTITION_TAG,
    ROOT_RUN_TAG,
    InvalidRunTags,
    NotifiedSync,
)
from cleanup_assets.defs.sync_of_run import SyncOfRun
from cleanup_assets.registry import INTEGRATIONS


def test_the_tags_round_trip_and_an_untagged_run_is_a_rerun():
    notified = NotifiedSync(11, True, 9101, forced=True, notification_id=4)
    assert NotifiedSync.from_tags(notified.tags()) == notified
    assert NotifiedSync.from_tags({}) == NotifiedSync()
    assert not NotifiedSync.from_tags({}).asks_optimization(INTEGRATIONS["jasper"])
    assert notified.asks_optimization(INTEGRATIONS["jasper"])
    assert not notified.asks_optimization(INTEGRATIONS["thingspace"])  # Jasper family only


@pytest.mark.parametrize("tags, message", [
    ({"cleanup/service_provider_id": "1_1"}, "a whole number is required"),
    ({"cleanup/service_provider_id": "１１"}, "a whole number is required"),
    ({"cleanup/forced": "yes"}, "true or false is required"),
    ({"cleanup/should_queue_carrier_optimization": "true"}, "never asks for optimization"),
])
def test_a_hand_typed_tag_that_says_something_else_is_refused(tags, message):
    with pytest.raises(InvalidRunTags, match=message):
        NotifiedSync.from_tags(tags)


def test_the_sync_of_a_re_executed_run_names_its_partition_notification_and_root():
    run = dg.DagsterRun(
        job_name="finalize_device_sync", run_id="r2", parent_run_id="r1", root_run_id="r0",
        tags={PARTITION_TAG: "jasper|12", ROOT_RUN_TAG: "r0",
              **NotifiedSync(11, True, 9101, notification_id=4).tags()})
    sync = SyncOfRun.of_run(run)
    assert (sync.integration.key, sync.tenant_key, sync.tenant_id, sync.partition) == (
        "jasper", "12", 12, "jasper|12")
    assert (sync.run_id, sync.parent_run_id, sync.root_run_id) == ("r2", "r1", "r0")
    assert sync.asks_optimization and sync.notified.optimization_session_id == 9101
    assert (sync.row, sync.sync_id, sync.providers) == (None, None, [])  # no ledger row yet


def test_the_sync_of_an_untagged_original_run_is_a_rerun_of_its_own_root():
    run = dg.DagsterRun(job_name="__ASSET_JOB", run_id="r0", tags={PARTITION_TAG: "thingspace|3"})
    sync = SyncOfRun.of_run(run)
    assert sync.root_run_id == "r0" and sync.notified == NotifiedSync()
    assert not sync.asks_optimization
    assert SyncOfRun.of_run(run, "teal|4").partition == "teal|4"  # a step's own key wins


@pytest.mark.parametrize("key", ["jasper|acme", "verizon|1", ""])
def test_the_sync_of_a_run_refuses_a_key_that_is_not_integration_and_tenant_id(key):
    run = dg.DagsterRun(job_name="finalize_device_sync", run_id="r0", tags={PARTITION_TAG: key})
    with pytest.raises((InvalidPartitionKey, ValueError)):
        SyncOfRun.of_run(run)
