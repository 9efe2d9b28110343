"""The bot as a whole: start-up, command sync, gateway resume, shutdown, configuration errors."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.client import HeartstopperBot
from bot.sandbox.harness import bot_against
from bot.sandbox.simulator.demo import DemoGuild, add_demo_guild
from bot.sandbox.simulator.server import Simulator

PROJECT = Path(__file__).resolve().parents[2]
# Long enough to pass the settings' token sanity check, like a real token.
FAKE_TOKEN = "simulated-bot-token-0123456789abcdef"


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DEV_GUILD"))}
    env.update(PYTHONPATH=str(PROJECT), **extra)
    return env


def _run_bot(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m bot`` run to completion from an empty folder (so no .env is picked up)."""
    return subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=_clean_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )


async def _start_bot_process(
    sim: Simulator, tmp_path: Path, *args: str, **extra_env: str
) -> asyncio.subprocess.Process:
    """``python -m bot [args]`` configured, as in production, only through its environment."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=tmp_path,
        env=_clean_env(
            DISCORD_TOKEN=FAKE_TOKEN,
            DISCORD_API_BASE_URL=sim.api_base_url,
            DATABASE_PATH=str(tmp_path / "bot.sqlite3"),
            **extra_env,
        ),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


def _command_syncs(sim: Simulator) -> int:
    return sum(
        n for key, n in sim.stats.requests.items() if key.startswith("PUT") and "commands" in key
    )


def test_no_token_prints_one_line_and_exits_non_zero(tmp_path: Path) -> None:
    done = _run_bot(tmp_path)
    assert done.returncode != 0
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "DISCORD_TOKEN" in lines[0] and "Traceback" not in done.stderr


def test_bad_setting_names_the_key(tmp_path: Path) -> None:
    done = _run_bot(tmp_path, DISCORD_TOKEN=FAKE_TOKEN, DEV_GUILD_ID="not-a-number")
    assert done.returncode != 0
    assert done.stderr.strip().startswith("heartstopper-bot: DEV_GUILD_ID")
    assert FAKE_TOKEN not in done.stderr


@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_process_identifies_syncs_answers_and_exits_0_on_sigterm(
    tmp_path: Path, log_format: str
) -> None:
    async with Simulator(token=FAKE_TOKEN) as sim:
        demo = add_demo_guild(sim)
        process = await _start_bot_process(sim, tmp_path, LOG_FORMAT=log_format)
        try:
            await sim.wait_for_ready(timeout=30)
            commands = await sim.wait_for_commands(timeout=30)
            assert {"about", "cast", "episode", "countdown"} <= {c["name"] for c in commands}
            result = await sim.run_command(demo.guild_id, demo.general_id, demo.fan_id, "about")
            assert not result.failed and "Alice Oseman" in result.embeds[0]["description"]

            process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    assert process.returncode == 0, stderr.decode()
    assert FAKE_TOKEN.encode() not in stderr
    assert b"Shut down cleanly" in stderr
    # The bot has no voice: discord.py's PyNaCl/davey warnings are noise.
    assert b"voice" not in stderr.lower(), stderr.decode()
    if log_format == "json":
        entries = [json.loads(line) for line in stderr.decode().splitlines()]
        assert {"time", "level", "logger", "message"} <= set(entries[0])
        assert entries[-1]["message"] == "Shut down cleanly"
        assert entries[-1]["level"] == "INFO" and entries[-1]["logger"] == "bot.runner"


async def test_commands_are_synced_only_when_they_change(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    async with Simulator() as sim:
        add_demo_guild(sim)
        async with bot_against(sim, db):
            assert _command_syncs(sim) == 1
        async with bot_against(sim, db) as bot:
            assert _command_syncs(sim) == 1  # unchanged tree: no second global sync
            assert await bot.sync_commands(force=True) == "global"
            assert _command_syncs(sim) == 2


async def test_dev_guild_gets_an_instant_guild_sync(tmp_path: Path) -> None:
    async with Simulator() as sim:
        demo = add_demo_guild(sim)
        async with bot_against(sim, tmp_path / "bot.sqlite3", dev_guild_id=demo.guild_id):
            assert sim.commands() == []
            assert "countdown" in {c["name"] for c in sim.commands(demo.guild_id)}
            result = await sim.run_command(demo.guild_id, demo.general_id, demo.fan_id, "next")
            assert not result.failed


async def test_dropped_gateway_resumes_and_keeps_answering(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot
) -> None:
    await sim.drop_gateway()
    await sim.wait_for_resume(timeout=30)
    assert sim.stats.identifies == 1
    result = await sim.run_command(demo.guild_id, demo.general_id, demo.fan_id, "season")
    assert not result.failed and result.embeds


async def test_unexpected_error_becomes_a_friendly_ephemeral_reply(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot, monkeypatch: object
) -> None:
    # The extension as discord.py loaded it (it is not an attribute of the package).
    releases_cog = sys.modules["cogs.releases"]

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(releases_cog, "next_release", explode)  # type: ignore[attr-defined]
    result = await sim.run_command(demo.guild_id, demo.general_id, demo.fan_id, "next")
    assert not result.failed
    assert result.ephemeral
    assert "something went wrong" in (result.content or "").lower()


async def test_sync_subcommand_pushes_commands_and_exits(tmp_path: Path) -> None:
    async with Simulator(token=FAKE_TOKEN) as sim:
        add_demo_guild(sim)
        process = await _start_bot_process(sim, tmp_path, "sync")
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, stderr.decode()
    assert stdout.decode().strip() == "Commands synced (global)."
    assert _command_syncs(sim) == 1
    assert sim.stats.identifies == 0  # it only needed the REST API


def test_unusable_database_path_is_one_line(tmp_path: Path) -> None:
    done = _run_bot(tmp_path, DISCORD_TOKEN=FAKE_TOKEN, DATABASE_PATH=str(tmp_path / "no" / "x.db"))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("heartstopper-bot: database error with DATABASE_PATH=")


async def test_a_failed_command_sync_does_not_stop_the_bot(tmp_path: Path) -> None:
    async with Simulator(token=FAKE_TOKEN) as sim:
        add_demo_guild(sim)
        # A server the bot is not in: Discord refuses the guild sync.
        process = await _start_bot_process(sim, tmp_path, DEV_GUILD_ID="123456789012345678")
        try:
            await sim.wait_for_ready(timeout=30)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), timeout=2)
            assert process.returncode is None  # still running
            process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    assert process.returncode == 0, stderr.decode()
    assert b"Command sync failed" in stderr or b"refused the command sync" in stderr


def test_malformed_show_data_stops_start_up_with_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "heartstopper.toml"
    good = (PROJECT / "data" / "heartstopper.toml").read_text(encoding="utf-8")
    broken.write_text(good.replace("release_date = 2022-04-22", 'release_date = "22 April"', 1))
    done = _run_bot(tmp_path, DISCORD_TOKEN=FAKE_TOKEN, SHOW_DATA_PATH=str(broken))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert str(broken) in done.stderr and "release_date" in done.stderr
