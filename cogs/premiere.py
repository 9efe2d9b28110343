"""/premiere: the premiere kit (issue 11), each part opt-in by the server's admins.

* ``/premiere notify``: a "🔔 Notify me" button on countdown posts that gives or takes the
  server's ping role (the one ``/countdown role`` set) for whoever clicks it.

Only members with Manage Server see the group, as with /countdown. Every option is
preflight-checked against the bot's permissions when it is turned on, and a failure later is
recorded for ``/premiere status``.
"""

from __future__ import annotations

import logging
import re

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import HeartstopperBot
from bot.countdown.planner import PlannedPost
from bot.database.premiere import PremiereRepository
from bot.premiere import notify
from bot.premiere.settings import PremiereSettings
from bot.tree import UserFacingError, send_ephemeral

log = logging.getLogger(__name__)


def _guild(interaction: discord.Interaction) -> discord.Guild:
    if interaction.guild is None:
        raise app_commands.NoPrivateMessage()
    return interaction.guild


def role_facts(guild: discord.Guild, role: discord.Role) -> notify.RoleFacts:
    me = guild.me
    return notify.RoleFacts(
        role_name=role.name,
        bot_role_name=me.top_role.name,
        manage_roles=me.guild_permissions.manage_roles,
        below_bot=role < me.top_role,
        managed=role.managed or role.is_default(),
    )


def notify_view() -> discord.ui.View:
    """The button as sent: answered by :class:`NotifyToggle`, so the view is never listened
    to (stopped at once) and holds nothing per message."""
    view = discord.ui.View(timeout=None)
    view.add_item(
        discord.ui.Button(
            label=notify.NOTIFY_LABEL,
            emoji=notify.NOTIFY_EMOJI,
            style=discord.ButtonStyle.secondary,
            custom_id=notify.NOTIFY_CUSTOM_ID,
        )
    )
    view.stop()
    return view


class NotifyToggle(
    discord.ui.DynamicItem[discord.ui.Button], template=re.escape(notify.NOTIFY_CUSTOM_ID)
):
    """A click on "🔔 Notify me", on any post ever sent: the role is read at click time."""

    def __init__(self) -> None:
        super().__init__(discord.ui.Button(custom_id=notify.NOTIFY_CUSTOM_ID))

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Button,
        match: re.Match[str],
        /,
    ) -> NotifyToggle:
        return cls()

    async def callback(self, interaction: discord.Interaction) -> None:
        # discord.py only logs errors raised in dynamic items, so every path answers here.
        cog = interaction.client.get_cog("Premiere")  # type: ignore[attr-defined]
        if not isinstance(cog, Premiere) or interaction.guild is None:
            await send_ephemeral(interaction, notify.OFF)
            return
        try:
            reply = await cog.toggle_role(interaction)
        except Exception:
            log.exception("Notify-me click failed in guild %s", interaction.guild_id)
            reply = notify.BROKEN
        await send_ephemeral(interaction, reply)


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Premiere(commands.GroupCog, group_name="premiere"):
    """Premiere kit: Discord events, release-day threads, a "Notify me" button (admins)."""

    def __init__(self, bot: HeartstopperBot) -> None:
        self.bot = bot
        self.repo = PremiereRepository(bot.db)
        self.cooldown = notify.Cooldown()
        super().__init__()

    async def cog_load(self) -> None:
        self.bot.post_view = self.post_view

    async def cog_unload(self) -> None:
        if self.bot.post_view == self.post_view:
            self.bot.post_view = None

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        # default_member_permissions only hides the commands; a server can override that.
        if interaction.guild is None:
            raise app_commands.NoPrivateMessage()
        member = interaction.user
        if isinstance(member, discord.Member) and member.guild_permissions.manage_guild:
            return True
        if member.id in self.bot.settings.owner_ids:
            return True
        raise app_commands.MissingPermissions(["manage_guild"])

    async def _reply(self, interaction: discord.Interaction, content: str) -> None:
        await interaction.response.send_message(content, ephemeral=True)

    # -- the 🔔 button ---------------------------------------------------------------------

    async def post_view(self, post: PlannedPost) -> discord.ui.View | None:
        """The button goes on a server's countdown posts while the option is on."""
        settings = await self.repo.get(post.guild_id)
        if not settings.notify_button:
            return None
        countdown = await self.bot.countdowns.repo.get_settings(post.guild_id)
        return notify_view() if countdown.role_id is not None else None

    async def toggle_role(self, interaction: discord.Interaction) -> str:
        """Give or take the ping role for the member who clicked; the ephemeral reply."""
        guild = _guild(interaction)
        member = interaction.user
        if not isinstance(member, discord.Member):
            return notify.BROKEN
        if not (await self.repo.get(guild.id)).notify_button:
            return notify.OFF
        role_id = (await self.bot.countdowns.repo.get_settings(guild.id)).role_id
        role = guild.get_role(role_id) if role_id is not None else None
        if role is None:
            return notify.NO_ROLE
        problem = notify.role_problem(role_facts(guild, role))
        if problem is not None:
            await self.repo.change(guild.id, notify_problem=problem)
            return notify.BROKEN
        wait = self.cooldown.remaining((guild.id, member.id), self.bot.clock())
        if wait is not None:
            return notify.cooldown_reply(wait)
        has_role = any(r.id == role.id for r in member.roles)
        try:
            if has_role:
                await member.remove_roles(role, reason="🔔 Notify me: opted out")
            else:
                await member.add_roles(role, reason="🔔 Notify me: opted in")
        except discord.HTTPException as exc:
            log.warning("Notify-me role change refused in guild %s: %s", guild.id, exc)
            await self.repo.change(
                guild.id,
                notify_problem=f"Discord refused a role change ({exc.status}): "
                + (notify.role_problem(role_facts(guild, role)) or "check my role's position."),
            )
            return notify.BROKEN
        return notify.toggle_reply(not has_role, role.name)

    @app_commands.command(name="notify")
    @app_commands.describe(enabled="Show a 🔔 Notify me button on countdown posts")
    async def notify_(self, interaction: discord.Interaction, enabled: bool) -> None:
        """Let members give themselves the countdown's ping role with a button."""
        guild = _guild(interaction)
        if not enabled:
            await self.repo.change(guild.id, notify_button=False, notify_problem=None)
            await self._reply(interaction, "🔕 The 🔔 Notify me button is off for new posts.")
            return
        role_id = (await self.bot.countdowns.repo.get_settings(guild.id)).role_id
        role = guild.get_role(role_id) if role_id is not None else None
        if role is None:
            raise UserFacingError(
                "The button hands out the countdown's ping role, and none is set. "
                "Pick one with `/countdown role` first."
            )
        problem = notify.role_problem(role_facts(guild, role))
        if problem is not None:
            raise UserFacingError(f"I can't turn the button on yet: {problem}")
        await self.repo.change(guild.id, notify_button=True, notify_problem=None)
        await self._reply(
            interaction,
            f"✅ Countdown posts now carry a 🔔 **Notify me** button: members who click it "
            f"get (or lose) {role.mention}.",
        )

    # -- status ------------------------------------------------------------------------------

    @app_commands.command()
    async def status(self, interaction: discord.Interaction) -> None:
        """Which premiere options are on, and any problem they hit."""
        settings = await self.repo.get(_guild(interaction).id)
        await self._reply(interaction, status_text(settings))


def status_text(settings: PremiereSettings) -> str:
    def line(name: str, on: bool, problem: str | None) -> str:
        state = "on" if on else "off"
        return f"**{name}**: {state}" + (f"\n  ⚠️ {problem}" if problem else "")

    return "\n".join(
        [
            line("🔔 Notify me button", settings.notify_button, settings.notify_problem),
        ]
    )


async def setup(bot: HeartstopperBot) -> None:
    bot.add_dynamic_items(NotifyToggle)
    await bot.add_cog(Premiere(bot))


async def teardown(bot: HeartstopperBot) -> None:
    bot.remove_dynamic_items(NotifyToggle)
