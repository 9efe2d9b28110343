"""A local Discord (REST + gateway) that the real, unmodified discord.py client talks to.

Exports are lazy so ``client_target`` and the pure helpers import without aiohttp's server.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DemoGuild", "InteractionResult", "Simulator", "add_demo_guild", "point_discord_py_at"]

_EXPORTS = {
    "Simulator": ".server",
    "InteractionResult": ".interactions",
    "DemoGuild": ".demo",
    "add_demo_guild": ".demo",
    "point_discord_py_at": ".client_target",
}


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(_EXPORTS[name], __name__), name)
