"""The loader turns a valid TOML file into ShowData and names file, entry and field on every error.

Each error test starts from the same minimal valid document and breaks exactly one thing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.show.loader import DEFAULT_DATA_PATH, ShowDataError, load_show_data
from bot.show.models import DatePrecision

SRC = 'sources = ["https://example.org/source"]'

SERIES = f"""
[series]
title = "Heartstopper"
creator = "Alice Oseman"
network = "Netflix"
production_company = "See-Saw Films"
based_on = "the graphic novels"
status = "Ended"
summary = "Two boys meet at school."
{SRC}
"""


def season(number: int, count: int = 2, released: str = "2023-08-03") -> str:
    return f"""
[[seasons]]
number = {number}
release_date = {released}
episode_count = {count}
adapts = ["Volume 3"]
director = "Euros Lyn"
summary = "A season."
{SRC}
"""


def episode(season: int, number: int, released: str = "2023-08-03", title: str = "Ep") -> str:
    return f"""
[[episodes]]
season = {season}
number = {number}
title = "{title}"
release_date = {released}
synopsis = "Things happen."
{SRC}
"""


CAST = f"""
[[cast]]
key = "kit-connor"
actor = "Kit Connor"
characters = ["Nick Nelson"]
billing = "main"
appearances = ["S1", "Film"]
description = "A rugby player."
aliases = ["Nicholas"]
{SRC}
"""


def release(key: str = "season-2", when: str = 'precision = "day"\nday = 2023-08-03') -> str:
    return f"""
[[releases]]
key = "{key}"
title = "Season 2"
kind = "season"
season = 2
{when}
{SRC}
"""


def news(date: str, headline: str = "News", extra: str = "") -> str:
    return f"""
[[timeline]]
date = {date}
headline = "{headline}"
{extra}
{SRC}
"""


def document(**replace: str) -> str:
    """The minimal valid document; pass part=... to swap one part out."""
    parts = {
        "series": SERIES,
        "seasons": season(2),
        "episodes": episode(2, 2) + episode(2, 1),
        "cast": CAST,
        "releases": release(),
        "timeline": news("2023-01-02", "Later") + news("2022-05-20", "Earlier"),
    }
    parts.update(replace)
    return "\n".join(parts.values())


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "heartstopper.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ShowDataError) as info:
        load_show_data(path)
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    return message.removeprefix(f"{path}: ")


def test_minimal_document_loads_and_sorts(tmp_path: Path) -> None:
    data = load_show_data(write(tmp_path, document()))
    assert data.series.creator == "Alice Oseman"
    assert [e.code for e in data.episodes] == ["S2E1", "S2E2"]
    assert [n.headline for n in data.timeline] == ["Earlier", "Later"]
    assert data.episode(2, 1) is not None
    assert data.cast[0].aliases == ("Nicholas",)
    assert data.release("season-2").when.day == dt.date(2023, 8, 3)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("when", "precision", "expected"),
    [
        ('precision = "instant"\ninstant = 2024-10-03T07:00:00Z', "instant", dt.date(2024, 10, 3)),
        # An offset is accepted and normalised to UTC: 00:00 PDT is 07:00 UTC.
        (
            'precision = "instant"\ninstant = 2024-10-03T00:00:00-07:00',
            "instant",
            dt.date(2024, 10, 3),
        ),
        ('precision = "month"\nyear = 2026\nmonth = 5', "month", dt.date(2026, 5, 31)),
        ('precision = "year"\nyear = 2026', "year", dt.date(2026, 12, 31)),
        ('precision = "unannounced"', "unannounced", None),
    ],
)
def test_release_precisions(
    tmp_path: Path, when: str, precision: str, expected: dt.date | None
) -> None:
    data = load_show_data(write(tmp_path, document(releases=release(when=when))))
    got = data.releases[0].when
    assert got.precision is DatePrecision(precision)
    assert got.latest_possible_day() == expected
    if got.instant is not None:
        assert got.instant == dt.datetime(2024, 10, 3, 7, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("parts", "where", "problem"),
    [
        (
            {"episodes": episode(2, 1) + episode(2, 9, released='"2023-13-01"')},
            "episodes[S2E9].release_date",
            "expected a date like 2023-08-03, got '2023-13-01'",
        ),
        (
            {"episodes": episode(2, 1) + episode(2, 2, released="2023-08-03T07:00:00Z")},
            "episodes[S2E2].release_date",
            "expected a date like 2023-08-03",
        ),
        ({"cast": CAST.replace(SRC, "")}, "cast[kit-connor].sources", "missing"),
        (
            {"cast": CAST.replace(SRC, "sources = []")},
            "cast[kit-connor].sources",
            "at least one",
        ),
        ({"episodes": episode(2, 1) + episode(2, 1)}, "episodes[S2E1]", "duplicate episode"),
        (
            {"episodes": episode(2, 1) + episode(2, 2) + episode(4, 1)},
            "episodes[S4E1].season",
            "unknown season 4",
        ),
        ({"seasons": season(2) + season(2)}, "seasons[2]", "duplicate season"),
        ({"cast": CAST + CAST}, "cast[kit-connor]", "duplicate cast key"),
        ({"releases": release() + release()}, "releases[season-2]", "duplicate release key"),
        (
            {"episodes": episode(2, 1)},
            "seasons[2].episode_count",
            "says 2 but 1 episodes are listed",
        ),
        (
            {"releases": release(when='precision = "month"\nyear = 2026')},
            "releases[season-2].month",
            "missing",
        ),
        (
            {"releases": release(when='precision = "year"\nyear = 2026\nmonth = 3')},
            "releases[season-2].month",
            "not allowed with precision = 'year'",
        ),
        (
            {"releases": release(when='precision = "month"\nyear = 2026\nmonth = 13')},
            "releases[season-2].month",
            "1-12",
        ),
        (
            {"releases": release(when='precision = "soon"')},
            "releases[season-2].precision",
            "got 'soon'",
        ),
        (
            {"releases": release(when='precision = "instant"\ninstant = 2024-10-03T07:00:00')},
            "releases[season-2].instant",
            "no timezone",
        ),
        (
            {"releases": release(when='precision = "unannounced"\nday = 2026-01-01')},
            "releases[season-2].day",
            "not allowed",
        ),
        ({"series": SERIES.replace('creator = "Alice Oseman"\n', "")}, "series.creator", "missing"),
        ({"series": SERIES.replace('"Netflix"', '""')}, "series.network", "non-empty text"),
        (
            {"seasons": season(2).replace("episode_count = 2", 'episode_count = "8"')},
            "seasons[2].episode_count",
            "whole number",
        ),
        (
            {"cast": CAST.replace('"main"', '"lead"')},
            "cast[kit-connor].billing",
            "got 'lead'",
        ),
        (
            {"cast": CAST.replace('"Film"', '"Movie"')},
            "cast[kit-connor].appearances",
            "got 'Movie'",
        ),
        ({"cast": CAST.replace('"kit-connor"', '"Kit Connor"')}, "cast[Kit Connor].key", "slug"),
        (
            {"timeline": news("2022-05-20") + news("2022-05-21", extra="season = 7")},
            "timeline[#2].season",
            "unknown season 7",
        ),
        (
            {"timeline": news('"last spring"')},
            "timeline[#1].date",
            "got 'last spring'",
        ),
        (
            {"episodes": episode(2, 1) + episode(2, 2).replace("release_date", "relase_date")},
            "episodes[S2E2].relase_date",
            "unknown field",
        ),
        ({"timeline": ""}, "timeline", "missing"),
    ],
)
def test_each_error_names_entry_and_field(
    tmp_path: Path, parts: dict[str, str], where: str, problem: str
) -> None:
    message = error_of(tmp_path, document(**parts))
    assert message.startswith(f"{where}: "), message
    assert problem in message


def test_syntax_error_reports_line(tmp_path: Path) -> None:
    text = document(cast=CAST.replace('billing = "main"', "billing = main"))
    bad_line = text.splitlines().index("billing = main") + 1
    message = error_of(tmp_path, text)
    assert "invalid TOML" in message
    assert f"line {bad_line}" in message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ShowDataError, match="file not found"):
        load_show_data(tmp_path / "nope.toml")


def test_default_path_points_at_repo_data_file() -> None:
    assert DEFAULT_DATA_PATH.parts[-2:] == ("data", "heartstopper.toml")
    assert DEFAULT_DATA_PATH.is_file()
