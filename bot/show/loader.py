"""Load and validate ``data/heartstopper.toml`` into the immutable records of ``bot.show.models``.

The file is edited by fans, so every problem is reported as one :class:`ShowDataError` whose
message names the file, the entry and the field, e.g.
``data/heartstopper.toml: episodes[S2E9].release_date: expected a date like 2023-08-03, ...``.
The loader fails on the first problem: a half-loaded show is worse than a bot that refuses to start.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from bot.show.models import (
    Award,
    Book,
    Canon,
    CastMember,
    CrewMember,
    DatePrecision,
    Episode,
    NewsItem,
    Release,
    ReleaseDate,
    Season,
    Series,
    ShowData,
)

DEFAULT_DATA_PATH: Path = Path(__file__).resolve().parents[2] / "data" / "heartstopper.toml"

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_APPEARANCE = re.compile(r"^(?:S[1-9][0-9]*|Film)$")
_BILLINGS = frozenset({"main", "recurring"})
_SEASON_FIELDS = frozenset(
    "number release_date episode_count adapts director summary sources".split()
)
_CAST_FIELDS = frozenset(
    "key actor characters billing appearances description aliases sources".split()
)
_TABLES = ("series", "seasons", "episodes", "cast", "releases", "timeline")
_OPTIONAL_TABLES = ("crew", "books", "awards")  # may be absent; each entry is checked in full
_CREDIT = re.compile(r"^(?:S[1-9][0-9]*|Film|Books)$")
_BOOK_KINDS = frozenset({"graphic novel", "novella", "novel"})
_AWARD_RESULTS = frozenset({"won", "nominated"})
_BOOK_PRECISIONS = frozenset({DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR})
# Which optional date fields each precision needs; all others must be absent.
_DATE_FIELDS = ("instant", "day", "year", "month")
_PRECISION_FIELDS: dict[DatePrecision, frozenset[str]] = {
    DatePrecision.INSTANT: frozenset({"instant"}),
    DatePrecision.DAY: frozenset({"day"}),
    DatePrecision.MONTH: frozenset({"year", "month"}),
    DatePrecision.YEAR: frozenset({"year"}),
    DatePrecision.UNANNOUNCED: frozenset(),
}

T = TypeVar("T")


class ShowDataError(Exception):
    """The data file is missing, unreadable or inconsistent."""

    def __init__(self, path: Path | str, where: str, problem: str) -> None:
        self.path = str(path)
        self.where = where
        self.problem = problem
        super().__init__(f"{self.path}: {where}: {problem}" if where else f"{self.path}: {problem}")


@dataclass(frozen=True, slots=True)
class _Entry:
    """One TOML table plus where it lives, with typed getters that fail with a located message."""

    path: Path
    where: str  # e.g. "episodes[S2E9]"
    raw: Mapping[str, Any]

    def fail(self, field: str | None, problem: str) -> NoReturn:
        raise ShowDataError(self.path, f"{self.where}.{field}" if field else self.where, problem)

    def only(self, allowed: frozenset[str]) -> None:
        """Reject unknown fields: a typo like ``relase_date`` would otherwise vanish silently."""
        for name in self.raw:
            if name not in allowed:
                self.fail(name, f"unknown field (expected one of: {', '.join(sorted(allowed))})")

    def has(self, name: str) -> bool:
        return name in self.raw

    def _get(self, name: str) -> Any:
        if name not in self.raw:
            self.fail(name, "missing")
        return self.raw[name]

    def text(self, name: str) -> str:
        value = self._get(name)
        if not isinstance(value, str) or not value.strip():
            self.fail(name, f"expected non-empty text, got {value!r}")
        return value.strip()

    def integer(self, name: str, *, minimum: int = 1) -> int:
        value = self._get(name)
        # bool is an int subclass; `true` is never a sensible number here.
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            self.fail(name, f"expected a whole number >= {minimum}, got {value!r}")
        return value

    def optional_integer(self, name: str) -> int | None:
        return self.integer(name) if self.has(name) else None

    def texts(
        self, name: str, *, required: bool = True, non_empty: bool = False
    ) -> tuple[str, ...]:
        if not required and name not in self.raw:
            return ()
        value = self._get(name)
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(name, f"expected a list of non-empty texts, got {value!r}")
        if non_empty and not value:
            self.fail(name, "must list at least one item")
        return tuple(v.strip() for v in value)

    def sources(self) -> tuple[str, ...]:
        return self.texts("sources", non_empty=True)

    def date(self, name: str) -> dt.date:
        value = self._get(name)
        parsed = _as_date(value)
        if parsed is None:
            self.fail(name, f"expected a date like 2023-08-03, got {_shown(value)}")
        return parsed

    def instant(self, name: str) -> dt.datetime:
        value = self._get(name)
        if isinstance(value, str):
            try:
                value = dt.datetime.fromisoformat(value)
            except ValueError:
                self.fail(name, f"expected an instant like 2024-10-03T07:00:00Z, got {value!r}")
        if not isinstance(value, dt.datetime):
            self.fail(name, f"expected an instant like 2024-10-03T07:00:00Z, got {_shown(value)}")
        if value.tzinfo is None or value.utcoffset() is None:
            self.fail(name, f"instant {value.isoformat()} has no timezone; add Z or an offset")
        return value.astimezone(dt.UTC)

    def choice(self, name: str, allowed: frozenset[str]) -> str:
        value = self.text(name)
        if value not in allowed:
            self.fail(name, f"expected one of {', '.join(sorted(allowed))}, got {value!r}")
        return value


def _shown(value: object) -> str:
    """Render a bad value the way a fan would recognise it from the file."""
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return repr(value)


def _as_date(value: object) -> dt.date | None:
    """A plain calendar date; TOML dates and ISO strings both count, datetimes do not."""
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _entries(path: Path, doc: Mapping[str, Any], table: str) -> list[Mapping[str, Any]]:
    value = doc.get(table)
    if value is None:
        raise ShowDataError(path, table, f"missing (add at least one [[{table}]] entry)")
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ShowDataError(path, table, f"expected a list of [[{table}]] tables")
    return value


def _no_duplicates(
    items: list[T], key: Callable[[T], object], fail: Callable[[T], NoReturn]
) -> None:
    seen: set[object] = set()
    for item in items:
        k = key(item)
        if k in seen:
            fail(item)
        seen.add(k)


# --- one parser per table -------------------------------------------------------------------


def _series(path: Path, doc: Mapping[str, Any]) -> Series:
    raw = doc.get("series")
    if not isinstance(raw, dict):
        raise ShowDataError(path, "series", "missing (add a [series] table)")
    e = _Entry(path, "series", raw)
    names = ("title", "creator", "network", "production_company", "based_on", "status", "summary")
    e.only(frozenset({*names, "sources"}))
    fields = {name: e.text(name) for name in names}
    return Series(**fields, sources=e.sources())


def _season(path: Path, index: int, raw: Mapping[str, Any]) -> Season:
    number = raw.get("number")
    e = _Entry(path, f"seasons[{number}]" if isinstance(number, int) else f"seasons[#{index}]", raw)
    e.only(_SEASON_FIELDS)
    return Season(
        number=e.integer("number"),
        release_date=e.date("release_date"),
        episode_count=e.integer("episode_count"),
        adapts=e.texts("adapts", non_empty=True),
        director=e.text("director"),
        summary=e.text("summary"),
        sources=e.sources(),
    )


def _episode_label(index: int, raw: Mapping[str, Any]) -> str:
    season, number = raw.get("season"), raw.get("number")
    if isinstance(season, int) and isinstance(number, int):
        return f"episodes[S{season}E{number}]"
    return f"episodes[#{index}]"


def _episode(path: Path, index: int, raw: Mapping[str, Any], seasons: set[int]) -> Episode:
    e = _Entry(path, _episode_label(index, raw), raw)
    e.only(frozenset("season number title release_date synopsis sources aliases keywords".split()))
    season = e.integer("season")
    if season not in seasons:
        e.fail("season", f"unknown season {season} (add a [[seasons]] entry for it first)")
    return Episode(
        season=season,
        number=e.integer("number"),
        title=e.text("title"),
        release_date=e.date("release_date"),
        synopsis=e.text("synopsis"),
        sources=e.sources(),
        aliases=e.texts("aliases", required=False),
        keywords=e.texts("keywords", required=False),
    )


def _key(e: _Entry) -> str:
    key = e.text("key")
    if not _SLUG.match(key):
        e.fail("key", f"expected a lowercase slug like 'kit-connor', got {key!r}")
    return key


def _cast_member(path: Path, index: int, raw: Mapping[str, Any]) -> CastMember:
    key = raw.get("key")
    e = _Entry(path, f"cast[{key}]" if isinstance(key, str) and key else f"cast[#{index}]", raw)
    e.only(_CAST_FIELDS)
    appearances = e.texts("appearances", non_empty=True)
    for appearance in appearances:
        if not _APPEARANCE.match(appearance):
            e.fail("appearances", f"expected items like 'S1' or 'Film', got {appearance!r}")
    return CastMember(
        key=_key(e),
        actor=e.text("actor"),
        characters=e.texts("characters", non_empty=True),
        billing=e.choice("billing", _BILLINGS),
        appearances=appearances,
        description=e.text("description"),
        aliases=e.texts("aliases", required=False),
        sources=e.sources(),
    )


def _release_date(
    e: _Entry, allowed: frozenset[DatePrecision] = frozenset(DatePrecision)
) -> ReleaseDate:
    raw_precision = e.text("precision")
    try:
        precision = DatePrecision(raw_precision)
    except ValueError:
        precision = None
    if precision is None or precision not in allowed:
        names = ", ".join(p.value for p in DatePrecision if p in allowed)
        e.fail("precision", f"expected one of {names}, got {raw_precision!r}")
    needed = _PRECISION_FIELDS[precision]
    for name in _DATE_FIELDS:
        if name in needed and not e.has(name):
            wanted = ", ".join(sorted(needed))
            e.fail(name, f"missing (precision = {precision.value!r} needs {wanted})")
        if name not in needed and e.has(name):
            e.fail(name, f"not allowed with precision = {precision.value!r}")
    month = e.optional_integer("month")
    if month is not None and month > 12:
        e.fail("month", f"expected a month 1-12, got {month}")
    return ReleaseDate(
        precision=precision,
        instant=e.instant("instant") if e.has("instant") else None,
        day=e.date("day") if e.has("day") else None,
        year=e.optional_integer("year"),
        month=month,
    )


def _release(path: Path, index: int, raw: Mapping[str, Any], seasons: set[int]) -> Release:
    key = raw.get("key")
    e = _Entry(
        path, f"releases[{key}]" if isinstance(key, str) and key else f"releases[#{index}]", raw
    )
    e.only(frozenset({"key", "title", "kind", "season", "precision", "sources", *_DATE_FIELDS}))
    season = e.optional_integer("season")
    if season is not None and season not in seasons:
        e.fail("season", f"unknown season {season}")
    return Release(
        key=_key(e),
        title=e.text("title"),
        kind=e.text("kind"),
        when=_release_date(e),
        sources=e.sources(),
        season=season,
    )


def _news(path: Path, index: int, raw: Mapping[str, Any], seasons: set[int]) -> NewsItem:
    e = _Entry(path, f"timeline[#{index}]", raw)
    e.only(frozenset({"date", "headline", "season", "canon", "sources"}))
    season = e.optional_integer("season")
    if season is not None and season not in seasons:
        e.fail("season", f"unknown season {season}")
    return NewsItem(
        date=e.date("date"),
        headline=e.text("headline"),
        sources=e.sources(),
        season=season,
        canon=_canon(e, required=False),
    )


def _canon(e: _Entry, *, required: bool = True) -> tuple[Canon, ...]:
    """``canon = ["show", "books"]``: which tellings a fact belongs to (default: the show)."""
    if not required and not e.has("canon"):
        return (Canon.SHOW,)
    names = e.texts("canon", non_empty=True)
    allowed = ", ".join(c.value for c in Canon)
    for name in names:
        if name not in {c.value for c in Canon}:
            e.fail("canon", f"expected items from {allowed}, got {name!r}")
    return tuple(dict.fromkeys(Canon(n) for n in names))


def _credits(e: _Entry, name: str, seasons: set[int], *, required: bool = True) -> tuple[str, ...]:
    """Season codes ("S1"), "Film" (and "Books" if allowed by the pattern) naming real seasons."""
    items = e.texts(name, required=required, non_empty=required)
    for item in items:
        if not _CREDIT.match(item):
            e.fail(name, f"expected items like 'S1', 'Film' or 'Books', got {item!r}")
        if item.startswith("S") and int(item[1:]) not in seasons:
            e.fail(name, f"unknown season {item} (seasons are {_season_list(seasons)})")
    return items


def _season_list(seasons: set[int]) -> str:
    return ", ".join(f"S{n}" for n in sorted(seasons))


def _crew_member(path: Path, index: int, raw: Mapping[str, Any], seasons: set[int]) -> CrewMember:
    key = raw.get("key")
    e = _Entry(path, f"crew[{key}]" if isinstance(key, str) and key else f"crew[#{index}]", raw)
    e.only(frozenset("key name roles credits description aliases canon sources".split()))
    return CrewMember(
        key=_key(e),
        name=e.text("name"),
        roles=e.texts("roles", non_empty=True),
        credits=_credits(e, "credits", seasons),
        description=e.text("description"),
        aliases=e.texts("aliases", required=False),
        canon=_canon(e),
        sources=e.sources(),
    )


def _book(path: Path, index: int, raw: Mapping[str, Any], seasons: set[int]) -> Book:
    key = raw.get("key")
    e = _Entry(path, f"books[{key}]" if isinstance(key, str) and key else f"books[#{index}]", raw)
    e.only(
        frozenset(
            {
                *"key title kind volume precision adapted_in description canon sources".split(),
                *_DATE_FIELDS,
            }
        )
    )
    adapted = _credits(e, "adapted_in", seasons, required=False)
    if "Books" in adapted:
        e.fail("adapted_in", "a book is adapted on screen: use season codes or 'Film'")
    return Book(
        key=_key(e),
        title=e.text("title"),
        kind=e.choice("kind", _BOOK_KINDS),
        volume=e.optional_integer("volume"),
        published=_release_date(e, _BOOK_PRECISIONS),
        adapted_in=adapted,
        description=e.text("description"),
        canon=_canon(e),
        sources=e.sources(),
    )


def _award(path: Path, index: int, raw: Mapping[str, Any]) -> Award:
    e = _Entry(path, f"awards[#{index}]", raw)
    e.only(frozenset("ceremony date category recipient result work canon sources".split()))
    return Award(
        ceremony=e.text("ceremony"),
        date=e.date("date"),
        category=e.text("category"),
        recipient=e.text("recipient"),
        result=e.choice("result", _AWARD_RESULTS),
        work=e.text("work") if e.has("work") else "",
        canon=_canon(e),
        sources=e.sources(),
    )


def _optional_entries(path: Path, doc: Mapping[str, Any], table: str) -> list[Mapping[str, Any]]:
    return _entries(path, doc, table) if table in doc else []


# --- whole-document checks ------------------------------------------------------------------


def _check_episode_counts(path: Path, seasons: list[Season], episodes: list[Episode]) -> None:
    for season in seasons:
        listed = sum(1 for ep in episodes if ep.season == season.number)
        if listed != season.episode_count:
            raise ShowDataError(
                path,
                f"seasons[{season.number}].episode_count",
                f"says {season.episode_count} but {listed} episodes are listed",
            )


def parse_show_data(doc: Mapping[str, Any], path: Path | str = "<memory>") -> ShowData:
    """Validate an already-parsed TOML document; ``path`` only labels the error messages."""
    path = Path(path)
    for name in doc:
        if name not in (*_TABLES, *_OPTIONAL_TABLES):
            expected = ", ".join((*_TABLES, *_OPTIONAL_TABLES))
            raise ShowDataError(path, name, f"unknown table (expected: {expected})")
    series = _series(path, doc)

    seasons = [_season(path, i, raw) for i, raw in enumerate(_entries(path, doc, "seasons"), 1)]

    def dup_season(s: Season) -> NoReturn:
        raise ShowDataError(path, f"seasons[{s.number}]", "duplicate season")

    _no_duplicates(seasons, lambda s: s.number, dup_season)
    known = {s.number for s in seasons}

    episodes = [
        _episode(path, i, raw, known) for i, raw in enumerate(_entries(path, doc, "episodes"), 1)
    ]

    def dup_episode(ep: Episode) -> NoReturn:
        raise ShowDataError(path, f"episodes[{ep.code}]", "duplicate episode")

    _no_duplicates(episodes, lambda ep: (ep.season, ep.number), dup_episode)
    _check_episode_counts(path, seasons, episodes)

    cast = [_cast_member(path, i, raw) for i, raw in enumerate(_entries(path, doc, "cast"), 1)]

    def dup_cast(c: CastMember) -> NoReturn:
        raise ShowDataError(path, f"cast[{c.key}]", "duplicate cast key")

    _no_duplicates(cast, lambda c: c.key, dup_cast)

    releases = [
        _release(path, i, raw, known) for i, raw in enumerate(_entries(path, doc, "releases"), 1)
    ]

    def dup_release(r: Release) -> NoReturn:
        raise ShowDataError(path, f"releases[{r.key}]", "duplicate release key")

    _no_duplicates(releases, lambda r: r.key, dup_release)

    timeline = [
        _news(path, i, raw, known) for i, raw in enumerate(_entries(path, doc, "timeline"), 1)
    ]

    crew = [
        _crew_member(path, i, raw, known)
        for i, raw in enumerate(_optional_entries(path, doc, "crew"), 1)
    ]

    def dup_person(key: str) -> NoReturn:
        # Cast and crew share one search (and one autocomplete value space).
        raise ShowDataError(path, f"crew[{key}].key", "already used by another cast or crew entry")

    _no_duplicates([*(c.key for c in cast), *(c.key for c in crew)], lambda k: k, dup_person)

    books = [
        _book(path, i, raw, known) for i, raw in enumerate(_optional_entries(path, doc, "books"), 1)
    ]

    def dup_book(b: Book) -> NoReturn:
        raise ShowDataError(path, f"books[{b.key}]", "duplicate book key")

    _no_duplicates(books, lambda b: b.key, dup_book)
    awards = [
        _award(path, i, raw) for i, raw in enumerate(_optional_entries(path, doc, "awards"), 1)
    ]

    return ShowData(
        series=series,
        seasons=tuple(sorted(seasons, key=lambda s: s.number)),
        episodes=tuple(sorted(episodes, key=lambda ep: (ep.season, ep.number))),
        cast=tuple(cast),
        releases=tuple(releases),
        # sorted() is stable, so same-day news keeps the order it has in the file.
        timeline=tuple(sorted(timeline, key=lambda n: n.date)),
        crew=tuple(crew),
        books=tuple(sorted(books, key=_publication_order)),
        awards=tuple(sorted(awards, key=lambda a: a.date)),
    )


def _publication_order(book: Book) -> tuple[int, int, int, str]:
    when = book.published
    return (when.year or 0, when.month or 0, when.day.day if when.day else 0, book.key)


def load_show_data(path: Path = DEFAULT_DATA_PATH) -> ShowData:
    """Read, parse and validate the show's data file; raise :class:`ShowDataError` if bad."""
    try:
        with path.open("rb") as fh:
            doc = tomllib.load(fh)
    except FileNotFoundError:
        raise ShowDataError(path, "", "file not found") from None
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message already ends with "(at line N, column M)".
        raise ShowDataError(path, "", f"invalid TOML: {exc}") from exc
    return parse_show_data(doc, path)
