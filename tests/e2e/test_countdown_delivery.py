"""Regression tests for the delivery path: races between a queued post and a settings change,
retries against a pause, rate limits that outlast discord.py's own retries, and the rule of
one routine post per server per local day.

Each test drives the real bot against the simulator with an injected clock; a failing send is
made by the simulator's fault injection, so the service's own retry (2 s later) is the window
in which an admin acts.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pytest

from bot.client import HeartstopperBot
from bot.database.countdown import to_epoch
from bot.sandbox.simulator.demo import DemoGuild
from bot.sandbox.simulator.server import Simulator
from tests.backends import Backend
from tests.e2e.countdown_support import (
    SEP_1_0700,
    SettableClock,
    countdown_bot,
    post_instant,
    settle,
    setup_countdown,
    text_of,
)

MESSAGE_ROUTE = r"^/channels/\d+/messages$"


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(SEP_1_0700)


@pytest.fixture
async def cbot(
    sim: Simulator, demo: DemoGuild, backend: Backend, clock: SettableClock
) -> AsyncIterator[HeartstopperBot]:
    """Every test here runs on SQLite and on PostgreSQL."""
    async with countdown_bot(sim, backend, clock) as running:
        yield running


async def _admin(sim: Simulator, demo: DemoGuild, command: str, **options: object) -> str:
    result = await sim.run_command(demo.guild_id, demo.general_id, demo.admin_id, command, options)
    assert result.ephemeral, result
    return text_of(result)


async def _first_send_failed(sim: Simulator, clock: SettableClock, failures: int = 1) -> None:
    """Make the 09:00 post fail once with a 503 and wait until it has (a retry is now queued)."""
    sim.faults.fail("POST", MESSAGE_ROUTE, status=503, times=failures)
    clock.set(post_instant(1) + dt.timedelta(seconds=20))
    await sim.wait_until(lambda: sim.stats.failures_injected >= failures, timeout=5)


async def _wait_out_retries() -> None:
    await asyncio.sleep(2.6)  # the service's first retry comes 2 s after a failure


# -- 1. a queued post looks again before it is sent ------------------------------------------


async def test_pause_while_a_post_is_retrying_stops_it(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot, clock: SettableClock
) -> None:
    await setup_countdown(sim, demo.guild_id, demo.countdown_id, demo.admin_id)
    await _first_send_failed(sim, clock)
    assert "paused" in await _admin(sim, demo, "countdown pause")
    await _wait_out_retries()
    await settle(cbot)
    assert sim.messages(demo.countdown_id) == []


async def test_reset_while_a_post_is_retrying_stops_it(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot, clock: SettableClock
) -> None:
    await setup_countdown(sim, demo.guild_id, demo.countdown_id, demo.admin_id)
    await _first_send_failed(sim, clock)
    assert "deleted" in await _admin(sim, demo, "countdown reset", confirm=True)
    await _wait_out_retries()
    await settle(cbot)
    assert sim.messages(demo.countdown_id) == []


async def test_channel_change_while_retrying_posts_once_in_the_new_channel(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot, clock: SettableClock
) -> None:
    await setup_countdown(sim, demo.guild_id, demo.countdown_id, demo.admin_id)
    await _first_send_failed(sim, clock)
    await _admin(sim, demo, "countdown channel", channel=demo.general_id)
    await _wait_out_retries()
    await settle(cbot)
    assert sim.messages(demo.countdown_id) == []
    assert len(sim.messages(demo.general_id)) == 1


async def test_kick_while_retrying_then_reinvite_keeps_the_countdown_running(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot, clock: SettableClock
) -> None:
    await setup_countdown(sim, demo.guild_id, demo.countdown_id, demo.admin_id)
    await _first_send_failed(sim, clock)
    guild = sim.state.guild(demo.guild_id)
    sim.remove_guild(demo.guild_id)
    await sim.wait_until(lambda: cbot.get_guild(demo.guild_id) is None, timeout=5)
    await _wait_out_retries()
    await settle(cbot)

    # Re-invited within the grace period: "re-adding the bot keeps everything".
    sim.state.guilds[guild.id] = guild
    sim.state.channels.update(guild.channels)
    sim._emit_guild_create(guild)
    await sim.wait_until(lambda: cbot.get_guild(demo.guild_id) is not None, timeout=5)
    await settle(cbot)
    status = await cbot.countdowns.status(demo.guild_id)
    assert status.settings.enabled, status
    assert status.next_post_at == post_instant(2)


# -- 2. one delivery is never sent twice ----------------------------------------------------


async def test_second_claim_while_retrying_does_not_send_twice(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot, clock: SettableClock
) -> None:
    await setup_countdown(sim, demo.guild_id, demo.countdown_id, demo.admin_id)
    await _first_send_failed(sim, clock)
    # The admin moves the countdown and its time a minute later, while the retry waits.
    await _admin(sim, demo, "countdown channel", channel=demo.general_id)
    await _admin(sim, demo, "countdown time", time="09:01")
    clock.set(post_instant(1, minute=1) + dt.timedelta(seconds=5))
    await settle(cbot)
    await _wait_out_retries()
    await settle(cbot)
    posts = sim.messages(demo.countdown_id) + sim.messages(demo.general_id)
    assert len(posts) == 1, [p["content"] for p in posts]


# -- 5. a sustained 429 is retried, never dropped -------------------------------------------


async def test_rate_limit_outlasting_discord_py_retries_still_posts(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot, clock: SettableClock
) -> None:
    await setup_countdown(sim, demo.guild_id, demo.countdown_id, demo.admin_id)
    # discord.py tries a request five times on 429, then raises HTTPException(429).
    sim.faults.rate_limit("POST", MESSAGE_ROUTE, retry_after=0.05, times=5)
    clock.set(post_instant(1) + dt.timedelta(seconds=20))
    await sim.wait_for_messages(demo.countdown_id, 1, timeout=10)
    await settle(cbot)
    assert len(sim.messages(demo.countdown_id)) == 1
    status = await cbot.countdowns.status(demo.guild_id)
    assert status.settings.enabled and status.last_error is None


# -- 6. at most one routine post per server per local day -----------------------------------


async def test_switching_target_then_a_later_time_does_not_post_twice(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot, clock: SettableClock
) -> None:
    await setup_countdown(sim, demo.guild_id, demo.countdown_id, demo.admin_id)
    clock.set(post_instant(1) + dt.timedelta(seconds=20))
    await sim.wait_for_messages(demo.countdown_id, 1)
    await _admin(sim, demo, "countdown event add", name="Watch party", when="2024-09-20 19:00")
    await _admin(sim, demo, "countdown time", time="09:30")
    clock.set(post_instant(1, minute=30) + dt.timedelta(seconds=20))
    await settle(cbot)
    assert len(sim.messages(demo.countdown_id)) == 1
    clock.set(post_instant(2, minute=30) + dt.timedelta(seconds=20))
    await sim.wait_for_messages(demo.countdown_id, 2)


async def test_zone_moved_forward_does_not_post_twice_in_one_local_day(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot, clock: SettableClock
) -> None:
    # 09:00 in Los Angeles (PDT, UTC-7) on 1 September is 16:00 UTC: 01:00 on 2 September in
    # Tokyo. Moving to Tokyo, its 09:00 that same Tokyo day must not post again.
    await setup_countdown(
        sim, demo.guild_id, demo.countdown_id, demo.admin_id, timezone="America/Los_Angeles"
    )
    clock.set(post_instant(1, hour=16) + dt.timedelta(seconds=20))
    await sim.wait_for_messages(demo.countdown_id, 1)
    reply = await _admin(sim, demo, "countdown timezone", timezone="Asia/Tokyo")
    tokyo_3rd = dt.datetime(2024, 9, 3, 0, 0, tzinfo=dt.UTC)  # 09:00 Tokyo on 3 September
    assert f"<t:{to_epoch(tokyo_3rd)}:F>" in reply, reply
    clock.set(dt.datetime(2024, 9, 2, 0, 0, 20, tzinfo=dt.UTC))  # 09:00 Tokyo, 2 September
    await settle(cbot)
    assert len(sim.messages(demo.countdown_id)) == 1
    clock.set(tokyo_3rd + dt.timedelta(seconds=20))
    await sim.wait_for_messages(demo.countdown_id, 2)


async def test_zone_moved_backward_still_posts_on_the_new_local_day(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot, clock: SettableClock
) -> None:
    # 09:00 Tokyo on 2 September is 00:00 UTC, still 1 September (17:00) in Los Angeles.
    clock.set(dt.datetime(2024, 9, 1, 20, 0, tzinfo=dt.UTC))
    await setup_countdown(
        sim, demo.guild_id, demo.countdown_id, demo.admin_id, timezone="Asia/Tokyo"
    )
    clock.set(dt.datetime(2024, 9, 2, 0, 0, 20, tzinfo=dt.UTC))
    await sim.wait_for_messages(demo.countdown_id, 1)
    await _admin(sim, demo, "countdown timezone", timezone="America/Los_Angeles")
    # 09:00 Los Angeles on 2 September: a new local day there, so it posts.
    clock.set(post_instant(2, hour=16) + dt.timedelta(seconds=20))
    await sim.wait_for_messages(demo.countdown_id, 2)


# -- 9. replies name the post that will really go out ---------------------------------------


async def test_later_time_after_todays_post_promises_tomorrow(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot, clock: SettableClock
) -> None:
    await setup_countdown(sim, demo.guild_id, demo.countdown_id, demo.admin_id)
    clock.set(post_instant(1) + dt.timedelta(seconds=20))
    await sim.wait_for_messages(demo.countdown_id, 1)
    reply = await _admin(sim, demo, "countdown time", time="09:30")
    tomorrow = post_instant(2, minute=30)
    assert f"<t:{to_epoch(tomorrow)}:F>" in reply, reply
    assert (await cbot.countdowns.status(demo.guild_id)).next_post_at == tomorrow
    status_card = await _admin(sim, demo, "countdown status")
    assert f"<t:{to_epoch(tomorrow)}" in status_card, status_card
    clock.set(post_instant(1, minute=30) + dt.timedelta(seconds=20))
    await settle(cbot)
    assert len(sim.messages(demo.countdown_id)) == 1


# -- 10. a late release-day post speaks of the release as it stands when sent -----------------


async def test_late_release_day_post_says_out_now(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot, clock: SettableClock
) -> None:
    # Season 3 arrives 2024-10-03 07:00 UTC; the post is due at 07:30 London (06:30 UTC), but
    # the bot only gets to it at 07:30 UTC, after the release.
    clock.set(dt.datetime(2024, 10, 2, 12, 0, tzinfo=dt.UTC))
    await setup_countdown(sim, demo.guild_id, demo.countdown_id, demo.admin_id, time="07:30")
    clock.set(dt.datetime(2024, 10, 3, 7, 30, tzinfo=dt.UTC))
    await sim.wait_for_messages(demo.countdown_id, 1)
    content = sim.messages(demo.countdown_id)[0]["content"]
    assert "out now" in content and "arrives" not in content, content


# -- 11. autocomplete reveals nothing to members without Manage Server ------------------------


async def test_autocomplete_hides_event_names_from_fans(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot
) -> None:
    await setup_countdown(sim, demo.guild_id, demo.countdown_id, demo.admin_id)
    await _admin(sim, demo, "countdown event add", name="Secret party", when="2024-09-20 19:00")
    for command in sim.state.commands[None]:
        if command["name"] == "countdown":
            command["default_member_permissions"] = None  # the server un-hid the group
    for name, option in (("countdown target", "target"), ("countdown event remove", "name")):
        admin = await sim.autocomplete(
            demo.guild_id, demo.general_id, demo.admin_id, name, {option: ""}, focused=option
        )
        assert any("Secret party" in c["name"] for c in admin.choices), admin
        fan = await sim.autocomplete(
            demo.guild_id, demo.general_id, demo.fan_id, name, {option: ""}, focused=option
        )
        assert not any("Secret party" in c["name"] for c in fan.choices), fan
