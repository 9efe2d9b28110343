"""The "🎉 It's official" posts: a release gains an exact date, or its exact date moves.

Pure parts: what fans were last told (a snapshot of each release's exact date), what is new
since, whether a server counts down to a release, and the post itself. :class:`Announcer` is
the thin async shell that schedules one one-off post per server through the countdown service.

Crash safety: the snapshot of the dates already announced lives in ``bot_meta`` and is replaced
only after every server's post has been scheduled. A process that dies half-way finds the old
snapshot at its next start, computes the same announcements from the data it loads, and
schedules them again; keys (``official:<release>:<date>``) make the repeats no-ops. The first
start ever only records the snapshot: dates that were already known are not news.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.countdown.planner import (
    PlannedPost,
    is_finished,
    plan_one_off,
    resolve_target,
    safe_title,
)
from bot.countdown.settings import CountdownSettings, release_target, split_target
from bot.database.countdown import OneOffPost
from bot.database.store import MetaStore
from bot.scheduling.countdown import CountdownService, Renderer
from bot.show.models import DatePrecision, Release, ReleaseDate
from bot.show.releases import days_until, describe_when, discord_timestamps, release_instant

log = logging.getLogger(__name__)

KIND = "official"  # the one-off kind, and the prefix of every key
ANNOUNCED_META_KEY = "announced_release_dates"
SLICE_SECONDS = 0.05  # the longest stretch the scheduling holds the event loop
SETTINGS_BATCH = 500  # servers whose settings are read with one query
# Not worth posting after the release has begun (a late start after a long outage).
_AFTER_RELEASE = dt.timedelta(days=1)

Snapshot = dict[str, str | None]  # release key -> exact date (ISO) or None when not exact


def exact_moment(when: ReleaseDate) -> str | None:
    """The exact date as ISO text (an instant or a day), None when only vaguely known."""
    if when.precision is DatePrecision.INSTANT:
        assert when.instant is not None
        return when.instant.isoformat()
    if when.precision is DatePrecision.DAY:
        assert when.day is not None
        return when.day.isoformat()
    return None


def date_of_moment(moment: str) -> ReleaseDate:
    """The inverse of :func:`exact_moment`."""
    if "T" in moment:
        instant = dt.datetime.fromisoformat(moment).astimezone(dt.UTC)
        return ReleaseDate(DatePrecision.INSTANT, instant=instant)
    return ReleaseDate(DatePrecision.DAY, day=dt.date.fromisoformat(moment))


def snapshot(releases: Iterable[Release]) -> Snapshot:
    return {release.key: exact_moment(release.when) for release in releases}


def dump_snapshot(told: Snapshot) -> str:
    return json.dumps(told, sort_keys=True)


def load_snapshot(text: str | None) -> Snapshot | None:
    """The stored snapshot; None when there is none (or it is unreadable: start afresh)."""
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    return {str(k): v if isinstance(v, str) else None for k, v in value.items()}


@dataclass(frozen=True, slots=True)
class Announcement:
    release_key: str
    title: str
    moment: str  # the new exact date (see exact_moment)
    previous: str | None  # the exact date it replaces, when the date moved

    @property
    def key(self) -> str:
        """Unique per release and date: a later move to another date is news again."""
        return f"{KIND}:{self.release_key}:{self.moment}"

    @property
    def when(self) -> ReleaseDate:
        return date_of_moment(self.moment)

    def payload(self) -> dict[str, Any]:
        return {"release": self.release_key, "moment": self.moment, "previous": self.previous}


def announcements_due(
    told: Mapping[str, str | None], releases: Iterable[Release]
) -> list[Announcement]:
    """Releases whose exact date is new since ``told``: dated, or moved.

    A release ``told`` never heard of is not announced (there was no date to change), nor is
    one that lost its date; both only update the snapshot.
    """
    due = []
    for release in releases:
        moment = exact_moment(release.when)
        if moment is None or release.key not in told or told[release.key] == moment:
            continue
        due.append(Announcement(release.key, release.title, moment, told[release.key]))
    return due


def counts_down_to(
    settings: CountdownSettings, release_key: str, releases: Sequence[Release], now: dt.datetime
) -> bool:
    """Whether the server's running countdown resolves to this release now (next or fixed)."""
    if not settings.enabled or settings.channel_id is None:
        return False
    try:
        kind, _ = split_target(settings.target)
    except ValueError:
        return False
    if kind == "event":
        return False
    target = resolve_target(settings, releases, (), now)
    if target is None or target.key != release_target(release_key):
        return False
    return not is_finished(target, now, settings.zone)


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def _old_date(previous: ReleaseDate) -> str:
    # An instant shows in each reader's zone; a bare day is a calendar day everywhere.
    if previous.precision is DatePrecision.INSTANT:
        assert previous.instant is not None
        return f"<t:{int(previous.instant.timestamp())}:D>"
    return describe_when(previous)


def announcement_text(
    title: str,
    when: ReleaseDate,
    previous: ReleaseDate | None,
    now: dt.datetime,
    zone: dt.tzinfo,
) -> str | None:
    """The post, or None once the release day (in ``zone``) has passed."""
    instant = release_instant(when, zone)
    days = days_until(when, now, zone)
    if instant is None or days is None or days < 0:
        return None
    full, _ = discord_timestamps(instant)
    left = "it's today!" if days == 0 else f"{_days(days)} to go"
    name = f"*{safe_title(title)}*"
    if previous is None:
        return f"🎉 It's official: {name} arrives {full} — {left}"
    if previous.precision is DatePrecision.DAY and previous.day == when.day:
        # Same day, now with a time: not a move, and "it was announced for" would confuse.
        return f"🎉 It's official: {name} arrives {full} — {left} (now with the exact time)"
    return (
        f"🎉 It's official: {name} has a new date and now arrives {full} — {left} "
        f"(it was announced for {_old_date(previous)})"
    )


def plan_announcement(
    settings: CountdownSettings,
    payload: Mapping[str, Any],
    key: str,
    releases: Sequence[Release],
    now: dt.datetime,
) -> PlannedPost | None:
    """The post as it should read when sent; None if it is no longer true for this server.

    The date must still be the one announced (a second move schedules its own post), and the
    server must still count down to the release.
    """
    release = next((r for r in releases if r.key == payload.get("release")), None)
    if release is None or exact_moment(release.when) != payload.get("moment"):
        return None
    if not counts_down_to(settings, release.key, releases, now):
        return None
    previous = payload.get("previous")
    text = announcement_text(
        release.title,
        release.when,
        date_of_moment(previous) if isinstance(previous, str) else None,
        now,
        settings.zone,
    )
    if text is None:
        return None
    # Not a routine post: like a milestone, it notifies and pings the configured role.
    return plan_one_off(settings, text, key=key, now=now, loud=True)


def make_renderer(releases: Callable[[], Sequence[Release]]) -> Renderer:
    """The one-off renderer, reading the show data in force when the post is sent."""

    async def render(
        settings: CountdownSettings, post: OneOffPost, now: dt.datetime
    ) -> PlannedPost | None:
        return plan_announcement(settings, post.payload, post.key, releases(), now)

    return render


def expiry(when: ReleaseDate, now: dt.datetime) -> dt.datetime:
    """Until when an announcement is still worth sending: the release day, at the latest."""
    start = release_instant(when, dt.UTC)
    assert start is not None
    return max(start + _AFTER_RELEASE, now + dt.timedelta(hours=1))


class Announcer:
    """Schedules the announcements the data in force owes, once per server, in slices."""

    def __init__(
        self,
        *,
        service: CountdownService,
        meta: MetaStore,
        releases: Callable[[], Sequence[Release]],
        servers: Callable[[], Collection[int]],
        slice_seconds: float = SLICE_SECONDS,
        batch: int = SETTINGS_BATCH,
    ) -> None:
        self._service = service
        self._meta = meta
        self._releases = releases
        self._servers = servers
        self._slice = slice_seconds
        self._batch = batch
        self._lock = asyncio.Lock()  # one run at a time; each starts from the stored snapshot
        # The data loaded at start-up: the baseline when no snapshot was ever stored, so a
        # reload racing the first run cannot be recorded as already told.
        self._initial = tuple(releases())
        service.register_one_off(KIND, make_renderer(releases))

    async def announce(self, baseline: Iterable[Release] | None = None) -> int:
        """Schedule what is owed since the stored snapshot, then store the data's snapshot.

        ``baseline`` (the releases before a reload) stands in for a snapshot never stored,
        else the data loaded at start-up does: the very first start only records the dates
        it was started with. Returns the posts scheduled.
        """
        async with self._lock:
            current = tuple(self._releases())
            told = load_snapshot(await self._meta.get(ANNOUNCED_META_KEY))
            if told is None:
                told = snapshot(baseline if baseline is not None else self._initial)
            scheduled = 0
            for announcement in announcements_due(told, current):
                count = await self._schedule(announcement, current)
                log.info(
                    "Announcing %s (%s): %d server(s)",
                    announcement.release_key,
                    announcement.moment,
                    count,
                )
                scheduled += count
            # Only now: a crash before this line makes the next start schedule them again.
            await self._meta.set(ANNOUNCED_META_KEY, dump_snapshot(snapshot(current)))
            return scheduled

    async def _schedule(self, announcement: Announcement, releases: Sequence[Release]) -> int:
        servers = sorted(self._servers())
        now = self._service.clock()
        expires = expiry(announcement.when, now)
        scheduled = 0
        slice_start = time.monotonic()
        for start in range(0, len(servers), self._batch):
            chunk = servers[start : start + self._batch]
            found = await self._service.repo.get_settings_many(chunk)
            for guild_id in chunk:
                if time.monotonic() - slice_start > self._slice:
                    await asyncio.sleep(0)  # let commands and sends run between slices
                    slice_start = time.monotonic()
                if not counts_down_to(found[guild_id], announcement.release_key, releases, now):
                    continue
                scheduled += await self._service.schedule_one_off(
                    guild_id,
                    announcement.key,
                    KIND,
                    due_at=now,
                    expires_at=expires,
                    payload=announcement.payload(),
                )
        return scheduled
