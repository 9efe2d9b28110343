"""Fixtures: the Discord simulator with a demo server, and the real bot running against it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.client import HeartstopperBot
from bot.sandbox.harness import bot_against
from bot.sandbox.simulator.demo import DemoGuild, add_demo_guild
from bot.sandbox.simulator.server import Simulator


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator() as simulator:
        yield simulator


@pytest.fixture
def demo(sim: Simulator) -> DemoGuild:
    return add_demo_guild(sim)


@pytest.fixture
async def bot(sim: Simulator, demo: DemoGuild, tmp_path: Path) -> AsyncIterator[HeartstopperBot]:
    async with bot_against(sim, tmp_path / "bot.sqlite3") as running:
        yield running
