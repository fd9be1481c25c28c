"""The code location: every Dagster definition, assembled in one place.

Local vs production resources are chosen here, once, from the settings declared in
``settings.py`` (one table: variable, required in production, secret, local default).
Secrets are read through ``dg.EnvVar``: resolved at run time, never shown.

With ``CLEANUP_DEPLOYMENT=production`` the location refuses to load — naming every missing
variable — unless the databases, the optimization queue, AMOP 2.0, the mail transport and
the sync-log bucket are configured; an SQLite URL or the outbox is refused there. It then
runs ``cleanup-assets preflight`` against the configured databases (preflight.py: one pass of
catalog queries) and refuses to load on any blocking finding — a missing procedure, column,
own table, permission or ``Integration`` row — naming each with its fix. Locally every
external system falls back to the embedded database and the outbox.

``CLEANUP_EXECUTOR`` chooses how a run's steps execute: ``in_process`` (the default: the
run's process executes every step; the device tables are one transaction, so a process per
step would only add start-up time) or ``celery`` (steps go to Celery workers through the
broker; results through Redis).
"""

import warnings

import dagster as dg

from .defs.alerts.sensors import alert_operators_on_failure
from .defs.device_sync.assets import carrier_staging, finalize_device_tables
from .defs.device_sync.checks import compare_finalize_engines
from .defs.device_sync.jobs import finalize_device_sync_job
from .defs.freshness.checks import check_finalized_recently
from .defs.freshness.jobs import judge_freshness_job
from .defs.freshness.sensors import carrier_freshness_sensor
from .defs.optimization.assets import queue_carrier_optimization
from .defs.optimization.gate import judge_optimization_gate
from .defs.optimization.sensors import stop_optimization_on_failure, stop_optimization_sweep
from .defs.policy import with_policy
from .defs.reporting.assets import (
    export_device_history,
    notify_amop_daily_sync,
    report_device_sync,
)
from .defs.resources import (
    Amop20Resource,
    DatabaseResource,
    DeviceHistoryStage,
    DeviceHistoryWarehouse,
    EmailResource,
    FreshnessExpectation,
    SqsQueueResource,
    SyncLogStore,
)
from .defs.sync_sensor.sensors import sync_notification_sensor
from .preflight import refuse_on_blocking_findings
from .settings import Settings


def _database(settings: Settings) -> DatabaseResource:
    return DatabaseResource(
        url=settings.env("CLEANUP_DATABASE_URL"),
        jasper_url=settings.env("CLEANUP_JASPER_DATABASE_URL"),
        finalize_engine=settings.value("CLEANUP_FINALIZE_ENGINE"),
        set_based_integrations=settings.value("CLEANUP_SET_BASED_INTEGRATIONS"),
        shadow_engine=settings.value("CLEANUP_SHADOW_ENGINE"),
    )


def _device_sync_queue(settings: Settings) -> SqsQueueResource:
    return SqsQueueResource(queue_url=settings.env("CLEANUP_DEVICE_SYNC_QUEUE_URL"),
                            endpoint_url=settings.env("CLEANUP_AWS_ENDPOINT_URL"),
                            region_name=settings.value("AWS_REGION"))


def _optimization_queue(settings: Settings) -> SqsQueueResource:
    return SqsQueueResource(queue_url=settings.env("CLEANUP_OPTIMIZATION_QUEUE_URL"),
                            endpoint_url=settings.env("CLEANUP_AWS_ENDPOINT_URL"),
                            region_name=settings.value("AWS_REGION"))


def _amop(settings: Settings) -> Amop20Resource:
    return Amop20Resource(sync_update_url=settings.env("CLEANUP_AMOP_SYNC_UPDATE_URL"),
                          optimization_url=settings.env("CLEANUP_AMOP_OPTIMIZATION_URL"),
                          api_key=settings.env("CLEANUP_AMOP_API_KEY"))


def _email(settings: Settings) -> EmailResource:
    return EmailResource(
        transport=settings.value("CLEANUP_EMAIL_TRANSPORT").lower(),
        smtp_host=settings.value("CLEANUP_SMTP_HOST"),
        smtp_port=int(settings.value("CLEANUP_SMTP_PORT")),
        smtp_username=settings.env("CLEANUP_SMTP_USERNAME"),
        smtp_password=settings.env("CLEANUP_SMTP_PASSWORD"),
        smtp_starttls=settings.flag("CLEANUP_SMTP_STARTTLS"),
        ses_region=settings.value("AWS_REGION"),
        ses_endpoint_url=settings.env("CLEANUP_SES_ENDPOINT_URL"),
        operator_addresses=settings.value("CLEANUP_OPERATOR_EMAIL_ADDRESSES"),
    )


def _sync_log(settings: Settings) -> SyncLogStore:
    return SyncLogStore(enabled=settings.flag("DEVICE_SYNC_SUMMARY_LOG_ENABLE"),
                        bucket=settings.env("DEVICE_SYNC_SUMMARY_LOG_S3_BUCKET_NAME"),
                        region_name=settings.value("AWS_REGION"),
                        endpoint_url=settings.env("CLEANUP_AWS_ENDPOINT_URL"))


def _history_stage(settings: Settings) -> DeviceHistoryStage:
    return DeviceHistoryStage(bucket=settings.env("SnowflakeS3BucketName"),
                              path=settings.env("SnowflakeS3BucketPath"),
                              region_name=settings.value("AWS_REGION"),
                              endpoint_url=settings.env("CLEANUP_AWS_ENDPOINT_URL"))


def _warehouse(settings: Settings) -> DeviceHistoryWarehouse:
    return DeviceHistoryWarehouse(
        account=settings.env("CLEANUP_SNOWFLAKE_ACCOUNT"),
        user=settings.env("CLEANUP_SNOWFLAKE_USER"),
        password=settings.env("CLEANUP_SNOWFLAKE_PASSWORD"),
        database=settings.env("CLEANUP_SNOWFLAKE_DATABASE"),
        schema_name=settings.value("CLEANUP_SNOWFLAKE_SCHEMA"),
        warehouse=settings.env("CLEANUP_SNOWFLAKE_WAREHOUSE"))


def _env_source(settings: Settings, name: str):
    """Executor config: {"env": NAME} when set (the value stays out of every run config
    and snapshot), else the local default."""
    return {"env": name} if settings.is_set(name) else settings.value(name)


def executor_for(settings: Settings) -> dg.ExecutorDefinition:
    """``in_process`` (default) or ``celery``. Sensor run requests carry no executor config,
    so the choice is made here, in code, for every job of the location."""
    if settings.value("CLEANUP_EXECUTOR").lower() != "celery":
        return dg.in_process_executor
    from dagster_celery import celery_executor

    return celery_executor.configured({
        "broker": _env_source(settings, "CLEANUP_CELERY_BROKER_URL"),
        "backend": _env_source(settings, "CLEANUP_CELERY_BACKEND_URL"),
        # Results are read once by the run that submitted the step; keep Redis small.
        "config_source": {"result_expires": 3600, "worker_prefetch_multiplier": 1},
    }, name="celery")


def make_definitions(
    database: DatabaseResource,
    device_sync_queue: SqsQueueResource | None = None,
    optimization_queue: SqsQueueResource | None = None,
    amop: Amop20Resource | None = None,
    email: EmailResource | None = None,
    sync_log: SyncLogStore | None = None,
    warehouse: DeviceHistoryWarehouse | None = None,
    executor: dg.ExecutorDefinition | None = None,
    history_stage: DeviceHistoryStage | None = None,
    freshness: FreshnessExpectation | None = None,
) -> dg.Definitions:
    """The location's definitions around given resources (tests pass their own; unset ones
    are the embedded defaults: no queue, local outbox). Every job executes in process
    unless another executor is given."""
    definitions = dg.Definitions(
        assets=[carrier_staging, finalize_device_tables, queue_carrier_optimization,
                report_device_sync, export_device_history, notify_amop_daily_sync],
        # engines_agree only where a shadow pass runs (CLEANUP_SHADOW_ENGINE)
        asset_checks=[judge_optimization_gate, check_finalized_recently,
                      *([compare_finalize_engines] if database.shadow_engine else [])],
        jobs=[finalize_device_sync_job, judge_freshness_job],
        sensors=[sync_notification_sensor, stop_optimization_on_failure, stop_optimization_sweep,
                 alert_operators_on_failure, carrier_freshness_sensor],
        resources={
            "database": database,
            "device_sync_queue": device_sync_queue or SqsQueueResource(),
            "optimization_queue": optimization_queue or SqsQueueResource(),
            "amop": amop or Amop20Resource(),
            "email": email or EmailResource(),
            "sync_log": sync_log or SyncLogStore(),
            "warehouse": warehouse or DeviceHistoryWarehouse(),
            "history_stage": history_stage or DeviceHistoryStage(),
            "freshness": freshness or FreshnessExpectation(),
        },
        executor=executor or dg.in_process_executor,
    )
    with warnings.catch_warnings():  # a preview in Dagster 1.13, chosen knowingly
        warnings.simplefilter("ignore", dg.PreviewWarning)
        # Group, owners and the location's tags on every asset, once (defs/policy.py).
        return definitions.map_resolved_asset_specs(func=with_policy)


def definitions_from_environment(settings: Settings | None = None, *,
                                 preflight: bool = False) -> dg.Definitions:
    """The location as the environment configures it; raises ``ConfigurationError`` naming
    every missing or refused variable before anything is built (nothing is written). With
    ``preflight`` (the code location's own load) a production environment's databases are
    checked too, and a blocking finding refuses the load."""
    settings = settings or Settings()
    settings.check()
    if preflight and settings.production:
        refuse_on_blocking_findings(settings)
    return make_definitions(_database(settings), _device_sync_queue(settings),
                            _optimization_queue(settings), _amop(settings), _email(settings),
                            _sync_log(settings), _warehouse(settings), executor_for(settings),
                            _history_stage(settings),
                            FreshnessExpectation(
                                stale_after_hours=settings.value("CLEANUP_STALE_AFTER_HOURS")))


defs = definitions_from_environment(preflight=True)
