"""Sync notifications: the legacy SQS message contract, the durable inbox, and the wait rule.

A notification says "the device sync of service provider P finished staging". Before the
partition is finalized, the carrier's rows to process must be gone: while they remain and
retries are left, the notification waits (``DelayBetweenRetries`` between checks); when
retries run out — or, for eBonding, the count stops moving — the run goes ahead marked
*forced* (staging may be incomplete), and its first step clears that provider's rows
(sql/finalize.py). The tick decides and requests; it deletes nothing.

All state lives in ``CleanupSyncNotification``, so a daemon restart resumes with the same
retry counts. Unlike the legacy, the optimization flag and session id survive every wait.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Iterable, Mapping

from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from .db import TransientRetry, in_transaction, short_error, utcnow
from .integration_ids import integration_by_id, integration_ids
from .registry import INTEGRATIONS, Database, Integration
from .schema import LAUNCHED, PENDING, REJECTED, WAITING, service_provider, sync_notification
from .sql.rows_to_process import count_rows_to_process

# The legacy message attributes and their defaults (None: required).
ATTRIBUTES: dict[str, Any] = {
    "IntegrationType": None,
    "ServiceProviderId": None,
    "ShouldQueueCarrierOptimization": "False",
    "OptimizationSessionId": "0",
    "RetryCount": "0",
    "MaxRetries": "14",
    "DelayBetweenRetries": "300",
    "RemainingRowsToProcess": "0",
}


class BadNotification(ValueError):
    pass


@dataclass(frozen=True)
class Launch:
    """A notification whose wait is over: finalize its partition."""

    notification_id: int
    integration_key: str
    tenant_key: str
    service_provider_id: int
    should_queue_carrier_optimization: bool
    optimization_session_id: int
    forced: bool
    reason: str | None

    @property
    def run_key(self) -> str:
        return f"sync-notification-{self.notification_id}"


@dataclass
class TickOutcome:
    launches: list[Launch] = field(default_factory=list)
    waiting: int = 0
    rejected: int = 0
    forced: int = 0
    deferred: int = 0  # would launch, but the per-tick cap was reached
    # Rows-to-process tables with neither a ServiceProviderId nor a key to the carrier
    # table: counted whole, as the legacy does (the tick logs it; a forced run clears them
    # whole, and its step says so).
    whole_table: set[str] = field(default_factory=set)
    # Integrations whose database could not be read this tick (after the retries), and the
    # error: their notifications were left as they were, every other integration went on.
    unavailable: dict[str, str] = field(default_factory=dict)


# --- posting ---------------------------------------------------------------------------
def post_notification(conn: Connection, attributes: Mapping[str, Any], *, source: str = "inbox",
                      external_id: str | None = None, now: datetime | None = None) -> int | None:
    """Record a notification as received (attribute values kept as text, like SQS sends
    them). Returns its id, or None when this (source, external id) was recorded before."""
    external_id = external_id or f"inbox-{uuid.uuid4()}"
    exists = conn.execute(select(sync_notification.c.id).where(
        sync_notification.c.Source == source, sync_notification.c.ExternalId == external_id
    )).scalar()
    if exists is not None:
        return None
    raw = {k: (None if v is None else str(v)) for k, v in attributes.items()}
    return conn.execute(insert(sync_notification).values(
        Source=source, ExternalId=external_id, ReceivedAt=now or utcnow(),
        RawAttributes=json.dumps(raw, sort_keys=True), Status=PENDING,
    )).inserted_primary_key[0]


# --- parsing ---------------------------------------------------------------------------
# The largest value each attribute may take: the column's range (Integer: 32-bit,
# OptimizationSessionId: the legacy's long), and for the delay a bound that keeps the next
# check a real date (SQS itself delays at most 900 s; the legacy default is 300).
_INT32 = 2**31 - 1
MAXIMA = {"IntegrationType": _INT32, "ServiceProviderId": _INT32, "RetryCount": _INT32,
          "MaxRetries": _INT32, "RemainingRowsToProcess": _INT32,
          "OptimizationSessionId": 2**63 - 1, "DelayBetweenRetries": 7 * 24 * 3600}
_DIGITS = re.compile(r"^[0-9]+$", re.ASCII)  # int() also takes "1_1" and full-width digits


def _integer(raw: Mapping[str, Any], name: str, *, minimum: int = 0) -> int:
    value = raw.get(name)
    if value is None or str(value).strip() == "":
        if ATTRIBUTES[name] is None:
            raise BadNotification(f"{name} is missing")
        value = ATTRIBUTES[name]
    text = str(value).strip()
    negative = text.startswith("-") and bool(_DIGITS.match(text[1:]))
    if not (_DIGITS.match(text) or negative):
        raise BadNotification(f"{name} {text[:40]!r} is not a whole number")
    # Python's int() refuses more than 4,300 digits with a ValueError of its own (CPython's
    # int-max-str-digits guard): longer than the largest value is too large, said by length.
    # Every maximum has at most 19 digits; 40 leaves the ordinary messages to the range check.
    if len(text.lstrip("-").lstrip("0")) > 40:
        raise BadNotification(f"{name} of {len(text)} digits is larger than {MAXIMA[name]}")
    number = int(text)
    if number < minimum:
        raise BadNotification(f"{name} {number} is negative" if number < 0
                              else f"{name} {number} is below {minimum}")
    if number > MAXIMA[name]:
        raise BadNotification(f"{name} {text[:40]} is larger than {MAXIMA[name]}")
    return number


def _boolean(raw: Mapping[str, Any], name: str) -> bool:
    text = str(raw.get(name) or ATTRIBUTES[name]).strip().lower()
    if text in {"true", "1", "yes"}:
        return True
    if text in {"false", "0", "no"}:
        return False
    raise BadNotification(f"{name} {text[:40]!r} is not true or false")


def parse_attributes(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The typed legacy attributes, each within its column's range, or BadNotification
    saying what is wrong (checked before anything is stored: one bad message must never
    stop the tick that reads every carrier's notifications)."""
    return {
        "ServiceProviderId": _integer(raw, "ServiceProviderId", minimum=1),
        # Missing: said after the provider is looked up (an unknown provider is the reason).
        "IntegrationType": (_integer(raw, "IntegrationType", minimum=1)
                            if str(raw.get("IntegrationType") or "").strip() else None),
        "ShouldQueueCarrierOptimization": _boolean(raw, "ShouldQueueCarrierOptimization"),
        "OptimizationSessionId": _integer(raw, "OptimizationSessionId"),
        "RetryCount": _integer(raw, "RetryCount"),
        "MaxRetries": _integer(raw, "MaxRetries"),
        "DelayBetweenRetries": _integer(raw, "DelayBetweenRetries"),
        "RemainingRowsToProcess": _integer(raw, "RemainingRowsToProcess"),
    }


def _lookups(conn: Connection, provider_ids: Iterable[int]):
    """The Integration table and the named providers, in a few queries for a whole tick."""
    integrations = integration_by_id(integration_ids(conn))
    wanted = sorted(set(provider_ids))
    providers = {}
    for start in range(0, len(wanted), 1000):  # SQL Server: at most 2,100 parameters
        providers.update({row.id: row for row in conn.execute(select(
            service_provider.c.id, service_provider.c.TenantId, service_provider.c.IntegrationId,
            service_provider.c.IsActive, service_provider.c.IsDeleted,
        ).where(service_provider.c.id.in_(wanted[start:start + 1000])))})
    return integrations, providers


def _resolve(parsed: Mapping[str, Any], integrations, providers) -> tuple[Integration, str]:
    """(integration, tenant key) of a parsed notification, or BadNotification."""
    provider = providers.get(parsed["ServiceProviderId"])
    if provider is None:
        raise BadNotification(f"service provider {parsed['ServiceProviderId']} does not exist")
    if parsed["IntegrationType"] is None:
        raise BadNotification("IntegrationType is missing")
    integration = integrations.get(parsed["IntegrationType"])
    if integration is None:
        raise BadNotification(f"IntegrationType {parsed['IntegrationType']} is not an "
                              "integration this location finalizes (see CLEANUP_INTEGRATION_IDS)")
    name = integration.legacy_name
    if provider.IntegrationId != parsed["IntegrationType"]:
        raise BadNotification(
            f"service provider {parsed['ServiceProviderId']} belongs to integration "
            f"{provider.IntegrationId}, not {parsed['IntegrationType']} ({name})")
    if not provider.IsActive or provider.IsDeleted:
        raise BadNotification(f"service provider {parsed['ServiceProviderId']} is not active")
    return integration, str(provider.TenantId)


# --- the tick --------------------------------------------------------------------------
def _parse_new(conn: Connection, now: datetime, limit: int) -> int:
    """Parse freshly received notifications; reject the malformed ones. Returns rejects."""
    fresh = conn.execute(
        select(sync_notification.c.id, sync_notification.c.RawAttributes)
        .where(sync_notification.c.Status == PENDING,
               sync_notification.c.IntegrationKey.is_(None))
        .order_by(sync_notification.c.id).limit(limit)
    ).all()
    accepted, rejected, parsed_ok = [], [], []

    def reject(notification_id: int, error: Exception) -> None:
        rejected.append({"b_id": notification_id, "Status": REJECTED,
                         "Reason": str(error)[:500], "DecidedAt": now})

    for notification_id, raw_json in fresh:  # notifications, not devices
        try:
            parsed_ok.append((notification_id, parse_attributes(json.loads(raw_json))))
        except BadNotification as error:
            reject(notification_id, error)
        except Exception as error:  # noqa: BLE001 - however shaped, one message never stops
            # the tick that reads every carrier's notifications: it is rejected with the
            # reason (a JSON too deep to parse, a shape nobody foresaw).
            reject(notification_id, f"unreadable attributes ({type(error).__name__}: "
                                    f"{str(error)[:200]})")
    integrations, providers = _lookups(conn, (p["ServiceProviderId"] for _, p in parsed_ok))
    for notification_id, parsed in parsed_ok:
        try:
            integration, tenant_key = _resolve(parsed, integrations, providers)
        except BadNotification as error:
            reject(notification_id, error)
            continue
        accepted.append({"b_id": notification_id, "IntegrationKey": integration.key,
                         "TenantKey": tenant_key, **parsed})
    statement = update(sync_notification).where(sync_notification.c.id == bindparam("b_id"))
    if rejected:
        conn.execute(statement, rejected)
    if accepted:
        conn.execute(statement.values(
            IntegrationKey=bindparam("IntegrationKey"), TenantKey=bindparam("TenantKey"),
            ServiceProviderId=bindparam("ServiceProviderId"),
            ShouldQueueCarrierOptimization=bindparam("ShouldQueueCarrierOptimization"),
            OptimizationSessionId=bindparam("OptimizationSessionId"),
            RetryCount=bindparam("RetryCount"), MaxRetries=bindparam("MaxRetries"),
            DelayBetweenRetries=bindparam("DelayBetweenRetries"),
            RemainingRowsToProcess=bindparam("RemainingRowsToProcess"),
        ), [{k: v for k, v in a.items() if k != "IntegrationType"} for a in accepted])
    return len(rejected)


def evaluate_notifications(databases, *, now: datetime | None = None, max_launches: int = 25,
                           max_evaluated: int = 20_000, retry=None) -> TickOutcome:
    """One sensor tick over the inbox: parse, count rows to process, wait / launch.

    Set-based where it matters: one grouped COUNT per rows-to-process table for all due
    notifications (on the database that holds the table: the Jasper family's live in the
    Jasper database), and one executemany per kind of update. Nothing is deleted here: a
    launch decided *forced* is committed as such on its notification, and the first step of
    its run clears the provider's rows to process (sql/finalize.py) — logged and retried in
    that run, once per notification.
    """
    retry = retry or TransientRetry()
    now = now or utcnow()
    rejected, due = in_transaction(databases.central, lambda conn: (
        _parse_new(conn, now, max_evaluated), _due(conn, now, max_evaluated)), retry)
    outcome = TickOutcome(rejected=rejected)
    by_integration: dict[str, set[int]] = {}
    for row in due:
        by_integration.setdefault(row.IntegrationKey, set()).add(row.ServiceProviderId)
    remaining = {}
    for key, providers in by_integration.items():  # integrations, not devices
        try:
            counted = in_transaction(_rows_engine(databases, INTEGRATIONS[key]), lambda conn: (
                count_rows_to_process(conn, INTEGRATIONS[key], providers)), retry)
        except DBAPIError as error:
            # One database's outage (the Jasper one, say) delays only the integrations whose
            # rows to process live there: theirs are decided by a later tick, as they are.
            outcome.unavailable[key] = short_error(error)
            continue
        remaining[key] = counted.per_provider
        outcome.whole_table.update(counted.whole_table)
    due = [row for row in due if row.IntegrationKey not in outcome.unavailable]
    in_transaction(databases.central, lambda conn: _decide(conn, due, remaining, now,
                                                            max_launches, outcome), retry)
    return outcome


def _rows_engine(databases, integration: Integration):
    return databases.jasper if integration.database is Database.JASPER else databases.central


def _due(conn: Connection, now: datetime, limit: int):
    n = sync_notification.c
    return conn.execute(
        select(n.id, n.IntegrationKey, n.TenantKey, n.ServiceProviderId,
               n.ShouldQueueCarrierOptimization, n.OptimizationSessionId, n.RetryCount,
               n.MaxRetries, n.DelayBetweenRetries, n.RemainingRowsToProcess)
        .where(n.Status.in_([PENDING, WAITING]), n.IntegrationKey.isnot(None),
               or_(n.NextCheckAt.is_(None), n.NextCheckAt <= now))
        .order_by(n.id).limit(limit)
    ).all()


def _decide(conn: Connection, due, remaining, now: datetime, max_launches: int,
            outcome: TickOutcome) -> None:
    waits, launched = [], []
    for row in due:  # notifications, not devices
        integration = INTEGRATIONS[row.IntegrationKey]
        count = remaining[row.IntegrationKey].get(row.ServiceProviderId, 0)
        forced, reason = False, None
        if count > 0:
            exhausted = row.RetryCount + 1 > row.MaxRetries
            stalled = (integration.stop_waiting_when_count_unchanged
                       and count == row.RemainingRowsToProcess)
            if not exhausted and not stalled:
                waits.append({"b_id": row.id, "Status": WAITING, "RetryCount": row.RetryCount + 1,
                              "RemainingRowsToProcess": count,
                              "NextCheckAt": now + timedelta(seconds=row.DelayBetweenRetries)})
                continue
            forced = True
            reason = (f"{count} rows to process left after {row.RetryCount} retries"
                      if exhausted else f"{count} rows to process, unchanged since the last check")
        if len(outcome.launches) >= max_launches:
            outcome.deferred += 1
            continue
        outcome.forced += forced
        launch = Launch(row.id, row.IntegrationKey, row.TenantKey, row.ServiceProviderId,
                        bool(row.ShouldQueueCarrierOptimization), row.OptimizationSessionId,
                        forced, reason)
        outcome.launches.append(launch)
        launched.append({"b_id": row.id, "Status": LAUNCHED, "Forced": forced, "Reason": reason,
                         "RunKey": launch.run_key, "RemainingRowsToProcess": count,
                         "DecidedAt": now})
    statement = update(sync_notification).where(sync_notification.c.id == bindparam("b_id"))
    if waits:
        conn.execute(statement.values(
            Status=bindparam("Status"), RetryCount=bindparam("RetryCount"),
            RemainingRowsToProcess=bindparam("RemainingRowsToProcess"),
            NextCheckAt=bindparam("NextCheckAt")), waits)
    if launched:
        conn.execute(statement.values(
            Status=bindparam("Status"), Forced=bindparam("Forced"), Reason=bindparam("Reason"),
            RunKey=bindparam("RunKey"), RemainingRowsToProcess=bindparam("RemainingRowsToProcess"),
            DecidedAt=bindparam("DecidedAt")), launched)
    outcome.waiting = len(waits)


def launched_between(conn: Connection, since: datetime, until: datetime) -> list[Launch]:
    """Launches decided in [since, until]. The sensor requests those whose run does not
    exist again (Dagster skips a run key it has already launched), so a crash between the
    decision and the run's creation loses nothing."""
    n = sync_notification.c
    rows = conn.execute(
        select(n.id, n.IntegrationKey, n.TenantKey, n.ServiceProviderId,
               n.ShouldQueueCarrierOptimization, n.OptimizationSessionId, n.Forced, n.Reason)
        .where(n.Status == LAUNCHED, n.DecidedAt >= since, n.DecidedAt <= until)
        .order_by(n.id).limit(1000)
    ).all()
    return [Launch(r.id, r.IntegrationKey, r.TenantKey, r.ServiceProviderId,
                   bool(r.ShouldQueueCarrierOptimization), r.OptimizationSessionId,
                   bool(r.Forced), r.Reason) for r in rows]


# --- the legacy SQS queue ----------------------------------------------------------------
def ingest_sqs_messages(engine, client, queue_url: str, *, max_batches: int = 10) -> int:
    """Move messages from the legacy device-notification queue into the inbox.

    A message is deleted from SQS only after its row is committed; a message redelivered
    after a crash in between is recognised by its MessageId and not recorded twice.
    Returns the number of new notifications.
    """
    recorded = 0
    for _ in range(max_batches):
        messages = client.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
            MessageAttributeNames=["All"], VisibilityTimeout=120,
        ).get("Messages", [])
        if not messages:
            break
        with engine.begin() as conn:
            for message in messages:  # at most ten messages
                attributes = {name: value.get("StringValue")
                              for name, value in message.get("MessageAttributes", {}).items()}
                if post_notification(conn, attributes, source="sqs",
                                     external_id=message["MessageId"]) is not None:
                    recorded += 1
        result = client.delete_message_batch(QueueUrl=queue_url, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)
        ])
        if result.get("Failed"):  # recorded already: a redelivery is deduplicated
            raise RuntimeError(f"SQS could not delete {len(result['Failed'])} recorded messages: "
                               f"{[f.get('Code') for f in result['Failed']]}")
    return recorded
