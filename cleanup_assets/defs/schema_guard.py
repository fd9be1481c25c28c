"""A sensor over a database that has none of our tables yet (``dagster dev`` started before
``cleanup-assets init-db``, a deployment before its DDL) says so in its tick and waits,
instead of failing every tick with a traceback. Any other database error is raised as it
was: a missing legacy table or a lost server is a failure the UI must show."""

from __future__ import annotations

import functools

import dagster as dg
from sqlalchemy.exc import DBAPIError

from ..schema import missing_own_tables


def waits_for_the_schema(sensor_fn):
    """Wrap a sensor's function (its resource ``database`` a ``DatabaseResource``): on a
    database error, a skip naming the tables of ours the central database lacks, when it
    lacks any. Dagster reads the wrapped function's parameters (``functools.wraps``)."""

    @functools.wraps(sensor_fn)
    def evaluate(*args, **kwargs):
        try:
            return sensor_fn(*args, **kwargs)
        except DBAPIError:
            database = kwargs.get("database")
            if database is None:
                raise
            try:
                with database.get_engine().connect() as conn:
                    missing = missing_own_tables(conn)
            except DBAPIError:
                missing = []
            if not missing:
                raise
            shown = ", ".join(missing[:4]) + (f" and {len(missing) - 4} more"
                                              if len(missing) > 4 else "")
            return dg.SkipReason(
                f"the database has no schema of ours yet ({shown} missing): run "
                "`cleanup-assets init-db` (SQL Server: apply `cleanup-assets schema-ddl`); "
                "this sensor acts from the first tick after")

    return evaluate
