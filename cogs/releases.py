"""/next and /timeline: what's coming, and what has happened so far."""

from __future__ import annotations

import datetime as dt

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import HeartstopperBot
from bot.countdown.cards import fan_countdown_embed
from bot.countdown.events import upcoming
from bot.countdown.planner import is_finished
from bot.countdown.settings import release_target
from bot.paging import Paginator
from bot.premiere.views import EventLinks, post_buttons
from bot.show.cards import next_release_card, no_upcoming_card
from bot.show.pages import ShowCards, fresh, timeline_label
from bot.show.releases import next_release
from bot.tree import UserFacingError


class Releases(commands.Cog):
    def __init__(self, bot: HeartstopperBot) -> None:
        self.bot = bot
        self._cards = ShowCards(bot.show)  # timeline pages, built once per filter

    @app_commands.command(name="next")
    async def next_(self, interaction: discord.Interaction) -> None:
        """This server's countdown and next event, then the next Heartstopper release."""
        now = self.bot.clock()
        upcoming_release = next_release(self.bot.show.releases, now)
        embed = next_release_card(upcoming_release, now) if upcoming_release else no_upcoming_card()
        embeds = [embed]
        if interaction.guild is not None:
            server = await self._server_embed(interaction.guild, now)
            if server is not None:
                embeds.insert(0, server)  # the server's own plans first
        # In a server that keeps Discord events (/premiere events), link the release's event
        # (the cog's class can't be imported here: extensions are loaded as fresh modules).
        premiere = self.bot.get_cog("Premiere")
        view = discord.utils.MISSING
        if upcoming_release and interaction.guild_id and isinstance(premiere, EventLinks):
            url = await premiere.event_url(
                interaction.guild_id, release_target(upcoming_release.key)
            )
            view = post_buttons(notify_me=False, event_link=url) or discord.utils.MISSING
        await interaction.response.send_message(embeds=embeds, view=view)

    async def _server_embed(self, guild: discord.Guild, now: dt.datetime) -> discord.Embed | None:
        """The server's countdown target and next event, for fans (who can't see /countdown)."""
        service = self.bot.countdowns
        settings = await service.repo.get_settings(guild.id)
        events = upcoming(await service.repo.list_events(guild.id), now)
        target = await service.resolve(settings, now) if settings.channel_id else None
        if target is not None and is_finished(target, now, settings.zone):
            target = None
        return fan_countdown_embed(guild.name, settings, target, events[0] if events else None)

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
        self._cards = fresh(self._cards, self.bot.show)
        pages = self._cards.timeline(season, year)
        if pages is None:
            seasons = ", ".join(str(s.number) for s in self.bot.show.seasons)
            raise UserFacingError(
                f"No news matches {timeline_label(season, year)}. The timeline covers"
                f" {self._cards.timeline_span()} and seasons {seasons}."
            )
        view = Paginator(owner_id=interaction.user.id, page_count=pages.count, build=pages.page)
        await view.send(interaction)


async def setup(bot: HeartstopperBot) -> None:
    await bot.add_cog(Releases(bot))
