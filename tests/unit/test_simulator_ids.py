"""Snowflakes: pinned ids repeat run after run; time-based ids always come after them."""

from __future__ import annotations

from bot.sandbox.simulator.server import STABLE_IDS_MS
from bot.sandbox.simulator.state import SnowflakeFactory, snowflake_time


def test_pinned_ids_are_the_same_every_run_and_in_order() -> None:
    first = SnowflakeFactory(pinned_ms=STABLE_IDS_MS)
    second = SnowflakeFactory(pinned_ms=STABLE_IDS_MS)
    ids = [first.next() for _ in range(20)]
    assert ids == [second.next() for _ in range(20)]
    assert ids == sorted(set(ids))
    assert snowflake_time(ids[0]).year == 2024


def test_unpinned_ids_follow_the_clock_after_the_pinned_ones() -> None:
    factory = SnowflakeFactory(pinned_ms=STABLE_IDS_MS)
    pinned = factory.next()
    factory.unpin()
    later = factory.next()
    assert later > pinned
    assert snowflake_time(later).year >= 2025
