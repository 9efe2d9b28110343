"""What a reload of the show data changed about the releases, and how the reload went.

Pure functions: the bot's ``reload_show`` returns a :class:`ShowReload`, and whoever announces
"🎉 It's official" (the countdown delivery machinery) reads its :class:`ReleaseChange` list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from bot.show.models import Release, ReleaseDate


class ChangeKind(StrEnum):
    DATED = "dated"  # had no exact day, now has one: "It's official"
    MOVED = "moved"  # had an exact day or moment, now a different one
    VAGUER = "vaguer"  # lost its exact day (a date withdrawn)
    ADDED = "added"
    REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class ReleaseChange:
    key: str
    kind: ChangeKind
    old: ReleaseDate | None  # None when added
    new: ReleaseDate | None  # None when removed
    title: str


@dataclass(frozen=True, slots=True)
class ShowReload:
    """The outcome of one reload: ``ok`` False means the old data is still in force."""

    ok: bool
    message: str  # one line, naming file, entry and field on failure
    changes: tuple[ReleaseChange, ...] = ()


def _same_moment(a: ReleaseDate, b: ReleaseDate) -> bool:
    return (a.precision, a.instant, a.day) == (b.precision, b.instant, b.day)


def release_changes(old: Iterable[Release], new: Iterable[Release]) -> tuple[ReleaseChange, ...]:
    """Every release whose date became exact, moved, got vaguer, appeared or disappeared."""
    before = {r.key: r for r in old}
    after = {r.key: r for r in new}
    changes: list[ReleaseChange] = []
    for key, release in after.items():
        previous = before.get(key)
        if previous is None:
            changes.append(ReleaseChange(key, ChangeKind.ADDED, None, release.when, release.title))
            continue
        was, now = previous.when, release.when
        if not was.has_exact_day and now.has_exact_day:
            kind: ChangeKind | None = ChangeKind.DATED
        elif was.has_exact_day and not now.has_exact_day:
            kind = ChangeKind.VAGUER
        elif was.has_exact_day and not _same_moment(was, now):
            kind = ChangeKind.MOVED
        else:
            kind = None  # unchanged, or still vague (e.g. "2026" -> "March 2026")
        if kind is not None:
            changes.append(ReleaseChange(key, kind, was, now, release.title))
    for key, release in before.items():
        if key not in after:
            changes.append(
                ReleaseChange(key, ChangeKind.REMOVED, release.when, None, release.title)
            )
    return tuple(changes)


def summary(path: str, changes: tuple[ReleaseChange, ...]) -> str:
    """One line for the log and the owner's reply."""
    if not changes:
        return f"{path}: reloaded; no release dates changed"
    parts = ", ".join(f"{c.key} {c.kind.value}" for c in changes)
    return f"{path}: reloaded; {parts}"
