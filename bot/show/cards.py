"""Embed "cards" for the show commands: pure functions from show records to ``discord.Embed``.

Every card stays inside Discord's embed limits (long text is cut with "…"), cannot ping
anyone, and ends with a footer crediting its sources. Plot lives only inside ``||spoiler||``
tags in an episode card's description; titles, field names and footers never carry it.
Paged cards take the items of one page and a 0-based ``page``; :func:`paginate` slices.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import TypeVar
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import discord

from bot.show.models import (
    Award,
    Book,
    CastMember,
    CrewMember,
    DatePrecision,
    Episode,
    NewsItem,
    Release,
    Season,
    ShowData,
)
from bot.show.releases import days_until, describe_when, discord_timestamps

T = TypeVar("T")

# Discord's embed limits.
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_COUNT_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
TOTAL_LIMIT = 6000

CAST_PAGE_SIZE = 10
TIMELINE_PAGE_SIZE = 8
# Per-entry caps on paged cards, so a full page fits the 6,000-character total by construction.
_PAGE_ENTRY_NAME = 120
_PAGE_ENTRY_TEXT = 300
_CREDIT_LIMIT = 200
_QUERY_SHOWN = 50

DATA_FILE = "data/heartstopper.toml"
COLOUR = discord.Colour(0xF4A7B9)  # a soft Heartstopper pink
PACIFIC = ZoneInfo("America/Los_Angeles")  # Netflix drops at 00:00 Pacific
_PING = re.compile(r"@(everyone|here)|<@")
_SPACE = re.compile(r"\s+")


# -- text safety ------------------------------------------------------------------------------


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending in "…" when anything was dropped."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)].rstrip() + "…"


def no_ping(text: str) -> str:
    """Break ``@everyone``, ``@here`` and ``<@…>`` user/role mentions with a zero-width space."""
    return _PING.sub(lambda m: m.group(0)[0] + "\u200b" + m.group(0)[1:], text)


def safe(text: str, limit: int) -> str:
    return clip(no_ping(text), limit)


def escape_user_text(text: str, limit: int) -> str:
    """Untrusted text for one line: whitespace collapsed, cut, markdown escaped, no pings."""
    one_line = _SPACE.sub(" ", text).strip()
    return no_ping(discord.utils.escape_markdown(clip(one_line, limit), ignore_links=False))


def spoiler(text: str, limit: int) -> str:
    """``||text||`` that fits ``limit``; every ``|`` inside is escaped so it can't close early."""
    inner = no_ping(discord.utils.escape_markdown(text.strip(), ignore_links=False))
    return f"||{clip(inner, max(1, limit - 4))}||"


# -- small formatting helpers ----------------------------------------------------------------


def pacific_midnight(day: dt.date) -> dt.datetime:
    """The moment Netflix releases on ``day``: 00:00 in Los Angeles."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=PACIFIC)


def date_stamp(moment: dt.datetime) -> str:
    """``<t:…:D>``: a date every reader sees in their own time zone."""
    return f"<t:{int(moment.timestamp())}:D>"


def _news_stamp(day: dt.date) -> str:
    # Noon UTC reads as the same calendar day from UTC-11 to UTC+11.
    return date_stamp(dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC))


def _host(source: str) -> str:
    host = urlparse(source).netloc
    return host.removeprefix("www.") if host else clip(source, 40)


def source_credit(sources: Iterable[str]) -> str:
    """``Sources: en.wikipedia.org, netflix.com``: host names only (URL slugs can spoil)."""
    hosts = list(dict.fromkeys(_host(s) for s in sources if s.strip()))
    if not hosts:
        return f"Sources: {DATA_FILE}"
    shown = ", ".join(hosts[:3]) + (f" and {len(hosts) - 3} more" if len(hosts) > 3 else "")
    return safe(f"Sources: {shown}", _CREDIT_LIMIT)


def _appearances(codes: Iterable[str]) -> str:
    words = [f"Season {c[1:]}" if c.startswith("S") and c[1:].isdigit() else c for c in codes]
    return ", ".join(words) or "—"


def paginate(items: Sequence[T], page: int, size: int) -> tuple[tuple[T, ...], int, int]:
    """(items on the page, the page clamped into range, page count ≥ 1); pages are 0-based."""
    count = max(1, -(-len(items) // size))
    page = min(max(page, 0), count - 1)
    return tuple(items[page * size : (page + 1) * size]), page, count


def _page_label(page: int, page_count: int) -> str:
    return f"Page {page + 1}/{max(page_count, 1)}"


# -- embed assembly --------------------------------------------------------------------------


def _embed(title: str, description: str | None = None) -> discord.Embed:
    return discord.Embed(
        title=safe(title, TITLE_LIMIT),
        description=safe(description, DESCRIPTION_LIMIT) if description else None,
        colour=COLOUR,
    )


def _field(embed: discord.Embed, name: str, value: str, *, inline: bool = True) -> None:
    if len(embed.fields) >= FIELD_COUNT_LIMIT:
        return
    embed.add_field(
        name=safe(name, FIELD_NAME_LIMIT) or "—",
        value=safe(value, FIELD_VALUE_LIMIT) or "—",
        inline=inline,
    )


def _finish(embed: discord.Embed, footer: str) -> discord.Embed:
    """Set the footer, then trim until the 6,000-character total holds."""
    embed.set_footer(text=safe(footer, FOOTER_LIMIT))
    while len(embed) > TOTAL_LIMIT and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
    if len(embed) > TOTAL_LIMIT and embed.description:
        room = len(embed.description) - (len(embed) - TOTAL_LIMIT)
        embed.description = clip(embed.description, max(1, room))
    return embed


# -- cast ------------------------------------------------------------------------------------


def cast_card(member: CastMember) -> discord.Embed:
    embed = _embed(member.actor, member.description)
    plays = "Plays" if len(member.characters) == 1 else "Plays (characters)"
    _field(embed, plays, ", ".join(member.characters) or "—")
    _field(embed, "Appears in", _appearances(member.appearances))
    _field(embed, "Billing", "Main cast" if member.billing == "main" else "Recurring")
    return _finish(embed, source_credit(member.sources))


def _credits(codes: Sequence[str]) -> str:
    """``Season 1, Season 2 and the books``."""
    screen = [c for c in codes if c != "Books"]
    parts = [_appearances(screen)] if screen else []
    if "Books" in codes:
        parts.append("the books")
    return " and ".join(parts) or "—"


def crew_card(member: CrewMember) -> discord.Embed:
    embed = _embed(member.name, member.description)
    _field(embed, "Role" if len(member.roles) == 1 else "Roles", ", ".join(member.roles))
    _field(embed, "Worked on", _credits(member.credits))
    return _finish(embed, source_credit(member.sources))


def person_card(member: CastMember | CrewMember) -> discord.Embed:
    return cast_card(member) if isinstance(member, CastMember) else crew_card(member)


def _person_line(member: CastMember | CrewMember) -> tuple[str, str]:
    if isinstance(member, CastMember):
        return f"{member.actor} — {', '.join(member.characters)}", member.description
    return f"{member.name} — {', '.join(member.roles)}", member.description


def family_members_card(members: Sequence[CastMember | CrewMember]) -> discord.Embed:
    """A family's card without its title: the same for every query, so it can be built once."""
    embed = _embed("Everyone called …", "Pick one with `/cast query:` and their name.")
    for member in members[:CAST_PAGE_SIZE]:
        name, text = _person_line(member)
        _field(embed, clip(name, _PAGE_ENTRY_NAME), clip(text, _PAGE_ENTRY_TEXT), inline=False)
    return _finish(embed, source_credit(s for m in members for s in m.sources))


def titled_family_card(query: str, members_card: discord.Embed) -> discord.Embed:
    """A copy of :func:`family_members_card`'s card titled with what the fan typed.

    The fields stay well inside the 6,000-character total (ten capped entries), so a title
    of at most a few hundred characters can't push the card over it.
    """
    embed = members_card.copy()
    embed.title = safe(f"Everyone called {escape_user_text(query, _QUERY_SHOWN)}", TITLE_LIMIT)
    return embed


def family_card(query: str, members: Sequence[CastMember | CrewMember]) -> discord.Embed:
    """Everyone sharing the surname a fan typed, e.g. the four Nelsons."""
    return titled_family_card(query, family_members_card(members))


def cast_page(members: Sequence[CastMember], page: int, page_count: int) -> discord.Embed:
    """One page of the cast list (``CAST_PAGE_SIZE`` members; slice with :func:`paginate`)."""
    embed = _embed("Heartstopper cast")
    shown = members[:CAST_PAGE_SIZE]
    for member in shown:
        name = f"{member.actor} — {', '.join(member.characters)}"
        text = f"{member.description}\n{_appearances(member.appearances)}"
        _field(embed, clip(name, _PAGE_ENTRY_NAME), clip(text, _PAGE_ENTRY_TEXT), inline=False)
    if not shown:
        embed.description = "No cast on this page."
    credit = source_credit(s for m in shown for s in m.sources)
    return _finish(embed, f"{_page_label(page, page_count)} · {credit}")


# -- episodes and seasons ----------------------------------------------------------------------


def _neighbours(show: ShowData, episode: Episode) -> tuple[Episode | None, Episode | None]:
    ordered = sorted(show.episodes, key=lambda e: (e.season, e.number))
    here = (episode.season, episode.number)
    at = next((i for i, e in enumerate(ordered) if (e.season, e.number) == here), None)
    if at is None:
        return None, None
    previous = ordered[at - 1] if at > 0 else None
    return previous, (ordered[at + 1] if at + 1 < len(ordered) else None)


def _episode_label(episode: Episode | None) -> str:
    return clip(f"{episode.code} · {episode.title}", 200) if episode else "—"


def episode_context(show: ShowData, episode: Episode) -> str:
    """``Episode 4 of 8 · Season 2 (2023)``."""
    season = show.season(episode.season)
    count = season.episode_count if season else len(show.episodes_of(episode.season))
    year = (season.release_date if season else episode.release_date).year
    return f"Episode {episode.number} of {count} · Season {episode.season} ({year})"


def episode_card(show: ShowData, episode: Episode) -> discord.Embed:
    embed = _embed(f"{episode.code} · {episode.title}")
    previous, following = _neighbours(show, episode)
    _field(embed, "Released", date_stamp(pacific_midnight(episode.release_date)))
    _field(embed, "Season", episode_context(show, episode))
    _field(embed, "Previous", _episode_label(previous))
    _field(embed, "Next", _episode_label(following))
    embed.set_footer(text=source_credit(episode.sources))
    # The synopsis goes in last, sized to what's left, so it never needs trimming later
    # (trimming could cut the closing spoiler tag).
    lead = "Synopsis (spoilers, tap to reveal):\n"
    room = min(DESCRIPTION_LIMIT, TOTAL_LIMIT - len(embed)) - len(lead)
    embed.description = lead + spoiler(episode.synopsis or "No synopsis yet.", room)
    return _finish(embed, source_credit(episode.sources))


def episode_matches_card(query: str, episodes: Sequence[Episode]) -> discord.Embed:
    """The episodes a plot word points to; codes and titles only, never the plot itself."""
    shown = escape_user_text(query, _QUERY_SHOWN)
    lines = [_episode_label(e) for e in episodes[:FIELD_COUNT_LIMIT]]
    embed = _embed(
        f"Episodes about {shown}",
        "\n".join(lines) + "\n\nOpen one with `/episode title:` and its code, e.g. "
        f"`{episodes[0].code}`."
        if episodes
        else "No episodes.",
    )
    return _finish(embed, source_credit(s for e in episodes for s in e.sources))


def _episode_list(show: ShowData, season: int) -> str:
    lines = [_episode_label(e) for e in sorted(show.episodes_of(season), key=lambda e: e.number)]
    return "\n".join(lines) or "—"


def season_card(show: ShowData, season: Season) -> discord.Embed:
    embed = _embed(f"{show.series.title} · Season {season.number}", season.summary)
    _field(embed, "Released", date_stamp(pacific_midnight(season.release_date)))
    _field(embed, "Episodes", str(season.episode_count))
    _field(embed, "Adapts", ", ".join(season.adapts) or "—")
    _field(embed, "Director", season.director or "—")
    _field(embed, "Episode list", _episode_list(show, season.number), inline=False)
    return _finish(embed, source_credit(season.sources))


def seasons_overview(show: ShowData) -> discord.Embed:
    embed = _embed(f"{show.series.title} · Seasons", show.series.summary)
    for season in sorted(show.seasons, key=lambda s: s.number):
        count = "1 episode" if season.episode_count == 1 else f"{season.episode_count} episodes"
        adapts = f" · adapts {', '.join(season.adapts)}" if season.adapts else ""
        released = date_stamp(pacific_midnight(season.release_date))
        _field(
            embed,
            f"Season {season.number} ({season.release_date.year})",
            clip(f"{count} · released {released}{adapts}", _PAGE_ENTRY_TEXT),
            inline=False,
        )
    sources = [*show.series.sources, *(s for season in show.seasons for s in season.sources)]
    return _finish(embed, source_credit(sources))


# -- releases --------------------------------------------------------------------------------


def days_left_phrase(days: int) -> str:
    if days == 0:
        return "It's out today!"
    if days < 0:
        return "Already out."
    return "1 day to go." if days == 1 else f"{days} days to go."


def _when_text(release: Release, now: dt.datetime) -> str:
    when = release.when
    match when.precision:
        case DatePrecision.INSTANT:
            assert when.instant is not None
            full, relative = discord_timestamps(when.instant)
            lead = f"Arrives {full} ({relative})."
        case DatePrecision.DAY:
            assert when.day is not None
            moment = pacific_midnight(when.day)
            _, relative = discord_timestamps(moment)
            lead = f"Arrives {date_stamp(moment)} ({relative}); the time of day isn't announced."
        case DatePrecision.MONTH:
            assert when.year is not None and when.month is not None
            month = dt.date(when.year, when.month, 1).strftime("%B")
            return f"Expected some time in {month} {when.year}, no exact day yet."
        case DatePrecision.YEAR:
            return describe_when(when).capitalize() + "."
        case _:
            return "Announced, no release date yet."
    days = days_until(when, now)
    return lead if days is None else f"{lead}\n**{days_left_phrase(days)}**"


def next_release_card(release: Release, now: dt.datetime) -> discord.Embed:
    embed = _embed(f"Next up: {release.title}", _when_text(release, now))
    _field(embed, "Kind", release.kind.capitalize() or "—")
    if release.season is not None:
        _field(embed, "Season", str(release.season))
    return _finish(embed, source_credit(release.sources))


def no_upcoming_card() -> discord.Embed:
    embed = _embed(
        "Nothing announced right now",
        "There's no upcoming Heartstopper release in my data. "
        f"When one is announced, it's added to `{DATA_FILE}` with its source.",
    )
    return _finish(embed, f"Sources: {DATA_FILE}")


# -- books and awards ------------------------------------------------------------------------


def published_text(book: Book) -> str:
    """The UK publication date to the precision our sources give."""
    when = book.published
    if when.day is not None:
        return date_stamp(dt.datetime.combine(when.day, dt.time(12), tzinfo=dt.UTC))
    if when.precision is DatePrecision.MONTH:
        assert when.year is not None and when.month is not None
        return dt.date(when.year, when.month, 1).strftime("%B %Y")
    return str(when.year)


def _adapted_text(codes: Sequence[str]) -> str:
    return f"adapted in {_appearances(codes)}" if codes else "not adapted on screen"


def books_card(books: Sequence[Book]) -> discord.Embed:
    embed = _embed(
        "Heartstopper books",
        "Alice Oseman's books behind the story, with UK publication dates and which part "
        "of the show or film adapts each one.",
    )
    for book in books:
        _field(
            embed,
            clip(f"{book.title} ({book.kind})", _PAGE_ENTRY_NAME),
            clip(
                f"{published_text(book)} · {_adapted_text(book.adapted_in)}\n{book.description}",
                _PAGE_ENTRY_TEXT,
            ),
            inline=False,
        )
    if not books:
        embed.description = "No books in my data yet."
    return _finish(embed, source_credit(s for b in books for s in b.sources))


def awards_card(awards: Sequence[Award]) -> discord.Embed:
    wins = sum(1 for a in awards if a.result == "won")
    embed = _embed("Heartstopper awards", f"{wins} win(s) in my data." if awards else None)
    for award in awards:
        work = f" ({award.work})" if award.work else ""
        _field(
            embed,
            clip(f"{award.ceremony} · {_news_stamp(award.date)}", _PAGE_ENTRY_NAME),
            clip(
                f"{'Won' if award.result == 'won' else 'Nominated'}: {award.category}"
                f" — {award.recipient}{work}",
                _PAGE_ENTRY_TEXT,
            ),
            inline=False,
        )
    if not awards:
        embed.description = "No awards in my data yet."
    return _finish(embed, source_credit(s for a in awards for s in a.sources))


# -- timeline and about ----------------------------------------------------------------------


def timeline_page(
    items: Sequence[NewsItem], page: int, page_count: int, filter_label: str
) -> discord.Embed:
    """One page of news (``TIMELINE_PAGE_SIZE`` items; slice with :func:`paginate`)."""
    shown = items[:TIMELINE_PAGE_SIZE]
    lines = [f"{_news_stamp(i.date)} · {clip(i.headline, _PAGE_ENTRY_TEXT)}" for i in shown]
    body = "\n".join(lines) or "Nothing in the timeline for this filter yet."
    embed = _embed(f"Heartstopper timeline · {filter_label}", body)
    credit = source_credit(s for i in shown for s in i.sources)
    return _finish(embed, f"{_page_label(page, page_count)} · {credit}")


def about_card(show: ShowData, command_names: list[str]) -> discord.Embed:
    series = show.series
    embed = _embed(
        f"About {series.title}",
        f"{series.summary}\n\nCreated by {series.creator}, based on {series.based_on}. "
        f"Made by {series.production_company} for {series.network}. {series.status.rstrip('.')}.",
    )
    commands = ", ".join(f"`/{n.lstrip('/')}`" for n in command_names)
    _field(embed, "What I can do", commands or "—", inline=False)
    if show.crew:
        makers = [f"{c.name} — {', '.join(c.roles[:2])}" for c in show.crew]
        _field(embed, "Made by", "\n".join(makers) + "\nMore with `/cast`.", inline=False)
    _field(
        embed,
        "Where the facts come from",
        f"Everything I say comes from `{DATA_FILE}`, and every fact there names its source. "
        "Spotted a mistake or something new? Fans can correct the file.",
        inline=False,
    )
    return _finish(embed, source_credit(series.sources))


def not_found_message(kind: str, query: str, suggestions: list[str]) -> str:
    """A friendly one-liner: 'I couldn't find a cast member matching “kitt”. Did you mean …?'."""
    shown = escape_user_text(query, _QUERY_SHOWN)
    if not shown:
        return f"Tell me which {kind} to look up."
    article = "an" if kind[:1].lower() in "aeiou" else "a"  # "an episode", "a cast member"
    message = f"I couldn't find {article} {kind} matching “{shown}”."
    names = [escape_user_text(s, 100) for s in suggestions[:3] if s.strip()]
    if names:
        choices = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
        message += f" Did you mean {choices}?"
    return message
