"""Which releases are still ahead, and how to say when they are.

Pure functions over :mod:`bot.show.models`; both ``/next`` and the countdown posts use them.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from bot.show.models import DatePrecision, Release, ReleaseDate

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def release_instant(when: ReleaseDate, zone: dt.tzinfo = dt.UTC) -> dt.datetime | None:
    """The moment a release happens, if the day is known.

    An exact instant is returned as is; a bare day counts from local midnight in ``zone``
    (a fan in Sydney sees a "day" release start on their own calendar day).
    """
    if when.precision is DatePrecision.INSTANT:
        return when.instant
    if when.precision is DatePrecision.DAY:
        assert when.day is not None
        return dt.datetime.combine(when.day, dt.time(0), tzinfo=zone)
    return None


@functools.lru_cache(maxsize=8192)  # a handful of releases, asked for in every zone each tick
def local_release_day(when: ReleaseDate, zone: dt.tzinfo) -> dt.date | None:
    """The calendar day, in ``zone``, on which the release happens (None if not day-precise)."""
    if when.precision is DatePrecision.INSTANT:
        assert when.instant is not None
        return when.instant.astimezone(zone).date()
    if when.precision is DatePrecision.DAY:
        return when.day
    return None


def days_until(when: ReleaseDate, now: dt.datetime, zone: dt.tzinfo = dt.UTC) -> int | None:
    """Whole days left: the difference between local calendar dates in ``zone``.

    0 means "today", negative means it has passed; None when the day is not known.
    """
    release_day = local_release_day(when, zone)
    if release_day is None:
        return None
    return (release_day - now.astimezone(zone).date()).days


def is_upcoming(release: Release, now: dt.datetime, zone: dt.tzinfo = dt.UTC) -> bool:
    """True while the release may still be ahead (release day itself included).

    A month- or year-only date stays upcoming until its last possible day is over;
    an unannounced release is always upcoming.
    """
    when = release.when
    if when.precision is DatePrecision.UNANNOUNCED:
        return True
    if when.precision is DatePrecision.INSTANT:
        release_day = local_release_day(when, zone)
        assert release_day is not None
        # Still "upcoming" for the rest of the local release day, so release-day posts work.
        return now.astimezone(zone).date() <= release_day
    last_day = when.latest_possible_day()
    assert last_day is not None
    return now.astimezone(zone).date() <= last_day


def _sort_key(release: Release) -> tuple[int, dt.date, int, str]:
    last = release.when.latest_possible_day()
    if last is None:
        return (1, dt.date.max, 0, release.key)
    # Order by the last day it could be: "March 2027" before "2027", and a release with a
    # known day before a vague one whose window it falls in (the film "coming 2026" is said
    # to follow Volume 6 on 2 July 2026, and only the dated one can be counted down to).
    return (0, last, 0 if release.when.has_exact_day else 1, release.key)


def upcoming_releases(
    releases: Iterable[Release], now: dt.datetime, zone: dt.tzinfo = dt.UTC
) -> list[Release]:
    """Releases still ahead, soonest first; unannounced ones last."""
    return sorted((r for r in releases if is_upcoming(r, now, zone)), key=_sort_key)


def next_release(
    releases: Iterable[Release], now: dt.datetime, zone: dt.tzinfo = dt.UTC
) -> Release | None:
    upcoming = upcoming_releases(releases, now, zone)
    return upcoming[0] if upcoming else None


def describe_when(when: ReleaseDate) -> str:
    """Honest words for how much of the date is known, e.g. "coming 2027, no exact date yet"."""
    match when.precision:
        case DatePrecision.INSTANT:
            assert when.instant is not None
            pacific = when.instant.astimezone(ZoneInfo("America/Los_Angeles"))
            return f"{pacific.day} {_MONTHS[pacific.month - 1]} {pacific.year}"
        case DatePrecision.DAY:
            assert when.day is not None
            return f"{when.day.day} {_MONTHS[when.day.month - 1]} {when.day.year}"
        case DatePrecision.MONTH:
            assert when.month is not None
            return f"some time in {_MONTHS[when.month - 1]} {when.year} (no exact day yet)"
        case DatePrecision.YEAR:
            # The wording fans were promised: a year is known, a day is not.
            return f"coming {when.year}, no exact date yet"
        case DatePrecision.UNANNOUNCED:
            return "no release date has been announced yet"
    raise AssertionError(when.precision)


def discord_timestamps(instant: dt.datetime) -> tuple[str, str]:
    """``<t:…:F>`` and ``<t:…:R>``: every reader sees them in their own time zone."""
    seconds = int(instant.timestamp())
    return f"<t:{seconds}:F>", f"<t:{seconds}:R>"
