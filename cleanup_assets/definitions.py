"""The code location: every Dagster definition, assembled in one place.

Local vs production resources are chosen here, once, from the environment:
- ``CLEANUP_DATABASE_URL`` (a secret: read through ``dg.EnvVar``) — unset: the embedded
  SQLite file under ``$CLEANUP_HOME``;
- ``CLEANUP_USE_LEGACY_PROCEDURES=1`` — SQL Server: call the legacy finalize procedures.
"""

import os

import dagster as dg

from .defs.device_sync.assets import carrier_staging, finalize_device_tables
from .defs.device_sync.jobs import finalize_device_sync_job
from .defs.resources import DatabaseResource


def _database() -> DatabaseResource:
    return DatabaseResource(
        url=dg.EnvVar("CLEANUP_DATABASE_URL") if os.environ.get("CLEANUP_DATABASE_URL") else None,
        use_legacy_procedures=os.environ.get("CLEANUP_USE_LEGACY_PROCEDURES", "").lower()
        in {"1", "true", "yes"},
    )


def make_definitions(database: DatabaseResource) -> dg.Definitions:
    """The location's definitions around a given database (tests pass their own)."""
    return dg.Definitions(
        assets=[carrier_staging, finalize_device_tables],
        jobs=[finalize_device_sync_job],
        resources={"database": database},
    )


defs = make_definitions(_database())
