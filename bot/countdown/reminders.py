"""Reminder posts for a server's own events: 1 day before, 1 hour before and at the start.

They travel as one-off posts (``CountdownService.schedule_one_off``), so each goes out at
most once, survives restarts and obeys the channel, pause, role and silent settings.

* **Keys** are ``reminder:event:<id>:<token>:r<revision>:<which>``. Every edit of an event
  bumps its revision, so an edit cancels the old prefix and schedules fresh keys, even when
  the event moves back to a time it had before (old keys are kept forever and would block
  it). The token, random per event, keeps a new event that reuses a removed one's id apart.
* **Past reminders** are not scheduled: an event added 30 minutes ahead gets only its
  start reminder, never a late "starts in 1 hour".
* **At send time** the renderer looks the event up again: removed, edited since (another
  revision) or switched off means nothing is posted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.countdown.planner import PlannedPost, plan_one_off, safe_title
from bot.countdown.settings import (
    CountdownSettings,
    CustomEvent,
    Reminder,
    parse_reminders,
    store_reminders,
)
from bot.show.releases import discord_timestamps

if TYPE_CHECKING:  # the storage layer imports bot.countdown; keep this one-way at run time
    from bot.database.countdown import OneOffPost
    from bot.database.store import CountdownStore
    from bot.scheduling.countdown import CountdownService

__all__ = [
    "REMINDER_KIND",
    "Reminder",
    "ReminderSlot",
    "apply_switches",
    "describe_reminders",
    "parse_reminders",
    "plan_reminders",
    "reminder_line",
    "reminder_prefix",
    "reminder_renderer",
    "reminder_text",
    "restore_reminders",
    "schedule_reminders",
    "store_reminders",
]

REMINDER_KIND = "event-reminder"
LEAD: dict[Reminder, dt.timedelta] = {
    Reminder.DAY: dt.timedelta(days=1),
    Reminder.HOUR: dt.timedelta(hours=1),
    Reminder.START: dt.timedelta(0),
}
# How long after the start the "starting now" post is still worth sending (bot was down).
START_WINDOW = dt.timedelta(minutes=30)
_LABELS = {
    Reminder.DAY: "1 day before",
    Reminder.HOUR: "1 hour before",
    Reminder.START: "at the start",
}


@dataclass(frozen=True, slots=True)
class ReminderSlot:
    which: Reminder
    key: str
    due_at: dt.datetime
    expires_at: dt.datetime


def reminder_prefix(event_id: int) -> str:
    """The prefix of every reminder key of one event (what an edit or removal cancels)."""
    return f"reminder:event:{event_id}:"


def reminder_key(event: CustomEvent, which: Reminder) -> str:
    return f"{reminder_prefix(event.id)}{event.token or '-'}:r{event.revision}:{which.value}"


def _expires(which: Reminder, starts_at: dt.datetime) -> dt.datetime:
    # A late reminder is noise once the next one has taken over.
    if which is Reminder.DAY:
        return starts_at - LEAD[Reminder.HOUR]
    if which is Reminder.HOUR:
        return starts_at
    return starts_at + START_WINDOW


def plan_reminders(event: CustomEvent, now: dt.datetime) -> list[ReminderSlot]:
    """The reminders to schedule for ``event`` at ``now``: switched on and not yet due."""
    slots = []
    for which in Reminder:  # declaration order: earliest first
        due = event.starts_at - LEAD[which]
        if which in event.reminders and due > now:
            slots.append(
                ReminderSlot(
                    which, reminder_key(event, which), due, _expires(which, event.starts_at)
                )
            )
    return slots


def reminder_text(name: str, which: Reminder, starts_at: dt.datetime) -> str:
    full, relative = discord_timestamps(starts_at)
    title = f"**{safe_title(name)}**"
    if which is Reminder.DAY:
        return f"⏰ {title} starts **tomorrow**: {full} ({relative})"
    if which is Reminder.HOUR:
        return f"⏰ {title} starts **in 1 hour**: {full} ({relative})"
    return f"🎉 {title} is **starting now**! ({full})"


def describe_reminders(chosen: frozenset[Reminder]) -> str:
    """ "1 day before, 1 hour before and at the start" or "none"."""
    labels = [_LABELS[r] for r in Reminder if r in chosen]
    if not labels:
        return "none"
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


def apply_switches(
    current: frozenset[Reminder], switches: dict[Reminder, bool | None]
) -> frozenset[Reminder] | None:
    """The reminders after the given switches (None: none given, keep them as they are)."""
    if all(value is None for value in switches.values()):
        return None
    on = {which for which, value in switches.items() if value}
    off = {which for which, value in switches.items() if value is False}
    return frozenset((current | on) - off)


def reminder_line(
    chosen: frozenset[Reminder], scheduled: set[Reminder], settings: CountdownSettings
) -> str:
    """What reminders the event gets, and why some of those switched on won't go out."""
    if not chosen:
        return "Reminders: none."
    line = f"Reminders: {describe_reminders(frozenset(scheduled))}."
    if not scheduled:
        line = "Reminders: none (their times have already passed)."
    elif scheduled != chosen:
        line += " (The others' times have already passed.)"
    if settings.channel_id is not None and scheduled:
        line += f" They go to <#{settings.channel_id}>."
        if not settings.enabled:
            line += " The countdown is paused: none go out until `/countdown resume`."
    return line


Renderer = Callable[[CountdownSettings, "OneOffPost", dt.datetime], Awaitable[PlannedPost | None]]


def reminder_renderer(repo: CountdownStore) -> Renderer:
    """The renderer the countdown service calls when a reminder is due (see module doc)."""

    async def render(
        settings: CountdownSettings, post: OneOffPost, now: dt.datetime
    ) -> PlannedPost | None:
        event_id = int(post.payload.get("event_id", 0))
        events = await repo.list_events(settings.guild_id)
        event = next((e for e in events if e.id == event_id), None)
        try:
            which = Reminder(post.payload.get("which"))
        except ValueError:
            return None
        if event is None or which not in event.reminders or reminder_key(event, which) != post.key:
            return None  # removed, switched off or edited since: a fresher key took over
        # The day-before note is routine (quiet when routine posts are); the last two notify.
        return plan_one_off(
            settings,
            reminder_text(event.name, which, event.starts_at),
            key=post.key,
            now=now,
            loud=which is not Reminder.DAY,
        )

    return render


async def schedule_reminders(
    service: CountdownService, event: CustomEvent, now: dt.datetime
) -> list[ReminderSlot]:
    """Replace the event's pending reminders with the ones it should have now.

    Call under the server's lock after adding or editing the event. The old prefix is
    cancelled first; posts already on their way are not touched (they render against the
    event as it is then, and skip themselves if it changed).
    """
    await service.cancel_one_offs(event.guild_id, reminder_prefix(event.id))
    slots = plan_reminders(event, now)
    for slot in slots:
        await _schedule(service, event, slot)
    return slots


async def restore_reminders(service: CountdownService, now: dt.datetime) -> int:
    """Schedule any reminder an upcoming event should have and has not (start-up).

    A crash between saving an event and scheduling its reminders would lose them; keys
    make this a no-op for everything already scheduled, sent or skipped. No lock needed:
    a reminder of a revision an edit has just replaced skips itself when it is due.
    """
    added = 0
    for event in await service.repo.upcoming_events(now):
        for slot in plan_reminders(event, now):
            added += await _schedule(service, event, slot)
    return added


async def _schedule(service: CountdownService, event: CustomEvent, slot: ReminderSlot) -> bool:
    return await service.schedule_one_off(
        event.guild_id,
        slot.key,
        REMINDER_KIND,
        due_at=slot.due_at,
        expires_at=slot.expires_at,
        payload={"event_id": event.id, "which": slot.which.value},
    )
