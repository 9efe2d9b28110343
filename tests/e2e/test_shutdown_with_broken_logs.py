"""SIGTERM stops the bot even when nobody reads its log any more.

Seen in the field: bot processes whose parent had died, sharing a log pipe nobody drained,
ignored SIGTERM. A write to a full pipe blocks, and when that write happens on the event loop
the signal handler never runs. Here the pipe is made small and filled before the signal.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import signal
import sys
from pathlib import Path

import pytest

from bot.sandbox.simulator.demo import add_demo_guild
from bot.sandbox.simulator.server import Simulator
from tests.e2e.test_bot_lifecycle import FAKE_TOKEN, _clean_env

STOP_WITHIN = 10.0  # seconds; the healthy case takes about 1-3 s


@pytest.mark.parametrize("broken", ["full", "closed"])
async def test_sigterm_stops_the_bot_when_its_log_pipe_is_broken(
    tmp_path: Path, broken: str
) -> None:
    read_fd, write_fd = os.pipe()
    fcntl.fcntl(write_fd, fcntl.F_SETPIPE_SZ, 4096)
    async with Simulator(token=FAKE_TOKEN) as sim:
        add_demo_guild(sim)
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=tmp_path,
            env=_clean_env(
                DISCORD_TOKEN=FAKE_TOKEN,
                DISCORD_API_BASE_URL=sim.api_base_url,
                DATABASE_PATH=str(tmp_path / "bot.sqlite3"),
            ),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=write_fd,
        )
        os.close(write_fd)  # the bot holds the only normal write end now
        try:
            await sim.wait_for_ready(timeout=30)
            await sim.wait_for_commands(timeout=30)
            if broken == "full":
                assert _fill_through_proc(process.pid) > 0
            else:
                os.close(read_fd)  # the reader is gone: writes fail with EPIPE
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), timeout=STOP_WITHIN)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
            if broken == "full":
                os.close(read_fd)
    assert process.returncode == 0


def _fill_through_proc(pid: int) -> int:
    """Fill the bot's stderr pipe to the brim, through a second, non-blocking open of it
    (a new file description, so the bot's own writes stay blocking)."""
    filler = os.open(f"/proc/{pid}/fd/2", os.O_WRONLY | os.O_NONBLOCK)
    written = 0
    try:
        while True:
            written += os.write(filler, b"x" * 512)
    except BlockingIOError:
        return written
    finally:
        os.close(filler)
