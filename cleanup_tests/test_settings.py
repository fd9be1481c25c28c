"""Deployed mode refuses to guess: with CLEANUP_DEPLOYMENT=production a missing or local-only
setting fails the load, naming the variable, before anything is built or written. Locally
the embedded fallbacks stay the default."""

from __future__ import annotations

import subprocess

import dagster as dg
import pytest
from dagster_aws.s3 import S3Resource

from cleanup_assets.definitions import definitions_from_environment
from cleanup_assets.defs.resources import (
    AmopHttp,
    AmopOutbox,
    LocalSyncLog,
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
)
from cleanup_assets.settings import (
    SETTINGS,
    ConfigurationError,
    Settings,
    parse_bool,
    secret_names,
)

from .builders import PRODUCTION
from .processes import BIN, ROOT, environment

REQUIRED = [s.name for s in SETTINGS if s.required_in_production]


def test_a_complete_production_environment_loads():
    defs = definitions_from_environment(Settings(PRODUCTION))
    database = defs.resources["database"]
    assert isinstance(database.url, dg.EnvVar)  # resolved at run time, never in the UI
    assert defs.resolve_job_def("finalize_device_sync").executor_def.name == "in_process"


@pytest.mark.parametrize("missing", REQUIRED)
def test_production_without_a_required_setting_fails_naming_it(missing):
    environ = {k: v for k, v in PRODUCTION.items() if k != missing}

    with pytest.raises(ConfigurationError) as failure:
        definitions_from_environment(Settings(environ))

    assert f"{missing} is missing" in str(failure.value)
    assert "s3cret" not in str(failure.value)


def test_every_missing_setting_is_named_at_once():
    problems = Settings({"CLEANUP_DEPLOYMENT": "production"}).problems()
    assert [p.split()[0] for p in problems] == REQUIRED


@pytest.mark.parametrize("name, value", [
    ("CLEANUP_DATABASE_URL", "sqlite:////var/tmp/cleanup.db"),
    ("CLEANUP_JASPER_DATABASE_URL", "SQLITE:///jasper.db"),
    ("CLEANUP_EMAIL_TRANSPORT", "outbox"),
    ("CLEANUP_OPERATOR_EMAIL_ADDRESSES", "operators@localhost"),
])
def test_production_refuses_the_local_fallbacks(name, value):
    problems = Settings({**PRODUCTION, name: value}).problems()
    assert problems == [f"{name} is a local fallback ({value.split(':')[0].lower()}), "
                        "refused in production"]


def test_smtp_needs_its_host_in_production_and_celery_its_broker_and_backend():
    smtp = Settings({**PRODUCTION, "CLEANUP_EMAIL_TRANSPORT": "smtp"}).problems()
    assert [p.split()[0] for p in smtp] == ["CLEANUP_SMTP_HOST"]
    celery = Settings({**PRODUCTION, "CLEANUP_EXECUTOR": "celery"}).problems()
    assert [p.split()[0] for p in celery] == ["CLEANUP_CELERY_BROKER_URL",
                                             "CLEANUP_CELERY_BACKEND_URL"]
    rpc = Settings({**PRODUCTION, "CLEANUP_EXECUTOR": "celery",
                    "CLEANUP_CELERY_BROKER_URL": "pyamqp://u:p@mq//",
                    "CLEANUP_CELERY_BACKEND_URL": "rpc://"}).problems()
    assert rpc == ["CLEANUP_CELERY_BACKEND_URL is a local fallback (rpc), refused in production"]


def test_the_sync_log_bucket_is_required_only_while_the_log_is_enabled():
    without_bucket = {k: v for k, v in PRODUCTION.items()
                      if k != "DEVICE_SYNC_SUMMARY_LOG_S3_BUCKET_NAME"}
    assert [p.split()[0] for p in Settings(without_bucket).problems()] == [
        "DEVICE_SYNC_SUMMARY_LOG_S3_BUCKET_NAME"]
    assert Settings({**without_bucket, "DEVICE_SYNC_SUMMARY_LOG_ENABLE": "0"}).problems() == []
    defs = definitions_from_environment(Settings({**without_bucket,
                                                  "DEVICE_SYNC_SUMMARY_LOG_ENABLE": "false"}))
    assert isinstance(defs.resources["sync_log"], NoSyncLog)


def test_the_history_stage_takes_the_legacy_variable_names():
    defs = definitions_from_environment(Settings({
        **PRODUCTION, "SnowflakeS3BucketName": "stage", "SnowflakeS3BucketPath": "history"}))
    stage = defs.resources["history_stage"]
    assert isinstance(stage, S3HistoryStage)
    assert isinstance(stage.bucket, dg.EnvVar) and isinstance(stage.path, dg.EnvVar)
    assert isinstance(definitions_from_environment(Settings({})).resources["history_stage"],
                      NoHistoryStage)
    only_bucket = definitions_from_environment(Settings({"SnowflakeS3BucketName": "stage"}))
    assert isinstance(only_bucket.resources["history_stage"], NoHistoryStage)


def test_locally_every_fallback_is_the_default():
    defs = definitions_from_environment(Settings({}))
    assert defs.resources["database"].url is None  # the embedded SQLite file
    assert defs.resources["email"].transport == "outbox"
    assert isinstance(defs.resources["email"], OutboxMailer)
    assert isinstance(defs.resources["optimization_queue"], OutboxQueue)
    assert isinstance(defs.resources["device_sync_queue"], OutboxQueue)
    assert isinstance(defs.resources["sync_log"], LocalSyncLog)  # the local folder
    assert defs.resources["sync_log"].writes is True
    amop = defs.resources["amop"]
    assert isinstance(amop.sync_update, AmopOutbox) and isinstance(amop.optimization, AmopOutbox)
    assert isinstance(defs.resources["history_stage"], NoHistoryStage)
    assert isinstance(defs.resources["warehouse"], NoWarehouse)


def test_configured_systems_get_their_real_transport_with_the_connections_nested():
    """The class of each external system is chosen once, where definitions are assembled;
    dagster-aws's S3Resource and dagster-snowflake's SnowflakeResource are nested in ours,
    their secrets EnvVars."""
    from dagster_snowflake import SnowflakeResource

    defs = definitions_from_environment(Settings({
        **PRODUCTION, "CLEANUP_DEVICE_SYNC_QUEUE_URL": "https://sqs.example/1/device-sync",
        "CLEANUP_AWS_ENDPOINT_URL": "http://127.0.0.1:1", "SnowflakeS3BucketName": "stage",
        "SnowflakeS3BucketPath": "history", "CLEANUP_SNOWFLAKE_ACCOUNT": "acct",
        "CLEANUP_SNOWFLAKE_USER": "svc", "CLEANUP_SNOWFLAKE_PASSWORD": "s3cret-pw"}))
    resources = defs.resources
    assert isinstance(resources["device_sync_queue"], SqsQueue)
    assert isinstance(resources["optimization_queue"], SqsQueue)
    amop = resources["amop"]
    assert isinstance(amop.sync_update, AmopHttp) and isinstance(amop.optimization, AmopHttp)
    assert isinstance(amop.optimization.api_key, dg.EnvVar)
    assert isinstance(resources["email"], SesMailer)
    sync_log, stage = resources["sync_log"], resources["history_stage"]
    assert isinstance(sync_log, S3SyncLog) and isinstance(stage, S3HistoryStage)
    for nested in (sync_log.s3, stage.s3):
        assert isinstance(nested, S3Resource)
        assert isinstance(nested.endpoint_url, dg.EnvVar)  # CLEANUP_AWS_ENDPOINT_URL
    warehouse = resources["warehouse"]
    assert isinstance(warehouse, SnowflakeWarehouse)
    assert isinstance(warehouse.snowflake, SnowflakeResource)
    assert isinstance(warehouse.snowflake.password, dg.EnvVar)
    smtp = definitions_from_environment(Settings({
        **PRODUCTION, "CLEANUP_EMAIL_TRANSPORT": "smtp", "CLEANUP_SMTP_HOST": "mail.internal",
        "CLEANUP_SMTP_PASSWORD": "s3cret-pw"})).resources["email"]
    assert isinstance(smtp, SmtpMailer) and smtp.host == "mail.internal"
    assert isinstance(smtp.password, dg.EnvVar)
    assert smtp.operator_addresses == "cleanup-operators@example.com"


def test_an_amop_url_left_unset_is_that_endpoints_outbox_and_the_key_is_optional():
    amop = definitions_from_environment(Settings({
        "CLEANUP_AMOP_SYNC_UPDATE_URL": "https://amop.internal/sync"})).resources["amop"]
    assert isinstance(amop.sync_update, AmopHttp) and isinstance(amop.optimization, AmopOutbox)
    assert amop.sync_update.api_key is None  # no key header


def test_the_nested_s3_resource_reaches_the_configured_endpoint(tmp_path, monkeypatch,
                                                               moto_endpoint, aws_env):
    """The sync log's S3Resource is nested and its EnvVars resolved: the file lands on the
    moto server CLEANUP_AWS_ENDPOINT_URL names, through one client kept by the resource."""
    import boto3

    from .servers import free_port

    bucket = f"sync-logs-{free_port()}"
    s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket=bucket)
    environ = {"DEVICE_SYNC_SUMMARY_LOG_S3_BUCKET_NAME": bucket,
               "CLEANUP_AWS_ENDPOINT_URL": moto_endpoint}
    for name, value in environ.items():  # EnvVars are resolved from the process environment
        monkeypatch.setenv(name, value)
    defs = definitions_from_environment(Settings(environ))
    source = tmp_path / "log.txt"
    source.write_bytes(b"ID\n")
    clients = []
    make_client = S3Resource.get_client
    monkeypatch.setattr(S3Resource, "get_client",
                        lambda self: clients.append(make_client(self)) or clients[-1])

    with dg.build_resources({"sync_log": defs.resources["sync_log"]}) as built:
        first = built.sync_log.put("Jasper-20260301.txt", source)
        second = built.sync_log.put("Jasper-20260302.txt", source)

    assert (first, second) == (f"s3://{bucket}/Jasper-20260301.txt",
                               f"s3://{bucket}/Jasper-20260302.txt")
    (client,) = clients  # made once, for both puts
    assert client.meta.endpoint_url == moto_endpoint
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == [
        "Jasper-20260301.txt", "Jasper-20260302.txt"]
    assert s3.get_object(Bucket=bucket, Key="Jasper-20260302.txt")["Body"].read() == b"ID\n"


def test_the_nested_snowflake_resource_connects_with_the_environments_settings(
        tmp_path, monkeypatch):
    import fakesnow

    environ = {"CLEANUP_SNOWFLAKE_ACCOUNT": "acct", "CLEANUP_SNOWFLAKE_USER": "svc",
               "CLEANUP_SNOWFLAKE_PASSWORD": "s3cret-pw", "CLEANUP_SNOWFLAKE_DATABASE": "HISTORY"}
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    defs = definitions_from_environment(Settings(environ))

    with fakesnow.patch(db_path=str(tmp_path)), dg.build_resources(
            {"warehouse": defs.resources["warehouse"]}) as built:
        with built.warehouse.get_connection() as snow:
            cursor = snow.cursor()
            cursor.execute("SELECT CURRENT_DATABASE(), CURRENT_SCHEMA()")
            assert cursor.fetchone() == ("HISTORY", "PUBLIC")


def test_snowflake_configured_without_its_extra_refuses_to_load_naming_the_extra(monkeypatch):
    """The SnowflakeResource is nested in the warehouse where definitions are assembled: an
    install without the `snowflake` extra is refused at load (and by `settings --check`), not
    at the history step."""
    import sys

    monkeypatch.setitem(sys.modules, "dagster_snowflake", None)  # an install without `snowflake`
    environ = {"CLEANUP_SNOWFLAKE_ACCOUNT": "acct", "CLEANUP_SNOWFLAKE_PASSWORD": "s3cret"}

    with pytest.raises(ConfigurationError) as refused:
        definitions_from_environment(Settings(environ))

    assert "install cleanup_assets[snowflake]" in str(refused.value)
    assert "s3cret" not in str(refused.value)


def test_the_executor_is_chosen_by_configuration():
    local = definitions_from_environment(Settings({}))
    assert local.resolve_job_def("finalize_device_sync").executor_def.name == "in_process"
    assert local.resolve_implicit_global_asset_job_def().executor_def.name == "in_process"
    celery = definitions_from_environment(Settings({"CLEANUP_EXECUTOR": "celery"}))
    assert celery.resolve_job_def("finalize_device_sync").executor_def.name == "celery"


def test_invalid_values_fail_in_every_mode_without_showing_secrets():
    problems = Settings({"CLEANUP_EXECUTOR": "threads", "CLEANUP_SMTP_STARTTLS": "maybe",
                         "CLEANUP_EMAIL_TRANSPORT": "pigeon"}).problems()
    assert [p.split()[0] for p in problems] == ["CLEANUP_EMAIL_TRANSPORT",
                                                "CLEANUP_SMTP_STARTTLS", "CLEANUP_EXECUTOR"]


@pytest.mark.parametrize("text, value", [("1", True), ("TRUE", True), ("yes", True),
                                         ("on", True), ("", False), ("0", False),
                                         ("False", False), ("no", False)])
def test_booleans_are_parsed_in_one_place(text, value):
    assert parse_bool("X", text) is value


def test_secrets_are_never_shown_in_the_settings_table():
    table = Settings(PRODUCTION).table()
    shown = {row["name"]: row["value"] for row in table}
    assert shown["CLEANUP_DATABASE_URL"] == "(set)"
    assert shown["CLEANUP_AMOP_API_KEY"] == "(set)"
    assert "CLEANUP_DATABASE_URL" in secret_names()


@pytest.mark.slow  # starts a process (the CLI, a fresh interpreter)
def test_definitions_validate_fails_at_load_naming_the_missing_database_url(tmp_path):
    env = environment(tmp_path, **{k: v for k, v in PRODUCTION.items()
                                   if k != "CLEANUP_DATABASE_URL"})

    completed = subprocess.run(
        [str(BIN / "dagster"), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

    output = completed.stdout + completed.stderr
    assert completed.returncode != 0
    assert "CLEANUP_DATABASE_URL is missing" in output
    assert "s3cret" not in output
    assert not (tmp_path / "cleanup_home").exists()  # no embedded database, no outbox
    # Only what Dagster's own (here SQLite) instance creates on any command, nothing of ours.
    written = {p.relative_to(tmp_path).parts[0] for p in tmp_path.rglob("*") if p.is_file()}
    assert written == {"dagster_home"}


@pytest.mark.parametrize("central, jasper, refused", [
    ("postgresql+psycopg://u:s3cret@db/platform", "postgresql+psycopg://u:s3cret@db/jasper", True),
    ("mssql+pyodbc://u:s3cret@sql1/Central?driver=x", "mssql+pyodbc://u:s3cret@sql2/Jasper?driver=x",
     True),
    ("mssql+pyodbc://u:s3cret@sql1/Central?driver=x", "mssql+pyodbc://u:s3cret@sql1/Jasper?driver=x",
     False),
    ("sqlite:///central.db", "sqlite:///jasper.db", False),
])
def test_two_databases_that_cannot_be_joined_are_refused_before_anything_loads(
        central, jasper, refused):
    """Not a runtime CrossDatabaseError after a green check (issue 21): the same message at
    `settings --check`, at load and from a statement."""
    from cleanup_assets.db import UNJOINABLE

    environ = {**PRODUCTION, "CLEANUP_DATABASE_URL": central,
               "CLEANUP_JASPER_DATABASE_URL": jasper}
    if central.startswith("sqlite"):
        environ = {"CLEANUP_DATABASE_URL": central, "CLEANUP_JASPER_DATABASE_URL": jasper}
    problems = Settings(environ).problems()
    assert (UNJOINABLE in problems) is refused
    if refused:
        with pytest.raises(ConfigurationError, match="cannot join"):
            definitions_from_environment(Settings(environ))


def test_procedure_names_must_name_every_legacy_constant():
    """A deployment states the name behind each C# constant once (CLEANUP_PROCEDURE_NAMES);
    one left out, or a name that cannot be a procedure's, is refused naming it."""
    partial = dict(PRODUCTION, CLEANUP_PROCEDURE_NAMES="POND_DEVICE_SYNC=usp_Pond_DeviceSync")
    (problem,) = Settings(partial).problems()
    assert "CLEANUP_PROCEDURE_NAMES must name every legacy constant" in problem
    assert "usp_Teal_Device_Sync" in problem
    bad = dict(PRODUCTION, CLEANUP_PROCEDURE_NAMES=PRODUCTION["CLEANUP_PROCEDURE_NAMES"]
               .replace("=usp_Pond_DeviceSync", "=dbo.[x]"))
    assert "not a procedure name" in Settings(bad).problems()[0]


def test_the_cut_over_settings_choose_the_engine_per_integration_and_the_shadow():
    from cleanup_assets.sql.finalize import FinalizeEngine

    defs = definitions_from_environment(Settings({
        "CLEANUP_FINALIZE_ENGINE": "procedures", "CLEANUP_SHADOW_ENGINE": "set_based",
        "CLEANUP_SET_BASED_INTEGRATIONS": " ThingSpace, teal"}))
    database = defs.resources["database"]
    assert [database.engine_kind(key) for key in ("thingspace", "teal", "jasper")] == [
        FinalizeEngine.SET_BASED, FinalizeEngine.SET_BASED, FinalizeEngine.PROCEDURES]
    assert database.shadow_kind() is FinalizeEngine.SET_BASED
    # engines_agree exists only where a shadow runs
    checks = {key.name for key in defs.resolve_asset_graph().asset_check_keys}
    assert "engines_agree" in checks
    plain = definitions_from_environment(Settings({}))
    assert "engines_agree" not in {k.name for k in plain.resolve_asset_graph().asset_check_keys}
    problems = Settings({"CLEANUP_SET_BASED_INTEGRATIONS": "thingspace,verizon"}).problems()
    assert any("CLEANUP_SET_BASED_INTEGRATIONS" in p and "an unknown integration verizon" in p
               for p in problems), problems


def test_a_malformed_database_url_is_a_finding_not_a_crash():
    problems = Settings({"CLEANUP_DATABASE_URL": "postgresql://u:s3cret@h:54x/db",
                         "CLEANUP_JASPER_DATABASE_URL": "postgresql://u:s3cret@h/j"}).problems()
    assert problems == ["CLEANUP_DATABASE_URL or CLEANUP_JASPER_DATABASE_URL is not a database "
                        "URL"]
