"""What the sandbox prompt can complete at the cursor: pure functions over the command schema.

The prompt (``prompt.py``) asks :func:`what_to_complete` what kind of word is being typed,
then offers :func:`static_candidates` or, for options with autocomplete, the bot's own live
suggestions (through the simulator, exactly as Discord's client would ask for them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

SUBCOMMAND_TYPES = (1, 2)
CHANNEL, ROLE, BOOLEAN = 7, 8, 5

# Sandbox commands, and the fixed words some of them take.
META_COMMANDS = (
    ".help", ".quit", ".click", ".as", ".in", ".messages", ".wait", ".time", ".restart",
    ".revoke", ".grant", ".delete", ".kick", ".invite", ".outage", ".events", ".threads",
)  # fmt: skip
META_WORDS: dict[str, tuple[str, ...]] = {
    ".as": ("admin", "fan"),
    ".time": ("now", "+1d", "+1h", "+10m"),
    ".outage": ("5xx", "429", "off"),
}
META_TAKES_CHANNEL = (".in", ".messages", ".revoke", ".grant", ".delete", ".threads")
PERMISSION_WORDS = ("view", "send", "embed", "mention", "events", "roles", "threads")
SERVER_WORD = "server"  # .grant server events: the bot's role, in place of a #channel

_OPTION = re.compile(r"(?:^|\s)([a-z][a-z0-9_-]*):(?=\s|$)")

Kind = Literal["meta", "meta-arg", "command", "subcommand", "option", "value", "nothing"]


@dataclass(frozen=True, slots=True)
class Want:
    kind: Kind
    prefix: str  # the part of the word already typed
    meta: str = ""  # for meta-arg: the sandbox command
    command: str = ""  # "countdown setup"
    option: Mapping[str, Any] | None = None  # for value: the option's schema
    typed: dict[str, str] = field(default_factory=dict)  # options typed so far
    unused: tuple[str, ...] = ()  # option names not typed yet
    position: int = 0  # for meta-arg: which argument (0: the first)


def _find(options: Sequence[Mapping[str, Any]], name: str) -> Mapping[str, Any] | None:
    return next((o for o in options if o["name"] == name), None)


def what_to_complete(text: str, registered: Sequence[Mapping[str, Any]]) -> Want:
    """The kind of word at the end of ``text`` (the line up to the cursor)."""
    if text.startswith("."):
        word, space, rest = text.partition(" ")
        if not space:
            return Want("meta", word)
        args = rest.split(" ")
        return Want("meta-arg", args[-1], meta=word, position=len(args) - 1)
    if not text.startswith(("/", "?")):
        return Want("nothing", "")
    body = text[1:]
    words = body.split(" ")
    if len(words) == 1:
        return Want("command", words[0])
    command = _find(registered, words[0])
    if command is None:
        return Want("nothing", "")
    path, node, index = [words[0]], command, 1
    while index < len(words):
        subs = [o for o in node.get("options") or [] if o["type"] in SUBCOMMAND_TYPES]
        if not subs:
            break
        if index == len(words) - 1:
            return Want("subcommand", words[index], command=" ".join(path), option=node)
        found = _find(subs, words[index])
        if found is None:
            return Want("nothing", "")
        path.append(words[index])
        node, index = found, index + 1
    schema = [o for o in node.get("options") or [] if o["type"] not in SUBCOMMAND_TYPES]
    rest = " ".join(words[index:])
    markers = list(_OPTION.finditer(rest))
    typed: dict[str, str] = {}
    for position, marker in enumerate(markers):
        end = markers[position + 1].start() if position + 1 < len(markers) else len(rest)
        typed[marker[1]] = rest[marker.end() : end].strip()
    unused = tuple(o["name"] for o in schema if o["name"] not in typed)
    name = " ".join(path)
    last_word = rest.split(" ")[-1]
    if not markers or _starts_new_option(typed[markers[-1][1]], last_word, unused):
        return Want("option", last_word, command=name, typed=typed, unused=unused)
    current = markers[-1][1]
    return Want(
        "value",
        typed[current],
        command=name,
        option=_find(schema, current),
        typed=typed,
        unused=unused,
    )


def _starts_new_option(value: str, last_word: str, unused: tuple[str, ...]) -> bool:
    """After ``channel: #countdown``, is the person starting the next option's name?"""
    if not value or not unused:
        return False
    if last_word == "":  # "channel: #countdown " (a space after a value)
        return True
    return last_word != value and any(n.startswith(last_word) for n in unused)


def _grant_words(want: Want) -> list[str]:
    return [*PERMISSION_WORDS, *([SERVER_WORD] if want.position == 0 else [])]


def static_candidates(
    want: Want,
    registered: Sequence[Mapping[str, Any]],
    channels: Sequence[str],
    roles: Sequence[str],
) -> list[str]:
    """Completions that need no question to the bot (names, channels, roles, fixed words)."""
    prefix = want.prefix.lower()
    if want.kind == "meta":
        return [m for m in META_COMMANDS if m.startswith(prefix)]
    if want.kind == "meta-arg":
        if want.meta in META_TAKES_CHANNEL and (prefix.startswith("#") or not prefix):
            if want.meta in (".revoke", ".grant") and prefix == "":
                return [f"#{c}" for c in channels] + _grant_words(want)
            return [f"#{c}" for c in channels if f"#{c}".startswith(prefix)]
        if want.meta in (".revoke", ".grant"):
            return [w for w in _grant_words(want) if w.startswith(prefix)]
        return [w for w in META_WORDS.get(want.meta, ()) if w.startswith(prefix)]
    if want.kind == "command":
        return sorted({c["name"] for c in registered if c["name"].startswith(prefix)})
    if want.kind == "subcommand" and want.option is not None:
        subs = [o for o in want.option.get("options") or [] if o["type"] in SUBCOMMAND_TYPES]
        return [o["name"] for o in subs if o["name"].startswith(prefix)]
    if want.kind == "option":
        return [f"{n}: " for n in want.unused if n.startswith(prefix)]
    if want.kind == "value" and want.option is not None:
        kind = want.option["type"]
        if kind == CHANNEL:
            return [f"#{c}" for c in channels if f"#{c}".lower().startswith(prefix or "#")]
        if kind == ROLE:
            return [f"@{r}" for r in roles if f"@{r}".lower().startswith(prefix or "@")]
        if kind == BOOLEAN:
            return [w for w in ("true", "false") if w.startswith(prefix)]
        choices = want.option.get("choices") or []
        return [str(c["name"]) for c in choices if str(c["name"]).lower().startswith(prefix)]
    return []
