"""Alerts to the operators (CLEANUP_OPERATOR_EMAIL_ADDRESSES): a failed partition run is
reported by one email, whatever carrier and whether or not it asked for optimization.

Ours, not the legacy's: the Lambda emailed only the optimization stop path; an ordinary
failed cleanup reached no one (docs/legacy-differences.md). Each alert is claimed in
`CleanupOperatorAlert` under its key before it is sent and marked sent after, so a failure
seen by several ticks is mailed once; a send that failed (the tick fails visibly) or was
never confirmed is sent by the next tick — an alert may then arrive twice, never not at all.
"""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from .db import utcnow
from .emails import paragraphs_html
from .schema import operator_alert

SENDING, SENT = "sending", "sent"
RUN_FAILURE = "run_failure"
SUBJECT_PREFIX = "Device sync cleanup failed"


def run_failure_key(run_id: str) -> str:
    return f"run-failure:{run_id}"


def claim_alert(conn: Connection, key: str, kind: str, partition: str | None, subject: str,
                reason: str) -> str | None:
    """Claim the alert ``key``: None when it is to be sent now (new, or a send never
    confirmed), else the status it already has."""
    status = conn.execute(select(operator_alert.c.Status).where(
        operator_alert.c.AlertKey == key)).scalar()
    if status is None:
        conn.execute(insert(operator_alert).values(
            AlertKey=key, Kind=kind, PartitionKey=partition, Status=SENDING,
            Subject=subject[:500], Reason=reason[:2000], CreatedAt=utcnow()))
        return None
    return None if status == SENDING else status


def mark_sent(conn: Connection, key: str, sent_to: str) -> None:
    conn.execute(update(operator_alert).where(operator_alert.c.AlertKey == key).values(
        Status=SENT, SentTo=sent_to[:1000], SentAt=utcnow()))


def run_failure_alert(partition: str | None, job_name: str, run_id: str,
                      reason: str) -> tuple[str, str, str]:
    """(subject, text, HTML) of the email about a failed run."""
    where = partition or "no partition"
    subject = f"{SUBJECT_PREFIX}: {where}"
    lines = [
        f"The run {run_id} of {job_name} for partition {where} failed.",
        "",
        f"Why: {reason}",
        "",
        "In the Dagster UI: Runs -> the run id above (its failed step and log). Fix the cause, "
        "then re-execute the run or launch finalize_device_sync for the partition.",
    ]
    text = "\n".join(lines)
    return subject, text, paragraphs_html(lines)
