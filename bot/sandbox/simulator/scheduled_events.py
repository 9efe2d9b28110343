"""Guild Scheduled Events: list, create, read, modify and delete, with Discord's validation.

The rules checked (from Discord's OpenAPI spec and its documented errors): name 1-100
characters, description up to 1000; privacy level 2 (GUILD_ONLY); entity type 1 (stage), 2
(voice) or 3 (external); an external event has no channel, a location (1-100 characters) and
an end time; a stage or voice event names a channel of that type; the start is in the future
and the end after the start. The bot needs Manage Events. Changes are announced with
GUILD_SCHEDULED_EVENT_CREATE/UPDATE/DELETE (the GUILD_SCHEDULED_EVENTS intent).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import permissions as perms
from .payloads import user_payload
from .routing import (
    MISSING_PERMISSIONS,
    UNKNOWN_GUILD,
    ErrorSpec,
    InvalidBody,
    Router,
    fail,
    json_response,
    no_content,
    read_body,
    snowflake_param,
)
from .state import Guild
from .validation._fields import Errors, one_of, string

if TYPE_CHECKING:
    from .server import Simulator

UNKNOWN_EVENT: ErrorSpec = (404, 10070, "Unknown Guild Scheduled Event")
MANAGE_EVENTS = 1 << 33
STAGE, VOICE, EXTERNAL = 1, 2, 3
SCHEDULED, ACTIVE, COMPLETED, CANCELED = 1, 2, 3, 4
GUILD_ONLY = 2
_CHANNEL_TYPE = {STAGE: 13, VOICE: 2}


def _instant(errs: Errors, path: str, value: object) -> dt.datetime | None:
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        errs.add((path,), "DATE_TIME_TYPE_PARSE", f"Could not parse {str(value)[:40]}.")
        return None
    return parsed if parsed.utcoffset() is not None else parsed.replace(tzinfo=dt.UTC)


def validate_event(
    body: Any,
    *,
    now: dt.datetime,
    channel_types: dict[int, int],
    current: dict[str, Any] | None = None,
) -> dict[str, Any] | None:
    """Discord's error body for a create (``current`` None) or a modify, or None if valid."""
    errs = Errors()
    if not isinstance(body, dict):
        errs.add((), "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return errs.body()
    creating = current is None
    merged = {**(current or {}), **body}
    string(errs, ("name",), body.get("name"), min_len=1, max_len=100, required=creating)
    string(errs, ("description",), body.get("description"), max_len=1000)
    one_of(errs, ("privacy_level",), body.get("privacy_level"), (GUILD_ONLY,), required=creating)
    kind = one_of(
        errs, ("entity_type",), merged.get("entity_type"), (STAGE, VOICE, EXTERNAL), required=True
    )
    start = _instant(errs, "scheduled_start_time", merged.get("scheduled_start_time"))
    end = _instant(errs, "scheduled_end_time", merged.get("scheduled_end_time"))
    if creating and start is None and "scheduled_start_time" not in errs.tree:
        errs.add(("scheduled_start_time",), "BASE_TYPE_REQUIRED", "This field is required")
    if start is not None and "scheduled_start_time" in body and start <= now:
        errs.add(
            ("scheduled_start_time",),
            "GUILD_SCHEDULED_EVENT_SCHEDULED_START_TIME_IN_PAST",
            "Cannot schedule event in the past.",
        )
    if start is not None and end is not None and end <= start:
        errs.add(
            ("scheduled_end_time",),
            "GUILD_SCHEDULED_EVENT_END_BEFORE_START",
            "Cannot schedule event to end before starting.",
        )
    channel_id = merged.get("channel_id")
    if kind == EXTERNAL:
        if channel_id is not None:
            errs.add(("channel_id",), "CHANNEL_ID_INVALID", "External events have no channel.")
        metadata = merged.get("entity_metadata") or {}
        location = metadata.get("location") if isinstance(metadata, dict) else None
        string(
            errs, ("entity_metadata", "location"), location, min_len=1, max_len=100, required=True
        )
        if end is None:
            errs.add(("scheduled_end_time",), "BASE_TYPE_REQUIRED", "This field is required")
    elif kind in _CHANNEL_TYPE:
        wanted = _CHANNEL_TYPE[kind]
        known = str(channel_id).isdigit() and channel_types.get(int(str(channel_id))) == wanted
        if channel_id is None or not known:
            errs.add(
                ("channel_id",),
                "CHANNEL_TYPE_INVALID",
                f"A {'stage' if kind == STAGE else 'voice'} event needs a channel of that type.",
            )
    return errs.body()


class ScheduledEventRoutes:
    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.state = sim.state
        # guild id -> event id -> the event as Discord returns it
        self.events: dict[int, dict[int, dict[str, Any]]] = {}
        # What "now" is for "start in the future": the simulator's wall clock, which the
        # sandbox's .time moves; tests may still pin it to the bot's injected clock.
        self.now: Callable[[], dt.datetime] = lambda: self.state.wall_clock()
        self.creates = 0

    def register(self, router: Router) -> None:
        base = "/guilds/{guild_id}/scheduled-events"
        router.add("GET", base, self.list_events)
        router.add("POST", base, self.create_event)
        router.add("GET", base + "/{event_id}", self.get_event)
        router.add("PATCH", base + "/{event_id}", self.modify_event)
        router.add("DELETE", base + "/{event_id}", self.delete_event)

    # -- helpers ------------------------------------------------------------------------------

    def of(self, guild_id: int) -> list[dict[str, Any]]:
        """The server's events, oldest first (for tests and the sandbox)."""
        return list(self.events.get(guild_id, {}).values())

    def _guild(self, raw: str, *, manage: bool) -> Guild:
        guild = self.state.guilds.get(snowflake_param(raw, unknown=UNKNOWN_GUILD))
        if guild is None:
            raise fail(UNKNOWN_GUILD)
        granted = self.state.guild_permissions(guild.id, self.state.bot_user.id)
        if manage and not perms.has(granted, MANAGE_EVENTS):
            raise fail(MISSING_PERMISSIONS)
        return guild

    def _event(self, guild: Guild, raw: str) -> dict[str, Any]:
        event = self.events.get(guild.id, {}).get(snowflake_param(raw, unknown=UNKNOWN_EVENT))
        if event is None:
            raise fail(UNKNOWN_EVENT)
        return event

    def _channel_types(self, guild: Guild) -> dict[int, int]:
        return {c.id: c.type for c in guild.channels.values()}

    def _announce(self, name: str, event: dict[str, Any]) -> None:
        self.sim.dispatch(name, event)
        self.sim.notify()

    # -- handlers -------------------------------------------------------------------------------

    async def list_events(self, request: web.Request, guild_id: str) -> web.Response:
        guild = self._guild(guild_id, manage=False)
        return json_response(self.of(guild.id))

    async def get_event(self, request: web.Request, guild_id: str, event_id: str) -> web.Response:
        guild = self._guild(guild_id, manage=False)
        return json_response(self._event(guild, event_id))

    async def create_event(self, request: web.Request, guild_id: str) -> web.Response:
        guild = self._guild(guild_id, manage=True)
        body, _ = await read_body(request)
        error = validate_event(body, now=self.now(), channel_types=self._channel_types(guild))
        if error is not None:
            raise InvalidBody(error)
        event_id = self.state.ids.next()
        bot = self.state.bot_user
        kind = body["entity_type"]
        event: dict[str, Any] = {
            "id": str(event_id),
            "guild_id": str(guild.id),
            "channel_id": None if kind == EXTERNAL else str(body["channel_id"]),
            "creator_id": str(bot.id),
            "creator": user_payload(bot),
            "name": body["name"],
            "description": body.get("description"),
            "scheduled_start_time": body["scheduled_start_time"],
            "scheduled_end_time": body.get("scheduled_end_time"),
            "privacy_level": body["privacy_level"],
            "status": SCHEDULED,
            "entity_type": kind,
            "entity_id": None,
            "entity_metadata": body.get("entity_metadata") if kind == EXTERNAL else None,
            "user_count": 0,
            "image": None,
            "recurrence_rule": None,
        }
        self.events.setdefault(guild.id, {})[event_id] = event
        self.creates += 1
        self._announce("GUILD_SCHEDULED_EVENT_CREATE", event)
        return json_response(event)

    async def modify_event(
        self, request: web.Request, guild_id: str, event_id: str
    ) -> web.Response:
        guild = self._guild(guild_id, manage=True)
        event = self._event(guild, event_id)
        body, _ = await read_body(request)
        error = validate_event(
            body, now=self.now(), channel_types=self._channel_types(guild), current=event
        )
        if error is not None:
            raise InvalidBody(error)
        for key in ("name", "description", "scheduled_start_time", "scheduled_end_time"):
            if key in body:
                event[key] = body[key]
        for key in ("entity_type", "entity_metadata", "channel_id", "status"):
            if key in body:
                event[key] = body[key]
        if event["entity_type"] == EXTERNAL:
            event["channel_id"] = None
        self._announce("GUILD_SCHEDULED_EVENT_UPDATE", event)
        return json_response(event)

    async def delete_event(
        self, request: web.Request, guild_id: str, event_id: str
    ) -> web.Response:
        guild = self._guild(guild_id, manage=True)
        event = self._event(guild, event_id)
        del self.events[guild.id][int(event["id"])]
        self._announce("GUILD_SCHEDULED_EVENT_DELETE", event)
        return no_content()
