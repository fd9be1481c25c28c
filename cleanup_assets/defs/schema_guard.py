"""A sensor over a database that has none of our tables yet (``dagster dev`` started before
``cleanup-assets init-db``, a deployment before its DDL) says so in its tick and waits,
instead of failing every tick with a traceback. A schema of ours half there (a release's new
column not yet added) fails the tick naming what is missing and the fix
(``schema.require_own_tables``); any other database error is raised as it was: a missing
legacy table or a lost server is a failure the UI must show."""

from __future__ import annotations

import functools
import inspect

import dagster as dg
from sqlalchemy.exc import DBAPIError

from ..db import short_error
from ..schema import REQUIRED_OWN_TABLES, missing_own_tables, require_own_tables


def waits_for_the_schema(sensor_fn):
    """Wrap a sensor's function (its resource ``database`` a ``DatabaseResource``): on a
    database error, a skip when the central database has none of our tables. Dagster reads
    the wrapped function's parameters (``functools.wraps``) and passes them by keyword."""
    if inspect.isgeneratorfunction(sensor_fn):  # its body would run outside the guard
        raise TypeError(f"{sensor_fn.__name__}: a generator sensor cannot be guarded")

    @functools.wraps(sensor_fn)
    def evaluate(*args, **kwargs):
        try:
            return sensor_fn(*args, **kwargs)
        except DBAPIError as error:
            database = kwargs.get("database")
            if database is None:
                raise
            try:
                with database.get_engine().connect() as conn:
                    missing = set(missing_own_tables(conn))
                    if all(t.name in missing for t in REQUIRED_OWN_TABLES):
                        return dg.SkipReason(
                            "the database has no schema of ours yet (no table of ours; "
                            f"{short_error(error)}): run `cleanup-assets init-db` (SQL "
                            "Server: apply `cleanup-assets schema-ddl`); this sensor acts "
                            "from the first tick after")
                    require_own_tables(conn, set_based=False)  # half there: its fix, raised
            except DBAPIError:
                pass  # the check itself failed: the original error says more
            raise

    return evaluate
