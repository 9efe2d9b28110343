"""The real bot, sharded, against the simulator: past 2,500 servers, and shard ranges."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import discord
import pytest

from bot.sandbox.harness import bot_against
from bot.sandbox.simulator.server import Simulator
from tests.backends import Backend
from tests.e2e.countdown_support import SettableClock
from tests.e2e.test_countdown_crash import seed

POST_AT = dt.datetime(2024, 9, 1, 9, 0, tzinfo=dt.UTC)


def add_servers(sim: Simulator, count: int) -> list[int]:
    return [sim.add_guild(f"Fan Club {n}").id for n in range(count)]


async def test_above_2500_servers_unsharded_is_refused_and_sharded_connects(
    tmp_path: Path,
) -> None:
    async with Simulator(max_concurrency=16) as sim:
        guilds = add_servers(sim, 2501)
        # One shard for 2,501 servers: Discord (and the simulator) close with 4011.
        with pytest.raises(discord.ConnectionClosed) as refused:
            async with bot_against(sim, tmp_path / "one.sqlite3", shard_count=1):
                pass
        assert refused.value.code == 4011
        # By default the bot takes Discord's recommendation (3 shards here) and connects.
        async with bot_against(sim, tmp_path / "auto.sqlite3", ready_timeout=60) as bot:
            assert bot.shard_count == 3
            assert sorted(bot.shards) == [0, 1, 2]
            assert {g.id for g in bot.guilds} == set(guilds)
            assert bot.countdowns.repo.shards is None  # every shard here: no filter
            # No member lists: only the bot's own member is cached.
            assert all(len(g.members) <= 1 for g in bot.guilds[:50])
        assert sorted(sim.gateway.identified_shards)[-3:] == [(0, 3), (1, 3), (2, 3)]


async def test_a_bot_with_half_the_shards_posts_only_for_their_servers(backend: Backend) -> None:
    """Shards 0-1 of 4: their servers get their post, the others' are left to another
    process (not posted, not marked as left), and the bot paces itself at half the budget."""
    clock = SettableClock(POST_AT - dt.timedelta(minutes=5))
    async with Simulator(max_concurrency=4) as sim:
        channels = {g: sim.add_channel(g, "countdown").id for g in add_servers(sim, 24)}
        mine = {g for g in channels if (g >> 22) % 4 in (0, 1)}
        assert 0 < len(mine) < len(channels)
        await seed(backend, channels)
        async with bot_against(
            sim,
            backend.sqlite_path,
            database_url=backend.url,
            clock=clock,
            tick_seconds=0.05,
            send_rate=200.0,
            shard_count=4,
            shard_ids=(0, 1),
        ) as bot:
            assert {g.id for g in bot.guilds} == mine
            assert bot.pacer.interval == pytest.approx(2 / 200.0)  # half the budget
            clock.set(POST_AT + dt.timedelta(seconds=5))
            await sim.wait_until(
                lambda: all(sim.state.messages.get(channels[g]) for g in mine), 10, "posts"
            )
            await asyncio.sleep(0.3)  # more ticks: nothing more may go out
            await bot.countdowns.idle()
            removed = "SELECT count(*) FROM guild_settings WHERE removed_at IS NOT NULL"
            assert await backend.rows(removed) == [(0,)]
        posted = {g for g, c in channels.items() if sim.state.messages.get(c)}
        assert posted == mine
        assert all(len(sim.state.messages[channels[g]]) == 1 for g in mine)
