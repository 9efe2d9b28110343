"""A server's countdown settings and custom events, with every default written here in code.

The database stores only what an admin changed; the storage layer fills a ``CountdownSettings``
from its row and these defaults, so a server that never touched the settings still gets a
sensible record. Nothing here does I/O.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Days-left values that earn a celebratory post (and the role ping), even on the MILESTONES cadence.
MILESTONES: tuple[int, ...] = (100, 50, 30, 14, 7, 3, 2, 1)

NEXT_TARGET = "next"
_RELEASE_PREFIX = "release:"
_EVENT_PREFIX = "event:"

TargetKind = Literal["next", "release", "event"]


class Cadence(StrEnum):
    DAILY = "daily"  # a post every day, louder on milestones
    MILESTONES = "milestones"  # only milestone days and release day


@dataclass(frozen=True, slots=True)
class CountdownSettings:
    guild_id: int
    channel_id: int | None = None  # None: not set up yet, nothing is posted
    post_time: dt.time = dt.time(9, 0)  # local wall-clock time in ``timezone``
    timezone: str = "UTC"  # IANA name, validated by parsing.parse_timezone on the way in
    role_id: int | None = None
    target: str = NEXT_TARGET  # "next", "release:<key>" or "event:<id>"
    cadence: Cadence = Cadence.DAILY
    silent_routine: bool = True  # routine posts carry SUPPRESS_NOTIFICATIONS; milestones don't
    enabled: bool = True  # False while paused

    @property
    def zone(self) -> ZoneInfo:
        """The server's zone; UTC if the stored name vanished from tzdata.

        Names are validated on write, so this only guards against a tzdata update removing
        one: posting at the UTC time beats crashing the whole scheduler tick.
        """
        return _zone(self.timezone)


@functools.cache
def _zone(name: str) -> ZoneInfo:
    """ZoneInfo keeps only a few zones alive; with hundreds in use it re-reads tzdata files in
    every tick. Names are validated on write, so this cache stays within tzdata's ~600 keys."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@dataclass(frozen=True, slots=True)
class CustomEvent:
    """A server's own event, e.g. a watch party, counted down like a release."""

    id: int
    guild_id: int
    name: str
    starts_at: dt.datetime  # timezone-aware; stored and compared in UTC

    def __post_init__(self) -> None:
        if self.starts_at.utcoffset() is None:
            raise ValueError("a custom event needs a timezone-aware start")


def release_target(key: str) -> str:
    return f"{_RELEASE_PREFIX}{key}"


def event_target(event_id: int) -> str:
    return f"{_EVENT_PREFIX}{event_id}"


def split_target(target: str) -> tuple[TargetKind, str | None]:
    """``"next"`` -> ("next", None); ``"release:season-4"`` -> ("release", "season-4");
    ``"event:12"`` -> ("event", "12"). Raises ValueError for anything else."""
    if target == NEXT_TARGET:
        return "next", None
    if target.startswith(_RELEASE_PREFIX) and len(target) > len(_RELEASE_PREFIX):
        return "release", target.removeprefix(_RELEASE_PREFIX)
    event_id = target.removeprefix(_EVENT_PREFIX)
    if target.startswith(_EVENT_PREFIX) and event_id.isascii() and event_id.isdigit():
        return "event", event_id
    raise ValueError(f"not a countdown target: {target[:60]!r}")
