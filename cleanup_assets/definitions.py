"""The code location: every Dagster definition, assembled in one place.

Local vs production resources are chosen here, once, from the environment:
- ``CLEANUP_DATABASE_URL`` (a secret: read through ``dg.EnvVar``) — unset: the embedded
  SQLite file under ``$CLEANUP_HOME``;
- ``CLEANUP_USE_LEGACY_PROCEDURES=1`` — SQL Server: call the legacy finalize procedures;
- ``CLEANUP_DEVICE_SYNC_QUEUE_URL`` — the legacy SQS device-notification queue (unset: the
  database inbox only); ``CLEANUP_AWS_ENDPOINT_URL`` — a local AWS endpoint (moto);
  ``AWS_REGION`` — the region. AWS credentials: the standard AWS environment chain.
"""

import os

import dagster as dg

from .defs.device_sync.assets import carrier_staging, finalize_device_tables
from .defs.device_sync.jobs import finalize_device_sync_job
from .defs.resources import DatabaseResource, SqsQueueResource
from .defs.sync_sensor.sensors import sync_notification_sensor


def _env(name: str):
    """An EnvVar when the variable is set (resolved at run time, never shown), else None."""
    return dg.EnvVar(name) if os.environ.get(name) else None


def _database() -> DatabaseResource:
    return DatabaseResource(
        url=_env("CLEANUP_DATABASE_URL"),
        use_legacy_procedures=os.environ.get("CLEANUP_USE_LEGACY_PROCEDURES", "").lower()
        in {"1", "true", "yes"},
    )


def _device_sync_queue() -> SqsQueueResource:
    return SqsQueueResource(
        queue_url=_env("CLEANUP_DEVICE_SYNC_QUEUE_URL"),
        endpoint_url=_env("CLEANUP_AWS_ENDPOINT_URL"),
        region_name=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        or "us-east-1",
    )


def make_definitions(
    database: DatabaseResource, device_sync_queue: SqsQueueResource | None = None
) -> dg.Definitions:
    """The location's definitions around given resources (tests pass their own)."""
    return dg.Definitions(
        assets=[carrier_staging, finalize_device_tables],
        jobs=[finalize_device_sync_job],
        sensors=[sync_notification_sensor],
        resources={
            "database": database,
            "device_sync_queue": device_sync_queue or SqsQueueResource(),
        },
    )


defs = make_definitions(_database(), _device_sync_queue())
