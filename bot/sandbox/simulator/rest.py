"""REST handlers for users, gateway discovery, commands, channels, messages and guilds."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import permissions as perms
from . import validation
from .messages import apply_edit, build_message, gateway_message
from .payloads import (
    application_payload,
    channel_payload,
    guild_payload,
    me_payload,
    member_payload,
    role_payload,
    user_payload,
    wire_message,
)
from .routing import (
    CANNOT_EDIT_OTHERS,
    MISSING_ACCESS,
    MISSING_PERMISSIONS,
    UNKNOWN_CHANNEL,
    UNKNOWN_GUILD,
    UNKNOWN_MEMBER,
    UNKNOWN_MESSAGE,
    InvalidBody,
    Router,
    fail,
    json_response,
    no_content,
    read_body,
    snowflake_param,
)
from .state import Channel, Guild

if TYPE_CHECKING:
    from .server import Simulator

NONCE_WINDOW = dt.timedelta(minutes=5)


def check(result: dict[str, Any] | None) -> None:
    """Turn a validation error body into a 400 response."""
    if result is not None:
        raise InvalidBody(result)


def attachments_from_files(
    sim: Simulator, channel_id: int, files: list[tuple[str, bytes, str]], body: dict[str, Any]
) -> list[dict[str, Any]]:
    described = {str(a.get("id")): a for a in body.get("attachments") or [] if isinstance(a, dict)}
    result = []
    for index, (filename, data, content_type) in enumerate(files):
        att_id = sim.state.ids.next()
        url = f"{sim.base_url}/attachments/{channel_id}/{att_id}/{filename}"
        result.append(
            {
                "id": str(att_id),
                "filename": filename,
                "description": described.get(str(index), {}).get("description"),
                "size": len(data),
                "content_type": content_type,
                "url": url,
                "proxy_url": url,
            }
        )
    return result


class CoreRoutes:
    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.state = sim.state

    def register(self, router: Router) -> None:
        add = router.add
        add("GET", "/users/@me", self.get_me)
        add("GET", "/users/{user_id}", self.get_user)
        add("GET", "/oauth2/applications/@me", self.get_application)
        add("GET", "/gateway", self.get_gateway, auth=False)
        add("GET", "/gateway/bot", self.get_gateway_bot)
        for scope in ("/applications/{app_id}", "/applications/{app_id}/guilds/{guild_id}"):
            add("GET", f"{scope}/commands", self.get_commands)
            add("PUT", f"{scope}/commands", self.put_commands)
        add("GET", "/channels/{channel_id}", self.get_channel)
        add("POST", "/channels/{channel_id}/messages", self.create_message)
        add("GET", "/channels/{channel_id}/messages/{message_id}", self.get_message)
        add("PATCH", "/channels/{channel_id}/messages/{message_id}", self.edit_message)
        add("DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_message)
        add("GET", "/guilds/{guild_id}", self.get_guild)
        add("GET", "/guilds/{guild_id}/channels", self.get_guild_channels)
        add("GET", "/guilds/{guild_id}/roles", self.get_guild_roles)
        add("GET", "/guilds/{guild_id}/members/{user_id}", self.get_member)

    # -- look-ups that raise Discord's errors -------------------------------------------
    def _guild(self, raw: str) -> Guild:
        guild = self.state.guilds.get(snowflake_param(raw, unknown=UNKNOWN_GUILD))
        if guild is None:
            raise fail(UNKNOWN_GUILD)
        return guild

    def _channel(self, raw: str, *, need: int = perms.VIEW_CHANNEL) -> tuple[Channel, int]:
        channel = self.state.channels.get(snowflake_param(raw, unknown=UNKNOWN_CHANNEL))
        if channel is None:
            raise fail(UNKNOWN_CHANNEL)
        granted = self.state.bot_channel_permissions(channel.id)
        if not granted & perms.VIEW_CHANNEL:
            raise fail(MISSING_ACCESS)
        if not perms.has(granted, need):
            raise fail(MISSING_PERMISSIONS)
        return channel, granted

    def _message(self, channel: Channel, raw: str) -> dict[str, Any]:
        message = self.state.channel_message(
            channel.id, snowflake_param(raw, unknown=UNKNOWN_MESSAGE)
        )
        if message is None:
            raise fail(UNKNOWN_MESSAGE)
        return message

    def _check_app(self, app_id: str) -> None:
        if app_id != str(self.state.application_id):
            raise fail(MISSING_ACCESS)

    # -- users, application, gateway ----------------------------------------------------
    async def get_me(self, request: web.Request) -> web.Response:
        return json_response(me_payload(self.state.bot_user))

    async def get_user(self, request: web.Request, user_id: str) -> web.Response:
        user = self.state.users.get(snowflake_param(user_id, unknown=(404, 10013, "Unknown User")))
        if user is None:
            raise fail((404, 10013, "Unknown User"))
        return json_response(user_payload(user))

    async def get_application(self, request: web.Request) -> web.Response:
        return json_response(application_payload(self.state, flags=self.sim.application_flags))

    async def get_gateway(self, request: web.Request) -> web.Response:
        return json_response({"url": self.sim.gateway_url})

    async def get_gateway_bot(self, request: web.Request) -> web.Response:
        return json_response(
            {
                "url": self.sim.gateway_url,
                "shards": self.sim.recommended_shards,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 1000 - self.sim.stats.identifies,
                    "reset_after": 14_400_000,
                    "max_concurrency": self.sim.max_concurrency,
                },
            }
        )

    # -- application commands -------------------------------------------------------------
    def _command_scope(self, app_id: str, guild_id: str | None) -> int | None:
        self._check_app(app_id)
        if guild_id is None:
            return None
        gid = snowflake_param(guild_id, unknown=MISSING_ACCESS)
        if gid not in self.state.guilds:
            raise fail(MISSING_ACCESS)  # what Discord says for a guild the app is not in
        return gid

    async def get_commands(
        self, request: web.Request, app_id: str, guild_id: str | None = None
    ) -> web.Response:
        scope = self._command_scope(app_id, guild_id)
        return json_response(self.state.commands.get(scope, []))

    async def put_commands(
        self, request: web.Request, app_id: str, guild_id: str | None = None
    ) -> web.Response:
        scope = self._command_scope(app_id, guild_id)
        body, _ = await read_body(request)
        check(validation.validate_application_commands(body))
        if not isinstance(body, list):  # validation should have said so; never store junk
            raise InvalidBody({"code": 50035, "message": "Invalid Form Body", "errors": {}})
        previous = {(c["name"], c.get("type", 1)): c for c in self.state.commands.get(scope, [])}
        stored = []
        for cmd in body:
            kind = cmd.get("type", 1)
            old = previous.get((cmd["name"], kind))
            stored.append(self._command_object(cmd, scope, old["id"] if old else None))
        self.state.commands[scope] = stored
        self.sim.note_commands_synced(scope)
        return json_response(stored)

    def _command_object(
        self, cmd: dict[str, Any], scope: int | None, keep_id: str | None
    ) -> dict[str, Any]:
        kind = cmd.get("type", 1)
        obj: dict[str, Any] = {
            **cmd,
            "id": keep_id or str(self.state.ids.next()),
            "application_id": str(self.state.application_id),
            "version": str(self.state.ids.next()),
            "type": kind,
            "description": cmd.get("description", "") if kind == 1 else "",
            "default_member_permissions": cmd.get("default_member_permissions"),
            "nsfw": bool(cmd.get("nsfw", False)),
            "options": cmd.get("options") or [],
        }
        if scope is None:
            obj.setdefault("dm_permission", True)
            obj.setdefault("integration_types", [0])
            obj.setdefault("contexts", None)
        else:
            obj["guild_id"] = str(scope)
        return obj

    # -- channels and messages --------------------------------------------------------------
    async def get_channel(self, request: web.Request, channel_id: str) -> web.Response:
        channel, _ = self._channel(channel_id)
        return json_response(channel_payload(channel))

    async def create_message(self, request: web.Request, channel_id: str) -> web.Response:
        channel, granted = self._channel(channel_id)
        body, files = await read_body(request)
        body = body if body is not None else {}
        check(validation.validate_message(body))
        if not granted & perms.SEND_MESSAGES:
            raise fail(MISSING_PERMISSIONS)
        if (body.get("embeds") and not granted & perms.EMBED_LINKS) or (
            files and not granted & perms.ATTACH_FILES
        ):
            raise fail(MISSING_PERMISSIONS)
        if body.get("message_reference") and not granted & perms.READ_MESSAGE_HISTORY:
            raise fail(MISSING_PERMISSIONS)
        if body.get("tts") and not granted & perms.SEND_TTS_MESSAGES:
            body = {**body, "tts": False}  # Discord silently drops TTS it won't allow

        bot = self.state.bot_user
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            since = self.state.wall_clock() - NONCE_WINDOW
            earlier = self.state.find_by_nonce(channel.id, bot.id, str(nonce), since=since)
            if earlier is not None:
                return json_response(wire_message(earlier))

        message = build_message(
            self.state,
            channel_id=channel.id,
            author=bot,
            body=body,
            msg_type=19 if body.get("message_reference") else 0,
            attachments=attachments_from_files(self.sim, channel.id, files, body),
        )
        self.state.store_message(message, in_channel=True)
        self.sim.dispatch("MESSAGE_CREATE", gateway_message(self.state, message))
        return json_response(wire_message(message))

    async def get_message(
        self, request: web.Request, channel_id: str, message_id: str
    ) -> web.Response:
        channel, _ = self._channel(channel_id, need=perms.VIEW_CHANNEL | perms.READ_MESSAGE_HISTORY)
        return json_response(wire_message(self._message(channel, message_id)))

    async def edit_message(
        self, request: web.Request, channel_id: str, message_id: str
    ) -> web.Response:
        channel, _ = self._channel(channel_id)
        message = self._message(channel, message_id)
        if int(message["author"]["id"]) != self.state.bot_user.id:
            raise fail(CANNOT_EDIT_OTHERS)
        body, _ = await read_body(request)
        body = body if body is not None else {}
        check(validation.validate_message(body, partial=True))
        apply_edit(self.state, message, body)
        self.sim.dispatch("MESSAGE_UPDATE", gateway_message(self.state, message))
        return json_response(wire_message(message))

    async def delete_message(
        self, request: web.Request, channel_id: str, message_id: str
    ) -> web.Response:
        channel, granted = self._channel(channel_id)
        message = self._message(channel, message_id)
        own = int(message["author"]["id"]) == self.state.bot_user.id
        if not own and not granted & perms.MANAGE_MESSAGES:
            raise fail(MISSING_PERMISSIONS)
        self.state.remove_message(int(message["id"]))
        self.sim.dispatch(
            "MESSAGE_DELETE",
            {
                "id": message["id"],
                "channel_id": message["channel_id"],
                "guild_id": message["guild_id"],
            },
        )
        return no_content()

    # -- guilds -------------------------------------------------------------------------------
    async def get_guild(self, request: web.Request, guild_id: str) -> web.Response:
        guild = self._guild(guild_id)
        payload = guild_payload(guild)
        if request.query.get("with_counts") in ("1", "true"):
            payload["approximate_member_count"] = len(guild.members)
            payload["approximate_presence_count"] = 0
        return json_response(payload)

    async def get_guild_channels(self, request: web.Request, guild_id: str) -> web.Response:
        guild = self._guild(guild_id)
        return json_response([channel_payload(c) for c in guild.channels.values()])

    async def get_guild_roles(self, request: web.Request, guild_id: str) -> web.Response:
        guild = self._guild(guild_id)
        return json_response([role_payload(r) for r in guild.roles.values()])

    async def get_member(self, request: web.Request, guild_id: str, user_id: str) -> web.Response:
        guild = self._guild(guild_id)
        member = guild.members.get(snowflake_param(user_id, unknown=UNKNOWN_MEMBER))
        if member is None:
            raise fail(UNKNOWN_MEMBER)
        return json_response(member_payload(member))
