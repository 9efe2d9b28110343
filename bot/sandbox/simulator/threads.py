"""Threads and forum posts, with Discord's permission and validation rules.

* ``POST /channels/{channel_id}/messages/{message_id}/threads``: a public thread on a message
  in a text channel. The bot needs View Channel and Create Public Threads; the thread takes
  the message's id (as on Discord) and a message gets at most one (400, code 160004).
* ``POST /channels/{forum_id}/threads``: a forum post (a thread with its starter message,
  which shares the thread's id). The bot needs Send Messages in the forum; ``applied_tags``
  must be the forum's own tags (at most 5).
* ``PATCH /channels/{forum_id}`` with ``available_tags``: a forum's tags (Manage Channels;
  names 1-20 characters, at most 20 tags). ``PATCH /channels/{thread_id}`` with
  ``archived``/``locked``: archive a thread (Manage Threads, or the bot's own thread).
* ``GET /guilds/{guild_id}/threads/active``: the active threads.

Names are 1-100 characters and archive durations 60, 1440, 4320 or 10080 minutes.
THREAD_CREATE, THREAD_UPDATE and CHANNEL_UPDATE announce the changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import permissions as perms
from .messages import build_message, gateway_message
from .payloads import channel_payload, wire_message
from .routing import (
    MISSING_ACCESS,
    MISSING_PERMISSIONS,
    UNKNOWN_CHANNEL,
    UNKNOWN_GUILD,
    UNKNOWN_MESSAGE,
    ApiError,
    InvalidBody,
    Router,
    fail,
    json_response,
    read_body,
    snowflake_param,
)
from .state import Channel, iso_now
from .validation import validate_message
from .validation._fields import Errors, integer, one_of, string

if TYPE_CHECKING:
    from .server import Simulator

CREATE_PUBLIC_THREADS = 1 << 35
MANAGE_THREADS = 1 << 34
PUBLIC_THREAD = 11
ARCHIVE_DURATIONS = (60, 1440, 4320, 10080)
GUILD_TEXT, GUILD_ANNOUNCEMENT, GUILD_FORUM = 0, 5, 15
MAX_TAGS, MAX_APPLIED_TAGS, TAG_NAME_MAX = 20, 5, 20


# Keys a thread's channel payload has anyway; the rest go into Channel.extra.
_BASE_KEYS = frozenset(
    {"id", "type", "guild_id", "name", "last_message_id", "rate_limit_per_user", "flags"}
)


def validate_thread(body: Any) -> dict[str, Any] | None:
    errs = Errors()
    if not isinstance(body, dict):
        errs.add((), "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return errs.body()
    string(errs, ("name",), body.get("name"), min_len=1, max_len=100, required=True)
    one_of(errs, ("auto_archive_duration",), body.get("auto_archive_duration"), ARCHIVE_DURATIONS)
    integer(errs, ("rate_limit_per_user",), body.get("rate_limit_per_user"), lo=0, hi=21600)
    return errs.body()


class ThreadRoutes:
    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.state = sim.state
        self.threads: dict[int, dict[str, Any]] = {}  # thread id -> the thread channel object

    def register(self, router: Router) -> None:
        router.add(
            "POST", "/channels/{channel_id}/messages/{message_id}/threads", self.from_message
        )
        router.add("POST", "/channels/{channel_id}/threads", self.forum_post)
        router.add("PATCH", "/channels/{channel_id}", self.modify_channel)
        router.add("GET", "/guilds/{guild_id}/threads/active", self.active)

    def of(self, parent_id: int) -> list[dict[str, Any]]:
        """The threads started in a channel, oldest first (for tests and the sandbox)."""
        return [t for t in self.threads.values() if t["parent_id"] == str(parent_id)]

    def add_forum(self, guild_id: int, name: str, *, tags: tuple[str, ...] = ()) -> Channel:
        """A forum channel (the world-building side, like ``Simulator.add_channel``)."""
        guild = self.state.guild(guild_id)
        channel = Channel(
            self.state.ids.next(), guild_id, name, position=len(guild.channels), type=GUILD_FORUM
        )
        channel.extra = {
            "available_tags": [self._tag(name) for name in tags],
            "default_reaction_emoji": None,
            "default_sort_order": None,
            "default_forum_layout": 0,
            "default_thread_rate_limit_per_user": 0,
        }
        guild.channels[channel.id] = channel
        self.state.channels[channel.id] = channel
        self.sim.dispatch("CHANNEL_CREATE", channel_payload(channel))
        return channel

    def _tag(self, name: str, tag_id: int | None = None) -> dict[str, Any]:
        return {
            "id": str(tag_id or self.state.ids.next()),
            "name": name,
            "moderated": False,
            "emoji_id": None,
            "emoji_name": None,
        }

    def _parent(self, raw: str, need: int) -> Channel:
        channel = self.state.channels.get(snowflake_param(raw, unknown=UNKNOWN_CHANNEL))
        if channel is None:
            raise fail(UNKNOWN_CHANNEL)
        granted = self.state.bot_channel_permissions(channel.id)
        if not granted & perms.VIEW_CHANNEL:
            raise fail(MISSING_ACCESS)
        if not perms.has(granted, need):
            raise fail(MISSING_PERMISSIONS)
        return channel

    def _thread(
        self, parent: Channel, thread_id: int, body: dict[str, Any], tags: list[str]
    ) -> dict[str, Any]:
        now = iso_now()
        return {
            "id": str(thread_id),
            "type": PUBLIC_THREAD,
            "guild_id": str(parent.guild_id),
            "parent_id": str(parent.id),
            "owner_id": str(self.state.bot_user.id),
            "name": body["name"],
            "last_message_id": None,
            "rate_limit_per_user": body.get("rate_limit_per_user") or 0,
            "message_count": 0,
            "member_count": 1,
            "total_message_sent": 0,
            "flags": 0,
            "applied_tags": tags,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": body.get("auto_archive_duration") or 4320,
                "archive_timestamp": now,
                "locked": False,
                "create_timestamp": now,
            },
        }

    async def forum_post(self, request: web.Request, channel_id: str) -> web.Response:
        forum = self._parent(channel_id, perms.SEND_MESSAGES)
        if forum.type != GUILD_FORUM:
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        body, _ = await read_body(request)
        error = validate_thread(body)
        message_body = body.get("message") if isinstance(body, dict) else None
        if error is None and not isinstance(message_body, dict):
            error = {
                "code": 50035,
                "message": "Invalid Form Body",
                "errors": {
                    "message": {
                        "_errors": [
                            {"code": "BASE_TYPE_REQUIRED", "message": "This field is required"}
                        ]
                    }
                },
            }
        if error is None:
            error = validate_message(message_body)
        if error is not None:
            raise InvalidBody(error)
        known = {t["id"] for t in forum.extra.get("available_tags", [])}
        applied = [str(t) for t in body.get("applied_tags") or []]
        if len(applied) > MAX_APPLIED_TAGS or not set(applied) <= known:
            raise ApiError(400, 40061, "Tag is invalid")
        thread_id = self.state.ids.next()
        thread = self._thread(forum, thread_id, body, applied)
        channel = Channel(thread_id, forum.guild_id, body["name"], type=PUBLIC_THREAD)
        channel.extra = {k: v for k, v in thread.items() if k not in _BASE_KEYS}
        self.state.channels[thread_id] = channel
        message = build_message(
            self.state, channel_id=thread_id, author=self.state.bot_user, body=message_body
        )
        message["id"] = str(thread_id)  # a forum post's starter message shares the id
        self.state.store_message(message, in_channel=True)
        self.threads[thread_id] = thread
        forum.last_message_id = thread_id
        self.sim.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        self.sim.dispatch("MESSAGE_CREATE", gateway_message(self.state, message))
        self.sim.notify()
        return json_response({**thread, "message": wire_message(message)}, 201)

    async def modify_channel(self, request: web.Request, channel_id: str) -> web.Response:
        target = snowflake_param(channel_id, unknown=UNKNOWN_CHANNEL)
        body, _ = await read_body(request)
        body = body if isinstance(body, dict) else {}
        if target in self.threads:
            return self._modify_thread(self.threads[target], body)
        forum = self._parent(channel_id, perms.MANAGE_CHANNELS)
        if "available_tags" in body:
            if forum.type != GUILD_FORUM:
                raise ApiError(400, 50024, "Cannot execute action on this channel type")
            forum.extra["available_tags"] = self._tags(body["available_tags"])
        if isinstance(body.get("name"), str) and 1 <= len(body["name"]) <= 100:
            forum.name = body["name"]
        self.sim.dispatch("CHANNEL_UPDATE", channel_payload(forum))
        self.sim.notify()
        return json_response(channel_payload(forum))

    def _tags(self, raw: object) -> list[dict[str, Any]]:
        errs = Errors()
        if not isinstance(raw, list) or len(raw) > MAX_TAGS:
            errs.add(
                ("available_tags",),
                "BASE_TYPE_MAX_LENGTH",
                f"Must be {MAX_TAGS} or fewer in length.",
            )
            raise InvalidBody(errs.body() or {})
        tags = []
        for index, tag in enumerate(raw):
            name = tag.get("name") if isinstance(tag, dict) else None
            string(
                errs,
                ("available_tags", index, "name"),
                name,
                min_len=1,
                max_len=TAG_NAME_MAX,
                required=True,
            )
            if isinstance(name, str):
                given = str(tag.get("id") or "")
                tags.append(self._tag(name, int(given) if given.isdigit() else None))
        if errs.body() is not None:
            raise InvalidBody(errs.body() or {})
        return tags

    def _modify_thread(self, thread: dict[str, Any], body: dict[str, Any]) -> web.Response:
        parent = int(thread["parent_id"])
        granted = self.state.bot_channel_permissions(parent)
        own = thread["owner_id"] == str(self.state.bot_user.id)
        if not (own or perms.has(granted, MANAGE_THREADS)):
            raise fail(MISSING_PERMISSIONS)
        metadata = thread["thread_metadata"]
        for key in ("archived", "locked"):
            if isinstance(body.get(key), bool):
                metadata[key] = body[key]
        if metadata["archived"]:
            metadata["archive_timestamp"] = iso_now()
        self.sim.dispatch("THREAD_UPDATE", thread)
        self.sim.notify()
        return json_response(thread)

    async def active(self, request: web.Request, guild_id: str) -> web.Response:
        gid = snowflake_param(guild_id, unknown=UNKNOWN_GUILD)
        if gid not in self.state.guilds:
            raise fail(UNKNOWN_GUILD)
        threads = [
            t
            for t in self.threads.values()
            if t["guild_id"] == str(gid) and not t["thread_metadata"]["archived"]
        ]
        return json_response({"threads": threads, "members": []})

    async def from_message(
        self, request: web.Request, channel_id: str, message_id: str
    ) -> web.Response:
        channel = self.state.channels.get(snowflake_param(channel_id, unknown=UNKNOWN_CHANNEL))
        if channel is None:
            raise fail(UNKNOWN_CHANNEL)
        granted = self.state.bot_channel_permissions(channel.id)
        if not granted & perms.VIEW_CHANNEL:
            raise fail(MISSING_ACCESS)
        if not perms.has(granted, CREATE_PUBLIC_THREADS | perms.READ_MESSAGE_HISTORY):
            raise fail(MISSING_PERMISSIONS)
        message = self.state.channel_message(
            channel.id, snowflake_param(message_id, unknown=UNKNOWN_MESSAGE)
        )
        if message is None:
            raise fail(UNKNOWN_MESSAGE)
        body, _ = await read_body(request)
        error = validate_thread(body)
        if error is not None:
            raise InvalidBody(error)
        if channel.type not in (GUILD_TEXT, GUILD_ANNOUNCEMENT):
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        if int(message["id"]) in self.threads:
            raise ApiError(400, 160004, "A thread has already been created for this message")
        thread = self._thread(channel, int(message["id"]), body, [])
        self.threads[int(message["id"])] = thread
        message["thread"] = thread
        self.sim.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        self.sim.notify()
        return json_response(thread, 201)
