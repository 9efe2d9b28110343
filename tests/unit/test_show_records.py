"""Crew, books and awards: the new tables of issue 9, in the real file and in the loader."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.show.loader import DEFAULT_DATA_PATH, load_show_data
from bot.show.models import Canon, DatePrecision, ShowData
from tests.unit.test_show_loader import SRC, document, error_of, write


@pytest.fixture(scope="module")
def data() -> ShowData:
    return load_show_data(DEFAULT_DATA_PATH)


# -- the real data ------------------------------------------------------------------------------


def test_alice_oseman_has_an_entry_with_the_press_misspellings(data: ShowData) -> None:
    alice = next(c for c in data.crew if c.key == "alice-oseman")
    assert alice.name == "Alice Oseman"
    assert {"Osman", "Ossman"} <= set(alice.aliases)
    assert {"S1", "S2", "S3", "Film", "Books"} <= set(alice.credits)
    assert set(alice.canon) == {Canon.SHOW, Canon.FILM, Canon.BOOKS}


@pytest.mark.parametrize(
    ("key", "credits"),
    [
        ("euros-lyn", {"S1", "S2"}),
        ("andy-newbery", {"S3"}),
        ("wash-westmoreland", {"Film"}),
        ("patrick-walters", {"S1", "S2", "S3", "Film"}),
        ("adiescar-chase", {"S1"}),
    ],
)
def test_the_crew_is_listed_with_their_credits(data: ShowData, key: str, credits: set[str]) -> None:
    member = next(c for c in data.crew if c.key == key)
    assert credits <= set(member.credits)
    assert member.sources


def test_the_six_volumes_have_uk_dates_and_adaptations(data: ShowData) -> None:
    volumes = {b.volume: b for b in data.books if b.volume is not None}
    assert sorted(volumes) == [1, 2, 3, 4, 5, 6]
    assert volumes[1].published.day == dt.date(2019, 2, 7)
    assert volumes[5].published.day == dt.date(2023, 12, 7)
    assert volumes[6].published.day == dt.date(2026, 7, 2)
    adapted = {n: set(b.adapted_in) for n, b in volumes.items()}
    assert adapted == {1: {"S1"}, 2: {"S1"}, 3: {"S2"}, 4: {"S3"}, 5: {"S3"}, 6: {"Film"}}
    # Volume 4's day is disputed, so only its month is claimed.
    assert volumes[4].published.precision is DatePrecision.MONTH


def test_the_novellas_and_solitaire_are_there(data: ShowData) -> None:
    books = {b.key: b for b in data.books}
    assert books["nick-and-charlie"].kind == "novella"
    assert "Film" in books["nick-and-charlie"].adapted_in
    assert books["this-winter"].kind == "novella"
    assert books["solitaire"].kind == "novel"
    assert "Tori" in books["solitaire"].description
    assert all(b.canon == (Canon.BOOKS,) for b in data.books)
    # Publication order: Solitaire (2014) first, Volume 6 last.
    assert data.books[0].key == "solitaire" and data.books[-1].key == "volume-6"


def test_the_2022_emmys_are_five_wins(data: ShowData) -> None:
    wins = [a for a in data.awards if a.date.year == 2022 and a.result == "won"]
    assert len(wins) == 5
    categories = " | ".join(a.category for a in wins)
    for word in ("Young Teen Series", "Lead", "Guest", "Writing", "Casting"):
        assert word in categories
    assert {"Kit Connor", "Olivia Colman", "Alice Oseman"} <= {a.recipient for a in wins}


def test_the_2026_emmys_are_joe_locke_and_journey(data: ShowData) -> None:
    wins = {a.recipient: a for a in data.awards if a.date == dt.date(2026, 3, 2)}
    assert "Lead" in wins["Joe Locke"].category
    assert "Journey" in wins["Alice Oseman"].work


@pytest.mark.parametrize(
    "day",
    ["2021-01-20", "2023-05-24", "2023-06-17", "2023-07-01", "2024-03-28", "2024-09-17",
     "2025-09-24", "2022-12-10", "2026-03-02"],
)  # fmt: skip
def test_timeline_gaps_are_filled(data: ShowData, day: str) -> None:
    assert any(n.date == dt.date.fromisoformat(day) for n in data.timeline)


def test_news_about_the_books_and_film_is_tagged_with_its_canon(data: ShowData) -> None:
    for item in data.timeline:
        text = item.headline.lower()
        if "volume" in text and item.season is None:
            assert Canon.BOOKS in item.canon, item.headline
        if "film" in text and item.season is None:
            assert Canon.FILM in item.canon, item.headline


def test_people_keys_are_unique_across_cast_and_crew(data: ShowData) -> None:
    keys = [c.key for c in data.cast] + [c.key for c in data.crew]
    assert len(keys) == len(set(keys))


# -- the loader's checks ------------------------------------------------------------------------

CREW = f"""
[[crew]]
key = "euros-lyn"
name = "Euros Lyn"
roles = ["Director"]
credits = ["S2"]
description = "Directed it."
canon = ["show"]
{SRC}
"""

BOOK = f"""
[[books]]
key = "volume-3"
title = "Volume 3"
kind = "graphic novel"
volume = 3
precision = "day"
day = 2020-02-06
adapted_in = ["S2"]
description = "Paris."
canon = ["books"]
{SRC}
"""

AWARD = f"""
[[awards]]
ceremony = "Children's & Family Emmy Awards"
date = 2022-12-10
category = "Outstanding Young Teen Series"
recipient = "Heartstopper"
result = "won"
canon = ["show"]
{SRC}
"""


def test_the_new_tables_load(tmp_path: Path) -> None:
    data = load_show_data(write(tmp_path, document(crew=CREW, books=BOOK, awards=AWARD)))
    assert data.crew[0].name == "Euros Lyn"
    assert data.books[0].published.day == dt.date(2020, 2, 6)
    assert data.awards[0].result == "won"


def test_the_new_tables_are_optional(tmp_path: Path) -> None:
    data = load_show_data(write(tmp_path, document()))
    assert data.crew == () and data.books == () and data.awards == ()


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (
            {"crew": CREW.replace('canon = ["show"]', 'canon = ["tv"]')},
            "crew[euros-lyn].canon: expected items from show, film, books, got 'tv'",
        ),
        (
            {"crew": CREW.replace('credits = ["S2"]', 'credits = ["S7"]')},
            "crew[euros-lyn].credits: unknown season S7 (seasons are S2)",
        ),
        (
            {"crew": CREW.replace('"euros-lyn"', '"kit-connor"')},
            "crew[kit-connor].key: already used by another cast or crew entry",
        ),
        (
            {"books": BOOK.replace('adapted_in = ["S2"]', 'adapted_in = ["Season 2"]')},
            "books[volume-3].adapted_in: expected items like 'S1', 'Film' or 'Books', "
            "got 'Season 2'",
        ),
        (
            {"books": BOOK.replace('precision = "day"\nday = 2020-02-06', 'precision = "instant"')},
            "books[volume-3].precision: expected one of day, month, year, got 'instant'",
        ),
        (
            {"books": BOOK.replace('kind = "graphic novel"', 'kind = "comic"')},
            "books[volume-3].kind: expected one of graphic novel, novel, novella, got 'comic'",
        ),
        (
            {"awards": AWARD.replace('result = "won"', 'result = "winner"')},
            "awards[#1].result: expected one of nominated, won, got 'winner'",
        ),
        (
            {"awards": AWARD.replace("date = 2022-12-10", 'date = "10 Dec"')},
            "awards[#1].date: expected a date like 2023-08-03, got '10 Dec'",
        ),
        (
            {"timeline": f'[[timeline]]\ndate = 2023-01-02\nheadline = "x"\ncanon = []\n{SRC}'},
            "timeline[#1].canon: must list at least one item",
        ),
    ],
)
def test_errors_in_the_new_tables_name_file_entry_and_field(
    tmp_path: Path, parts: dict[str, str], expected: str
) -> None:
    assert error_of(tmp_path, document(**parts)) == expected
