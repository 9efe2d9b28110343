"""One time-zone resolver for what admins type: names, cities, countries, abbreviations, offsets.

``resolve_timezone`` says what a text means (one zone, or a pick list when it truly is
ambiguous); ``parse_timezone`` turns that into a zone or a friendly refusal; and
``timezone_choices`` ranks autocomplete the same way, so the first suggestion is what sending
the text as typed would choose. Everything takes ``now`` so offsets are judged on the bot's
(injected) clock.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.countdown.errors import CountdownInputError
from bot.countdown.tzindex import fold, tz_index

MAX_CHOICES = 25  # Discord's cap on autocomplete suggestions
_MAX_CHOICE_LEN = 100  # Discord's cap on a suggestion's name and value
_MAX_INPUT_LEN = 100  # anything longer is junk; refuse before matching it

ZONE_EXAMPLE = "Try a city (London, New York), a zone such as Europe/London, or UTC+2."

# Offered first for an empty query: where the show's fans mostly are, roughly west to east.
# Also the tie-breaker when several zones match equally well (New York before Toronto).
POPULAR_ZONES: tuple[str, ...] = (
    "UTC", "Europe/London", "America/New_York", "America/Los_Angeles", "America/Chicago",
    "America/Denver", "America/Toronto", "America/Mexico_City", "America/Sao_Paulo",
    "Europe/Dublin", "Europe/Paris", "Europe/Berlin", "Europe/Madrid", "Europe/Rome",
    "Europe/Amsterdam", "Europe/Stockholm", "Europe/Warsaw", "Asia/Kolkata", "Asia/Jakarta",
    "Asia/Singapore", "Asia/Manila", "Asia/Seoul", "Asia/Tokyo", "Australia/Sydney",
    "Pacific/Auckland",
)  # fmt: skip

_AREAS = frozenset({
    "Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe",
    "Indian", "Pacific",
})  # fmt: skip


@dataclass(frozen=True, slots=True)
class Abbreviation:
    zones: tuple[str, ...]  # best first; more than one and no ``note`` = ambiguous
    meaning: str  # what people mean by it, for the pick-list message
    ambiguous: bool = False
    note: str = ""


_EASTERN = Abbreviation(("America/New_York",), "US Eastern time")
_CENTRAL = Abbreviation(("America/Chicago",), "US Central time")
_MOUNTAIN = Abbreviation(
    ("America/Denver", "America/Phoenix"),
    "US Mountain time",
    note="Most of Arizona stays on UTC-7 all year: pick America/Phoenix there.",
)
_PACIFIC = Abbreviation(("America/Los_Angeles",), "US Pacific time")
_UK = Abbreviation(("Europe/London",), "UK time")
_CENTRAL_EUROPE = Abbreviation(("Europe/Paris",), "Central European time")
_AUSTRALIA_EAST = Abbreviation(
    ("Australia/Sydney", "Australia/Brisbane"),
    "Australian Eastern time",
    note="Queensland has no daylight saving: pick Australia/Brisbane there.",
)
_NEW_ZEALAND = Abbreviation(("Pacific/Auckland",), "New Zealand time")

# A small curated table: abbreviations name a *season* of a zone (EST is winter only), so each
# maps to the city zone that switches between them. Ambiguous ones get a pick list instead.
# CST is listed as US Central in the issue but is also China's standard time: sending it as
# typed asks which one; autocomplete offers America/Chicago first, so picking the top
# suggestion gives what most users mean without the bot guessing silently.
ABBREVIATIONS: dict[str, Abbreviation] = {
    "et": _EASTERN, "est": _EASTERN, "edt": _EASTERN,
    "ct": _CENTRAL, "cdt": _CENTRAL,
    "cst": Abbreviation(
        ("America/Chicago", "Asia/Shanghai"), "US Central or China Standard Time",
        ambiguous=True,
    ),
    "mt": _MOUNTAIN, "mst": _MOUNTAIN, "mdt": _MOUNTAIN,
    "pt": _PACIFIC, "pst": _PACIFIC, "pdt": _PACIFIC,
    "gmt": _UK, "bst": _UK,
    "cet": _CENTRAL_EUROPE, "cest": _CENTRAL_EUROPE,
    "aest": _AUSTRALIA_EAST, "aedt": _AUSTRALIA_EAST,
    "jst": Abbreviation(("Asia/Tokyo",), "Japan time"),
    "kst": Abbreviation(("Asia/Seoul",), "Korea time"),
    "brt": Abbreviation(("America/Sao_Paulo",), "Brasília time"),
    "nzst": _NEW_ZEALAND, "nzdt": _NEW_ZEALAND,
    "ist": Abbreviation(
        ("Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"), "India, Ireland or Israel time",
        ambiguous=True,
    ),
}  # fmt: skip

# "UTC+2", "gmt -5", "+05:30", "UTC+5.30", "-0300": the sign is the one people mean.
_OFFSET_RE = re.compile(r"(?:utc|gmt)?\s*([+-])\s*([0-9]{1,2})(?:[:.h]?([0-9]{2}))?")
_MIN_OFFSET, _MAX_OFFSET = -12 * 60, 14 * 60  # the offsets any place on Earth uses


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a typed zone means: one ``zone``, or ``options`` to pick from, or nothing."""

    zone: str | None = None
    options: tuple[str, ...] = ()  # best first; when ``zone`` is set it comes first
    note: str = ""  # one more line for the confirmation (fixed offsets, Arizona)
    meaning: str = ""  # for a pick list: what the text can mean


@dataclass(frozen=True, slots=True)
class ChosenZone:
    """The one zone an admin's text resolved to, ready to store."""

    key: str  # canonical IANA name
    note: str = ""


def _popularity(key: str) -> int:
    return POPULAR_ZONES.index(key) if key in POPULAR_ZONES else len(POPULAR_ZONES)


def _by_popularity(keys: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(keys, key=_popularity))  # stable: file order among the rest


def format_offset(offset: dt.timedelta | None) -> str:
    """timedelta(hours=5, minutes=30) -> "UTC+5:30"; zero -> "UTC+0"."""
    minutes = int((offset or dt.timedelta(0)).total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def describe_zone(key: str, now: dt.datetime) -> str:
    """ "Europe/London (UTC+0, now 21:40)": a wrong choice is visible at once."""
    local = now.astimezone(ZoneInfo(key))
    return f"{key} ({format_offset(local.utcoffset())}, now {local:%H:%M})"


# After the popular zones, offsets list places roughly by how many fans live there.
_AREA_ORDER = ("Europe", "Atlantic", "America", "Australia", "Asia", "Pacific", "Africa")


def _area_rank(key: str) -> int:
    area = key.split("/", 1)[0]
    return _AREA_ORDER.index(area) if area in _AREA_ORDER else len(_AREA_ORDER)


@functools.lru_cache(maxsize=4)
def _offsets_at(hour: dt.datetime) -> dict[str, dt.timedelta | None]:
    """Every place zone's UTC offset at ``hour``: computed once an hour, not per keystroke
    (offsets change on the hour or half hour, and a stale half hour is only a suggestion)."""
    return {key: hour.astimezone(ZoneInfo(key)).utcoffset() for key in tz_index().country_zones}


def _zones_at_offset(minutes: int, now: dt.datetime) -> tuple[str, ...]:
    """Today's place zones whose clocks are ``minutes`` ahead of UTC right now."""
    wanted = dt.timedelta(minutes=minutes)
    hour = now.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    found = [key for key, offset in _offsets_at(hour).items() if offset == wanted]
    return tuple(sorted(found, key=lambda key: (_popularity(key), _area_rank(key), key)))


def fixed_zone(minutes: int) -> str | None:
    """The tzdata zone for a whole-hour offset, else None.

    POSIX reverses the sign in ``Etc/`` names: UTC+2 is ``Etc/GMT-2``.
    """
    if minutes % 60:
        return None
    hours = minutes // 60
    return "UTC" if hours == 0 else f"Etc/GMT{-hours:+d}"


def _resolve_offset(text: str, now: dt.datetime) -> Resolution | None:
    match = _OFFSET_RE.fullmatch(text.replace("\u2212", "-"))  # U+2212 is a typographic minus
    if match is None:
        return None
    sign = -1 if match[1] == "-" else 1
    hours, minutes = int(match[2]), int(match[3] or 0)
    total = sign * (hours * 60 + minutes)
    if minutes > 59 or not _MIN_OFFSET <= total <= _MAX_OFFSET:
        return Resolution()
    shown = format_offset(dt.timedelta(minutes=total))
    places = _zones_at_offset(total, now)
    fixed = fixed_zone(total)
    if fixed is not None:
        example = f" (e.g. {places[0]})" if places else ""
        note = (
            f"{shown} is a fixed offset: it never changes for daylight saving. If your clocks "
            f"change, pick your city instead{example}."
        )
        return Resolution(zone=fixed, options=(fixed, *places), note=note)
    # No Etc zone exists for half hours, so a place that keeps this offset is stored instead.
    if len(places) == 1:
        note = f"No fixed zone exists for {shown}, so I used the place that keeps it."
        return Resolution(zone=places[0], options=places, note=note)
    return Resolution(options=places, meaning=f"Several places are on {shown} right now")


def resolve_timezone(text: str, now: dt.datetime) -> Resolution:
    """What ``text`` means, in this order: offset, abbreviation, zone name, city, country."""
    stripped = text.strip()
    if not stripped or len(stripped) > _MAX_INPUT_LEN:
        return Resolution()
    folded = fold(stripped)
    offset = _resolve_offset(folded, now)
    if offset is not None:
        return offset
    index = tz_index()
    if folded == "utc":
        return Resolution(zone="UTC", options=("UTC",))
    abbreviation = ABBREVIATIONS.get(folded)
    if abbreviation is not None:
        if abbreviation.ambiguous:
            return Resolution(options=abbreviation.zones, meaning=abbreviation.meaning)
        first = abbreviation.zones[0]
        return Resolution(zone=first, options=abbreviation.zones, note=abbreviation.note)
    for candidates in (
        (index.by_folded_name[folded],) if folded in index.by_folded_name else (),
        index.cities.get(folded, ()),
        index.countries.get(folded, ()),
    ):
        if len(candidates) == 1:
            return Resolution(zone=candidates[0], options=candidates)
        if candidates:
            return Resolution(options=_by_popularity(candidates), meaning="That matches")
    return Resolution()


def _shortlist(options: tuple[str, ...], shown: int = 4) -> str:
    names = ", ".join(options[:shown])
    return names + (f" and {len(options) - shown} more" if len(options) > shown else "")


def parse_timezone(text: str, now: dt.datetime) -> ChosenZone:
    """``resolve_timezone`` that must find exactly one zone: otherwise a friendly refusal.

    The message never repeats the raw input; abbreviations come from our own table.
    """
    if not text.strip():
        raise CountdownInputError(f"Please give a time zone. {ZONE_EXAMPLE}")
    found = resolve_timezone(text, now)
    if found.zone is not None:
        return ChosenZone(found.zone, found.note)
    if found.options:
        raise CountdownInputError(
            f"{found.meaning}: {_shortlist(found.options)}. Start typing and pick one from the "
            "list, so I don't guess."
        )
    guesses = timezone_choices(text, now, limit=1)
    hint = f" Did you mean {guesses[0]}?" if guesses else ""
    raise CountdownInputError(f"I don't know that time zone.{hint} {ZONE_EXAMPLE}")


@functools.cache
def _search_terms() -> tuple[tuple[str, str], ...]:
    """(folded term, zone) for every way a zone can be found by typing."""
    index = tz_index()
    terms = [(term, key) for term, found in ABBREVIATIONS.items() for key in found.zones]
    # Names without an area (EST, PST8PDT, GB) are POSIX or legacy spellings, not places:
    # typed in full they still resolve, but suggesting them beats the zone people mean.
    terms += [
        (term, key)
        for term, key in index.by_folded_name.items()
        if ("/" in term and "/" in key) or key == "UTC"
    ]
    terms += [(term, key) for term, keys in index.cities.items() for key in keys]
    terms += [(term, key) for term, keys in index.countries.items() for key in keys]
    return tuple(terms)


def _rank(term: str, key: str, query: str) -> tuple[int, int, int, str] | None:
    """Sort key for a term matching ``query`` (None: no match). Lower is better."""
    place = term.rsplit("/", 1)[-1]
    if term == query or place == query:
        how = 0
    elif term.startswith(query) or place.startswith(query):
        how = 1
    elif query in term:
        how = 2
    else:
        return None
    legacy = 0 if key.split("/", 1)[0] in _AREAS else 1
    return how, _popularity(key), legacy, key


def timezone_choices(query: str, now: dt.datetime, limit: int = MAX_CHOICES) -> list[str]:
    """Autocomplete: what sending ``query`` would pick comes first, then the best matches."""
    limit = max(0, min(limit, MAX_CHOICES))
    if len(query) > _MAX_INPUT_LEN:
        return []
    folded = fold(query)
    if not folded:
        return list(POPULAR_ZONES[:limit])
    found = resolve_timezone(query, now)
    ranked = sorted(
        rank for term, key in _search_terms() if (rank := _rank(term, key, folded)) is not None
    )
    result: list[str] = []
    for key in (*found.options, *(rank[-1] for rank in ranked)):
        if key not in result and len(key) <= _MAX_CHOICE_LEN:
            result.append(key)
    return result[:limit]
