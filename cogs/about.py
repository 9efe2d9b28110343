"""/about: what the show is, what the bot can do, where its facts come from."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import HeartstopperBot
from bot.show.cards import about_card

ADMIN_COMMANDS = frozenset({"countdown"})


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
            and command.name not in ADMIN_COMMANDS
        )
        embed = about_card(self.bot.show, names)
        # Fans can't see /countdown (Manage Server only): list it apart, so no one hunts for it.
        embed.insert_field_at(
            1,
            name="For server admins",
            value="`/countdown`: daily countdown posts and watch-party events with reminders "
            "(needs Manage Server). Fans see the server's countdown in `/next`.",
            inline=False,
        )
        await interaction.response.send_message(embed=embed)


async def setup(bot: HeartstopperBot) -> None:
    await bot.add_cog(About(bot))
