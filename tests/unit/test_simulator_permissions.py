"""Permission resolution in the simulator, checked against Discord's documented order."""

from __future__ import annotations

import discord
import pytest

from bot.sandbox.simulator import permissions as p
from bot.sandbox.simulator.demo import add_demo_guild
from bot.sandbox.simulator.permissions import Overwrite, apply_overwrites, base_permissions
from bot.sandbox.simulator.server import Simulator

GUILD, MEMBER, ROLE_A, ROLE_B = 100, 200, 300, 400
VIEW_SEND = p.VIEW_CHANNEL | p.SEND_MESSAGES


def role_ow(target: int, allow: int = 0, deny: int = 0) -> Overwrite:
    return Overwrite(target, p.ROLE_OVERWRITE, allow, deny)


def member_ow(target: int, allow: int = 0, deny: int = 0) -> Overwrite:
    return Overwrite(target, p.MEMBER_OVERWRITE, allow, deny)


def channel_perms(
    base: int, *overwrites: Overwrite, roles: tuple[int, ...] = (ROLE_A, ROLE_B)
) -> int:
    return apply_overwrites(
        base,
        guild_id=GUILD,
        member_id=MEMBER,
        member_role_ids=roles,
        overwrites={ow.target_id: ow for ow in overwrites},
    )


@pytest.mark.parametrize(
    ("name", "bit"),
    [
        ("view_channel", p.VIEW_CHANNEL),
        ("send_messages", p.SEND_MESSAGES),
        ("embed_links", p.EMBED_LINKS),
        ("manage_guild", p.MANAGE_GUILD),
        ("administrator", p.ADMINISTRATOR),
        ("mention_everyone", p.MENTION_EVERYONE),
        ("use_application_commands", p.USE_APPLICATION_COMMANDS),
        ("read_message_history", p.READ_MESSAGE_HISTORY),
        ("manage_messages", p.MANAGE_MESSAGES),
    ],
)
def test_bits_match_discord(name: str, bit: int) -> None:
    assert discord.Permissions(**{name: True}).value == bit


def test_base_is_everyone_or_roles() -> None:
    assert base_permissions(p.VIEW_CHANNEL, [p.SEND_MESSAGES, p.EMBED_LINKS]) == (
        p.VIEW_CHANNEL | p.SEND_MESSAGES | p.EMBED_LINKS
    )


def test_administrator_and_owner_get_everything() -> None:
    assert base_permissions(0, [p.ADMINISTRATOR]) == p.ALL_PERMISSIONS
    assert base_permissions(0, [], is_owner=True) == p.ALL_PERMISSIONS
    # Administrators ignore channel overwrites entirely.
    assert (
        channel_perms(p.ALL_PERMISSIONS, member_ow(MEMBER, deny=p.VIEW_CHANNEL))
        == p.ALL_PERMISSIONS
    )


@pytest.mark.parametrize(
    ("overwrites", "expected"),
    [
        ((), VIEW_SEND),
        ((role_ow(GUILD, deny=p.SEND_MESSAGES),), p.VIEW_CHANNEL),
        # A role allow beats the @everyone deny...
        ((role_ow(GUILD, deny=p.SEND_MESSAGES), role_ow(ROLE_A, allow=p.SEND_MESSAGES)), VIEW_SEND),
        # ...and among roles, allow wins over another role's deny.
        (
            (role_ow(ROLE_A, allow=p.SEND_MESSAGES), role_ow(ROLE_B, deny=p.SEND_MESSAGES)),
            VIEW_SEND,
        ),
        # The member's own overwrite beats every role.
        (
            (role_ow(ROLE_A, allow=p.SEND_MESSAGES), member_ow(MEMBER, deny=p.SEND_MESSAGES)),
            p.VIEW_CHANNEL,
        ),
        (
            (role_ow(GUILD, deny=p.SEND_MESSAGES), member_ow(MEMBER, allow=p.SEND_MESSAGES)),
            VIEW_SEND,
        ),
        # No view: nothing at all, whatever else is allowed.
        ((role_ow(GUILD, deny=p.VIEW_CHANNEL),), 0),
    ],
)
def test_overwrite_order(overwrites: tuple[Overwrite, ...], expected: int) -> None:
    assert channel_perms(VIEW_SEND, *overwrites) == expected


def test_role_overwrites_for_roles_the_member_lacks_do_not_apply() -> None:
    assert (
        channel_perms(VIEW_SEND, role_ow(ROLE_B, deny=p.SEND_MESSAGES), roles=(ROLE_A,))
        == VIEW_SEND
    )


def test_no_send_drops_send_dependent_bits() -> None:
    result = channel_perms(
        VIEW_SEND | p.EMBED_LINKS | p.ATTACH_FILES, role_ow(GUILD, deny=p.SEND_MESSAGES)
    )
    assert result == p.VIEW_CHANNEL


def test_demo_guild_permissions() -> None:
    sim = Simulator()
    demo = add_demo_guild(sim)
    state = sim.state
    bot_read_only = sim.bot_permissions_in(demo.read_only_id)
    assert bot_read_only & p.VIEW_CHANNEL and not bot_read_only & p.SEND_MESSAGES
    assert sim.bot_permissions_in(demo.general_id) & p.EMBED_LINKS
    assert state.channel_permissions(demo.read_only_id, demo.admin_id) & p.SEND_MESSAGES
    assert not state.channel_permissions(demo.read_only_id, demo.fan_id) & p.SEND_MESSAGES
    assert state.guild_permissions(demo.guild_id, demo.admin_id) & p.MANAGE_GUILD
    assert not state.guild_permissions(demo.guild_id, demo.fan_id) & p.MANAGE_GUILD


def test_revoke_and_overwrite_controls() -> None:
    sim = Simulator()
    demo = add_demo_guild(sim)
    sim.revoke_bot_permission(demo.general_id, p.EMBED_LINKS)
    assert not sim.bot_permissions_in(demo.general_id) & p.EMBED_LINKS
    assert sim.bot_permissions_in(demo.general_id) & p.SEND_MESSAGES
    sim.set_overwrite(demo.general_id, demo.fans_role_id, deny=p.VIEW_CHANNEL)
    overwrite = sim.state.channel(demo.general_id).overwrites[demo.fans_role_id]
    assert overwrite.type == p.ROLE_OVERWRITE
    assert sim.state.channel_permissions(demo.general_id, demo.fan_id) == 0
    sim.set_bot_permissions(demo.guild_id, p.ADMINISTRATOR)
    assert sim.bot_permissions_in(demo.read_only_id) == p.ALL_PERMISSIONS


def test_personal_permissions_come_from_a_role() -> None:
    sim = Simulator()
    guild = sim.add_guild("g")
    member = sim.add_member(guild.id, "Tao Xu", manage_guild=True)
    assert len(member.role_ids) == 1
    assert sim.state.guild_permissions(guild.id, member.id) & p.MANAGE_GUILD
