"""Every setting of the code location, declared once.

Each entry says which environment variable carries it, whether a deployed location must
have it (``CLEANUP_DEPLOYMENT=production``) and under which condition, whether it is a
secret, what it falls back to locally, and what it is for. ``definitions.py`` reads its
resources from here, the production check walks this table, and ``cleanup-assets
settings`` prints it. Adding a setting is one entry.

Locally (the default) every external system has a fallback — the embedded SQLite file,
the outbox under ``$CLEANUP_HOME``, a local sync-log folder — so the demo and the tests
need no configuration. In production a fallback would write to a folder on the worker and
report success, so a missing or local-only value fails the load instead, naming every
variable at once (``dagster definitions validate`` shows it). Values are never part of a
message: a secret is only ever said to be missing or refused.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from typing import Callable, Mapping, Optional

import dagster as dg
from sqlalchemy.exc import ArgumentError

from .db import UNJOINABLE, default_database_url, unjoinable_databases
from .freshness import parse_expectations
from .integration_ids import parse_configured
from .registry import INTEGRATION_KEYS, parse_procedure_names

DEPLOYMENT = "CLEANUP_DEPLOYMENT"
PRODUCTION = "production"
LOCAL = "local"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


@dataclass(frozen=True)
class Setting:
    """One environment variable of the location."""

    name: str
    description: str
    default: Optional[str] = None  # the local fallback; None: unset (the feature is off)
    secret: bool = False  # read through dg.EnvVar, never shown
    required_in_production: bool = False
    # Required in production only when another setting has this value, e.g.
    # ("CLEANUP_EMAIL_TRANSPORT", "smtp").
    required_when: Optional[tuple[str, str]] = None
    # Values (lower-case prefixes) that are local fallbacks and refused in production.
    local_only: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    boolean: bool = False
    # Checks a set value; raises ValueError saying what is wrong (never the value itself).
    check: Optional[Callable[[str], object]] = None

    def requirement(self) -> str:
        """How the production check treats it, in words (for the settings table)."""
        if self.required_when:
            return f"when {self.required_when[0]}={self.required_when[1]}"
        return "yes" if self.required_in_production else "no"


def parse_integration_keys(text: str) -> list[str]:
    """``thingspace,teal`` -> the registry keys; an unknown key is refused by name (a key is
    not a secret)."""
    keys = [key.strip().lower() for key in text.split(",") if key.strip()]
    unknown = [key for key in keys if key not in INTEGRATION_KEYS]
    if unknown:
        raise ValueError(f"CLEANUP_SET_BASED_INTEGRATIONS names an unknown integration "
                         f"{', '.join(unknown)}: one of {', '.join(INTEGRATION_KEYS)}")
    return keys


def _snowflake_installed(_account: str) -> None:
    """A Snowflake account needs the `snowflake` extra: definitions.py nests dagster-snowflake's
    SnowflakeResource in the warehouse resource where definitions are assembled."""
    if importlib.util.find_spec("dagster_snowflake") is None:
        raise ValueError("CLEANUP_SNOWFLAKE_ACCOUNT is set but dagster-snowflake is not "
                         "installed: install cleanup_assets[snowflake]")


SETTINGS: tuple[Setting, ...] = (
    Setting(DEPLOYMENT, "`production`: every required setting must be configured and no local "
            "fallback is accepted; `local`: the embedded defaults", default=LOCAL,
            choices=(LOCAL, PRODUCTION)),
    Setting("CLEANUP_HOME", "local folder of the embedded database, outboxes and sync logs",
            default="~/.cleanup_assets"),
    # The databases.
    Setting("CLEANUP_DATABASE_URL", "the platform database (SQLAlchemy URL: mssql+pyodbc://…, "
            "postgresql+psycopg://…)", secret=True, required_in_production=True,
            local_only=("sqlite",)),
    Setting("CLEANUP_JASPER_DATABASE_URL", "the legacy's separate Jasper database (locally: the "
            "platform database)", secret=True, required_in_production=True,
            local_only=("sqlite",)),
    Setting("CLEANUP_INTEGRATION_IDS", "the legacy IntegrationType enum's ids, as "
            "`Jasper=1,ThingSpace=3,…` (legacy enum names); unset: each integration is the "
            "Integration row whose Name is its enum name, ignoring case and punctuation",
            check=parse_configured),
    Setting("CLEANUP_PROCEDURE_NAMES", "the procedure behind each legacy C# constant the "
            "legacy calls by (AMOPConstants.StoredProcedureName.X): `POND_DEVICE_SYNC=<name>,"
            "usp_Teal_Device_Sync=<name>,…`, every constant of registry.CONSTANT_PROCEDURES "
            "named; unset (locally only): each constant's own name",
            required_in_production=True, check=parse_procedure_names),
    Setting("CLEANUP_FINALIZE_ENGINE", "procedures (the legacy procedures; the default on SQL "
            "Server) | set_based (our SQL; the default elsewhere, on SQL Server a migration "
            "path); unset: the database's default", choices=("procedures", "set_based")),
    Setting("CLEANUP_SET_BASED_INTEGRATIONS", "integrations the set-based engine finalizes "
            "whatever CLEANUP_FINALIZE_ENGINE says, as registry keys (`thingspace,teal`): the "
            "cut-over from the procedures, one integration at a time (README, Deploying)",
            check=parse_integration_keys),
    Setting("CLEANUP_SHADOW_ENGINE", "set_based: with the procedures finalizing, run our engine "
            "beside them in a transaction that is always rolled back and record what it would "
            "have changed (`cleanup-assets shadow-report`); unset: no shadow",
            choices=("set_based",)),
    # AWS.
    Setting("CLEANUP_DEVICE_SYNC_QUEUE_URL", "the legacy SQS device-notification queue the "
            "sensor reads (unset: the database inbox only)"),
    Setting("CLEANUP_AWS_ENDPOINT_URL", "a local AWS endpoint (moto); unset: AWS"),
    Setting("AWS_REGION", "the AWS region (else AWS_DEFAULT_REGION)", default="us-east-1"),
    Setting("CLEANUP_OPTIMIZATION_QUEUE_URL", "the carrier-optimization SQS queue (a .fifo URL "
            "gets deduplication ids); unset: the local outbox", required_in_production=True),
    # AMOP 2.0.
    Setting("CLEANUP_AMOP_SYNC_UPDATE_URL", "AMOP 2.0 daily-sync notification endpoint; unset: "
            "the local outbox", required_in_production=True),
    Setting("CLEANUP_AMOP_OPTIMIZATION_URL", "AMOP 2.0 optimization progress / error endpoint; "
            "unset: the local outbox", required_in_production=True),
    Setting("CLEANUP_AMOP_API_KEY", "AMOP 2.0 API key, sent as x-api-key; unset: no key header "
            "(the legacy sends none)", secret=True),
    # Mail.
    Setting("CLEANUP_EMAIL_TRANSPORT", "outbox | smtp | ses", default="outbox",
            required_in_production=True, local_only=("outbox",),
            choices=("outbox", "smtp", "ses")),
    Setting("CLEANUP_SMTP_HOST", "SMTP server", default="127.0.0.1",
            required_when=("CLEANUP_EMAIL_TRANSPORT", "smtp")),
    Setting("CLEANUP_SMTP_PORT", "SMTP port", default="25"),
    Setting("CLEANUP_SMTP_USERNAME", "SMTP user", secret=True),
    Setting("CLEANUP_SMTP_PASSWORD", "SMTP password", secret=True),
    Setting("CLEANUP_SMTP_STARTTLS", "SMTP: STARTTLS before login", default="false",
            boolean=True),
    Setting("CLEANUP_SES_ENDPOINT_URL", "a local SES endpoint (moto); unset: AWS"),
    Setting("CLEANUP_STALE_AFTER_HOURS", "hours a provider may go without a finalized sync "
            "before it is stale (check finalized_recently, an email to the operators): 26, "
            "or per integration jasper=30,telegence=48, or both: 30,telegence=48",
            default="26", check=parse_expectations),
    # Ours: a failed run reaches a person (defs/alerts). Required in production: without
    # it a failure of a carrier that did not ask for optimization would notify no one.
    Setting("CLEANUP_OPERATOR_EMAIL_ADDRESSES", "the operators' addresses (`;`-separated): "
            "every failed run is emailed to them once", default="operators@localhost",
            required_in_production=True, local_only=("operators@localhost",)),
    # Sync log and history. The legacy reads the sync-log variables through C# constants
    # (EnvironmentVariableKeyConstants.DEVICE_SYNC_SUMMARY_LOG_ENABLE / _S3_BUCKET_NAME,
    # F:124-125) whose values are not public: these are the constants' names, taken as the
    # variables' names. The Snowflake stage names are the legacy's literals
    # (GetDevicesCleanupSqsValues.cs:91-94).
    Setting("DEVICE_SYNC_SUMMARY_LOG_ENABLE", "write the device sync log "
            "(<Carrier>-yyyyMMdd.txt per carrier family)", default="true", boolean=True,
            required_in_production=True),
    Setting("DEVICE_SYNC_SUMMARY_LOG_S3_BUCKET_NAME", "S3 bucket of the device sync log (files "
            "at its root); unset: $CLEANUP_HOME/sync-logs",
            required_when=("DEVICE_SYNC_SUMMARY_LOG_ENABLE", "true")),
    Setting("SnowflakeS3BucketName", "Snowflake stage bucket of the device history files "
            "(with SnowflakeS3BucketPath; either unset: no history file)"),
    Setting("SnowflakeS3BucketPath", "key prefix of the device history files in the stage "
            "bucket: <path>/DeviceHistory_<spId>_<yyyyMMddHHmmss>.csv"),
    Setting("CLEANUP_SNOWFLAKE_ACCOUNT", "Snowflake account of the device history (needs the "
            "`snowflake` extra); unset: the history is skipped (and says so)",
            check=_snowflake_installed),
    Setting("CLEANUP_SNOWFLAKE_USER", "Snowflake user", secret=True),
    Setting("CLEANUP_SNOWFLAKE_PASSWORD", "Snowflake password", secret=True),
    Setting("CLEANUP_SNOWFLAKE_DATABASE", "Snowflake database"),
    Setting("CLEANUP_SNOWFLAKE_SCHEMA", "Snowflake schema", default="PUBLIC"),
    Setting("CLEANUP_SNOWFLAKE_WAREHOUSE", "Snowflake warehouse"),
    # How runs execute.
    Setting("CLEANUP_EXECUTOR", "in_process (each run in its own process, all steps in it) | "
            "celery (steps on Celery workers)", default="in_process",
            choices=("in_process", "celery")),
    Setting("CLEANUP_CELERY_BROKER_URL", "Celery broker (RabbitMQ)",
            default="pyamqp://guest@127.0.0.1:5672//", secret=True,
            required_when=("CLEANUP_EXECUTOR", "celery")),
    Setting("CLEANUP_CELERY_BACKEND_URL", "Celery result backend (Redis; rpc:// leaves a reply "
            "queue per run process on the broker and is refused in production)",
            default="redis://127.0.0.1:6379/0", secret=True,
            required_when=("CLEANUP_EXECUTOR", "celery"), local_only=("rpc",)),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


def parse_bool(name: str, value: Optional[str]) -> bool:
    """"1", "true", "yes", "on" (any case) are true; "", "0", "false", "no", "off" false."""
    text = (value or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigurationError(f"{name} must be true or false (1/0, yes/no), not {value!r}")


class ConfigurationError(ValueError):
    """The environment does not configure a deployable location."""


class Settings:
    """The settings as the environment gives them (``os.environ`` by default)."""

    def __init__(self, environ: Optional[Mapping[str, str]] = None):
        self._environ = os.environ if environ is None else environ

    def raw(self, name: str) -> Optional[str]:
        """The variable's own value (stripped), None when unset or empty."""
        BY_NAME[name]  # only declared settings are read
        value = self._environ.get(name)
        if name == "AWS_REGION" and not value:
            value = self._environ.get("AWS_DEFAULT_REGION")
        value = value.strip() if value else value
        return value or None

    def is_set(self, name: str) -> bool:
        return self.raw(name) is not None

    def value(self, name: str) -> Optional[str]:
        """The configured value, else the local default."""
        return self.raw(name) or BY_NAME[name].default

    def flag(self, name: str) -> bool:
        return parse_bool(name, self.value(name))

    def env(self, name: str):
        """For a resource field: ``dg.EnvVar(name)`` when set (resolved at run time, never
        shown in the UI or run config), else the local default."""
        if self.is_set(name):
            return dg.EnvVar(name)
        return BY_NAME[name].default

    @property
    def deployment(self) -> str:
        return (self.value(DEPLOYMENT) or LOCAL).lower()

    @property
    def production(self) -> bool:
        return self.deployment == PRODUCTION

    def problems(self) -> list[str]:
        """What keeps this environment from loading: invalid values always, and two databases
        that cannot be joined; in production also every missing required setting and every
        local-only value. Never a value of a secret."""
        found = self._database_problems()
        for setting in SETTINGS:
            value = self.raw(setting.name)
            shown = "(secret)" if setting.secret else repr(value)
            if value is not None and setting.choices and value.lower() not in setting.choices:
                found.append(f"{setting.name} is {shown}: one of {', '.join(setting.choices)}")
            if value is not None and setting.boolean:
                try:
                    parse_bool(setting.name, value)
                except ConfigurationError as error:
                    found.append(str(error) if not setting.secret else f"{setting.name} is "
                                 "not a boolean")
            if value is not None and setting.check is not None:
                try:
                    setting.check(value)
                except ValueError as error:
                    found.append(str(error))
            if not self.production:
                continue
            required = setting.required_in_production
            if setting.required_when:
                required = self._other_is(*setting.required_when)
            if required and value is None:
                found.append(f"{setting.name} is missing: {setting.description}")
            elif required or value is not None:
                effective = (value or "").lower()
                refused = [p for p in setting.local_only if effective.startswith(p)]
                if refused:
                    found.append(f"{setting.name} is a local fallback ({refused[0]}), refused "
                                 "in production")
        return found

    def _database_problems(self) -> list[str]:
        try:
            central = self.raw("CLEANUP_DATABASE_URL") or default_database_url()
            if unjoinable_databases(central, self.raw("CLEANUP_JASPER_DATABASE_URL")):
                return [UNJOINABLE]
        except (ArgumentError, ValueError):  # a malformed URL (or port): named, never shown
            return ["CLEANUP_DATABASE_URL or CLEANUP_JASPER_DATABASE_URL is not a database URL"]
        return []

    def _other_is(self, other: str, wanted: str) -> bool:
        """Whether setting ``other`` is set to ``wanted`` (a boolean by its meaning). Unset, it
        requires nothing: a required ``other`` is reported missing on its own."""
        value = self.raw(other)
        if value is None:
            return False
        if BY_NAME[other].boolean:
            try:
                return parse_bool(other, value) == parse_bool(other, wanted)
            except ConfigurationError:
                return False  # reported as invalid on its own
        return value.lower() == wanted

    def check(self) -> None:
        """Raise naming every problem at once, or return."""
        found = self.problems()
        if found:
            where = (f"{DEPLOYMENT}={PRODUCTION}" if self.production else "the environment")
            raise ConfigurationError(
                f"{where} does not configure a deployable location; nothing was loaded:\n  - "
                + "\n  - ".join(found))

    def table(self) -> list[dict]:
        """Every setting with whether it is set here — never its value when secret."""
        out = []
        for s in SETTINGS:
            value = self.raw(s.name)
            out.append({
                "name": s.name,
                "required_in_production": s.requirement(),
                "secret": s.secret,
                "default": s.default or "",
                "set": value is not None,
                "value": ("(set)" if value is not None else "") if s.secret else (value or ""),
                "description": s.description,
            })
        return out


def secret_names() -> list[str]:
    return [s.name for s in SETTINGS if s.secret]
