"""Which finalized sync a step of a run works on: the one its run finalized (or, for a
re-execution of later steps, the one of the run it re-executes); else, for a partition
without an active provider, nothing to finalize; else the partition's latest finalized sync,
re-reported. Read by the gate's checks, the handover and the reports."""

from typing import NamedTuple

import dagster as dg

from ..db import in_transaction
from ..registry import get_integration
from ..reporting import latest_sync, sync_for_run
from ..sql.finalize import resolve_service_providers
from .decision import Decision


def no_provider_note(integration, tenant_key: str) -> str:
    return (f"nothing to finalize: tenant {tenant_key} has no active "
            f"{integration.legacy_name} service provider")


def nothing_metadata(note: str) -> dict:
    """A report's (or the handover's) metadata in a partition without an active provider."""
    return {"nothing_to_finalize": dg.MetadataValue.text(note), "dagster/row_count": 0}


def partition_without_provider(engine, integration_key: str, tenant_key: str) -> str | None:
    """The note of a partition without an active provider, else None."""
    integration = get_integration(integration_key)
    if not tenant_key.isdigit():
        return None  # not a tenant id: the finalize step refuses it
    _, providers = in_transaction(engine, lambda conn: resolve_service_providers(
        conn, integration, int(tenant_key), None))
    return None if providers else no_provider_note(integration, tenant_key)


def this_sync(context, engine, integration_key: str, tenant_key: str):
    """The finalized ledger row this run wrote for the partition — or, for a re-execution of
    later steps only, the row of the run it re-executes."""
    run = context.run
    run_ids = [run.run_id, run.parent_run_id, run.tags.get("dagster/root_run_id")]
    return in_transaction(engine, lambda c: sync_for_run(c, integration_key, tenant_key, run_ids))


def require_sync(context, engine, integration_key: str, tenant_key: str, what: str):
    """``this_sync``, or a decision saying there is none: a run that asks for optimization
    hands over (and judges) only the sync it finalized itself."""
    sync = this_sync(context, engine, integration_key, tenant_key)
    if sync is None:
        raise Decision(
            f"{integration_key}|{tenant_key}: this run finalized no sync to {what}. A run that "
            "asks for optimization hands over the sync it finalized: launch the job "
            "finalize_device_sync for the partition, or re-execute the run that finalized it.")
    return sync


class Reported(NamedTuple):
    """What a report, the checks or the handover works on: ``sync`` (None: none), why
    (``note``), and whether the partition has no active provider (``nothing``)."""

    sync: object
    note: str
    nothing: bool = False


def sync_to_report(context, engine, integration_key: str, tenant_key: str) -> Reported:
    """This run's sync; else, for a partition without an active provider, nothing to
    finalize (the caller materializes saying so); else — a report, the checks or the
    handover materialized alone from the UI — the partition's latest finalized sync,
    re-reported, the note naming it; else none (the step then materializes nothing and
    succeeds: nothing is failed that did not fail)."""
    sync = this_sync(context, engine, integration_key, tenant_key)
    if sync is not None:
        return Reported(sync, f"sync {sync.id}, finalized by this run")
    empty = partition_without_provider(engine, integration_key, tenant_key)
    if empty is not None:
        return Reported(None, empty, nothing=True)
    latest = in_transaction(engine, lambda conn: latest_sync(conn, integration_key, tenant_key))
    if latest is None:
        note = (f"nothing to report: {integration_key}|{tenant_key} has no finalized sync yet "
                "(launch the job finalize_device_sync for it)")
        context.log.info(note)
        return Reported(None, note)
    when = f"{latest.FinishedAt:%Y-%m-%d %H:%M} UTC, " if latest.FinishedAt else ""
    note = (f"re-reported: sync {latest.id}, the partition's latest finalized sync ({when}run "
            f"{latest.RunId}); this run finalized none")
    context.log.info(f"{integration_key}|{tenant_key}: {note}")
    return Reported(latest, note)
