"""A carrier that stopped syncing is noticed: every 15 minutes each partition's freshness is
reported as the check ``finalized_recently`` and each stale provider is emailed to the
operators once per staleness."""

import json

import dagster as dg

from ...alerts import claim_alert, mark_sent
from ...db import in_transaction, utcnow
from ...emails import build_email, recipients
from ...freshness import provider_freshness, stale_alert
from ...optimization import global_settings
from ..resources import DatabaseResource, EmailResource, FreshnessExpectation
from .checks import freshness_evaluation

STALE = "stale"


@dg.sensor(
    name="carrier_freshness_sensor",
    default_status=dg.DefaultSensorStatus.RUNNING,
    # Not shortened by the tests' interval: no test waits on it, and a stack under test
    # need not read every provider's ledger every few seconds.
    minimum_interval_seconds=900,
    description=(
        "Every 15 minutes: is each carrier still syncing? Reports the check "
        "finalized_recently on common_devices for every partition with an active provider "
        "(when its verdict changes), and emails the operators (CLEANUP_OPERATOR_EMAIL_ADDRESSES) "
        "once per staleness when a provider was not finalized within CLEANUP_STALE_AFTER_HOURS "
        "(default 26) of its last finalized sync. Recorded in CleanupOperatorAlert."),
)
def carrier_freshness_sensor(context: dg.SensorEvaluationContext, database: DatabaseResource,
                             email: EmailResource, freshness: FreshnessExpectation):
    """Report each partition's freshness and alert the operators of each new staleness."""
    engine = database.get_engine()
    now = utcnow()
    found = in_transaction(engine, lambda conn: provider_freshness(conn,
                                                                   freshness.expectations()))
    by_partition: dict[str, list] = {}
    for fresh in found:  # bounded: the active providers
        by_partition.setdefault(fresh.partition, []).append(fresh)
    verdicts = {p: freshness_evaluation(p, providers, now) for p, providers in
                by_partition.items()}
    states = {p: ("passed" if e.passed else "stale") if any(
        f.last_sync_id is not None for f in by_partition[p]) else "not judged"
        for p, e in verdicts.items()}
    earlier = json.loads(context.cursor) if context.cursor else {}
    # Reported when a partition's state changes (and on the first tick): the UI keeps the
    # latest per partition, and the event log does not grow by every partition each tick.
    changed = [e for p, e in verdicts.items() if earlier.get(p) != states[p]]

    stale = [f for f in found if f.is_stale(now)]
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
    summary = (f"{len(found)} active provider(s) in {len(by_partition)} partition(s); stale: "
               f"{len(stale)} ({', '.join(f'{f.partition} provider {f.provider_id}' for f in stale) or 'none'}); "
               f"alerts sent now: {len(sent)}; check results reported: {len(changed)}")
    context.log.info(summary)
    return dg.SensorResult(
        asset_events=changed, skip_reason=summary,
        cursor=json.dumps(states))
