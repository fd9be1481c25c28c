"""What a sync notification said, carried by the run's tags — one home for it.

The sync sensor tags each run it launches; the finalize step, the optimization gate, the
handover and the stop sensor all read the same tags. Tags (unlike op config) belong to the
run itself: Dagster copies them to a re-execution and to an automatic retry, show them in
the UI's run list, and filter on them. A run without them — a rerun, a backfill, a
materialization from the UI — finalizes every active provider of its partition and never
asks for optimization. An operator may add them by hand in the launchpad.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from ..registry import Integration

NOTIFICATION_TAG = "cleanup/notification_id"
PROVIDER_TAG = "cleanup/service_provider_id"
SHOULD_QUEUE_TAG = "cleanup/should_queue_carrier_optimization"
SESSION_TAG = "cleanup/optimization_session_id"
FORCED_TAG = "cleanup/forced"


class InvalidRunTags(ValueError):
    """A run tag of ours that does not say what it must (a hand-typed tag, say)."""


def _integer(tags: Mapping[str, str], name: str) -> int | None:
    text = (tags.get(name) or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text.lstrip("0")) > 19:
        raise InvalidRunTags(f"run tag {name} is {text[:40]!r}: a whole number is required "
                             "(at most 19 digits)")
    return int(text)


def _flag(tags: Mapping[str, str], name: str) -> bool:
    text = (tags.get(name) or "").strip().lower()
    if text not in ("", "true", "false"):
        raise InvalidRunTags(f"run tag {name} is {text!r}: true or false is required")
    return text == "true"


@dataclass(frozen=True)
class NotifiedSync:
    """The notification behind a run; the defaults are a run without one."""

    service_provider_id: int | None = None
    should_queue_carrier_optimization: bool = False
    optimization_session_id: int = 0
    forced: bool = False  # the wait gave up before the carrier's rows were processed
    notification_id: int | None = None

    @classmethod
    def from_tags(cls, tags: Mapping[str, str]) -> "NotifiedSync":
        notified = cls(
            service_provider_id=_integer(tags, PROVIDER_TAG),
            should_queue_carrier_optimization=_flag(tags, SHOULD_QUEUE_TAG),
            optimization_session_id=_integer(tags, SESSION_TAG) or 0,
            forced=_flag(tags, FORCED_TAG),
            notification_id=_integer(tags, NOTIFICATION_TAG),
        )
        if notified.service_provider_id is None and notified.should_queue_carrier_optimization:
            raise InvalidRunTags(
                f"a run without a sync notification (no {PROVIDER_TAG} tag) never asks for "
                f"optimization: add {PROVIDER_TAG} or drop {SHOULD_QUEUE_TAG}")
        return notified

    def tags(self) -> dict[str, str]:
        found = {
            PROVIDER_TAG: self.service_provider_id,
            SHOULD_QUEUE_TAG: "true" if self.should_queue_carrier_optimization else "false",
            SESSION_TAG: self.optimization_session_id,
            FORCED_TAG: "true" if self.forced else "false",
            NOTIFICATION_TAG: self.notification_id,
        }
        return {name: str(value) for name, value in found.items() if value is not None}

    @property
    def is_notified(self) -> bool:
        return self.service_provider_id is not None

    @property
    def stops_optimization_on_failure(self) -> bool:
        """Whether a failure of this run must stop the optimization it asked for: any
        integration, as the legacy's catch (F:239-244) — though only the Jasper family ever
        queues it."""
        return self.should_queue_carrier_optimization and self.service_provider_id is not None

    def asks_optimization(self, integration: Integration) -> bool:
        """Whether this run hands over to optimization (so the gate must hold)."""
        return (self.should_queue_carrier_optimization and integration.optimization
                and self.service_provider_id is not None)


def notified_sync(run) -> NotifiedSync:
    """The notification behind a Dagster run (its tags)."""
    return NotifiedSync.from_tags(run.tags or {})
