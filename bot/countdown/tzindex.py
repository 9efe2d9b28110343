"""What tzdata itself says about places: canonical zone names, cities and countries.

Everything is derived from the files the ``tzdata`` package ships (``tzdata.zi`` link lines,
``zone.tab``, ``zone1970.tab``, ``iso3166.tab``), so a tzdata update brings new cities and
renames with it and nothing here is a hand-made list. Parsing is pure (text in, maps out);
``tz_index()`` reads the files once.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

# tzdata files that exist for the system, not for people.
_NOT_ZONES = frozenset({"Factory", "localtime", "posixrules"})
# Kept as typed: "UTC" is the settings default, and Etc/GMT±N are the fixed-offset zones.
_KEEP_AS_IS = frozenset({"UTC"})
_PARENTHESES_RE = re.compile(r"\s*\(([^)]*)\)")


def fold(text: str) -> str:
    """Loose form for matching what people type: no accents, any case, ``_`` = space.

    "São Paulo", "sao_paulo" and "SAO  PAULO" all fold to "sao paulo".
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.replace("_", " ").split()).casefold()


def parse_links(zi_text: str) -> dict[str, str]:
    """``tzdata.zi`` link lines ``L <target> <alias>`` -> {alias: target}."""
    links: dict[str, str] = {}
    for line in zi_text.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "L":
            links[parts[2]] = parts[1]
    return links


def parse_zone_tab(text: str) -> list[tuple[tuple[str, ...], str]]:
    """``zone.tab``/``zone1970.tab`` rows -> [(country codes, zone name)] in file order."""
    rows: list[tuple[tuple[str, ...], str]] = []
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) >= 3:
            rows.append((tuple(fields[0].split(",")), fields[2].strip()))
    return rows


def parse_countries(text: str) -> dict[str, str]:
    """``iso3166.tab`` -> {code: country name}."""
    countries: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("#") or "\t" not in line:
            continue
        code, name = line.split("\t", 1)
        countries[code.strip()] = name.strip()
    return countries


def country_terms(name: str) -> set[str]:
    """Folded ways to type a country: "Britain (UK)" -> {"britain (uk)", "britain"}.

    The bracketed part alone is not a name: "(UK)" also qualifies the Virgin Islands.
    """
    terms = {fold(name), fold(_PARENTHESES_RE.sub("", name))}
    return {term for term in terms if term}


def canonical_names(
    available: Iterable[str], links: dict[str, str], current: set[str]
) -> dict[str, str]:
    """Every usable name -> the name to store.

    A link whose name a country table still lists (Europe/Amsterdam) stays as it is; an old
    alias (US/Eastern, Asia/Calcutta) follows its link to today's name.
    """
    result: dict[str, str] = {}
    for name in available:
        if name in _NOT_ZONES:
            continue
        target = name
        for _ in range(5):  # link chains are short; never loop on a broken file
            if target in current or target in _KEEP_AS_IS or target not in links:
                break
            target = links[target]
        result[name] = target
    return result


def city_of(name: str) -> str | None:
    """The place part of a zone name: "America/Argentina/Buenos_Aires" -> "Buenos_Aires"."""
    if "/" not in name or name.startswith("Etc/"):
        return None
    return name.rsplit("/", 1)[1]


@dataclass(frozen=True, slots=True)
class TzIndex:
    canonical: dict[str, str]  # any usable zone name -> the name to store
    by_folded_name: dict[str, str]  # casefolded name, "_" as space -> canonical
    cities: dict[str, tuple[str, ...]]  # folded city -> canonical zones
    countries: dict[str, tuple[str, ...]]  # folded country name -> its zones, file order
    country_zones: frozenset[str]  # the zones the country tables list: today's places


def build_index(
    available: Iterable[str],
    zi_text: str,
    zone_tab: str,
    zone1970_tab: str,
    iso3166_tab: str,
) -> TzIndex:
    links = parse_links(zi_text)
    by_country = parse_zone_tab(zone_tab)
    listed = {zone for _, zone in by_country} | {zone for _, zone in parse_zone_tab(zone1970_tab)}
    zone_names = {line.split()[1] for line in zi_text.splitlines() if line.startswith("Z ")}
    canonical = canonical_names(available, links, listed | zone_names)

    cities: defaultdict[str, list[str]] = defaultdict(list)
    for name, target in sorted(canonical.items()):
        city = city_of(name)
        if city and target not in cities[fold(city)]:
            cities[fold(city)].append(target)

    names = parse_countries(iso3166_tab)
    countries: defaultdict[str, list[str]] = defaultdict(list)
    for codes, zone in by_country:  # zone.tab: one country per row, every country listed
        for code in codes:
            for term in country_terms(names.get(code, "")):
                if canonical.get(zone, zone) not in countries[term]:
                    countries[term].append(canonical.get(zone, zone))
    return TzIndex(
        canonical=canonical,
        by_folded_name={fold(name): target for name, target in canonical.items()},
        cities={city: tuple(zones) for city, zones in cities.items()},
        countries={term: tuple(zones) for term, zones in countries.items()},
        country_zones=frozenset(canonical.get(zone, zone) for zone in listed),
    )


def _tzdata_file(name: str) -> str:
    return resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")


@functools.cache
def tz_index() -> TzIndex:
    """The index for the installed tzdata, read once per process."""
    return build_index(
        zoneinfo.available_timezones(),
        _tzdata_file("tzdata.zi"),
        _tzdata_file("zone.tab"),
        _tzdata_file("zone1970.tab"),
        _tzdata_file("iso3166.tab"),
    )
