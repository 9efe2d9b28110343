"""The sandbox as a new user meets it: quitting at once, odd input, restarts, `.env`."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.sandbox.session import run_sandbox

PROJECT = Path(__file__).resolve().parents[2]


async def _session(tmp_path: Path, script: str, database: Path | None = None) -> str:
    path = tmp_path / "script.txt"
    path.write_text(script, encoding="utf-8")
    lines: list[str] = []
    status = await run_sandbox(
        load_settings({}, require_token=False),
        script=path,
        database=database or tmp_path / "sandbox.sqlite3",
        out=lines.append,
    )
    assert status == 0
    return "\n".join(lines)


def _cli(tmp_path: Path, stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SHOW_"))}
    env["PYTHONPATH"] = str(PROJECT)
    return subprocess.run(
        [sys.executable, "-m", "bot", "sandbox", *args],
        input=stdin,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_quitting_at_once_logs_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The race (on_ready still writing when the database closed) hit about every other run.
    for attempt in range(5):
        await _session(tmp_path, ".help\n", tmp_path / f"quit{attempt}.sqlite3")
    problems = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert problems == []


def test_cli_sandbox_quitting_at_once_prints_nothing_from_the_logs(tmp_path: Path) -> None:
    done = _cli(tmp_path, ".help\n")
    assert done.returncode == 0
    assert done.stderr == ""
    assert "[log]" not in done.stdout and "Traceback" not in done.stdout


async def test_autocomplete_on_an_option_without_it_is_refused_plainly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    out = await _session(tmp_path, "?timeline year: 20\n?episode season: 2\n?cast query: ki\n")
    assert "! Discord offers no suggestions for year: (it has no autocomplete)" in out
    assert "! Discord offers no suggestions for season: (it has no autocomplete)" in out
    assert "Kit Connor" in out  # a real autocomplete still works
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_countdown_test_reply_is_printed_once(tmp_path: Path) -> None:
    out = await _session(
        tmp_path,
        "/countdown setup channel: #countdown time: 09:00 timezone: UTC\n/countdown test\n",
    )
    assert out.count("Posted a test in #countdown") == 1, out


async def test_a_database_keeps_the_demo_servers_settings_across_restarts(
    tmp_path: Path,
) -> None:
    database = tmp_path / "kept.sqlite3"
    await _session(
        tmp_path, "/countdown setup channel: #countdown time: 09:00 timezone: UTC\n", database
    )
    out = await _session(tmp_path, "/countdown status\n", database)
    assert "Not set up yet" not in out
    assert "#countdown" in out and "09:00 UTC" in out


async def test_the_sandbox_bot_has_only_the_readme_permissions(tmp_path: Path) -> None:
    # 19456 has no Mention Everyone: a role nobody may mention can't be pinged.
    out = await _session(
        tmp_path, "/countdown setup channel: #countdown time: 09:00 timezone: UTC role: @Mods\n"
    )
    assert "the role isn't mentionable" in out
    assert "Countdown set up" not in out


async def test_messages_use_plain_words_not_internals(tmp_path: Path) -> None:
    out = await _session(
        tmp_path, "/cast\n.click Previous\n/season number: x\n.wait abc\n/countdown\n"
    )
    assert "! that button is disabled (greyed out)" in out
    assert "! number: needs a whole number, e.g. 2 (got 'x')" in out
    assert "! .wait needs a number of seconds, e.g. .wait 5" in out
    assert "! /countdown needs a subcommand: event, setup, channel" in out
    for leak in ("custom_id", "could not convert", "a integer", "['event'"):
        assert leak not in out
    assert "component '" not in out


def test_the_sandbox_honours_dotenv_show_data_path(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("this is = not [valid toml\n", encoding="utf-8")
    (tmp_path / ".env").write_text(f"SHOW_DATA_PATH={broken}\n", encoding="utf-8")
    done = _cli(tmp_path, "/about\n")
    assert done.returncode == 2
    assert str(broken) in done.stderr and "Traceback" not in done.stderr
