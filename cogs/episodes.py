"""/episode and /season: spoiler-safe episode cards and season overviews."""

from __future__ import annotations

import logging
import re

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import HeartstopperBot
from bot.paging import NOT_YOURS
from bot.show.cards import (
    episode_card,
    episode_matches_card,
    escape_user_text,
    not_found_message,
)
from bot.show.choices import choice
from bot.show.models import Episode, ShowData
from bot.show.pages import ShowCards, fresh
from bot.tree import UNEXPECTED_ERROR, UserFacingError, send_ephemeral

log = logging.getLogger(__name__)


def _season_range(show: ShowData) -> str:
    numbers = [s.number for s in show.seasons]
    return f"{min(numbers)}–{max(numbers)}" if len(numbers) > 1 else str(numbers[0])


def no_such_season(show: ShowData, season: int) -> str:
    return f"There is no season {season}: Heartstopper has seasons {_season_range(show)}."


def disagreement_note(
    episode: Episode, title: str, season: int | None, number: int | None
) -> str | None:
    """When season/number and title point at different episodes, say which one was used."""
    if (season is None or season == episode.season) and (
        number is None or number == episode.number
    ):
        return None
    given = " ".join(
        part
        for part in (
            f"season {season}" if season is not None else "",
            f"number {number}" if number is not None else "",
        )
        if part
    )
    shown = escape_user_text(title, 50)
    return (
        f"You gave {given} and the title “{shown}”, which is {episode.code}: "
        "I used the title. Leave `title` empty to pick by season and number."
    )


def pick_episode(show: ShowData, season: int | None, number: int | None) -> Episode:
    """The episode for a season and number, or a :class:`UserFacingError` saying what's off."""
    if season is None or number is None:
        raise UserFacingError(
            "Pick an episode by season and number (e.g. `season: 2 number: 4`), "
            "or start typing its title in `title`."
        )
    found = show.season(season)
    if found is None:
        raise UserFacingError(no_such_season(show, season))
    episode = show.episode(season, number)
    if episode is None:
        raise UserFacingError(
            f"Season {season} has {found.episode_count} episodes, so there is no episode "
            f"{number}. Try a number from 1 to {found.episode_count}."
        )
    return episode


NAVIGATION_ID = re.compile(r"ep:(?P<direction>prev|next):(?P<season>\d+):(?P<number>\d+)")


def _step_button(direction: str, target: Episode | None, here: Episode) -> discord.ui.Button:
    destination = target or here
    return discord.ui.Button(
        label="Previous" if direction == "prev" else "Next",
        style=discord.ButtonStyle.secondary,
        disabled=target is None,
        custom_id=f"ep:{direction}:{destination.season}:{destination.number}",
    )


def episode_navigation(show: ShowData, episode: Episode) -> discord.ui.View:
    """Previous/Next buttons for ``episode`` (disabled at the ends of the show).

    The buttons carry their destination in their custom id and are answered by
    :class:`EpisodeStep`, so the view itself is never listened to: it is stopped at once,
    holds nothing per message, and one view per episode serves every reply.
    """
    episodes = show.episodes
    index = episodes.index(episode)
    previous = episodes[index - 1] if index > 0 else None
    following = episodes[index + 1] if index + 1 < len(episodes) else None
    view = discord.ui.View(timeout=None)
    view.add_item(_step_button("prev", previous, episode))
    view.add_item(_step_button("next", following, episode))
    view.stop()
    return view


class EpisodeStep(discord.ui.DynamicItem[discord.ui.Button], template=NAVIGATION_ID.pattern):
    """Answers a Previous/Next click from the destination in the button's custom id.

    Stateless, so the buttons work for as long as the message exists, even across restarts.
    Only the person who ran /episode may use them: Discord records who that was on the
    message itself (``interaction_metadata``).
    """

    def __init__(self, destination: Episode | None, custom_id: str) -> None:
        super().__init__(discord.ui.Button(custom_id=custom_id))
        self.destination = destination  # None: the data no longer has that episode

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Button,
        match: re.Match[str],
        /,
    ) -> EpisodeStep:
        show = interaction.client.show  # type: ignore[attr-defined]
        return cls(show.episode(int(match["season"]), int(match["number"])), match[0])

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        metadata = interaction.message.interaction_metadata if interaction.message else None
        if metadata is None or metadata.user.id == interaction.user.id:
            return True
        await interaction.response.send_message(NOT_YOURS, ephemeral=True)
        return False

    async def callback(self, interaction: discord.Interaction) -> None:
        # discord.py only logs errors raised in dynamic items, so answer every path here.
        cog = interaction.client.get_cog("Episodes")  # type: ignore[attr-defined]
        if self.destination is None or not isinstance(cog, Episodes):
            await send_ephemeral(
                interaction, "That episode is no longer in my data; run /episode again."
            )
            return
        try:
            await interaction.response.edit_message(
                embed=cog.card(self.destination), view=cog.navigation(self.destination)
            )
        except discord.HTTPException:
            log.exception("Could not turn the episode card to %s", self.destination.code)
            await send_ephemeral(interaction, UNEXPECTED_ERROR)


class Episodes(commands.Cog):
    def __init__(self, bot: HeartstopperBot) -> None:
        self.bot = bot
        # Cards are pure functions of the (immutable) show data: build each one once.
        self._cards: dict[tuple[int, int], discord.Embed] = {}
        self._views: dict[tuple[int, int], discord.ui.View] = {}
        self._cached_for = bot.show
        self._show_cards = ShowCards(bot.show)  # season cards and the overview, built once

    def _fresh(self) -> None:
        """Drop cached cards and buttons once the show data has been reloaded."""
        if self._cached_for is not self.bot.show:
            self._cards.clear()
            self._views.clear()
            self._cached_for = self.bot.show

    def navigation(self, episode: Episode) -> discord.ui.View:
        self._fresh()
        key = (episode.season, episode.number)
        if key not in self._views:
            self._views[key] = episode_navigation(self.bot.show, episode)
        return self._views[key]

    def card(self, episode: Episode) -> discord.Embed:
        self._fresh()
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
        note: str | None = None
        if title is not None and title.strip():
            lookup = self.bot.show_index.find_episode(title)
            if lookup.missing_season is not None:
                raise UserFacingError(no_such_season(show, lookup.missing_season))
            if lookup.matches:
                await interaction.response.send_message(
                    embed=episode_matches_card(title, lookup.matches)
                )
                return
            if lookup.match is None:
                suggestions = [f"{e.code} {e.title}" for e in lookup.suggestions]
                raise UserFacingError(not_found_message("episode", title, suggestions))
            episode = lookup.match
            note = disagreement_note(episode, title, season, number)
        else:
            episode = pick_episode(show, season, number)

        await interaction.response.send_message(
            content=note, embed=self.card(episode), view=self.navigation(episode)
        )

    @episode.autocomplete("title")
    async def episode_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [choice(name, value) for name, value in self.bot.show_index.episode_choices(current)]

    @app_commands.command()
    @app_commands.describe(number="Season number; leave empty for an overview of all seasons")
    async def season(self, interaction: discord.Interaction, number: int | None = None) -> None:
        """One season's overview, or all of them."""
        self._show_cards = fresh(self._show_cards, self.bot.show)
        if number is None:
            await interaction.response.send_message(embed=self._show_cards.seasons_overview())
            return
        card = self._show_cards.season(number)
        if card is None:
            raise UserFacingError(no_such_season(self.bot.show, number))
        await interaction.response.send_message(embed=card)


async def setup(bot: HeartstopperBot) -> None:
    bot.add_dynamic_items(EpisodeStep)
    await bot.add_cog(Episodes(bot))


async def teardown(bot: HeartstopperBot) -> None:
    bot.remove_dynamic_items(EpisodeStep)
