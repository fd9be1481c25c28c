"""The sync a run is about — one home for what every step, check and sensor knows of it.

``SyncOfRun`` is built once per step (and once per finished run a stop sensor looks at)
from what Dagster hands it: the partition key — integration and tenant, parsed here and
nowhere else (defs/partitions.py says what a key is) —, the run's tags — what the
notification said (defs/run_tags.py) — and the run's lineage (its parent and its root,
which its re-executions and retries share). The steps after the finalization also get the
ledger row they work on (sql/ledger.py), with ``with_sync``:

- the row its run finalized — or, for a re-execution of later steps, the row of the run it
  re-executes;
- else, for a partition without an active provider, nothing to finalize (``nothing``);
- else the partition's latest finalized sync, re-reported (a report, the checks or the
  handover materialized alone from the UI) — never for a run that asks for optimization: it
  judges and hands over only the sync it finalized itself (else a ``Decision``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import dagster as dg

from ..db import in_transaction
from ..registry import Integration, get_integration
from ..sql.finalize import resolve_service_providers
from ..sql.ledger import latest_sync, providers_of, sync_of_run
from .decision import Decision
from .partitions import split_partition_key, tenant_id_from_key
from .run_tags import NotifiedSync, notified_sync, partition_of, root_run_id


def no_provider_note(integration: Integration, tenant_key: str) -> str:
    return (f"nothing to finalize: tenant {tenant_key} has no active "
            f"{integration.legacy_name} service provider")


def nothing_metadata(note: str) -> dict:
    """A report's (or the handover's) metadata in a partition without an active provider."""
    return {"nothing_to_finalize": dg.MetadataValue.text(note), "dagster/row_count": 0}


@dataclass(frozen=True)
class SyncOfRun:
    """One (integration, tenant) sync as a run sees it."""

    integration: Integration
    tenant_key: str
    notified: NotifiedSync  # what the notification said; the defaults: a run without one
    run_id: str
    parent_run_id: str | None
    root_run_id: str
    # The CleanupDeviceSync row a step works on (``with_sync``; None: none), which row and
    # why (``note``: the metadata's reported_sync), and whether the partition has no active
    # provider (``nothing``).
    row: object = None
    note: str = ""
    nothing: bool = False

    @classmethod
    def of_run(cls, run, partition_key=None) -> "SyncOfRun":
        """From a Dagster run and its partition key (default: the run's partition tag).
        Raises ``InvalidPartitionKey`` for a key that is not ``integration|TenantId``, then
        ``InvalidRunTags`` for a tag of ours that does not say what it must."""
        key = partition_key if partition_key is not None else partition_of(run)
        integration_key, tenant_key = split_partition_key(key or "")
        return cls(integration=get_integration(integration_key), tenant_key=tenant_key,
                   notified=notified_sync(run), run_id=run.run_id,
                   parent_run_id=run.parent_run_id, root_run_id=root_run_id(run))

    @classmethod
    def of_step(cls, context) -> "SyncOfRun":
        """From a step's context: an asset's, an asset check's or an op's."""
        step = getattr(context, "op_execution_context", context)
        return cls.of_run(step.run, step.partition_key)

    @property
    def integration_key(self) -> str:
        return self.integration.key

    @property
    def partition(self) -> str:
        """The partition key as the UI writes it: ``jasper|12``."""
        return f"{self.integration.key}|{self.tenant_key}"

    @property
    def tenant_id(self) -> int:
        return tenant_id_from_key(self.tenant_key)

    @property
    def asks_optimization(self) -> bool:
        """Whether this run hands over to optimization (so the gate must hold)."""
        return self.notified.asks_optimization(self.integration)

    @property
    def sync_id(self) -> int | None:
        return self.row.id if self.row is not None else None

    @property
    def providers(self) -> list[int]:
        """The service providers of the ledger row (none before ``with_sync`` found one)."""
        return providers_of(self.row) if self.row is not None else []

    def _found(self, row, note: str, nothing: bool = False) -> "SyncOfRun":
        return dataclasses.replace(self, row=row, note=note, nothing=nothing)

    def finalized_by_this_run(self, engine):
        """The finalized ledger row this run wrote for the partition — or, for a
        re-execution of later steps only, the row of the run it re-executes."""
        run_ids = [self.run_id, self.parent_run_id, self.root_run_id]
        return in_transaction(engine, lambda conn: sync_of_run(
            conn, self.integration.key, self.tenant_key, run_ids))

    def without_provider(self, engine) -> str | None:
        """The note of a partition without an active provider, else None."""
        if not self.tenant_key.isdigit():
            return None  # not a tenant id: the finalize step refuses it
        _, providers = in_transaction(engine, lambda conn: resolve_service_providers(
            conn, self.integration, int(self.tenant_key), None))
        return None if providers else no_provider_note(self.integration, self.tenant_key)

    def with_own_sync(self, engine, what: str) -> "SyncOfRun":
        """With the row this run finalized, or a decision saying there is none: a run that
        asks for optimization hands over (and judges) only the sync it finalized itself."""
        row = self.finalized_by_this_run(engine)
        if row is None:
            raise Decision(
                f"{self.partition}: this run finalized no sync to {what}. A run that asks for "
                "optimization hands over the sync it finalized: launch the job "
                "finalize_device_sync for the partition, or re-execute the run that "
                "finalized it.")
        return self._found(row, f"sync {row.id}, finalized by this run")

    def with_reported_sync(self, engine, log) -> "SyncOfRun":
        """With this run's row; else, for a partition without an active provider, nothing to
        finalize (the caller materializes saying so); else — a report, the checks or the
        handover materialized alone from the UI — the partition's latest finalized row,
        re-reported, the note naming it; else none (the step then materializes nothing and
        succeeds: nothing is failed that did not fail)."""
        row = self.finalized_by_this_run(engine)
        if row is not None:
            return self._found(row, f"sync {row.id}, finalized by this run")
        empty = self.without_provider(engine)
        if empty is not None:
            return self._found(None, empty, nothing=True)
        latest = in_transaction(engine, lambda conn: latest_sync(
            conn, self.integration.key, self.tenant_key))
        if latest is None:
            note = (f"nothing to report: {self.partition} has no finalized sync yet "
                    "(launch the job finalize_device_sync for it)")
            log.info(note)
            return self._found(None, note)
        when = f"{latest.FinishedAt:%Y-%m-%d %H:%M} UTC, " if latest.FinishedAt else ""
        note = (f"re-reported: sync {latest.id}, the partition's latest finalized sync "
                f"({when}run {latest.RunId}); this run finalized none")
        log.info(f"{self.partition}: {note}")
        return self._found(latest, note)

    def with_sync(self, engine, log, what: str) -> "SyncOfRun":
        """The gate's and the handover's: a run that asks for optimization works on its own
        sync only (``with_own_sync``); any other on the sync a report would
        (``with_reported_sync``)."""
        if self.asks_optimization:
            return self.with_own_sync(engine, what)
        return self.with_reported_sync(engine, log)
