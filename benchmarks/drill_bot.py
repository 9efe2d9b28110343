"""The real bot in its own process for the delivery drills (``python -m benchmarks.drill_bot``).

The same as ``tests/e2e/bot_process.py`` (and the same environment: ``DISCORD_*``,
``DATABASE_PATH``, ``COUNTDOWN_TEST_NOW``, ``COUNTDOWN_TEST_TICK``,
``COUNTDOWN_TEST_SEND_RATE``), served by production's own runner loop
(``bot.runner._serve``) and its SIGTERM/SIGINT handler: a bounded first connection, then the
graceful stop that lets sends in flight finish, and a stop during start-up that cancels
discord.py's endless retry of a failed first gateway connection. Without it a SIGTERM would
end the process as abruptly as a SIGKILL (and the SIGTERM drill would test nothing new), or
not at all while the first connection kept failing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os

from bot.client import HeartstopperBot
from bot.config import load_settings
from bot.database.connection import open_database
from bot.runner import _install_stop_signals, _serve, point_at_configured_discord
from bot.show.loader import load_show_data


async def main() -> None:
    settings = load_settings(os.environ)
    frozen = dt.datetime.fromisoformat(os.environ["COUNTDOWN_TEST_NOW"])
    if frozen.utcoffset() is None:
        raise SystemExit("COUNTDOWN_TEST_NOW needs a UTC offset")
    point_at_configured_discord(settings)
    show = load_show_data(settings.data_path)
    async with open_database(settings.database_path) as db:
        bot = HeartstopperBot(
            settings=settings,
            db=db,
            show=show,
            clock=lambda: frozen,
            tick_seconds=float(os.environ.get("COUNTDOWN_TEST_TICK", "0.1")),
            send_rate=float(os.environ.get("COUNTDOWN_TEST_SEND_RATE", "45")),
        )
        async with bot:
            # Production's own handler and serving loop (bot.runner), so the drill stops the
            # bot the same way.
            stop = asyncio.Event()
            _install_stop_signals(stop)
            await _serve(bot, settings.token, settings.connect_timeout, stop)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # The countdown's round summaries and recovery counts are the useful INFO lines here.
    for noisy in ("apscheduler", "discord"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    asyncio.run(main())
