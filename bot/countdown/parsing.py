"""Admins' typed input for the countdown settings, checked once at the boundary.

Every failure is a ``CountdownInputError`` whose message is a friendly sentence saying what is
wrong and what works instead. Messages never repeat the raw input: it may be huge, or carry
mentions and markdown.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from zoneinfo import ZoneInfo

from bot.countdown.clock import local_to_utc

MAX_CHOICES = 25  # Discord's cap on autocomplete suggestions
_MAX_CHOICE_LEN = 100  # Discord's cap on a suggestion's name and value
_MAX_INPUT_LEN = 100  # anything longer is junk; refuse before running a regex over it
_MAX_YEARS_AHEAD = 10

_TIME_RE = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_EVENT_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})[ T]([0-9]{1,2}):([0-9]{2})")
_ZONE_CHARS_RE = re.compile(r"[A-Za-z0-9_+\-/ ]+")

# Not places: tzdata files that exist for the system, not for people.
_NOT_ZONES = frozenset({"Factory", "localtime", "posixrules"})

# Today's Area/City names; "US/Eastern", "GB" and "Etc/GMT+5" still match, ranked after these.
_AREAS = frozenset({
    "Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe",
    "Indian", "Pacific",
})  # fmt: skip

# Offered first for an empty query: where the show's fans mostly are, roughly west to east.
POPULAR_ZONES: tuple[str, ...] = (
    "UTC", "Europe/London", "America/New_York", "America/Los_Angeles", "America/Chicago",
    "America/Denver", "America/Toronto", "America/Mexico_City", "America/Sao_Paulo",
    "Europe/Dublin", "Europe/Paris", "Europe/Berlin", "Europe/Madrid", "Europe/Rome",
    "Europe/Amsterdam", "Europe/Stockholm", "Europe/Warsaw", "Asia/Kolkata", "Asia/Jakarta",
    "Asia/Singapore", "Asia/Manila", "Asia/Seoul", "Asia/Tokyo", "Australia/Sydney",
    "Pacific/Auckland",
)  # fmt: skip

_TIME_EXAMPLE = "Use the 24-hour clock as HH:MM, for example 09:00 or 21:30."
_ZONE_EXAMPLE = "Use a time zone name such as Europe/London or America/New_York."
_EVENT_EXAMPLE = "Use YYYY-MM-DD HH:MM in the server's time zone, for example 2026-12-24 19:30."


class CountdownInputError(ValueError):
    """Input an admin can fix; ``str(error)`` is safe to show them as is."""


def _hour_minute(hour: int, minute: int) -> dt.time:
    if hour > 23:
        raise CountdownInputError(f"There is no hour {hour} on a 24-hour clock. {_TIME_EXAMPLE}")
    if minute > 59:
        raise CountdownInputError(f"An hour only has minutes 00 to 59. {_TIME_EXAMPLE}")
    return dt.time(hour, minute)


def parse_post_time(text: str) -> dt.time:
    """``"9:00"``, ``" 21:30 "`` -> a wall-clock time; anything else is refused."""
    stripped = text.strip()
    if not stripped:
        raise CountdownInputError(f"Please give a time. {_TIME_EXAMPLE}")
    match = _TIME_RE.fullmatch(stripped) if len(stripped) <= _MAX_INPUT_LEN else None
    if match is None:
        raise CountdownInputError(f"That doesn't look like a time. {_TIME_EXAMPLE}")
    return _hour_minute(int(match[1]), int(match[2]))


@functools.cache
def _zones_by_folded_name() -> dict[str, str]:
    """Lower-cased name -> canonical IANA name, read from tzdata once."""
    names = zoneinfo.available_timezones() - _NOT_ZONES
    return {name.casefold(): name for name in names}


def _fold(text: str) -> str:
    """Case-insensitive, and spaces stand for underscores ("new york" finds New_York)."""
    return "_".join(text.split()).casefold()


def parse_timezone(name: str) -> ZoneInfo:
    """An IANA zone name in any letter case -> its ZoneInfo (whose ``key`` is canonical)."""
    stripped = name.strip()
    if not stripped:
        raise CountdownInputError(f"Please give a time zone. {_ZONE_EXAMPLE}")
    # Only characters zone names use: refuses "../etc" and friends before tzdata sees them.
    if len(stripped) > _MAX_INPUT_LEN or not _ZONE_CHARS_RE.fullmatch(stripped):
        raise CountdownInputError(f"That isn't a time zone name. {_ZONE_EXAMPLE}")
    canonical = _zones_by_folded_name().get(_fold(stripped))
    if canonical is None:
        guesses = timezone_choices(stripped, limit=1)
        hint = f" Did you mean {guesses[0]}?" if guesses else ""
        raise CountdownInputError(f"I don't know that time zone.{hint} {_ZONE_EXAMPLE}")
    return ZoneInfo(canonical)


def _rank(name: str, query: str) -> tuple[int, int, int, str] | None:
    """Sort key for a zone matching ``query`` (None: no match). Lower is better."""
    folded = name.casefold()
    city = folded.rsplit("/", 1)[-1]
    if folded == query or city == query:
        how = 0
    elif folded.startswith(query) or city.startswith(query):
        how = 1
    elif query in folded:
        how = 2
    else:
        return None
    popular = 0 if name in POPULAR_ZONES else 1
    legacy = 0 if name.split("/", 1)[0] in _AREAS else 1
    return how, popular, legacy, name


def timezone_choices(query: str, limit: int = MAX_CHOICES) -> list[str]:
    """Autocomplete suggestions: best matches first, never more than 25."""
    limit = max(0, min(limit, MAX_CHOICES))
    folded = _fold(query[:_MAX_INPUT_LEN])
    if not folded:
        return list(POPULAR_ZONES[:limit])
    ranked = sorted(
        key
        for name in _zones_by_folded_name().values()
        if len(name) <= _MAX_CHOICE_LEN and (key := _rank(name, folded)) is not None
    )
    return [key[-1] for key in ranked[:limit]]


def parse_event_datetime(text: str, zone: ZoneInfo, now: dt.datetime) -> dt.datetime:
    """``"2026-12-24 19:30"`` (or with a ``T``), local to ``zone`` -> a future UTC instant.

    A local time that falls in a DST gap or overlap is resolved by the rule in ``clock``.
    """
    stripped = text.strip()
    match = _EVENT_RE.fullmatch(stripped) if len(stripped) <= _MAX_INPUT_LEN else None
    if match is None:
        raise CountdownInputError(f"That doesn't look like a date and time. {_EVENT_EXAMPLE}")
    year, month, day, hour, minute = (int(part) for part in match.groups())
    try:
        date = dt.date(year, month, day)
    except ValueError:
        raise CountdownInputError(
            f"That date doesn't exist on the calendar. {_EVENT_EXAMPLE}"
        ) from None
    # Checked before converting: year 9999 would overflow on its way to UTC.
    if year > now.year + _MAX_YEARS_AHEAD:
        raise CountdownInputError(
            f"That's more than {_MAX_YEARS_AHEAD} years away; pick a nearer date. {_EVENT_EXAMPLE}"
        )
    starts_at = local_to_utc(date, _hour_minute(hour, minute), zone)
    if starts_at <= now:
        raise CountdownInputError(
            f"That moment has already passed; pick one in the future. {_EVENT_EXAMPLE}"
        )
    return starts_at
