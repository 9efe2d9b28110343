"""``Simulator``: a local Discord (REST + gateway) on 127.0.0.1 with a control API for tests."""

from __future__ import annotations

import asyncio
import copy
import logging
import math
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from . import permissions as perms
from .faults import Faults, GlobalLimiter, RateLimits, SimStats
from .gateway import MAX_GUILDS_PER_SESSION, PRIVILEGED_INTENTS, Gateway
from .interactions import InteractionRecord
from .member_roles import MemberRoleRoutes
from .payloads import channel_payload, guild_create_payload, member_payload, role_payload
from .permissions import Overwrite
from .rest import CoreRoutes
from .rest_interactions import InteractionRoutes
from .routing import ApiError, InvalidBody, Router, json_response
from .scheduled_events import ScheduledEventRoutes
from .sim_interactions import InteractionDriver
from .state import Channel, Guild, Member, Role, SimState, SnowflakeFactory, User
from .threads import ThreadRoutes

log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"
# Application flags: privileged intents that are *not* enabled show as "limited".
_FLAG_PRESENCE_LIMITED, _FLAG_MEMBERS_LIMITED, _FLAG_CONTENT_LIMITED = 1 << 13, 1 << 15, 1 << 19
_FLAG_COMMAND_BADGE = 1 << 23

OverwriteSpec = Mapping[int, tuple[int, int]] | Iterable[Overwrite] | None


STABLE_IDS_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z


class Simulator(InteractionDriver):
    """A fake Discord for the real discord.py client.

    ``async with Simulator() as sim:`` starts it on an OS-chosen port; point discord.py at
    ``sim.api_base_url`` and ``sim.gateway_url`` (see ``client_target``).
    """

    def __init__(
        self,
        token: str = "sandbox-token",
        *,
        interaction_deadline: float = 3.0,
        global_rate_limit: int | None = None,
        heartbeat_interval: int = 41250,
        privileged_intents: int = 0,
        bot_name: str = "Heartstopper Bot",
        bucket_limit: int = 50,
        stable_ids: bool = False,
        max_concurrency: int = 1,
        max_guilds_per_session: int = MAX_GUILDS_PER_SESSION,
        guilds_per_recommended_shard: int = 1000,
    ) -> None:
        self.token = token
        self.interaction_deadline = interaction_deadline
        # stable_ids: the bot and whatever is built before ``ids.unpin()`` get the same ids
        # every run, so a bot database kept across sandbox runs still matches the world.
        self.ids = SnowflakeFactory(pinned_ms=STABLE_IDS_MS if stable_ids else None)
        bot_id = self.ids.next()
        # Modern applications share their id with their bot user.
        self.state = SimState(
            self.ids, User(bot_id, bot_name.lower().replace(" ", "-"), bot_name, bot=True), bot_id
        )
        self.stats = SimStats()
        self.faults = Faults()
        self._buckets = RateLimits(limit=bucket_limit)
        self._global = GlobalLimiter(global_rate_limit) if global_rate_limit else None
        self.interactions: dict[int, InteractionRecord] = {}
        self.interactions_by_token: dict[str, InteractionRecord] = {}
        self._synced: dict[int | None, int] = {}
        self._changed = asyncio.Event()
        # What /gateway/bot tells the bot: shards to use and how many may IDENTIFY at once.
        self.max_concurrency = max_concurrency
        self.guilds_per_recommended_shard = guilds_per_recommended_shard
        self.application_flags = _FLAG_COMMAND_BADGE | _limited_flags(privileged_intents)
        self.gateway = Gateway(
            state=self.state,
            token=token,
            stats=self.stats,
            heartbeat_interval_ms=heartbeat_interval,
            allowed_privileged_intents=privileged_intents & PRIVILEGED_INTENTS,
            application_flags=self.application_flags,
            resume_url=lambda: f"ws://127.0.0.1:{self.port}/gateway/resume",
            notify=self.notify,
            max_guilds_per_session=max_guilds_per_session,
            on_sent=self._frame_sent,
        )
        self._router = Router()
        CoreRoutes(self).register(self._router)
        InteractionRoutes(self).register(self._router)
        MemberRoleRoutes(self).register(self._router)
        self.scheduled_events = ScheduledEventRoutes(self)
        self.scheduled_events.register(self._router)
        self.threads = ThreadRoutes(self)
        self.threads.register(self._router)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application(client_max_size=32 * 1024 * 1024)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/gateway/resume", self.gateway.handle)
        app.router.add_route("*", "/{tail:.*}", self._handle_http)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self._changed = asyncio.Event()
        log.info("Discord simulator listening on %s", self.base_url)

    async def close(self) -> None:
        if self._runner is None:
            return
        await self.gateway.close_all()
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base_url(self) -> str:
        return f"{self.base_url}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def application_id(self) -> int:
        return self.state.application_id

    @property
    def bot_user_id(self) -> int:
        return self.state.bot_user.id

    # -- plumbing used by handlers -------------------------------------------------------------
    def clock(self) -> float:
        return asyncio.get_running_loop().time()

    def notify(self) -> None:
        """Wake every ``wait_until``; they re-check their predicates."""
        self._changed.set()
        self._changed = asyncio.Event()

    def dispatch(self, event: str, data: Any) -> int:
        return self.gateway.dispatch(event, data)

    def _frame_sent(self, frame: dict[str, Any]) -> None:
        if frame.get("t") != "INTERACTION_CREATE":
            return
        rec = self.interactions.get(int(frame["d"]["id"]))
        if rec is not None and rec.on_wire_at is None:
            rec.on_wire_at = self.clock()

    @property
    def recommended_shards(self) -> int:
        """Discord recommends about one shard per 1,000 servers."""
        return max(1, math.ceil(len(self.state.guilds) / self.guilds_per_recommended_shard))

    def note_commands_synced(self, scope: int | None) -> None:
        self._synced[scope] = self._synced.get(scope, 0) + 1
        self.notify()

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 (the control API mirrors asyncio.wait_for)
        what: str = "condition",
    ) -> None:
        """Wait until ``predicate()`` holds, re-checking on every state change."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while not predicate():
            remaining = end - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"simulator: timed out after {timeout}s waiting for {what}")
            event = self._changed
            try:
                await asyncio.wait_for(event.wait(), min(remaining, 0.25))
            except TimeoutError:
                pass

    # -- HTTP entry point -------------------------------------------------------------------------
    async def _handle_http(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if not path.startswith(API_PREFIX + "/"):
            return json_response({"message": "404: Not Found", "code": 0}, 404)
        sub = path[len(API_PREFIX) :]
        found = self._router.match(request.method, sub)
        if found is None:
            return json_response({"message": "404: Not Found", "code": 0}, 404)
        route, params = found
        self.stats.requests[route.key] += 1
        major = params.get("channel_id") or params.get("guild_id") or params.get("token") or ""
        headers, over = self._buckets.hit(route.key, major)
        headers["Via"] = "1.1 google"  # discord.py treats a 429 without Via as a Cloudflare ban
        if route.auth and request.headers.get("Authorization") != f"Bot {self.token}":
            return json_response({"message": "401: Unauthorized", "code": 0}, 401, headers)
        if route.auth and self._global is not None:
            wait = self._global.check()
            if wait > 0:
                return self._too_many(wait, headers={"Via": "1.1 google"}, scope="global")
        fault = self.faults.take(request.method, sub)
        if fault is not None and fault.status == 429:
            scope = "global" if fault.global_ else "user"
            return self._too_many(fault.wait(), headers=headers, scope=scope)
        if fault is not None:
            self.stats.failures_injected += 1
            body = {"message": f"{fault.status}: Simulated failure", "code": 0}
            return json_response(body, fault.status, headers)
        if over > 0:
            return self._too_many(over, headers=headers, scope="user")
        try:
            response = await route.handler(request, **params)
        except ApiError as exc:
            response = json_response(exc.body, exc.status)
        except InvalidBody as exc:
            response = json_response(exc.body, 400)
        except Exception:
            log.exception("simulator bug handling %s %s", request.method, path)
            response = json_response({"message": "500: Internal Server Error", "code": 0}, 500)
        response.headers.update(headers)
        return response

    def _too_many(self, retry_after: float, *, headers: dict[str, str], scope: str) -> web.Response:
        self.stats.rate_limited += 1
        is_global = scope == "global"
        out = {
            **headers,
            "Retry-After": str(math.ceil(retry_after)),
            "X-RateLimit-Scope": scope,
        }
        if is_global:
            out["X-RateLimit-Global"] = "true"
        elif "X-RateLimit-Remaining" in out:
            out["X-RateLimit-Remaining"] = "0"
        body = {
            "message": "You are being rate limited.",
            "retry_after": round(retry_after, 3),
            "global": is_global,
        }
        return json_response(body, 429, out)

    # -- building the world -----------------------------------------------------------------------
    def add_guild(
        self,
        name: str,
        *,
        bot_permissions: int = perms.DEFAULT_BOT,
        everyone_permissions: int = perms.DEFAULT_EVERYONE,
    ) -> Guild:
        # Each server's id gets its own millisecond, so servers made in a burst spread over
        # the shards as real ones (created over years) do: the shard comes from those bits.
        guild_id = self.ids.next_in_new_ms()
        owner = self._new_user(f"{name} Owner")
        guild = Guild(guild_id, name, owner.id)
        guild.roles[guild_id] = Role(guild_id, guild_id, "@everyone", everyone_permissions)
        bot = self.state.bot_user
        bot_role = Role(
            self.ids.next(),
            guild_id,
            bot.global_name or bot.username,
            bot_permissions,
            position=1,
            managed=True,
            bot_id=bot.id,
        )
        guild.roles[bot_role.id] = bot_role
        guild.members[owner.id] = Member(owner, guild_id)
        guild.members[bot.id] = Member(bot, guild_id, [bot_role.id])
        self.state.guilds[guild_id] = guild
        self._emit_guild_create(guild)
        return guild

    def add_channel(
        self,
        guild_id: int,
        name: str,
        *,
        overwrites: OverwriteSpec = None,
        topic: str | None = None,
    ) -> Channel:
        guild = self.state.guild(guild_id)
        channel = Channel(
            self.ids.next(), guild_id, name, position=len(guild.channels), topic=topic
        )
        for ow in _overwrite_list(overwrites, guild):
            channel.overwrites[ow.target_id] = ow
        guild.channels[channel.id] = channel
        self.state.channels[channel.id] = channel
        self.dispatch("CHANNEL_CREATE", channel_payload(channel))
        return channel

    def add_role(
        self, guild_id: int, name: str, *, permissions: int = 0, mentionable: bool = False
    ) -> Role:
        guild = self.state.guild(guild_id)
        role = Role(
            self.ids.next(), guild_id, name, permissions, mentionable, position=len(guild.roles)
        )
        guild.roles[role.id] = role
        self.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(guild_id), "role": role_payload(role)})
        return role

    def update_role(
        self,
        role_id: int,
        *,
        permissions: int | None = None,
        mentionable: bool | None = None,
        name: str | None = None,
    ) -> Role:
        role = self.state.find_role(role_id)
        if role is None:
            raise KeyError(f"unknown role {role_id}")
        if permissions is not None:
            role.permissions = permissions
        if mentionable is not None:
            role.mentionable = mentionable
        if name is not None:
            role.name = name
        self.dispatch(
            "GUILD_ROLE_UPDATE", {"guild_id": str(role.guild_id), "role": role_payload(role)}
        )
        return role

    def set_role_position(self, role_id: int, position: int) -> Role:
        """Drag a role in the server's role list (what decides who may manage whom)."""
        role = self.state.find_role(role_id)
        if role is None:
            raise KeyError(f"unknown role {role_id}")
        role.position = position
        self.dispatch(
            "GUILD_ROLE_UPDATE", {"guild_id": str(role.guild_id), "role": role_payload(role)}
        )
        return role

    def bot_role(self, guild_id: int) -> Role:
        """The bot's managed role in ``guild_id``."""
        guild = self.state.guild(guild_id)
        return next(r for r in guild.roles.values() if r.bot_id == self.bot_user_id)

    def set_bot_permissions(self, guild_id: int, permissions: int) -> Role:
        """Change the bot's managed role (guild-wide permissions)."""
        guild = self.state.guild(guild_id)
        role = next(r for r in guild.roles.values() if r.bot_id == self.bot_user_id)
        return self.update_role(role.id, permissions=permissions)

    def add_member(
        self,
        guild_id: int,
        name: str,
        *,
        permissions: int | None = None,
        manage_guild: bool = False,
        roles: Iterable[int | Role] = (),
    ) -> Member:
        """A human member. ``permissions``/``manage_guild`` become a personal role, as in Discord
        permissions only ever come from roles."""
        guild = self.state.guild(guild_id)
        user = self._new_user(name)
        role_ids = [r.id if isinstance(r, Role) else int(r) for r in roles]
        extra = (permissions or 0) | (perms.MANAGE_GUILD if manage_guild else 0)
        if extra:
            role_ids.append(self.add_role(guild_id, f"{name} (personal)", permissions=extra).id)
        member = Member(user, guild_id, role_ids)
        guild.members[user.id] = member
        self.dispatch("GUILD_MEMBER_ADD", {**member_payload(member), "guild_id": str(guild_id)})
        return member

    def set_member_roles(self, guild_id: int, user_id: int, roles: Iterable[int | Role]) -> Member:
        member = self.state.member(guild_id, user_id)
        member.role_ids = [r.id if isinstance(r, Role) else int(r) for r in roles]
        self.dispatch("GUILD_MEMBER_UPDATE", {**member_payload(member), "guild_id": str(guild_id)})
        return member

    def remove_guild(self, guild_id: int) -> Guild:
        """The bot is kicked: GUILD_DELETE without ``unavailable``. Returns the server as it
        was, for :meth:`restore_guild`."""
        guild = self.state.guilds.pop(guild_id)
        for channel_id in guild.channels:
            self.state.channels.pop(channel_id, None)
        self.state.commands.pop(guild_id, None)
        self.dispatch("GUILD_DELETE", {"id": str(guild_id)})
        return guild

    def restore_guild(self, guild: Guild) -> None:
        """The bot is invited back to a server it was kicked from (same ids, same roles)."""
        self.state.guilds[guild.id] = guild
        for channel in guild.channels.values():
            self.state.channels[channel.id] = channel
        self._emit_guild_create(guild)

    def delete_channel(self, channel_id: int) -> None:
        channel = self.state.channels.pop(channel_id)
        self.state.guild(channel.guild_id).channels.pop(channel_id, None)
        self.dispatch("CHANNEL_DELETE", channel_payload(channel))

    def set_overwrite(self, channel_id: int, target_id: int, allow: int = 0, deny: int = 0) -> None:
        channel = self.state.channel(channel_id)
        guild = self.state.guild(channel.guild_id)
        channel.overwrites[target_id] = Overwrite(
            target_id, _target_type(guild, target_id), allow, deny
        )
        self.dispatch("CHANNEL_UPDATE", channel_payload(channel))

    def revoke_bot_permission(self, channel_id: int, perm_bits: int) -> None:
        """Deny ``perm_bits`` to the bot in one channel (a member overwrite)."""
        channel = self.state.channel(channel_id)
        current = channel.overwrites.get(self.bot_user_id)
        allow = (current.allow if current else 0) & ~perm_bits
        deny = (current.deny if current else 0) | perm_bits
        self.set_overwrite(channel_id, self.bot_user_id, allow=allow, deny=deny)

    def bot_permissions_in(self, channel_id: int) -> int:
        return self.state.bot_channel_permissions(channel_id)

    def _new_user(self, name: str) -> User:
        user = User(self.ids.next(), name.lower().replace(" ", "_"), name)
        self.state.users[user.id] = user
        return user

    def _emit_guild_create(self, guild: Guild) -> None:
        payload = guild_create_payload(guild, bot_id=self.bot_user_id, all_members=False)
        # A guild joined after READY comes without "unavailable" (discord.py: guild_join).
        payload.pop("unavailable")
        self.dispatch("GUILD_CREATE", payload)

    # -- observing ---------------------------------------------------------------------------------
    def messages(self, channel_id: int) -> list[dict[str, Any]]:
        return copy.deepcopy(self.state.messages.get(channel_id, []))

    async def wait_for_messages(
        self,
        channel_id: int,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[dict[str, Any]]:
        await self.wait_until(
            lambda: len(self.state.messages.get(channel_id, [])) >= count,
            timeout,
            f"{count} message(s) in channel {channel_id}",
        )
        return self.messages(channel_id)

    def commands(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        return copy.deepcopy(self.state.commands.get(guild_id, []))

    async def wait_for_commands(
        self,
        guild_id: int | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> list[dict[str, Any]]:
        scope = "global" if guild_id is None else f"guild {guild_id}"
        await self.wait_until(
            lambda: self._synced.get(guild_id, 0) > 0, timeout, f"a command sync ({scope})"
        )
        return self.commands(guild_id)

    async def wait_for_ready(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """The bot identified and was sent READY plus every GUILD_CREATE."""
        await self.wait_until(lambda: self.gateway.has_session, timeout, "the bot to IDENTIFY")

    async def wait_for_resume(self, count: int = 1, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        await self.wait_until(lambda: self.stats.resumes >= count, timeout, f"{count} RESUME(s)")

    async def drop_gateway(self, code: int = 4000) -> int:
        """Abruptly close every gateway socket with a resumable code; the client should RESUME."""
        return await self.gateway.drop(code)


def _limited_flags(privileged: int) -> int:
    from .gateway import GUILD_MEMBERS, GUILD_PRESENCES, MESSAGE_CONTENT

    flags = 0
    for intent, flag in (
        (GUILD_PRESENCES, _FLAG_PRESENCE_LIMITED),
        (GUILD_MEMBERS, _FLAG_MEMBERS_LIMITED),
        (MESSAGE_CONTENT, _FLAG_CONTENT_LIMITED),
    ):
        if privileged & intent:
            flags |= flag
    return flags


def _target_type(guild: Guild, target_id: int) -> int:
    if target_id in guild.roles:
        return perms.ROLE_OVERWRITE
    if target_id in guild.members:
        return perms.MEMBER_OVERWRITE
    raise KeyError(f"{target_id} is neither a role nor a member of guild {guild.id}")


def _overwrite_list(spec: OverwriteSpec, guild: Guild) -> list[Overwrite]:
    if spec is None:
        return []
    if isinstance(spec, Mapping):
        return [Overwrite(t, _target_type(guild, t), a, d) for t, (a, d) in spec.items()]
    return list(spec)
