"""What a server's countdown post says on a given day, if it posts at all.

Rules, all in the server's own time zone:

* Days left is the difference of local calendar dates, so "tomorrow" flips at local midnight,
  not 24 hours before the release instant. A day-only release starts at local midnight.
* Milestones (``MILESTONES``) get a celebratory wording and the role ping; 1 day left says
  "tomorrow"; 0 is the release-day post. The MILESTONES cadence posts only on those days.
* Routine posts are silent (SUPPRESS_NOTIFICATIONS) and ping nobody while ``silent_routine``;
  otherwise every post pings the configured role. Milestones and release day always notify.
* Once the release day is over: in "next" mode the following day already counts down to the
  release after it (``resolve_target`` moves on). A fixed release or custom event gets its
  release-day post, which says the countdown is over, and then nothing: ``plan_post`` returns
  None and ``is_finished`` lets the status command say "finished, pick a new target".
* A release known only to the month or year, or not dated at all, gets no fake count: with the
  DAILY cadence one honest "no exact date yet" post a week, on the local Monday; with
  MILESTONES nothing until a day is announced.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from discord.utils import escape_markdown, escape_mentions

from bot.countdown.clock import local_date_of
from bot.countdown.settings import (
    MILESTONES,
    Cadence,
    CountdownSettings,
    CustomEvent,
    event_target,
    follows_on,
    release_target,
    split_target,
)
from bot.show.models import DatePrecision, Release, ReleaseDate
from bot.show.releases import (
    days_until,
    describe_when,
    discord_timestamps,
    local_release_day,
    next_release,
    release_instant,
)

SUPPRESS_NOTIFICATIONS = 1 << 12  # Discord message flag: delivered without a notification
MAX_CONTENT_LEN = 2000
_MAX_TITLE_LEN = 200  # escaping can double it; still far below the content limit
_MONDAY = 0
_LATE_NOTE = "\n-# (a little late today — the bot was offline at the usual time)"
_COUNTDOWN_OVER = "\n-# This countdown is complete: an admin can pick a new one any time."
_SPOKEN_MILESTONES = {7: "One week", 14: "Two weeks"}


class PostKind(StrEnum):
    DAILY = "daily"
    MILESTONE = "milestone"
    RELEASE_DAY = "release_day"
    NO_DATE_YET = "no_date_yet"
    ONE_OFF = "one_off"  # a reminder or an announcement (bot.scheduling one-off posts)


@dataclass(frozen=True, slots=True)
class Target:
    """The release or event a server counts down to, resolved for today."""

    title: str
    key: str  # "release:season-4" or "event:12": part of the delivery key
    when: ReleaseDate
    is_custom: bool = False


@dataclass(frozen=True, slots=True)
class PlannedPost:
    kind: PostKind
    content: str  # includes the role mention when ping_role_id is set
    silent: bool  # send with SUPPRESS_NOTIFICATIONS
    ping_role_id: int | None  # the only mention the sender should allow
    local_date: dt.date
    target_key: str
    days_left: int | None  # None for NO_DATE_YET
    late: bool
    guild_id: int
    channel_id: int

    @property
    def flags_value(self) -> int:
        return SUPPRESS_NOTIFICATIONS if self.silent else 0


def target_from_release(release: Release) -> Target:
    return Target(release.title, release_target(release.key), release.when)


def target_from_event(event: CustomEvent) -> Target:
    when = ReleaseDate(DatePrecision.INSTANT, instant=event.starts_at.astimezone(dt.UTC))
    return Target(event.name, event_target(event.id), when, is_custom=True)


def resolve_target(
    settings: CountdownSettings,
    releases: Iterable[Release],
    events: Iterable[CustomEvent],
    now: dt.datetime,
) -> Target | None:
    """The target for ``settings`` at ``now``; None when there is nothing to count down to.

    "next" is the next upcoming release in the server's zone and moves on after release day;
    "soonest" is the nearest of that release and the server's events not yet over.
    A fixed release or event is returned even once it is over (check ``is_finished``), and
    None only if it no longer exists; another server's event is never used.
    """
    try:
        kind, ref = split_target(settings.target)
    except ValueError:
        return None
    if kind == "next":
        upcoming = next_release(releases, now, settings.zone)
        return target_from_release(upcoming) if upcoming else None
    if kind == "soonest":
        return soonest_target(settings, releases, events, now)
    if kind == "release":
        release = next((r for r in releases if r.key == ref), None)
        return target_from_release(release) if release else None
    assert ref is not None
    event = next((e for e in events if e.id == int(ref) and e.guild_id == settings.guild_id), None)
    return target_from_event(event) if event else None


def soonest_target(
    settings: CountdownSettings,
    releases: Iterable[Release],
    events: Iterable[CustomEvent],
    now: dt.datetime,
) -> Target | None:
    """The nearest dated item not yet over: the next release or one of the server's events.

    An item stays the target through its own local day (like a release day). A release
    without an exact day ranks after anything dated; on a tie the event wins.
    """
    zone = settings.zone
    options = [target_from_event(e) for e in events if e.guild_id == settings.guild_id]
    release = next_release(releases, now, zone)
    if release is not None:
        options.append(target_from_release(release))
    live = [t for t in options if not is_finished(t, now, zone)]

    def rank(target: Target) -> tuple[bool, dt.datetime]:
        instant = release_instant(target.when, zone)
        return instant is None, instant or dt.datetime.max.replace(tzinfo=dt.UTC)

    return min(live, key=rank, default=None)


def is_finished(target: Target, now: dt.datetime, zone: ZoneInfo) -> bool:
    """True once the target's (last possible) local day is over; never for an undated one."""
    last_day = local_release_day(target.when, zone) or target.when.latest_possible_day()
    return last_day is not None and local_date_of(now, zone) > last_day


def _post_kind(settings: CountdownSettings, days: int | None, today: dt.date) -> PostKind | None:
    daily = settings.cadence is Cadence.DAILY
    if days is None:
        return PostKind.NO_DATE_YET if daily and today.weekday() == _MONDAY else None
    if days == 0:
        return PostKind.RELEASE_DAY
    if days in MILESTONES:
        return PostKind.MILESTONE
    return PostKind.DAILY if daily else None


@functools.lru_cache(maxsize=1024)  # a few titles, posted to thousands of servers per tick
def safe_title(title: str) -> str:
    """One line, bounded, with markdown and @everyone-style mentions neutralised."""
    flat = " ".join(title.split())
    if len(flat) > _MAX_TITLE_LEN:
        flat = flat[: _MAX_TITLE_LEN - 1] + "…"
    return escape_mentions(escape_markdown(flat))


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def _body(
    kind: PostKind, target: Target, days: int | None, sending_at: dt.datetime, zone: ZoneInfo
) -> str:
    title = f"*{safe_title(target.title)}*"
    if kind is PostKind.NO_DATE_YET:
        return (
            f"⏳ {title}: {describe_when(target.when)}. "
            "The daily countdown starts as soon as a day is announced."
        )
    instant = release_instant(target.when, zone)
    assert instant is not None and days is not None
    full, relative = discord_timestamps(instant)
    if kind is PostKind.DAILY:
        return f"**{_days(days)}** until {title} — {full} ({relative})"
    if kind is PostKind.MILESTONE:
        if days == 1:
            return f"🎉 {title} is **tomorrow**! {full} ({relative})"
        spoken = _SPOKEN_MILESTONES.get(days, _days(days))
        return f"🎉 **{spoken}** to go until {title}! {full} ({relative})"
    started = sending_at >= instant
    if target.is_custom:
        if started:
            return f"🎉 {title} has started! ({full})"
        return f"🎉 It's today: {title} starts {relative} ({full})"
    if started:
        return f"🎉 {title} is out now! ({full})"
    return f"🎉 It's release day: {title} arrives {relative} ({full})"


def plan_post(
    settings: CountdownSettings,
    target: Target | None,
    now: dt.datetime,
    *,
    late: bool = False,
    sending_at: dt.datetime | None = None,
) -> PlannedPost | None:
    """The post for ``settings`` on the local day of ``now``, the instant it is scheduled for.

    ``sending_at`` is when it actually goes out (default: ``now``): a release-day post sent
    after the release says "out now", not "arrives" with a time in the past. ``late`` adds
    the note that the bot was offline at the usual time. None when nothing should be posted
    that day: paused, no channel, no target, the cadence skips it, or the target is finished.
    """
    if not settings.enabled or settings.channel_id is None or target is None:
        return None
    zone = settings.zone
    if is_finished(target, now, zone):
        return None
    today = local_date_of(now, zone)
    days = days_until(target.when, now, zone)
    kind = _post_kind(settings, days, today)
    if kind is None:
        return None
    loud = kind in (PostKind.MILESTONE, PostKind.RELEASE_DAY) or not settings.silent_routine
    ping = settings.role_id if loud else None
    content = _body(kind, target, days, sending_at or now, zone)
    if kind is PostKind.RELEASE_DAY and not follows_on(settings.target):
        content += _COUNTDOWN_OVER
    if ping is not None:
        content = f"<@&{ping}> {content}"
    if late:
        content += _LATE_NOTE
    return PlannedPost(
        kind=kind,
        content=content[:MAX_CONTENT_LEN],
        silent=not loud,
        ping_role_id=ping,
        local_date=today,
        target_key=target.key,
        days_left=days,
        late=late,
        guild_id=settings.guild_id,
        channel_id=settings.channel_id,
    )


def plan_one_off(
    settings: CountdownSettings,
    content: str,
    *,
    key: str,
    now: dt.datetime,
    loud: bool,
) -> PlannedPost | None:
    """A one-off post (reminder, announcement) for ``settings``, under the same rules as the
    daily posts: nothing while paused or without a channel; a ``loud`` post notifies and
    pings the configured role; a quiet one pings only when silent routine posts are off."""
    if not settings.enabled or settings.channel_id is None:
        return None
    notify = loud or not settings.silent_routine
    ping = settings.role_id if notify else None
    if ping is not None:
        content = f"<@&{ping}> {content}"
    return PlannedPost(
        kind=PostKind.ONE_OFF,
        content=content[:MAX_CONTENT_LEN],
        silent=not notify,
        ping_role_id=ping,
        local_date=local_date_of(now, settings.zone),
        target_key=key,
        days_left=None,
        late=False,
        guild_id=settings.guild_id,
        channel_id=settings.channel_id,
    )
