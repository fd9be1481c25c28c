"""The sync ledger: ``CleanupDeviceSync``, one row per sync — its one home.

Every write and read of the table is here, as plain functions over a connection:

- **create**: finalize.py opens the row ``running`` before the engine (``open_sync``) and
  closes it ``finalized`` with the counts (``record_finalized``) or ``failed`` with the
  error (``record_failed``) — nothing of ours records success for a sync that did not finish;
- **each step's outcome**: the gate's verdict (``record_gate_verdict``, what the handover
  reads), the summary's seven fields (``record_summary``), and what each report did
  (``record_outcome``: ``SyncLogObject``, ``EmailStatus``, ``HistoryStatus``), written as
  it goes so a step that fails half-way still shows what it had sent;
- **find**: the sync a run finalized — or the run it re-executes — (``sync_of_run``), the
  partition's latest (``latest_sync``), a provider's last notified sync
  (``last_notified_sync_forced``), each provider's last finalized sync (freshness.py);
- **dead runs**: when its process dies (killed, lost with its pod, terminated by an
  operator) a run leaves its row ``running``. When run monitoring, the code server or an
  operator has marked the run failed or cancelled, the stop sensors learn it
  (defs/optimization/sensors.py) and close its rows here: ``failed``, the finish time, and
  an error saying how the run ended and who learned it. Only rows still ``running`` are
  touched (a conditional UPDATE), so a sync the run itself closed keeps its own outcome.

Which row a Dagster step works on is decided once per step in defs/sync_of_run.py, from the
run; this module knows nothing of Dagster.
"""

from __future__ import annotations

from datetime import datetime
from typing import Sequence

from sqlalchemy import bindparam, desc, func, select, update
from sqlalchemy.engine import Connection

from ..db import utcnow
from ..schema import SYNC_FAILED, SYNC_FINALIZED, SYNC_RUNNING, device_sync

# CleanupDeviceSync.GateVerdict: what the handover reads, so that no re-execution of the
# handover alone (the UI's "re-execute selected step") hands over a sync the gate blocked.
VERDICT_PASSED, VERDICT_BLOCKED = "passed", "blocked"
TRIGGER_NOTIFICATION, TRIGGER_RERUN = "notification", "rerun"
ERROR_MAX = 2000  # CleanupDeviceSync.Error and the outcome columns


def providers_of(sync) -> list[int]:
    """The service providers a ledger row covers (``ServiceProviderIds``, comma-separated)."""
    return [int(p) for p in sync.ServiceProviderIds.split(",") if p]


# -- create and close ------------------------------------------------------------------------

def open_sync(conn: Connection, *, integration_key: str, tenant_key: str,
              providers: Sequence[int], run_id: str | None, trigger: str, forced: bool,
              complete: bool, engine: str, rules_version: int | None,
              active_before: int | None) -> int:
    """The sync's row, ``running``; returns its id."""
    return conn.execute(device_sync.insert().values(
        IntegrationKey=integration_key, TenantKey=tenant_key,
        ServiceProviderIds=",".join(map(str, providers)), RunId=run_id,
        Trigger=trigger, Forced=forced, Complete=complete,
        Engine=engine, Status=SYNC_RUNNING, RulesVersion=rules_version,
        StartedAt=utcnow(), ActiveDevicesBefore=active_before,
    )).inserted_primary_key[0]


def record_finalized(conn: Connection, sync_id: int, **counts) -> None:
    """The sync is final: ``finalized``, its finish time and its counts (columns of
    ``CleanupDeviceSync``; None where unknown — the legacy procedures report none)."""
    conn.execute(device_sync.update().where(device_sync.c.id == sync_id).values(
        Status=SYNC_FINALIZED, FinishedAt=utcnow(), **counts))


def record_failed(conn: Connection, sync_id: int, error: BaseException) -> None:
    conn.execute(device_sync.update().where(device_sync.c.id == sync_id).values(
        Status=SYNC_FAILED, FinishedAt=utcnow(),
        Error=f"{type(error).__name__}: {error}"[:ERROR_MAX]))


# -- each step's outcome ---------------------------------------------------------------------

def record_outcome(conn: Connection, sync_id: int, **values) -> None:
    """What a step did, on the sync's row (text cut to the column's size)."""
    conn.execute(device_sync.update().where(device_sync.c.id == sync_id).values(
        **{k: (str(v)[:ERROR_MAX] if isinstance(v, str) else v) for k, v in values.items()}))


def record_gate_verdict(conn: Connection, sync_id: int, *, blocked: bool) -> None:
    """The optimization gate's judgement of the sync (defs/optimization/gate.py)."""
    record_outcome(conn, sync_id, GateVerdict=VERDICT_BLOCKED if blocked else VERDICT_PASSED)


def record_summary(conn: Connection, sync_id: int, fields: dict | None,
                   duration_seconds: int | None):
    """The legacy summary's seven fields (none when it could not be read) and the sync's
    duration; returns the row as stored."""
    conn.execute(device_sync.update().where(device_sync.c.id == sync_id).values(
        **(fields or {}), DurationSeconds=duration_seconds))
    return find_sync(conn, sync_id)


# -- find ------------------------------------------------------------------------------------

def find_sync(conn: Connection, sync_id: int):
    """The ledger row ``sync_id``, or None."""
    return conn.execute(device_sync.select().where(device_sync.c.id == sync_id)).first()


def sync_of_run(conn: Connection, integration_key: str, tenant_key: str,
                run_ids: Sequence[str | None]):
    """The finalized row one of these runs (a run, the run it re-executes, their root) wrote
    for the partition; the latest if several."""
    return conn.execute(
        select(device_sync).where(device_sync.c.IntegrationKey == integration_key,
                                  device_sync.c.TenantKey == tenant_key,
                                  device_sync.c.Status == SYNC_FINALIZED,
                                  device_sync.c.RunId.in_([r for r in run_ids if r]))
        .order_by(desc(device_sync.c.id)).limit(1)
    ).first()


def latest_sync(conn: Connection, integration_key: str, tenant_key: str):
    """The partition's latest finalized row, whichever run wrote it."""
    return conn.execute(
        select(device_sync).where(device_sync.c.IntegrationKey == integration_key,
                                  device_sync.c.TenantKey == tenant_key,
                                  device_sync.c.Status == SYNC_FINALIZED)
        .order_by(desc(device_sync.c.id)).limit(1)
    ).first()


def last_notified_sync_forced(conn: Connection, provider_id: int) -> bool | None:
    """Whether the provider's latest notified sync in the ledger was forced; None: none."""
    found = conn.execute(
        select(device_sync.c.Forced)
        .where(device_sync.c.Trigger == TRIGGER_NOTIFICATION,
               device_sync.c.ServiceProviderIds == str(provider_id))
        .order_by(desc(device_sync.c.id)).limit(1)
    ).first()
    return None if found is None else bool(found[0])


def last_finalized_per_provider(conn: Connection, partition: tuple[str, str] | None = None
                                ) -> dict[tuple[str, str, int], tuple[int, datetime]]:
    """(integration, tenant, provider) -> (id, finish time) of each provider's last
    finalized sync (of one partition, (integration, tenant), when given: its rows through
    the partition's index). Syncs are grouped by the providers they covered (one, or several
    for a rerun), so the rows read are bounded by those groups."""
    last: dict[tuple[str, str, int], tuple[int, datetime]] = {}
    where = [device_sync.c.Status == SYNC_FINALIZED]
    if partition is not None:
        where += [device_sync.c.IntegrationKey == partition[0],
                  device_sync.c.TenantKey == partition[1]]
    groups = conn.execute(
        select(device_sync.c.IntegrationKey, device_sync.c.TenantKey,
               device_sync.c.ServiceProviderIds, func.max(device_sync.c.id),
               func.max(device_sync.c.FinishedAt))
        .where(*where)
        .group_by(device_sync.c.IntegrationKey, device_sync.c.TenantKey,
                  device_sync.c.ServiceProviderIds)).all()
    for integration_key, tenant_key, ids, sync_id, finished in groups:  # bounded: the groups
        for provider in (int(p) for p in ids.split(",") if p):
            key = (integration_key, tenant_key, provider)
            if finished is not None and (key not in last or last[key][1] < finished):
                last[key] = (sync_id, finished)
    return last


# -- dead runs -------------------------------------------------------------------------------

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
        [{"sync_id": sync_id, "error": errors_by_run[run_id][:ERROR_MAX]}
         for sync_id, run_id in closing])
    return [sync_id for sync_id, _ in closing]
