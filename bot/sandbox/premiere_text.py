"""Readable one-line views of the premiere kit's Discord objects, for the sandbox prompt
(``.events`` and ``.threads``): scheduled events, threads and forum posts, as Discord has them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from bot.sandbox.simulator.server import Simulator
from bot.sandbox.simulator.state import Channel

_KINDS = {1: "stage", 2: "voice", 3: "external"}


def _when(value: str | None) -> str:
    if not value:
        return "?"
    return dt.datetime.fromisoformat(value).astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def event_line(event: dict[str, Any]) -> str:
    kind = _KINDS.get(event.get("entity_type", 0), "?")
    where = (event.get("entity_metadata") or {}).get("location") or (
        f"<#{event['channel_id']}>" if event.get("channel_id") else "?"
    )
    return (
        f"  📅 {event['name']}: {_when(event.get('scheduled_start_time'))} → "
        f"{_when(event.get('scheduled_end_time'))}, {kind} at {where}"
    )


def events_text(sim: Simulator, guild_id: int) -> str:
    """The server's Discord events, one per line (``.events``)."""
    lines = [event_line(e) for e in sim.scheduled_events.of(guild_id)]
    return "\n".join(lines) or "  (no Discord events)"


def threads_text(sim: Simulator, channel_id: int) -> str:
    """The threads or forum posts of a channel, with their tags and state (``.threads``)."""
    tags = {
        t["id"]: t["name"] for t in sim.state.channel(channel_id).extra.get("available_tags", [])
    }
    lines = []
    for thread in sim.threads.of(channel_id):
        applied = ", ".join(tags.get(t, t) for t in thread.get("applied_tags") or [])
        archived = thread["thread_metadata"]["archived"]
        state = " (archived)" if archived else ""
        lines.append(f"  🧵 {thread['name']}" + (f" [{applied}]" if applied else "") + state)
    return "\n".join(lines) or "  (no threads)"


def all_threads_text(sim: Simulator, channels: Iterable[Channel]) -> str:
    """Every channel's threads under its name (``.threads`` with no channel)."""
    parts = [f"  #{c.name}:\n{threads_text(sim, c.id)}" for c in channels if sim.threads.of(c.id)]
    return "\n".join(parts) or "  (no threads)"
