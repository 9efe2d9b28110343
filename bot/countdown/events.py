"""A server's own events as admins see them: the cap on upcoming ones and the paged list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import discord

from bot.countdown.settings import CustomEvent
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
    past = " *(past)*" if event.starts_at <= now else ""
    return f"• **{discord.utils.escape_markdown(event.name)}** — {full} ({relative}){past}"


def event_pages(events: Sequence[CustomEvent], now: dt.datetime) -> list[str]:
    """The list split into page bodies of ``EVENTS_PER_PAGE`` lines, soonest first."""
    lines = [event_line(event, now) for event in sorted(events, key=lambda e: e.starts_at)]
    return [
        "\n".join(lines[start : start + EVENTS_PER_PAGE])
        for start in range(0, len(lines), EVENTS_PER_PAGE)
    ] or ["No events yet."]
