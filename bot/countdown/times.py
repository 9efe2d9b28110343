"""Wall-clock times as typed: ``9``, ``9am``, ``9:30 pm``, ``0900``, ``21.30``, ``21h30``.

Pure: text in, ``dt.time`` out, or a ``CountdownInputError`` with a one-line example.
"""

from __future__ import annotations

import datetime as dt
import re

from bot.countdown.errors import CountdownInputError

TIME_EXAMPLE = "For example 09:00, 9am, 9:30pm or 21:30."
_MAX_INPUT_LEN = 20  # the longest real time ("12:30 p.m.") is far shorter

# Hour, minutes after ":" or "." (or optionally after "h"), optional am/pm; or "0900".
# ASCII digits only: "٩:٠٠" is refused rather than read.
_TIME_RE = re.compile(
    r"(?:(?P<hhmm>[0-9]{4})|(?P<hour>[0-9]{1,2})(?:[:.](?P<minute>[0-9]{2})|h(?P<h_minute>[0-9]{2})?)?)"
    r"\s*(?P<half>[ap])?(?:\.?m\.?)?",
    re.ASCII,
)


def _twelve_hour(hour: int, half: str) -> int:
    """9pm -> 21, 12am -> 0, 12pm -> 12."""
    if not 1 <= hour <= 12:
        raise CountdownInputError(f"With am or pm the hour goes from 1 to 12. {TIME_EXAMPLE}")
    return hour % 12 + (12 if half == "p" else 0)


def parse_post_time(text: str) -> dt.time:
    """A local wall-clock time in any of the common spellings; anything else is refused."""
    stripped = text.strip().lower()
    if not stripped:
        raise CountdownInputError(f"Please give a time. {TIME_EXAMPLE}")
    match = _TIME_RE.fullmatch(stripped) if len(stripped) <= _MAX_INPUT_LEN else None
    # "m" alone after a number ("9m") is not a time; the regex lets it through only with a/p.
    if match is None or (match["half"] is None and stripped.endswith("m")):
        raise CountdownInputError(f"That doesn't look like a time. {TIME_EXAMPLE}")
    if match["hhmm"]:
        hour, minute = int(match["hhmm"][:2]), int(match["hhmm"][2:])
    else:
        hour, minute = int(match["hour"]), int(match["minute"] or match["h_minute"] or 0)
    if match["half"]:
        hour = _twelve_hour(hour, match["half"])
    if hour > 23:
        raise CountdownInputError(f"There is no hour {hour} on a 24-hour clock. {TIME_EXAMPLE}")
    if minute > 59:
        raise CountdownInputError(f"An hour only has minutes 00 to 59. {TIME_EXAMPLE}")
    return dt.time(hour, minute)
