"""Which Discord Scheduled Events a server should have, and what to do to get there (pure).

One event per upcoming release known to the minute (external, "Netflix", two hours) and per
upcoming server event (external, or in the voice/stage channel the admins picked). A sync
compares that wish list with the links the bot stored (and, when it looks, with the events on
Discord) and returns the creates, updates and deletes; the cog carries them out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from bot.countdown.settings import CustomEvent, event_target, release_target
from bot.database.premiere import EventLink
from bot.show.cards import source_credit
from bot.show.models import DatePrecision, Release
from bot.show.releases import describe_when

RELEASE_LENGTH = dt.timedelta(hours=2)
SERVER_EVENT_LENGTH = dt.timedelta(hours=2)
RELEASE_LOCATION = "Netflix"
SERVER_EVENT_LOCATION = "In this server"
NETFLIX_KINDS = frozenset({"season", "film"})  # books come out in shops, not on Netflix
NAME_MAX, DESCRIPTION_MAX = 100, 1000  # Discord's limits


@dataclass(frozen=True, slots=True)
class WantedEvent:
    source_key: str  # "release:season-4" or "event:12"
    name: str
    description: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    location: str | None  # external events
    channel_id: int | None  # voice or stage events


@dataclass(frozen=True, slots=True)
class OnDiscord:
    """An event as Discord has it, created by this bot."""

    id: int
    name: str
    starts_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Action:
    kind: Literal["create", "update", "delete", "adopt"]
    source_key: str
    wanted: WantedEvent | None  # None for a delete
    event_id: int | None  # the Discord event to update, delete or adopt


def release_text(release: Release) -> str:
    """The event's description: the release card's facts, without relative times that age."""
    lines = [f"{release.title} arrives on Netflix {describe_when(release.when)}."]
    if release.season is not None:
        lines.append(f"Season {release.season} of Heartstopper.")
    lines.append(source_credit(release.sources))
    return "\n".join(lines)


def release_event(release: Release) -> WantedEvent | None:
    """A release known to the minute; day, month or year precision gets no fake start time."""
    when = release.when
    if release.kind not in NETFLIX_KINDS:
        return None
    if when.precision is not DatePrecision.INSTANT or when.instant is None:
        return None
    start = when.instant.astimezone(dt.UTC)
    description = release_text(release)
    return WantedEvent(
        source_key=release_target(release.key),
        name=release.title[:NAME_MAX],
        description=description[:DESCRIPTION_MAX],
        starts_at=start,
        ends_at=start + RELEASE_LENGTH,
        location=RELEASE_LOCATION,
        channel_id=None,
    )


def server_event(event: CustomEvent, channel_id: int | None) -> WantedEvent:
    start = event.starts_at.astimezone(dt.UTC)
    return WantedEvent(
        source_key=event_target(event.id),
        name=event.name[:NAME_MAX],
        description="A server event, counted down by the Heartstopper bot.",
        starts_at=start,
        ends_at=start + SERVER_EVENT_LENGTH,
        location=None if channel_id is not None else SERVER_EVENT_LOCATION,
        channel_id=channel_id,
    )


def wanted_events(
    releases: Iterable[Release],
    events: Iterable[CustomEvent],
    *,
    now: dt.datetime,
    channel_id: int | None,
) -> list[WantedEvent]:
    """Every event the server should have now: only ones that start in the future, since
    Discord refuses to schedule in the past (one already running is left to finish)."""
    wanted = [w for r in releases if (w := release_event(r)) is not None]
    wanted += [server_event(e, channel_id) for e in events]
    return [w for w in wanted if w.starts_at > now]


def _differs(link: EventLink, wanted: WantedEvent) -> bool:
    return (link.name, link.starts_at, link.ends_at) != (
        wanted.name,
        wanted.starts_at,
        wanted.ends_at,
    )


def plan_sync(
    wanted: Iterable[WantedEvent],
    links: Iterable[EventLink],
    on_discord: Mapping[int, OnDiscord] | None,
    *,
    now: dt.datetime,
) -> list[Action]:
    """The steps from what is stored (and on Discord, when known) to what is wanted.

    ``on_discord`` None means "not looked": stored ids are trusted. A link without an id is
    a create that may have reached Discord before a crash: it is adopted when an event of
    the bot's with that name is on Discord, otherwise created. A link whose source is gone
    is deleted, except once it has started (Discord keeps the record of a past event).
    """
    wanted_by_key = {w.source_key: w for w in wanted}
    links_by_key = {link.source_key: link for link in links}
    claimed = {link.discord_event_id for link in links_by_key.values() if link.discord_event_id}
    actions: list[Action] = []
    for key, want in wanted_by_key.items():
        link = links_by_key.get(key)
        if link is None:
            actions.append(Action("create", key, want, None))
        elif link.discord_event_id is None:
            found = _unclaimed_by_name(on_discord, want.name, claimed)
            if found is not None:
                claimed.add(found)
                actions.append(Action("adopt", key, want, found))
            else:
                actions.append(Action("create", key, want, None))
        elif on_discord is not None and link.discord_event_id not in on_discord:
            actions.append(Action("create", key, want, None))  # deleted on Discord by hand
        elif _differs(link, want):
            actions.append(Action("update", key, want, link.discord_event_id))
    for key, link in links_by_key.items():
        if key in wanted_by_key:
            continue
        event_id = link.discord_event_id or _unclaimed_by_name(on_discord, link.name, claimed)
        if link.starts_at <= now and event_id is not None:
            event_id = None  # started: forget the link, keep Discord's record of it
        actions.append(Action("delete", key, None, event_id))
    return actions


def _unclaimed_by_name(
    on_discord: Mapping[int, OnDiscord] | None, name: str, claimed: set[int]
) -> int | None:
    if on_discord is None:
        return None
    for event in on_discord.values():
        if event.name == name and event.id not in claimed:
            return event.id
    return None


def event_url(guild_id: int, event_id: int) -> str:
    """Discord's link to an event: opens it with its "Interested" button."""
    return f"https://discord.com/events/{guild_id}/{event_id}"


def needs_lookup(links: Iterable[EventLink]) -> bool:
    """Whether a sync must list Discord's events first (a create may have been in flight)."""
    return any(link.discord_event_id is None for link in links)
