"""/reload: the bot's owners re-read the show data without a restart (e.g. a film date)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import HeartstopperBot
from bot.tree import UserFacingError

NOT_AN_OWNER = "Only the bot's owners (OWNER_IDS) can reload the show data."


class ShowData(commands.Cog):
    def __init__(self, bot: HeartstopperBot) -> None:
        self.bot = bot

    @app_commands.command(name="reload", extras={"owner_only": True})
    # Hidden from members without Manage Server; the owner check below is the real gate.
    @app_commands.default_permissions(manage_guild=True)
    async def reload_(self, interaction: discord.Interaction) -> None:
        """Owners only: re-read the show data file; a bad file keeps the current data."""
        if interaction.user.id not in self.bot.settings.owner_ids:
            raise UserFacingError(NOT_AN_OWNER)
        outcome = self.bot.reload_show(self.bot.settings.data_path)
        mark = "✅" if outcome.ok else "⚠️ Kept the current data:"
        await interaction.response.send_message(
            f"{mark} {discord.utils.escape_markdown(outcome.message)[:1800]}", ephemeral=True
        )


async def setup(bot: HeartstopperBot) -> None:
    await bot.add_cog(ShowData(bot))
