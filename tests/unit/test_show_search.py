"""The in-memory finder: fuzzy cast and episode lookups, autocomplete limits, hostile input."""

from __future__ import annotations

import time

import pytest

from bot.show.search import ShowIndex, normalise
from tests.unit.show_fixtures import CAST, make_show


@pytest.fixture(scope="module")
def index() -> ShowIndex:
    return ShowIndex(make_show())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Zoë   Brontë ", "zoe bronte"),
        ("RENÉE Ålund", "renee alund"),
        ("**Kit** _Connor_", "kit connor"),
        ("@everyone kit", "kit"),
        ("<@&123456> <@!42> <#7> <:pride:123> nick 🌈🏳️‍🌈", "nick"),
        ("S2E4 · Challenge", "s2e4 challenge"),
        ("", ""),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Kit Connor",
        "  MR   Farouk!! ",
        "**bold** __under__",
        "@here <@&12> kit",
        "a\tb\x00c",
        "S2E4",
    ],
)
def test_plain_ascii_folds_like_accented_text(text: str) -> None:
    """ASCII skips the accent-stripping pass; a trailing accent forces it, same answer."""
    assert normalise(text) == normalise(text + "\u0301")


def test_normalise_truncates_long_input() -> None:
    assert len(normalise("kit " * 1500)) <= 100


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("kit", "kit-connor"),
        ("nick", "kit-connor"),
        ("Nicholas", "kit-connor"),
        ("conor", "kit-connor"),  # misspelt surname
        ("kit-connor", "kit-connor"),  # autocomplete value
        ("Kit Connor — Nick Nelson", "kit-connor"),  # autocomplete name typed out
        ("nick nelson kit", "kit-connor"),
        ("farooq", "nima-taleghani"),  # alias
        ("Mr Farouk", "nima-taleghani"),
        ("farouk", "nima-taleghani"),  # surname after a title
        ("charlie", "joe-locke"),
        ("joe lock", "joe-locke"),
        ("olivia colman", "olivia-colman"),
        ("OLIVIA", "olivia-colman"),
        ("darcy", "kizzy-edgell"),
        ("chetna pandia", "chetna-pandya"),
        ("zoe bronte", "zoe-bronte"),  # accents folded on the data side
        ("Zoë", "zoe-bronte"),  # and on the query side
        ("renee", "zoe-bronte"),
        ("**@everyone kit** 🌈", "kit-connor"),
        ("<@&123> <@!456> darcy", "kizzy-edgell"),
    ],
)
def test_find_cast_matches(index: ShowIndex, query: str, key: str) -> None:
    result = index.find_cast(query)
    assert result.match is not None, result.suggestions
    assert result.match.key == key


@pytest.mark.parametrize(
    ("query", "expected"),
    [("nelson", {"kit-connor", "olivia-colman"}), ("spring", {"joe-locke", "jenny-walser"})],
)
def test_a_shared_surname_lists_the_family(
    index: ShowIndex, query: str, expected: set[str]
) -> None:
    result = index.find_cast(query)
    assert result.match is None
    assert {m.key for m in result.family} == expected


def test_substring_inside_a_word_is_not_a_match(index: ShowIndex) -> None:
    # "and" sits inside "Pandya"; it should at most be a suggestion.
    assert index.find_cast("and").match is None


def test_near_miss_gives_suggestions(index: ShowIndex) -> None:
    result = index.find_cast("kharlie")
    assert result.match is None
    assert result.suggestions[0].key == "joe-locke"


@pytest.mark.parametrize("query", ["", "   ", "?!*", "@everyone", "<@&1234>", "🌈🌈", "xyzzy", "a"])
def test_junk_finds_nothing(index: ShowIndex, query: str) -> None:
    result = index.find_cast(query)
    assert result.match is None
    assert result.suggestions == ()


def test_huge_query_is_safe_and_fast(index: ShowIndex) -> None:
    query = ("kit connor " * 600)[:6000]
    start = time.perf_counter()
    index.find_cast(query)
    index.cast_choices(query)
    index.find_episode(query)
    index.episode_choices(query)
    assert time.perf_counter() - start < 0.05


def test_lookups_are_fast(index: ShowIndex) -> None:
    queries = ["kit", "conor", "farooq", "olivia colman", "xyzzy", "S2E4", "chalenge", ""]
    rounds = 200
    start = time.perf_counter()
    for _ in range(rounds):
        for q in queries:
            index.find_cast(q)
            index.cast_choices(q)
            index.find_episode(q)
            index.episode_choices(q)
    per_call = (time.perf_counter() - start) / (rounds * len(queries) * 4)
    assert per_call < 0.0005  # generous: the target is well under 0.5 ms at p99


def test_cast_choices_empty_lists_main_cast_first(index: ShowIndex) -> None:
    choices = index.cast_choices("")
    assert len(choices) == len(CAST)
    billing = {m.key: m.billing for m in CAST}
    kinds = [billing[value] for _name, value in choices]
    assert kinds == sorted(kinds, key=lambda b: b != "main")
    assert choices[0] == ("Kit Connor — Nick Nelson", "kit-connor")


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("ki", "kit-connor"),
        ("conor", "kit-connor"),
        ("farooq", "nima-taleghani"),
        ("ch", "joe-locke"),
    ],
)
def test_cast_choices_rank_the_intended_member_first(
    index: ShowIndex, query: str, first: str
) -> None:
    assert index.cast_choices(query)[0][1] == first


def test_cast_choices_limits() -> None:
    many = tuple(
        CAST[0].__class__(
            key=f"member-{i}-" + "x" * 150,
            actor=f"Actor {i} " + "Long" * 40,
            characters=("Character " * 20,),
            billing="main",
            appearances=("S1",),
            description="d",
            aliases=(),
            sources=(),
        )
        for i in range(60)
    )
    index = ShowIndex(make_show(cast=many))
    for query in ("", "actor", "character", "x" * 6000):
        choices = index.cast_choices(query, limit=100)
        assert len(choices) <= 25
        for name, value in choices:
            assert 1 <= len(name) <= 100
            assert 1 <= len(value) <= 100
    assert len(index.cast_choices("")) == 25
    assert index.cast_choices("", limit=5) == index.cast_choices("")[:5]


@pytest.mark.parametrize(
    "query",
    [
        "S2E4",
        "s2e4",
        "s2 e4",
        "S2 E4",
        "2x04",
        "2x4",
        "S2E4 Challenge",
        "S2E4 · Challenge",
        "season 2 episode 4",
        "challenge",
        "Challenge",
        "chalenge",
        "CHALLENGE!!",
    ],
)
def test_find_episode(index: ShowIndex, query: str) -> None:
    result = index.find_episode(query)
    assert result.match is not None
    assert result.match.code == "S2E4"


def test_find_episode_missing_number_suggests_neighbours(index: ShowIndex) -> None:
    result = index.find_episode("S2E9")
    assert result.match is None
    assert [e.code for e in result.suggestions] == ["S2E8", "S2E7", "S2E6"]


@pytest.mark.parametrize("query", ["", "  ", "@everyone", "xyzzy", "S9E1"])
def test_find_episode_nothing(index: ShowIndex, query: str) -> None:
    result = index.find_episode(query)
    assert result.match is None
    assert result.suggestions == ()


def test_episode_choices_empty_is_first_in_order(index: ShowIndex) -> None:
    choices = index.episode_choices("")
    assert choices[0] == ("S1E1 · Meet", "S1E1")
    assert [v for _n, v in choices] == [f"S1E{n}" for n in range(1, 9)] + [
        f"S2E{n}" for n in range(1, 9)
    ]


def test_episode_choices_filter_by_season_prefix(index: ShowIndex) -> None:
    values = [v for _n, v in index.episode_choices("s2")]
    assert values == [f"S2E{n}" for n in range(1, 9)]


def test_episode_choices_by_title_and_code(index: ShowIndex) -> None:
    assert index.episode_choices("chal")[0] == ("S2E4 · Challenge", "S2E4")
    assert index.episode_choices("S2E4")[0][1] == "S2E4"
    assert index.episode_choices("2x04")[0][1] == "S2E4"


def test_episode_choices_limits() -> None:
    from tests.unit.show_fixtures import EPISODES

    long = tuple(
        e.__class__(3, n, "A very long title " * 10, e.release_date, "plot", ())
        for n, e in enumerate(EPISODES * 3, start=1)
    )
    index = ShowIndex(make_show(episodes=long))
    for query in ("", "s3", "very long", "x" * 6000):
        choices = index.episode_choices(query, limit=50)
        assert len(choices) <= 25
        for name, value in choices:
            assert len(name) <= 100
            assert len(value) <= 100
            assert "plot" not in name


def test_real_data_file_answers_the_usual_queries() -> None:
    from bot.show.loader import load_show_data

    index = ShowIndex(load_show_data())
    expected = {
        "kit": "kit-connor",
        "nick": "kit-connor",
        "conor": "kit-connor",
        "farooq": "nima-taleghani",
        "charlie": "joe-locke",
        "olivia colman": "olivia-colman",
        "darcy": "kizzy-edgell",
    }
    for query, key in expected.items():
        found = index.find_cast(query).match
        assert found is not None and found.key == key, query
    assert index.find_episode("S2E4").match is not None
    for query in ("", "s1", "a", "x" * 6000):
        for choices in (index.cast_choices(query), index.episode_choices(query)):
            assert len(choices) <= 25
            assert all(len(n) <= 100 and len(v) <= 100 for n, v in choices)
