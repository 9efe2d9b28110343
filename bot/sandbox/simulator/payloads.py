"""Discord JSON shapes built from the simulator's state (ids are strings, as on the wire)."""

from __future__ import annotations

from typing import Any

from .state import Channel, Guild, Member, Role, SimState, User

# Request-only keys kept in stored messages but never echoed back by Discord.
_REQUEST_ONLY_KEYS = frozenset({"allowed_mentions", "enforce_nonce", "attachments_upload"})


def user_payload(user: User) -> dict[str, Any]:
    return {
        "id": str(user.id),
        "username": user.username,
        "discriminator": "0",
        "global_name": user.global_name,
        "avatar": None,
        "banner": None,
        "accent_color": None,
        "avatar_decoration_data": None,
        "public_flags": 0,
        "flags": 0,
        "bot": user.bot,
        "system": False,
    }


def me_payload(user: User) -> dict[str, Any]:
    """``GET /users/@me``: the user object plus the private fields a bot sees."""
    return {**user_payload(user), "verified": True, "mfa_enabled": False, "locale": "en-US"}


def role_payload(role: Role) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": str(role.id),
        "name": role.name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": role.position,
        "permissions": str(role.permissions),
        "managed": role.managed,
        "mentionable": role.mentionable,
        "flags": 0,
    }
    if role.bot_id is not None:
        payload["tags"] = {"bot_id": str(role.bot_id)}
    return payload


def member_payload(member: Member, *, with_user: bool = True) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "nick": None,
        "avatar": None,
        "banner": None,
        "roles": [str(r) for r in member.role_ids],
        "joined_at": member.joined_at,
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": None,
    }
    if with_user:
        payload["user"] = user_payload(member.user)
    return payload


def overwrites_payload(channel: Channel) -> list[dict[str, Any]]:
    return [
        {"id": str(ow.target_id), "type": ow.type, "allow": str(ow.allow), "deny": str(ow.deny)}
        for ow in channel.overwrites.values()
    ]


def channel_payload(channel: Channel) -> dict[str, Any]:
    last = channel.last_message_id
    return {
        "id": str(channel.id),
        "type": channel.type,
        "guild_id": str(channel.guild_id),
        "name": channel.name,
        "position": channel.position,
        "permission_overwrites": overwrites_payload(channel),
        "topic": channel.topic,
        "nsfw": False,
        "last_message_id": None if last is None else str(last),
        "rate_limit_per_user": 0,
        "parent_id": None,
        "flags": 0,
        "default_auto_archive_duration": 1440,
        **channel.extra,
    }


def guild_payload(guild: Guild) -> dict[str, Any]:
    """The REST guild object (no channels or members, as ``GET /guilds/{id}`` returns)."""
    return {
        "id": str(guild.id),
        "name": guild.name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "description": None,
        "owner_id": str(guild.owner_id),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 1,
        "explicit_content_filter": 0,
        "roles": [role_payload(r) for r in guild.roles.values()],
        "emojis": [],
        "stickers": [],
        "features": [],
        "mfa_level": 0,
        "application_id": None,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "max_members": 500000,
        "vanity_url_code": None,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "en-US",
        "nsfw_level": 0,
        "premium_progress_bar_enabled": False,
        "incidents_data": None,
    }


def guild_create_payload(guild: Guild, *, bot_id: int, all_members: bool) -> dict[str, Any]:
    """GUILD_CREATE: the guild plus channels, and members (only the bot without GUILD_MEMBERS)."""
    members = [member_payload(m) for m in guild.members.values() if all_members or m.id == bot_id]
    return {
        **guild_payload(guild),
        "joined_at": guild.joined_at,
        "large": False,
        "unavailable": False,
        "member_count": len(guild.members),
        "channels": [channel_payload(c) for c in guild.channels.values()],
        "members": members,
        "voice_states": [],
        "presences": [],
        "threads": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
    }


def application_payload(state: SimState, *, flags: int) -> dict[str, Any]:
    bot = user_payload(state.bot_user)
    return {
        "id": str(state.application_id),
        "name": state.bot_user.username,
        "icon": None,
        "description": "",
        "summary": "",
        "type": None,
        "bot": bot,
        "owner": {**bot, "id": str(state.application_id), "bot": False, "username": "owner"},
        "team": None,
        "rpc_origins": [],
        "bot_public": True,
        "bot_require_code_grant": False,
        "verify_key": f"{state.application_id:064x}"[-64:],
        "flags": flags,
        "interactions_endpoint_url": None,
        "redirect_uris": [],
        "tags": [],
        "approximate_guild_count": len(state.guilds),
        "integration_types_config": {"0": {}},
    }


def wire_message(message: dict[str, Any]) -> dict[str, Any]:
    """A stored message as Discord returns it (request-only keys dropped)."""
    return {k: v for k, v in message.items() if k not in _REQUEST_ONLY_KEYS}


def error_body(code: int, message: str) -> dict[str, Any]:
    return {"message": message, "code": code}
