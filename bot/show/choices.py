"""Autocomplete choices, built once per (name, value) and reused on every keystroke."""

from __future__ import annotations

import functools

from discord import app_commands


@functools.lru_cache(maxsize=1024)  # the show has well under a thousand names and episodes
def choice(name: str, value: str) -> app_commands.Choice[str]:
    return app_commands.Choice(name=name, value=value)
