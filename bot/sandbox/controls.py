"""Faults on demand for the sandbox: what a server admin can do to a bot, and Discord outages.

Pure parsing here (so it is table-tested); the session applies the result to the simulator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.sandbox.simulator import permissions as perms

# Words a person would use for the permissions the bot needs (README: 19456) and may use,
# then the premiere kit's (README: Premiere kit); events and roles are server-wide.
PERMISSION_WORDS: dict[str, tuple[int, str]] = {
    "view": (perms.VIEW_CHANNEL, "View Channel"),
    "send": (perms.SEND_MESSAGES, "Send Messages"),
    "embed": (perms.EMBED_LINKS, "Embed Links"),
    "mention": (perms.MENTION_EVERYONE, "Mention @everyone, @here and All Roles"),
    "events": (perms.MANAGE_EVENTS, "Manage Events"),
    "roles": (perms.MANAGE_ROLES, "Manage Roles"),
    "threads": (
        perms.READ_MESSAGE_HISTORY | perms.CREATE_PUBLIC_THREADS | perms.SEND_MESSAGES_IN_THREADS,
        "Read Message History, Create Public Threads, Send Messages in Threads",
    ),
}
SERVER = "server"  # .grant server events: the bot's role, not one channel
OUTAGE_STATUS = {"5xx": 503, "500": 500, "502": 502, "503": 503, "429": 429}
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*(s|m)?$")


class ControlError(ValueError):
    """A sandbox command with arguments it can't use; the message says what to type."""


@dataclass(frozen=True, slots=True)
class PermissionChange:
    channel: str
    bits: int
    names: tuple[str, ...]


def parse_permission_change(text: str, verb: str) -> PermissionChange:
    """``#countdown send [embed ...]`` (or ``server events``) -> the channel reference, or
    ``server`` for the bot's role, and the permission bits."""
    usage = f"use {verb} #channel|server {'|'.join(PERMISSION_WORDS)}, e.g. {verb} #countdown send"
    channel, *words = text.split() or [""]
    if not (channel.startswith("#") or channel.lower() == SERVER) or not words:
        raise ControlError(usage)
    bits, names = 0, []
    for word in words:
        found = PERMISSION_WORDS.get(word.lower())
        if found is None:
            raise ControlError(f"unknown permission {word!r}; {usage}")
        bits |= found[0]
        names.append(found[1])
    return PermissionChange(SERVER if channel.lower() == SERVER else channel, bits, tuple(names))


@dataclass(frozen=True, slots=True)
class Outage:
    status: int | None  # None: end any outage now
    seconds: float


def parse_outage(text: str) -> Outage:
    """``5xx 30s`` / ``429 2m`` / ``off``."""
    usage = ".outage needs 5xx or 429 and a duration, e.g. .outage 5xx 30s (or .outage off)"
    words = text.lower().split()
    if words == ["off"]:
        return Outage(None, 0.0)
    if len(words) != 2 or words[0] not in OUTAGE_STATUS:
        raise ControlError(usage)
    match = _DURATION.match(words[1])
    if match is None:
        raise ControlError(usage)
    seconds = float(match[1]) * (60 if match[2] == "m" else 1)
    if not 0 < seconds <= 600:
        raise ControlError(".outage lasts between 1 second and 10 minutes")
    return Outage(OUTAGE_STATUS[words[0]], seconds)
