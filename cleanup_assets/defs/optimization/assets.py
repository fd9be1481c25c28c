"""The handover after a successful, gated finalization: the optimization-queue op (Jasper
family), the 25 % progress call, and the AMOP 2.0 daily-sync notification."""

import dagster as dg

from ...db import in_transaction
from ...optimization import (
    QUEUED,
    SENDING,
    STOPPED,
    STOPPING,
    amop_daily_sync_payload,
    amop_progress_payload,
    current_handover,
    handover_key,
    optimization_message,
    record_handover,
    session_guid,
)
from ...registry import get_integration
from ...sql.gate import find_billing_period
from ...db import utcnow
from ..device_sync.assets import GROUP, FinalizeConfig, common_devices, communication_plans
from ..partitions import device_sync_partitions, split_partition_key
from ..resources import Amop20Resource, DatabaseResource, SqsQueueResource
from .checks import gating

optimization_handover = dg.AssetSpec(
    "optimization_handover",
    group_name=GROUP,
    deps=[common_devices, communication_plans],
    kinds={"sqs"},
    partitions_def=device_sync_partitions,
    description=(
        "The handover after a finalized sync. Jasper family with optimization requested: one "
        "message on the carrier-optimization queue (`BillYear`, `BillMonth`, "
        "`ServiceProviderId`, `TenantId`, `BillPeriodId`, `HasSynced`, `OptimizationSessionId`), "
        "exactly once per provider and session, then a 25 % progress call to AMOP 2.0. Always: "
        "the AMOP 2.0 daily-sync notification (none exists for eBonding). Runs only when the "
        "blocking checks on `common_devices` passed."
    ),
)


@dg.multi_asset(name="queue_carrier_optimization", specs=[optimization_handover])
def queue_carrier_optimization(
    context: dg.AssetExecutionContext,
    config: FinalizeConfig,
    database: DatabaseResource,
    optimization_queue: SqsQueueResource,
    amop: Amop20Resource,
):
    """Queue carrier optimization (exactly once) and notify AMOP 2.0."""
    integration_key, tenant_key = split_partition_key(context.partition_key)
    integration = get_integration(integration_key)
    engine = database.get_engine()
    metadata: dict = {}
    if gating(integration, config.service_provider_id, config.should_queue_carrier_optimization):
        metadata.update(_queue_once(context, database, optimization_queue, amop, config,
                                    tenant_key))
    elif config.should_queue_carrier_optimization:
        metadata["optimization"] = (f"not queued: {integration.legacy_name} is not optimized "
                                    "(Jasper family only)")
    else:
        metadata["optimization"] = "not requested (a rerun or backfill never asks for it)"

    if integration.amop_key is None:
        metadata["amop_daily_sync"] = (f"skipped: {integration.legacy_name} has no AMOP 2.0 "
                                       "key name")
        context.log.warning(metadata["amop_daily_sync"])
    else:
        where = amop.post(amop.sync_update_url,
                          amop_daily_sync_payload(integration.amop_key, tenant_key))
        metadata["amop_daily_sync"] = f"sent ({integration.amop_key}, tenant {tenant_key}): {where}"
    yield dg.MaterializeResult(asset_key=optimization_handover.key, metadata=metadata)


def _queue_once(context, database, queue, amop, config, tenant_key) -> dict:
    engine = database.get_engine()
    provider = config.service_provider_id
    session = config.optimization_session_id
    run = context.run
    key = handover_key(session, run.tags.get("dagster/root_run_id") or run.run_id)
    use_procedure = database.reads_by_procedure()

    def claim(conn):
        existing = current_handover(conn, provider, key)
        if existing.status in (QUEUED, STOPPED, STOPPING):
            return existing, None
        period = find_billing_period(conn, provider, utcnow().date(),
                                     use_procedure=use_procedure)
        if period is None:  # the gate checked it; the calendar may have turned since
            raise dg.Failure(f"service provider {provider} has no billing period for this or "
                             "next month: optimization not queued")
        record_handover(conn, provider, key, session, SENDING, run_id=run.run_id,
                        bill_period_id=period.id)
        return existing, period

    existing, period = in_transaction(engine, claim)
    if period is None:
        context.log.warning(f"optimization for provider {provider} ({key}) was {existing.status} "
                            f"by run {existing.run_id}: not sent again")
        return {"optimization": f"already {existing.status} by run {existing.run_id}",
                "message_id": existing.message_id or dg.MetadataValue.null()}

    body, attributes = optimization_message(provider, int(tenant_key), period, session)
    # Raises after the client's retries: the run fails and the stop path takes over.
    message_id = queue.send(body, attributes, deduplication_id=f"{provider}-{key}",
                            group_id=str(provider))
    in_transaction(engine, lambda conn: record_handover(
        conn, provider, key, session, QUEUED, run_id=run.run_id, message_id=message_id))
    context.log.info(f"carrier optimization queued for provider {provider}: {body}")
    metadata = {"optimization": "queued", "message_id": message_id, "body": body,
                "attributes": dg.MetadataValue.json(attributes)}
    if session > 0:
        guid = in_transaction(engine, lambda conn: session_guid(conn, session))
        metadata["amop_progress"] = amop.post(amop.optimization_url, amop_progress_payload(
            session, guid, progress=25, customer_id=int(tenant_key)))
    return metadata
