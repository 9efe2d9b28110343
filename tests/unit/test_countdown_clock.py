"""Local post times -> UTC instants across DST gaps and overlaps, in both hemispheres."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest

from bot.countdown.clock import (
    is_post_instant,
    local_date_of,
    local_to_utc,
    next_post_instant,
    previous_post_instant,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
KOLKATA = ZoneInfo("Asia/Kolkata")
ADELAIDE = ZoneInfo("Australia/Adelaide")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("zone", "day", "time", "expected"),
    [
        # ordinary days
        (LONDON, dt.date(2026, 1, 15), dt.time(9, 0), utc(2026, 1, 15, 9, 0)),
        (LONDON, dt.date(2026, 7, 15), dt.time(9, 0), utc(2026, 7, 15, 8, 0)),
        (KOLKATA, dt.date(2026, 7, 15), dt.time(9, 0), utc(2026, 7, 15, 3, 30)),
        (ADELAIDE, dt.date(2026, 7, 15), dt.time(9, 0), utc(2026, 7, 14, 23, 30)),  # +9:30
        (ADELAIDE, dt.date(2026, 1, 15), dt.time(9, 0), utc(2026, 1, 14, 22, 30)),  # +10:30
        (LORD_HOWE, dt.date(2026, 7, 15), dt.time(9, 0), utc(2026, 7, 14, 22, 30)),  # +10:30
        (LORD_HOWE, dt.date(2026, 1, 15), dt.time(9, 0), utc(2026, 1, 14, 22, 0)),  # +11
        # spring-forward gaps: the first valid instant after, i.e. the jump itself
        (LONDON, dt.date(2026, 3, 29), dt.time(1, 30), utc(2026, 3, 29, 1, 0)),
        (LONDON, dt.date(2026, 3, 29), dt.time(1, 0), utc(2026, 3, 29, 1, 0)),
        (LONDON, dt.date(2026, 3, 29), dt.time(1, 59), utc(2026, 3, 29, 1, 0)),
        (LONDON, dt.date(2026, 3, 29), dt.time(2, 0), utc(2026, 3, 29, 1, 0)),  # just valid
        (NEW_YORK, dt.date(2026, 3, 8), dt.time(2, 30), utc(2026, 3, 8, 7, 0)),
        (SYDNEY, dt.date(2026, 10, 4), dt.time(2, 15), utc(2026, 10, 3, 16, 0)),
        (ADELAIDE, dt.date(2026, 10, 4), dt.time(2, 30), utc(2026, 10, 3, 16, 30)),
        (LORD_HOWE, dt.date(2026, 10, 4), dt.time(2, 10), utc(2026, 10, 3, 15, 30)),
        # fall-back overlaps: the first occurrence only
        (LONDON, dt.date(2026, 10, 25), dt.time(1, 30), utc(2026, 10, 25, 0, 30)),
        (NEW_YORK, dt.date(2026, 11, 1), dt.time(1, 30), utc(2026, 11, 1, 5, 30)),
        (SYDNEY, dt.date(2026, 4, 5), dt.time(2, 30), utc(2026, 4, 4, 15, 30)),
        (LORD_HOWE, dt.date(2026, 4, 5), dt.time(1, 45), utc(2026, 4, 4, 14, 45)),
        # the day of a change, away from the change
        (LONDON, dt.date(2026, 3, 29), dt.time(9, 0), utc(2026, 3, 29, 8, 0)),
        (SYDNEY, dt.date(2026, 4, 5), dt.time(9, 0), utc(2026, 4, 4, 23, 0)),
    ],
)
def test_local_to_utc(zone: ZoneInfo, day: dt.date, time: dt.time, expected: dt.datetime) -> None:
    result = local_to_utc(day, time, zone)
    assert result == expected
    assert result.utcoffset() == dt.timedelta(0)


def test_a_skipped_day_posts_at_the_first_instant_after_the_gap() -> None:
    # Samoa skipped 30 December 2011 entirely, jumping from UTC-10 to UTC+14.
    apia = ZoneInfo("Pacific/Apia")
    result = local_to_utc(dt.date(2011, 12, 30), dt.time(9, 0), apia)
    assert result == utc(2011, 12, 30, 10, 0)
    assert result.astimezone(apia).replace(tzinfo=None) == dt.datetime(2011, 12, 31, 0, 0)


@pytest.mark.parametrize(
    ("zone", "post_time", "after", "expected"),
    [
        # ordinary: later today, or tomorrow once today's has passed
        (LONDON, dt.time(9), utc(2026, 1, 15, 8, 59), utc(2026, 1, 15, 9, 0)),
        (LONDON, dt.time(9), utc(2026, 1, 15, 9, 1), utc(2026, 1, 16, 9, 0)),
        # exactly at a post instant -> the next one, never the same one again
        (LONDON, dt.time(9), utc(2026, 1, 15, 9, 0), utc(2026, 1, 16, 9, 0)),
        (KOLKATA, dt.time(9), utc(2026, 7, 15, 3, 30), utc(2026, 7, 16, 3, 30)),
        # London: the night before the spring change, the 09:00 post moves an hour in UTC
        (LONDON, dt.time(9), utc(2026, 3, 28, 9, 0), utc(2026, 3, 29, 8, 0)),
        # gap day: a 01:30 post goes out at the jump, then 01:30 BST the next day
        (LONDON, dt.time(1, 30), utc(2026, 3, 28, 12, 0), utc(2026, 3, 29, 1, 0)),
        (LONDON, dt.time(1, 30), utc(2026, 3, 29, 1, 0), utc(2026, 3, 30, 0, 30)),
        # overlap day: once, at the first 01:30; the second 01:30 is not a post instant
        (LONDON, dt.time(1, 30), utc(2026, 10, 24, 12, 0), utc(2026, 10, 25, 0, 30)),
        (LONDON, dt.time(1, 30), utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)),
        (LONDON, dt.time(1, 30), utc(2026, 10, 25, 1, 0), utc(2026, 10, 26, 1, 30)),
        # New York
        (NEW_YORK, dt.time(2, 30), utc(2026, 3, 7, 12, 0), utc(2026, 3, 8, 7, 0)),
        (NEW_YORK, dt.time(1, 30), utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)),
        (NEW_YORK, dt.time(21, 0), utc(2026, 3, 8, 12, 0), utc(2026, 3, 9, 1, 0)),
        # Sydney: DST starts in October, ends in April
        (SYDNEY, dt.time(2, 30), utc(2026, 10, 3, 12, 0), utc(2026, 10, 3, 16, 0)),
        (SYDNEY, dt.time(2, 30), utc(2026, 4, 4, 12, 0), utc(2026, 4, 4, 15, 30)),
        (SYDNEY, dt.time(2, 30), utc(2026, 4, 4, 15, 30), utc(2026, 4, 5, 16, 30)),
        (SYDNEY, dt.time(9), utc(2026, 10, 3, 12, 0), utc(2026, 10, 3, 22, 0)),
        # Adelaide: half-hour offset and DST
        (ADELAIDE, dt.time(2, 30), utc(2026, 10, 3, 12, 0), utc(2026, 10, 3, 16, 30)),
        (ADELAIDE, dt.time(9), utc(2026, 4, 4, 23, 0), utc(2026, 4, 4, 23, 30)),  # ACST again
        # Lord Howe: a 30-minute DST shift
        (LORD_HOWE, dt.time(2, 15), utc(2026, 10, 3, 12, 0), utc(2026, 10, 3, 15, 30)),
        (LORD_HOWE, dt.time(1, 45), utc(2026, 4, 4, 14, 45), utc(2026, 4, 5, 15, 15)),
    ],
)
def test_next_post_instant(
    zone: ZoneInfo, post_time: dt.time, after: dt.datetime, expected: dt.datetime
) -> None:
    assert next_post_instant(post_time, zone, after) == expected


@pytest.mark.parametrize("zone", [LONDON, NEW_YORK, SYDNEY, KOLKATA, ADELAIDE, LORD_HOWE])
@pytest.mark.parametrize("post_time", [dt.time(0, 0), dt.time(1, 30), dt.time(2, 30), dt.time(9)])
def test_chained_posts_land_once_per_local_day_for_a_year(
    zone: ZoneInfo, post_time: dt.time
) -> None:
    instant = utc(2025, 12, 31, 12, 0)
    days: list[dt.date] = []
    for _ in range(366):
        following = next_post_instant(post_time, zone, instant)
        assert following > instant
        days.append(local_date_of(following, zone))
        assert previous_post_instant(post_time, zone, following) == following
        instant = following
    assert len(set(days)) == len(days)
    assert all((b - a).days == 1 for a, b in itertools.pairwise(days))


def test_previous_post_instant_is_the_latest_at_or_before_now() -> None:
    assert previous_post_instant(dt.time(9), LONDON, utc(2026, 7, 15, 7, 59)) == utc(
        2026, 7, 14, 8, 0
    )
    assert previous_post_instant(dt.time(9), LONDON, utc(2026, 7, 15, 8, 0)) == utc(
        2026, 7, 15, 8, 0
    )


@pytest.mark.parametrize(
    ("instant", "zone", "expected"),
    [
        (utc(2026, 7, 14, 23, 30), LONDON, dt.date(2026, 7, 15)),  # 00:30 BST
        (utc(2026, 1, 14, 23, 30), LONDON, dt.date(2026, 1, 14)),  # 23:30 GMT
        (utc(2026, 7, 14, 18, 29), KOLKATA, dt.date(2026, 7, 14)),
        (utc(2026, 7, 14, 18, 30), KOLKATA, dt.date(2026, 7, 15)),
        (utc(2026, 7, 15, 3, 59), NEW_YORK, dt.date(2026, 7, 14)),
    ],
)
def test_local_date_of(instant: dt.datetime, zone: ZoneInfo, expected: dt.date) -> None:
    assert local_date_of(instant, zone) == expected


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_post_instant(dt.time(9), LONDON, dt.datetime(2026, 1, 1, 9))
    with pytest.raises(ValueError, match="timezone-aware"):
        local_date_of(dt.datetime(2026, 1, 1, 9), LONDON)


class TestIsPostInstant:
    """Schedule entries are recognised as current or stale by this test."""

    @pytest.mark.parametrize(
        ("zone_name", "day", "post_time"),
        [
            ("Europe/London", dt.date(2026, 3, 29), dt.time(1, 30)),  # spring-forward gap
            ("Europe/London", dt.date(2026, 10, 25), dt.time(1, 30)),  # fall-back overlap
            ("America/New_York", dt.date(2026, 3, 8), dt.time(2, 15)),
            ("Australia/Sydney", dt.date(2026, 10, 4), dt.time(2, 0)),
            ("Asia/Kolkata", dt.date(2026, 6, 1), dt.time(9, 0)),
            ("Australia/Lord_Howe", dt.date(2026, 10, 4), dt.time(2, 0)),
        ],
    )
    def test_every_post_instant_is_recognised(
        self, zone_name: str, day: dt.date, post_time: dt.time
    ) -> None:
        zone = ZoneInfo(zone_name)
        for offset in range(-2, 3):
            instant = local_to_utc(day + dt.timedelta(days=offset), post_time, zone)
            assert is_post_instant(instant, post_time, zone)

    def test_other_instants_are_stale(self) -> None:
        zone = ZoneInfo("Europe/London")
        post = local_to_utc(dt.date(2026, 10, 25), dt.time(1, 30), zone)
        assert not is_post_instant(post + dt.timedelta(hours=1), dt.time(1, 30), zone)
        assert not is_post_instant(post, dt.time(9, 0), zone)
        assert not is_post_instant(post + dt.timedelta(seconds=1), dt.time(1, 30), zone)
        # The second 01:30 of the fall-back night is not the post instant.
        repeat = dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)
        assert repeat.astimezone(zone).time() == dt.time(1, 30)
        assert not is_post_instant(repeat, dt.time(1, 30), zone)
