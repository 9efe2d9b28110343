"""The time-zone resolver: names, aliases, cities, countries, abbreviations and offsets."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.countdown.errors import CountdownInputError
from bot.countdown.tzindex import (
    build_index,
    canonical_names,
    country_terms,
    fold,
    parse_links,
    tz_index,
)
from bot.countdown.zones import (
    ABBREVIATIONS,
    MAX_CHOICES,
    POPULAR_ZONES,
    describe_zone,
    fixed_zone,
    format_offset,
    parse_timezone,
    resolve_timezone,
    timezone_choices,
)

WINTER = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)
SUMMER = dt.datetime(2026, 7, 15, 12, 0, tzinfo=dt.UTC)
JUNK = "x" * 6000


# -- the index is derived from tzdata's own files ---------------------------------------------

ZI = "Z America/New_York -4:56:2 - LMT 1883\nL America/New_York US/Eastern\nL Europe/Brussels Europe/Amsterdam\n"  # noqa: E501
ZONE_TAB = "# comment\nUS\t+404251-0740023\tAmerica/New_York\tEastern (most areas)\nNL\t+5222+00454\tEurope/Amsterdam\n"  # noqa: E501
ISO = "#code\tname\nUS\tUnited States\nNL\tNetherlands\nGB\tBritain (UK)\n"


def test_index_is_parsed_from_tzdata_text() -> None:
    assert parse_links(ZI) == {
        "US/Eastern": "America/New_York",
        "Europe/Amsterdam": "Europe/Brussels",
    }
    index = build_index(
        ["America/New_York", "US/Eastern", "Europe/Amsterdam", "Europe/Brussels", "Factory"],
        ZI,
        ZONE_TAB,
        "",
        ISO,
    )
    # An old alias follows its link; a link a country table still lists keeps its name.
    assert index.canonical["US/Eastern"] == "America/New_York"
    assert index.canonical["Europe/Amsterdam"] == "Europe/Amsterdam"
    assert "Factory" not in index.canonical
    assert index.cities["eastern"] == ("America/New_York",)
    assert index.countries["united states"] == ("America/New_York",)
    assert index.countries["netherlands"] == ("Europe/Amsterdam",)


def test_canonical_names_survive_a_link_loop() -> None:
    names = canonical_names(["A/B", "C/D"], {"A/B": "C/D", "C/D": "A/B"}, set())
    assert set(names) == {"A/B", "C/D"}


@pytest.mark.parametrize(
    ("text", "folded"),
    [("São Paulo", "sao paulo"), ("sao_paulo", "sao paulo"), ("  NEW   York ", "new york")],
)
def test_fold_ignores_accents_case_and_underscores(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_country_terms_drop_the_bracketed_part() -> None:
    assert country_terms("Britain (UK)") == {"britain (uk)", "britain"}
    assert country_terms("Korea (South)") == {"korea (south)", "korea"}


def test_real_index_covers_every_country_zone() -> None:
    index = tz_index()
    assert len(index.countries) > 200 and len(index.cities) > 400
    for zones in index.countries.values():
        for zone in zones:
            ZoneInfo(zone)  # every offered zone loads


# -- resolving --------------------------------------------------------------------------------

RESOLVES = [
    # IANA names in any case, and legacy aliases stored as today's name
    ("Europe/London", "Europe/London"),
    ("europe/london", "Europe/London"),
    (" AMERICA/NEW_YORK ", "America/New_York"),
    ("America/New York", "America/New_York"),
    ("US/Eastern", "America/New_York"),
    ("Asia/Calcutta", "Asia/Kolkata"),
    ("Europe/Kiev", "Europe/Kyiv"),
    ("Europe/Amsterdam", "Europe/Amsterdam"),  # a link, but still the Netherlands' zone
    ("utc", "UTC"),
    ("Etc/GMT+5", "Etc/GMT+5"),  # an explicit Etc name is taken literally
    # cities, with or without accents, any case
    ("London", "Europe/London"),
    ("new york", "America/New_York"),
    ("New_York", "America/New_York"),
    ("sao paulo", "America/Sao_Paulo"),
    ("São Paulo", "America/Sao_Paulo"),
    ("Manila", "Asia/Manila"),
    ("calcutta", "Asia/Kolkata"),
    # countries with a single zone
    ("Philippines", "Asia/Manila"),
    ("india", "Asia/Kolkata"),
    ("Japan", "Asia/Tokyo"),
]


@pytest.mark.parametrize(("text", "zone"), RESOLVES)
def test_resolves_names_cities_and_countries(text: str, zone: str) -> None:
    found = resolve_timezone(text, WINTER)
    assert found.zone == zone
    assert parse_timezone(text, WINTER).key == zone


ABBREVIATION_ZONES = {
    "et": "America/New_York", "est": "America/New_York", "edt": "America/New_York",
    "ct": "America/Chicago", "cdt": "America/Chicago",
    "mt": "America/Denver", "mst": "America/Denver", "mdt": "America/Denver",
    "pt": "America/Los_Angeles", "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles",
    "gmt": "Europe/London", "bst": "Europe/London",
    "cet": "Europe/Paris", "cest": "Europe/Paris",
    "aest": "Australia/Sydney", "aedt": "Australia/Sydney",
    "jst": "Asia/Tokyo", "kst": "Asia/Seoul", "brt": "America/Sao_Paulo",
    "nzst": "Pacific/Auckland", "nzdt": "Pacific/Auckland",
}  # fmt: skip


NO_DST_THERE = {"jst", "kst", "brt"}  # Japan, Korea and Brazil keep one offset all year


@pytest.mark.parametrize(("abbreviation", "zone"), ABBREVIATION_ZONES.items())
def test_every_abbreviation_maps_to_a_city_zone(abbreviation: str, zone: str) -> None:
    for typed in (abbreviation, abbreviation.upper()):
        assert parse_timezone(typed, WINTER).key == zone
    assert zone in tz_index().country_zones  # a place's zone, not EST or PST8PDT
    info = ZoneInfo(zone)
    winter, summer = WINTER.astimezone(info).utcoffset(), SUMMER.astimezone(info).utcoffset()
    # The point: "EST" must not freeze New York on UTC-5 all summer.
    assert (winter != summer) is (abbreviation not in NO_DST_THERE)


def test_the_abbreviation_table_is_the_one_tested() -> None:
    ambiguous = {key for key, entry in ABBREVIATIONS.items() if entry.ambiguous}
    assert ambiguous == {"ist", "cst"}
    assert set(ABBREVIATIONS) - ambiguous == set(ABBREVIATION_ZONES)


def test_mountain_time_mentions_phoenix() -> None:
    found = resolve_timezone("MST", WINTER)
    assert "America/Phoenix" in found.note
    assert found.options[:2] == ("America/Denver", "America/Phoenix")


@pytest.mark.parametrize(
    ("text", "options"),
    [
        ("IST", ("Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem")),
        ("cst", ("America/Chicago", "Asia/Shanghai")),
        ("eastern", ("America/New_York", "America/Toronto")),
        ("+05:30", ("Asia/Kolkata", "Asia/Colombo")),
    ],
)
def test_ambiguous_input_gets_a_pick_list_never_a_guess(
    text: str, options: tuple[str, ...]
) -> None:
    found = resolve_timezone(text, WINTER)
    assert found.zone is None
    assert found.options == options
    with pytest.raises(CountdownInputError) as caught:
        parse_timezone(text, WINTER)
    assert all(zone in str(caught.value) for zone in options)
    assert timezone_choices(text, WINTER)[: len(options)] == list(options)


def test_a_country_with_many_zones_offers_them() -> None:
    found = resolve_timezone("Brazil", WINTER)
    assert found.zone is None
    assert found.options[0] == "America/Sao_Paulo"  # the popular one first
    assert {"America/Manaus", "America/Noronha"} <= set(found.options)
    with pytest.raises(CountdownInputError, match="America/Sao_Paulo"):
        parse_timezone("brazil", WINTER)


@pytest.mark.parametrize(
    ("text", "zone", "ahead"),
    [
        ("UTC+2", "Etc/GMT-2", 2),  # POSIX reverses the sign of Etc/ names
        ("GMT+2", "Etc/GMT-2", 2),
        ("utc +1", "Etc/GMT-1", 1),
        ("GMT-5", "Etc/GMT+5", -5),
        ("UTC\u22125", "Etc/GMT+5", -5),  # a typographic minus
        ("-03:00", "Etc/GMT+3", -3),
        ("+14", "Etc/GMT-14", 14),
        ("UTC-12", "Etc/GMT+12", -12),
        ("UTC+0", "UTC", 0),
    ],
)
def test_offsets_mean_what_people_mean(text: str, zone: str, ahead: int) -> None:
    found = parse_timezone(text, WINTER)
    assert found.key == zone
    for now in (WINTER, SUMMER):
        assert now.astimezone(ZoneInfo(zone)).utcoffset() == dt.timedelta(hours=ahead)
    assert "daylight saving" in found.note and "fixed offset" in found.note


def test_half_hour_offsets_store_the_one_place_that_keeps_them() -> None:
    found = parse_timezone("+05:45", WINTER)
    assert found.key == "Asia/Kathmandu" and "UTC+5:45" in found.note


def test_fixed_zone_only_for_whole_hours() -> None:
    assert fixed_zone(120) == "Etc/GMT-2"
    assert fixed_zone(-300) == "Etc/GMT+5"
    assert fixed_zone(0) == "UTC"
    assert fixed_zone(330) is None


@pytest.mark.parametrize(
    "text", ["", "  ", "Mars/Olympus_Mons", "../etc/passwd", "/etc/localtime", "..", "localtime",
             "Factory", "Europe\\London", "UTC+15", "GMT-13", "+05:75", JUNK],
)  # fmt: skip
def test_refuses_what_is_not_a_zone(text: str) -> None:
    assert resolve_timezone(text, WINTER).zone is None
    with pytest.raises(CountdownInputError) as caught:
        parse_timezone(text, WINTER)
    message = str(caught.value)
    assert "Europe/London" in message and len(message) < 250
    assert "passwd" not in message and "Mars" not in message  # the raw input is never echoed


def test_refusal_suggests_a_close_name() -> None:
    with pytest.raises(CountdownInputError, match="Did you mean Europe/London"):
        parse_timezone("Europe/Londo", WINTER)


# -- showing it -------------------------------------------------------------------------------


def test_every_confirmation_shows_offset_and_local_time() -> None:
    at = dt.datetime(2026, 1, 15, 21, 40, tzinfo=dt.UTC)
    assert describe_zone("Europe/London", at) == "Europe/London (UTC+0, now 21:40)"
    assert describe_zone("America/New_York", at) == "America/New_York (UTC-5, now 16:40)"
    assert describe_zone("Asia/Kolkata", at) == "Asia/Kolkata (UTC+5:30, now 03:10)"
    assert describe_zone("Etc/GMT-2", at) == "Etc/GMT-2 (UTC+2, now 23:40)"


def test_format_offset() -> None:
    assert format_offset(dt.timedelta(hours=-3, minutes=-30)) == "UTC-3:30"
    assert format_offset(None) == "UTC+0"


# -- autocomplete -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("est", "America/New_York"),
        ("EST", "America/New_York"),
        ("eastern", "America/New_York"),
        ("new york", "America/New_York"),
        ("pst", "America/Los_Angeles"),
        ("GMT+2", "Etc/GMT-2"),
        ("UTC+1", "Etc/GMT-1"),
        ("london", "Europe/London"),
        ("kolkata", "Asia/Kolkata"),
        ("syd", "Australia/Sydney"),
        ("europe/lon", "Europe/London"),
        ("lord", "Australia/Lord_Howe"),
        ("sao", "America/Sao_Paulo"),
        ("philippines", "Asia/Manila"),
    ],
)
def test_autocomplete_ranks_what_people_mean_first(query: str, first: str) -> None:
    assert timezone_choices(query, WINTER)[0] == first


def test_autocomplete_for_an_offset_also_offers_cities_on_it() -> None:
    choices = timezone_choices("UTC+1", WINTER)
    assert "Europe/Paris" in choices[:5]  # CET in January


def test_autocomplete_never_offers_posix_or_legacy_spellings() -> None:
    for query in ("est", "pst", "cet", "us/", "eastern", "calcutta"):
        for key in timezone_choices(query, WINTER):
            assert "/" in key or key == "UTC", (query, key)
            assert tz_index().canonical[key] == key  # values are what we store


@pytest.mark.parametrize("query", ["", "a", "e", "/", "America", "gmt", "+1"])
def test_autocomplete_never_exceeds_25(query: str) -> None:
    choices = timezone_choices(query, WINTER)
    assert 0 < len(choices) <= MAX_CHOICES
    assert len(set(choices)) == len(choices)
    assert len(timezone_choices(query, WINTER, limit=500)) <= MAX_CHOICES


def test_autocomplete_for_empty_input_is_the_popular_zones() -> None:
    assert timezone_choices("   ", WINTER) == list(POPULAR_ZONES[:MAX_CHOICES])
    for name in POPULAR_ZONES:
        assert parse_timezone(name, WINTER).key == name  # every suggestion is accepted as is


def test_autocomplete_for_nonsense_is_empty() -> None:
    assert timezone_choices("no such place at all", WINTER) == []
    assert timezone_choices(JUNK, WINTER) == []
