"""Release-day discussion threads: which releases get one, their keys and their words (pure).

Each release known to the minute gets one one-off post per server, due at the release instant
(``bot.scheduling.countdown`` one-off posts: exactly once per server and key, through
crashes). The key carries the instant, so a date that moves in the data makes a new key and
the renderer skips the stale one: the thread opens at the time in force, once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from bot.premiere.events import NETFLIX_KINDS
from bot.show.models import DatePrecision, Episode, Release

THREAD_KIND = "premiere-thread"  # the one-off kind and the first part of its keys
THREAD_LATE_LIMIT = dt.timedelta(hours=12)  # after this, a missed release day gets no thread
THREAD_ARCHIVE_MINUTES = 10080  # a week of quiet before Discord archives the thread
THREAD_NAME_MAX = 100
TAG_NAME_MAX = 20  # Discord's limit on a forum tag's name


@dataclass(frozen=True, slots=True)
class ThreadPlan:
    key: str
    release_key: str
    due_at: dt.datetime


def thread_key(release_key: str, instant: dt.datetime) -> str:
    """e.g. ``premiere-thread:season-4@1798070400``: one per server, release and date."""
    return f"{THREAD_KIND}:{release_key}@{int(instant.timestamp())}"


def parse_thread_key(key: str) -> tuple[str, dt.datetime] | None:
    """The release key and instant a thread key stands for (None: not a thread key)."""
    prefix, _, rest = key.partition(":")
    release_key, _, stamp = rest.rpartition("@")
    if prefix != THREAD_KIND or not release_key or not stamp.isdigit():
        return None
    return release_key, dt.datetime.fromtimestamp(int(stamp), dt.UTC)


def release_instant(release: Release) -> dt.datetime | None:
    if release.kind not in NETFLIX_KINDS:
        return None
    if release.when.precision is not DatePrecision.INSTANT or release.when.instant is None:
        return None
    return release.when.instant.astimezone(dt.UTC)


def planned_threads(releases: Iterable[Release], now: dt.datetime) -> list[ThreadPlan]:
    """The release-day threads still ahead (a start-up after the release opens none)."""
    plans = []
    for release in releases:
        instant = release_instant(release)
        if instant is not None and instant > now:
            plans.append(ThreadPlan(thread_key(release.key, instant), release.key, instant))
    return plans


def current_release(releases: Iterable[Release], key: str) -> Release | None:
    """The release a thread key is for, if the data still dates it exactly then."""
    parsed = parse_thread_key(key)
    if parsed is None:
        return None
    release_key, instant = parsed
    for release in releases:
        if release.key == release_key and release_instant(release) == instant:
            return release
    return None


def thread_name(release: Release) -> str:
    return f"{release.title} (spoilers)"[:THREAD_NAME_MAX]


def tag_name(release: Release) -> str:
    """The forum tag a release's post carries: "Season 4", or "Film"."""
    if release.season is not None:
        return f"Season {release.season}"[:TAG_NAME_MAX]
    return release.kind.capitalize()[:TAG_NAME_MAX] or "Release"


def episode_list(episodes: Iterable[Episode]) -> str:
    """One line per episode (titles only: no synopsis, nothing to spoil)."""
    return "\n".join(f"{e.number}. {e.title}" for e in episodes)


def release_day_text(
    release: Release,
    *,
    spoilers_until: dt.datetime,
    place: str,
    episodes: Iterable[Episode] = (),
) -> str:
    """The release-day post: it's out, where to talk about it, and until when spoilers stay
    there (``place``: "the thread below" on a text channel, "this post" in a forum)."""
    stamp = int(spoilers_until.timestamp())
    text = (
        f"🎬 **{release.title}** is out now on Netflix!\n"
        f"Talk about it in {place}. Spoilers belong there until <t:{stamp}:f> "
        f"(<t:{stamp}:R>); please keep every other channel spoiler-free till then."
    )
    listed = episode_list(episodes)
    return f"{text}\n\n**Episodes**\n{listed}" if listed else text
