"""The legacy SQS device-notification queue, against a moto server over HTTP."""

from __future__ import annotations

import uuid
from datetime import timedelta

import boto3
import pytest
from sqlalchemy import text

from cleanup_assets.defs.resources import SqsQueue
from cleanup_assets.notifications import ingest_sqs_messages

from .builders import (
    TEST_INTEGRATION_IDS,
    definitions,
    finalize_config,
    notify,
    rows,
    seed_providers,
    tick,
)
from .servers import free_port

# The SQS ingestion: the inbox statements run on both in test_sync_sensor.
BACKENDS = ("sqlite",)
# The sensor is evaluated as the daemon does: on a stored instance (conftest.instance).
pytestmark = pytest.mark.stored_instance


@pytest.fixture
def queue(moto_endpoint, aws_env):
    client = boto3.client("sqs", endpoint_url=moto_endpoint, region_name="us-east-1")
    url = client.create_queue(QueueName=f"device-sync-{uuid.uuid4().hex[:12]}")["QueueUrl"]
    yield client, url
    client.delete_queue(QueueUrl=url)


def send_legacy(client, url, **attributes):
    """As the device-sync Lambdas send it: numbers as Number, the flag as String."""
    numeric = {"IntegrationType", "ServiceProviderId", "OptimizationSessionId", "RetryCount",
               "MaxRetries", "DelayBetweenRetries", "RemainingRowsToProcess"}
    client.send_message(QueueUrl=url, MessageBody="Device sync finished", MessageAttributes={
        name: {"DataType": "Number" if name in numeric else "String", "StringValue": str(value)}
        for name, value in attributes.items()})


def queue_depth(client, url) -> int:
    attributes = client.get_queue_attributes(QueueUrl=url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return sum(int(v) for v in attributes.values())


def test_a_legacy_sqs_message_launches_the_partition_run(database_url, engine, instance, queue,
                                                         moto_endpoint):
    client, url = queue
    seed_providers(engine, (11, 3, "tmobile_jasper"))
    send_legacy(client, url, IntegrationType=TEST_INTEGRATION_IDS["tmobile_jasper"],
                ServiceProviderId=11, ShouldQueueCarrierOptimization="True",
                OptimizationSessionId=1234, RetryCount=0, MaxRetries=14,
                DelayBetweenRetries=300, RemainingRowsToProcess=0)
    defs = definitions(database_url, SqsQueue(queue_url=url, endpoint_url=moto_endpoint))

    result = tick(instance, defs)

    (request,) = result.run_requests
    assert request.partition_key == "tmobile_jasper|3"
    assert finalize_config(request) == {"service_provider_id": 11,
                                        "should_queue_carrier_optimization": True,
                                        "optimization_session_id": 1234, "forced": False}
    (recorded,) = rows(engine, "CleanupSyncNotification")
    assert recorded["Source"] == "sqs" and recorded["ExternalId"]
    assert queue_depth(client, url) == 0  # deleted once recorded


def test_a_message_is_deleted_only_after_it_is_recorded(database_url, engine, queue,
                                                       moto_endpoint):
    client, url = queue
    seed_providers(engine, (11, 1, "jasper"))
    send_legacy(client, url, IntegrationType=TEST_INTEGRATION_IDS["jasper"], ServiceProviderId=11)
    with engine.begin() as conn:  # the inbox cannot take it: recording fails
        conn.execute(text('ALTER TABLE "CleanupSyncNotification" RENAME TO "Elsewhere"'))

    with pytest.raises(Exception):
        ingest_sqs_messages(engine, client, url)

    assert queue_depth(client, url) == 1  # still on the queue, redelivered later
    with engine.begin() as conn:
        conn.execute(text('ALTER TABLE "Elsewhere" RENAME TO "CleanupSyncNotification"'))


def test_a_redelivered_message_is_recorded_once(database_url, engine, queue):
    client, url = queue
    seed_providers(engine, (11, 1, "jasper"))
    send_legacy(client, url, IntegrationType=TEST_INTEGRATION_IDS["jasper"], ServiceProviderId=11)
    (message,) = client.receive_message(QueueUrl=url, MessageAttributeNames=["All"],
                                        VisibilityTimeout=0)["Messages"]

    # the first delivery was recorded, then the process died before deleting it
    from cleanup_assets.notifications import post_notification

    with engine.begin() as conn:
        post_notification(conn, {"IntegrationType": TEST_INTEGRATION_IDS["jasper"],
                                 "ServiceProviderId": 11}, source="sqs",
                          external_id=message["MessageId"])
    recorded = ingest_sqs_messages(engine, client, url)

    assert recorded == 0
    assert len(rows(engine, "CleanupSyncNotification")) == 1
    assert queue_depth(client, url) == 0


def test_the_queue_being_down_fails_the_tick_visibly_and_the_inbox_still_flows(
        database_url, engine, instance, aws_env):
    seed_providers(engine, (11, 1, "jasper"))
    waiting = notify(engine, 11, "jasper")  # posted to the database inbox
    port = free_port()  # nothing listens there
    down = definitions(database_url, SqsQueue(
        queue_url=f"http://127.0.0.1:{port}/123456789012/device-sync",
        endpoint_url=f"http://127.0.0.1:{port}", max_attempts=2))

    with pytest.raises(Exception, match="the device-sync queue could not be read") as failed:
        tick(instance, down)

    (row,) = rows(engine, "CleanupSyncNotification")
    assert (row["id"], row["Status"]) == (waiting, "launched")  # decided, not lost
    # What the tick says happens next is what happens: not the next tick, after the grace.
    assert ("1 run(s) decided this tick are requested again by the first tick after "
            f"{(row['DecidedAt'] + timedelta(minutes=2)):%H:%M:%S} UTC (the 2-minute relaunch "
            "grace)") in str(failed.value)
    assert tick(instance, definitions(database_url)).run_requests == []
    with engine.begin() as conn:  # later: the decision is older than the relaunch grace
        conn.execute(text('UPDATE "CleanupSyncNotification" SET "DecidedAt" = :t'),
                     {"t": row["DecidedAt"] - timedelta(minutes=5)})
    (request,) = tick(instance, definitions(database_url)).run_requests
    assert request.run_key == f"sync-notification-{waiting}"
