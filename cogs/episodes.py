"""/episode and /season: spoiler-safe episode cards and season overviews."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import HeartstopperBot
from bot.paging import Paginator
from bot.show.cards import episode_card, not_found_message, season_card, seasons_overview
from bot.show.models import Episode, ShowData
from bot.tree import UserFacingError


def _season_range(show: ShowData) -> str:
    numbers = [s.number for s in show.seasons]
    return f"{min(numbers)}–{max(numbers)}" if len(numbers) > 1 else str(numbers[0])


def pick_episode(show: ShowData, season: int | None, number: int | None) -> Episode:
    """The episode for a season and number, or a :class:`UserFacingError` saying what's off."""
    if season is None or number is None:
        raise UserFacingError(
            "Pick an episode by season and number (e.g. `season: 2 number: 4`), "
            "or start typing its title in `title`."
        )
    found = show.season(season)
    if found is None:
        raise UserFacingError(
            f"There is no season {season}: Heartstopper has seasons {_season_range(show)}."
        )
    episode = show.episode(season, number)
    if episode is None:
        raise UserFacingError(
            f"Season {season} has {found.episode_count} episodes, so there is no episode "
            f"{number}. Try a number from 1 to {found.episode_count}."
        )
    return episode


class Episodes(commands.Cog):
    def __init__(self, bot: HeartstopperBot) -> None:
        self.bot = bot
        # Cards are pure functions of the (immutable) show data: build each one once.
        self._cards: dict[tuple[int, int], discord.Embed] = {}

    def _card(self, episode: Episode) -> discord.Embed:
        key = (episode.season, episode.number)
        if key not in self._cards:
            self._cards[key] = episode_card(self.bot.show, episode)
        return self._cards[key]

    @app_commands.command()
    @app_commands.describe(
        season="Season number, e.g. 2",
        number="Episode number within the season, e.g. 4",
        title="Or type a title or code, e.g. Challenge or S2E4",
    )
    async def episode(
        self,
        interaction: discord.Interaction,
        season: int | None = None,
        number: int | None = None,
        title: str | None = None,
    ) -> None:
        """An episode card: title, release date and a spoiler-tagged synopsis."""
        show = self.bot.show
        if title is not None and title.strip():
            lookup = self.bot.show_index.find_episode(title)
            if lookup.match is None:
                suggestions = [f"{e.code} {e.title}" for e in lookup.suggestions]
                raise UserFacingError(not_found_message("episode", title, suggestions))
            episode = lookup.match
        else:
            episode = pick_episode(show, season, number)

        episodes = list(show.episodes)
        view = Paginator(
            owner_id=interaction.user.id,
            page_count=len(episodes),
            build=lambda index: self._card(episodes[index]),
            start=episodes.index(episode),
        )
        await view.send(interaction)

    @episode.autocomplete("title")
    async def episode_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=name, value=value)
            for name, value in self.bot.show_index.episode_choices(current)
        ]

    @app_commands.command()
    @app_commands.describe(number="Season number; leave empty for an overview of all seasons")
    async def season(self, interaction: discord.Interaction, number: int | None = None) -> None:
        """One season's overview, or all of them."""
        show = self.bot.show
        if number is None:
            await interaction.response.send_message(embed=seasons_overview(show))
            return
        found = show.season(number)
        if found is None:
            raise UserFacingError(
                f"There is no season {number}: Heartstopper has seasons {_season_range(show)}."
            )
        await interaction.response.send_message(embed=season_card(show, found))


async def setup(bot: HeartstopperBot) -> None:
    await bot.add_cog(Episodes(bot))
