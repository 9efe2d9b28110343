"""The "user" side of interactions: running commands, autocomplete and clicking components."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from . import permissions as perms
from .faults import SimStats
from .gateway import Gateway
from .interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    DEFERRALS,
    MESSAGE_COMPONENT,
    NO_RESPONSE,
    InteractionRecord,
    InteractionResult,
    OptionBuilder,
)
from .payloads import channel_payload, member_payload, wire_message
from .state import SimState, SnowflakeFactory

BUTTON = 2
ATTACHMENT_LIMIT = 10 * 1024 * 1024


class CommandNotAvailable(ValueError):
    """Discord would not even show this command to this member (default_member_permissions)."""


def iter_components(components: Any) -> Iterator[dict[str, Any]]:
    """Every component in a message, however deeply nested (action rows, containers...)."""
    for comp in components or []:
        if isinstance(comp, dict):
            yield comp
            yield from iter_components(comp.get("components"))
            if isinstance(comp.get("accessory"), dict):
                yield comp["accessory"]


class InteractionDriver:
    """Mixed into ``Simulator``; plays the human who invokes things in the Discord client."""

    state: SimState
    ids: SnowflakeFactory
    stats: SimStats
    gateway: Gateway
    interaction_deadline: float
    interactions: dict[int, InteractionRecord]
    interactions_by_token: dict[str, InteractionRecord]

    def clock(self) -> float:  # overridden by Simulator
        raise NotImplementedError

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 (the control API mirrors asyncio.wait_for)
        what: str = "condition",
    ) -> None:
        raise NotImplementedError

    # -- public API --------------------------------------------------------------------------
    async def run_command(
        self,
        guild_id: int,
        channel_id: int,
        member_id: int,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        wait_for_followup: bool = False,
        followup_timeout: float = 10.0,
    ) -> InteractionResult:
        """Invoke ``/name`` ("group sub" for subcommands) as ``member_id`` and await the reply."""
        root, *path = name.split()
        command = self._find_command(guild_id, root)
        self._check_can_see(command, guild_id, member_id)
        builder = OptionBuilder(self.state, guild_id, member_id)
        data: dict[str, Any] = {
            "id": command["id"],
            "name": command["name"],
            "type": 1,
            "options": builder.build(command, path, options or {}),
        }
        if builder.resolved:
            data["resolved"] = builder.resolved
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        rec = self._dispatch_interaction(
            APPLICATION_COMMAND, guild_id, channel_id, member_id, data, name=name
        )
        return await self._await_result(rec, wait_for_followup, followup_timeout)

    async def autocomplete(
        self,
        guild_id: int,
        channel_id: int,
        member_id: int,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        focused: str,
    ) -> InteractionResult:
        """Type into option ``focused``; the result's ``choices`` are what the bot offered."""
        root, *path = name.split()
        command = self._find_command(guild_id, root)
        builder = OptionBuilder(self.state, guild_id, member_id)
        data: dict[str, Any] = {
            "id": command["id"],
            "name": command["name"],
            "type": 1,
            "options": builder.build(command, path, options or {}, focused=focused),
        }
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        rec = self._dispatch_interaction(
            AUTOCOMPLETE, guild_id, channel_id, member_id, data, name=name
        )
        return await self._await_result(rec, False, 0)

    async def click_button(
        self,
        result_or_message: InteractionResult | Mapping[str, Any],
        custom_id: str,
        member_id: int,
        *,
        followup_timeout: float = 10.0,
    ) -> InteractionResult:
        return await self._component(
            result_or_message, custom_id, member_id, None, followup_timeout
        )

    async def select(
        self,
        result_or_message: InteractionResult | Mapping[str, Any],
        custom_id: str,
        member_id: int,
        values: list[str],
        *,
        followup_timeout: float = 10.0,
    ) -> InteractionResult:
        return await self._component(
            result_or_message, custom_id, member_id, values, followup_timeout
        )

    # -- internals ---------------------------------------------------------------------------
    def _find_command(self, guild_id: int, root: str) -> dict[str, Any]:
        for scope in (guild_id, None):
            for command in self.state.commands.get(scope, []):
                if command["name"] == root and command.get("type", 1) == 1:
                    return command
        raise ValueError(
            f"/{root} is not registered for guild {guild_id} or globally "
            "(did the bot sync its command tree?)"
        )

    def _check_can_see(self, command: Mapping[str, Any], guild_id: int, member_id: int) -> None:
        required = command.get("default_member_permissions")
        if required is None:
            return
        granted = self.state.guild_permissions(guild_id, member_id)
        if not perms.has(granted, int(required)):
            raise CommandNotAvailable(
                f"/{command['name']} needs permissions {required}; member {member_id} has {granted}"
            )

    async def _component(
        self,
        source: InteractionResult | Mapping[str, Any],
        custom_id: str,
        member_id: int,
        values: list[str] | None,
        followup_timeout: float,
    ) -> InteractionResult:
        shown = source.message if isinstance(source, InteractionResult) else dict(source)
        if shown is None:
            raise ValueError("that interaction has no message to click on")
        message = self.state.message_index.get(int(shown["id"]))
        if message is None:
            raise ValueError(f"message {shown['id']} no longer exists")
        component = next(
            (
                c
                for c in iter_components(message.get("components"))
                if c.get("custom_id") == custom_id
            ),
            None,
        )
        if component is None:
            raise ValueError(f"no component with custom_id {custom_id!r} on message {shown['id']}")
        if component.get("disabled"):
            kind = "button" if component.get("type") == BUTTON else "menu"
            raise ValueError(f"that {kind} is disabled (greyed out)")
        if values is None and component.get("type") != BUTTON:
            raise ValueError(f"component {custom_id!r} is not a button")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component["type"]}
        if values is not None:
            data["values"] = list(values)
        rec = self._dispatch_interaction(
            MESSAGE_COMPONENT,
            int(message["guild_id"]),
            int(message["channel_id"]),
            member_id,
            data,
            source_message=message,
        )
        return await self._await_result(rec, False, followup_timeout)

    def _dispatch_interaction(
        self,
        kind: int,
        guild_id: int,
        channel_id: int,
        member_id: int,
        data: dict[str, Any],
        *,
        name: str = "",
        source_message: dict[str, Any] | None = None,
    ) -> InteractionRecord:
        state = self.state
        guild = state.guild(guild_id)
        channel = state.channel(channel_id)
        if channel.guild_id != guild_id:
            raise ValueError(f"channel {channel_id} is not in guild {guild_id}")
        member = state.member(guild_id, member_id)
        member_perms = state.channel_permissions(channel_id, member_id)
        if not member_perms & perms.VIEW_CHANNEL:
            raise ValueError(f"member {member_id} cannot see channel {channel_id}")
        if kind != MESSAGE_COMPONENT and not member_perms & perms.USE_APPLICATION_COMMANDS:
            raise CommandNotAvailable(f"member {member_id} may not use commands in {channel_id}")

        interaction_id = self.ids.next()
        token = secrets.token_urlsafe(64)
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(state.application_id),
            "type": kind,
            "data": data,
            "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
            "channel_id": str(channel.id),
            "channel": {**channel_payload(channel), "permissions": str(member_perms)},
            "member": {**member_payload(member), "permissions": str(member_perms)},
            "token": token,
            "version": 1,
            "app_permissions": str(state.bot_channel_permissions(channel.id)),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "entitlement_sku_ids": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": ATTACHMENT_LIMIT,
        }
        if source_message is not None:
            payload["message"] = wire_message(source_message)
        now = self.clock()
        rec = InteractionRecord(
            id=interaction_id,
            token=token,
            kind=kind,
            guild_id=guild.id,
            channel_id=channel.id,
            user_id=member_id,
            dispatched_at=now,
            deadline_at=now + self.interaction_deadline,
            name=name,
            source_message=source_message,
        )
        if self.gateway.dispatch("INTERACTION_CREATE", payload) == 0:
            raise RuntimeError("no bot is connected to the simulator's gateway")
        self.interactions[interaction_id] = rec
        self.interactions_by_token[token] = rec
        self.stats.interactions += 1
        return rec

    async def _await_result(
        self, rec: InteractionRecord, wait_for_followup: bool, followup_timeout: float
    ) -> InteractionResult:
        result = InteractionResult(rec)
        try:
            await self.wait_until(
                lambda: rec.callback_type is not None,
                max(0.0, rec.deadline_at - self.clock()),
                f"the response to interaction {rec.id}",
            )
        except TimeoutError:
            if rec.callback_type is None:
                rec.expired = True
                result.error = NO_RESPONSE
                return result
        if rec.callback_type in DEFERRALS:
            await self._soft_wait(lambda: rec.updates > 0, followup_timeout)
        if wait_for_followup:
            await self._soft_wait(lambda: bool(rec.followups), followup_timeout)
        return result

    async def _soft_wait(self, predicate: Callable[[], bool], limit: float) -> None:
        """Bounded wait that leaves the result to speak for itself on timeout."""
        try:
            await self.wait_until(predicate, limit)
        except TimeoutError:
            pass
