"""Start-up and shutdown: one ``async def`` that owns every resource the bot uses."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any

from bot.client import Clock, HeartstopperBot, settle_handlers, utc_now
from bot.config import Settings
from bot.database.store import open_store
from bot.failures import StartupFailure, explain_startup_error
from bot.logs import RETRY_LOGGERS, ReconnectNotes
from bot.reloading import reload_triggers
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


def _install_stop_signals(stop: asyncio.Event) -> None:
    """SIGINT/SIGTERM ask the runner to stop; the runner closes the bot (see ``_serve``)."""
    loop = asyncio.get_running_loop()

    def on_signal(signum: int) -> None:
        log.info("Received %s; shutting down", signal.Signals(signum).name)
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, on_signal, signum)


async def _wait_any(
    tasks: set[asyncio.Task[Any]], stop: asyncio.Event, seconds: float | None
) -> None:
    """Wait until one of ``tasks`` finishes, a stop is requested, or ``seconds`` pass."""
    stopper = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait(tasks | {stopper}, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()


async def _cancel(task: asyncio.Task[Any], grace: float = 0.0) -> None:
    if grace > 0:
        await asyncio.wait({task}, timeout=grace)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task


async def _serve(bot: HeartstopperBot, token: str, limit: float, stop: asyncio.Event) -> None:
    """Log in and connect within ``limit`` seconds, then run until stopped or closed.

    discord.py would wait 5 minutes for a silent host and retry a failing first gateway
    connection forever; a bot that never got in should instead exit and say why.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    login = asyncio.create_task(bot.login(token), name="login")
    await _wait_any({login}, stop, limit)
    if not login.done():
        await _cancel(login)
        if stop.is_set():
            return
        raise _no_answer(limit)
    explained(login.exception(), limit)

    notes = ReconnectNotes()
    for name in RETRY_LOGGERS:
        logging.getLogger(name).addFilter(notes)
    connection = asyncio.create_task(bot.connect(reconnect=True), name="gateway")
    ready = asyncio.create_task(bot.wait_until_ready())
    try:
        await _wait_any({ready, connection}, stop, max(deadline - loop.time(), 0.1))
        if connection.done():
            # discord.py's retry after a failed *first* connection can itself crash
            # (AttributeError on the missing websocket): name the network error behind it.
            error = connection.exception()
            if error is not None and explain_startup_error(error, timeout=limit) is None:
                explained(notes.last_error, limit)
            explained(error, limit)
            return
        if not ready.done() and not stop.is_set():
            explained(notes.last_error, limit)
            raise _no_answer(limit)
        await _wait_any({connection}, stop, None)
        if connection.done():
            explained(connection.exception(), limit)
    finally:
        ready.cancel()
        # close() ends the gateway loop, but not a reconnect back-off sleep: cancel that.
        await close_gracefully(bot)
        await _cancel(connection, grace=1.0)
        for name in RETRY_LOGGERS:
            logging.getLogger(name).removeFilter(notes)


async def close_gracefully(bot: HeartstopperBot) -> None:
    """Finish in-flight work, close the connection, then drop anything that started since."""
    await settle_handlers(5.0, cancel_late=True)
    await bot.close()
    await settle_handlers(1.0, cancel_late=True)


def _no_answer(timeout: float) -> StartupFailure:
    failure = explain_startup_error(TimeoutError(), timeout=timeout)
    assert failure is not None
    return failure


def explained(error: BaseException | None, timeout: float) -> None:
    """Re-raise a start-up error as a one-line :class:`StartupFailure` when it is a known one."""
    if error is None:
        return
    failure = explain_startup_error(error, timeout=timeout)
    if failure is None:
        raise error
    raise failure from error


async def run_bot(
    settings: Settings, *, clock: Clock = utc_now, handle_signals: bool = True
) -> None:
    """Run until the bot is closed (by a signal or by ``bot.close()``).

    Raises :class:`StartupFailure` when Discord refuses the bot or cannot be reached in time.
    """
    point_at_configured_discord(settings)
    show = load_show_data(settings.data_path)
    stop = asyncio.Event()
    if handle_signals:
        _install_stop_signals(stop)
    async with open_store(settings.database_path, settings.database_url) as db:
        bot = HeartstopperBot(settings=settings, db=db, show=show, clock=clock)
        async with bot:
            # SIGHUP and `heartstopper-bot reload` re-read the show data (bot/reloading.py).
            async with reload_triggers(bot, settings, sighup=handle_signals):
                await _serve(bot, settings.token, settings.connect_timeout, stop)
    log.info("Shut down cleanly")


async def sync_once(settings: Settings) -> str:
    """Log in, sync the command tree (to the dev guild, or globally), log out."""
    point_at_configured_discord(settings)
    show = load_show_data(settings.data_path)
    async with open_store(settings.database_path, settings.database_url) as db:
        bot = HeartstopperBot(settings=settings, db=db, show=show, maintenance_only=True)
        async with bot:
            try:
                async with asyncio.timeout(settings.connect_timeout):
                    await bot.login(settings.token)
                    return await bot.sync_commands(force=True)
            except Exception as exc:
                explained(exc, settings.connect_timeout)
                raise
