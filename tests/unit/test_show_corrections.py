"""Issue 9 corrections, checked against the REAL data file and the wording helpers."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlparse

import pytest

from bot.show.loader import DEFAULT_DATA_PATH, load_show_data
from bot.show.models import DatePrecision, ReleaseDate, ShowData
from bot.show.releases import describe_when, is_upcoming

# Domains that only republish other outlets' articles (or never held the cited page).
SCRAPER_COPIES = frozenset(
    {
        "truemac.vn",
        "acmesponge.com",
        "thereviewgeekat.pages.dev",
        "femalewardrobe.com",
        "vclokomotiv.com",
        "athomedaily.com",
        "ihcahieh.com",
        "originsofcjm.co.uk",
        "rage4media.blogspot.com",
    }
)
# Cited pages that could not be found anywhere (the audit's list).
UNFINDABLE = (
    "joblo.com/heartstopper-feature-film",
    "nationalworld.com/culture/television/when-will-heartstopper-film",
    "heartstopper-olivia-colman-not-returning-season-3-newsupdate",
    "tvfanatic.com/2022/05/heartstopper-renewed-for-two-seasons",
    "production-officially-begins-and-what-we-know-so-far-10-2023",
)


@pytest.fixture(scope="module")
def data() -> ShowData:
    return load_show_data(DEFAULT_DATA_PATH)


def every_source(data: ShowData) -> list[tuple[str, str]]:
    labelled = [("series", s) for s in data.series.sources]
    labelled += [(f"seasons[{x.number}]", s) for x in data.seasons for s in x.sources]
    labelled += [(f"episodes[{x.code}]", s) for x in data.episodes for s in x.sources]
    labelled += [(f"cast[{x.key}]", s) for x in data.cast for s in x.sources]
    labelled += [(f"releases[{x.key}]", s) for x in data.releases for s in x.sources]
    labelled += [(f"timeline[{x.date}]", s) for x in data.timeline for s in x.sources]
    return labelled


def test_the_film_is_coming_in_2026_without_a_day(data: ShowData) -> None:
    film = data.release("heartstopper-forever")
    assert film is not None
    assert film.when.precision is DatePrecision.YEAR
    assert film.when.year == 2026


def test_a_year_only_date_is_worded_as_the_issue_asks() -> None:
    when = ReleaseDate(DatePrecision.YEAR, year=2026)
    assert describe_when(when) == "coming 2026, no exact date yet"


def test_a_year_only_release_stays_upcoming_to_the_last_day_of_the_year(data: ShowData) -> None:
    film = data.release("heartstopper-forever")
    assert film is not None
    assert is_upcoming(film, dt.datetime(2026, 12, 31, 23, 0, tzinfo=dt.UTC))
    assert not is_upcoming(film, dt.datetime(2027, 1, 1, 1, 0, tzinfo=dt.UTC))


def test_volume_6_publication_is_worded_as_scheduled(data: ShowData) -> None:
    item = next(n for n in data.timeline if n.date == dt.date(2026, 7, 2))
    assert "scheduled" in item.headline.lower()


def test_season_3_summary_places_each_year_group_correctly(data: ShowData) -> None:
    summary = data.season(3).summary  # type: ignore[union-attr]
    assert "Year 11" in summary and "sixth form" in summary
    assert "the friends start sixth form" not in summary


def test_georgina_rich_appears_in_season_2(data: ShowData) -> None:
    jane = next(c for c in data.cast if c.key == "georgina-rich")
    assert "S2" in jane.appearances


def test_spelling_variants_are_aliases(data: ShowData) -> None:
    stephane = next(c for c in data.cast if c.key == "thibault-de-montalembert")
    assert "Stéphane Nelson" in stephane.aliases


def test_every_source_is_a_well_formed_https_or_http_url(data: ShowData) -> None:
    for label, source in every_source(data):
        parsed = urlparse(source)
        assert parsed.scheme in {"https", "http"}, (label, source)
        assert re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}", parsed.netloc), (label, source)
        assert " " not in source, (label, source)


def test_no_source_is_a_scraper_copy_or_unfindable(data: ShowData) -> None:
    for label, source in every_source(data):
        host = urlparse(source).netloc.removeprefix("www.")
        assert host not in SCRAPER_COPIES, (label, source)
        assert not any(bad in source for bad in UNFINDABLE), (label, source)


def test_records_do_not_contradict_each_other(data: ShowData) -> None:
    seasons = {f"S{s.number}" for s in data.seasons}
    for member in data.cast:
        assert set(member.appearances) <= seasons | {"Film"}, member.key
    # A season is released on the day its release entry says, and never after the timeline
    # says it "arrives".
    for season in data.seasons:
        arrivals = [
            n for n in data.timeline if n.season == season.number and "arrives" in n.headline
        ]
        assert all(n.date == season.release_date for n in arrivals), season.number
    # Olivia Colman left before season 3, so the data must not put her in it.
    colman = next(c for c in data.cast if c.key == "olivia-colman")
    assert "S3" not in colman.appearances


def test_a_dated_release_comes_before_a_vague_one_in_its_window(data: ShowData) -> None:
    # The film is "coming 2026" and said to follow Volume 6 (2 July 2026): /next and the
    # "next" countdown target must name the book, which can be counted down to.
    from bot.show.releases import next_release, upcoming_releases

    june = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
    assert next_release(data.releases, june).key == "volume-6"  # type: ignore[union-attr]
    keys = [r.key for r in upcoming_releases(data.releases, june)]
    assert keys.index("volume-6") < keys.index("heartstopper-forever")
