"""The sandbox's movable clock: ``.time +3d``, ``.time 2026-12-24 08:59``, ``.time now``.

The bot takes it as its injected ``clock`` and the simulator stamps messages with it, so a
milestone, release day or a daylight-saving change can be watched in seconds. It keeps running
after a jump (an offset from the real time), like a real clock that was set forward.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_STEP = re.compile(r"(\d+)\s*([dhm])")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}
_MAX_JUMP = dt.timedelta(days=3660)


class ClockError(ValueError):
    """A ``.time`` argument that can't be understood; the message says what to type."""


USAGE = (
    ".time needs +3d, +2h, +30m (or a mix like +1d6h), a date and time like "
    "2026-12-24 08:59 [Europe/London], or now"
)


@dataclass
class SandboxClock:
    offset: dt.timedelta = dt.timedelta(0)

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset

    def set(self, instant: dt.datetime) -> None:
        self.offset = instant - dt.datetime.now(dt.UTC)

    @property
    def moved(self) -> bool:
        return self.offset != dt.timedelta(0)


def parse_jump(text: str, now: dt.datetime, local: dt.tzinfo) -> dt.datetime | None:
    """Where ``.time TEXT`` moves the clock; None means back to the real time.

    ``+3d``/``+2h``/``+30m`` move forward from ``now``; ``YYYY-MM-DD HH:MM`` is read in
    ``local`` (the terminal's zone) unless an IANA zone follows it.
    """
    text = text.strip()
    if text.lower() == "now":
        return None
    if text.startswith("+"):
        steps = _STEP.findall(text[1:])
        if not steps or _STEP.sub("", text[1:]).strip():
            raise ClockError(USAGE)
        delta = dt.timedelta()
        for amount, unit in steps:
            delta += dt.timedelta(**{_UNITS[unit]: int(amount)})
        if delta > _MAX_JUMP:
            raise ClockError(".time can jump at most ten years at once")
        return now + delta
    date_part, _, rest = text.partition(" ")
    time_part, _, zone_name = rest.strip().partition(" ")
    try:
        naive = dt.datetime.fromisoformat(f"{date_part} {time_part or '00:00'}")
    except ValueError:
        raise ClockError(USAGE) from None
    if naive.tzinfo is not None:
        return naive
    zone = local
    if zone_name.strip():
        try:
            zone = ZoneInfo(zone_name.strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise ClockError(f"unknown time zone {zone_name.strip()!r}") from None
    return naive.replace(tzinfo=zone)
