"""The run-tag contract: every tag of ours a run or a materialization carries, and the
Dagster tags we read — one home for their names and their meaning.

What a sync notification said is carried by the run's tags: the sync sensor writes them
(``NotifiedSync.tags``), and the finalize step, the optimization gate, the handover and the
stop sensor read them back (``NotifiedSync.from_tags``, through defs/sync_of_run.py). Tags
(unlike op config) belong to the run itself: Dagster copies them to a re-execution and to
an automatic retry, shows them in the UI's run list, and filters on them. A run without
them — a rerun, a backfill, a materialization from the UI — finalizes every active
provider of its partition and never asks for optimization. An operator may add them by
hand in the launchpad.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from ..registry import Integration

# Written by the sync sensor on each run it requests: what the notification said.
NOTIFICATION_TAG = "cleanup/notification_id"
PROVIDER_TAG = "cleanup/service_provider_id"
SHOULD_QUEUE_TAG = "cleanup/should_queue_carrier_optimization"
SESSION_TAG = "cleanup/optimization_session_id"
FORCED_TAG = "cleanup/forced"
# On runs and materializations: what asked for them — notification | rerun on the device
# tables' materializations, freshness on the freshness sensor's runs.
TRIGGER_TAG = "cleanup/trigger"
FRESHNESS_TRIGGER = "freshness"
# On materializations: the providers the run finalized. Not the run's PROVIDER_TAG, which
# names the one notified provider.
PROVIDERS_TAG = "cleanup/providers"
# Dagster's limit on a tag value (at most 63 characters of [A-Za-z0-9_.-]).
TAG_VALUE_MAX = 63

# Dagster's own tags, read here only: the run's partition ("jasper|12"; parsed by
# defs/sync_of_run.py alone), the original run its re-executions and retries share, and the
# run-retry daemon's mark on a failed run it will retry (instance `run_retries`).
PARTITION_TAG = "dagster/partition"
ROOT_RUN_TAG = "dagster/root_run_id"
WILL_RETRY_TAG = "dagster/will_retry"
# What a sensor's run request is launched once under (written by tooling/demo_run.py when it
# executes a request in process, as the daemon would).
RUN_KEY_TAG = "dagster/run_key"
# The run queue's order (higher first, default 0): the freshness sensor's judge runs go
# under the finalize runs.
PRIORITY_TAG = "dagster/priority"


def partition_of(run) -> str | None:
    """The run's partition key as Dagster tagged it (unparsed: an operator's label)."""
    return (run.tags or {}).get(PARTITION_TAG)


def root_run_id(run) -> str:
    """The run's original: its re-executions and retries share it (the run itself when it
    is an original)."""
    return (run.tags or {}).get(ROOT_RUN_TAG) or run.run_id


def will_retry(run) -> bool:
    """Whether the run-retry daemon marked this failed run for a retry."""
    return (run.tags or {}).get(WILL_RETRY_TAG) == "true"


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
