"""The run tags the sync sensor sets and every step reads (defs/notified.py): pure parsing."""

import pytest

from cleanup_assets.defs.notified import InvalidRunTags, NotifiedSync
from cleanup_assets.registry import INTEGRATIONS


def test_the_tags_round_trip_and_an_untagged_run_is_a_rerun():
    notified = NotifiedSync(11, True, 9101, forced=True, notification_id=4)
    assert NotifiedSync.from_tags(notified.tags()) == notified
    assert NotifiedSync.from_tags({}) == NotifiedSync()
    assert not NotifiedSync.from_tags({}).asks_optimization(INTEGRATIONS["jasper"])
    assert notified.asks_optimization(INTEGRATIONS["jasper"])
    assert not notified.asks_optimization(INTEGRATIONS["thingspace"])  # Jasper family only


@pytest.mark.parametrize("tags, message", [
    ({"cleanup/service_provider_id": "1_1"}, "a whole number is required"),
    ({"cleanup/service_provider_id": "１１"}, "a whole number is required"),
    ({"cleanup/forced": "yes"}, "true or false is required"),
    ({"cleanup/should_queue_carrier_optimization": "true"}, "never asks for optimization"),
])
def test_a_hand_typed_tag_that_says_something_else_is_refused(tags, message):
    with pytest.raises(InvalidRunTags, match=message):
        NotifiedSync.from_tags(tags)
