"""Event reminders: which posts an event gets, their keys, windows and words (pure parts)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot.countdown.reminders import (
    Reminder,
    apply_switches,
    parse_reminders,
    plan_reminders,
    reminder_line,
    reminder_prefix,
    reminder_text,
    store_reminders,
)
from bot.countdown.settings import CountdownSettings, CustomEvent

START = dt.datetime(2026, 3, 1, 19, 0, tzinfo=dt.UTC)
PARTY = CustomEvent(id=12, guild_id=1, name="Watch party", starts_at=START)


def test_an_event_gets_a_day_an_hour_and_a_start_reminder_by_default() -> None:
    slots = plan_reminders(PARTY, START - dt.timedelta(days=3))
    assert [(s.which, s.due_at) for s in slots] == [
        (Reminder.DAY, START - dt.timedelta(days=1)),
        (Reminder.HOUR, START - dt.timedelta(hours=1)),
        (Reminder.START, START),
    ]
    # Each stops being useful once the next one takes over; the start one a little after.
    assert [s.expires_at for s in slots] == [
        START - dt.timedelta(hours=1),
        START,
        START + dt.timedelta(minutes=30),
    ]
    assert all(s.key.startswith(reminder_prefix(12)) for s in slots)
    assert len({s.key for s in slots}) == 3


def test_reminders_already_due_when_added_are_not_scheduled() -> None:
    slots = plan_reminders(PARTY, START - dt.timedelta(minutes=30))
    assert [s.which for s in slots] == [Reminder.START]
    assert plan_reminders(PARTY, START) == []
    assert plan_reminders(PARTY, START + dt.timedelta(minutes=1)) == []


def test_switched_off_reminders_are_not_planned() -> None:
    only_start = dataclasses.replace(PARTY, reminders=frozenset({Reminder.START}))
    assert [s.which for s in plan_reminders(only_start, START - dt.timedelta(days=3))] == [
        Reminder.START
    ]
    silent = dataclasses.replace(PARTY, reminders=frozenset())
    assert plan_reminders(silent, START - dt.timedelta(days=3)) == []


def test_an_edit_gives_new_keys_so_the_old_ones_never_block_it() -> None:
    now = START - dt.timedelta(days=3)
    before = {s.key for s in plan_reminders(PARTY, now)}
    moved = dataclasses.replace(PARTY, starts_at=START + dt.timedelta(hours=2), revision=1)
    back = dataclasses.replace(PARTY, revision=2)  # moved back to the first time
    after_move = {s.key for s in plan_reminders(moved, now)}
    after_back = {s.key for s in plan_reminders(back, now)}
    assert not before & after_move and not before & after_back and not after_move & after_back


@pytest.mark.parametrize(
    ("which", "expected"),
    [
        (Reminder.DAY, "starts **tomorrow**"),
        (Reminder.HOUR, "starts **in 1 hour**"),
        (Reminder.START, "is **starting now**"),
    ],
)
def test_reminder_words(which: Reminder, expected: str) -> None:
    text = reminder_text("Watch *party* @everyone", which, START)
    assert expected in text
    assert f"<t:{int(START.timestamp())}:F>" in text
    assert "@everyone" not in text and "\\*party\\*" in text


def test_reminder_switches_round_trip_through_storage() -> None:
    for chosen in (frozenset(), frozenset({Reminder.HOUR}), frozenset(Reminder)):
        assert parse_reminders(store_reminders(chosen)) == chosen
    assert parse_reminders(None) == frozenset(Reminder)  # not stored: the defaults
    assert parse_reminders("1h,bogus") == frozenset({Reminder.HOUR})


def test_edit_switches_change_only_what_is_given() -> None:
    every = frozenset(Reminder)
    assert apply_switches(every, dict.fromkeys(Reminder)) is None  # nothing given: keep
    switches: dict[Reminder, bool | None] = {
        Reminder.DAY: False,
        Reminder.HOUR: None,
        Reminder.START: True,
    }
    assert apply_switches(frozenset({Reminder.HOUR}), switches) == {Reminder.HOUR, Reminder.START}
    assert apply_switches(every, {**switches, Reminder.START: False}) == {Reminder.HOUR}


def test_the_reply_says_which_reminders_will_really_go_out() -> None:
    settings = CountdownSettings(guild_id=1, channel_id=7)
    every = frozenset(Reminder)
    assert reminder_line(every, set(every), settings) == (
        "Reminders: 1 day before, 1 hour before and at the start. They go to <#7>."
    )
    late = reminder_line(every, {Reminder.START}, settings)
    assert late.startswith("Reminders: at the start.") and "already passed" in late
    assert reminder_line(frozenset(), set(), settings) == "Reminders: none."
    assert "already passed" in reminder_line(every, set(), CountdownSettings(guild_id=1))


def test_the_reply_warns_that_a_paused_countdown_posts_no_reminders() -> None:
    paused = CountdownSettings(guild_id=1, channel_id=7, enabled=False)
    every = frozenset(Reminder)
    assert "paused" in reminder_line(every, set(every), paused)
    assert "paused" not in reminder_line(frozenset(), set(), paused)
