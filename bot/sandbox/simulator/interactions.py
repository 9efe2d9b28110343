"""Interaction records, the results tests see, and slash-command option payloads."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .messages import EPHEMERAL, LOADING
from .payloads import member_payload, role_payload, user_payload
from .state import SimState

PING, APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
# Callback types Discord accepts for each interaction type.
ALLOWED_CALLBACKS: dict[int, frozenset[int]] = {
    PING: frozenset({1}),
    APPLICATION_COMMAND: frozenset({4, 5, 9}),
    MESSAGE_COMPONENT: frozenset({4, 5, 6, 7, 9}),
    AUTOCOMPLETE: frozenset({8}),
    MODAL_SUBMIT: frozenset({4, 5, 6, 7}),
}
DEFERRALS = frozenset({5, 6})
NO_RESPONSE = "The application did not respond"
TOKEN_LIFETIME = 15 * 60.0

SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER = 3, 4, 5, 6, 7, 8, 9, 10


@dataclass
class InteractionRecord:
    """Everything the simulator knows about one interaction it dispatched."""

    id: int
    token: str
    kind: int
    guild_id: int
    channel_id: int
    user_id: int
    dispatched_at: float
    deadline_at: float
    on_wire_at: float | None = None  # the event was written to the bot's socket
    name: str = ""
    source_message: dict[str, Any] | None = None
    callback_type: int | None = None
    callback_at: float | None = None
    ephemeral: bool = False
    original: dict[str, Any] | None = None
    original_deleted: bool = False
    followups: list[dict[str, Any]] = field(default_factory=list)
    choices: list[dict[str, Any]] | None = None
    modal: dict[str, Any] | None = None
    updates: int = 0
    expired: bool = False
    late_callbacks: int = 0

    @property
    def latency(self) -> float | None:
        return None if self.callback_at is None else self.callback_at - self.dispatched_at

    @property
    def bot_latency(self) -> float | None:
        """The bot's share of ``latency``: from the event on the bot's socket to the callback
        reaching the simulator, leaving out the simulator's own encoding and compression."""
        if self.callback_at is None or self.on_wire_at is None:
            return None
        return self.callback_at - self.on_wire_at


class InteractionResult:
    """A live view of how the bot answered one interaction.

    Message properties read the stored message as it is *now*, so a deferred reply
    shows its later edit.
    """

    def __init__(self, record: InteractionRecord) -> None:
        self._record = record
        self.error: str | None = None

    @property
    def id(self) -> int:
        return self._record.id

    @property
    def type(self) -> int | None:
        """The initial callback type (4 message, 5/6 deferral, 7 update, 8 choices, 9 modal)."""
        return self._record.callback_type

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def latency(self) -> float | None:
        return self._record.latency

    @property
    def bot_latency(self) -> float | None:
        return self._record.bot_latency

    @property
    def ephemeral(self) -> bool:
        return self._record.ephemeral

    @property
    def deferred(self) -> bool:
        return self._record.callback_type in DEFERRALS

    @property
    def message(self) -> dict[str, Any] | None:
        rec = self._record
        if rec.original is None or rec.original_deleted:
            return None
        return copy.deepcopy(rec.original)

    @property
    def loading(self) -> bool:
        msg = self._record.original
        return msg is not None and bool(int(msg.get("flags", 0)) & LOADING)

    @property
    def content(self) -> str | None:
        msg = self.message
        return None if msg is None else msg.get("content", "")

    @property
    def embeds(self) -> list[dict[str, Any]]:
        msg = self.message
        return [] if msg is None else list(msg.get("embeds") or [])

    @property
    def components(self) -> list[dict[str, Any]]:
        msg = self.message
        return [] if msg is None else list(msg.get("components") or [])

    @property
    def flags(self) -> int:
        msg = self.message
        return 0 if msg is None else int(msg.get("flags", 0))

    @property
    def followups(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self._record.followups)

    @property
    def choices(self) -> list[dict[str, Any]] | None:
        return copy.deepcopy(self._record.choices)

    @property
    def modal(self) -> dict[str, Any] | None:
        return copy.deepcopy(self._record.modal)

    @property
    def record(self) -> InteractionRecord:
        return self._record

    def __repr__(self) -> str:
        return (
            f"<InteractionResult id={self.id} type={self.type} ephemeral={self.ephemeral} "
            f"error={self.error!r} content={self.content!r}>"
        )


def is_ephemeral_flags(flags: Any) -> bool:
    return bool(int(flags or 0) & EPHEMERAL)


# -- slash-command option payloads ------------------------------------------------------
def _option(schema: list[Mapping[str, Any]], name: str) -> Mapping[str, Any]:
    return next(o for o in schema if o["name"] == name)


class OptionBuilder:
    """Turns ``{"name": value}`` into Discord's option list and ``resolved`` data."""

    def __init__(self, state: SimState, guild_id: int, invoker_id: int) -> None:
        self.state = state
        self.guild = state.guild(guild_id)
        self.invoker_id = invoker_id
        self.resolved: dict[str, dict[str, Any]] = {}

    def build(
        self,
        command: Mapping[str, Any],
        path: list[str],
        values: Mapping[str, Any],
        *,
        focused: str | None = None,
    ) -> list[dict[str, Any]]:
        schema: list[Mapping[str, Any]] = list(command.get("options") or [])
        chain: list[Mapping[str, Any]] = []
        for part in path:
            found = next(
                (
                    o
                    for o in schema
                    if o["name"] == part and o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)
                ),
                None,
            )
            if found is None:
                raise ValueError(f"/{command['name']} has no subcommand {part!r}")
            chain.append(found)
            schema = list(found.get("options") or [])
        if any(o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP) for o in schema):
            names = ", ".join(o["name"] for o in schema)
            raise ValueError(f"/{' '.join([command['name'], *path])} needs a subcommand: {names}")

        known = {o["name"] for o in schema}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown option(s) {sorted(unknown)}; command has {sorted(known)}")
        if focused is not None and focused not in known:
            raise ValueError(f"focused option {focused!r} is not an option of this command")
        if focused is not None and not _option(schema, focused).get("autocomplete"):
            # Discord's client only asks for suggestions where the command offers them.
            raise ValueError(
                f"Discord offers no suggestions for {focused}: (it has no autocomplete)"
            )

        leaf: list[dict[str, Any]] = []
        for opt in schema:
            name = opt["name"]
            if name not in values:
                if opt.get("required") and focused is None:
                    raise ValueError(f"required option {name!r} is missing")
                continue
            if name == focused:
                leaf.append(
                    {"type": opt["type"], "name": name, "value": str(values[name]), "focused": True}
                )
            else:
                leaf.append(
                    {
                        "type": opt["type"],
                        "name": name,
                        "value": self._convert(opt, values[name], resolve=focused is None),
                    }
                )
        options: list[dict[str, Any]] = leaf
        for parent in reversed(chain):
            options = [{"type": parent["type"], "name": parent["name"], "options": options}]
        return options

    def _convert(self, opt: Mapping[str, Any], value: Any, *, resolve: bool) -> Any:
        kind = opt["type"]
        if kind == STRING:
            result: Any = str(value)
            _check_range(opt, len(result), "min_length", "max_length")
        elif kind == INTEGER:
            if isinstance(value, bool) or int(value) != value:
                raise ValueError(f"option {opt['name']!r} needs an integer, got {value!r}")
            result = int(value)
            _check_range(opt, result, "min_value", "max_value")
        elif kind == NUMBER:
            result = float(value)
            _check_range(opt, result, "min_value", "max_value")
        elif kind == BOOLEAN:
            if not isinstance(value, bool):
                raise ValueError(f"option {opt['name']!r} needs a bool, got {value!r}")
            result = value
        elif kind in (USER, CHANNEL, ROLE, MENTIONABLE):
            result = str(int(getattr(value, "id", value)))
            if resolve:
                self._resolve(opt, kind, int(result))
        else:
            raise ValueError(f"option type {kind} is not supported by the simulator")
        choices = opt.get("choices")
        if choices and result not in [c["value"] for c in choices]:
            raise ValueError(f"{result!r} is not one of the choices of {opt['name']!r}")
        return result

    def _resolve(self, opt: Mapping[str, Any], kind: int, target: int) -> None:
        guild = self.guild
        if kind in (USER, MENTIONABLE) and target in guild.members:
            member = guild.members[target]
            self.resolved.setdefault("users", {})[str(target)] = user_payload(member.user)
            member_data = member_payload(member, with_user=False)
            member_data["permissions"] = str(self.state.guild_permissions(guild.id, target))
            self.resolved.setdefault("members", {})[str(target)] = member_data
        elif kind in (ROLE, MENTIONABLE) and target in guild.roles:
            self.resolved.setdefault("roles", {})[str(target)] = role_payload(guild.roles[target])
        elif kind == CHANNEL and target in guild.channels:
            channel = guild.channels[target]
            allowed_types = opt.get("channel_types")
            if allowed_types and channel.type not in allowed_types:
                raise ValueError(f"channel {target} is not of types {allowed_types}")
            self.resolved.setdefault("channels", {})[str(target)] = {
                "id": str(channel.id),
                "name": channel.name,
                "type": channel.type,
                "guild_id": str(guild.id),
                "parent_id": None,
                "topic": channel.topic,
                "position": channel.position,
                "nsfw": False,
                "rate_limit_per_user": 0,
                "flags": 0,
                "permissions": str(self.state.channel_permissions(channel.id, self.invoker_id)),
            }
        else:
            raise ValueError(f"option {opt['name']!r}: no such user/role/channel {target} here")


def _check_range(opt: Mapping[str, Any], value: float, low_key: str, high_key: str) -> None:
    low, high = opt.get(low_key), opt.get(high_key)
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"option {opt['name']!r}: {value} is outside [{low}, {high}]")
