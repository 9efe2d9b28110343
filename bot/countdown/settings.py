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

NEXT_TARGET = "next"  # the show's next release (the default)
SOONEST_TARGET = "soonest"  # the next thing: a release or one of the server's events
_RELEASE_PREFIX = "release:"
_EVENT_PREFIX = "event:"

TargetKind = Literal["next", "soonest", "release", "event"]


class Reminder(StrEnum):
    """The reminder posts an event can get, by how long before its start."""

    DAY = "1d"
    HOUR = "1h"
    START = "start"


DEFAULT_REMINDERS: frozenset[Reminder] = frozenset(Reminder)


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
    reminders: frozenset[Reminder] = DEFAULT_REMINDERS
    revision: int = 0  # bumped by every edit: part of the reminders' keys
    token: str = ""  # random, set when added: ids can be reused after a removal

    def __post_init__(self) -> None:
        if self.starts_at.utcoffset() is None:
            raise ValueError("a custom event needs a timezone-aware start")


def release_target(key: str) -> str:
    return f"{_RELEASE_PREFIX}{key}"


def event_target(event_id: int) -> str:
    return f"{_EVENT_PREFIX}{event_id}"


def follows_on(target: str) -> bool:
    """Whether the target moves on by itself after its day (no "pick a new one")."""
    return target in (NEXT_TARGET, SOONEST_TARGET)


def uses_events(target: str) -> bool:
    """Whether resolving ``target`` needs the server's own events (so it is per server)."""
    return target == SOONEST_TARGET or target.startswith(_EVENT_PREFIX)


def split_target(target: str) -> tuple[TargetKind, str | None]:
    """``"next"`` -> ("next", None); ``"soonest"`` -> ("soonest", None);
    ``"release:season-4"`` -> ("release", "season-4"); ``"event:12"`` -> ("event", "12").
    Raises ValueError for anything else."""
    if target == NEXT_TARGET:
        return "next", None
    if target == SOONEST_TARGET:
        return "soonest", None
    if target.startswith(_RELEASE_PREFIX) and len(target) > len(_RELEASE_PREFIX):
        return "release", target.removeprefix(_RELEASE_PREFIX)
    event_id = target.removeprefix(_EVENT_PREFIX)
    if target.startswith(_EVENT_PREFIX) and event_id.isascii() and event_id.isdigit():
        return "event", event_id
    raise ValueError(f"not a countdown target: {target[:60]!r}")


def store_reminders(chosen: frozenset[Reminder]) -> str:
    """The stored form of an event's reminder switches: '1d,1h,start' ('' for none)."""
    return ",".join(r.value for r in Reminder if r in chosen)


def parse_reminders(stored: str | None) -> frozenset[Reminder]:
    """The switches from their stored form; None (never set) means the defaults.

    Unknown words are dropped, so a reminder retired in a later version reads as off."""
    if stored is None:
        return DEFAULT_REMINDERS
    known = {r.value: r for r in Reminder}
    return frozenset(known[word] for word in stored.split(",") if word in known)
