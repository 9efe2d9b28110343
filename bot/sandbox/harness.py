"""Running the real bot, in this process, against a :class:`Simulator`.

Shared by the sandbox, the end-to-end tests and the benchmarks, so all three exercise the
same start-up path as production: settings, migrations, cogs, command sync, scheduler.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from bot.client import Clock, HeartstopperBot, utc_now
from bot.config import Settings
from bot.database.store import open_store
from bot.runner import close_gracefully, point_at_configured_discord
from bot.sandbox.simulator.server import Simulator
from bot.scheduling.pacing import DEFAULT_RATE
from bot.scheduling.scheduler import DEFAULT_TICK_SECONDS
from bot.show.loader import load_show_data
from bot.show.models import ShowData


def simulator_settings(sim: Simulator, database_path: Path, **overrides: object) -> Settings:
    """Settings that point the bot at ``sim`` (what ``.env`` would say in production)."""
    values: dict[str, object] = {
        "token": sim.token,
        "database_path": database_path,
        "api_base_url": sim.api_base_url,
        "gateway_url": sim.gateway_url,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@contextlib.asynccontextmanager
async def bot_against(
    sim: Simulator,
    database_path: Path,
    *,
    clock: Clock = utc_now,
    tick_seconds: float = DEFAULT_TICK_SECONDS,
    send_rate: float = DEFAULT_RATE,
    show: ShowData | None = None,
    ready_timeout: float = 20.0,
    **settings_overrides: object,
) -> AsyncIterator[HeartstopperBot]:
    """Start the bot, wait until it is ready with its commands registered, close it after."""
    settings = simulator_settings(sim, database_path, **settings_overrides)
    point_at_configured_discord(settings)
    show = show or load_show_data(settings.data_path)
    async with open_store(database_path, settings.database_url) as db:
        bot = HeartstopperBot(
            settings=settings,
            db=db,
            show=show,
            clock=clock,
            tick_seconds=tick_seconds,
            send_rate=send_rate,
            guild_ready_timeout=0.1,
        )
        runner = asyncio.create_task(bot.start(settings.token), name="bot")
        try:
            ready = asyncio.create_task(bot.wait_until_ready())
            done, _ = await asyncio.wait(
                {ready, runner}, timeout=ready_timeout, return_when=asyncio.FIRST_COMPLETED
            )
            if runner in done:
                runner.result()  # start-up failed: raise its error
            if ready not in done:
                ready.cancel()
                raise TimeoutError("the bot did not become ready against the simulator")
            guild = settings.dev_guild_id
            if not sim.commands(guild):
                # The database says the commands were synced, but this simulator is new
                # (Discord would still have them): sync again rather than wait forever.
                await bot.sync_commands(force=True)
            yield bot
        finally:
            await close_gracefully(bot)
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(runner, timeout=10)
