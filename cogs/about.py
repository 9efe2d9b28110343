"""/about: what the show is, what the bot can do, where its facts come from."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import HeartstopperBot
from bot.show.cards import about_card


class About(commands.Cog):
    def __init__(self, bot: HeartstopperBot) -> None:
        self.bot = bot

    @app_commands.command()
    async def about(self, interaction: discord.Interaction) -> None:
        """What Heartstopper is, what I can do, and where my facts come from."""
        names = sorted(
            command.name
            for command in self.bot.tree.get_commands()
            if not command.extras.get("owner_only")  # e.g. /reload: not for fans
        )
        await interaction.response.send_message(embed=about_card(self.bot.show, names))


async def setup(bot: HeartstopperBot) -> None:
    await bot.add_cog(About(bot))
