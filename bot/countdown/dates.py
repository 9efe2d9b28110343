"""Event dates as people type them, local to the server's zone, resolved to a UTC instant.

Accepted: ``2026-12-25`` (the start of that day), ``2026-12-24 7:30pm``, ``Dec 24 19:30``,
``24 December 2026 19:30`` and ``tomorrow 20:00``. A small parser of our own rather than a
library: the general-purpose ones (dateutil, dateparser) read ``03/04`` one way or the other
without saying so, and this bot must refuse that instead of guessing.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from bot.countdown.clock import local_to_utc
from bot.countdown.errors import CountdownInputError
from bot.countdown.times import parse_post_time

EVENT_EXAMPLE = (
    "For example 2026-12-24 19:30, Dec 24 7:30pm or tomorrow 20:00 (in the server's time zone)."
)
_MAX_INPUT_LEN = 60
_MAX_YEARS_AHEAD = 10

_MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
_ORDINAL = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>[0-9]{4})(?![0-9:.h]))?"  # "1930" right after a day is a year
_DATE_FORMS = (
    re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})(?=$|[\st,])"),
    re.compile(rf"(?P<name>[a-z]+)\.?\s+(?P<day>[0-9]{{1,2}}){_ORDINAL}{_YEAR}(?=$|[\s,])"),
    re.compile(
        rf"(?P<day>[0-9]{{1,2}}){_ORDINAL}\s+(?:of\s+)?(?P<name>[a-z]+)\.?{_YEAR}(?=$|[\s,])"
    ),
    re.compile(r"(?P<relative>today|tomorrow)(?=$|[\s,])"),
)
# 03/04 is 3 April in Europe and March 4 in the US: never guessed.
_NUMERIC_DATE_RE = re.compile(r"[0-9]{1,4}[/.][0-9]{1,2}(?:[/.][0-9]{2,4})?(?=$|\s)")


def month_number(name: str) -> int | None:
    """ "dec", "December", "sept" -> 12, 12, 9; anything else None."""
    name = name.casefold()
    for number, month in enumerate(_MONTHS, start=1):
        if name == month or (len(name) >= 3 and month.startswith(name) and len(name) <= 4):
            return number
    return None


def _calendar_date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CountdownInputError(
            f"That date doesn't exist on the calendar. {EVENT_EXAMPLE}"
        ) from None


def _time_part(rest: str) -> dt.time:
    """What follows the date: nothing (start of the day) or a time, optionally after "at"."""
    rest = rest.lstrip(",").strip()
    if rest.startswith("t") and rest[1:2].isdigit():  # ISO 2026-12-24T19:30
        rest = rest[1:]
    rest = rest.removeprefix("at ").strip()
    if not rest:
        return dt.time(0, 0)
    try:
        return parse_post_time(rest)
    except CountdownInputError:
        raise CountdownInputError(
            f"I understood the date but not the time after it. {EVENT_EXAMPLE}"
        ) from None


def _local_date(match: re.Match[str], today: dt.date) -> tuple[dt.date | None, bool]:
    """(the date, whether the year was left out); date None when a month name is unknown."""
    parts = match.groupdict()
    if parts.get("relative"):
        return today + dt.timedelta(days=parts["relative"] == "tomorrow"), False
    month = int(parts["month"]) if parts.get("month") else month_number(parts["name"])
    if month is None:
        return None, False
    year = int(parts["year"]) if parts.get("year") else today.year
    if year > today.year + _MAX_YEARS_AHEAD:  # before the date: year 9999 overflows in UTC
        raise CountdownInputError(
            f"That's more than {_MAX_YEARS_AHEAD} years away; pick a nearer date. {EVENT_EXAMPLE}"
        )
    return _calendar_date(year, month, int(parts["day"])), not parts.get("year")


def parse_event_datetime(text: str, zone: ZoneInfo, now: dt.datetime) -> dt.datetime:
    """A typed event date (and optional time), local to ``zone`` -> a future UTC instant.

    Without a year the date is its next occurrence ("Dec 24" in January means this December).
    A local time in a DST gap or overlap is resolved by the rule in ``clock``.
    """
    stripped = " ".join(text.split()).casefold()
    if not stripped:
        raise CountdownInputError(f"Please give a date and time. {EVENT_EXAMPLE}")
    if len(stripped) > _MAX_INPUT_LEN:
        raise CountdownInputError(f"That doesn't look like a date and time. {EVENT_EXAMPLE}")
    today = now.astimezone(zone).date()
    for form in _DATE_FORMS:
        match = form.match(stripped)
        if match is None:
            continue
        date, yearless = _local_date(match, today)
        if date is None:
            continue
        at = _time_part(stripped[match.end() :])
        starts_at = local_to_utc(date, at, zone)
        if yearless and starts_at <= now:
            starts_at = local_to_utc(_calendar_date(date.year + 1, date.month, date.day), at, zone)
        if starts_at <= now:
            raise CountdownInputError(
                f"That moment has already passed; pick one in the future. {EVENT_EXAMPLE}"
            )
        return starts_at
    if _NUMERIC_DATE_RE.match(stripped):
        raise CountdownInputError(
            "Dates like 03/04 mean 3 April in some countries and March 4 in others: write the "
            "month as a word or use year-month-day, e.g. 4 March, Mar 4 or 2026-03-04."
        )
    raise CountdownInputError(f"That doesn't look like a date and time. {EVENT_EXAMPLE}")
