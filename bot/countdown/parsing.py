"""Admins' typed input for the countdown settings, checked once at the boundary.

One import point for the cog; each kind of input has its own small module:
``times`` (post times), ``dates`` (event dates), ``zones`` (time zones) and ``names`` (event
names). Every failure is a ``CountdownInputError`` whose message is a friendly sentence saying
what is wrong and what works instead. Messages never repeat the raw input: it may be huge, or
carry mentions and markdown.
"""

from __future__ import annotations

from bot.countdown.dates import EVENT_EXAMPLE, parse_event_datetime
from bot.countdown.errors import CountdownInputError
from bot.countdown.times import TIME_EXAMPLE, parse_post_time
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
    "EVENT_EXAMPLE",
    "MAX_CHOICES",
    "POPULAR_ZONES",
    "TIME_EXAMPLE",
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
