"""Start-up and shutdown: one ``async def`` that owns every resource the bot uses."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable

from bot.client import Clock, HeartstopperBot, utc_now
from bot.config import Settings
from bot.database.store import open_store
from bot.show.loader import load_show_data

log = logging.getLogger(__name__)


def point_at_configured_discord(settings: Settings) -> None:
    """Send discord.py to the local simulator when the settings say so (never in production)."""
    if settings.api_base_url is None:
        return
    from bot.sandbox.simulator.client_target import point_discord_py_at

    assert settings.gateway_url is not None
    point_discord_py_at(settings.api_base_url, settings.gateway_url)
    log.warning("Using a non-production Discord API at %s", settings.api_base_url)


def _install_stop_signals(stop: Callable[[], Awaitable[None]]) -> list[asyncio.Task[None]]:
    """SIGINT/SIGTERM close the bot gracefully; returns the list that keeps the task alive."""
    loop = asyncio.get_running_loop()
    tasks: list[asyncio.Task[None]] = []

    def on_signal(signum: int) -> None:
        log.info("Received %s; shutting down", signal.Signals(signum).name)
        tasks.append(loop.create_task(stop()))  # type: ignore[arg-type]

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, on_signal, signum)
    return tasks


async def run_bot(
    settings: Settings, *, clock: Clock = utc_now, handle_signals: bool = True
) -> None:
    """Run until the bot is closed (by a signal or by ``bot.close()``)."""
    point_at_configured_discord(settings)
    show = load_show_data(settings.data_path)
    async with open_store(settings.database_path, settings.database_url) as db:
        bot = HeartstopperBot(settings=settings, db=db, show=show, clock=clock)
        async with bot:
            if handle_signals:
                stop_tasks = _install_stop_signals(bot.close)  # noqa: F841 (keeps tasks alive)
            await bot.start(settings.token)
    log.info("Shut down cleanly")


async def sync_once(settings: Settings) -> str:
    """Log in, sync the command tree (to the dev guild, or globally), log out."""
    point_at_configured_discord(settings)
    show = load_show_data(settings.data_path)
    async with open_store(settings.database_path, settings.database_url) as db:
        bot = HeartstopperBot(settings=settings, db=db, show=show, maintenance_only=True)
        async with bot:
            await bot.login(settings.token)
            return await bot.sync_commands(force=True)
