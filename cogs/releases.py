"""/next and /timeline: what's coming, and what has happened so far."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import HeartstopperBot
from bot.countdown.settings import release_target
from bot.paging import Paginator
from bot.premiere.views import EventLinks, post_buttons
from bot.show.cards import (
    TIMELINE_PAGE_SIZE,
    next_release_card,
    no_upcoming_card,
    paginate,
    timeline_page,
)
from bot.show.models import NewsItem
from bot.show.releases import next_release
from bot.tree import UserFacingError


def filter_timeline(
    items: tuple[NewsItem, ...], season: int | None, year: int | None
) -> tuple[tuple[NewsItem, ...], str]:
    """The news matching the filters, and a label describing them."""
    chosen = tuple(
        item
        for item in items
        if (season is None or item.season == season) and (year is None or item.date.year == year)
    )
    parts = [
        f"Season {season}" if season is not None else "",
        str(year) if year is not None else "",
    ]
    return chosen, " · ".join(p for p in parts if p) or "All news"


class Releases(commands.Cog):
    def __init__(self, bot: HeartstopperBot) -> None:
        self.bot = bot

    @app_commands.command(name="next")
    async def next_(self, interaction: discord.Interaction) -> None:
        """The next Heartstopper release, in your own time zone."""
        upcoming = next_release(self.bot.show.releases, self.bot.clock())
        embed = next_release_card(upcoming, self.bot.clock()) if upcoming else no_upcoming_card()
        # In a server that keeps Discord events (/premiere events), link the release's event
        # (the cog's class can't be imported here: extensions are loaded as fresh modules).
        premiere = self.bot.get_cog("Premiere")
        view = discord.utils.MISSING
        if upcoming and interaction.guild_id and isinstance(premiere, EventLinks):
            url = await premiere.event_url(interaction.guild_id, release_target(upcoming.key))
            view = post_buttons(notify_me=False, event_link=url) or discord.utils.MISSING
        await interaction.response.send_message(embed=embed, view=view)

    @app_commands.command()
    @app_commands.describe(
        season="Only news about this season", year="Only news from this year, e.g. 2024"
    )
    async def timeline(
        self,
        interaction: discord.Interaction,
        season: int | None = None,
        year: int | None = None,
    ) -> None:
        """The news so far: renewals, filming, first looks, trailers and announcements."""
        items, label = filter_timeline(self.bot.show.timeline, season, year)
        if not items:
            years = sorted({i.date.year for i in self.bot.show.timeline})
            raise UserFacingError(
                f"No news matches {label}. The timeline covers {years[0]}–{years[-1]}"
                f" and seasons {', '.join(str(s.number) for s in self.bot.show.seasons)}."
            )

        def build(page: int) -> discord.Embed:
            shown, page, count = paginate(items, page, TIMELINE_PAGE_SIZE)
            return timeline_page(shown, page, count, label)

        _, _, page_count = paginate(items, 0, TIMELINE_PAGE_SIZE)
        view = Paginator(owner_id=interaction.user.id, page_count=page_count, build=build)
        await view.send(interaction)


async def setup(bot: HeartstopperBot) -> None:
    await bot.add_cog(Releases(bot))
