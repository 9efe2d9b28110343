"""Event names: cleaning, plain-text mentions, finding an event by what's typed, the list."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.countdown.errors import CountdownInputError
from bot.countdown.events import (
    EVENTS_PER_PAGE,
    MAX_UPCOMING_EVENTS,
    cap_message,
    event_pages,
    upcoming,
)
from bot.countdown.names import (
    EVENT_NAME_MAX,
    clean_name,
    event_name,
    match_event,
    mentioned_ids,
    plain_mentions,
)
from bot.countdown.settings import CustomEvent

NOW = dt.datetime(2026, 1, 14, 12, 0, tzinfo=dt.UTC)
KNOWN = {("@&", 1): "Fans", ("@", 2): "Charlie Spring", ("#", 3): "general"}


def lookup(kind: str, ident: int) -> str | None:
    return KNOWN.get((kind, ident))


def events(*names: str) -> list[CustomEvent]:
    return [CustomEvent(n, 1, name, NOW + dt.timedelta(days=n)) for n, name in enumerate(names, 1)]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  Watch   party ", "Watch party"),
        ("Watch\u200bparty", "Watchparty"),
        ("\u2060Finale\u200e", "Finale"),
        ("🏳️\u200d🌈 night", "🏳️\u200d🌈 night"),  # the joiner inside an emoji stays
        ("***", "***"),
        ("Café", "Café"),
    ],
)
def test_event_name_keeps_what_is_visible(typed: str, stored: str) -> None:
    assert event_name(typed, lookup) == stored


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "\u200b", " \u200b\u2060 ", "\u3164", "\u2800\u2800", "\u200d", "\u0301", "\n\t"],
)
def test_event_name_refuses_names_with_nothing_visible(typed: str) -> None:
    with pytest.raises(CountdownInputError, match="something visible"):
        event_name(typed, lookup)


def test_event_name_refuses_overlong_names() -> None:
    assert len(event_name("x" * EVENT_NAME_MAX, lookup)) == EVENT_NAME_MAX
    with pytest.raises(CountdownInputError, match=f"{EVENT_NAME_MAX} characters"):
        event_name("x" * (EVENT_NAME_MAX + 1), lookup)


def test_clean_name_drops_control_characters() -> None:
    assert clean_name("a\x00b\x1b[31mc") == "ab[31mc"


@pytest.mark.parametrize(
    ("typed", "plain"),
    [
        ("Party for <@&1>", "Party for @Fans"),
        ("with <@2> and <@!2>", "with @Charlie Spring and @Charlie Spring"),
        ("in <#3>", "in #general"),
        ("<@&99> <@98> <#97>", "@deleted-role @unknown-user #deleted-channel"),
        ("for @everyone and @here", "for everyone and here"),
        ("<:heart:123456> night", ":heart: night"),
        ("<a:spin:123456>", ":spin:"),
    ],
)
def test_mentions_become_plain_text(typed: str, plain: str) -> None:
    assert plain_mentions(typed, lookup) == plain
    assert "<@" not in event_name(typed, lookup)


def test_mentioned_ids_are_listed_for_lookup() -> None:
    assert mentioned_ids("<@&1> <@!2> <@3> <#4>") == [("@&", 1), ("@", 2), ("@", 3), ("#", 4)]


# -- finding an event by its typed name -------------------------------------------------------

PARTIES = events("Watch Party", "Café night", "Party planning")


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("Watch Party", "Watch Party"),
        ("watch party", "Watch Party"),
        ("  WATCH   PARTY ", "Watch Party"),
        ("cafe night", "Café night"),
        ("CAFÉ NIGHT", "Café night"),
        ("event:2", "Café night"),  # the autocomplete value
    ],
)
def test_typed_names_resolve(typed: str, found: str) -> None:
    match = match_event(typed, PARTIES)
    assert match.event is not None and match.event.name == found


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        ("party", {"Watch Party", "Party planning"}),
        ("wach party", {"Watch Party"}),
        ("cafe", {"Café night"}),
    ],
)
def test_no_unique_match_suggests_close_names(typed: str, suggested: set[str]) -> None:
    match = match_event(typed, PARTIES)
    assert match.event is None
    assert suggested <= set(match.suggestions) and len(match.suggestions) <= 3


@pytest.mark.parametrize("typed", ["zzz", "event:99", "", "x" * 500])
def test_nothing_close_suggests_nothing(typed: str) -> None:
    assert match_event(typed, PARTIES).event is None
    assert match_event(typed, PARTIES).suggestions == ()


def test_exact_name_wins_over_a_case_twin() -> None:
    twins = events("Party", "party")  # stored before names were unique regardless of case
    assert match_event("party", twins).event == twins[1]
    ambiguous = match_event("PARTY", twins)
    assert ambiguous.event is None and set(ambiguous.suggestions) == {"Party", "party"}


# -- the cap and the pages --------------------------------------------------------------------


def test_upcoming_excludes_past_events() -> None:
    past = CustomEvent(9, 1, "Old", NOW - dt.timedelta(days=1))
    assert upcoming([*PARTIES, past], NOW) == PARTIES
    assert str(MAX_UPCOMING_EVENTS) in cap_message()


def test_event_pages_split_soonest_first() -> None:
    many = events(*(f"Party {n:02d}" for n in range(25)))
    pages = event_pages(list(reversed(many)), NOW)
    assert len(pages) == 3
    assert pages[0].count("\n") == EVENTS_PER_PAGE - 1
    assert pages[0].startswith("• **Party 00**") and "Party 24" in pages[2]
    assert all(len(page) <= 4096 for page in pages)


def test_event_pages_mark_past_events_and_escape_markdown() -> None:
    past = CustomEvent(1, 1, "*bold*", NOW - dt.timedelta(hours=1))
    [page] = event_pages([past], NOW)
    assert "\\*bold\\*" in page and "(past)" in page
