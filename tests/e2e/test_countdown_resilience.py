"""Countdown posts when Discord misbehaves: lost permissions, deleted channels, 5xx and 429
storms, and the bot being removed from a server. The real bot, scheduler and simulator."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.client import HeartstopperBot
from bot.sandbox.simulator import permissions as perms
from bot.sandbox.simulator.demo import DemoGuild
from bot.sandbox.simulator.server import Simulator
from bot.scheduling.countdown import REMOVED_SERVER_RETENTION
from tests.e2e.countdown_support import (
    SEP_1_0700,
    SettableClock,
    add_fan_server,
    countdown_bot,
    post_instant,
    settle,
    setup_countdown,
    text_of,
)

MESSAGE_ROUTE = r"^/channels/\d+/messages$"


@dataclass(frozen=True)
class Server:
    guild_id: int
    channel_id: int
    admin_id: int


@dataclass
class World:
    sim: Simulator
    bot: HeartstopperBot
    clock: SettableClock
    servers: list[Server]  # servers[0] is the demo server

    async def set_up_all(self) -> None:
        for s in self.servers:
            await setup_countdown(self.sim, s.guild_id, s.channel_id, s.admin_id)

    def counts(self) -> list[int]:
        return [len(self.sim.messages(s.channel_id)) for s in self.servers]


@pytest.fixture
async def world(sim: Simulator, demo: DemoGuild, tmp_path: Path) -> AsyncIterator[World]:
    # The other servers exist before the bot connects, so they arrive in its READY.
    others = [Server(*add_fan_server(sim, f"Fan Club {n}")) for n in (2, 3)]
    servers = [Server(demo.guild_id, demo.countdown_id, demo.admin_id), *others]
    clock = SettableClock(SEP_1_0700)
    async with countdown_bot(sim, tmp_path / "bot.sqlite3", clock) as bot:
        yield World(sim, bot, clock, servers)


async def _command(world: World, server: Server, name: str) -> str:
    result = await world.sim.run_command(server.guild_id, server.channel_id, server.admin_id, name)
    assert result.ephemeral, result
    return text_of(result)


async def test_revoked_permission_pauses_only_that_server_and_tells_its_admins(
    world: World,
) -> None:
    sim, bot, clock = world.sim, world.bot, world.clock
    await world.set_up_all()
    broken, *healthy = world.servers
    sim.revoke_bot_permission(broken.channel_id, perms.SEND_MESSAGES)

    clock.set(post_instant(1) + dt.timedelta(seconds=20))
    for s in healthy:
        await sim.wait_for_messages(s.channel_id, 1)
    await settle(bot)
    assert world.counts() == [0, 1, 1]

    status = await bot.countdowns.status(broken.guild_id)
    assert status.settings.enabled is False and status.next_post_at is None
    assert status.last_error is not None and "Send Messages" in status.last_error
    for s in healthy:
        assert (await bot.countdowns.status(s.guild_id)).last_error is None

    # The next countdown command tells an admin, once; /countdown status keeps showing it.
    first = await _command(world, broken, "countdown preview")
    assert "The countdown hit a problem" in first and "Send Messages" in first
    again = await _command(world, broken, "countdown preview")
    assert "hit a problem" not in again and "Paused" in again
    card = await _command(world, broken, "countdown status")
    assert "Paused" in card and "Last problem" in card and "Send Messages" in card

    # The others keep going the next day; the paused server stays quiet.
    clock.set(post_instant(2) + dt.timedelta(seconds=20))
    for s in healthy:
        await sim.wait_for_messages(s.channel_id, 2)
    await settle(bot)
    assert world.counts() == [0, 2, 2]

    # Fixing the permission and resuming brings it back.
    sim.set_overwrite(broken.channel_id, sim.bot_user_id, allow=perms.SEND_MESSAGES)
    resumed = await _command(world, broken, "countdown resume")
    assert "Countdown resumed" in resumed
    assert (await bot.countdowns.status(broken.guild_id)).next_post_at == post_instant(3)


async def test_deleted_channel_pauses_with_a_clear_reason(world: World) -> None:
    sim, bot, clock = world.sim, world.bot, world.clock
    await world.set_up_all()
    gone, *healthy = world.servers
    sim.delete_channel(gone.channel_id)

    clock.set(post_instant(1) + dt.timedelta(seconds=20))
    for s in healthy:
        await sim.wait_for_messages(s.channel_id, 1)
    await settle(bot)

    status = await bot.countdowns.status(gone.guild_id)
    assert status.settings.enabled is False
    assert status.last_error is not None and "no longer exists" in status.last_error
    demo_general = next(iter(sim.state.guild(gone.guild_id).channels))
    result = await sim.run_command(gone.guild_id, demo_general, gone.admin_id, "countdown status")
    assert "no longer exists" in text_of(result)


async def test_server_error_storm_delivers_every_post_exactly_once(world: World) -> None:
    sim, bot, clock = world.sim, world.bot, world.clock
    await world.set_up_all()
    # A 500 (discord.py retries it itself) and then a 503 for every server (the service's own
    # retry, two seconds later).
    sim.faults.fail("POST", MESSAGE_ROUTE, status=500, times=1)
    sim.faults.fail("POST", MESSAGE_ROUTE, status=503, times=3)

    clock.set(post_instant(1) + dt.timedelta(seconds=20))
    for s in world.servers:
        await sim.wait_for_messages(s.channel_id, 1, timeout=15)
    await settle(bot)
    assert sim.faults.pending == 0 and sim.stats.failures_injected == 4
    assert world.counts() == [1, 1, 1]
    for s in world.servers:
        status = await bot.countdowns.status(s.guild_id)
        assert status.settings.enabled and status.last_error is None
        assert await bot.countdowns.repo.count_deliveries(s.guild_id, "sent") == 1


async def test_rate_limit_storm_delivers_every_post_exactly_once(world: World) -> None:
    sim, bot, clock = world.sim, world.bot, world.clock
    await world.set_up_all()
    sim.faults.rate_limit("POST", MESSAGE_ROUTE, retry_after=0.2, times=5)
    sim.faults.rate_limit("POST", MESSAGE_ROUTE, retry_after=0.2, times=2, global_=True)

    clock.set(post_instant(1) + dt.timedelta(seconds=20))
    for s in world.servers:
        await sim.wait_for_messages(s.channel_id, 1, timeout=15)
    await settle(bot)
    assert sim.faults.pending == 0 and sim.stats.rate_limited >= 7
    assert world.counts() == [1, 1, 1]
    for s in world.servers:
        assert (await bot.countdowns.status(s.guild_id)).last_error is None


async def _removed_at(bot: HeartstopperBot, guild_id: int) -> int | None:
    async with bot.db.execute(
        "SELECT removed_at FROM guild_settings WHERE guild_id = ?", (guild_id,)
    ) as cur:
        row = await cur.fetchone()
    return None if row is None else row[0]


async def test_removed_server_is_kept_for_the_grace_period_then_purged(world: World) -> None:
    sim, bot, clock = world.sim, world.bot, world.clock
    await world.set_up_all()
    left, stays, _ = world.servers
    added = await sim.run_command(
        left.guild_id,
        left.channel_id,
        left.admin_id,
        "countdown event add",
        {"name": "Watch party", "when": "2024-09-20 19:00", "count_down": False},
    )
    assert "Added" in (added.content or "")

    sim.remove_guild(left.guild_id)
    for _ in range(100):  # the GUILD_DELETE reaches the bot over the gateway
        if await _removed_at(bot, left.guild_id) is not None:
            break
        await asyncio.sleep(0.02)
    assert await _removed_at(bot, left.guild_id) is not None

    # Within the grace period everything is kept (and nothing is posted there).
    clock.advance(REMOVED_SERVER_RETENTION - dt.timedelta(days=1))
    await settle(bot)
    kept = await bot.countdowns.status(left.guild_id)
    assert kept.settings.channel_id == left.channel_id and kept.next_post_at is None
    assert len(await bot.countdowns.repo.list_events(left.guild_id)) == 1

    # After it, the server's settings and events are gone; other servers are untouched.
    clock.advance(dt.timedelta(days=2))
    await settle(bot)
    purged = await bot.countdowns.status(left.guild_id)
    assert purged.settings.channel_id is None and purged.next_post_at is None
    assert await bot.countdowns.repo.list_events(left.guild_id) == []
    assert (await bot.countdowns.status(stays.guild_id)).settings.channel_id == stays.channel_id
