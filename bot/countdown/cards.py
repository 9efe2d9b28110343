"""What the admin commands show: the status card and the checks made before saving a channel.

Pure functions: the cog gathers the facts (permissions, settings, status) and these decide
the words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import discord

from bot.countdown.planner import PlannedPost, Target
from bot.countdown.settings import Cadence, CountdownSettings, CustomEvent, event_target, follows_on
from bot.show.releases import (
    describe_when,
    discord_timestamps,
    local_release_day,
    release_instant,
)

# What the bot needs in the countdown channel, with the words Discord's settings use.
REQUIRED_CHANNEL_PERMISSIONS: tuple[tuple[str, str], ...] = (
    ("view_channel", "View Channel"),
    ("send_messages", "Send Messages"),
    ("embed_links", "Embed Links"),
)


@dataclass(frozen=True, slots=True)
class ChannelCheck:
    ok: bool
    problem: str = ""


def check_channel(
    channel_mention: str,
    permissions: discord.Permissions,
    *,
    role: discord.Role | None = None,
) -> ChannelCheck:
    """Can the bot post (and ping ``role``) in the channel? Names the first missing permission."""
    # Discord strips Embed Links from a member who can't send, and Send from one who can't
    # see: name the first missing permission in that chain, the one to fix.
    missing = next(
        (label for attr, label in REQUIRED_CHANNEL_PERMISSIONS if not getattr(permissions, attr)),
        None,
    )
    if missing:
        return ChannelCheck(
            False,
            f"I can't post in {channel_mention}: I'm missing the **{missing}** permission "
            "there. Give me that in the channel's permissions (or pick another channel) "
            "and try again.",
        )
    if role is not None:
        problem = role_problem(role, permissions)
        if problem:
            return ChannelCheck(False, problem)
    return ChannelCheck(True)


def role_problem(role: discord.Role, permissions: discord.Permissions) -> str:
    """Why the bot can't ping ``role`` in a channel with ``permissions`` ("" if it can)."""
    if role.is_default():
        return "I won't ping @everyone. Pick a role that fans can opt into instead."
    if role.managed:
        return f"{role.mention} belongs to an integration or bot; pick a role people can join."
    if not role.mentionable and not permissions.mention_everyone:
        return (
            f"I can't ping {role.mention}: the role isn't mentionable. Turn on "
            "**Allow anyone to @mention this role** in Server Settings → Roles, "
            "or give me **Mention @everyone, @here and All Roles**."
        )
    return ""


def _stamp(instant: dt.datetime | None) -> str:
    if instant is None:
        return "—"
    full, relative = discord_timestamps(instant)
    return f"{full} ({relative})"


def describe_target(target: Target | None, settings: CountdownSettings) -> str:
    if target is None:
        if settings.target.startswith("event:"):
            return "a custom event that no longer exists — pick a new target"
        return "nothing upcoming in the show data"
    instant = release_instant(target.when, settings.zone)
    when = _stamp(instant) if instant else describe_when(target.when)
    mode = " (moves on automatically)" if follows_on(settings.target) else ""
    return f"**{discord.utils.escape_markdown(target.title)}**{mode}: {when}"


def status_embed(
    settings: CountdownSettings,
    *,
    target: Target | None,
    finished: bool,
    next_post_at: dt.datetime | None,
    last_post_at: dt.datetime | None,
    last_post_link: str | None,
    last_error: str | None,
) -> discord.Embed:
    if settings.channel_id is None:
        state = "Not set up yet: run `/countdown setup`."
    elif not settings.enabled:
        state = "⏸️ Paused: `/countdown resume` starts it again."
    elif finished:
        state = "✅ Finished: pick a new target with `/countdown target`."
    else:
        state = "▶️ Active"
    embed = discord.Embed(title="Countdown status", description=state, colour=0xF4A6C0)
    channel = f"<#{settings.channel_id}>" if settings.channel_id else "—"
    embed.add_field(name="Channel", value=channel)
    embed.add_field(
        name="Post time", value=f"{settings.post_time.strftime('%H:%M')} {settings.timezone}"
    )
    embed.add_field(name="Pings", value=f"<@&{settings.role_id}>" if settings.role_id else "nobody")
    embed.add_field(name="Counting down to", value=describe_target(target, settings), inline=False)
    cadence = cadence_text(settings, target)
    quiet = "silent (no notification)" if settings.silent_routine else "with notification"
    embed.add_field(name="Posts", value=f"{cadence}; routine posts {quiet}", inline=False)
    embed.add_field(name="Next post", value=_stamp(next_post_at) if settings.enabled else "—")
    last = _stamp(last_post_at)
    if last_post_link and last_post_at:
        last += f" · [jump]({last_post_link})"
    embed.add_field(name="Last post", value=last)
    if last_error:
        embed.add_field(name="⚠️ Last problem", value=last_error[:1024], inline=False)
    return embed


def preview_text(at: dt.datetime | None, post: PlannedPost | None, reason: str) -> str:
    """The ephemeral preview: when the next post goes out and exactly what it will say."""
    if at is None or post is None:
        return f"Nothing would be posted next: {reason}"
    full, relative = discord_timestamps(at)
    return f"Next post {full} ({relative}) will say:\n\n{post.content}"


def fan_countdown_embed(
    server_name: str,
    settings: CountdownSettings,
    target: Target | None,
    next_event: CustomEvent | None,
) -> discord.Embed | None:
    """What ``/next`` shows fans about this server first: its countdown and its next event.

    None when the server has neither (no countdown running and no upcoming event).
    """
    lines = []
    running = settings.enabled and settings.channel_id is not None
    if running and target is not None:
        lines.append(f"**Counting down to** {describe_target(target, settings)}")
    if next_event is not None and (target is None or target.key != event_target(next_event.id)):
        full, relative = discord_timestamps(next_event.starts_at)
        name = discord.utils.escape_markdown(next_event.name)
        lines.append(f"**Next server event:** **{name}**: {full} ({relative})")
    if not lines:
        return None
    if running:
        lines.append(f"-# Daily posts in <#{settings.channel_id}>")
    title = f"On {server_name}"[:256]
    return discord.Embed(title=title, description="\n".join(lines), colour=0xF4A6C0)


def cadence_text(settings: CountdownSettings, target: Target | None) -> str:
    """How often posts really go out for this target (not just the cadence setting)."""
    daily = settings.cadence is Cadence.DAILY
    if target is None:
        return "none: there is nothing to count down to"
    if local_release_day(target.when, settings.zone) is None:
        # No exact day: the planner posts only a weekly update (DAILY) or nothing at all.
        then = "every day" if daily else "milestones and release day"
        if daily:
            return f"a weekly update on Mondays until a day is announced, then {then}"
        return f"nothing until a day is announced, then {then}"
    return "every day" if daily else "milestones and release day"


def _role_text(role_id: int | None) -> str:
    return f"<@&{role_id}>" if role_id else "no role"


def setup_changes(before: CountdownSettings, after: CountdownSettings) -> list[str]:
    """What re-running setup changed, in the admin's words ("post time 09:00 → 22:30")."""
    changes = []
    if before.channel_id != after.channel_id:
        changes.append(f"channel <#{before.channel_id}> → <#{after.channel_id}>")
    if before.post_time != after.post_time:
        changes.append(f"post time {before.post_time:%H:%M} → {after.post_time:%H:%M}")
    if before.timezone != after.timezone:
        changes.append(f"time zone {before.timezone} → {after.timezone}")
    if before.role_id != after.role_id:
        changes.append(f"pings {_role_text(before.role_id)} → {_role_text(after.role_id)}")
    if before.enabled != after.enabled:
        changes.append("resumed (it was paused)")
    return changes
