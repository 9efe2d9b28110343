"""An idle bot at LOG_LEVEL=INFO says (almost) nothing: no per-tick scheduler lines.

APScheduler logs two INFO lines per job run; at the production tick of 10 s that is about
17,000 lines a day. Instead of watching 60 real seconds (6 production ticks), the bot here
ticks every 50 ms for 3 s: 60 ticks, ten times the ticks of the issue's 60-second window,
so a per-tick line of any kind would show up 60 times.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import _setup_logging
from bot.logs import flush_logs
from bot.sandbox.harness import bot_against, simulator_settings
from bot.sandbox.simulator.demo import add_demo_guild
from bot.sandbox.simulator.server import Simulator

TICK = 0.05
WINDOW = 3.0


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, logging.getLogger("apscheduler").level)
    yield
    root.handlers[:], root.level = saved[0], saved[1]
    logging.getLogger("apscheduler").setLevel(saved[2])


async def test_idle_bot_logs_a_handful_of_info_lines(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], restore_logging: None
) -> None:
    async with Simulator() as sim:
        add_demo_guild(sim)
        # Exactly what `heartstopper-bot run` configures at the default LOG_LEVEL=INFO.
        _setup_logging(simulator_settings(sim, tmp_path / "bot.sqlite3", log_level="INFO"))
        async with bot_against(sim, tmp_path / "bot.sqlite3", tick_seconds=TICK):
            flush_logs()
            capfd.readouterr()  # start-up lines are welcome; only the idle window counts
            await asyncio.sleep(WINDOW)
            flush_logs()
            idle = capfd.readouterr().err
    info = [line for line in idle.splitlines() if " INFO " in line]
    assert len(info) <= 3, "\n".join(info[:10])
    assert "Running job" not in idle and "executed successfully" not in idle
