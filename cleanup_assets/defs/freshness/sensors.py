"""A carrier that stopped syncing is noticed: every 5 minutes each partition's providers are
judged; a partition that went stale gets a run of the check ``finalized_recently`` (once per
staleness), and another when it stops being stale; each stale provider is emailed to the
operators once per staleness."""

import json

import dagster as dg

from ...alerts import claim_alert, mark_sent
from ...db import in_transaction, utcnow
from ...emails import build_email, paragraphs_html, recipients
from ...freshness import provider_freshness, stale_alert
from ...optimization import global_settings
from ..resources import DatabaseResource, FreshnessExpectation, Mailer
from ..run_tags import FRESHNESS_TRIGGER, PARTITION_TAG, PRIORITY_TAG, TRIGGER_TAG
from ..sensor_interval import sensor_interval
from ..schema_guard import waits_for_the_schema
from .jobs import JUDGE_CARRIER_FRESHNESS

STALE = "stale"
# Judge runs requested per tick, at a priority under the finalize runs': a carrier outage
# makes every tenant of it stale on the same tick, and those checks must not queue ahead
# of the next notified syncs. The rest are requested on the next ticks.
MAX_RUNS_PER_TICK = 10
LOW_PRIORITY = "-1"


@dg.sensor(
    name="carrier_freshness_sensor",
    job_name=JUDGE_CARRIER_FRESHNESS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    # Staleness is measured in hours: 5 minutes is prompt enough, and a tick is two small
    # reads (the active providers, the ledger grouped by provider). The tests' interval
    # makes it 20 s: the UI test waits on a real tick.
    minimum_interval_seconds=sensor_interval(300),
    description=(
        "Every 5 minutes: is each carrier still syncing? For each partition with a provider "
        "not finalized within CLEANUP_STALE_AFTER_HOURS (default 26) of its last finalized "
        "sync, launches judge_carrier_freshness (the check finalized_recently, shown per "
        "partition; at most 10 a tick, at low priority) and emails the operators "
        "(CLEANUP_OPERATOR_EMAIL_ADDRESSES) — both once per staleness — and judges it again "
        "when it is stale no more. A finalization judges its partition in its own run. "
        "Recorded in CleanupOperatorAlert."),
)
@waits_for_the_schema
def carrier_freshness_sensor(context: dg.SensorEvaluationContext, database: DatabaseResource,
                             email: Mailer, freshness: FreshnessExpectation):
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
    # The cursor: each partition whose staleness was handed to a judge run, and which one
    # (the key names its stale providers and their last syncs: a new sync, or another
    # provider going stale, is a new staleness).
    judged = dict((json.loads(context.cursor) if context.cursor else {}).get("stale", {}))
    now_stale = {partition: "stale:" + partition + ":" + ",".join(
        f"{f.provider_id}@{f.last_sync_id}" for f in providers)
        for partition, providers in by_partition.items()}
    due = [(p, key) for p, key in sorted(now_stale.items()) if judged.get(p) != key]
    # No longer stale (a new sync — whose run judged it already —, the provider deactivated,
    # a longer expectation): a judge run says so, or the partition would read stale forever.
    due += [(p, "fresh:" + key) for p, key in sorted(judged.items()) if p not in now_stale]
    requested = due[:MAX_RUNS_PER_TICK]
    for partition, key in requested:
        if key.startswith("fresh:"):
            judged.pop(partition)
        else:
            judged[partition] = key
    run_requests = [dg.RunRequest(run_key=key, tags={
        PARTITION_TAG: partition, TRIGGER_TAG: FRESHNESS_TRIGGER,
        PRIORITY_TAG: LOW_PRIORITY}) for partition, key in requested]
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
        # Raised after the resource's retries: the tick fails visibly; the claim stays
        # `sending` and the next tick sends it.
        email.send(build_email(sender, to, subject, text, paragraphs_html(text.split("\n"))))
        in_transaction(engine, lambda conn: mark_sent(conn, key, ", ".join(to)))
        context.log.warning(f"{subject}: operators alerted ({', '.join(to)})")
        sent.append(key)
    summary = (f"{len(found)} active provider(s) in {len(partitions)} partition(s); stale: "
               f"{len(stale)} ({', '.join(f'{f.partition} provider {f.provider_id}' for f in stale) or 'none'}); "
               f"alerts sent now: {len(sent)}; judge runs requested now: {len(run_requests)}"
               + (f" ({len(due) - len(requested)} more next tick)" if len(due) > len(requested)
                  else ""))
    context.log.info(summary)
    return dg.SensorResult(run_requests=run_requests,
                           skip_reason=None if run_requests else summary,
                           cursor=json.dumps({"stale": judged}, sort_keys=True))
