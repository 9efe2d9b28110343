"""Start-up failures: one line naming the cause and the fix, the documented exit code, no traceback.

Each case runs ``python -m bot`` as a real process against a real socket that fails in one
particular way (nothing listening, a host that never answers, a TLS mismatch, a fake Discord
that rejects the token or whose gateway is down).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from bot.failures import EXIT_CONFIG, EXIT_NETWORK
from bot.sandbox.simulator.demo import add_demo_guild
from bot.sandbox.simulator.server import Simulator
from tests.e2e.test_bot_lifecycle import FAKE_TOKEN, _clean_env

# The promise: every failure is reported within 35 s (login + first connection: 30 s).
PROMISED_SECONDS = 35


def _run(
    tmp_path: Path, api: str, *args: str, **env: str
) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=_clean_env(
            DISCORD_TOKEN=FAKE_TOKEN,
            DISCORD_API_BASE_URL=api,
            DATABASE_PATH=str(tmp_path / "bot.sqlite3"),
            **env,
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done, time.monotonic() - started


def _the_one_line(stderr: str, exit_code: int, returncode: int) -> str:
    """The failure line, after checking it is the only thing said (bar the test-only warning)."""
    assert returncode == exit_code, stderr
    assert "Traceback" not in stderr, stderr
    assert FAKE_TOKEN not in stderr
    # INFO lines are progress (a first run's database migrations), not the failure; and
    # pointing the bot at a non-production API always logs a warning, production never does.
    lines = [
        line
        for line in stderr.splitlines()
        if " INFO " not in line and "non-production Discord API" not in line
    ]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("heartstopper-bot: "), stderr
    return lines[0]


def _free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def _silent_host() -> Iterator[int]:
    """Accepts connections (the kernel completes the handshake) and never says a word."""
    with socket.create_server(("127.0.0.1", 0), backlog=16) as server:
        yield int(server.getsockname()[1])


@contextlib.contextmanager
def _plain_http_host() -> Iterator[int]:
    """Answers every connection in plain HTTP, so a TLS client's handshake fails."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(server.getsockname()[1])
    finally:
        stop.set()
        thread.join(timeout=2)
        server.close()


def test_unreachable_host_dns(tmp_path: Path) -> None:
    # .invalid never resolves (RFC 2606), online or not.
    done, seconds = _run(tmp_path, "http://discord.invalid/api/v10")
    line = _the_one_line(done.stderr, EXIT_NETWORK, done.returncode)
    assert "cannot resolve discord.invalid" in line and "DNS" in line
    assert seconds < PROMISED_SECONDS


def test_refused_connection(tmp_path: Path) -> None:
    port = _free_port()
    done, seconds = _run(tmp_path, f"http://127.0.0.1:{port}/api/v10")
    line = _the_one_line(done.stderr, EXIT_NETWORK, done.returncode)
    assert f"127.0.0.1:{port}" in line and "connection refused" in line
    assert seconds < PROMISED_SECONDS


def test_sync_fails_the_same_way(tmp_path: Path) -> None:
    port = _free_port()
    done, _ = _run(tmp_path, f"http://127.0.0.1:{port}/api/v10", "sync")
    line = _the_one_line(done.stderr, EXIT_NETWORK, done.returncode)
    assert "connection refused" in line and done.stdout == ""


def test_silent_host_times_out_within_the_configured_bound(tmp_path: Path) -> None:
    with _silent_host() as port:
        done, seconds = _run(
            tmp_path, f"http://127.0.0.1:{port}/api/v10", DISCORD_CONNECT_TIMEOUT="2"
        )
    line = _the_one_line(done.stderr, EXIT_NETWORK, done.returncode)
    assert "did not answer within 2 s" in line
    assert 2 <= seconds < 2 + 10  # the bound, plus interpreter start-up


def test_tls_handshake_failure(tmp_path: Path) -> None:
    with _plain_http_host() as port:
        done, seconds = _run(tmp_path, f"https://127.0.0.1:{port}/api/v10")
    line = _the_one_line(done.stderr, EXIT_NETWORK, done.returncode)
    assert "TLS handshake" in line
    assert seconds < PROMISED_SECONDS


async def _run_against(sim: Simulator, tmp_path: Path, **env: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=_clean_env(
            DISCORD_API_BASE_URL=sim.api_base_url,
            DATABASE_PATH=str(tmp_path / "bot.sqlite3"),
            **env,
        ),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=PROMISED_SECONDS)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode is not None
    return process.returncode, stderr.decode()


async def test_rejected_token_is_a_configuration_error(tmp_path: Path) -> None:
    async with Simulator(token="the-real-token-0123456789abcdef") as sim:
        add_demo_guild(sim)
        code, stderr = await _run_against(sim, tmp_path, DISCORD_TOKEN=FAKE_TOKEN)
    line = _the_one_line(stderr, EXIT_CONFIG, code)
    assert "rejected DISCORD_TOKEN" in line and "Developer Portal" in line


async def test_gateway_that_never_connects_names_the_cause(tmp_path: Path) -> None:
    port = _free_port()
    async with Simulator(token=FAKE_TOKEN) as sim:
        add_demo_guild(sim)
        code, stderr = await _run_against(
            sim,
            tmp_path,
            DISCORD_TOKEN=FAKE_TOKEN,
            DISCORD_GATEWAY_URL=f"ws://127.0.0.1:{port}/gateway",
            DISCORD_CONNECT_TIMEOUT="3",
            LOG_LEVEL="ERROR",  # the bot's own start-up INFO lines are not the point here
        )
    line = _the_one_line(stderr, EXIT_NETWORK, code)
    assert f"127.0.0.1:{port}" in line and "connection refused" in line


async def test_an_outage_after_connecting_is_one_line_per_attempt_and_sigterm_still_works(
    tmp_path: Path,
) -> None:
    sim = Simulator(token=FAKE_TOKEN)
    await sim.start()
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
        stderr=asyncio.subprocess.PIPE,
    )
    seen: list[bytes] = []
    try:
        await sim.wait_for_ready(timeout=30)
        await sim.close()  # Discord goes away: every reconnect attempt is refused
        assert process.stderr is not None
        while not seen or b"No connection to Discord" not in seen[-1]:
            line = await asyncio.wait_for(process.stderr.readline(), timeout=20)
            assert line, b"".join(seen).decode()  # the bot exited instead of reconnecting
            seen.append(line)
        # Now in discord.py's reconnect back-off sleep: SIGTERM must still stop it at once.
        process.send_signal(signal.SIGTERM)
        _, rest = await asyncio.wait_for(process.communicate(), timeout=10)
        stderr_bytes = b"".join(seen) + rest
    finally:
        await sim.close()
        if process.returncode is None:
            process.kill()
            await process.wait()
    stderr = stderr_bytes.decode()
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    outage = [line for line in stderr.splitlines() if "No connection to Discord" in line]
    assert outage, stderr
    assert all("WARNING" in line and "reconnect in" in line for line in outage)
