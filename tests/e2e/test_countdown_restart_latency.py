"""A bot started after a post instant (a deploy, a crash) should post as soon as it is ready.

The scheduler's first tick runs when the scheduler starts, before the gateway is READY, so it
does nothing; ``on_connected`` does not wake the tick, so what is due waits for the next
regular tick: up to the whole interval (10 s in production) after READY, and longer for
every restart of a drill or deploy. Found while measuring the delivery drills.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from bot.countdown.settings import CountdownSettings
from bot.database.connection import open_database
from bot.database.countdown import CountdownRepository
from bot.sandbox.harness import bot_against
from bot.sandbox.simulator.server import Simulator
from bot.scheduling.scheduler import DEFAULT_TICK_SECONDS

POST_AT = dt.datetime(2024, 9, 1, 9, 0, tzinfo=dt.UTC)
PROMPT = 2.0  # seconds after READY; the regular tick would come DEFAULT_TICK_SECONDS later


async def test_a_post_due_before_the_start_goes_out_promptly_once_ready(tmp_path: Path) -> None:
    db_path = tmp_path / "bot.sqlite3"
    async with Simulator() as sim:
        guild = sim.add_guild("Fan Club")
        channel = sim.add_channel(guild.id, "countdown").id
        async with open_database(db_path) as db:
            settings = CountdownSettings(guild.id, channel, post_time=dt.time(9, 0))
            await CountdownRepository(db).save_settings(settings, next_post_at=POST_AT, now=POST_AT)
        late_start = POST_AT + dt.timedelta(seconds=20)  # the bot was down at 09:00
        async with bot_against(
            sim, db_path, clock=lambda: late_start, tick_seconds=DEFAULT_TICK_SECONDS
        ):
            ready = time.perf_counter()
            await sim.wait_for_messages(channel, 1, timeout=PROMPT)
            assert time.perf_counter() - ready < PROMPT
