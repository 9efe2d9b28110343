"""Cards for crew, families, plot-word matches, books and awards: limits, pings, no plot."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.show import cards
from bot.show.loader import DEFAULT_DATA_PATH, load_show_data
from bot.show.models import Award, Book, CrewMember, DatePrecision, ReleaseDate, ShowData


@pytest.fixture(scope="module")
def data() -> ShowData:
    return load_show_data(DEFAULT_DATA_PATH)


def within_limits(embed: object) -> None:
    assert len(embed) <= cards.TOTAL_LIMIT  # type: ignore[arg-type]
    assert len(embed.fields) <= cards.FIELD_COUNT_LIMIT  # type: ignore[attr-defined]


def test_crew_card_names_roles_and_credits(data: ShowData) -> None:
    alice = next(c for c in data.crew if c.key == "alice-oseman")
    embed = cards.person_card(alice)
    fields = {f.name: f.value for f in embed.fields}
    assert embed.title == "Alice Oseman"
    assert "Creator" in fields["Roles"]
    assert fields["Worked on"] == "Season 1, Season 2, Season 3, Film and the books"
    within_limits(embed)


def test_a_crew_card_survives_hostile_text() -> None:
    member = CrewMember(
        "x", "@everyone" * 50, ("<@123>",) * 40, ("Books",), "x" * 9000, (), (), ("https://a.b",)
    )
    embed = cards.crew_card(member)
    within_limits(embed)
    assert "@everyone" not in (embed.title or "")
    assert dict((f.name, f.value) for f in embed.fields)["Worked on"] == "the books"


def test_family_card_lists_everyone_and_escapes_the_query(data: ShowData) -> None:
    nelsons = [c for c in data.cast if any(ch.endswith("Nelson") for ch in c.characters)]
    embed = cards.family_card("**Nelson** @here", nelsons)
    assert "**" not in (embed.title or "").replace("\\*", "")
    assert "@here" not in (embed.title or "")
    assert len(embed.fields) == len(nelsons) == 4
    within_limits(embed)


def test_episode_matches_show_titles_never_plot(data: ShowData) -> None:
    paris = [e for e in data.episodes if "Paris" in e.keywords]
    embed = cards.episode_matches_card("Paris", paris)
    assert all(e.code in (embed.description or "") for e in paris)
    assert all(e.synopsis[:30] not in (embed.description or "") for e in paris)


def test_books_card_dates_at_their_precision(data: ShowData) -> None:
    embed = cards.books_card(data.books)
    values = {f.name: f.value for f in embed.fields}
    assert len(values) == len(data.books)
    volume_4 = next(v for k, v in values.items() if "Volume 4" in k)
    assert volume_4.startswith("May 2021")
    solitaire = next(v for k, v in values.items() if "Solitaire" in k)
    assert solitaire.startswith("2014") and "not adapted on screen" in solitaire
    volume_1 = next(v for k, v in values.items() if "Volume 1" in k)
    assert volume_1.startswith("<t:") and "Season 1" in volume_1
    within_limits(embed)


def test_books_and_awards_cards_fit_even_when_huge() -> None:
    book = Book(
        "b", "T" * 500, "novel", ReleaseDate(DatePrecision.YEAR, year=2020), (), "d" * 5000,
        ("https://a.b",),
    )  # fmt: skip
    within_limits(cards.books_card([book] * 40))
    award = Award("C" * 300, dt.date(2022, 12, 10), "c" * 900, "r", "won", ("https://a.b",))
    within_limits(cards.awards_card([award] * 40))


def test_awards_card_counts_the_wins(data: ShowData) -> None:
    embed = cards.awards_card(data.awards)
    assert embed.description == f"{len(data.awards)} win(s) in my data."
    assert any("Journey" in f.value for f in embed.fields)
