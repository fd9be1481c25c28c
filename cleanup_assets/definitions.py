"""The code location, assembled in one place: the definitions ``defs/`` declares, found as
a dg project's are (``[tool.dg]`` in pyproject.toml: every asset, check, job and sensor at
the scope of a module there; ``defs_folder``), merged with the resources and the executor chosen
here, and the asset policy (group, owners, tags: ``defs/policy.py``) applied once.

Local vs production resources are chosen here, once, from the settings declared in
``settings.py`` (one table: variable, required in production, secret, local default): for
each external system the class of its real transport, or of its local fallback
(``defs/resources.py``). Secrets are read through ``dg.EnvVar``: resolved at run time, never
shown.

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

import functools
import importlib
import warnings
from pathlib import Path

import dagster as dg

from .defs.device_sync.checks import compare_finalize_engines
from .defs.policy import with_policy
from .defs.resources import (
    Amop20,
    AmopEndpoint,
    AmopHttp,
    AmopOutbox,
    DatabaseResource,
    DeviceHistoryStage,
    DeviceHistoryWarehouse,
    FreshnessExpectation,
    LocalSyncLog,
    Mailer,
    MessageQueue,
    NoHistoryStage,
    NoSyncLog,
    NoWarehouse,
    OutboxMailer,
    OutboxQueue,
    S3HistoryStage,
    S3SyncLog,
    SesMailer,
    SmtpMailer,
    SnowflakeWarehouse,
    SqsQueue,
    SyncLogStore,
)
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


def _queue(settings: Settings, url: str) -> MessageQueue:
    if not settings.is_set(url):
        return OutboxQueue()
    return SqsQueue(queue_url=settings.env(url),
                    endpoint_url=settings.env("CLEANUP_AWS_ENDPOINT_URL"),
                    region_name=settings.value("AWS_REGION"))


def _device_sync_queue(settings: Settings) -> MessageQueue:
    return _queue(settings, "CLEANUP_DEVICE_SYNC_QUEUE_URL")


def _optimization_queue(settings: Settings) -> MessageQueue:
    return _queue(settings, "CLEANUP_OPTIMIZATION_QUEUE_URL")


def _amop_endpoint(settings: Settings, url: str) -> AmopEndpoint:
    if not settings.is_set(url):
        return AmopOutbox()
    return AmopHttp(url=settings.env(url), api_key=settings.env("CLEANUP_AMOP_API_KEY"))


def _amop(settings: Settings) -> Amop20:
    return Amop20(sync_update=_amop_endpoint(settings, "CLEANUP_AMOP_SYNC_UPDATE_URL"),
                  optimization=_amop_endpoint(settings, "CLEANUP_AMOP_OPTIMIZATION_URL"))


def _email(settings: Settings) -> Mailer:
    operators = settings.value("CLEANUP_OPERATOR_EMAIL_ADDRESSES")
    transport = settings.value("CLEANUP_EMAIL_TRANSPORT").lower()
    if transport == "smtp":
        return SmtpMailer(host=settings.value("CLEANUP_SMTP_HOST"),
                          port=int(settings.value("CLEANUP_SMTP_PORT")),
                          username=settings.env("CLEANUP_SMTP_USERNAME"),
                          password=settings.env("CLEANUP_SMTP_PASSWORD"),
                          starttls=settings.flag("CLEANUP_SMTP_STARTTLS"),
                          operator_addresses=operators)
    if transport == "ses":
        return SesMailer(region_name=settings.value("AWS_REGION"),
                         endpoint_url=settings.env("CLEANUP_SES_ENDPOINT_URL"),
                         operator_addresses=operators)
    return OutboxMailer(operator_addresses=operators)  # settings.check() refused the rest


def _s3(settings: Settings) -> dg.ConfigurableResource:
    # Imported where a bucket is configured only: dagster-aws's package imports every AWS
    # component it has (Athena, Secrets Manager, ...), 0.7 CPU-s in each process — a run's,
    # a code server's, the CLI's — that never touches S3 (the embedded default, a local
    # deployment without a bucket; an instance with S3 compute logs imports it anyway).
    from dagster_aws.s3 import S3Resource

    return S3Resource(region_name=settings.value("AWS_REGION"),
                      endpoint_url=settings.env("CLEANUP_AWS_ENDPOINT_URL"))


def _sync_log(settings: Settings) -> SyncLogStore:
    if not settings.flag("DEVICE_SYNC_SUMMARY_LOG_ENABLE"):
        return NoSyncLog()
    if not settings.is_set("DEVICE_SYNC_SUMMARY_LOG_S3_BUCKET_NAME"):
        return LocalSyncLog()
    return S3SyncLog(bucket=settings.env("DEVICE_SYNC_SUMMARY_LOG_S3_BUCKET_NAME"),
                     s3=_s3(settings))


def _history_stage(settings: Settings) -> DeviceHistoryStage:
    if not (settings.is_set("SnowflakeS3BucketName") and settings.is_set("SnowflakeS3BucketPath")):
        return NoHistoryStage()  # either blank: no history file, as in the legacy
    return S3HistoryStage(bucket=settings.env("SnowflakeS3BucketName"),
                          path=settings.env("SnowflakeS3BucketPath"), s3=_s3(settings))


def _warehouse(settings: Settings) -> DeviceHistoryWarehouse:
    if not settings.is_set("CLEANUP_SNOWFLAKE_ACCOUNT"):
        return NoWarehouse()
    # The `snowflake` extra: settings.check() refused an account without it.
    from dagster_snowflake import SnowflakeResource

    return SnowflakeWarehouse(snowflake=SnowflakeResource(
        account=settings.env("CLEANUP_SNOWFLAKE_ACCOUNT"),
        user=settings.env("CLEANUP_SNOWFLAKE_USER"),
        password=settings.env("CLEANUP_SNOWFLAKE_PASSWORD"),
        database=settings.env("CLEANUP_SNOWFLAKE_DATABASE"),
        schema=settings.value("CLEANUP_SNOWFLAKE_SCHEMA"),
        warehouse=settings.env("CLEANUP_SNOWFLAKE_WAREHOUSE")))


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
    device_sync_queue: MessageQueue | None = None,
    optimization_queue: MessageQueue | None = None,
    amop: Amop20 | None = None,
    email: Mailer | None = None,
    sync_log: SyncLogStore | None = None,
    warehouse: DeviceHistoryWarehouse | None = None,
    executor: dg.ExecutorDefinition | None = None,
    history_stage: DeviceHistoryStage | None = None,
    freshness: FreshnessExpectation | None = None,
) -> dg.Definitions:
    """The location's definitions around given resources (tests pass their own; unset ones
    are the embedded defaults: the outbox, the local sync-log folder, no history). Every
    job executes in process unless another executor is given."""
    declared = defs_folder()
    if not database.shadow_engine:  # engines_agree only where a shadow pass runs
        declared = _without_check(declared, compare_finalize_engines)
    definitions = dg.Definitions.merge(declared, dg.Definitions(
        resources={
            "database": database,
            "device_sync_queue": device_sync_queue or OutboxQueue(),
            "optimization_queue": optimization_queue or OutboxQueue(),
            "amop": amop or Amop20(sync_update=AmopOutbox(), optimization=AmopOutbox()),
            "email": email or OutboxMailer(),
            "sync_log": sync_log or LocalSyncLog(),
            "warehouse": warehouse or NoWarehouse(),
            "history_stage": history_stage or NoHistoryStage(),
            "freshness": freshness or FreshnessExpectation(),
        },
        executor=executor or dg.in_process_executor,
    ))
    with warnings.catch_warnings():  # a preview in Dagster 1.13, chosen knowingly
        warnings.simplefilter("ignore", dg.PreviewWarning)
        # Group, owners and the location's tags on every asset, once (defs/policy.py).
        return definitions.map_resolved_asset_specs(func=with_policy)


@functools.cache
def defs_folder() -> dg.Definitions:
    """Every asset, check, job and sensor declared under ``defs/``, found the way a dg
    project's are (``[tool.dg]`` in pyproject.toml names the same root and defs modules):
    each module of the folder imported and the definitions at its scope collected. Nothing
    is listed by hand. The tree is made from the imported ``defs`` package itself, not by
    looking for pyproject.toml from this file up: the installed package (the image's
    site-packages, a Celery worker started anywhere) loads as the checkout does.

    ``dg.load_from_defs_folder`` is this tree built at its root, which adds a catalog of
    every installed component type for the UI: that imports each installed Dagster
    library's components (dagster-snowflake's pull in the Snowflake connector, pandas,
    pyarrow), 6.5 s of CPU on the development machine in every process that loads the
    location — the code server, each run — against 0.1 s for the folder itself. So the
    tree is built at the defs folder, and attached as that function attaches it (the UI's
    view of the project's components). Once per process: the definitions never change."""
    tree = dg.ComponentTree.from_module(defs_module=importlib.import_module(f"{__package__}.defs"),
                                        project_root=Path(__file__).parent)
    with warnings.catch_warnings():  # module loading is a preview in Dagster 1.13
        warnings.simplefilter("ignore", dg.PreviewWarning)
        declared = tree.build_defs(tree.defs_module_path)
    return dg.Definitions.merge(declared, dg.Definitions(component_tree=tree))


def _without_check(definitions: dg.Definitions,
                   check: dg.AssetChecksDefinition) -> dg.Definitions:
    return dg.Definitions(
        assets=definitions.assets, jobs=definitions.jobs, sensors=definitions.sensors,
        schedules=definitions.schedules,
        asset_checks=[c for c in definitions.asset_checks or () if c is not check],
        resources=definitions.resources, executor=definitions.executor,
        loggers=definitions.loggers, metadata=definitions.metadata,
        component_tree=definitions.component_tree)


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
