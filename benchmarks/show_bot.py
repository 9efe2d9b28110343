"""The real bot in its own process for ``benchmarks/show_lookups.py``.

Run as ``python -m benchmarks.show_bot`` (the benchmark does).

Production's bot, settings (``DISCORD_TOKEN``, ``DISCORD_API_BASE_URL``, ``DATABASE_PATH`` from
the environment) and graceful stop on SIGTERM, plus the benchmark's reference commands
(``/bare``, ``/barepaged``, ``/bareerror``), which the bot's start-up sync registers with the
rest. In its own process the bot's event loop carries only the bot's work, as in production,
and the simulator's encoding and validation run beside it instead of inside its latency.
"""

from __future__ import annotations

import asyncio
import logging
import os

from benchmarks.show_lookups import add_reference_commands
from bot.client import HeartstopperBot
from bot.config import load_settings
from bot.database.store import open_store
from bot.runner import _install_stop_signals, close_gracefully, point_at_configured_discord
from bot.show.cards import episode_card
from bot.show.loader import load_show_data


async def main() -> None:
    settings = load_settings(os.environ)
    point_at_configured_discord(settings)
    show = load_show_data(settings.data_path)
    episode = show.episode(2, 4)
    assert episode is not None
    async with open_store(settings.database_path, settings.database_url) as db:
        bot = HeartstopperBot(settings=settings, db=db, show=show)
        add_reference_commands(bot.tree, episode_card(show, episode))
        async with bot:
            stop = asyncio.Event()
            _install_stop_signals(stop)
            running = asyncio.create_task(bot.start(settings.token))
            stopping = asyncio.create_task(stop.wait())
            await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if stop.is_set():
                await close_gracefully(bot)
            stopping.cancel()
            await asyncio.gather(running, return_exceptions=True)


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(main())
