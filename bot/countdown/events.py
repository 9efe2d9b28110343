"""A server's own events as admins see them: the cap on upcoming ones and the paged list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import discord

from bot.countdown.reminders import describe_reminders
from bot.countdown.settings import NEXT_TARGET, SOONEST_TARGET, CustomEvent
from bot.countdown.tzindex import fold
from bot.show.models import Release
from bot.show.releases import discord_timestamps

MAX_UPCOMING_EVENTS = 25  # per server; matches Discord's 25 autocomplete suggestions
EVENTS_PER_PAGE = 10


def upcoming(events: Sequence[CustomEvent], now: dt.datetime) -> list[CustomEvent]:
    return [event for event in events if event.starts_at > now]


def cap_message() -> str:
    return (
        f"This server already has {MAX_UPCOMING_EVENTS} upcoming events, the most I keep. "
        "Remove one with `/countdown event remove` (or wait until one has passed) to add another."
    )


def event_line(event: CustomEvent, now: dt.datetime) -> str:
    full, relative = discord_timestamps(event.starts_at)
    name = f"• **{discord.utils.escape_markdown(event.name)}** — {full} ({relative})"
    if event.starts_at <= now:
        return f"{name} *(past)*"
    if not event.reminders:
        return f"{name} · 🔕 no reminders"
    return f"{name} · ⏰ {describe_reminders(event.reminders)}"


def event_pages(events: Sequence[CustomEvent], now: dt.datetime) -> list[str]:
    """The list split into page bodies of ``EVENTS_PER_PAGE`` lines, soonest first."""
    lines = [event_line(event, now) for event in sorted(events, key=lambda e: e.starts_at)]
    return [
        "\n".join(lines[start : start + EVENTS_PER_PAGE])
        for start in range(0, len(lines), EVENTS_PER_PAGE)
    ] or ["No events yet."]


# Words an admin may type for the two moving targets (autocomplete sends the bare values).
_MOVING_TARGETS = {
    NEXT_TARGET: ("next", "next release", "the next release"),
    SOONEST_TARGET: ("soonest", "next thing", "the next thing"),
}


def moving_target(typed: str) -> str | None:
    """``"next"`` or ``"soonest"`` when ``typed`` names one of the moving targets."""
    wanted = " ".join(fold(typed).split())
    return next((value for value, words in _MOVING_TARGETS.items() if wanted in words), None)


def typed_release(typed: str, releases: Sequence[Release]) -> Release | None:
    """The release ``typed`` names: its autocomplete value, key or title (any case/accents)."""
    text = typed.strip()
    key = text.removeprefix("release:")
    wanted = fold(text)
    return next(
        (r for r in releases if r.key == key or fold(r.title) == wanted),
        None,
    )


_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def spoken_date(day: dt.date) -> str:
    """ "3 December 2026": the one way dates are written where Discord can't format them."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def event_choice_label(event: CustomEvent, zone: dt.tzinfo) -> str:
    """An autocomplete label: the name and the start in the server's own zone (<= 100)."""
    local = event.starts_at.astimezone(zone)
    when = f"{spoken_date(local.date())}, {local:%H:%M}"
    return f"{event.name[: 100 - len(when) - 3]} · {when}"
