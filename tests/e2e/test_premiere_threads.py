"""Release-day threads (issue 11): one post and one thread per release per server, at the
release instant, across a restart and a crash mid-send; a missing permission is named."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import aiohttp

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


def _forum_posts(sim: Simulator, forum_id: int) -> list[dict]:
    return sim.threads.of(forum_id)


async def test_a_forum_gets_one_tagged_post_across_a_crash(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    clock = SettableClock(BEFORE)
    async with Simulator() as sim:
        demo = add_demo_guild(sim)
        forum = sim.threads.add_forum(demo.guild_id, "premieres", tags=("Film",))
        sim.set_bot_permissions(
            demo.guild_id, perms.DEFAULT_BOT | THREAD_PERMS | perms.MANAGE_CHANNELS
        )
        async with countdown_bot(sim, db, clock) as bot:
            await setup_countdown(sim, demo.guild_id, demo.countdown_id, demo.admin_id)
            reply = await _admin(sim, demo, "premiere threads", enabled=True, channel=forum.id)
            assert "open a post" in reply and "Manage Channels" not in reply
            await _release_day(sim, bot, clock)
        [thread] = _forum_posts(sim, forum.id)
        tags = {t["name"]: t["id"] for t in forum.extra["available_tags"]}
        assert set(tags) == {"Film", "Season 3"}  # created, as the bot may
        assert thread["applied_tags"] == [tags["Season 3"]]
        [starter] = sim.messages(int(thread["id"]))
        assert starter["id"] == thread["id"] and "this post" in starter["content"]
        assert "**Episodes**\n1. " in starter["content"]
        assert not sim.messages(demo.countdown_id)  # nothing in the countdown channel

        with sqlite3.connect(db) as conn:  # a crash right after the post was created
            conn.execute(
                "UPDATE one_off_posts SET state = 'sending', boot_id = 'dead', sending_at = ?"
                " WHERE key LIKE 'premiere-thread:%'",
                (int(clock().timestamp()),),
            )
        async with countdown_bot(sim, db, clock) as bot:
            await settle(bot)
            [row] = await bot.countdowns.repo.one_offs(demo.guild_id)
            assert row.state == "sent" and row.message_id == int(thread["id"])
        assert len(_forum_posts(sim, forum.id)) == 1


async def test_a_forum_without_manage_channels_uses_an_existing_tag(tmp_path: Path) -> None:
    clock = SettableClock(BEFORE)
    async with Simulator() as sim:
        demo = add_demo_guild(sim)
        forum = sim.threads.add_forum(demo.guild_id, "premieres", tags=("season 3",))
        sim.set_bot_permissions(demo.guild_id, perms.DEFAULT_BOT | THREAD_PERMS)
        async with countdown_bot(sim, tmp_path / "bot.sqlite3", clock) as bot:
            await setup_countdown(sim, demo.guild_id, demo.countdown_id, demo.admin_id)
            reply = await _admin(sim, demo, "premiere threads", enabled=True, channel=forum.id)
            assert "**Manage Channels**" in reply
            await _release_day(sim, bot, clock)
        [thread] = _forum_posts(sim, forum.id)
        [tag] = forum.extra["available_tags"]
        assert thread["applied_tags"] == [tag["id"]]


async def test_simulator_checks_threads_tags_and_archiving() -> None:
    async with Simulator() as sim:
        demo = add_demo_guild(sim)
        forum = sim.threads.add_forum(demo.guild_id, "premieres", tags=("Film",))
        base = sim.api_base_url
        post = {"name": "Release", "message": {"content": "Out now"}}
        async with aiohttp.ClientSession(headers={"Authorization": f"Bot {sim.token}"}) as http:
            async with http.post(
                f"{base}/channels/{forum.id}/threads", json={**post, "applied_tags": ["1"]}
            ) as response:
                assert response.status == 400 and (await response.json())["code"] == 40061
            async with http.patch(
                f"{base}/channels/{forum.id}", json={"available_tags": [{"name": "x"}]}
            ) as response:
                assert response.status == 403  # no Manage Channels
            sim.set_bot_permissions(demo.guild_id, perms.DEFAULT_BOT | perms.MANAGE_CHANNELS)
            long_tag = {"available_tags": [{"name": "x" * 21}]}
            async with http.patch(f"{base}/channels/{forum.id}", json=long_tag) as response:
                assert response.status == 400
            async with http.post(
                f"{base}/channels/{forum.id}/threads", json={**post, "name": ""}
            ) as response:
                assert response.status == 400
            async with http.post(f"{base}/channels/{forum.id}/threads", json=post) as response:
                assert response.status == 201
                thread_id = (await response.json())["id"]
            async with http.patch(
                f"{base}/channels/{thread_id}", json={"archived": True}
            ) as response:
                assert response.status == 200
            async with http.get(f"{base}/guilds/{demo.guild_id}/threads/active") as response:
                assert (await response.json())["threads"] == []  # archived ones are not active
            async with http.post(
                f"{base}/channels/{demo.countdown_id}/messages", json={"content": "hi"}
            ) as response:
                message = await response.json()
            url = f"{base}/channels/{demo.countdown_id}/messages/{message['id']}/threads"
            async with http.post(url, json={"name": "talk"}) as response:
                assert response.status == 403  # no Create Public Threads
            sim.set_bot_permissions(demo.guild_id, perms.DEFAULT_BOT | THREAD_PERMS)
            async with http.post(
                url, json={"name": "talk", "auto_archive_duration": 5}
            ) as response:
                assert response.status == 400
            async with http.post(url, json={"name": "talk"}) as response:
                assert response.status == 201
            async with http.post(url, json={"name": "again"}) as response:
                assert response.status == 400 and (await response.json())["code"] == 160004
