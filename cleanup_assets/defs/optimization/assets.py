"""The handover after a finalized sync that passed the optimization gate: the
optimization-queue op (Jasper family) and its 25 % progress call to AMOP 2.0.

It takes ``common_devices`` as a direct input, so Dagster runs it only when the blocking
checks of ``judge_optimization_gate`` on that asset passed; nothing else waits for them.
"""

from datetime import timedelta

import dagster as dg

from ...db import in_transaction, utcnow
from ...optimization import (
    QUEUED,
    SENDING,
    STOPPED,
    STOPPING,
    UNCONFIRMED,
    amop_progress_body,
    claim_send,
    current_handover,
    handover_key,
    mark_progress_delivered,
    mark_unsent,
    optimization_message,
    record_queued,
    session_guid,
)
from ...sql.gate_facts import find_billing_period
from ...sql.ledger import VERDICT_PASSED
from ..decision import Decision
from ..device_sync.assets import COMMON_DEVICES, COMMUNICATION_PLANS
from ..policy import device_sync_asset
from ..resources import Amop20, DatabaseResource, MessageQueue, SendRefused
from ..sync_of_run import SyncOfRun, nothing_metadata
from .gate import GATE_BLOCKED

# SQS drops a FIFO message whose deduplication id it saw in the last 5 minutes; a claim
# younger than this (with a margin) may be resent, an older one could be delivered twice.
FIFO_RESEND_WINDOW = timedelta(minutes=4)

OPTIMIZATION_HANDOVER = dg.AssetKey("optimization_handover")


@dg.multi_asset(name="queue_carrier_optimization", specs=[device_sync_asset(
    OPTIMIZATION_HANDOVER,
    stage="handover",
    deps=[COMMON_DEVICES, COMMUNICATION_PLANS],
    kinds={"sqs"},
    description=(
        "The handover to carrier optimization after a finalized sync. Jasper family with "
        "optimization requested: one message on the carrier-optimization queue (BillYear, "
        "BillMonth, ServiceProviderId, TenantId, BillPeriodId, HasSynced, "
        "OptimizationSessionId), exactly once per provider and session, then a 25 % "
        "progress call to AMOP 2.0 (retried by a rerun until delivered). Runs only when the "
        "blocking checks on common_devices (step judge_optimization_gate) passed; the "
        "reports and the AMOP 2.0 daily-sync notification do not wait for them. Materialized "
        "alone from the UI (no sync notification): hands nothing over and says which sync "
        "(reported_sync) it looked at."
    ),
    skippable=True,
)])
def queue_carrier_optimization(
    context: dg.AssetExecutionContext,
    database: DatabaseResource,
    optimization_queue: MessageQueue,
    amop: Amop20,
):
    """Queue carrier optimization, exactly once, and report 25 % progress to AMOP 2.0."""
    # Asking for optimization: never a handover of a sync this run did not finalize and
    # judge. Else nothing is handed over: the handover alone re-reports the latest sync.
    sync = SyncOfRun.of_step(context).with_sync(database.get_engine(), context.log,
                                                "hand over")
    if sync.nothing:
        yield dg.MaterializeResult(asset_key=OPTIMIZATION_HANDOVER, metadata={
            "optimization": f"not handed over: {sync.note}", **nothing_metadata(sync.note)})
        return
    if sync.row is None:
        return
    integration, notified, reported = sync.integration, sync.notified, sync.note
    if sync.asks_optimization:
        if sync.row.GateVerdict != VERDICT_PASSED:  # the handover re-executed alone, say
            raise Decision(
                f"{GATE_BLOCKED}: its verdict on sync {sync.sync_id} is "
                f"{sync.row.GateVerdict or 'missing'}. The handover follows the gate of its "
                "own run: fix the cause, reopen the stopped session (`cleanup-assets "
                "resume-optimization`), and let the next notified sync hand it over.")
        metadata = _queue_once(context, database, optimization_queue, amop, sync)
    elif notified.should_queue_carrier_optimization:
        metadata = {"optimization": f"not queued: {integration.legacy_name} is not optimized "
                                    "(Jasper family only)"}
    elif notified.is_notified:
        metadata = {"optimization": f"not requested: provider "
                                    f"{notified.service_provider_id}'s sync notification did "
                                    "not ask for it (ShouldQueueCarrierOptimization false)"}
    else:
        metadata = {"optimization": "not requested: a run without a sync notification (a "
                                    "rerun, a backfill, a launch from the UI) never asks for it"}
    metadata["reported_sync"] = dg.MetadataValue.text(reported)
    yield dg.MaterializeResult(asset_key=OPTIMIZATION_HANDOVER, metadata=metadata)


def _may_resend(queue: MessageQueue, existing) -> bool:
    """After an unconfirmed send (``sending`` left by a run that died between the send and
    the ledger update): resend only where the queue itself drops a duplicate — a FIFO queue
    within its deduplication window. On a standard queue a duplicate would start a second
    optimization of the session (QueueCarrierPlanOptimization.cs:224-328)."""
    return queue.fifo and existing.updated_at is not None and (
        utcnow() - existing.updated_at < FIFO_RESEND_WINDOW)


def _queue_once(context, database, queue, amop, sync: SyncOfRun) -> dict:
    engine = database.get_engine()
    provider = sync.notified.service_provider_id
    session = sync.notified.optimization_session_id
    tenant_key, run_id, root_run_id = sync.tenant_key, sync.run_id, sync.root_run_id
    key = handover_key(session, root_run_id)
    use_procedure = database.reads_by_procedure(sync.integration.key)

    def claim(conn):
        existing = current_handover(conn, provider, key)
        if existing.status in (QUEUED, STOPPED, STOPPING, UNCONFIRMED):
            return existing, None
        if existing.status == SENDING and not _may_resend(queue, existing):
            # Raised: the run fails and the stop path reports the send as unconfirmed.
            raise dg.Failure(
                f"an earlier send of provider {provider}'s optimization message ({key}, run "
                f"{existing.run_id}) was never confirmed: it may be on the queue. On this queue "
                "a resend could start the optimization twice, so it is not resent; the "
                "handover is marked unconfirmed, the session is not stopped "
                "(`cleanup-assets resume-optimization` says what to check).")
        period = find_billing_period(conn, provider, utcnow().date(),
                                     use_procedure=use_procedure)
        if period is None:  # the gate checked it; the calendar may have turned since
            raise dg.Failure(f"service provider {provider} has no billing period for this or "
                             "next month: optimization not queued")
        # The claim itself is conditional: another run of the session (or a stop path) that
        # got there between the read above and now wins, and this run sends nothing.
        if not claim_send(conn, provider, key, session, run_id, period.id,
                          resend_claimed_after=(utcnow() - FIFO_RESEND_WINDOW
                                                if queue.fifo else None),
                          root_run_id=root_run_id):
            return current_handover(conn, provider, key), None
        return existing, period

    existing, period = in_transaction(engine, claim)
    if period is None:
        if existing.status == UNCONFIRMED:
            said = (f"sent by run {existing.run_id}, not confirmed: not sent again (it may be "
                    "on the queue; `cleanup-assets resume-optimization` says what to check)")
        else:
            said = f"already {existing.status} by run {existing.run_id}"
        context.log.warning(f"optimization for provider {provider} ({key}): {said}")
        metadata = {"optimization": said,
                    "message_id": existing.message_id or dg.MetadataValue.null()}
        if existing.status == QUEUED and session > 0 and existing.progress_delivered_at is None:
            metadata["amop_progress"] = _deliver_progress(engine, amop, provider, key, session,
                                                          tenant_key) + " (not delivered before)"
        return metadata

    body, attributes = optimization_message(provider, int(tenant_key), period, session)
    try:
        message_id = queue.send(body, attributes, deduplication_id=f"{provider}-{key}",
                                group_id=str(provider))
    except SendRefused as refused:
        # Nothing is on the queue: the handover says so, the stop path stops the session
        # (or a retry of the run sends again).
        in_transaction(engine, lambda conn: mark_unsent(conn, provider, key, run_id,
                                                        str(refused)))
        raise
    # Any other failure leaves `sending`: the message may be on the queue, and the stop
    # path reports it as sent, not confirmed (resources.SendNotConfirmed says why).
    taken = in_transaction(engine, lambda conn: record_queued(
        conn, provider, key, run_id, message_id))
    if taken is not None:
        # The stop path owns the row now (optimization.record_queued says why it is not
        # overwritten): the step says what is true — sent, under this id — and succeeds (the
        # message is on the queue; a failure would only start a stop path with nothing left
        # to do). No progress call: AMOP 2.0 has the stop path's report.
        said = (f"sent (message {message_id}), but meanwhile the stop path took the handover: "
                f"it is {taken.status} (run {taken.run_id}); the message id is recorded on "
                "it if it is this run's send. Check the queue before any resume")
        context.log.warning(f"optimization for provider {provider} ({key}): {said}")
        return {"optimization": said, "message_id": message_id, "body": body}
    context.log.info(f"carrier optimization queued for provider {provider}: {body}")
    metadata = {"optimization": "queued", "message_id": message_id, "body": body,
                "attributes": dg.MetadataValue.md("\n".join(
                    f"- {name}: {value}" for name, value in attributes.items()))}
    if session > 0:
        metadata["amop_progress"] = _deliver_progress(engine, amop, provider, key, session,
                                                      tenant_key)
    return metadata


def _deliver_progress(engine, amop, provider, key, session, tenant_key) -> str:
    """The 25 % progress call, then its delivery on the handover row: a failure raises (the
    run fails; the handover stays queued) and the next run of the session sends it again."""
    guid = in_transaction(engine, lambda conn: session_guid(conn, session))
    where = amop.optimization.post(amop_progress_body(session, guid, 25), what="progress call")
    in_transaction(engine, lambda conn: mark_progress_delivered(conn, provider, key))
    return where
