"""The global request budget as Discord sees it: arrivals, not pacer slots.

A countdown sender takes its pacer slot, then does database work (the settings re-read and
the "sending" mark) before its request leaves; only then does the request reach Discord,
which counts arrivals in a sliding second. When that database work stalls (a slow fsync, a
long write queued ahead on the one connection), requests paced over a second arrive
together, and the paid request skips the pacer's sliding-second cap.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.countdown.settings import CountdownSettings
from bot.database.countdown import Delivery
from bot.sandbox.harness import bot_against
from bot.sandbox.simulator.server import Simulator
from tests.e2e.countdown_support import SettableClock

GLOBAL_LIMIT = 50  # Discord's, enforced by the simulator
SEND_RATE = 45.0  # the bot's default pacer rate
SERVERS = 150  # ~3.3 s of posts at 45/s
STALL = 0.8  # seconds the database stalls on the first "sending" write
POST_AT = dt.datetime(2024, 9, 1, 9, 0, tzinfo=dt.UTC)


class ArrivalsSimulator(Simulator):
    """The simulator, noting when each request arrives (429s included)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.arrivals: list[float] = []

    async def _handle_http(self, request: web.Request) -> web.StreamResponse:
        self.arrivals.append(asyncio.get_running_loop().time())
        return await super()._handle_http(request)


def busiest_second(times: list[float]) -> int:
    """The most of ``times`` (sorted) within any sliding second."""
    best, first = 0, 0
    for last, at in enumerate(times):
        while at - times[first] >= 1.0:
            first += 1
        best = max(best, last - first + 1)
    return best


def test_busiest_second_counts_a_sliding_window() -> None:
    assert busiest_second([0.0, 0.5, 0.99, 1.0, 1.4]) == 4
    assert busiest_second([0.0, 1.0, 2.0]) == 1


async def test_a_database_stall_between_slot_and_request_keeps_discord_under_its_limit(
    tmp_path: Path,
) -> None:
    clock = SettableClock(POST_AT - dt.timedelta(minutes=1))
    async with ArrivalsSimulator(global_rate_limit=GLOBAL_LIMIT) as sim:
        channels = {}
        for n in range(SERVERS):
            guild = sim.add_guild(f"Fan Club {n}")
            channels[guild.id] = sim.add_channel(guild.id, "countdown").id
        async with bot_against(
            sim, tmp_path / "bot.sqlite3", clock=clock, tick_seconds=0.05, send_rate=SEND_RATE
        ) as bot:
            repo = bot.countdowns.repo
            for guild_id, channel_id in channels.items():
                settings = CountdownSettings(guild_id, channel_id, post_time=dt.time(9, 0))
                await repo.save_settings(settings, next_post_at=POST_AT, now=clock())

            # The first "sending" write hits a disk stall; the writes queued behind it on the
            # one connection wait with it, as they would behind a slow fsync.
            loop = asyncio.get_running_loop()
            stalled_until: list[float] = []
            start_sending = repo.start_sending

            async def slow_disk(delivery: Delivery, **kwargs: Any) -> bool:
                if not stalled_until:
                    stalled_until.append(loop.time() + STALL)
                await asyncio.sleep(max(0.0, stalled_until[0] - loop.time()))
                return await start_sending(delivery, **kwargs)

            repo.start_sending = slow_disk  # type: ignore[method-assign]
            sim.arrivals.clear()
            clock.set(POST_AT + dt.timedelta(seconds=1))

            def posted() -> list[int]:
                return [len(sim.state.messages.get(c, [])) for c in channels.values()]

            await sim.wait_until(lambda: min(posted()) >= 1, 30, "every post")
            await bot.countdowns.idle()
        assert posted() == [1] * SERVERS  # exactly once still holds
        busiest = busiest_second(sorted(sim.arrivals))
        assert (busiest, sim.stats.rate_limited) == (min(busiest, GLOBAL_LIMIT), 0)
