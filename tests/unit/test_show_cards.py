"""Embed cards: Discord's limits, spoiler safety, no pings, honest release wording."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import discord
import pytest

from bot.show import cards
from bot.show.models import DatePrecision, Episode, NewsItem, Release, ReleaseDate, ShowData
from tests.unit.show_fixtures import CAST, EPISODES, RELEASES, SEASONS, TIMELINE, make_show

PING = re.compile(r"@everyone|@here|<@[!&]?\d")
HOSTILE = "@everyone @here <@&123456789012345678> <@!123456789012345678> **bold** ||x|| "


def assert_within_limits(embed: discord.Embed) -> None:
    data = embed.to_dict()
    title = data.get("title", "")
    description = data.get("description", "")
    fields = data.get("fields", [])
    footer = data.get("footer", {}).get("text", "")
    assert len(title) <= 256
    assert len(description) <= 4096
    assert len(fields) <= 25
    for f in fields:
        assert 1 <= len(f["name"]) <= 256
        assert 1 <= len(f["value"]) <= 1024
    assert len(footer) <= 2048
    total = len(title) + len(description) + len(footer)
    total += sum(len(f["name"]) + len(f["value"]) for f in fields)
    assert total <= 6000
    assert "Sources: " in footer


def texts(embed: discord.Embed) -> list[str]:
    data = embed.to_dict()
    out = [data.get("title", ""), data.get("description", ""), data["footer"]["text"]]
    for f in data.get("fields", []):
        out += [f["name"], f["value"]]
    return out


def assert_no_ping(embed: discord.Embed) -> None:
    for text in texts(embed):
        assert not PING.search(text), text


def all_cards(show: ShowData, now: dt.datetime) -> list[discord.Embed]:
    members, page, count = cards.paginate(show.cast, 0, cards.CAST_PAGE_SIZE)
    news, npage, ncount = cards.paginate(show.timeline, 0, cards.TIMELINE_PAGE_SIZE)
    return [
        *(cards.cast_card(m) for m in show.cast),
        cards.cast_page(members, page, count),
        *(cards.episode_card(show, e) for e in show.episodes),
        *(cards.season_card(show, s) for s in show.seasons),
        cards.seasons_overview(show),
        *(cards.next_release_card(r, now) for r in show.releases),
        cards.no_upcoming_card(),
        cards.timeline_page(news, npage, ncount, "All news"),
        cards.about_card(show, ["cast", "episode", "season", "next", "timeline"]),
    ]


NOW = dt.datetime(2023, 8, 1, 12, tzinfo=dt.UTC)


def test_every_card_fits_and_credits_sources() -> None:
    for embed in all_cards(make_show(), NOW):
        assert_within_limits(embed)
        assert_no_ping(embed)


def absurd_show() -> ShowData:
    long = HOSTILE * 400  # ~30,000 characters
    cast = tuple(
        dataclasses.replace(
            m,
            actor=long,
            characters=(long, long),
            description=long,
            aliases=(long,),
            appearances=("S1",) * 300,
            sources=tuple(f"https://site{i}.example/{long}" for i in range(50)),
        )
        for m in CAST * 4
    )
    episodes = tuple(
        dataclasses.replace(e, title=long, synopsis=long, sources=(long,)) for e in EPISODES
    )
    seasons = tuple(
        dataclasses.replace(
            SEASONS[0],
            number=n,
            summary=long,
            adapts=(long,) * 5,
            director=long,
            episode_count=10**6,
        )
        for n in range(1, 40)
    )
    return make_show(cast=cast, episodes=episodes, seasons=seasons)


def test_absurdly_long_data_is_truncated_within_limits() -> None:
    show = absurd_show()
    long = HOSTILE * 400
    releases = [dataclasses.replace(r, title=long, kind=long, sources=(long,)) for r in RELEASES]
    news = [NewsItem(dt.date(2024, 1, 1), long, (long,)) for _ in range(20)]
    embeds = [
        *all_cards(show, NOW),
        cards.cast_page(show.cast, 0, 4),  # a caller passing too many: only one page shown
        cards.timeline_page(news, 3, 4, long),
        cards.about_card(show, [long] * 50),
        *(cards.next_release_card(r, NOW) for r in releases),
    ]
    for embed in embeds:
        assert_within_limits(embed)
        assert_no_ping(embed)
    assert any("…" in t for e in embeds for t in texts(e))
    assert len(cards.cast_page(show.cast, 0, 4).fields) == cards.CAST_PAGE_SIZE


def spoiler_inner(description: str) -> str:
    match = re.fullmatch(r"(?s)[^|]*\|\|(.*)\|\|", description)
    assert match, description
    return match.group(1)


def test_episode_card_spoilers_only_the_synopsis() -> None:
    episode = dataclasses.replace(
        EPISODES[11], synopsis="Nick PLOTWORD tells || everyone @everyone | breaks \\|| out"
    )
    show = make_show(episodes=(*EPISODES[:11], episode, *EPISODES[12:]))
    embed = cards.episode_card(show, episode)
    assert_within_limits(embed)
    assert_no_ping(embed)
    inner = spoiler_inner(embed.description or "")
    assert "PLOTWORD" in inner
    # Every pipe inside is escaped, so nothing can close the spoiler early.
    assert "|" not in re.sub(r"\\.", "", inner)
    data = embed.to_dict()
    outside = [data["title"], data["footer"]["text"]]
    outside += [f["name"] for f in data["fields"]] + [f["value"] for f in data["fields"]]
    assert not any("PLOTWORD" in t for t in outside)
    assert data["title"] == "S2E4 · Challenge"


def test_long_synopsis_keeps_the_closing_spoiler_tag() -> None:
    episode = dataclasses.replace(EPISODES[0], synopsis="plot " * 5000)
    embed = cards.episode_card(make_show(episodes=(episode, *EPISODES[1:])), episode)
    assert_within_limits(embed)
    assert (embed.description or "").endswith("…||")


def test_episode_card_facts() -> None:
    show = make_show()
    data = cards.episode_card(show, show.episode(2, 4)).to_dict()  # type: ignore[arg-type]
    values = {f["name"]: f["value"] for f in data["fields"]}
    # 3 August 2023, 00:00 in Los Angeles (PDT) = 07:00 UTC.
    seconds = int(dt.datetime(2023, 8, 3, 7, tzinfo=dt.UTC).timestamp())
    assert values["Released"] == f"<t:{seconds}:D>"
    assert values["Season"] == "Episode 4 of 8 · Season 2 (2023)"
    assert values["Previous"] == "S2E3 · Promise"
    assert values["Next"] == "S2E5 · Family"


def test_episode_neighbours_cross_seasons_and_ends() -> None:
    show = make_show()
    first = {f.name: f.value for f in cards.episode_card(show, show.episode(1, 1)).fields}  # type: ignore[arg-type]
    last_s1 = {f.name: f.value for f in cards.episode_card(show, show.episode(1, 8)).fields}  # type: ignore[arg-type]
    assert first["Previous"] == "—"
    assert last_s1["Next"] == "S2E1 · New"


def test_winter_release_uses_pacific_standard_time() -> None:
    episode = Episode(3, 1, "Winter", dt.date(2024, 1, 15), "x", ())
    value = cards.episode_card(make_show(episodes=(episode,)), episode).fields[0].value
    assert value == f"<t:{int(dt.datetime(2024, 1, 15, 8, tzinfo=dt.UTC).timestamp())}:D>"


def test_season_card_and_overview() -> None:
    show = make_show()
    embed = cards.season_card(show, SEASONS[1])
    values = {f.name: f.value for f in embed.fields}
    assert values["Episodes"] == "8"
    assert values["Adapts"] == "Volume 3, Volume 4"
    assert values["Director"] == "Euros Lyn"
    assert values["Episode list"].splitlines()[3] == "S2E4 · Challenge"
    assert "In challenge" not in values["Episode list"]  # titles only, never plot
    overview = cards.seasons_overview(show)
    assert [f.name for f in overview.fields] == ["Season 1 (2022)", "Season 2 (2023)"]


def release(when: ReleaseDate) -> Release:
    return Release("x", "Heartstopper Forever", "film", when, ("https://www.netflix.com/x",))


INSTANT = dt.datetime(2031, 3, 10, 7, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("now", "phrase"),
    [
        (dt.datetime(2031, 3, 8, 23, tzinfo=dt.UTC), "2 days to go"),
        (dt.datetime(2031, 3, 9, 0, tzinfo=dt.UTC), "1 day to go"),
        (dt.datetime(2031, 3, 10, 1, tzinfo=dt.UTC), "out today"),
    ],
)
def test_exact_release_counts_days(now: dt.datetime, phrase: str) -> None:
    when = ReleaseDate(DatePrecision.INSTANT, instant=INSTANT)
    embed = cards.next_release_card(release(when), now)
    stamp = int(INSTANT.timestamp())
    assert f"<t:{stamp}:F>" in (embed.description or "")
    assert f"<t:{stamp}:R>" in (embed.description or "")
    assert phrase in (embed.description or "")
    assert "1 days" not in (embed.description or "")
    assert embed.footer.text == "Sources: netflix.com"


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (
            ReleaseDate(DatePrecision.MONTH, year=2031, month=3),
            "Expected some time in March 2031, no exact day yet.",
        ),
        (
            ReleaseDate(DatePrecision.YEAR, year=2031),
            "Coming 2031, no exact date yet.",
        ),
        (ReleaseDate(DatePrecision.UNANNOUNCED), "Announced, no release date yet."),
    ],
)
def test_vague_release_wording_is_honest(when: ReleaseDate, expected: str) -> None:
    embed = cards.next_release_card(release(when), NOW)
    assert embed.description == expected
    assert "<t:" not in expected


def test_no_upcoming_card() -> None:
    embed = cards.no_upcoming_card()
    assert_within_limits(embed)
    assert "data/heartstopper.toml" in (embed.footer.text or "")


def test_timeline_page() -> None:
    items = TIMELINE * 6
    shown, page, count = cards.paginate(items, 1, cards.TIMELINE_PAGE_SIZE)
    embed = cards.timeline_page(shown, page, count, "Season 2")
    lines = (embed.description or "").splitlines()
    assert len(lines) == cards.TIMELINE_PAGE_SIZE
    assert all(re.match(r"<t:\d+:D> · ", line) for line in lines)
    assert (embed.footer.text or "").startswith("Page 2/3 · Sources: ")
    assert "Season 2" in (embed.title or "")


@pytest.mark.parametrize(
    ("total", "page", "expected"), [(0, 0, (0, 0, 1)), (25, 9, (5, 2, 3)), (25, -1, (10, 0, 3))]
)
def test_paginate_clamps(total: int, page: int, expected: tuple[int, int, int]) -> None:
    shown, page_, count = cards.paginate(list(range(total)), page, 10)
    assert (len(shown), page_, count) == expected


def test_about_card() -> None:
    embed = cards.about_card(make_show(), ["cast", "/episode"])
    text = "\n".join(texts(embed))
    assert "Alice Oseman" in text
    assert "data/heartstopper.toml" in text
    assert "`/cast`" in text and "`/episode`" in text
    assert "//" not in text.replace("https://", "")
    assert_within_limits(embed)


def test_not_found_message_with_suggestions() -> None:
    message = cards.not_found_message("cast member", "kitt", ["Kit Connor", "Kizzy Edgell"])
    assert message == (
        "I couldn't find a cast member matching “kitt”. Did you mean Kit Connor or Kizzy Edgell?"
    )
    three = cards.not_found_message("episode", "x", ["A", "B", "C", "D"])
    assert three.endswith("Did you mean A, B or C?")


def test_not_found_message_is_safe() -> None:
    message = cards.not_found_message("episode", HOSTILE + "\n" + "z" * 6000, [])
    assert not PING.search(message)
    assert "\n" not in message
    assert "**" not in message
    assert "Did you mean" not in message
    assert len(message) < 150


def test_not_found_message_empty_query() -> None:
    assert "Did you mean" not in cards.not_found_message("episode", "   ", ["S1E1"])


def test_cards_from_the_real_data_file_fit() -> None:
    from bot.show.loader import load_show_data

    for embed in all_cards(load_show_data(), NOW):
        assert_within_limits(embed)
        assert_no_ping(embed)
