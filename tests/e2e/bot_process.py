"""The real bot in its own process, for tests that kill it (``python -m tests.e2e.bot_process``).

Production settings come from the environment as usual (``DISCORD_TOKEN``,
``DISCORD_API_BASE_URL``, ``DATABASE_PATH`` or ``DATABASE_URL``, ``SHARD_COUNT``,
``SHARD_IDS``). Four variables exist only for this test helper, never for the bot itself:
``COUNTDOWN_TEST_NOW`` (ISO instant: a frozen clock),
``COUNTDOWN_TEST_TICK`` (seconds between scheduler ticks), ``COUNTDOWN_TEST_SEND_RATE``
(posts per second), so a test can make a fan-out last long enough to be interrupted, and
``COUNTDOWN_TEST_LEASE`` (seconds a shard lease lasts without renewal).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os

from bot.client import HeartstopperBot
from bot.config import load_settings
from bot.database.store import open_store
from bot.runner import point_at_configured_discord
from bot.show.loader import load_show_data


async def main() -> None:
    settings = load_settings(os.environ)
    frozen = dt.datetime.fromisoformat(os.environ["COUNTDOWN_TEST_NOW"])
    if frozen.utcoffset() is None:
        raise SystemExit("COUNTDOWN_TEST_NOW needs a UTC offset")
    point_at_configured_discord(settings)
    show = load_show_data(settings.data_path)
    async with open_store(settings.database_path, settings.database_url) as db:
        bot = HeartstopperBot(
            settings=settings,
            db=db,
            show=show,
            clock=lambda: frozen,
            tick_seconds=float(os.environ.get("COUNTDOWN_TEST_TICK", "0.1")),
            send_rate=float(os.environ.get("COUNTDOWN_TEST_SEND_RATE", "45")),
            lease_seconds=float(os.environ.get("COUNTDOWN_TEST_LEASE", "30")),
        )
        async with bot:
            await bot.start(settings.token)


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(main())
