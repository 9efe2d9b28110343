"""Release-day threads (issue 11): one post and one thread per release per server, at the
release instant, across a restart and a crash mid-send; a missing permission is named."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from bot.client import HeartstopperBot
from bot.sandbox.simulator import permissions as perms
from bot.sandbox.simulator.demo import DemoGuild, add_demo_guild
from bot.sandbox.simulator.server import Simulator
from bot.sandbox.simulator.threads import CREATE_PUBLIC_THREADS
from tests.e2e.countdown_support import SettableClock, countdown_bot, settle, setup_countdown
from tests.e2e.countdown_support import text_of as shown

SEASON_3 = dt.datetime(2024, 10, 3, 7, 0, tzinfo=dt.UTC)
BEFORE = SEASON_3 - dt.timedelta(hours=1)
THREAD_ROUTE = "POST /channels/{channel_id}/messages/{message_id}/threads"
THREAD_PERMS = CREATE_PUBLIC_THREADS | perms.SEND_MESSAGES_IN_THREADS


async def _admin(sim: Simulator, demo: DemoGuild, command: str, **options: object) -> str:
    result = await sim.run_command(demo.guild_id, demo.general_id, demo.admin_id, command, options)
    assert not result.failed and result.ephemeral, result
    return shown(result)


def _release_posts(sim: Simulator, channel_id: int) -> list[dict]:
    return [m for m in sim.messages(channel_id) if "is out now" in m["content"]]


async def _release_day(sim: Simulator, bot: HeartstopperBot, clock: SettableClock) -> None:
    clock.set(SEASON_3 + dt.timedelta(seconds=5))
    bot.countdowns._wake_at(clock())  # the tick's own wake-up, as at the due instant
    await settle(bot)


async def test_one_thread_per_release_across_a_restart_and_a_crash(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    clock = SettableClock(BEFORE)
    async with Simulator() as sim:
        demo = add_demo_guild(sim)
        sim.set_bot_permissions(demo.guild_id, perms.DEFAULT_BOT | THREAD_PERMS)
        async with countdown_bot(sim, db, clock):
            await setup_countdown(
                sim, demo.guild_id, demo.countdown_id, demo.admin_id, role_id=demo.fans_role_id
            )
            reply = await _admin(sim, demo, "premiere threads", enabled=True, spoiler_days=3)
            assert "open a thread" in reply and "3 days" in reply
        async with countdown_bot(sim, db, clock) as bot:  # restarted before the release
            await _release_day(sim, bot, clock)
            [post] = _release_posts(sim, demo.countdown_id)
            spoilers_end = int((SEASON_3 + dt.timedelta(days=3)).timestamp())
            assert f"<t:{spoilers_end}:R>" in post["content"]
            assert post["content"].startswith(f"<@&{demo.fans_role_id}>")
            assert [int(r) for r in post["allowed_mentions"]["roles"]] == [demo.fans_role_id]
            assert not post["allowed_mentions"].get("parse")  # never @everyone
            [thread] = sim.threads.of(demo.countdown_id)
            assert (
                thread["id"] == post["id"] and thread["name"] == "Heartstopper season 3 (spoilers)"
            )

        # As a crash right after the requests left would leave it: still "sending".
        with sqlite3.connect(db) as conn:
            changed = conn.execute(
                "UPDATE one_off_posts SET state = 'sending', boot_id = 'dead', sending_at = ?"
                " WHERE key LIKE 'premiere-thread:%'",
                (int(clock().timestamp()),),
            ).rowcount
        assert changed == 1
        async with countdown_bot(sim, db, clock) as bot:
            await settle(bot)
            clock.advance(dt.timedelta(hours=1))
            await _release_day(sim, bot, clock)
            # The recovery did resend (same nonce, same message), and Discord's one thread per
            # message kept it at one.
            assert sim.stats.requests[THREAD_ROUTE] == 2
            assert len(_release_posts(sim, demo.countdown_id)) == 1
            assert len(sim.threads.of(demo.countdown_id)) == 1
            [row] = await bot.countdowns.repo.one_offs(demo.guild_id)
            assert row.state == "sent"
            status = await _admin(sim, demo, "premiere status")
            assert "Release-day threads**: on" in status and "⚠️" not in status


async def test_without_create_public_threads_turning_on_names_it(tmp_path: Path) -> None:
    clock = SettableClock(BEFORE)
    async with Simulator() as sim:
        demo = add_demo_guild(sim)
        async with countdown_bot(sim, tmp_path / "bot.sqlite3", clock) as bot:
            await setup_countdown(sim, demo.guild_id, demo.countdown_id, demo.admin_id)
            reply = await _admin(sim, demo, "premiere threads", enabled=True)
            assert "**Create Public Threads**" in reply
            await _release_day(sim, bot, clock)
            assert not _release_posts(sim, demo.countdown_id)
            assert not sim.threads.of(demo.countdown_id)
            assert not await bot.countdowns.repo.one_offs(demo.guild_id)


async def test_a_permission_lost_before_release_day_skips_only_the_thread_post(
    tmp_path: Path,
) -> None:
    clock = SettableClock(BEFORE)
    async with Simulator() as sim:
        demo = add_demo_guild(sim)
        sim.set_bot_permissions(demo.guild_id, perms.DEFAULT_BOT | THREAD_PERMS)
        async with countdown_bot(sim, tmp_path / "bot.sqlite3", clock) as bot:
            await setup_countdown(sim, demo.guild_id, demo.countdown_id, demo.admin_id)
            await _admin(sim, demo, "premiere threads", enabled=True)
            sim.set_bot_permissions(demo.guild_id, perms.DEFAULT_BOT)
            await sim.wait_until(
                lambda: not bot.get_guild(demo.guild_id).me.guild_permissions.create_public_threads
            )
            await _release_day(sim, bot, clock)
            assert not _release_posts(sim, demo.countdown_id)
            status = await _admin(sim, demo, "premiere status")
            assert "**Create Public Threads**" in status
            countdown = await bot.countdowns.status(demo.guild_id)
            assert countdown.settings.enabled and countdown.last_error is None
