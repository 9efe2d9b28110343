"""Spacing outgoing requests below Discord's global rate limit.

Discord allows 50 requests per second per bot and bans clients that keep hitting 429s, so a
fan-out to thousands of servers is spread evenly: one request every ``1 / rate`` seconds,
never in bursts (a burst of 50 at the top of a second and 50 more just after would break the
limit within one sliding second). Every REST request the bot makes waits here (see
``paced_requests``), not only countdown posts, and a sliding one-second window caps the
count even when a stalled event loop wakes several waiters at once.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections import deque
from collections.abc import Callable
from types import SimpleNamespace

import aiohttp

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
        self._cap = max(1, int(rate))  # requests in any one second, whatever the lateness
        self._recent: deque[float] = deque()
        self.requests = 0  # how many went through (benchmarks report it)

    def set_rate(self, rate: float) -> None:
        """A new budget from the next slot on (a process taking over another's shards)."""
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self._cap = max(1, int(rate))

    def reserve(self) -> float:
        """Claim the next free slot; return how long to wait for it (pure bookkeeping)."""
        now = self._monotonic()
        slot = max(now, self._next_slot)
        self._next_slot = slot + self.interval
        return slot - now

    async def wait(self) -> None:
        """Wait for an evenly spaced slot, then for room in the sliding second."""
        await self.wait_for_slot()
        await self.admit()

    async def wait_for_slot(self) -> None:
        """The even spacing only (a sender takes it before its own last-moment work)."""
        async with self._lock:
            delay = self.reserve()
        if delay > 0:
            await asyncio.sleep(delay)

    async def admit(self) -> None:
        """Wait until fewer than ``rate`` requests left in the last second, then count one.

        Checked as the request leaves: work done after taking a slot (a database stall, say)
        can bunch requests, and the cap still holds them under the limit.
        """
        while True:  # no await between the check and the append: one waiter at a time
            now = self._monotonic()
            while self._recent and now - self._recent[0] >= 1.0:
                self._recent.popleft()
            if len(self._recent) < self._cap:
                self._recent.append(now)
                self.requests += 1
                return
            await asyncio.sleep(self._recent[0] + 1.0 - now)


# A caller that already waited for its evenly spaced slot (to write down "sending" right
# before the request leaves) marks its next request as paid: it then only has to fit in the
# sliding second. discord.py's own retries wait for a slot again.
_paid: contextvars.ContextVar[list[bool]] = contextvars.ContextVar("paced_request_paid")


def next_request_is_paid() -> None:
    """The current task's next request has had its slot (see :meth:`Pacer.wait`)."""
    _paid.set([True])


def _take_payment() -> bool:
    paid = _paid.get(None)
    return bool(paid and paid.pop())


# Interaction callbacks and their follow-ups (webhook routes) are not bound by the global
# limit; everything else the bot sends to the API is.
_UNPACED = ("/interactions/", "/webhooks/")


def paced_requests(pacer: Pacer) -> aiohttp.TraceConfig:
    """An aiohttp trace hook that makes every REST request wait for ``pacer`` first.

    discord.py sends all its requests, its own retries included, through one session that
    accepts such a hook (``http_trace``), so nothing the bot sends bypasses the budget.
    """

    async def on_request_start(
        session: aiohttp.ClientSession,
        context: SimpleNamespace,
        params: aiohttp.TraceRequestStartParams,
    ) -> None:
        path = params.url.path
        if "/api/" in path and not any(part in path for part in _UNPACED):
            if _take_payment():
                await pacer.admit()
            else:
                await pacer.wait()

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_request_start)
    return trace
