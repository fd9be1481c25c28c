"""A carrier that stopped syncing is noticed: every 5 minutes each partition's providers are
judged, a partition that went stale gets a run of the check ``finalized_recently`` (once per
staleness: the run key names it) and each stale provider is emailed to the operators once
per staleness."""

import dagster as dg

from ...alerts import claim_alert, mark_sent
from ...db import in_transaction, utcnow
from ...emails import build_email, recipients
from ...freshness import provider_freshness, stale_alert
from ...optimization import global_settings
from ..resources import DatabaseResource, EmailResource, FreshnessExpectation
from ..run_tags import FRESHNESS_TRIGGER, PARTITION_TAG, TRIGGER_TAG
from ..sensor_interval import sensor_interval
from .jobs import judge_freshness_job

STALE = "stale"


@dg.sensor(
    name="carrier_freshness_sensor",
    job=judge_freshness_job,
    default_status=dg.DefaultSensorStatus.RUNNING,
    # Staleness is measured in hours: 5 minutes is prompt enough, and a tick is two small
    # reads (the active providers, the ledger grouped by provider). The tests' interval
    # makes it 50 s: the UI test waits on a real tick.
    minimum_interval_seconds=sensor_interval(300),
    description=(
        "Every 5 minutes: is each carrier still syncing? For each partition with a provider "
        "not finalized within CLEANUP_STALE_AFTER_HOURS (default 26) of its last finalized "
        "sync, launches judge_carrier_freshness (the check finalized_recently, shown per "
        "partition) and emails the operators (CLEANUP_OPERATOR_EMAIL_ADDRESSES) — both once "
        "per staleness. A finalization judges its partition fresh again in its own run. "
        "Recorded in CleanupOperatorAlert."),
)
def carrier_freshness_sensor(context: dg.SensorEvaluationContext, database: DatabaseResource,
                             email: EmailResource, freshness: FreshnessExpectation):
    """Launch the freshness check of each newly stale partition and alert the operators."""
    engine = database.get_engine()
    now = utcnow()
    found = in_transaction(engine, lambda conn: provider_freshness(conn,
                                                                   freshness.expectations()))
    partitions = {f.partition for f in found}
    stale = [f for f in found if f.is_stale(now)]  # bounded: the active providers
    by_partition: dict[str, list] = {}
    for fresh in stale:
        by_partition.setdefault(fresh.partition, []).append(fresh)
    # One run per staleness: the key names the partition's stale providers and their last
    # syncs, so the daemon launches it once (a new sync, or another provider going stale,
    # is a new staleness).
    run_requests = [dg.RunRequest(
        run_key="stale:" + partition + ":" + ",".join(
            f"{f.provider_id}@{f.last_sync_id}" for f in providers),
        tags={PARTITION_TAG: partition, TRIGGER_TAG: FRESHNESS_TRIGGER})
        for partition, providers in sorted(by_partition.items())]
    sent = []
    for fresh in stale:
        key, subject, text = stale_alert(fresh, now)

        def claim(conn):
            return (claim_alert(conn, key, STALE, fresh.partition, subject, text),
                    global_settings(conn).get("DeviceSyncFromEmailAddress"))

        status, sender = in_transaction(engine, claim)
        if status is not None:
            continue  # this staleness was reported by an earlier tick
        to = recipients(email.operator_addresses)
        html_body = "<html><body>" + "".join(
            f"<p>{line}</p>" for line in text.split("\n") if line) + "</body></html>"
        # Raised after the resource's retries: the tick fails visibly; the claim stays
        # `sending` and the next tick sends it.
        email.send(build_email(sender, to, subject, text, html_body))
        in_transaction(engine, lambda conn: mark_sent(conn, key, ", ".join(to)))
        context.log.warning(f"{subject}: operators alerted ({', '.join(to)})")
        sent.append(key)
    summary = (f"{len(found)} active provider(s) in {len(partitions)} partition(s); stale: "
               f"{len(stale)} ({', '.join(f'{f.partition} provider {f.provider_id}' for f in stale) or 'none'}); "
               f"alerts sent now: {len(sent)}; freshness check runs requested: "
               f"{len(run_requests)} (each launched once per staleness)")
    context.log.info(summary)
    return dg.SensorResult(run_requests=run_requests,
                           skip_reason=None if run_requests else summary)
