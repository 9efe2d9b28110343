"""Admins' typed input for the countdown settings, checked once at the boundary.

Every failure is a ``CountdownInputError`` whose message is a friendly sentence saying what is
wrong and what works instead. Messages never repeat the raw input: it may be huge, or carry
mentions and markdown.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from bot.countdown.clock import local_to_utc
from bot.countdown.errors import CountdownInputError
from bot.countdown.times import parse_post_time
from bot.countdown.zones import (
    MAX_CHOICES,
    POPULAR_ZONES,
    ChosenZone,
    Resolution,
    describe_zone,
    parse_timezone,
    resolve_timezone,
    timezone_choices,
)

__all__ = [
    "MAX_CHOICES",
    "POPULAR_ZONES",
    "ChosenZone",
    "CountdownInputError",
    "Resolution",
    "describe_zone",
    "parse_event_datetime",
    "parse_post_time",
    "parse_timezone",
    "resolve_timezone",
    "timezone_choices",
]

_MAX_INPUT_LEN = 100  # anything longer is junk; refuse before running a regex over it
_MAX_YEARS_AHEAD = 10

_EVENT_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})[ T]([0-9]{1,2}):([0-9]{2})")
_EVENT_EXAMPLE = "Use YYYY-MM-DD HH:MM in the server's time zone, for example 2026-12-24 19:30."


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
    starts_at = local_to_utc(date, parse_post_time(f"{hour}:{minute:02d}"), zone)
    if starts_at <= now:
        raise CountdownInputError(
            f"That moment has already passed; pick one in the future. {_EVENT_EXAMPLE}"
        )
    return starts_at
