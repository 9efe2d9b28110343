"""SIGKILL in the middle of a fan-out: after a restart every server has exactly one post.

The bot runs as a subprocess (``tests/e2e/bot_process.py``) so it can really be killed; the
simulator stays in this process and counts what reached each channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from bot.countdown.settings import CountdownSettings
from bot.sandbox.simulator.server import Simulator
from tests.backends import Backend

PROJECT = Path(__file__).resolve().parents[2]
SERVERS = 200
KILL_AFTER = 50  # posts delivered before the SIGKILL
SEND_RATE = 60.0  # posts/s: the whole fan-out would take ~3.5 s, so the kill lands mid-way
POST_AT = dt.datetime(2024, 9, 1, 9, 0, tzinfo=dt.UTC)
TOKEN = "crash-test-bot-token-0123456789abcdef"


async def seed(backend: Backend, channels: dict[int, int]) -> None:
    """Every server configured directly in storage, all due at the same instant."""
    repo = backend.repo()
    for guild_id, channel_id in channels.items():
        settings = CountdownSettings(
            guild_id=guild_id, channel_id=channel_id, post_time=dt.time(9, 0)
        )
        await repo.save_settings(settings, next_post_at=POST_AT, now=POST_AT)


async def ledger_states(backend: Backend) -> dict[str, int]:
    rows = await backend.rows("SELECT state, count(*) FROM deliveries GROUP BY state")
    return {row[0]: row[1] for row in rows}


@contextlib.asynccontextmanager
async def bot_process(
    sim: Simulator,
    backend: Backend,
    log: Path,
    *,
    send_rate: float = SEND_RATE,
    **extra_env: str,
) -> AsyncIterator[asyncio.subprocess.Process]:
    """``python -m tests.e2e.bot_process`` on ``backend``'s database (a real OS process)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DISCORD_", "DEV_GUILD", "DATABASE_", "SHARD_"))
    }
    env.update(
        PYTHONPATH=str(PROJECT),
        DISCORD_TOKEN=TOKEN,
        DISCORD_API_BASE_URL=sim.api_base_url,
        DATABASE_PATH=str(backend.sqlite_path),
        COUNTDOWN_TEST_NOW=(POST_AT + dt.timedelta(seconds=30)).isoformat(),
        COUNTDOWN_TEST_TICK="0.1",
        COUNTDOWN_TEST_SEND_RATE=str(send_rate),
        **extra_env,
    )
    if backend.url is not None:
        env["DATABASE_URL"] = backend.url
    with log.open("ab") as stderr:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.e2e.bot_process",
            cwd=PROJECT,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.kill()
        await proc.wait()


async def test_sigkill_mid_fan_out_then_restart_posts_exactly_once_everywhere(
    tmp_path: Path, backend: Backend
) -> None:
    log = tmp_path / "bot.log"
    async with Simulator(token=TOKEN) as sim:
        channels: dict[int, int] = {}
        for n in range(SERVERS):
            guild = sim.add_guild(f"Fan Club {n}")
            channels[guild.id] = sim.add_channel(guild.id, "countdown").id
        await seed(backend, channels)

        def delivered() -> list[int]:
            return [len(sim.state.messages.get(c, [])) for c in channels.values()]

        # Kill the bot the moment Discord stores post number KILL_AFTER, before the bot can
        # see the response: that post exists but the ledger still says "sending" (the worst
        # case), besides the posts claimed and never sent at all.
        victim: list[int] = []
        store = sim.state.store_message

        def store_then_kill(message: dict[str, Any], *, in_channel: bool) -> None:
            store(message, in_channel=in_channel)
            if victim and sum(delivered()) == KILL_AFTER:
                os.kill(victim.pop(), signal.SIGKILL)

        sim.state.store_message = store_then_kill  # type: ignore[method-assign]
        async with bot_process(sim, backend, log) as first:
            victim.append(first.pid)
            assert await asyncio.wait_for(first.wait(), 60) == -signal.SIGKILL
        assert sum(delivered()) == KILL_AFTER and max(delivered()) == 1
        unsent = await ledger_states(backend)
        assert unsent.get("sending", 0) >= 1  # the one in flight (its answer never came)
        assert unsent.get("claimed", 0) + unsent["sending"] >= SERVERS - KILL_AFTER + 1
        # "Sending" is written right before a request leaves: only the few that had their
        # rate-limit slot can be in doubt, not every post a sender had picked up.
        assert unsent["sending"] <= 3, unsent

        async with bot_process(sim, backend, log):
            await sim.wait_until(lambda: min(delivered()) >= 1, 60, "every server's post")
            await asyncio.sleep(1.0)  # a few more ticks and any straggling resend
        assert delivered() == [1] * SERVERS, log.read_text()[-2000:]
        # The in-flight post was sent again with its nonce and Discord collapsed the copy.
        assert sim.stats.requests["POST /channels/{channel_id}/messages"] > SERVERS

    assert await ledger_states(backend) == {"sent": SERVERS}
