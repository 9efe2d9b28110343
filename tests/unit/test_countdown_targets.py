"""Choosing a countdown target and what the cards say about it (pure parts of issue 8)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.countdown.cards import cadence_text, fan_countdown_embed, setup_changes
from bot.countdown.events import (
    event_choice_label,
    event_line,
    moving_target,
    spoken_date,
    typed_release,
)
from bot.countdown.planner import plan_post, resolve_target, target_from_event
from bot.countdown.settings import (
    NEXT_TARGET,
    SOONEST_TARGET,
    Cadence,
    CountdownSettings,
    CustomEvent,
    Reminder,
    split_target,
    uses_events,
)
from bot.show.models import DatePrecision, Release, ReleaseDate

LONDON = ZoneInfo("Europe/London")
GUILD = 111
FILM_AT = dt.datetime(2026, 12, 24, 8, 0, tzinfo=dt.UTC)
FILM = Release(
    key="film",
    title="Heartstopper Forever",
    kind="film",
    when=ReleaseDate(DatePrecision.INSTANT, instant=FILM_AT),
    sources=("https://example.org",),
)
VAGUE = Release(
    key="s4",
    title="Season 4",
    kind="season",
    when=ReleaseDate(DatePrecision.YEAR, year=2027),
    sources=("https://example.org",),
)
PARTY = CustomEvent(5, GUILD, "Watch party", dt.datetime(2026, 12, 20, 19, 0, tzinfo=dt.UTC))
LATER = CustomEvent(6, GUILD, "Rewatch", dt.datetime(2027, 1, 2, 19, 0, tzinfo=dt.UTC))
NOT_OURS = CustomEvent(7, GUILD + 1, "Elsewhere", dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
SOONEST = CountdownSettings(GUILD, channel_id=2, timezone="Europe/London", target=SOONEST_TARGET)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (dt.datetime(2026, 12, 1, tzinfo=dt.UTC), "Watch party"),  # before the party
        (dt.datetime(2026, 12, 20, 22, 0, tzinfo=dt.UTC), "Watch party"),  # its own day
        (dt.datetime(2026, 12, 21, 1, 0, tzinfo=dt.UTC), "Heartstopper Forever"),  # then the film
        (dt.datetime(2026, 12, 25, 1, 0, tzinfo=dt.UTC), "Rewatch"),  # then the next event
    ],
)
def test_soonest_is_the_nearest_release_or_event_not_yet_over(
    now: dt.datetime, expected: str
) -> None:
    target = resolve_target(SOONEST, (FILM,), (PARTY, LATER, NOT_OURS), now)
    assert target is not None and target.title == expected


def test_soonest_puts_a_dated_event_before_a_release_without_a_day() -> None:
    now = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    target = resolve_target(SOONEST, (VAGUE,), (LATER,), now)
    assert target is not None and target.title == "Rewatch"
    assert resolve_target(SOONEST, (VAGUE,), (), now).title == "Season 4"  # type: ignore[union-attr]


def test_soonest_moves_on_so_its_event_day_post_does_not_say_the_countdown_is_over() -> None:
    post = plan_post(SOONEST, target_from_event(PARTY), PARTY.starts_at - dt.timedelta(hours=2))
    assert post is not None and "complete" not in post.content
    fixed = CountdownSettings(GUILD, channel_id=2, target="event:5")
    post = plan_post(fixed, target_from_event(PARTY), PARTY.starts_at - dt.timedelta(hours=2))
    assert post is not None and "complete" in post.content


def test_targets_that_need_the_servers_events() -> None:
    assert split_target(SOONEST_TARGET) == ("soonest", None)
    assert uses_events(SOONEST_TARGET) and uses_events("event:3")
    assert not uses_events(NEXT_TARGET) and not uses_events("release:film")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("next", NEXT_TARGET),
        ("The next release", NEXT_TARGET),
        ("soonest", SOONEST_TARGET),
        ("the  NEXT thing", SOONEST_TARGET),
        ("next party", None),
        ("", None),
    ],
)
def test_moving_targets_by_their_words(typed: str, expected: str | None) -> None:
    assert moving_target(typed) == expected


def test_releases_by_value_key_or_title() -> None:
    for typed in ("release:film", "film", "heartstopper forever", "HEARTSTOPPER FOREVER "):
        assert typed_release(typed, (FILM, VAGUE)) is FILM
    assert typed_release("Forever", (FILM, VAGUE)) is None


def test_dates_are_written_without_a_leading_zero_in_the_servers_zone() -> None:
    assert spoken_date(dt.date(2026, 12, 3)) == "3 December 2026"
    event = CustomEvent(1, GUILD, "Party", dt.datetime(2026, 7, 3, 9, 0, tzinfo=dt.UTC))
    assert event_choice_label(event, LONDON) == "Party · 3 July 2026, 10:00"
    long = CustomEvent(1, GUILD, "x" * 100, event.starts_at)
    assert len(event_choice_label(long, LONDON)) <= 100


def test_cadence_says_what_really_goes_out() -> None:
    daily = CountdownSettings(GUILD, channel_id=2)
    milestones = CountdownSettings(GUILD, channel_id=2, cadence=Cadence.MILESTONES)
    vague = resolve_target(daily, (VAGUE,), (), dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    dated = resolve_target(daily, (FILM,), (), dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert cadence_text(daily, vague).startswith("a weekly update on Mondays")
    assert cadence_text(milestones, vague).startswith("nothing until a day is announced")
    assert cadence_text(daily, dated) == "every day"
    assert cadence_text(milestones, dated) == "milestones and release day"
    assert cadence_text(daily, None).startswith("none")


def test_setup_changes_name_each_change() -> None:
    before = CountdownSettings(GUILD, channel_id=2, role_id=9, enabled=False)
    after = CountdownSettings(
        GUILD, channel_id=3, post_time=dt.time(22, 30), timezone="Europe/London"
    )
    assert setup_changes(before, after) == [
        "channel <#2> → <#3>",
        "post time 09:00 → 22:30",
        "time zone UTC → Europe/London",
        "pings <@&9> → no role",
        "resumed (it was paused)",
    ]
    assert setup_changes(after, after) == []


def test_fans_see_the_target_and_a_different_next_event() -> None:
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    settings = CountdownSettings(GUILD, channel_id=2)
    film = resolve_target(settings, (FILM,), (), now)
    embed = fan_countdown_embed("Paris Trip", settings, film, PARTY)
    assert embed is not None and embed.description is not None
    assert "Heartstopper Forever" in embed.description and "Watch party" in embed.description
    # Counting down to the event itself: it isn't repeated as "next server event".
    on_party = CountdownSettings(GUILD, channel_id=2, target="event:5")
    embed = fan_countdown_embed("Paris Trip", on_party, target_from_event(PARTY), PARTY)
    assert embed is not None and embed.description is not None
    assert embed.description.count("Watch party") == 1
    paused = CountdownSettings(GUILD, channel_id=2, enabled=False)
    assert fan_countdown_embed("Paris Trip", paused, film, None) is None


def test_the_event_list_shows_each_events_reminders() -> None:
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    assert "⏰ 1 day before, 1 hour before and at the start" in event_line(PARTY, now)
    quiet = CustomEvent(9, GUILD, "Quiet", PARTY.starts_at, frozenset({Reminder.START}))
    assert "⏰ at the start" in event_line(quiet, now)
    off = CustomEvent(9, GUILD, "Off", PARTY.starts_at, frozenset())
    assert "no reminders" in event_line(off, now)
    assert "⏰" not in event_line(PARTY, PARTY.starts_at + dt.timedelta(hours=1))  # past
