"""What each server's countdown post says, day by day, in the server's own time zone."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.countdown.planner import (
    SUPPRESS_NOTIFICATIONS,
    PlannedPost,
    PostKind,
    Target,
    is_finished,
    plan_post,
    resolve_target,
    target_from_event,
    target_from_release,
)
from bot.countdown.settings import (
    MILESTONES,
    Cadence,
    CountdownSettings,
    CustomEvent,
    split_target,
)
from bot.show.models import DatePrecision, Release, ReleaseDate

LONDON = ZoneInfo("Europe/London")
TOKYO = ZoneInfo("Asia/Tokyo")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
SYDNEY = ZoneInfo("Australia/Sydney")

GUILD, CHANNEL, ROLE = 111, 222, 333
DAY, MONTH = DatePrecision.DAY, DatePrecision.MONTH
# 00:00 Pacific on 24 December 2026, the way Netflix releases land.
FOREVER_AT = dt.datetime(2026, 12, 24, 8, 0, tzinfo=dt.UTC)


def release(key: str, title: str, when: ReleaseDate) -> Release:
    return Release(key=key, title=title, kind="film", when=when, sources=("https://example.org",))


def instant(at: dt.datetime) -> ReleaseDate:
    return ReleaseDate(DatePrecision.INSTANT, instant=at)


FOREVER = release("heartstopper-forever", "Heartstopper Forever", instant(FOREVER_AT))
BOOK = release("volume-6", "Heartstopper Volume 6", ReleaseDate(DAY, day=dt.date(2027, 2, 4)))
VAGUE = release("season-4", "Heartstopper season 4", ReleaseDate(MONTH, year=2027, month=3))
SOMEDAY = release("spin-off", "A spin-off", ReleaseDate(DatePrecision.UNANNOUNCED))
OLD = release("season-1", "Heartstopper season 1", ReleaseDate(DAY, day=dt.date(2022, 4, 22)))
RELEASES = (OLD, FOREVER, BOOK, VAGUE, SOMEDAY)

WATCH_PARTY = CustomEvent(12, GUILD, "Watch party", dt.datetime(2026, 12, 31, 19, 0, tzinfo=dt.UTC))
ELSEWHERE = CustomEvent(13, GUILD + 1, "Not ours", dt.datetime(2026, 12, 31, 19, 0, tzinfo=dt.UTC))


def settings(**changes: object) -> CountdownSettings:
    base = CountdownSettings(
        guild_id=GUILD, channel_id=CHANNEL, timezone="Europe/London", role_id=ROLE
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def local(zone: ZoneInfo, *args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=zone).astimezone(dt.UTC)


def plan(
    now: dt.datetime, target: Target | None = None, *, late: bool = False, **changes: object
) -> PlannedPost | None:
    chosen = target_from_release(FOREVER) if target is None else target
    return plan_post(settings(**changes), chosen, now, late=late)


def stamps(at: dt.datetime) -> tuple[str, str]:
    seconds = int(at.timestamp())
    return f"<t:{seconds}:F>", f"<t:{seconds}:R>"


# --- settings ------------------------------------------------------------------------------


def test_settings_defaults_live_in_code() -> None:
    plain = CountdownSettings(guild_id=5)
    assert (plain.channel_id, plain.post_time, plain.timezone) == (None, dt.time(9, 0), "UTC")
    assert (plain.role_id, plain.target, plain.cadence) == (None, "next", Cadence.DAILY)
    assert plain.silent_routine and plain.enabled
    assert MILESTONES == (100, 50, 30, 14, 7, 3, 2, 1)


def test_a_vanished_zone_name_falls_back_to_utc() -> None:
    assert settings(timezone="Mars/Olympus_Mons").zone.key == "UTC"
    assert settings().zone.key == "Europe/London"


@pytest.mark.parametrize(
    ("target", "expected"),
    [("next", ("next", None)), ("release:season-4", ("release", "season-4")),
     ("event:12", ("event", "12"))],
)  # fmt: skip
def test_split_target(target: str, expected: tuple[str, str | None]) -> None:
    assert split_target(target) == expected


@pytest.mark.parametrize("target", ["", "release:", "event:", "event:abc", "event:-1", "later"])
def test_split_target_refuses(target: str) -> None:
    with pytest.raises(ValueError, match="not a countdown target"):
        split_target(target)


# --- routine days --------------------------------------------------------------------------


def test_a_routine_day_is_a_silent_count_with_timestamps() -> None:
    post = plan(local(LONDON, 2026, 12, 12, 9))
    assert post is not None
    full, relative = stamps(FOREVER_AT)
    assert post.kind is PostKind.DAILY
    assert post.content == f"**12 days** until *Heartstopper Forever* — {full} ({relative})"
    assert post.silent and post.flags_value == SUPPRESS_NOTIFICATIONS == 4096
    assert post.ping_role_id is None
    assert (post.days_left, post.local_date) == (12, dt.date(2026, 12, 12))
    assert (post.guild_id, post.channel_id, post.late) == (GUILD, CHANNEL, False)
    assert post.target_key == "release:heartstopper-forever"


def test_without_silent_routine_every_post_pings_the_role() -> None:
    post = plan(local(LONDON, 2026, 12, 12, 9), silent_routine=False)
    assert post is not None
    assert not post.silent and post.flags_value == 0
    assert post.ping_role_id == ROLE
    assert post.content.startswith(f"<@&{ROLE}> **12 days**")


def test_no_role_means_no_ping_even_on_milestones() -> None:
    post = plan(local(LONDON, 2026, 12, 17, 9), role_id=None)
    assert post is not None and post.kind is PostKind.MILESTONE
    assert post.ping_role_id is None and "<@&" not in post.content
    assert not post.silent


@pytest.mark.parametrize(
    ("days", "wording"),
    [
        (100, "🎉 **100 days** to go until *Heartstopper Forever*!"),
        (50, "🎉 **50 days** to go until"),
        (30, "🎉 **30 days** to go until"),
        (14, "🎉 **Two weeks** to go until"),
        (7, "🎉 **One week** to go until"),
        (3, "🎉 **3 days** to go until"),
        (2, "🎉 **2 days** to go until"),
        (1, "🎉 *Heartstopper Forever* is **tomorrow**!"),
    ],
)
def test_milestones_celebrate_and_ping(days: int, wording: str) -> None:
    now = local(LONDON, 2026, 12, 24, 9) - dt.timedelta(days=days)
    post = plan(now)
    assert post is not None
    assert post.kind is PostKind.MILESTONE and post.days_left == days
    assert post.content.startswith(f"<@&{ROLE}> {wording}")
    assert stamps(FOREVER_AT)[1] in post.content
    assert not post.silent and post.ping_role_id == ROLE


@pytest.mark.parametrize("days", range(0, 120))
def test_milestone_cadence_posts_only_on_milestones_and_release_day(days: int) -> None:
    now = local(LONDON, 2026, 12, 24, 9) - dt.timedelta(days=days)
    daily = plan(now)
    sparse = plan(now, cadence=Cadence.MILESTONES)
    assert daily is not None and daily.days_left == days
    if days == 0 or days in MILESTONES:
        assert sparse == daily
    else:
        assert sparse is None
        assert daily.kind is PostKind.DAILY


# --- counting days ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "now", "days"),
    [
        # 20:00 UTC on the 23rd: still the 23rd in London and Los Angeles, the 24th in Tokyo
        (LONDON, dt.datetime(2026, 12, 23, 20, 0, tzinfo=dt.UTC), 1),
        (TOKYO, dt.datetime(2026, 12, 23, 20, 0, tzinfo=dt.UTC), 0),
        (LOS_ANGELES, dt.datetime(2026, 12, 23, 20, 0, tzinfo=dt.UTC), 1),
        # local midnight flips the count, not 24 hours before the release
        (LONDON, local(LONDON, 2026, 12, 22, 23, 59), 2),
        (LONDON, local(LONDON, 2026, 12, 23, 0, 0), 1),
        (TOKYO, local(TOKYO, 2026, 12, 23, 23, 59), 1),
        (TOKYO, local(TOKYO, 2026, 12, 24, 0, 0), 0),
        (LOS_ANGELES, local(LOS_ANGELES, 2026, 12, 23, 23, 59), 1),
        (LOS_ANGELES, local(LOS_ANGELES, 2026, 12, 24, 0, 0), 0),
    ],
)
def test_days_left_is_a_difference_of_local_dates(
    zone: ZoneInfo, now: dt.datetime, days: int
) -> None:
    post = plan(now, timezone=zone.key)
    assert post is not None and post.days_left == days


def test_a_release_just_before_pacific_midnight_is_a_day_earlier_in_los_angeles() -> None:
    late_night = target_from_release(
        release("x", "X", instant(dt.datetime(2026, 12, 24, 7, 30, tzinfo=dt.UTC)))
    )
    now = dt.datetime(2026, 12, 23, 18, 0, tzinfo=dt.UTC)
    by_zone = {z.key: plan(now, late_night, timezone=z.key) for z in (LONDON, TOKYO, LOS_ANGELES)}
    assert {key: post.days_left for key, post in by_zone.items() if post} == {
        "Europe/London": 1, "Asia/Tokyo": 0, "America/Los_Angeles": 0,
    }  # fmt: skip


def test_a_day_release_starts_at_local_midnight_in_the_server_zone() -> None:
    book = target_from_release(BOOK)
    sydney_midnight = dt.datetime(2027, 2, 4, tzinfo=SYDNEY)
    post = plan(local(SYDNEY, 2027, 1, 28, 9), book, timezone="Australia/Sydney")
    assert post is not None and post.days_left == 7
    full, relative = stamps(sydney_midnight)
    assert full in post.content and relative in post.content
    on_the_day = plan(local(SYDNEY, 2027, 2, 4, 0, 0), book, timezone="Australia/Sydney")
    assert on_the_day is not None and on_the_day.kind is PostKind.RELEASE_DAY


# --- release day and after -------------------------------------------------------------------


def test_release_day_before_and_after_the_instant() -> None:
    early = plan(local(LONDON, 2026, 12, 24, 7, 0))  # the release lands at 08:00 in London
    later = plan(local(LONDON, 2026, 12, 24, 9, 0))
    assert early is not None and later is not None
    full, relative = stamps(FOREVER_AT)
    assert early.content == (
        f"<@&{ROLE}> 🎉 It's release day: *Heartstopper Forever* arrives {relative} ({full})"
    )
    assert later.content == f"<@&{ROLE}> 🎉 *Heartstopper Forever* is out now! ({full})"
    for post in (early, later):
        assert post.kind is PostKind.RELEASE_DAY and post.days_left == 0
        assert not post.silent and post.ping_role_id == ROLE


def test_next_mode_moves_on_the_day_after_release_day() -> None:
    mode = settings(target="next")
    on_the_day = resolve_target(mode, RELEASES, [], local(LONDON, 2026, 12, 24, 23, 59))
    day_after = resolve_target(mode, RELEASES, [], local(LONDON, 2026, 12, 25, 0, 0))
    assert on_the_day == target_from_release(FOREVER)
    assert day_after == target_from_release(BOOK)
    post = plan_post(mode, day_after, local(LONDON, 2026, 12, 25, 9))
    assert post is not None and post.days_left == 41
    assert post.target_key == "release:volume-6"
    release_day = plan_post(mode, on_the_day, local(LONDON, 2026, 12, 24, 9))
    assert release_day is not None and "complete" not in release_day.content


def test_next_mode_uses_the_server_zone_to_decide_what_is_next() -> None:
    # 16:00 UTC on the 24th is already the 25th in Tokyo (release day over), not in London
    now = dt.datetime(2026, 12, 24, 16, 0, tzinfo=dt.UTC)
    in_tokyo = resolve_target(settings(timezone="Asia/Tokyo"), RELEASES, [], now)
    assert in_tokyo == target_from_release(BOOK)
    assert resolve_target(settings(), RELEASES, [], now) == target_from_release(FOREVER)


def test_a_fixed_release_ends_after_its_release_day() -> None:
    fixed = settings(target="release:heartstopper-forever")
    target = resolve_target(fixed, RELEASES, [], local(LONDON, 2026, 12, 24, 9))
    assert target == target_from_release(FOREVER)
    release_day = plan_post(fixed, target, local(LONDON, 2026, 12, 24, 9))
    assert release_day is not None and "countdown is complete" in release_day.content
    after = local(LONDON, 2026, 12, 25, 9)
    # still resolved (so the status command can explain), but finished and silent
    assert resolve_target(fixed, RELEASES, [], after) == target
    assert is_finished(target, after, LONDON)
    assert not is_finished(target, local(LONDON, 2026, 12, 24, 23, 59), LONDON)
    assert plan_post(fixed, target, after) is None


def test_nothing_upcoming_means_no_target_and_no_post() -> None:
    now = local(LONDON, 2030, 1, 1, 9)
    assert resolve_target(settings(), (OLD, FOREVER), [], now) is None
    assert plan_post(settings(), None, now) is None


@pytest.mark.parametrize("target", ["release:no-such-thing", "event:99", "event:13", "bogus"])
def test_unknown_foreign_or_malformed_targets_resolve_to_nothing(target: str) -> None:
    now = local(LONDON, 2026, 12, 1, 9)
    assert resolve_target(settings(target=target), RELEASES, [WATCH_PARTY, ELSEWHERE], now) is None


# --- custom events ---------------------------------------------------------------------------


def test_a_custom_event_counts_down_and_finishes() -> None:
    mode = settings(target="event:12")
    target = resolve_target(mode, RELEASES, [ELSEWHERE, WATCH_PARTY], local(LONDON, 2026, 12, 1, 9))
    assert target == target_from_event(WATCH_PARTY)
    assert target is not None and target.is_custom and target.key == "event:12"
    full, relative = stamps(WATCH_PARTY.starts_at)
    count = plan_post(mode, target, local(LONDON, 2026, 12, 1, 9))
    assert count is not None and count.days_left == 30 and count.kind is PostKind.MILESTONE
    morning = plan_post(mode, target, local(LONDON, 2026, 12, 31, 9))
    assert morning is not None
    assert f"It's today: *Watch party* starts {relative} ({full})" in morning.content
    evening = plan_post(mode, target, local(LONDON, 2026, 12, 31, 21))
    assert evening is not None and "*Watch party* has started!" in evening.content
    assert plan_post(mode, target, local(LONDON, 2027, 1, 1, 9)) is None


def test_event_start_is_stored_in_utc() -> None:
    tokyo_start = dt.datetime(2026, 12, 31, 20, 0, tzinfo=TOKYO)
    target = target_from_event(CustomEvent(1, GUILD, "Party", tokyo_start))
    assert target.when.instant == tokyo_start
    assert target.when.instant is not None and target.when.instant.tzinfo is dt.UTC


def test_custom_events_need_an_aware_start() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        CustomEvent(1, GUILD, "Party", dt.datetime(2026, 12, 31, 20, 0))


@pytest.mark.parametrize(
    ("name", "forbidden"),
    [
        ("**Bold** _party_", "**Bold**"),
        ("Party @everyone", "@everyone"),
        ("Party @here", "@here"),
        ("Line\nbreak", "\n"),
        ("~~gone~~ `code` ||spoiler||", "||spoiler||"),
    ],
)
def test_titles_are_made_markdown_and_mention_safe(name: str, forbidden: str) -> None:
    event = CustomEvent(1, GUILD, name, dt.datetime(2026, 12, 31, 19, 0, tzinfo=dt.UTC))
    post = plan(local(LONDON, 2026, 12, 5, 9), target_from_event(event), role_id=None)
    assert post is not None
    assert forbidden not in post.content


def test_a_huge_title_still_fits_in_one_message() -> None:
    event = CustomEvent(1, GUILD, "*_" * 5000, dt.datetime(2026, 12, 31, 19, 0, tzinfo=dt.UTC))
    post = plan(local(LONDON, 2026, 12, 5, 9), target_from_event(event), late=True)
    assert post is not None
    assert len(post.content) <= 2000
    assert post.content.endswith("offline at the usual time)")
    assert stamps(event.starts_at)[1] in post.content


# --- vague dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "wording"),
    [
        (VAGUE, "some time in March 2027 (no exact day yet)"),
        (SOMEDAY, "no release date has been announced yet"),
        (
            release("y", "Y", ReleaseDate(DatePrecision.YEAR, year=2027)),
            "coming 2027, no exact date yet",
        ),
    ],
)
def test_a_vague_release_gets_one_honest_post_a_week(when: Release, wording: str) -> None:
    target = target_from_release(when)
    monday = local(LONDON, 2026, 12, 28, 9)
    assert monday.astimezone(LONDON).weekday() == 0
    post = plan(monday, target)
    assert post is not None
    assert post.kind is PostKind.NO_DATE_YET and post.days_left is None
    assert wording in post.content and "<t:" not in post.content
    assert post.silent and post.ping_role_id is None
    for offset in range(1, 7):
        assert plan(monday + dt.timedelta(days=offset), target) is None
    assert plan(monday, target, cadence=Cadence.MILESTONES) is None


def test_the_weekly_vague_post_follows_the_local_monday() -> None:
    target = target_from_release(VAGUE)
    # 23:00 UTC on Sunday is already Monday in Tokyo
    now = dt.datetime(2026, 12, 27, 23, 0, tzinfo=dt.UTC)
    assert plan(now, target, timezone="Asia/Tokyo") is not None
    assert plan(now, target) is None


def test_a_vague_release_finishes_only_after_its_last_possible_day() -> None:
    target = target_from_release(VAGUE)
    assert not is_finished(target, local(LONDON, 2027, 3, 31, 23, 59), LONDON)
    assert is_finished(target, local(LONDON, 2027, 4, 1, 0, 0), LONDON)
    assert not is_finished(target_from_release(SOMEDAY), local(LONDON, 2099, 1, 1), LONDON)


# --- paused, unconfigured, late ------------------------------------------------------------


@pytest.mark.parametrize("changes", [{"enabled": False}, {"channel_id": None}])
def test_paused_or_unconfigured_servers_get_nothing(changes: dict[str, object]) -> None:
    assert plan(local(LONDON, 2026, 12, 17, 9), **changes) is None


def test_a_late_post_says_so_and_keeps_its_day() -> None:
    on_time = plan(local(LONDON, 2026, 12, 12, 9))
    late = plan(local(LONDON, 2026, 12, 12, 15), late=True)
    assert on_time is not None and late is not None
    assert late.late and not on_time.late
    assert late.content == on_time.content + (
        "\n-# (a little late today — the bot was offline at the usual time)"
    )
    assert late.local_date == on_time.local_date  # the same ledger day: sent only once
