"""Spacing outgoing requests below Discord's global rate limit.

Discord allows 50 requests per second per bot and bans clients that keep hitting 429s, so a
fan-out to thousands of servers is spread evenly: one request every ``1 / rate`` seconds,
never in bursts (a burst of 50 at the top of a second and 50 more just after would break the
limit within one sliding second).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

DEFAULT_RATE = 45.0  # requests/s: headroom under 50 for the bot's other requests


class Pacer:
    def __init__(
        self, rate: float = DEFAULT_RATE, *, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self._monotonic = monotonic
        self._next_slot = 0.0
        self._lock = asyncio.Lock()

    def reserve(self) -> float:
        """Claim the next free slot; return how long to wait for it (pure bookkeeping)."""
        now = self._monotonic()
        slot = max(now, self._next_slot)
        self._next_slot = slot + self.interval
        return slot - now

    async def wait(self) -> None:
        async with self._lock:
            delay = self.reserve()
        if delay > 0:
            await asyncio.sleep(delay)
