"""JSON on the simulator's wire, through orjson: Discord's own encoding time is not the bot's.

In the tests and the sandbox the simulator shares the bot's event loop, so every microsecond it
spends encoding a frame or decoding a request delays the bot too. orjson (also what discord.py
itself uses when installed) keeps that share small.
"""

from __future__ import annotations

from typing import Any

import orjson

# Non-string keys are coerced like the standard library does, so no payload breaks on them.
_OPTIONS = orjson.OPT_NON_STR_KEYS


def dumps(data: Any) -> bytes:
    return orjson.dumps(data, option=_OPTIONS)


def loads(text: str | bytes) -> Any:
    """Parse JSON; raises ValueError (orjson.JSONDecodeError is one) on bad input."""
    return orjson.loads(text)
