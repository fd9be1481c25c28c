"""Closing the ledger rows of dead runs.

finalize.py writes a sync's ``CleanupDeviceSync`` row ``running`` before the engine and
closes it itself — unless its process dies (killed, lost with its pod, terminated by an
operator): then the row would say ``running`` for ever. When run monitoring, the code
server or an operator has marked the run failed or cancelled, the stop sensors learn it
(defs/optimization/sensors.py) and close its rows here: ``failed``, the finish time, and
an error saying how the run ended and who learned it. Only rows still ``running`` are
touched (a conditional UPDATE), so a sync the run itself closed keeps its own outcome.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection

from ..db import utcnow
from ..schema import SYNC_FAILED, SYNC_RUNNING, device_sync


def _running(conn: Connection) -> list[tuple[int, str]]:
    return conn.execute(select(device_sync.c.id, device_sync.c.RunId).where(
        device_sync.c.Status == SYNC_RUNNING)).all()


def runs_with_running_syncs(conn: Connection, run_ids: set[str]) -> set[str]:
    """Which of these runs have a ledger row still ``running``."""
    return {run_id for _, run_id in _running(conn) if run_id in run_ids}


def close_syncs_of_dead_runs(conn: Connection, errors_by_run: dict[str, str]) -> list[int]:
    """Mark ``failed`` every ledger row still ``running`` of these runs (finished in Dagster:
    failed or cancelled), with the run's error; returns the sync ids closed.

    The rows still running are few (the syncs in progress, and those this closes), so they
    are read first and matched here: no IN list of every dead run of the day."""
    if not errors_by_run:
        return []
    closing = [(sync_id, run_id) for sync_id, run_id in _running(conn)
               if run_id in errors_by_run]
    if not closing:
        return []
    conn.execute(update(device_sync).where(
        device_sync.c.id == bindparam("sync_id"), device_sync.c.Status == SYNC_RUNNING).values(
        Status=SYNC_FAILED, FinishedAt=utcnow(), Error=bindparam("error")),
        [{"sync_id": sync_id, "error": errors_by_run[run_id][:2000]}
         for sync_id, run_id in closing])
    return [sync_id for sync_id, _ in closing]
