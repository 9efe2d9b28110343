"""The sandbox's readable lines for Discord events and threads."""

from __future__ import annotations

import datetime as dt

from bot.sandbox.premiere_text import event_line, events_text, threads_text
from bot.sandbox.simulator.demo import add_demo_guild
from bot.sandbox.simulator.server import Simulator


def test_an_external_event_reads_as_when_and_where() -> None:
    line = event_line(
        {
            "name": "Heartstopper season 3",
            "entity_type": 3,
            "entity_metadata": {"location": "Netflix"},
            "scheduled_start_time": "2024-10-03T07:00:00+00:00",
            "scheduled_end_time": "2024-10-03T09:00:00+00:00",
        }
    )
    assert line == (
        "  📅 Heartstopper season 3: 2024-10-03 07:00 UTC → 2024-10-03 09:00 UTC, "
        "external at Netflix"
    )


async def test_empty_and_tagged_threads() -> None:
    async with Simulator() as sim:
        demo = add_demo_guild(sim)
        forum = sim.threads.add_forum(demo.guild_id, "premieres", tags=("Season 3",))
        assert events_text(sim, demo.guild_id) == "  (no Discord events)"
        assert threads_text(sim, forum.id) == "  (no threads)"
        tag = forum.extra["available_tags"][0]["id"]
        sim.threads.threads[1] = {
            "parent_id": str(forum.id),
            "name": "Heartstopper season 3 (spoilers)",
            "applied_tags": [tag],
            "thread_metadata": {"archived": True},
        }
        assert threads_text(sim, forum.id) == (
            "  🧵 Heartstopper season 3 (spoilers) [Season 3] (archived)"
        )


async def test_scheduled_events_judge_the_start_by_the_simulators_wall_clock() -> None:
    async with Simulator() as sim:
        moved = dt.datetime(2024, 9, 1, 12, 0, tzinfo=dt.UTC)
        sim.state.wall_clock = lambda: moved  # what the sandbox's .time does
        assert sim.scheduled_events.now() == moved
