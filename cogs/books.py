"""/books and /awards: the books behind the story, and what the show has won."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import HeartstopperBot
from bot.show.cards import awards_card, books_card


class Books(commands.Cog):
    def __init__(self, bot: HeartstopperBot) -> None:
        self.bot = bot

    @app_commands.command()
    async def books(self, interaction: discord.Interaction) -> None:
        """Alice Oseman's books: UK dates, and which season or the film adapts each one."""
        await interaction.response.send_message(embed=books_card(self.bot.show.books))

    @app_commands.command()
    async def awards(self, interaction: discord.Interaction) -> None:
        """The awards Heartstopper and its people have won."""
        await interaction.response.send_message(embed=awards_card(self.bot.show.awards))


async def setup(bot: HeartstopperBot) -> None:
    await bot.add_cog(Books(bot))
