"""Cards built once per show data and reused by every reply, page turn and repeat command.

Cards are pure functions of the immutable :class:`~bot.show.models.ShowData`, and formatting
one (escaping, clipping, source hosts, Discord's limits) costs about as much as the rest of a
reply. So a :class:`ShowCards` builds each card the first time it is asked for and hands out
the same ``discord.Embed`` after that; discord.py only reads embeds when sending them, so
sharing one between replies is safe. A reload brings a new ``ShowData``: use :func:`fresh`
to swap in a new, empty ``ShowCards`` then.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import discord

from bot.show.cards import (
    CAST_PAGE_SIZE,
    TIMELINE_PAGE_SIZE,
    cast_page,
    family_members_card,
    paginate,
    season_card,
    seasons_overview,
    timeline_page,
)
from bot.show.models import CastMember, CrewMember, NewsItem, ShowData

T = TypeVar("T")
TimelineFilter = tuple[int | None, int | None]  # (season, year)


def filter_timeline(
    items: Sequence[NewsItem], season: int | None, year: int | None
) -> tuple[tuple[NewsItem, ...], str]:
    """The news matching the filters, and a label describing them."""
    chosen = tuple(
        item
        for item in items
        if (season is None or item.season == season) and (year is None or item.date.year == year)
    )
    return chosen, timeline_label(season, year)


def timeline_label(season: int | None, year: int | None) -> str:
    """``Season 2 · 2023``, ``2023`` or ``All news``."""
    parts = [
        f"Season {season}" if season is not None else "",
        str(year) if year is not None else "",
    ]
    return " · ".join(p for p in parts if p) or "All news"


class Pages:
    """The pages of one paged card, each built on first view (most readers stop at page 1)."""

    def __init__(self, count: int, build: Callable[[int], discord.Embed]) -> None:
        self.count = count
        self._build = build
        self._built: list[discord.Embed | None] = [None] * count

    @classmethod
    def of(
        cls,
        items: Sequence[T],
        size: int,
        card: Callable[[tuple[T, ...], int, int], discord.Embed],
    ) -> Pages:
        """Pages of ``size`` items each; ``card(items on the page, page, page count)``."""
        _, _, count = paginate(items, 0, size)

        def build(page: int) -> discord.Embed:
            shown, page, count = paginate(items, page, size)
            return card(shown, page, count)

        return cls(count, build)

    def page(self, number: int) -> discord.Embed:
        """Page ``number`` (0-based, clamped into range)."""
        number = min(max(number, 0), self.count - 1)
        embed = self._built[number]
        if embed is None:
            embed = self._built[number] = self._build(number)
        return embed


class ShowCards:
    """The show's cards for one ``ShowData``, built on first use and kept."""

    def __init__(self, show: ShowData) -> None:
        self.show = show
        self._cast_pages: Pages | None = None
        self._overview: discord.Embed | None = None
        self._seasons: dict[int, discord.Embed] = {}
        self._families: dict[tuple[str, ...], discord.Embed] = {}  # keyed by member keys
        # Only filters that match some news are kept, so the keys are bounded by the data
        # (its seasons and years), whatever numbers people type.
        self._timeline: dict[TimelineFilter, Pages] = {}
        self._timeline_years = sorted({item.date.year for item in show.timeline})

    def cast_pages(self) -> Pages:
        if self._cast_pages is None:
            self._cast_pages = Pages.of(self.show.cast, CAST_PAGE_SIZE, cast_page)
        return self._cast_pages

    def family(self, members: Sequence[CastMember | CrewMember]) -> discord.Embed:
        """A family's card without its title (see :func:`~bot.show.cards.titled_family_card`)."""
        key = tuple(m.key for m in members)
        card = self._families.get(key)
        if card is None:
            card = self._families[key] = family_members_card(members)
        return card

    def seasons_overview(self) -> discord.Embed:
        if self._overview is None:
            self._overview = seasons_overview(self.show)
        return self._overview

    def season(self, number: int) -> discord.Embed | None:
        """The season's card, or None when the show has no such season."""
        card = self._seasons.get(number)
        if card is None:
            found = self.show.season(number)
            if found is None:
                return None
            card = self._seasons[number] = season_card(self.show, found)
        return card

    def timeline(self, season: int | None, year: int | None) -> Pages | None:
        """The news pages for a filter, or None when no news matches it."""
        key = (season, year)
        pages = self._timeline.get(key)
        if pages is None:
            items, label = filter_timeline(self.show.timeline, season, year)
            if not items:
                return None

            def card(shown: tuple[NewsItem, ...], page: int, count: int) -> discord.Embed:
                return timeline_page(shown, page, count, label)

            pages = self._timeline[key] = Pages.of(items, TIMELINE_PAGE_SIZE, card)
        return pages

    def timeline_span(self) -> str:
        """``2021–2026``: the years the timeline covers."""
        years = self._timeline_years
        return f"{years[0]}–{years[-1]}" if years else "no years yet"


def fresh(cards: ShowCards, show: ShowData) -> ShowCards:
    """``cards`` while they were built from ``show``; new, empty ones after a reload."""
    return cards if cards.show is show else ShowCards(show)
