"""Turning a server's local post time into UTC instants, daylight saving time included.

The DST rule:

* A local time that does not exist that day (the spring-forward gap) posts at the first valid
  instant after it: the moment the clocks jump. 01:30 on the day Europe/London goes
  01:00 GMT -> 02:00 BST posts at 02:00 BST (01:00 UTC). Any time in the gap maps to that same
  instant, so the post still happens that day, as early as the clocks allow.
* A local time that occurs twice (the fall-back overlap) posts once, at its first occurrence
  (``fold=0``, the offset from before the change). 01:30 on the day Europe/London goes
  02:00 BST -> 01:00 GMT posts at 01:30 BST (00:30 UTC), not again an hour later.

Gaps are detected by round-tripping: local -> UTC -> local gives back a different wall time
exactly when the wall time does not exist. Every instant returned is timezone-aware UTC.
"""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo


def _require_aware(instant: dt.datetime, name: str) -> None:
    if instant.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def local_date_of(instant: dt.datetime, zone: ZoneInfo) -> dt.date:
    """The calendar day ``instant`` falls on in ``zone``."""
    _require_aware(instant, "instant")
    return instant.astimezone(zone).date()


def _transition_between(before: dt.datetime, after: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The first UTC instant in (before, after] whose offset is ``after``'s offset.

    Offsets change at whole seconds, so a bisection over whole seconds finds the change exactly.
    """
    target_offset = after.astimezone(zone).utcoffset()

    def changed(seconds: int) -> bool:
        return dt.datetime.fromtimestamp(seconds, zone).utcoffset() == target_offset

    lo, hi = math.floor(before.timestamp()), math.ceil(after.timestamp())
    while hi - lo > 1:  # invariant: not changed(lo), changed(hi)
        mid = (lo + hi) // 2
        if changed(mid):
            hi = mid
        else:
            lo = mid
    return dt.datetime.fromtimestamp(hi, dt.UTC)


def local_to_utc(day: dt.date, time: dt.time, zone: ZoneInfo) -> dt.datetime:
    """The UTC instant of wall time ``time`` on ``day`` in ``zone``, by the DST rule above."""
    first = dt.datetime.combine(day, time, zone)
    if first.fold:
        first = first.replace(fold=0)  # fold=0: the earlier reading of an ambiguous time
    utc = first.astimezone(dt.UTC)
    back = utc.astimezone(zone)
    # Compared field by field: rebuilding naive datetimes costs 3x more, and start-up runs
    # this for every server (offsets change in whole seconds; post times have no micros).
    if (
        back.second == first.second
        and back.minute == first.minute
        and back.hour == first.hour
        and back.day == first.day
    ):
        return utc
    # In a gap, fold=0 reads the wall time with the old offset (landing after the jump) and
    # fold=1 with the new one (landing before it); the jump itself lies between the two.
    other = first.replace(fold=1).astimezone(dt.UTC)
    early, late = sorted((utc, other))
    return _transition_between(early, late, zone)


def next_post_instant(post_time: dt.time, zone: ZoneInfo, after: dt.datetime) -> dt.datetime:
    """The first post instant strictly after ``after`` (UTC-aware).

    ``after`` exactly at a post instant gives the next day's post, so a scheduler can chain
    calls without posting twice.
    """
    _require_aware(after, "after")
    today = local_date_of(after, zone)
    # Instants grow with the day (offsets change by far less than a day), so the answer is the
    # first one after ``after`` in day order. Yesterday's post can land today when a gap
    # pushes it past midnight, so it is checked whenever today's is still ahead; two days
    # ahead is always enough because every local day has one post instant. Today's comes
    # first: it settles the common cases with two conversions instead of three.
    todays = local_to_utc(today, post_time, zone)
    if todays > after:
        yesterdays = local_to_utc(today - dt.timedelta(days=1), post_time, zone)
        return yesterdays if yesterdays > after else todays
    candidates = (local_to_utc(today + dt.timedelta(days=n), post_time, zone) for n in (1, 2))
    return next(c for c in candidates if c > after)


def previous_post_instant(post_time: dt.time, zone: ZoneInfo, now: dt.datetime) -> dt.datetime:
    """The latest post instant at or before ``now``: what a restarted bot may have missed."""
    _require_aware(now, "now")
    today = local_date_of(now, zone)
    # Newest first, as in next_post_instant. Tomorrow's post never lands on today: a gap only
    # moves a post later.
    candidates = (local_to_utc(today - dt.timedelta(days=n), post_time, zone) for n in range(3))
    return next(c for c in candidates if c <= now)


def is_post_instant(instant: dt.datetime, post_time: dt.time, zone: ZoneInfo) -> bool:
    """Whether ``instant`` is a post instant of ``post_time`` in ``zone`` (on some day).

    A schedule entry written before a settings change fails this test and is dropped.
    """
    local = instant.astimezone(zone)
    if local.hour == post_time.hour and local.minute == post_time.minute and not local.second:
        # The wall time matches: a post instant unless it is the repeat of a fall-back hour.
        return local.fold == 0 or local_to_utc(local.date(), post_time, zone) == instant
    # Otherwise only a spring-forward gap can have moved the post, possibly past midnight.
    day = local.date()
    return any(local_to_utc(day - dt.timedelta(days=n), post_time, zone) == instant for n in (0, 1))


def local_day_bounds(instant: dt.datetime, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants where the local day of ``instant`` in ``zone`` begins and ends.

    A midnight skipped by a clock change begins the day at the first instant that exists.
    """
    day = local_date_of(instant, zone)
    return (
        local_to_utc(day, dt.time(0, 0), zone),
        local_to_utc(day + dt.timedelta(days=1), dt.time(0, 0), zone),
    )
