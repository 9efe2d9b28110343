"""Watch-party events end to end: reminders exactly once across restarts, editing, choosing
an event by its typed name, "the next thing" as a target, and what fans see in /next.

The real bot runs against the simulator; only its clock is injected (``SettableClock``).
Season 3 is dated 2024-10-03 in the show data; the server posts at 09:00 London (08:00 UTC).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.client import HeartstopperBot
from bot.countdown.settings import SOONEST_TARGET, event_target
from bot.database.countdown import to_epoch
from bot.sandbox.simulator.demo import DemoGuild
from bot.sandbox.simulator.interactions import InteractionResult
from bot.sandbox.simulator.server import Simulator
from tests.e2e.countdown_support import (
    SEP_1_0700,
    SettableClock,
    countdown_bot,
    post_instant,
    settle,
    setup_countdown,
    text_of,
)

# "2024-09-03 10:00" in London (BST) is 09:00 UTC.
PARTY_AT = dt.datetime(2024, 9, 3, 9, 0, tzinfo=dt.UTC)
REMINDER_MARKS = ("⏰", "starting now")


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(SEP_1_0700)


@pytest.fixture
async def cbot(
    sim: Simulator, demo: DemoGuild, tmp_path: Path, clock: SettableClock
) -> AsyncIterator[HeartstopperBot]:
    async with countdown_bot(sim, tmp_path / "bot.sqlite3", clock) as running:
        yield running


async def admin(
    sim: Simulator, demo: DemoGuild, command: str, /, **options: Any
) -> InteractionResult:
    return await sim.run_command(demo.guild_id, demo.general_id, demo.admin_id, command, options)


def reminders(sim: Simulator, channel_id: int) -> list[str]:
    return [
        m["content"]
        for m in sim.messages(channel_id)
        if any(mark in m["content"] for mark in REMINDER_MARKS)
    ]


async def wait_for_reminders(sim: Simulator, channel_id: int, count: int) -> list[str]:
    await sim.wait_until(
        lambda: len(reminders(sim, channel_id)) >= count, 5.0, f"{count} reminder(s)"
    )
    return reminders(sim, channel_id)


async def test_reminders_arrive_once_each_across_restarts(
    sim: Simulator, demo: DemoGuild, tmp_path: Path, clock: SettableClock
) -> None:
    db = tmp_path / "bot.sqlite3"
    async with countdown_bot(sim, db, clock) as first:
        await setup_countdown(
            sim, demo.guild_id, demo.countdown_id, demo.admin_id, role_id=demo.fans_role_id
        )
        added = await admin(
            sim, demo, "countdown event add", name="Watch party", when="2024-09-03 10:00"
        )
        assert "Added" in (added.content or ""), added.content
        assert "1 day before, 1 hour before and at the start" in (added.content or "")
        clock.set(PARTY_AT - dt.timedelta(days=1) + dt.timedelta(seconds=20))
        [day_before] = await wait_for_reminders(sim, demo.countdown_id, 1)
        await settle(first)
    assert "Watch party** starts **tomorrow**" in day_before
    assert f"<t:{to_epoch(PARTY_AT)}:F>" in day_before
    async with countdown_bot(sim, db, clock) as second:  # same minute: nothing again
        await settle(second)
        assert len(reminders(sim, demo.countdown_id)) == 1
        clock.set(PARTY_AT - dt.timedelta(hours=1) + dt.timedelta(seconds=20))
        await wait_for_reminders(sim, demo.countdown_id, 2)
        await settle(second)
    clock.set(PARTY_AT + dt.timedelta(seconds=20))
    async with countdown_bot(sim, db, clock) as third:  # down at the start: still sent once
        await wait_for_reminders(sim, demo.countdown_id, 3)
        await settle(third)
    async with countdown_bot(sim, db, clock) as fourth:
        await settle(fourth)
    posted = reminders(sim, demo.countdown_id)
    assert len(posted) == 3, posted
    assert "in 1 hour" in posted[1] and "starting now" in posted[2]
    # The last two notify and ping the role the admin chose; never anyone else.
    assert posted[1].startswith(f"<@&{demo.fans_role_id}>")
    assert all("@everyone" not in p for p in posted)


async def test_edit_moves_the_reminders_and_remove_cancels_them(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot, clock: SettableClock
) -> None:
    await setup_countdown(sim, demo.guild_id, demo.countdown_id, demo.admin_id)
    await admin(sim, demo, "countdown event add", name="Watch party", when="2024-09-03 10:00")
    await admin(sim, demo, "countdown event add", name="Quiz night", when="2024-09-04 20:00")
    edited = await admin(
        sim,
        demo,
        "countdown event edit",
        name="watch party",
        when="2024-09-05 10:00",
        new_name="Season 3 party",
        remind_day_before=False,
    )
    assert "Season 3 party" in (edited.content or ""), edited.content
    assert "1 hour before and at the start" in (edited.content or "")
    removed = await admin(sim, demo, "countdown event remove", name="quiz night")
    assert "removed" in (removed.content or "")
    moved_to = PARTY_AT + dt.timedelta(days=2)
    for at in (
        PARTY_AT - dt.timedelta(days=1),  # the old reminders' times: nothing
        PARTY_AT - dt.timedelta(hours=1),
        PARTY_AT,
        moved_to - dt.timedelta(days=1),  # switched off
    ):
        clock.set(at + dt.timedelta(seconds=20))
        await settle(cbot)
    assert reminders(sim, demo.countdown_id) == []
    clock.set(moved_to - dt.timedelta(hours=1) + dt.timedelta(seconds=20))
    [hour_before] = await wait_for_reminders(sim, demo.countdown_id, 1)
    assert "Season 3 party" in hour_before and "in 1 hour" in hour_before
    [event] = await cbot.countdowns.repo.list_events(demo.guild_id)
    assert event.name == "Season 3 party" and event.starts_at == moved_to


async def test_event_added_shortly_before_gets_no_stale_reminders(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot, clock: SettableClock
) -> None:
    await setup_countdown(sim, demo.guild_id, demo.countdown_id, demo.admin_id)
    clock.set(dt.datetime(2024, 9, 1, 8, 30, tzinfo=dt.UTC))  # 09:30 London
    added = await admin(sim, demo, "countdown event add", name="Rewatch", when="2024-09-01 10:00")
    assert "at the start" in (added.content or "") and "1 hour before" not in (added.content or "")
    clock.set(dt.datetime(2024, 9, 1, 9, 0, 20, tzinfo=dt.UTC))
    [start] = await wait_for_reminders(sim, demo.countdown_id, 1)
    assert "Rewatch" in start and "starting now" in start


async def test_add_keeps_the_target_unless_asked_and_target_takes_a_typed_name(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot
) -> None:
    await setup_countdown(sim, demo.guild_id, demo.countdown_id, demo.admin_id)
    first = await admin(
        sim, demo, "countdown event add", name="Watch Party", when="2024-09-20 19:00"
    )
    await admin(sim, demo, "countdown event add", name="Café night", when="2024-09-10 19:00")
    assert "still counts down to" in (first.content or ""), first.content
    assert (await cbot.countdowns.repo.get_settings(demo.guild_id)).target == "next"

    chosen = await admin(sim, demo, "countdown target", target="cafe NIGHT")
    assert "Café night" in (chosen.content or ""), chosen.content
    [cafe] = [
        e for e in await cbot.countdowns.repo.list_events(demo.guild_id) if e.name == "Café night"
    ]
    assert (await cbot.countdowns.repo.get_settings(demo.guild_id)).target == event_target(cafe.id)

    unsure = await admin(sim, demo, "countdown target", target="party night")
    assert "Did you mean" in (unsure.content or "") or "couldn't find" in (unsure.content or "")

    switched = await admin(
        sim, demo, "countdown event add", name="Finale", when="2024-09-08 19:00", count_down=True
    )
    assert "Counting down to it now" in (switched.content or ""), switched.content


async def test_the_next_thing_follows_the_nearest_release_or_event(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot, clock: SettableClock
) -> None:
    await setup_countdown(sim, demo.guild_id, demo.countdown_id, demo.admin_id)
    await admin(sim, demo, "countdown event add", name="Watch party", when="2024-09-03 10:00")
    chosen = await admin(sim, demo, "countdown target", target="the next thing")
    assert "Watch party" in (chosen.content or ""), chosen.content
    assert (await cbot.countdowns.repo.get_settings(demo.guild_id)).target == SOONEST_TARGET
    clock.set(post_instant(2) + dt.timedelta(seconds=20))
    posts = await sim.wait_for_messages(demo.countdown_id, 1)
    assert any("Watch party" in p["content"] and "tomorrow" in p["content"] for p in posts)
    # Once the party is over it moves on to the show's next release by itself.
    clock.set(post_instant(4) + dt.timedelta(seconds=20))
    await sim.wait_until(
        lambda: any("season 3" in p["content"].lower() for p in sim.messages(demo.countdown_id)),
        5.0,
        "a post about Season 3",
    )


async def test_a_fans_next_shows_the_servers_countdown_and_event_first(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot
) -> None:
    await setup_countdown(sim, demo.guild_id, demo.countdown_id, demo.admin_id)
    await admin(sim, demo, "countdown event add", name="Watch party", when="2024-09-03 10:00")
    result = await sim.run_command(demo.guild_id, demo.general_id, demo.fan_id, "next", {})
    assert not result.failed, result
    text = text_of(result)
    assert "Watch party" in text and f"<t:{to_epoch(PARTY_AT)}:" in text, text
    # The server's countdown (the next release here) and its event, then the show's release.
    assert "Counting down to** **Heartstopper season 3**" in text
    assert text.index("Watch party") < text.index("Arrives") and "Season: 3" in text


# -- replies that match reality ----------------------------------------------------------------


async def test_pause_and_resume_say_when_nothing_changes(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot
) -> None:
    await setup_countdown(sim, demo.guild_id, demo.countdown_id, demo.admin_id)
    running = await admin(sim, demo, "countdown resume")
    assert "already running" in (running.content or ""), running.content
    await admin(sim, demo, "countdown pause")
    paused = await admin(sim, demo, "countdown pause")
    assert "already paused" in (paused.content or ""), paused.content
    resumed = await admin(sim, demo, "countdown resume")
    assert "Countdown resumed" in (resumed.content or ""), resumed.content


async def test_rerunning_setup_says_what_it_changed(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot
) -> None:
    await setup_countdown(sim, demo.guild_id, demo.countdown_id, demo.admin_id)
    again = await setup_countdown(
        sim, demo.guild_id, demo.countdown_id, demo.admin_id, time="10:30pm"
    )
    assert "Changed: post time 09:00 → 22:30" in (again.content or ""), again.content
    same = await setup_countdown(sim, demo.guild_id, demo.countdown_id, demo.admin_id, time="22:30")
    assert "Nothing changed" in (same.content or ""), same.content


async def test_status_shows_the_weekly_cadence_while_the_target_has_no_exact_date(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot, clock: SettableClock
) -> None:
    clock.set(dt.datetime(2026, 1, 14, 12, 0, tzinfo=dt.UTC))
    await setup_countdown(sim, demo.guild_id, demo.countdown_id, demo.admin_id)
    # The film is "coming 2026", no exact day: typed by its title.
    chosen = await admin(sim, demo, "countdown target", target="heartstopper forever (FILM)")
    assert "no exact date yet" in (chosen.content or ""), chosen.content
    status = await admin(sim, demo, "countdown status")
    [embed] = status.embeds
    posts = next(f["value"] for f in embed["fields"] if f["name"] == "Posts")
    assert posts.startswith("a weekly update on Mondays"), posts


async def test_event_choices_show_the_servers_own_date_and_time(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot
) -> None:
    await setup_countdown(sim, demo.guild_id, demo.countdown_id, demo.admin_id)
    await admin(sim, demo, "countdown event add", name="Watch party", when="2024-09-03 10:00")
    for command, option in (("countdown event remove", "name"), ("countdown target", "target")):
        result = await sim.autocomplete(
            demo.guild_id,
            demo.general_id,
            demo.admin_id,
            command,
            {option: "watch"},
            focused=option,
        )
        names = [c["name"] for c in result.choices or []]
        assert any("3 September 2024, 10:00" in n for n in names), names
        assert not any("2024-09-03" in n or "03 September" in n for n in names), names


async def test_about_lists_countdown_as_a_command_for_admins(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot
) -> None:
    result = await sim.run_command(demo.guild_id, demo.general_id, demo.fan_id, "about", {})
    [embed] = result.embeds
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert "/countdown" not in fields["What I can do"]
    assert "`/countdown`" in fields["For server admins"]


async def test_a_party_before_the_daily_post_is_announced_before_it_starts(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot, clock: SettableClock
) -> None:
    # Reported: a party at 10:00 with the daily post at 10:30 only ever got "has started!".
    await setup_countdown(sim, demo.guild_id, demo.countdown_id, demo.admin_id, time="10:30")
    await admin(
        sim,
        demo,
        "countdown event add",
        name="Watch party",
        when="2024-09-03 10:00",
        count_down=True,
    )
    for n, at in enumerate((PARTY_AT - dt.timedelta(days=1), PARTY_AT - dt.timedelta(hours=1))):
        clock.set(at + dt.timedelta(seconds=20))
        await wait_for_reminders(sim, demo.countdown_id, n + 1)
    clock.set(PARTY_AT + dt.timedelta(seconds=20))
    posted = await wait_for_reminders(sim, demo.countdown_id, 3)
    await settle(cbot)
    assert "in 1 hour" in posted[1] and "starting now" in posted[2]
    assert not any("has started" in m["content"] for m in sim.messages(demo.countdown_id))


async def test_reminders_lost_to_a_crash_right_after_adding_are_restored_at_start(
    sim: Simulator, demo: DemoGuild, tmp_path: Path, clock: SettableClock
) -> None:
    db = tmp_path / "bot.sqlite3"
    async with countdown_bot(sim, db, clock) as first:
        await setup_countdown(sim, demo.guild_id, demo.countdown_id, demo.admin_id)
        # The event row is written, then the process dies before its reminders are.
        await first.countdowns.repo.add_event(
            demo.guild_id, "Watch party", PARTY_AT, created_by=demo.admin_id, now=clock()
        )
    async with countdown_bot(sim, db, clock) as second:
        await settle(second)
        clock.set(PARTY_AT - dt.timedelta(hours=1) + dt.timedelta(seconds=20))
        [hour_before] = await wait_for_reminders(sim, demo.countdown_id, 1)
        await settle(second)
    assert "in 1 hour" in hour_before
    async with countdown_bot(sim, db, clock) as third:  # and a restart adds nothing twice
        await settle(third)
        assert len(await third.countdowns.repo.one_offs(demo.guild_id)) == 3
    assert len(reminders(sim, demo.countdown_id)) == 1


async def test_a_new_event_reusing_a_removed_ones_id_gets_its_own_reminders(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot, clock: SettableClock
) -> None:
    # SQLite hands out the id of a removed last row again: keys must not collide with the
    # old event's cancelled (or still pending) reminders.
    await setup_countdown(sim, demo.guild_id, demo.countdown_id, demo.admin_id)
    await admin(sim, demo, "countdown event add", name="Old party", when="2024-09-03 10:00")
    [old] = await cbot.countdowns.repo.list_events(demo.guild_id)
    await admin(sim, demo, "countdown event remove", name="Old party")
    await admin(sim, demo, "countdown event add", name="New party", when="2024-09-03 10:00")
    [new] = await cbot.countdowns.repo.list_events(demo.guild_id)
    clock.set(PARTY_AT - dt.timedelta(hours=1) + dt.timedelta(seconds=20))
    [posted] = await wait_for_reminders(sim, demo.countdown_id, 1)
    await settle(cbot)
    assert "New party" in posted, (old.id, new.id)
    assert len(reminders(sim, demo.countdown_id)) == 1


async def test_adding_an_event_while_following_the_next_thing_says_what_it_now_follows(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot
) -> None:
    await setup_countdown(sim, demo.guild_id, demo.countdown_id, demo.admin_id)
    await admin(sim, demo, "countdown target", target="soonest")
    added = await admin(
        sim, demo, "countdown event add", name="Watch party", when="2024-09-03 10:00"
    )
    text = added.content or ""
    assert "next thing" in text and "now **Watch party**" in text, text
    assert "still counts down to" not in text


async def test_moving_a_past_event_into_the_future_respects_the_cap(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot, clock: SettableClock
) -> None:
    await admin(sim, demo, "countdown event add", name="Old", when="2024-09-01 08:30")
    for n in range(24):
        await admin(sim, demo, "countdown event add", name=f"P{n}", when=f"2024-09-{n + 2:02d}")
    clock.set(dt.datetime(2024, 9, 1, 9, 0, tzinfo=dt.UTC))  # not set up: UTC. "Old" is over
    added = await admin(sim, demo, "countdown event add", name="P24", when="2024-09-29")
    assert "Added" in (added.content or ""), added.content  # 25 upcoming again
    refused = await admin(sim, demo, "countdown event edit", name="Old", when="2024-09-30 10:00")
    assert "25" in (refused.content or "") and "Updated" not in (refused.content or "")
    renamed = await admin(sim, demo, "countdown event edit", name="Old", new_name="Older")
    assert "Updated" in (renamed.content or ""), renamed.content
