"""Shared pieces for the countdown end-to-end tests: a settable clock and small waits."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from bot.client import HeartstopperBot
from bot.sandbox.harness import bot_against
from bot.sandbox.simulator.interactions import InteractionResult
from bot.sandbox.simulator.server import Simulator
from tests.backends import Backend

TICK = 0.05  # seconds between real APScheduler ticks: posts appear within a few of these
SEND_RATE = 500.0  # fast pacing: the pacing itself is the benchmark's business
SILENT = 1 << 12  # SUPPRESS_NOTIFICATIONS

# Season 3 is dated 2024-10-03 07:00 UTC in the show data; Europe/London is on BST (UTC+1)
# all September, so a 09:00 London post is 08:00 UTC and 2024-09-03 is the 30-day milestone.
LONDON = "Europe/London"
SEP_1_0700 = dt.datetime(2024, 9, 1, 7, 0, tzinfo=dt.UTC)


def post_instant(day: int, hour: int = 8, minute: int = 0) -> dt.datetime:
    """A UTC instant in September 2024 (hour 8 UTC is the 09:00 London post)."""
    return dt.datetime(2024, 9, day, hour, minute, tzinfo=dt.UTC)


class SettableClock:
    """The bot's injected clock: tests move it; nothing ever waits for real minutes."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def set(self, now: dt.datetime) -> None:
        self.now = now

    def advance(self, delta: dt.timedelta) -> None:
        self.now += delta


@contextlib.asynccontextmanager
async def countdown_bot(
    sim: Simulator, db: Path | Backend, clock: SettableClock, **kwargs: Any
) -> AsyncIterator[HeartstopperBot]:
    """The bot on an SQLite file, or on a test backend (SQLite or PostgreSQL)."""
    if isinstance(db, Backend):
        kwargs.setdefault("database_url", db.url)
        db = db.sqlite_path
    async with bot_against(
        sim, db, clock=clock, tick_seconds=TICK, send_rate=SEND_RATE, **kwargs
    ) as bot:
        yield bot


async def settle(bot: HeartstopperBot, ticks: int = 6) -> None:
    """Let the real scheduler tick a few times, then wait for queued sends to finish."""
    await asyncio.sleep(TICK * ticks)
    await bot.countdowns.idle()


def text_of(result: InteractionResult) -> str:
    """What the member saw: the content plus any embed text."""
    parts = [result.content or ""]
    for embed in result.embeds:
        parts.append(embed.get("description") or "")
        parts.extend(f"{f['name']}: {f['value']}" for f in embed.get("fields") or [])
    return "\n".join(parts)


async def setup_countdown(
    sim: Simulator,
    guild_id: int,
    channel_id: int,
    admin_id: int,
    *,
    time: str = "09:00",
    timezone: str = LONDON,
    role_id: int | None = None,
) -> InteractionResult:
    """``/countdown setup`` run by an admin from the countdown channel itself."""
    options: dict[str, object] = {"channel": channel_id, "time": time, "timezone": timezone}
    if role_id is not None:
        options["role"] = role_id
    result = await sim.run_command(guild_id, channel_id, admin_id, "countdown setup", options)
    assert not result.failed and result.ephemeral and "✅" in (result.content or ""), result
    return result


def add_fan_server(sim: Simulator, name: str) -> tuple[int, int, int]:
    """Another server with a #countdown channel and an admin: (guild, channel, admin) ids."""
    guild = sim.add_guild(name)
    channel = sim.add_channel(guild.id, "countdown")
    admin = sim.add_member(guild.id, f"{name} Admin", manage_guild=True)
    return guild.id, channel.id, admin.id
