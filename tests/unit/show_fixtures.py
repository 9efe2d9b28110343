"""A small, hand-built ShowData for the finder and card tests (independent of the real data file).

Names and titles are the show's; dates after season 2 and the accented "Zoë Brontë" entry are
made up for the tests (the latter to exercise accent folding).
"""

from __future__ import annotations

import datetime as dt

from bot.show.models import (
    CastMember,
    DatePrecision,
    Episode,
    NewsItem,
    Release,
    ReleaseDate,
    Season,
    Series,
    ShowData,
)

WIKI = "https://en.wikipedia.org/wiki/Heartstopper_(TV_series)"
NETFLIX = "https://www.netflix.com/tudum/heartstopper"

S1_TITLES = ("Meet", "Crush", "Kiss", "Secret", "Friend", "Girls", "Bully", "Boyfriend")
S2_TITLES = ("New", "Out", "Promise", "Challenge", "Family", "Sorry", "Truth", "Love")
S1_DAY = dt.date(2022, 4, 22)
S2_DAY = dt.date(2023, 8, 3)


def cast_member(
    key: str,
    actor: str,
    characters: tuple[str, ...],
    *,
    billing: str = "main",
    aliases: tuple[str, ...] = (),
    appearances: tuple[str, ...] = ("S1", "S2"),
    description: str = "A student at Truham.",
) -> CastMember:
    return CastMember(
        key=key,
        actor=actor,
        characters=characters,
        billing=billing,
        appearances=appearances,
        description=description,
        aliases=aliases,
        sources=(WIKI,),
    )


CAST = (
    cast_member(
        "kit-connor",
        "Kit Connor",
        ("Nick Nelson",),
        aliases=("Nicholas", "Nick"),
        appearances=("S1", "S2", "Film"),
        description="A kind Year 11 rugby player.",
    ),
    cast_member(
        "joe-locke",
        "Joe Locke",
        ("Charlie Spring",),
        description="A Year 10 drummer who sits next to Nick in form.",
    ),
    cast_member(
        "yasmin-finney",
        "Yasmin Finney",
        ("Elle Argent",),
        description="Charlie's friend who moves to Higgs.",
    ),
    cast_member("william-gao", "William Gao", ("Tao Xu",), description="Charlie's loyal friend."),
    cast_member(
        "kizzy-edgell", "Kizzy Edgell", ("Darcy Olsson",), description="Tara's girlfriend."
    ),
    cast_member(
        "jenny-walser", "Jenny Walser", ("Tori Spring",), description="Charlie's older sister."
    ),
    cast_member(
        "olivia-colman",
        "Olivia Colman",
        ("Sarah Nelson",),
        billing="recurring",
        description="Nick's mum.",
    ),
    cast_member(
        "nima-taleghani",
        "Nima Taleghani",
        ("Mr Farouk",),
        billing="recurring",
        aliases=("Farooq", "Mr Farooq"),
        description="A teacher at Truham.",
    ),
    cast_member(
        "chetna-pandya",
        "Chetna Pandya",
        ("Coach Singh",),
        billing="recurring",
        description="The rugby coach.",
    ),
    cast_member(
        "zoe-bronte",
        "Zoë Brontë",
        ("Renée Ålund",),
        billing="recurring",
        description="A made-up entry with accents.",
    ),
)


def _episodes(season: int, titles: tuple[str, ...], day: dt.date) -> tuple[Episode, ...]:
    return tuple(
        Episode(season, n, title, day, f"In {title.lower()}, something happens.", (WIKI,))
        for n, title in enumerate(titles, start=1)
    )


SEASONS = (
    Season(
        1,
        S1_DAY,
        8,
        ("Volume 1", "Volume 2"),
        "Euros Lyn",
        "Charlie and Nick meet and become friends.",
        (WIKI,),
    ),
    Season(
        2,
        S2_DAY,
        8,
        ("Volume 3", "Volume 4"),
        "Euros Lyn",
        "Exams, a school trip to Paris and a prom.",
        (WIKI, NETFLIX),
    ),
)

EPISODES = _episodes(1, S1_TITLES, S1_DAY) + _episodes(2, S2_TITLES, S2_DAY)

RELEASES = (
    Release(
        "season-1",
        "Heartstopper season 1",
        "season",
        ReleaseDate(DatePrecision.DAY, day=S1_DAY),
        (WIKI,),
        season=1,
    ),
    Release(
        "season-2",
        "Heartstopper season 2",
        "season",
        ReleaseDate(DatePrecision.INSTANT, instant=dt.datetime(2023, 8, 3, 7, tzinfo=dt.UTC)),
        (NETFLIX,),
        season=2,
    ),
    Release(
        "film",
        "Heartstopper Forever",
        "film",
        ReleaseDate(DatePrecision.MONTH, year=2031, month=3),
        (NETFLIX,),
    ),
    Release(
        "book-6",
        "Heartstopper Volume 6",
        "book",
        ReleaseDate(DatePrecision.YEAR, year=2032),
        ("Hachette",),
    ),
    Release(
        "special",
        "A Heartstopper special",
        "special",
        ReleaseDate(DatePrecision.UNANNOUNCED),
        (WIKI,),
    ),
)

TIMELINE = (
    NewsItem(dt.date(2022, 3, 16), "Netflix sets the premiere and releases a teaser", (WIKI,), 1),
    NewsItem(dt.date(2022, 5, 20), "Renewed for seasons 2 and 3", (NETFLIX,)),
    NewsItem(dt.date(2023, 8, 3), "Season 2 arrives on Netflix", (NETFLIX,), 2),
)

SERIES = Series(
    title="Heartstopper",
    creator="Alice Oseman",
    network="Netflix",
    production_company="See-Saw Films",
    based_on="Alice Oseman's webcomic and graphic novels",
    status="Ended",
    summary="Two boys at a British grammar school become friends and fall in love.",
    sources=(WIKI,),
)


def make_show(
    *,
    cast: tuple[CastMember, ...] = CAST,
    episodes: tuple[Episode, ...] = EPISODES,
    seasons: tuple[Season, ...] = SEASONS,
) -> ShowData:
    return ShowData(
        series=SERIES,
        seasons=seasons,
        episodes=episodes,
        cast=cast,
        releases=RELEASES,
        timeline=TIMELINE,
    )
