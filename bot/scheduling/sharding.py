"""Which servers a process owns, and how its shards take turns to IDENTIFY.

Discord routes a server's events to shard ``(guild_id >> 22) % shard_count``. A process that
runs some of the shards posts only for their servers, and takes the same share of the bot's
global request budget (50 requests/s for the whole bot, whatever the number of processes).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Protocol

IDENTIFY_WINDOW = 5.0  # seconds Discord wants between two IDENTIFYs of one concurrency bucket


def shard_of(guild_id: int, shard_count: int) -> int:
    return (guild_id >> 22) % shard_count


@dataclass(frozen=True, slots=True)
class ShardScope:
    """The shards one process runs, out of ``count``."""

    count: int
    ids: frozenset[int]

    @classmethod
    def of(cls, count: int, ids: Iterable[int] | None = None) -> ShardScope:
        owned = frozenset(range(count) if ids is None else ids)
        if count < 1 or not owned or not all(0 <= i < count for i in owned):
            raise ValueError(f"shards {sorted(owned)} do not fit a shard count of {count}")
        return cls(count, owned)

    @property
    def everything(self) -> bool:
        return len(self.ids) == self.count

    @property
    def share(self) -> float:
        """This process's part of the bot's request budget: its part of the shards."""
        return len(self.ids) / self.count

    def owns(self, guild_id: int) -> bool:
        return shard_of(guild_id, self.count) in self.ids

    def sql(self, column: str) -> str:
        """A condition selecting the rows of owned servers (plain SQL, same in both backends).

        The numbers are ints checked above, so writing them into the text is safe.
        """
        if self.everything:
            return "TRUE"
        ids = ", ".join(str(i) for i in sorted(self.ids))
        return f"(({column} >> 22) % {self.count}) IN ({ids})"


def owned(scope: ShardScope | None, guild_ids: Collection[int]) -> list[int]:
    return list(guild_ids) if scope is None else [g for g in guild_ids if scope.owns(g)]


class SharedTurns(Protocol):
    """IDENTIFY turns booked where every process of the bot sees them (the database)."""

    async def reserve(self, bucket: int, window: float) -> float:
        """Book the bucket's next turn; return the seconds to wait for it."""
        ...


class IdentifyGate:
    """Spacing IDENTIFYs as Discord asks: shard ``i`` is in bucket ``i % max_concurrency``;
    buckets go at once, two IDENTIFYs of one bucket are ``IDENTIFY_WINDOW`` seconds apart.

    The limit is per bot, not per process: with ``shared`` turns (PostgreSQL) processes
    take turns with each other; without, only this process's shards are spaced.
    """

    def __init__(
        self,
        *,
        window: float = IDENTIFY_WINDOW,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        shared: SharedTurns | None = None,
    ) -> None:
        self._window = window
        self._monotonic = monotonic
        self._sleep = sleep
        self._shared = shared
        self._next: dict[int, float] = {}  # bucket -> earliest next IDENTIFY

    def reserve(self, shard_id: int, max_concurrency: int) -> float:
        """Book the shard's turn; return how long it must wait (pure bookkeeping)."""
        bucket = shard_id % max(1, max_concurrency)
        now = self._monotonic()
        at = max(now, self._next.get(bucket, now))
        self._next[bucket] = at + self._window
        return at - now

    async def wait(self, shard_id: int, max_concurrency: int) -> None:
        if self._shared is not None:
            bucket = shard_id % max(1, max_concurrency)
            delay = await self._shared.reserve(bucket, self._window)
        else:
            delay = self.reserve(shard_id, max_concurrency)
        if delay > 0:
            await self._sleep(delay)
