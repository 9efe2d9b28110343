"""Member role add and remove, with Manage Roles and the role hierarchy, as Discord checks them.

``PUT``/``DELETE /guilds/{guild_id}/members/{user_id}/roles/{role_id}``: the bot needs Manage
Roles, and may only hand out roles that sit below its own highest role; the @everyone role
and managed (integration) roles can never be given or taken. Each change is announced with
GUILD_MEMBER_UPDATE.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from . import permissions as perms
from .payloads import member_payload
from .routing import (
    MISSING_PERMISSIONS,
    UNKNOWN_GUILD,
    UNKNOWN_MEMBER,
    ErrorSpec,
    Router,
    fail,
    no_content,
    snowflake_param,
)
from .state import Guild, Member, Role

if TYPE_CHECKING:
    from .server import Simulator

UNKNOWN_ROLE: ErrorSpec = (404, 10011, "Unknown Role")


def rank(role: Role) -> tuple[int, int]:
    """Discord's role order: by position, and on a tie the older role (smaller id) is higher."""
    return role.position, -role.id


def top_role(guild: Guild, member: Member) -> Role:
    roles = [guild.roles[r] for r in member.role_ids if r in guild.roles]
    return max(roles, key=rank, default=guild.everyone)


def may_manage_role(guild: Guild, actor: Member, role: Role, granted: int) -> bool:
    """Whether ``actor`` (with guild permissions ``granted``) may give or take ``role``."""
    if role.id == guild.id or role.managed:
        return False
    if actor.id == guild.owner_id:
        return True
    return perms.has(granted, perms.MANAGE_ROLES) and rank(role) < rank(top_role(guild, actor))


class MemberRoleRoutes:
    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.state = sim.state

    def register(self, router: Router) -> None:
        path = "/guilds/{guild_id}/members/{user_id}/roles/{role_id}"
        router.add("PUT", path, self.add_role)
        router.add("DELETE", path, self.remove_role)

    def _resolve(self, guild_id: str, user_id: str, role_id: str) -> tuple[Guild, Member, Role]:
        guild = self.state.guilds.get(snowflake_param(guild_id, unknown=UNKNOWN_GUILD))
        if guild is None:
            raise fail(UNKNOWN_GUILD)
        member = guild.members.get(snowflake_param(user_id, unknown=UNKNOWN_MEMBER))
        if member is None:
            raise fail(UNKNOWN_MEMBER)
        role = guild.roles.get(snowflake_param(role_id, unknown=UNKNOWN_ROLE))
        if role is None:
            raise fail(UNKNOWN_ROLE)
        bot = guild.members[self.state.bot_user.id]
        granted = self.state.guild_permissions(guild.id, bot.id)
        if not may_manage_role(guild, bot, role, granted):
            raise fail(MISSING_PERMISSIONS)
        return guild, member, role

    def _changed(self, guild: Guild, member: Member) -> None:
        self.sim.dispatch(
            "GUILD_MEMBER_UPDATE", {**member_payload(member), "guild_id": str(guild.id)}
        )
        self.sim.notify()

    async def add_role(
        self, request: web.Request, guild_id: str, user_id: str, role_id: str
    ) -> web.Response:
        guild, member, role = self._resolve(guild_id, user_id, role_id)
        if role.id not in member.role_ids:
            member.role_ids.append(role.id)
            self._changed(guild, member)
        return no_content()

    async def remove_role(
        self, request: web.Request, guild_id: str, user_id: str, role_id: str
    ) -> web.Response:
        guild, member, role = self._resolve(guild_id, user_id, role_id)
        if role.id in member.role_ids:
            member.role_ids.remove(role.id)
            self._changed(guild, member)
        return no_content()
