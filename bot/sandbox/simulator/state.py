"""The simulator's model of Discord: guilds, channels, roles, members, messages, commands."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import permissions as perms
from .permissions import Overwrite

DISCORD_EPOCH_MS = 1_420_070_400_000


class SnowflakeFactory:
    """Time-based ids laid out like Discord's: ms since 2015 << 22 | worker | process | seq."""

    def __init__(self, worker: int = 1, process: int = 0, *, pinned_ms: int | None = None) -> None:
        self._prefix = ((worker & 0x1F) << 17) | ((process & 0x1F) << 12)
        self._last_ms = 0
        self._seq = 0
        self._lock = threading.Lock()
        # While pinned, ids come from one fixed instant in order, so the same build-up of a
        # world (the sandbox's demo server) gets the same ids every run.
        self._pinned_ms = pinned_ms

    def unpin(self) -> None:
        """Back to time-based ids (always later than any pinned one)."""
        self._pinned_ms = None

    def next(self) -> int:
        with self._lock:
            if self._pinned_ms is not None:
                now = max(self._pinned_ms - DISCORD_EPOCH_MS, self._last_ms)
            else:
                now = max(int(time.time() * 1000) - DISCORD_EPOCH_MS, self._last_ms)
            if now == self._last_ms:
                self._seq = (self._seq + 1) & 0xFFF
                if self._seq == 0:  # 4096 ids in one ms: borrow the next ms
                    now += 1
            else:
                self._seq = 0
            self._last_ms = now
            return (now << 22) | self._prefix | self._seq

    def next_in_new_ms(self) -> int:
        """An id whose timestamp no earlier id has (later than the clock in a burst)."""
        with self._lock:
            clock_ms = self._pinned_ms if self._pinned_ms is not None else time.time() * 1000
            self._last_ms = max(int(clock_ms) - DISCORD_EPOCH_MS, self._last_ms + 1)
            self._seq = 0
            return (self._last_ms << 22) | self._prefix


def snowflake_time(snowflake: int) -> dt.datetime:
    ms = (snowflake >> 22) + DISCORD_EPOCH_MS
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso_now() -> str:
    return utc_now().isoformat(timespec="microseconds")


@dataclass
class User:
    id: int
    username: str
    global_name: str | None = None
    bot: bool = False


@dataclass
class Role:
    id: int
    guild_id: int
    name: str
    permissions: int = 0
    mentionable: bool = False
    position: int = 0
    managed: bool = False
    bot_id: int | None = None


@dataclass
class Member:
    user: User
    guild_id: int
    role_ids: list[int] = field(default_factory=list)
    joined_at: str = field(default_factory=iso_now)

    @property
    def id(self) -> int:
        return self.user.id


@dataclass
class Channel:
    id: int
    guild_id: int
    name: str
    position: int = 0
    topic: str | None = None
    overwrites: dict[int, Overwrite] = field(default_factory=dict)
    last_message_id: int | None = None
    type: int = 0  # GUILD_TEXT
    # Fields only some channel types have, sent as they are (a forum's available_tags, a
    # thread's parent_id and thread_metadata).
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    joined_at: str = field(default_factory=iso_now)
    roles: dict[int, Role] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)

    @property
    def everyone(self) -> Role:
        return self.roles[self.id]


class SimState:
    """All simulated Discord data, plus permission look-ups over it."""

    def __init__(self, ids: SnowflakeFactory, bot_user: User, application_id: int) -> None:
        self.ids = ids
        self.bot_user = bot_user
        self.application_id = application_id
        # The wall clock for message timestamps; the sandbox swaps in its movable clock.
        self.wall_clock: Callable[[], dt.datetime] = utc_now
        self.users: dict[int, User] = {bot_user.id: bot_user}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        # Channel messages in creation order; ephemeral messages live only in ``message_index``.
        self.messages: dict[int, list[dict[str, Any]]] = {}
        self.message_index: dict[int, dict[str, Any]] = {}
        # Registered application commands: key None is global, else the guild id.
        self.commands: dict[int | None, list[dict[str, Any]]] = {}

    # -- look-ups ---------------------------------------------------------------------
    def guild(self, guild_id: int) -> Guild:
        try:
            return self.guilds[guild_id]
        except KeyError:
            raise KeyError(f"unknown guild {guild_id}") from None

    def channel(self, channel_id: int) -> Channel:
        try:
            return self.channels[channel_id]
        except KeyError:
            raise KeyError(f"unknown channel {channel_id}") from None

    def member(self, guild_id: int, user_id: int) -> Member:
        try:
            return self.guild(guild_id).members[user_id]
        except KeyError:
            raise KeyError(f"user {user_id} is not a member of guild {guild_id}") from None

    def find_role(self, role_id: int) -> Role | None:
        for guild in self.guilds.values():
            if role_id in guild.roles:
                return guild.roles[role_id]
        return None

    # -- permissions ------------------------------------------------------------------
    def guild_permissions(self, guild_id: int, user_id: int) -> int:
        guild = self.guild(guild_id)
        member = guild.members[user_id]
        role_perms = (guild.roles[r].permissions for r in member.role_ids if r in guild.roles)
        return perms.base_permissions(
            guild.everyone.permissions, role_perms, is_owner=user_id == guild.owner_id
        )

    def channel_permissions(self, channel_id: int, user_id: int) -> int:
        channel = self.channel(channel_id)
        member = self.member(channel.guild_id, user_id)
        return perms.apply_overwrites(
            self.guild_permissions(channel.guild_id, user_id),
            guild_id=channel.guild_id,
            member_id=user_id,
            member_role_ids=member.role_ids,
            overwrites=channel.overwrites,
        )

    def bot_channel_permissions(self, channel_id: int) -> int:
        return self.channel_permissions(channel_id, self.bot_user.id)

    # -- messages ---------------------------------------------------------------------
    def store_message(self, message: dict[str, Any], *, in_channel: bool) -> None:
        msg_id = int(message["id"])
        self.message_index[msg_id] = message
        if in_channel:
            channel_id = int(message["channel_id"])
            self.messages.setdefault(channel_id, []).append(message)
            if channel_id in self.channels:
                self.channels[channel_id].last_message_id = msg_id

    def remove_message(self, message_id: int) -> dict[str, Any] | None:
        message = self.message_index.pop(message_id, None)
        if message is not None:
            history = self.messages.get(int(message["channel_id"]), [])
            self.messages[int(message["channel_id"])] = [
                m for m in history if int(m["id"]) != message_id
            ]
        return message

    def channel_message(self, channel_id: int, message_id: int) -> dict[str, Any] | None:
        for message in self.messages.get(channel_id, []):
            if int(message["id"]) == message_id:
                return message
        return None

    def find_by_nonce(
        self, channel_id: int, author_id: int, nonce: str, *, since: dt.datetime
    ) -> dict[str, Any] | None:
        for message in reversed(self.messages.get(channel_id, [])):
            if snowflake_time(int(message["id"])) < since:
                break
            if str(message.get("nonce")) == nonce and int(message["author"]["id"]) == author_id:
                return message
        return None
