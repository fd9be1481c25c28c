"""How often the daemon evaluates the location's sensors.

The intervals are the ones the sensors declare (30 s for the sync sensor and the failure
sensor, 2 minutes for the sweep). Tests that go through a real daemon set
``CLEANUP_TEST_SENSOR_INTERVAL_SECONDS`` to a few seconds so that they wait on the path
they test rather than on the clock: the 30 s sensors then tick at that interval and every
other interval shrinks in the same proportion, to at most four times the tests' interval
(the sweep, a backstop, still ticks four times less often than the failure sensor, so the
failure sensor acts first as deployed; the freshness sensor's 5 minutes, whose order
against the others matters to nothing, becomes the same 20 s at a 5 s interval instead of
50 s). Nothing else sets it, and it can only shorten an interval."""

from __future__ import annotations

import os

TEST_INTERVAL_VARIABLE = "CLEANUP_TEST_SENSOR_INTERVAL_SECONDS"
DECLARED_BASE = 30  # the interval the tests' value replaces; the others scale with it
LONGEST_SCALED = 4  # ... up to four times the tests' value (the sweep's 2 minutes)


def sensor_interval(seconds: int) -> int:
    """``seconds``, or in the tests the same interval scaled to their shorter one."""
    override = os.environ.get(TEST_INTERVAL_VARIABLE)
    if not override:
        return seconds
    if not override.isdigit() or int(override) < 1:
        raise ValueError(f"{TEST_INTERVAL_VARIABLE} must be a whole number of seconds (>= 1)")
    scaled = max(1, round(seconds * int(override) / DECLARED_BASE))
    if int(override) < DECLARED_BASE:  # a shorter interval: the long ones capped too
        scaled = min(scaled, LONGEST_SCALED * int(override))
    return min(seconds, scaled)
