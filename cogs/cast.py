"""/cast: who plays whom, with typo-tolerant autocomplete."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import HeartstopperBot
from bot.paging import Paginator
from bot.show.cards import not_found_message, person_card, titled_family_card
from bot.show.choices import choice
from bot.show.models import CastMember, CrewMember
from bot.show.pages import ShowCards, fresh
from bot.tree import UserFacingError


class Cast(commands.Cog):
    def __init__(self, bot: HeartstopperBot) -> None:
        self.bot = bot
        # Cards are pure functions of the (immutable) show data: build each one once.
        self._cards: dict[str, discord.Embed] = {}
        self._cards_for = bot.show
        self._pages = ShowCards(bot.show)  # browsing pages and family cards, built once

    def _card(self, member: CastMember | CrewMember) -> discord.Embed:
        if self._cards_for is not self.bot.show:  # the data was reloaded: cards are stale
            self._cards.clear()
            self._cards_for = self.bot.show
        if member.key not in self._cards:
            self._cards[member.key] = person_card(member)
        return self._cards[member.key]

    @app_commands.command()
    @app_commands.describe(
        query="An actor, a character or a crew member, e.g. Kit Connor, Nick or Alice Oseman"
    )
    async def cast(self, interaction: discord.Interaction, query: str | None = None) -> None:
        """Who plays whom, and who made it; leave the query empty to browse the whole cast."""
        if query is None or not query.strip():
            await self._browse(interaction)
            return
        lookup = self.bot.show_index.find_cast(query)
        if lookup.family:
            self._pages = fresh(self._pages, self.bot.show)
            card = titled_family_card(query, self._pages.family(lookup.family))
            await interaction.response.send_message(embed=card)
            return
        if lookup.match is None:
            suggestions = [
                m.actor if isinstance(m, CastMember) else m.name for m in lookup.suggestions
            ]
            raise UserFacingError(not_found_message("cast member", query, suggestions))
        await interaction.response.send_message(embed=self._card(lookup.match))

    async def _browse(self, interaction: discord.Interaction) -> None:
        self._pages = fresh(self._pages, self.bot.show)
        pages = self._pages.cast_pages()
        view = Paginator(owner_id=interaction.user.id, page_count=pages.count, build=pages.page)
        await view.send(interaction)

    @cast.autocomplete("query")
    async def cast_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [choice(name, value) for name, value in self.bot.show_index.cast_choices(current)]


async def setup(bot: HeartstopperBot) -> None:
    await bot.add_cog(Cast(bot))
