"""A ready-made demo server for the sandbox and tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import permissions as perms

if TYPE_CHECKING:
    from .server import Simulator


@dataclass(frozen=True, slots=True)
class DemoGuild:
    guild_id: int
    general_id: int
    countdown_id: int
    read_only_id: int
    fans_role_id: int
    mods_role_id: int
    admin_id: int
    fan_id: int


# What the README's invite link grants: View Channels, Send Messages, Embed Links.
README_BOT_PERMISSIONS = perms.VIEW_CHANNEL | perms.SEND_MESSAGES | perms.EMBED_LINKS


def add_demo_guild(sim: Simulator, *, bot_permissions: int = perms.DEFAULT_BOT) -> DemoGuild:
    """ "Heartstopper Fan Club": #general, #countdown, #read-only (the bot may not post there),
    a mentionable "Fans" role, a "Mods" role with Manage Server, an admin and a plain fan."""
    guild = sim.add_guild("Heartstopper Fan Club", bot_permissions=bot_permissions)
    fans = sim.add_role(guild.id, "Fans", mentionable=True)
    mods = sim.add_role(guild.id, "Mods", permissions=perms.MANAGE_GUILD | perms.MANAGE_MESSAGES)
    admin = sim.add_member(guild.id, "Nick Nelson", roles=(mods,))
    fan = sim.add_member(guild.id, "Charlie Spring", roles=(fans,))
    general = sim.add_channel(guild.id, "general", topic="Talk about the show")
    countdown = sim.add_channel(guild.id, "countdown", topic="Days until the next release")
    read_only = sim.add_channel(
        guild.id,
        "read-only",
        topic="Announcements",
        overwrites={
            guild.id: (0, perms.SEND_MESSAGES),
            sim.bot_user_id: (0, perms.SEND_MESSAGES),
            mods.id: (perms.SEND_MESSAGES, 0),
        },
    )
    return DemoGuild(
        guild_id=guild.id,
        general_id=general.id,
        countdown_id=countdown.id,
        read_only_id=read_only.id,
        fans_role_id=fans.id,
        mods_role_id=mods.id,
        admin_id=admin.id,
        fan_id=fan.id,
    )
