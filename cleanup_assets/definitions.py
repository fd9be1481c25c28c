"""The code location: every Dagster definition, assembled in one place.

Local vs production resources are chosen here, once, from the environment:
- ``CLEANUP_DATABASE_URL`` (a secret: read through ``dg.EnvVar``) — unset: the embedded
  SQLite file under ``$CLEANUP_HOME``;
- ``CLEANUP_JASPER_DATABASE_URL`` (a secret) — the legacy's separate Jasper database (its
  staging, ``JasperDevice``, ``JasperDeviceUsage``, rows to process, summary procedure);
  unset: the central database;
- ``CLEANUP_FINALIZE_ENGINE`` = ``procedures`` (the legacy procedures: the default on SQL
  Server) | ``set_based`` (our SQL: the default elsewhere; on SQL Server a migration path);
- ``CLEANUP_DEVICE_SYNC_QUEUE_URL`` — the legacy SQS device-notification queue (unset: the
  database inbox only); ``CLEANUP_AWS_ENDPOINT_URL`` — a local AWS endpoint (moto);
  ``AWS_REGION`` — the region. AWS credentials: the standard AWS environment chain;
- ``CLEANUP_OPTIMIZATION_QUEUE_URL`` — the carrier-optimization queue (unset: local outbox);
- ``CLEANUP_AMOP_SYNC_UPDATE_URL``, ``CLEANUP_AMOP_OPTIMIZATION_URL``, ``CLEANUP_AMOP_API_KEY``
  — AMOP 2.0 (unset URLs: local outbox);
- ``CLEANUP_EMAIL_TRANSPORT`` = outbox | smtp | ses, with ``CLEANUP_SMTP_HOST``,
  ``CLEANUP_SMTP_PORT``, ``CLEANUP_SMTP_USERNAME``, ``CLEANUP_SMTP_PASSWORD``,
  ``CLEANUP_SMTP_STARTTLS``, ``CLEANUP_SES_ENDPOINT_URL``;
- ``CLEANUP_SYNC_LOG_BUCKET`` (+ ``CLEANUP_SYNC_LOG_PREFIX``) — the S3 sync log (unset: a
  local folder); ``CLEANUP_SNOWFLAKE_ACCOUNT``, ``_USER``, ``_PASSWORD``, ``_DATABASE``,
  ``_SCHEMA``, ``_WAREHOUSE`` — the device history (unset: skipped, and the asset says so).
"""

import os

import dagster as dg

from .defs.device_sync.assets import carrier_staging, finalize_device_tables
from .defs.device_sync.jobs import finalize_device_sync_job
from .defs.optimization.assets import queue_carrier_optimization
from .defs.optimization.sensors import stop_optimization_on_failure
from .defs.reporting.assets import export_device_history, report_device_sync
from .defs.resources import (
    Amop20Resource,
    DatabaseResource,
    DeviceHistoryWarehouse,
    EmailResource,
    SqsQueueResource,
    SyncLogStore,
)
from .defs.sync_sensor.sensors import sync_notification_sensor


def _env(name: str):
    """An EnvVar when the variable is set (resolved at run time, never shown), else None."""
    return dg.EnvVar(name) if os.environ.get(name) else None


def _database() -> DatabaseResource:
    return DatabaseResource(
        url=_env("CLEANUP_DATABASE_URL"),
        jasper_url=_env("CLEANUP_JASPER_DATABASE_URL"),
        finalize_engine=os.environ.get("CLEANUP_FINALIZE_ENGINE") or None,
    )


def _device_sync_queue() -> SqsQueueResource:
    return SqsQueueResource(queue_url=_env("CLEANUP_DEVICE_SYNC_QUEUE_URL"),
                            endpoint_url=_env("CLEANUP_AWS_ENDPOINT_URL"), region_name=_region())


def _region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def _optimization_queue() -> SqsQueueResource:
    return SqsQueueResource(queue_url=_env("CLEANUP_OPTIMIZATION_QUEUE_URL"),
                            endpoint_url=_env("CLEANUP_AWS_ENDPOINT_URL"), region_name=_region())


def _amop() -> Amop20Resource:
    return Amop20Resource(sync_update_url=_env("CLEANUP_AMOP_SYNC_UPDATE_URL"),
                          optimization_url=_env("CLEANUP_AMOP_OPTIMIZATION_URL"),
                          api_key=_env("CLEANUP_AMOP_API_KEY"))


def _email() -> EmailResource:
    return EmailResource(
        transport=os.environ.get("CLEANUP_EMAIL_TRANSPORT", "outbox"),
        smtp_host=os.environ.get("CLEANUP_SMTP_HOST", "127.0.0.1"),
        smtp_port=int(os.environ.get("CLEANUP_SMTP_PORT", "25")),
        smtp_username=_env("CLEANUP_SMTP_USERNAME"),
        smtp_password=_env("CLEANUP_SMTP_PASSWORD"),
        smtp_starttls=os.environ.get("CLEANUP_SMTP_STARTTLS", "").lower() in {"1", "true"},
        ses_region=_region(),
        ses_endpoint_url=_env("CLEANUP_SES_ENDPOINT_URL"),
    )


def _sync_log() -> SyncLogStore:
    return SyncLogStore(bucket=_env("CLEANUP_SYNC_LOG_BUCKET"),
                        prefix=os.environ.get("CLEANUP_SYNC_LOG_PREFIX", "device-sync-logs"),
                        region_name=_region(), endpoint_url=_env("CLEANUP_AWS_ENDPOINT_URL"))


def _warehouse() -> DeviceHistoryWarehouse:
    return DeviceHistoryWarehouse(
        account=_env("CLEANUP_SNOWFLAKE_ACCOUNT"), user=_env("CLEANUP_SNOWFLAKE_USER"),
        password=_env("CLEANUP_SNOWFLAKE_PASSWORD"), database=_env("CLEANUP_SNOWFLAKE_DATABASE"),
        schema_name=os.environ.get("CLEANUP_SNOWFLAKE_SCHEMA", "PUBLIC"),
        warehouse=_env("CLEANUP_SNOWFLAKE_WAREHOUSE"))


def make_definitions(
    database: DatabaseResource,
    device_sync_queue: SqsQueueResource | None = None,
    optimization_queue: SqsQueueResource | None = None,
    amop: Amop20Resource | None = None,
    email: EmailResource | None = None,
    sync_log: SyncLogStore | None = None,
    warehouse: DeviceHistoryWarehouse | None = None,
) -> dg.Definitions:
    """The location's definitions around given resources (tests pass their own; unset ones
    are the embedded defaults: no queue, local outbox)."""
    return dg.Definitions(
        assets=[carrier_staging, finalize_device_tables, queue_carrier_optimization,
                report_device_sync, export_device_history],
        jobs=[finalize_device_sync_job],
        sensors=[sync_notification_sensor, stop_optimization_on_failure],
        resources={
            "database": database,
            "device_sync_queue": device_sync_queue or SqsQueueResource(),
            "optimization_queue": optimization_queue or SqsQueueResource(),
            "amop": amop or Amop20Resource(),
            "email": email or EmailResource(),
            "sync_log": sync_log or SyncLogStore(),
            "warehouse": warehouse or DeviceHistoryWarehouse(),
        },
    )


defs = make_definitions(_database(), _device_sync_queue(), _optimization_queue(), _amop(),
                        _email(), _sync_log(), _warehouse())
