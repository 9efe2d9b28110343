"""In-memory finder for cast and episodes: fuzzy lookups and slash-command autocomplete.

:class:`ShowIndex` is built once from :class:`~bot.show.models.ShowData`; every string is
normalised up front so a lookup is one normalisation of the query plus one rapidfuzz pass
over a few hundred short choices (tens of microseconds). Nothing here raises on odd input:
autocomplete runs on every keystroke and must never fail.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.show.models import CastMember, CrewMember, Episode, ShowData

# Cast and crew share one search: a fan typing "Osman" means the person, whatever their job.
Person = CastMember | CrewMember

# Queries are cut before any regex work, then again after normalising: names are short,
# and a 6,000-character paste must cost no more than a normal query.
RAW_QUERY_LIMIT = 300
QUERY_LIMIT = 100
CHOICE_LIMIT = 25  # Discord's cap on autocomplete choices
CHOICE_TEXT_LIMIT = 100  # Discord's cap on a choice's name and value
SUGGESTION_LIMIT = 3

# A fuzzy hit this good, and better than any other entry's, counts as "the" answer.
CONFIDENT_SCORE = 88.0
SUGGEST_SCORE = 65.0
# Fuzzy scores are meaningless on one or two letters.
MIN_FUZZY_LENGTH = 3
PREFIX_SCORE = 90.0  # "char" for "charlie": confident only if no one else starts that way

_MENTION = re.compile(r"<(?:@[!&]?|#)\d*>|@(?:everyone|here)\b|<a?:\w*:\d*>")
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr"})
_EPISODE_CODE = re.compile(
    r"^(?:s|season)\s*(\d{1,2})\s*(?:e|ep|episode)\s*(\d{1,3})\b|^(\d{1,2})\s*x\s*(\d{1,3})\b"
)
_SEASON_ONLY = re.compile(r"^(?:s|season)\s*(\d{1,2})\s*(?:e|ep|episode)?$")


def _fold(text: str) -> str:
    """Casefolded ASCII words separated by single spaces; mentions, emoji and markup dropped."""
    text = _MENTION.sub(" ", text)
    if text.isascii():  # most queries: no accents to strip, so skip the per-character pass
        return _NOT_WORD.sub(" ", text.lower()).strip()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_WORD.sub(" ", bare).strip()


def normalise(text: str) -> str:
    """A query folded like :func:`_fold`, cut before and after (names and titles are short)."""
    return _fold(text[:RAW_QUERY_LIMIT])[:QUERY_LIMIT].rstrip()


def _clip(text: str, limit: int = CHOICE_TEXT_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class CastLookup:
    match: Person | None
    suggestions: tuple[Person, ...] = ()
    family: tuple[Person, ...] = ()  # everyone sharing the surname asked for ("Nelson")


@dataclass(frozen=True, slots=True)
class EpisodeLookup:
    match: Episode | None
    suggestions: tuple[Episode, ...] = ()
    matches: tuple[Episode, ...] = ()  # every episode a plot word points to ("Paris")
    missing_season: int | None = None  # "S4E1" when the show has no season 4


class _Prefixes:
    """Indexed strings kept sorted: "starts with" is a binary search, not a scan per keystroke."""

    def __init__(self, strings: list[str], owners: list[int]) -> None:
        pairs = sorted(zip(strings, owners, strict=True))
        self._strings = [s for s, _ in pairs]
        self._owners = [o for _, o in pairs]

    def matching(self, prefix: str) -> list[tuple[str, int]]:
        """(string, owner) for every indexed string starting with ``prefix``."""
        found: list[tuple[str, int]] = []
        at = bisect_left(self._strings, prefix)
        while at < len(self._strings) and self._strings[at].startswith(prefix):
            found.append((self._strings[at], self._owners[at]))
            at += 1
        return found


# A ranked hit: (score, owner index, the indexed string that scored it).
_Hit = tuple[float, int, str]
_EXACT_NAME = 102.0
_EXACT_WORD = 101.0


def _fuzzy_rank(
    query: str,
    choices: list[str],
    owners: list[int],
    prefixes: _Prefixes,
    exact: dict[str, set[int]],
    exact_words: dict[str, set[int]] | None = None,
    profiles: list[str] | None = None,
) -> list[_Hit]:
    """Each owner's best hit, best first; exact names score above any fuzzy hit.

    Plain edit-distance ``ratio`` on short names catches typos ("conor") and is several times
    cheaper than ``WRatio``; prefixes ("char") score separately; ``token_set_ratio`` on each
    owner's profile (all its words, one per owner) handles reordered multi-word queries.
    """
    best: dict[int, _Hit] = {}

    def offer(score: float, owner: int, choice: str) -> None:
        if owner not in best or score > best[owner][0]:
            best[owner] = (score, owner, choice)

    for i in exact.get(query, ()):
        offer(_EXACT_NAME, i, query)
    for i in (exact_words or {}).get(query, ()):
        offer(_EXACT_WORD, i, query)
    if len(query) < MIN_FUZZY_LENGTH:
        return sorted(best.values(), key=lambda h: (-h[0], h[1]))
    hits = process.extract(
        query, choices, scorer=fuzz.ratio, processor=None, limit=None, score_cutoff=SUGGEST_SCORE
    )
    for choice, score, pos in hits:
        offer(float(score), owners[pos], choice)
    for choice, owner in prefixes.matching(query):
        offer(PREFIX_SCORE, owner, choice)
    if profiles and " " in query:  # one word is already covered by the word index
        hits = process.extract(
            query,
            profiles,
            scorer=fuzz.token_set_ratio,
            processor=None,
            limit=None,
            score_cutoff=SUGGEST_SCORE,
        )
        for choice, score, owner in hits:
            offer(float(score), owner, choice)
    return sorted(best.values(), key=lambda h: (-h[0], h[1]))


def _plausible(query: str, choice: str) -> bool:
    """A confident hit must look like the query, not merely contain it somewhere."""
    first = query.split()[0]
    return fuzz.ratio(query, choice) >= 80 or any(w.startswith(first) for w in choice.split())


def _confident(query: str, ranked: list[_Hit]) -> int | None:
    """The owner a query clearly means: a high, plausible score that beats every other owner."""
    if not ranked:
        return None
    score, owner, choice = ranked[0]
    runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
    if score < CONFIDENT_SCORE or score <= runner_up:
        return None
    return owner if score >= _EXACT_WORD or _plausible(query, choice) else None


def _names(person: Person) -> tuple[str, ...]:
    """The real names a person is known by: actor and characters, or a crew member's name."""
    if isinstance(person, CastMember):
        return (person.actor, *person.characters)
    return (person.name,)


def _cast_names(member: Person) -> tuple[set[str], set[str]]:
    """(whole names, single words) under which a cast or crew member can be found."""
    whole = {normalise(n) for n in (*_names(member), *member.aliases)}
    whole.add(normalise(member.key))
    whole.add(normalise(cast_label(member)))  # the autocomplete name, typed out in full
    words = {
        word
        for name in _names(member)
        for word in normalise(name).split()
        if len(word) >= 2 and word not in _TITLES
    }
    whole.discard("")
    return whole, words - whole


def _surnames(member: Person) -> set[str]:
    """Family names of the characters a cast member plays ("Nick Nelson" -> "nelson")."""
    if not isinstance(member, CastMember):
        return set()
    found = set()
    for name in (*member.characters, *member.aliases):
        words = [w for w in normalise(name).split() if w not in _TITLES]
        if len(words) >= 2:  # a first name alone ("Sahar") is not a family
            found.add(words[-1])
    return found


# Words too common to say anything about an episode's plot.
_STOPWORDS = frozenset("a an and at in into is it of on or the to with".split())


def _plot_words(episode: Episode) -> set[str]:
    """Every word of an episode's title, synopsis and keywords, for "Paris"-style searches."""
    text = " ".join((episode.title, episode.synopsis, *episode.aliases, *episode.keywords))
    return {w for w in _fold(text).split() if w not in _STOPWORDS}  # whole text, uncut


def _episode_code(q: str) -> tuple[int, int] | None:
    """(season, number) from a normalised "s2e4", "s2 e4", "season 2 episode 4" or "2x04"."""
    m = _EPISODE_CODE.match(q)
    if m is None:
        return None
    season, number = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    return int(season), int(number)


def cast_label(member: Person) -> str:
    """``Kit Connor — Nick Nelson`` or ``Euros Lyn — Director``: the autocomplete name."""
    if isinstance(member, CrewMember):
        return _clip(f"{member.name} — {', '.join(member.roles)}")
    return _clip(f"{member.actor} — {', '.join(member.characters)}")


def episode_label(episode: Episode) -> str:
    """``S2E4 · Challenge``: code and title only, never plot."""
    return _clip(f"{episode.code} · {episode.title}")


class ShowIndex:
    """Answers cast and episode lookups from indexes precomputed once per ShowData."""

    def __init__(self, show: ShowData) -> None:
        self.show = show
        people: tuple[Person, ...] = (*show.cast, *show.crew)
        self._cast = people
        self._cast_by_key = {m.key: m for m in people}
        # surname -> indices of everyone in that family, in data order
        self._families: dict[str, list[int]] = {}
        # Exact lookups: normalised string -> indices of the members it names.
        self._cast_whole: dict[str, set[int]] = {}
        self._cast_words: dict[str, set[int]] = {}
        self._cast_choices: list[str] = []
        self._cast_owner: list[int] = []
        self._cast_profiles: list[str] = []
        for i, member in enumerate(people):
            for surname in _surnames(member):
                self._families.setdefault(surname, []).append(i)
            whole, words = _cast_names(member)
            for name in whole:
                self._cast_whole.setdefault(name, set()).add(i)
            for word in words:
                self._cast_words.setdefault(word, set()).add(i)
            names = tuple(sorted(whole | words))
            # One string of everything, so "nick nelson kit" beats the other Nelsons.
            profile = " ".join(sorted(words | {w for n in whole for w in n.split()}))
            self._cast_profiles.append(profile)
            self._cast_choices.extend(names)
            self._cast_owner.extend([i] * len(names))
        self._cast_prefixes = _Prefixes(self._cast_choices, self._cast_owner)
        # Autocomplete (name, value) pairs, built once rather than on every keystroke.
        self._cast_pairs = [(cast_label(m), m.key[:CHOICE_TEXT_LIMIT]) for m in people]
        self._main_first = tuple(
            sorted(range(len(people)), key=lambda i: getattr(people[i], "billing", "") != "main")
        )

        self._episodes = tuple(sorted(show.episodes, key=lambda e: (e.season, e.number)))
        self._seasons = frozenset(s.number for s in show.seasons)
        self._titles = [normalise(e.title) for e in self._episodes]
        # Titles plus their other spellings ("Truth/Dare", "Truth or Dare"), one owner each.
        self._title_choices = list(self._titles)
        self._title_owner = list(range(len(self._episodes)))
        for i, episode in enumerate(self._episodes):
            for alias in episode.aliases:
                self._title_choices.append(normalise(alias))
                self._title_owner.append(i)
        self._title_prefixes = _Prefixes(self._title_choices, self._title_owner)
        self._by_plot_word: dict[str, set[int]] = {}
        for i, episode in enumerate(self._episodes):
            for word in _plot_words(episode):
                self._by_plot_word.setdefault(word, set()).add(i)
        self._episode_pairs = [
            (episode_label(e), e.code[:CHOICE_TEXT_LIMIT]) for e in self._episodes
        ]
        self._codes = [e.code.lower() for e in self._episodes]
        self._by_title: dict[str, set[int]] = {}
        for title, owner in zip(self._title_choices, self._title_owner, strict=True):
            self._by_title.setdefault(title, set()).add(owner)

    # -- cast -----------------------------------------------------------------------------

    def _rank_cast(self, q: str) -> list[_Hit]:
        return _fuzzy_rank(
            q,
            self._cast_choices,
            self._cast_owner,
            self._cast_prefixes,
            self._cast_whole,
            self._cast_words,
            self._cast_profiles,
        )

    def find_cast(self, query: str) -> CastLookup:
        """A confident single match when there is one, else up to three suggestions."""
        if query.strip() in self._cast_by_key:  # autocomplete sends keys back as values
            return CastLookup(self._cast_by_key[query.strip()])
        q = normalise(query)
        # One person under exactly this name (or, failing that, word) is what the ranking
        # would pick too: exact hits outscore every fuzzy one. Skip the fuzzy pass.
        exact = self._cast_whole.get(q) or self._cast_words.get(q)
        if exact is not None and len(exact) == 1:
            return CastLookup(self._cast[next(iter(exact))])
        family = self._families.get(q, ())
        if len(family) > 1:  # "Nelson": the whole family, not three guesses
            return CastLookup(None, family=tuple(self._cast[i] for i in family))
        ranked = self._rank_cast(q)
        found = _confident(q, ranked)
        if found is not None:
            return CastLookup(self._cast[found])
        return CastLookup(None, tuple(self._cast[i] for _s, i, _c in ranked[:SUGGESTION_LIMIT]))

    def cast_choices(self, query: str, limit: int = CHOICE_LIMIT) -> list[tuple[str, str]]:
        """(name, value) autocomplete pairs; the main cast first when nothing is typed."""
        limit = max(0, min(limit, CHOICE_LIMIT))
        q = normalise(query)
        if not q:
            order = list(self._main_first)
        else:
            order = [i for _s, i, _c in self._rank_cast(q)]
            if len(q) < MIN_FUZZY_LENGTH:  # "ki", "ch": too short to score, offer prefixes
                order += sorted({i for _n, i in self._cast_prefixes.matching(q)})
            order = list(dict.fromkeys(order))  # de-duplicate, keeping the best-first order
        return [self._cast_pairs[i] for i in order[:limit]]

    # -- episodes -------------------------------------------------------------------------

    def _rank_titles(self, q: str) -> list[_Hit]:
        return _fuzzy_rank(
            q, self._title_choices, self._title_owner, self._title_prefixes, self._by_title
        )

    def _plot_matches(self, q: str) -> list[int]:
        """Episodes whose title, synopsis or keywords contain every word of the query."""
        # Two-letter words ("hi", "xo") match too much plot to mean anything.
        words = [w for w in q.split() if w not in _STOPWORDS and len(w) >= MIN_FUZZY_LENGTH]
        if not words:
            return []
        found = set(self._by_plot_word.get(words[0], ()))
        for word in words[1:]:
            found &= self._by_plot_word.get(word, set())
        return sorted(found)

    def find_episode(self, query: str) -> EpisodeLookup:
        """By code ("S2E4", "s2 e4", "2x04", "S2E4 Challenge") or by (misspelt) title."""
        q = normalise(query)
        if not q:
            return EpisodeLookup(None)
        code = _episode_code(q)
        if code is not None and code[0] not in self._seasons:
            return EpisodeLookup(None, missing_season=code[0])
        if code is not None:
            found = self.show.episode(*code)
            if found is not None:
                return EpisodeLookup(found)
            # "S2E9" of an eight-episode season: offer the nearest real episodes.
            near = sorted(
                (e for e in self._episodes if e.season == code[0]),
                key=lambda e: abs(e.number - code[1]),
            )
            return EpisodeLookup(None, tuple(near[:SUGGESTION_LIMIT]))
        season = _SEASON_ONLY.match(q)
        if season is not None:
            if int(season.group(1)) not in self._seasons:
                return EpisodeLookup(None, missing_season=int(season.group(1)))
            first = [e for e in self._episodes if e.season == int(season.group(1))]
            return EpisodeLookup(None, tuple(first[:SUGGESTION_LIMIT]))
        ranked = self._rank_titles(q)
        found = _confident(q, ranked)
        if found is not None:
            return EpisodeLookup(self._episodes[found])
        plot = self._plot_matches(q)
        if plot:  # no title fits, but the story does: "Paris" -> the Paris episodes
            return EpisodeLookup(None, matches=tuple(self._episodes[i] for i in plot))
        return EpisodeLookup(
            None, tuple(self._episodes[i] for _s, i, _c in ranked[:SUGGESTION_LIMIT])
        )

    def episode_choices(self, query: str, limit: int = CHOICE_LIMIT) -> list[tuple[str, str]]:
        """(name, value) autocomplete pairs, e.g. ("S2E4 · Challenge", "S2E4")."""
        limit = max(0, min(limit, CHOICE_LIMIT))
        q = normalise(query)
        if not q:
            order = list(range(len(self._episodes)))
        else:
            code = _episode_code(q)
            order = [i for i, e in enumerate(self._episodes) if (e.season, e.number) == code]
            compact = q.replace(" ", "")
            order += [i for i, c in enumerate(self._codes) if c.startswith(compact)]
            season = _SEASON_ONLY.match(q)
            if season is not None:
                wanted = int(season.group(1))
                order += [i for i, e in enumerate(self._episodes) if e.season == wanted]
            order += [i for i, t in enumerate(self._titles) if t.startswith(q)]
            order += [i for _s, i, _c in self._rank_titles(q)]
            order += self._plot_matches(q)
            order = list(dict.fromkeys(order))  # de-duplicate, keeping the best-first order
        return [self._episode_pairs[i] for i in order[:limit]]
