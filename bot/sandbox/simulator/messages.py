"""Building and editing stored messages, with Discord's computed fields."""

from __future__ import annotations

from typing import Any

from . import permissions as perms
from .mentions import MentionContext, compute_mentions
from .payloads import member_payload, user_payload, wire_message
from .state import SimState, User

EPHEMERAL = 1 << 6
LOADING = 1 << 7
SUPPRESS_EMBEDS = 1 << 2
SUPPRESS_NOTIFICATIONS = 1 << 12
# Flags a sender may set on create; the rest are Discord-owned.
_SETTABLE_ON_CREATE = SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS | EPHEMERAL | (1 << 15)
_SETTABLE_ON_EDIT = SUPPRESS_EMBEDS

# Keys Discord computes; a sender's values for them are replaced.
_EDITABLE = ("content", "embeds", "components", "allowed_mentions", "poll")


def _mention_fields(
    state: SimState,
    channel_id: int,
    author_id: int,
    content: str | None,
    allowed: dict[str, Any] | None,
    replied_user_id: int | None,
) -> dict[str, Any]:
    channel = state.channel(channel_id)
    guild = state.guild(channel.guild_id)
    can_everyone = bool(state.channel_permissions(channel_id, author_id) & perms.MENTION_EVERYONE)
    ctx = MentionContext(
        can_mention_everyone=can_everyone,
        known_user_ids=set(guild.members),
        mentionable_role_ids={r.id for r in guild.roles.values() if r.mentionable},
        known_role_ids=set(guild.roles) - {guild.id},
        replied_user_id=replied_user_id,
    )
    found = compute_mentions(content, allowed, ctx)
    return {
        "mention_everyone": found.everyone,
        "mentions": [
            {
                **user_payload(guild.members[u].user),
                "member": member_payload(guild.members[u], with_user=False),
            }
            for u in found.user_ids
        ],
        "mention_roles": [str(r) for r in found.role_ids],
    }


def _reference(state: SimState, channel_id: int, body: dict[str, Any]) -> dict[str, Any] | None:
    ref = body.get("message_reference")
    if not isinstance(ref, dict) or ref.get("message_id") is None:
        return None
    return state.channel_message(int(ref.get("channel_id") or channel_id), int(ref["message_id"]))


def build_message(
    state: SimState,
    *,
    channel_id: int,
    author: User,
    body: dict[str, Any],
    msg_type: int = 0,
    attachments: list[dict[str, Any]] | None = None,
    webhook_id: int | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A new message: the sender's JSON plus id, author, timestamp and resolved mentions."""
    channel = state.channel(channel_id)
    referenced = _reference(state, channel_id, body)
    replied_user = int(referenced["author"]["id"]) if referenced else None
    message: dict[str, Any] = {
        **body,
        "id": str(state.ids.next()),
        "channel_id": str(channel_id),
        "guild_id": str(channel.guild_id),
        "author": user_payload(author),
        "content": body.get("content") or "",
        "timestamp": state.wall_clock().isoformat(timespec="microseconds"),
        "edited_timestamp": None,
        "tts": bool(body.get("tts", False)),
        "attachments": attachments or [],
        "embeds": body.get("embeds") or [],
        "components": body.get("components") or [],
        "pinned": False,
        "type": msg_type,
        "flags": int(body.get("flags") or 0) & _SETTABLE_ON_CREATE,
        **_mention_fields(
            state,
            channel_id,
            author.id,
            body.get("content"),
            body.get("allowed_mentions"),
            replied_user,
        ),
    }
    if referenced is not None:
        message["referenced_message"] = wire_message(referenced)
    if webhook_id is not None:
        message["webhook_id"] = str(webhook_id)
        message["application_id"] = str(state.application_id)
    if extra:
        message.update(extra)
    return message


def apply_edit(state: SimState, message: dict[str, Any], body: dict[str, Any]) -> None:
    """Edit in place, as PATCH does: only sent keys change; mentions are recomputed."""
    for key in _EDITABLE:
        if key in body:
            message[key] = body[key] if body[key] is not None else _empty(key)
    if "flags" in body and body["flags"] is not None:
        kept = int(message.get("flags", 0)) & ~_SETTABLE_ON_EDIT
        message["flags"] = kept | (int(body["flags"]) & _SETTABLE_ON_EDIT)
    if "attachments" in body and isinstance(body["attachments"], list):
        keep = {str(a.get("id")) for a in body["attachments"]}
        message["attachments"] = [a for a in message["attachments"] if str(a["id"]) in keep]
    message["flags"] = int(message.get("flags", 0)) & ~LOADING
    message["edited_timestamp"] = state.wall_clock().isoformat(timespec="microseconds")
    referenced = message.get("referenced_message")
    message.update(
        _mention_fields(
            state,
            int(message["channel_id"]),
            int(message["author"]["id"]),
            message.get("content"),
            message.get("allowed_mentions"),
            int(referenced["author"]["id"]) if referenced else None,
        )
    )


def _empty(key: str) -> Any:
    return "" if key == "content" else None if key in ("allowed_mentions", "poll") else []


def gateway_message(state: SimState, message: dict[str, Any]) -> dict[str, Any]:
    """MESSAGE_CREATE/UPDATE data: the message plus the author's partial member."""
    data = wire_message(message)
    guild = state.guilds.get(int(message["guild_id"]))
    author_id = int(message["author"]["id"])
    if guild is not None and author_id in guild.members:
        data["member"] = member_payload(guild.members[author_id], with_user=False)
    return data
