"""Public threads started from a message, with Discord's permission and validation rules.

``POST /channels/{channel_id}/messages/{message_id}/threads``: the bot needs View Channel and
Create Public Threads in a text channel; the thread takes the message's id (as on Discord),
a message gets at most one thread (400, code 160004), the name is 1-100 characters and the
archive duration one of 60, 1440, 4320 or 10080 minutes. THREAD_CREATE announces it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import permissions as perms
from .routing import (
    MISSING_ACCESS,
    MISSING_PERMISSIONS,
    UNKNOWN_CHANNEL,
    UNKNOWN_MESSAGE,
    ApiError,
    InvalidBody,
    Router,
    fail,
    json_response,
    read_body,
    snowflake_param,
)
from .state import iso_now
from .validation._fields import Errors, integer, one_of, string

if TYPE_CHECKING:
    from .server import Simulator

CREATE_PUBLIC_THREADS = 1 << 35
PUBLIC_THREAD = 11
ARCHIVE_DURATIONS = (60, 1440, 4320, 10080)
GUILD_TEXT, GUILD_ANNOUNCEMENT = 0, 5


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

    def of(self, parent_id: int) -> list[dict[str, Any]]:
        """The threads started in a channel, oldest first (for tests and the sandbox)."""
        return [t for t in self.threads.values() if t["parent_id"] == str(parent_id)]

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
        now = iso_now()
        thread: dict[str, Any] = {
            "id": message["id"],
            "type": PUBLIC_THREAD,
            "guild_id": str(channel.guild_id),
            "parent_id": str(channel.id),
            "owner_id": str(self.state.bot_user.id),
            "name": body["name"],
            "last_message_id": None,
            "rate_limit_per_user": body.get("rate_limit_per_user") or 0,
            "message_count": 0,
            "member_count": 1,
            "total_message_sent": 0,
            "flags": 0,
            "applied_tags": [],
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": body.get("auto_archive_duration") or 4320,
                "archive_timestamp": now,
                "locked": False,
                "create_timestamp": now,
            },
        }
        self.threads[int(message["id"])] = thread
        message["thread"] = thread
        self.sim.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        self.sim.notify()
        return json_response(thread, 201)
