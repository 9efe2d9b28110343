"""Server event names: cleaned on the way in, shown as plain text, found again by what's typed.

Pure functions only; the cog looks up the names behind mentions and passes them in.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.countdown.errors import CountdownInputError
from bot.countdown.settings import CustomEvent, split_target
from bot.countdown.tzindex import fold

EVENT_NAME_MAX = 80
NAME_EXAMPLE = "For example: Season 4 watch party."
_DID_YOU_MEAN = 3  # names offered when a typed name matches none exactly
_CLOSE_ENOUGH = 60  # rapidfuzz score (0-100) for a "did you mean" suggestion

# Letters that render as nothing, though Unicode doesn't class them as format characters.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_ZWJ = "\u200d"  # kept between visible characters: it joins emoji such as 🏳️‍🌈
_MENTION_RE = re.compile(r"<(@[!&]?|#)([0-9]{1,20})>")
_EVERYONE_RE = re.compile(r"@(everyone|here)\b")
_CUSTOM_EMOJI_RE = re.compile(r"<a?:([A-Za-z0-9_]{1,32}):[0-9]{1,20}>")

_GONE = {"@": "unknown-user", "@&": "deleted-role", "#": "deleted-channel"}
MentionLookup = Callable[[str, int], str | None]  # (kind "@", "@&" or "#", id) -> name


def _invisible(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category in {"Cc", "Cf", "Zl", "Zp"} or ch in _BLANK_LETTERS


def clean_name(text: str) -> str:
    """Invisible characters dropped (a joiner inside emoji kept), whitespace collapsed."""
    kept = "".join(ch for ch in text if ch == _ZWJ or not _invisible(ch))
    return " ".join(kept.split()).strip(_ZWJ).strip()


def plain_mentions(text: str, lookup: MentionLookup) -> str:
    """``<@&123>`` -> ``@Fans``, ``<#5>`` -> ``#general``, ``@everyone`` -> ``everyone``.

    Stored names then read the same everywhere and can never ping anyone.
    """

    def named(match: re.Match[str]) -> str:
        kind = "@" if match[1] == "@!" else match[1]
        found = lookup(kind, int(match[2]))
        prefix = "#" if kind == "#" else "@"
        if found is None:
            return f"{prefix}{_GONE[kind]}"
        return f"{prefix}{found}"

    text = _MENTION_RE.sub(named, text)
    text = _CUSTOM_EMOJI_RE.sub(r":\1:", text)
    return _EVERYONE_RE.sub(r"\1", text)


def mentioned_ids(text: str) -> list[tuple[str, int]]:
    """The (kind, id) pairs of the mentions in ``text``, for the cog to look up."""
    return [
        ("@" if kind == "@!" else kind, int(ident)) for kind, ident in _MENTION_RE.findall(text)
    ]


def event_name(text: str, lookup: MentionLookup) -> str:
    """A typed name -> the name to store, or a refusal when nothing readable is left."""
    name = clean_name(plain_mentions(text, lookup))
    # Combining marks alone draw nothing either.
    if not any(not unicodedata.category(ch).startswith("M") for ch in name):
        raise CountdownInputError(
            f"Give the event a name with something visible in it. {NAME_EXAMPLE}"
        )
    if len(name) > EVENT_NAME_MAX:
        raise CountdownInputError(
            f"Keep the event name to {EVENT_NAME_MAX} characters or fewer. {NAME_EXAMPLE}"
        )
    return name


@dataclass(frozen=True, slots=True)
class NameMatch:
    event: CustomEvent | None
    suggestions: tuple[str, ...] = ()  # names to offer when ``event`` is None


def match_event(typed: str, events: Sequence[CustomEvent]) -> NameMatch:
    """The event ``typed`` means: an autocomplete value, an exact name, or a unique
    case- and accent-insensitive name; otherwise the closest names as suggestions."""
    text = typed.strip()
    try:
        kind, ref = split_target(text)
    except ValueError:
        kind, ref = "", None
    if kind == "event":
        by_id = [e for e in events if str(e.id) == ref]
        if by_id:
            return NameMatch(by_id[0])
    exact = [e for e in events if e.name == text]
    if len(exact) == 1:
        return NameMatch(exact[0])
    wanted = fold(clean_name(text))
    loose = [e for e in events if fold(e.name) == wanted]
    if len(loose) == 1:
        return NameMatch(loose[0])
    if loose:  # only possible for names stored before names were unique by case
        return NameMatch(None, tuple(e.name for e in loose[:_DID_YOU_MEAN]))
    folded = {e.id: fold(e.name) for e in events}
    close = process.extract(
        wanted, folded, scorer=fuzz.WRatio, limit=_DID_YOU_MEAN, score_cutoff=_CLOSE_ENOUGH
    )
    names = {e.id: e.name for e in events}
    return NameMatch(None, tuple(names[key] for _, _, key in close))
