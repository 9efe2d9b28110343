"""Checks over the REAL data/heartstopper.toml: facts that must hold whatever fans edit.

Run this after changing the data file; a failure names what is inconsistent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from bot.show.loader import DEFAULT_DATA_PATH, load_show_data
from bot.show.models import DatePrecision, ShowData


@pytest.fixture(scope="module")
def data() -> ShowData:
    return load_show_data(DEFAULT_DATA_PATH)


def all_sourced_entries(data: ShowData) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Every record with a ``sources`` field, labelled for failure messages."""
    yield "series", data.series.sources
    yield from ((f"seasons[{s.number}]", s.sources) for s in data.seasons)
    yield from ((f"episodes[{e.code}]", e.sources) for e in data.episodes)
    yield from ((f"cast[{c.key}]", c.sources) for c in data.cast)
    yield from ((f"releases[{r.key}]", r.sources) for r in data.releases)
    yield from ((f"timeline[{n.date}]", n.sources) for n in data.timeline)


def test_three_seasons_of_eight_episodes(data: ShowData) -> None:
    assert [s.number for s in data.seasons] == [1, 2, 3]
    for season in data.seasons:
        episodes = data.episodes_of(season.number)
        assert len(episodes) == season.episode_count == 8
        # Numbered 1..n with no gaps, so "S2E4" style lookups always work.
        assert [e.number for e in episodes] == list(range(1, season.episode_count + 1))


def test_known_anchor_facts(data: ShowData) -> None:
    releases = {s.number: s.release_date for s in data.seasons}
    assert releases == {
        1: dt.date(2022, 4, 22),
        2: dt.date(2023, 8, 3),
        3: dt.date(2024, 10, 3),
    }
    assert {s.number: s.director for s in data.seasons} == {
        1: "Euros Lyn",
        2: "Euros Lyn",
        3: "Andy Newbery",
    }
    s2e4 = data.episode(2, 4)
    assert s2e4 is not None and s2e4.title == "Challenge"


def test_episodes_release_with_their_season(data: ShowData) -> None:
    # Netflix drops every episode of a season at once.
    for episode in data.episodes:
        season = data.season(episode.season)
        assert season is not None
        assert episode.release_date == season.release_date, episode.code


def test_season_releases_match_release_entries(data: ShowData) -> None:
    for season in data.seasons:
        matching = [r for r in data.releases if r.kind == "season" and r.season == season.number]
        assert len(matching) == 1, f"season {season.number} needs exactly one release entry"
        release = matching[0]
        assert release.when.day == season.release_date, release.key


def test_netflix_instants_are_midnight_pacific(data: ShowData) -> None:
    pacific = dt.timezone(dt.timedelta(hours=-7))  # all three premieres fell in PDT
    for release in data.releases:
        if release.kind == "season" and release.when.precision is DatePrecision.INSTANT:
            assert release.when.instant is not None
            assert release.when.instant.astimezone(pacific).time() == dt.time(0, 0), release.key


def test_every_entry_has_a_source(data: ShowData) -> None:
    for label, sources in all_sourced_entries(data):
        assert sources, label
        assert all(s.strip() for s in sources), label


def test_creator_is_spelled_right(data: ShowData) -> None:
    assert data.series.creator == "Alice Oseman"


def test_misspellings_only_live_in_aliases(data: ShowData) -> None:
    farouk = next(c for c in data.cast if c.key == "nima-taleghani")
    assert farouk.characters == ("Mr Farouk",)
    assert "Farooq" in farouk.aliases
    # Outside aliases, the press's errors must not leak into what the bot shows.
    shown_text = [
        data.series.creator,
        data.series.summary,
        *(c.description for c in data.cast),
        *(name for c in data.cast for name in c.characters),
        *(n.headline for n in data.timeline),
        *(e.synopsis for e in data.episodes),
    ]
    for text in shown_text:
        assert "Farooq" not in text, text
        assert "Osman " not in text and not text.endswith("Osman"), text


def test_film_release_is_present(data: ShowData) -> None:
    film = data.release("heartstopper-forever")
    assert film is not None
    assert film.kind == "film"
    assert film.title.startswith("Heartstopper Forever")
    assert film.sources


def test_cast_keys_and_appearances_are_consistent(data: ShowData) -> None:
    seasons = {f"S{s.number}" for s in data.seasons}
    for member in data.cast:
        assert member.billing in {"main", "recurring"}, member.key
        for appearance in member.appearances:
            assert appearance in seasons | {"Film"}, (member.key, appearance)
    leads = {c.key: c for c in data.cast if "Film" in c.appearances}
    assert {"kit-connor", "joe-locke"} <= leads.keys()


def test_timeline_is_sorted_and_seasons_exist(data: ShowData) -> None:
    dates = [n.date for n in data.timeline]
    assert dates == sorted(dates)
    known = {s.number for s in data.seasons}
    assert all(n.season in known for n in data.timeline if n.season is not None)
