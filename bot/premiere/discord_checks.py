"""The premiere kit's checks and argument builders over discord.py objects: what the bot may
do in a server (from the guild cache), the words for /premiere status, and the arguments of
Discord calls. Kept out of the cog so it stays a thin shell over these and bot/premiere."""

from __future__ import annotations

import discord

from bot.database.premiere import EventLink
from bot.premiere import notify
from bot.premiere.events import SERVER_EVENT_LOCATION, WantedEvent
from bot.premiere.settings import PremiereSettings

EVENTS_NEED = (
    "I need the **Manage Events** permission to keep this server's Discord events. "
    "Give it to my role in Server Settings → Roles, then run `/premiere events enabled: True`."
)


def role_facts(guild: discord.Guild, role: discord.Role) -> notify.RoleFacts:
    me = guild.me
    return notify.RoleFacts(
        role_name=role.name,
        bot_role_name=me.top_role.name,
        manage_roles=me.guild_permissions.manage_roles,
        below_bot=role < me.top_role,
        managed=role.managed or role.is_default(),
    )


def status_text(settings: PremiereSettings) -> str:
    def line(name: str, on: bool, problem: str | None) -> str:
        state = "on" if on else "off"
        return f"**{name}**: {state}" + (f"\n  ⚠️ {problem}" if problem else "")

    return "\n".join(
        [
            line("🔔 Notify me button", settings.notify_button, settings.notify_problem),
            line(
                "📅 Discord events" + (" (paused)" if settings.events_paused else ""),
                settings.discord_events,
                settings.events_problem,
            ),
            line("🧵 Release-day threads", settings.release_threads, settings.threads_problem),
        ]
    )


THREAD_ALREADY_CREATED = 160004  # a resend after a crash found the thread already there
THREADS_NEED = (
    "I need **View Channel**, **Send Messages**, **Create Public Threads** and **Send Messages "
    "in Threads** in that channel. Grant them in the channel's permissions."
)


FORUM_NEEDS = (
    "I need **View Channel**, **Send Messages** (to create posts) and **Send Messages in "
    "Threads** in that forum. Grant them in the forum's permissions."
)


def thread_problem(channel: object) -> str | None:
    """Why the bot can't open a release-day thread or forum post in ``channel``; None when
    it can. Tags are not a requirement: without one, the post goes out untagged."""
    if isinstance(channel, discord.ForumChannel):
        needed = discord.Permissions(
            view_channel=True, send_messages=True, send_messages_in_threads=True
        )
        need_text = FORUM_NEEDS
    elif isinstance(channel, discord.TextChannel):
        needed = discord.Permissions(
            view_channel=True,
            send_messages=True,
            read_message_history=True,
            create_public_threads=True,
            send_messages_in_threads=True,
        )
        need_text = THREADS_NEED
    else:
        return "The release-day channel no longer exists, or is not a text or forum channel."
    if not channel.permissions_for(channel.guild.me) >= needed:
        return f"In {channel.mention}: {need_text}"
    return None


def event_link(guild_id: int, wanted: WantedEvent, event_id: int | None) -> EventLink:
    return EventLink(
        guild_id, wanted.source_key, event_id, wanted.name, wanted.starts_at, wanted.ends_at
    )


def create_args(guild: discord.Guild, wanted: WantedEvent) -> dict[str, object]:
    args: dict[str, object] = {
        "name": wanted.name,
        "description": wanted.description,
        "start_time": wanted.starts_at,
        "end_time": wanted.ends_at,
        "privacy_level": discord.PrivacyLevel.guild_only,
        "reason": "Heartstopper bot: premiere events",
    }
    channel = guild.get_channel(wanted.channel_id) if wanted.channel_id else None
    if isinstance(channel, discord.StageChannel):
        args.update(entity_type=discord.EntityType.stage_instance, channel=channel)
    elif isinstance(channel, discord.VoiceChannel):
        args.update(entity_type=discord.EntityType.voice, channel=channel)
    else:  # external; also when the picked channel was deleted
        location = wanted.location or SERVER_EVENT_LOCATION
        args.update(entity_type=discord.EntityType.external, location=location)
    return args


def reset_note(settings: PremiereSettings) -> str | None:
    """What ``/countdown reset`` leaves of the premiere kit, for its reply (None: nothing on)."""
    on = [
        name
        for name, flag in (
            ("🔔 Notify me", settings.notify_button),
            ("📅 Discord events", settings.discord_events),
            ("🧵 release-day threads", settings.release_threads),
        )
        if flag
    ]
    if not on:
        return None
    return (
        f"The `/premiere` options stay on ({', '.join(on)}); the button and the threads use "
        "the role and channel of your next `/countdown setup`. `/premiere status` shows them."
    )
