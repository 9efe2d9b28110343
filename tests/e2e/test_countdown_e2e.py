"""/countdown end to end: admin commands and the real scheduler posting into the simulator.

The bot runs for real (gateway, REST, APScheduler firing every ``TICK`` seconds); only its
clock is injected, so a "day" passes by setting the clock, never by waiting.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.client import HeartstopperBot
from bot.database.countdown import to_epoch
from bot.sandbox.simulator import permissions as perms
from bot.sandbox.simulator.demo import DemoGuild
from bot.sandbox.simulator.server import Simulator
from bot.sandbox.simulator.sim_interactions import CommandNotAvailable
from tests.backends import Backend
from tests.e2e.countdown_support import (
    LONDON,
    SEP_1_0700,
    SILENT,
    SettableClock,
    countdown_bot,
    post_instant,
    settle,
)


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(SEP_1_0700)


@pytest.fixture
async def cbot(
    sim: Simulator, demo: DemoGuild, tmp_path: Path, clock: SettableClock
) -> AsyncIterator[HeartstopperBot]:
    async with countdown_bot(sim, tmp_path / "bot.sqlite3", clock) as running:
        yield running


async def setup_london(sim: Simulator, demo: DemoGuild, *, role: bool = True) -> str:
    options: dict[str, object] = {
        "channel": demo.countdown_id,
        "time": "09:00",
        "timezone": LONDON,
    }
    if role:
        options["role"] = demo.fans_role_id
    result = await sim.run_command(
        demo.guild_id, demo.general_id, demo.admin_id, "countdown setup", options
    )
    assert not result.failed and result.ephemeral, result
    return result.content or ""


# -- setup and refusals ---------------------------------------------------------------------


async def test_admin_setup_confirms_privately_with_the_next_post(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot
) -> None:
    content = await setup_london(sim, demo)
    first = to_epoch(post_instant(1))  # 09:00 London today, an hour from now
    assert "✅" in content and f"<#{demo.countdown_id}>" in content
    assert f"<t:{first}:F>" in content and f"<t:{first}:R>" in content
    status = await cbot.countdowns.status(demo.guild_id)
    assert status.settings.channel_id == demo.countdown_id
    assert status.settings.timezone == LONDON and status.settings.role_id == demo.fans_role_id
    assert status.next_post_at == post_instant(1)
    assert sim.messages(demo.countdown_id) == []  # setting up posts nothing publicly


async def test_fans_cannot_use_countdown_even_if_a_server_unhides_it(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot
) -> None:
    options = {"channel": demo.countdown_id, "time": "09:00", "timezone": LONDON}
    # Discord hides the group from members without Manage Server...
    with pytest.raises(CommandNotAvailable):
        await sim.run_command(
            demo.guild_id, demo.general_id, demo.fan_id, "countdown setup", options
        )
    # ...but a server can override that in its integration settings; the bot still refuses.
    for command in sim.state.commands[None]:
        if command["name"] == "countdown":
            command["default_member_permissions"] = None
    result = await sim.run_command(
        demo.guild_id, demo.general_id, demo.fan_id, "countdown setup", options
    )
    assert result.ephemeral and "Manage Server" in (result.content or "")
    assert (await cbot.countdowns.status(demo.guild_id)).settings.channel_id is None


async def test_countdown_is_registered_for_servers_only(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot
) -> None:
    # The simulator cannot dispatch a DM interaction, so check what Discord is told instead:
    # a guild-only command is never offered in DMs.
    command = next(c for c in sim.commands() if c["name"] == "countdown")
    assert command["contexts"] == [0] and command["dm_permission"] is False


async def test_setup_refused_where_the_bot_cannot_post(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot
) -> None:
    result = await sim.run_command(
        demo.guild_id,
        demo.general_id,
        demo.admin_id,
        "countdown setup",
        {"channel": demo.read_only_id, "time": "09:00", "timezone": LONDON},
    )
    assert result.ephemeral and "Send Messages" in (result.content or "")
    assert f"<#{demo.read_only_id}>" in (result.content or "")
    status = await cbot.countdowns.status(demo.guild_id)
    assert status.settings.channel_id is None and status.next_post_at is None


async def test_bad_input_gets_a_clear_private_error_and_saves_nothing(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot
) -> None:
    quiet = sim.add_role(demo.guild_id, "Lurkers", mentionable=False)
    # Without Mention @everyone the bot can only ping roles that are mentionable.
    sim.set_bot_permissions(demo.guild_id, perms.DEFAULT_BOT & ~perms.MENTION_EVERYONE)
    base = {"channel": demo.countdown_id, "time": "09:00", "timezone": LONDON}
    cases: list[tuple[str, dict[str, object], str]] = [
        ("countdown setup", {**base, "time": "25:00"}, "no hour 25"),
        ("countdown setup", {**base, "time": "9am tomorrow"}, "doesn't look like a time"),
        ("countdown setup", {**base, "timezone": "Mars/Olympus_Mons"}, "don't know that time"),
        ("countdown setup", {**base, "role": quiet.id}, "isn't mentionable"),
        (
            "countdown event add",
            {"name": "Watch party", "when": "2024-08-01 19:00"},
            "already passed",
        ),
    ]
    for name, options, expected in cases:
        result = await sim.run_command(demo.guild_id, demo.general_id, demo.admin_id, name, options)
        assert result.ephemeral, (name, options)
        assert expected in (result.content or ""), (options, result.content)
        assert "9am tomorrow" not in (result.content or "")  # raw input is never echoed
    status = await cbot.countdowns.status(demo.guild_id)
    assert status.settings.channel_id is None and status.next_post_at is None
    assert await cbot.countdowns.repo.list_events(demo.guild_id) == []
    assert sim.messages(demo.countdown_id) == []


# -- the scheduler posting ------------------------------------------------------------------


async def test_scheduler_posts_silently_then_pings_only_the_role_on_a_milestone(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot, clock: SettableClock
) -> None:
    await setup_london(sim, demo)
    release = 1727938800  # Season 3: 2024-10-03 07:00 UTC

    clock.set(post_instant(1, minute=0) + dt.timedelta(seconds=20))
    [routine] = await sim.wait_for_messages(demo.countdown_id, 1)
    assert routine["content"].startswith("**32 days** until")
    assert f"<t:{release}:F>" in routine["content"] and f"<t:{release}:R>" in routine["content"]
    assert routine["flags"] & SILENT
    assert routine["mention_everyone"] is False
    assert routine["mention_roles"] == [] and routine["mentions"] == []
    assert routine["nonce"] and routine["enforce_nonce"] is True

    clock.set(post_instant(2) + dt.timedelta(seconds=20))
    routine_2 = (await sim.wait_for_messages(demo.countdown_id, 2))[-1]
    assert routine_2["content"].startswith("**31 days**") and routine_2["flags"] & SILENT

    clock.set(post_instant(3) + dt.timedelta(seconds=20))
    milestone = (await sim.wait_for_messages(demo.countdown_id, 3))[-1]
    assert milestone["content"].startswith(f"<@&{demo.fans_role_id}> 🎉 **30 days** to go")
    assert not milestone["flags"] & SILENT
    assert milestone["mention_roles"] == [str(demo.fans_role_id)]
    assert milestone["mention_everyone"] is False and milestone["mentions"] == []
    allowed = milestone["allowed_mentions"]
    assert allowed["parse"] == [] and [str(r) for r in allowed["roles"]] == [str(demo.fans_role_id)]

    await settle(cbot)
    assert len(sim.messages(demo.countdown_id)) == 3  # one post per day, no repeats
    status = await cbot.countdowns.status(demo.guild_id)
    assert status.last_message_id == int(milestone["id"])
    assert status.next_post_at == post_instant(4)


async def test_settings_changes_take_effect_without_a_restart(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot, clock: SettableClock
) -> None:
    await setup_london(sim, demo, role=False)
    result = await sim.run_command(
        demo.guild_id, demo.general_id, demo.admin_id, "countdown time", {"time": "18:30"}
    )
    evening = post_instant(1, hour=17, minute=30)  # 18:30 BST
    assert f"<t:{to_epoch(evening)}:F>" in (result.content or "")
    assert (await cbot.countdowns.status(demo.guild_id)).next_post_at == evening

    clock.set(post_instant(1) + dt.timedelta(seconds=20))  # the old 09:00 has passed
    await settle(cbot)
    assert sim.messages(demo.countdown_id) == []

    clock.set(evening + dt.timedelta(seconds=20))
    [post] = await sim.wait_for_messages(demo.countdown_id, 1)
    assert "32 days" in post["content"]

    # A new time zone moves the next post at once too: 18:30 in Tokyo (UTC+9) is 09:30 UTC.
    # Today's post went out at 02:30 on 2 September in Tokyo, so that local day has had its
    # post and the next one is on the 3rd (one post per local day, in the zone in force).
    result = await sim.run_command(
        demo.guild_id,
        demo.general_id,
        demo.admin_id,
        "countdown timezone",
        {"timezone": "asia/tokyo"},
    )
    assert "Asia/Tokyo" in (result.content or "")
    status = await cbot.countdowns.status(demo.guild_id)
    assert status.next_post_at == post_instant(3, hour=9, minute=30)

    result = await sim.run_command(demo.guild_id, demo.general_id, demo.admin_id, "countdown pause")
    assert (await cbot.countdowns.status(demo.guild_id)).next_post_at is None
    clock.set(post_instant(3, hour=9, minute=30) + dt.timedelta(seconds=20))
    await settle(cbot)
    assert len(sim.messages(demo.countdown_id)) == 1  # paused: nothing more


# -- restarts and missed posts --------------------------------------------------------------


async def test_restart_between_ticks_neither_duplicates_nor_loses(
    sim: Simulator, demo: DemoGuild, backend: Backend, clock: SettableClock
) -> None:
    db = backend  # SQLite, then PostgreSQL
    async with countdown_bot(sim, db, clock) as first:
        await setup_london(sim, demo)
        clock.set(post_instant(1) + dt.timedelta(seconds=20))
        await sim.wait_for_messages(demo.countdown_id, 1)
        await settle(first)
    clock.advance(dt.timedelta(minutes=1))  # still within the day's post window
    async with countdown_bot(sim, db, clock) as second:
        await settle(second)
        assert len(sim.messages(demo.countdown_id)) == 1  # no duplicate after restart
        clock.set(post_instant(2) + dt.timedelta(seconds=20))
        await sim.wait_for_messages(demo.countdown_id, 2)  # the next day is not lost
        await settle(second)
    posts = sim.messages(demo.countdown_id)
    assert len(posts) == 2 and "31 days" in posts[-1]["content"]
    assert not any("late" in p["content"] for p in posts)


async def test_post_missed_while_down_is_sent_late_once_the_same_day(
    sim: Simulator, demo: DemoGuild, backend: Backend, clock: SettableClock
) -> None:
    db = backend  # SQLite, then PostgreSQL
    async with countdown_bot(sim, db, clock):
        await setup_london(sim, demo, role=False)
    clock.set(post_instant(1, hour=15))  # 16:00 in London: missed, but still the same day
    async with countdown_bot(sim, db, clock) as bot:
        [post] = await sim.wait_for_messages(demo.countdown_id, 1)
        await settle(bot)
        assert len(sim.messages(demo.countdown_id)) == 1
        assert "32 days" in post["content"] and "a little late today" in post["content"]
        assert (await bot.countdowns.status(demo.guild_id)).next_post_at == post_instant(2)
    async with countdown_bot(sim, db, clock) as bot:  # and a second restart sends it no more
        await settle(bot)
    assert len(sim.messages(demo.countdown_id)) == 1


async def test_post_missed_while_down_is_skipped_once_the_day_is_over(
    sim: Simulator, demo: DemoGuild, backend: Backend, clock: SettableClock
) -> None:
    db = backend  # SQLite, then PostgreSQL
    async with countdown_bot(sim, db, clock):
        await setup_london(sim, demo, role=False)
    # 00:30 on 3 September in London: the posts of the 1st and 2nd are both gone.
    clock.set(post_instant(2, hour=23, minute=30))
    async with countdown_bot(sim, db, clock) as bot:
        await settle(bot)
        assert sim.messages(demo.countdown_id) == []
        assert (await bot.countdowns.status(demo.guild_id)).next_post_at == post_instant(3)
        clock.set(post_instant(3) + dt.timedelta(seconds=20))
        [post] = await sim.wait_for_messages(demo.countdown_id, 1)
        assert "30 days" in post["content"] and "late" not in post["content"]


async def test_down_for_days_still_sends_todays_post_late(
    sim: Simulator, demo: DemoGuild, backend: Backend, clock: SettableClock
) -> None:
    # Regression: the row still held the 1 September instant, and judging only that one
    # skipped the 4 September post as well, although it was still 4 September in London.
    db = backend  # SQLite, then PostgreSQL
    async with countdown_bot(sim, db, clock):
        await setup_london(sim, demo, role=False)
    clock.set(post_instant(4, hour=12))
    async with countdown_bot(sim, db, clock) as bot:
        [post] = await sim.wait_for_messages(demo.countdown_id, 1)
        await settle(bot)
        assert len(sim.messages(demo.countdown_id)) == 1
        assert "29 days" in post["content"] and "a little late today" in post["content"]
        assert (await bot.countdowns.status(demo.guild_id)).next_post_at == post_instant(5)
