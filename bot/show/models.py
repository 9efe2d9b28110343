"""Typed, immutable records of the show's knowledge, as loaded from ``data/heartstopper.toml``.

Every record carries ``sources``: the URLs or publications the fact comes from.
Nothing here does I/O; the loader builds these and the cogs only read them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class DatePrecision(StrEnum):
    """How much of a release date is publicly known."""

    INSTANT = "instant"  # an exact moment (Netflix: 00:00 Pacific), stored in UTC
    DAY = "day"  # a calendar day, time of day unknown
    MONTH = "month"  # only the month
    YEAR = "year"  # only the year
    UNANNOUNCED = "unannounced"  # announced as coming, no public date


@dataclass(frozen=True, slots=True)
class ReleaseDate:
    """A release date known to some precision.

    Exactly the fields the precision needs are set:
    INSTANT -> ``instant`` (timezone-aware UTC) and ``day`` (its UTC calendar day);
    DAY -> ``day``; MONTH -> ``year`` and ``month``; YEAR -> ``year``; UNANNOUNCED -> nothing.
    """

    precision: DatePrecision
    instant: dt.datetime | None = None
    day: dt.date | None = None
    year: int | None = None
    month: int | None = None

    def __post_init__(self) -> None:
        p = self.precision
        if p is DatePrecision.INSTANT:
            if self.instant is None or self.instant.utcoffset() != dt.timedelta(0):
                raise ValueError("an INSTANT release needs a UTC-aware instant")
            object.__setattr__(self, "day", self.instant.date())
            object.__setattr__(self, "year", self.instant.year)
            object.__setattr__(self, "month", self.instant.month)
        elif p is DatePrecision.DAY:
            if self.day is None:
                raise ValueError("a DAY release needs a day")
            object.__setattr__(self, "year", self.day.year)
            object.__setattr__(self, "month", self.day.month)
        elif p is DatePrecision.MONTH:
            if self.year is None or self.month is None or not 1 <= self.month <= 12:
                raise ValueError("a MONTH release needs a year and a month 1-12")
        elif p is DatePrecision.YEAR:
            if self.year is None:
                raise ValueError("a YEAR release needs a year")

    @property
    def has_exact_day(self) -> bool:
        return self.precision in (DatePrecision.INSTANT, DatePrecision.DAY)

    def latest_possible_day(self) -> dt.date | None:
        """The last calendar day the release could fall on (None when unannounced).

        Used to decide whether a vaguely dated release is certainly in the past.
        """
        if self.day is not None:
            return self.day
        if self.precision is DatePrecision.MONTH:
            assert self.year is not None and self.month is not None
            first_of_next = dt.date(self.year + self.month // 12, self.month % 12 + 1, 1)
            return first_of_next - dt.timedelta(days=1)
        if self.precision is DatePrecision.YEAR:
            assert self.year is not None
            return dt.date(self.year, 12, 31)
        return None


@dataclass(frozen=True, slots=True)
class Series:
    title: str
    creator: str
    network: str
    production_company: str
    based_on: str
    status: str
    summary: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Season:
    number: int
    release_date: dt.date
    episode_count: int
    adapts: tuple[str, ...]  # source volumes of the graphic novels
    director: str
    summary: str  # spoiler-light, written by us
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Episode:
    season: int
    number: int
    title: str
    release_date: dt.date
    synopsis: str  # written by us; always shown behind spoiler tags
    sources: tuple[str, ...]
    aliases: tuple[str, ...] = ()  # other spellings of the title, e.g. "Truth/Dare"
    keywords: tuple[str, ...] = ()  # plot words a fan might search for, e.g. "Paris"

    @property
    def code(self) -> str:
        """``S2E4`` style label."""
        return f"S{self.season}E{self.number}"


@dataclass(frozen=True, slots=True)
class CastMember:
    key: str  # stable slug, e.g. "kit-connor"
    actor: str
    characters: tuple[str, ...]
    billing: str  # "main" or "recurring"
    appearances: tuple[str, ...]  # e.g. ("S1", "S2", "S3", "Film")
    description: str  # one line about the character
    aliases: tuple[str, ...]  # common misspellings and nicknames that should still find this entry
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Release:
    key: str  # stable slug, e.g. "season-3" or "heartstopper-forever"
    title: str
    kind: str  # "season", "film", "book", ...
    when: ReleaseDate
    sources: tuple[str, ...]
    season: int | None = None


class Canon(StrEnum):
    """Which telling of the story a fact belongs to, so spoiler settings can scope by it."""

    SHOW = "show"
    FILM = "film"
    BOOKS = "books"


@dataclass(frozen=True, slots=True)
class CrewMember:
    """Someone behind the camera (or the books); found by the same search as the cast."""

    key: str  # stable slug, unique across cast and crew
    name: str
    roles: tuple[str, ...]  # e.g. ("Director",)
    credits: tuple[str, ...]  # "S1".."Sn", "Film", "Books"
    description: str
    aliases: tuple[str, ...]
    canon: tuple[Canon, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Book:
    key: str  # e.g. "volume-1", "nick-and-charlie"
    title: str
    kind: str  # "graphic novel", "novella" or "novel"
    published: ReleaseDate  # UK publication, to the precision our sources give
    adapted_in: tuple[str, ...]  # "S1".."Sn", "Film"; empty when not (yet) adapted
    description: str  # spoiler-light, ours
    sources: tuple[str, ...]
    volume: int | None = None  # 1-6 for the graphic novels
    canon: tuple[Canon, ...] = (Canon.BOOKS,)


@dataclass(frozen=True, slots=True)
class Award:
    ceremony: str  # e.g. "Children's & Family Emmy Awards"
    date: dt.date  # the ceremony (or its first night)
    category: str
    recipient: str
    result: str  # "won" or "nominated"
    sources: tuple[str, ...]
    work: str = ""  # what was honoured, e.g. "S3E4 Journey"
    canon: tuple[Canon, ...] = (Canon.SHOW,)


@dataclass(frozen=True, slots=True)
class NewsItem:
    date: dt.date
    headline: str
    sources: tuple[str, ...]
    season: int | None = None  # the season the news is about, if any
    canon: tuple[Canon, ...] = (Canon.SHOW,)


@dataclass(frozen=True, slots=True)
class ShowData:
    series: Series
    seasons: tuple[Season, ...]
    episodes: tuple[Episode, ...]
    cast: tuple[CastMember, ...]
    releases: tuple[Release, ...]
    timeline: tuple[NewsItem, ...]  # sorted by date
    crew: tuple[CrewMember, ...] = ()
    books: tuple[Book, ...] = ()  # in publication order
    awards: tuple[Award, ...] = ()  # sorted by date
    _episode_index: dict[tuple[int, int], Episode] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_episode_index", {(e.season, e.number): e for e in self.episodes})

    def season(self, number: int) -> Season | None:
        return next((s for s in self.seasons if s.number == number), None)

    def episodes_of(self, season: int) -> tuple[Episode, ...]:
        return tuple(e for e in self.episodes if e.season == season)

    def episode(self, season: int, number: int) -> Episode | None:
        return self._episode_index.get((season, number))

    def release(self, key: str) -> Release | None:
        return next((r for r in self.releases if r.key == key), None)
