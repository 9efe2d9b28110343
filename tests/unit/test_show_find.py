"""Issue 9 search: crew found like cast, families by surname, episodes by plot word, against
the REAL data file (so the data's keywords and aliases are checked too)."""

from __future__ import annotations

import pytest

from bot.show.loader import DEFAULT_DATA_PATH, load_show_data
from bot.show.search import ShowIndex


@pytest.fixture(scope="module")
def index() -> ShowIndex:
    return ShowIndex(load_show_data(DEFAULT_DATA_PATH))


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("Osman", "alice-oseman"),
        ("Ossman", "alice-oseman"),
        ("alice oseman", "alice-oseman"),
        ("Euros Lyn", "euros-lyn"),
        ("Andy Newbery", "andy-newbery"),
        ("Wash Westmoreland", "wash-westmoreland"),
        ("Patrick Walters", "patrick-walters"),
        ("Adiescar Chase", "adiescar-chase"),
        ("Stéphane Nelson", "thibault-de-montalembert"),
    ],
)
def test_crew_are_found_by_the_cast_search(index: ShowIndex, query: str, key: str) -> None:
    found = index.find_cast(query)
    assert found.match is not None, (found.suggestions, found.family)
    assert found.match.key == key


def test_autocomplete_for_alice_offers_alice_oseman_first(index: ShowIndex) -> None:
    name, value = index.cast_choices("alice")[0]
    assert value == "alice-oseman"
    assert name.startswith("Alice Oseman")


@pytest.mark.parametrize(
    ("query", "keys"),
    [
        (
            "Nelson",
            {"kit-connor", "olivia-colman", "jack-barton", "thibault-de-montalembert"},
        ),
        ("spring", {"joe-locke", "jenny-walser", "georgina-rich", "joseph-balderrama"}),
    ],
)
def test_a_surname_lists_the_whole_family(index: ShowIndex, query: str, keys: set[str]) -> None:
    found = index.find_cast(query)
    assert found.match is None
    assert {m.key for m in found.family} == keys


@pytest.mark.parametrize("query", ["Paris", "paris", "the louvre"])
def test_a_plot_word_finds_the_episodes(index: ShowIndex, query: str) -> None:
    found = index.find_episode(query)
    codes = {e.code for e in found.matches}
    assert found.match is None
    assert codes, query
    assert all(code.startswith("S2E") for code in codes), codes
    if "paris" in query.lower():
        assert {"S2E4", "S2E5"} <= codes


@pytest.mark.parametrize("query", ["Truth/Dare", "truth or dare", "Truth / Dare"])
def test_title_spellings_find_the_episode(index: ShowIndex, query: str) -> None:
    found = index.find_episode(query)
    assert found.match is not None and found.match.code == "S2E6"


@pytest.mark.parametrize("query", ["S4E1", "s4 e2", "season 4 episode 1", "4x01"])
def test_a_season_that_does_not_exist_is_named(index: ShowIndex, query: str) -> None:
    found = index.find_episode(query)
    assert found.match is None
    assert found.missing_season == 4


def test_a_real_title_still_wins_over_plot_words(index: ShowIndex) -> None:
    found = index.find_episode("Challenge")
    assert found.match is not None and found.match.code == "S2E4"
