"""Joins and removals while the bot was offline; long event lists."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from bot.sandbox.simulator.demo import add_demo_guild
from bot.sandbox.simulator.server import Simulator
from tests.e2e.countdown_support import LONDON, SEP_1_0700, SettableClock, countdown_bot


async def test_a_server_left_while_offline_is_noticed_at_start_up(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    clock = SettableClock(SEP_1_0700)
    async with Simulator() as sim:
        demo = add_demo_guild(sim)
        other = add_demo_guild(sim)
        async with countdown_bot(sim, db, clock):
            for guild in (demo, other):
                result = await sim.run_command(
                    guild.guild_id,
                    guild.general_id,
                    guild.admin_id,
                    "countdown setup",
                    {"channel": guild.countdown_id, "time": "09:00", "timezone": LONDON},
                )
                assert "✅" in (result.content or "")
        sim.remove_guild(other.guild_id)  # while the bot is down: it never hears of it
        async with countdown_bot(sim, db, clock) as bot:
            for _ in range(100):  # on_ready listeners run just after the bot is ready
                gone = await bot.countdowns.status(other.guild_id)
                if gone.next_post_at is None:
                    break
                await asyncio.sleep(0.02)
            kept = await bot.countdowns.status(demo.guild_id)
            assert kept.next_post_at is not None
            assert gone.next_post_at is None  # no posts to a server the bot has left
            assert gone.settings.channel_id == other.countdown_id  # kept for the grace period
            clock.set(SEP_1_0700 + dt.timedelta(days=31))
            await bot.countdowns.tick()
            purged = await bot.countdowns.status(other.guild_id)
            assert purged.settings.channel_id is None
            assert (await bot.countdowns.status(demo.guild_id)).settings.channel_id is not None


async def test_a_long_event_list_fits_in_one_reply(tmp_path: Path) -> None:
    clock = SettableClock(SEP_1_0700)
    async with Simulator() as sim:
        demo = add_demo_guild(sim)
        async with countdown_bot(sim, tmp_path / "bot.sqlite3", clock):
            g, ch, admin = demo.guild_id, demo.general_id, demo.admin_id
            for n in range(25):  # the cap on upcoming events (see test_countdown_input.py)
                name = f"Watch party number {n:02d} " + "with a rather long name " * 2
                result = await sim.run_command(
                    g,
                    ch,
                    admin,
                    "countdown event add",
                    {"name": name[:80], "when": f"2024-12-{n % 28 + 1:02d} 19:30"},
                )
                assert not result.failed and "Added" in (result.content or "")
            listed = await sim.run_command(g, ch, admin, "countdown event list")
            assert not listed.failed and listed.ephemeral
            [embed] = listed.embeds
            assert len(embed["description"]) <= 4096  # Discord's cap on an embed description
            assert embed["footer"]["text"].startswith("Page 1/3")
