"""The database and the Dagster instance an operator command acts on, and the refusal of a
guessed one.

The database URL comes from ``CLEANUP_DATABASE_URL`` (default: the embedded SQLite file);
the Dagster instance from ``DAGSTER_HOME`` (default: ``$CLEANUP_HOME/dagster``).
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from ..db import cleanup_home, connect_databases, default_database_url
from ..settings import DEPLOYMENT, ConfigurationError, Settings

# What only a local environment may run: they write demo data over whatever is there.
LOCAL_ONLY = frozenset({"demo", "seed-demo"})
# Commands that read or write the Dagster instance.
INSTANCE = frozenset({"register-tenants", "partitions", "demo"})


def refuse_a_guessed_target(command: str, settings: Settings) -> None:
    """Every command that acts on a database or an instance refuses as the code location
    does (``Settings.check``: every missing or refused setting named at once) — in
    production a fallback (the embedded file, ``$CLEANUP_HOME/dagster``) would be a target
    the deployed sensor never reads, and the command would report success. The demo's
    commands refuse in production altogether."""
    if settings.production and command in LOCAL_ONLY:
        raise ConfigurationError(f"{DEPLOYMENT}=production: the demo's commands write demo "
                                 "data and never run in a deployment")
    settings.check()
    if settings.production and not os.environ.get("DAGSTER_HOME") and command in INSTANCE:
        raise ConfigurationError(f"{DEPLOYMENT}=production: DAGSTER_HOME is missing: the "
                                 "deployment's Dagster instance (its dagster.yaml)")


def database_url() -> str:
    """The configured platform database; the embedded file only outside production (the CLI
    refuses first, this guards every other caller)."""
    configured = os.environ.get("CLEANUP_DATABASE_URL")
    if not configured and Settings().production:
        raise ConfigurationError("CLEANUP_DEPLOYMENT=production: CLEANUP_DATABASE_URL is "
                                 "missing: the platform database")
    return configured or default_database_url()


def open_databases():
    return connect_databases(database_url(), os.environ.get("CLEANUP_JASPER_DATABASE_URL"))


def dagster_instance():
    if not os.environ.get("DAGSTER_HOME"):
        home = cleanup_home() / "dagster"
        home.mkdir(parents=True, exist_ok=True)
        os.environ["DAGSTER_HOME"] = str(home)
    Path(os.environ["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
    return dg.DagsterInstance.get()
