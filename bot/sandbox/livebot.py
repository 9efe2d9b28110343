"""The sandbox's bot: started, stopped and restarted on one database (``.restart``)."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

from bot.client import Clock, HeartstopperBot
from bot.config import Settings
from bot.sandbox.harness import bot_against
from bot.sandbox.simulator.server import Simulator

SANDBOX_TICK_SECONDS = 2.0


class LiveBot:
    def __init__(self, sim: Simulator, database: Path, settings: Settings, clock: Clock) -> None:
        self._sim = sim
        self._database = database
        self._settings = settings
        self._clock = clock
        self._stack: contextlib.AsyncExitStack | None = None
        self.bot: HeartstopperBot | None = None

    async def start(self) -> float:
        """Start the bot and wait until it is ready; returns how long that took."""
        started = time.perf_counter()
        stack = contextlib.AsyncExitStack()
        # From .env / the environment: the show data and owners (never DATABASE_PATH: the
        # sandbox must not write simulated servers into a production database).
        self.bot = await stack.enter_async_context(
            bot_against(
                self._sim,
                self._database,
                clock=self._clock,
                tick_seconds=SANDBOX_TICK_SECONDS,
                data_path=self._settings.data_path,
                owner_ids=self._settings.owner_ids,
            )
        )
        self._stack = stack
        return time.perf_counter() - started

    async def stop(self) -> None:
        stack, self._stack, self.bot = self._stack, None, None
        if stack is not None:
            await stack.aclose()

    async def tick(self) -> int:
        """Run the countdown tick now (after a clock jump) instead of at the next interval;
        returns how many posts it queued (they are sent in the background, paced)."""
        if self.bot is None or not self.bot.is_ready():
            return 0
        result = await self.bot.countdowns.tick()
        return int(getattr(result, "queued", 0))
