"""Small versions of the delivery drills (``benchmarks/delivery_drills.py``).

Beyond ``test_countdown_crash.py`` (one SIGKILL at one chosen post): two stops in a row, one
of them while the restarted bot is still starting up (recovering the first stop's leftovers),
and the same with SIGTERM, which goes through production's graceful stop.
"""

from __future__ import annotations

import asyncio
import signal
import socket
from pathlib import Path

import pytest

from benchmarks.delivery_drills import TOKEN, drill, plan_stops, spawn
from bot.sandbox.simulator.server import Simulator

SERVERS = 100
STOPS = 2
SEED = 2  # an at-post stop, then one 0.65 s into the restarted process's start-up


def test_the_seed_covers_a_stop_mid_send_and_one_during_start_up() -> None:
    assert [stop.moment for stop in plan_stops(SERVERS, STOPS, SEED)] == ["at-post", "start-up"]


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["sigkill", "sigterm"])
async def test_stops_mid_fan_out_then_restarts_post_exactly_once_everywhere(
    sig: signal.Signals, tmp_path: Path
) -> None:
    result = await drill(
        sig, servers=SERVERS, stops=STOPS, seed_value=SEED, workdir=tmp_path, tick=0.1, limit=60
    )
    log = (tmp_path / f"{sig.name}.log").read_text()[-3000:]
    assert len(result.exit_seconds) == STOPS, log  # every stop really landed
    assert 0 < result.posted_at_stop[0] < SERVERS  # the first one mid-fan-out
    assert (result.lost, result.duplicated, result.rate_limited) == (0, 0, 0), log
    assert result.states == {"sent": SERVERS}, log
    if sig is signal.SIGTERM:
        # The graceful stop let the send in flight finish: nothing was left in doubt, and
        # nothing had to be resent on the strength of its nonce.
        assert result.left_sending == [0] * STOPS, log
        assert result.exit_codes[0] == 0  # (a stop before the handlers exist ends it at once)
        assert result.post_requests == SERVERS
    else:
        # Killed while Discord stored a post: that row was left "sending" and resent with
        # its nonce, which Discord collapsed into the existing message.
        assert result.left_sending[0] >= 1
        assert result.post_requests > SERVERS


async def test_the_drill_bot_stops_on_sigterm_while_its_first_connection_keeps_failing(
    tmp_path: Path,
) -> None:
    # discord.py retries a failed first gateway connection every 5 s, even after close(). A
    # SIGTERM in that window (CI caught one in the drill above) must still stop the drill bot
    # within seconds, as it stops production's runner, not leave it retrying forever.
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]  # closed again below: connections are refused
    log = tmp_path / "bot.log"
    async with Simulator(TOKEN) as sim:
        proc = await spawn(
            sim,
            tmp_path / "bot.sqlite3",
            log,
            send_rate=45,
            tick=0.1,
            extra_env={"DISCORD_GATEWAY_URL": f"ws://127.0.0.1:{port}"},
        )
        try:
            await sim.wait_until(
                lambda: "Failed to connect for shard_id" in log.read_text(),
                30.0,
                "the bot's first failed gateway connection",
            )
            proc.send_signal(signal.SIGTERM)
            async with asyncio.timeout(10):
                await proc.wait()
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    assert proc.returncode == 0, log.read_text()[-3000:]
