"""Parsing what a person types at the sandbox prompt, e.g. ``/cast query: Kit``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# "name:" followed by a space (or the end) starts an option, so "time: 09:00" keeps its value.
_OPTION = re.compile(r"(?:^|\s)([a-z][a-z0-9_-]*):(?=\s|$)")


@dataclass(frozen=True, slots=True)
class SlashLine:
    command: str  # "countdown setup"
    options: dict[str, str] = field(default_factory=dict)
    autocomplete: bool = False  # "?cast query: ki" asks for suggestions instead of running


class CommandLineError(ValueError):
    pass


def parse_slash(line: str) -> SlashLine:
    """``/name [sub] key: value key: value`` -> a :class:`SlashLine`."""
    text = line.strip()
    autocomplete = text.startswith("?")
    if not text.startswith(("/", "?")):
        raise CommandLineError("slash commands start with '/' (or '?' for autocomplete)")
    text = text[1:]
    matches = list(_OPTION.finditer(text))
    head = text[: matches[0].start()] if matches else text
    command = " ".join(head.split())
    if not command:
        raise CommandLineError("which command? e.g. /cast query: Kit")
    options: dict[str, str] = {}
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        options[match[1]] = text[match.end() : end].strip()
    return SlashLine(command=command, options=options, autocomplete=autocomplete)
