"""`heartstopper-bot sandbox`: the no-token way to try the bot, driven by a script."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from bot.config import load_settings
from bot.sandbox.session import run_sandbox

PROJECT = Path(__file__).resolve().parents[2]

SCRIPT = """\
/cast query: Kit
?cast query: ni
/cast
.click Next
/episode season: 1 number: 9
/countdown setup channel: #read-only time: 09:00 timezone: Europe/London
/countdown setup channel: #countdown time: 09:00 timezone: Europe/London role: @Fans
/countdown test
.as fan
/countdown status
.quit
/about
"""


async def test_scripted_session_shows_replies_buttons_and_posts(tmp_path: Path) -> None:
    script = tmp_path / "demo.txt"
    script.write_text(SCRIPT)
    lines: list[str] = []
    status = await run_sandbox(
        load_settings({}, require_token=False),
        script=script,
        database=tmp_path / "sandbox.sqlite3",
        out=lines.append,
    )
    out = "\n".join(lines)
    assert status == 0
    assert "Kit Connor" in out and "Nick Nelson" in out
    assert "• Kit Connor — Nick Nelson  →  kit-connor" in out  # autocomplete
    assert "Page 1/" in out and "Page 2/" in out  # the Next button worked
    assert "[ Previous ]" in out
    assert "(only you can see this)" in out and "no episode 9" in out
    assert "missing the **Send Messages** permission" in out
    assert "Countdown set up in #countdown at 09:00, Europe/London (UTC" in out
    assert "I'll ping @Fans on milestones" in out
    assert "── new post in #countdown ──" in out and "Test post" in out
    assert "needs Manage Server" in out  # the fan doesn't see /countdown
    assert "> /about" not in out  # .quit stopped reading


def test_cli_sandbox_reads_commands_from_stdin(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISCORD_")}
    env["PYTHONPATH"] = str(PROJECT)
    done = subprocess.run(
        [sys.executable, "-m", "bot", "sandbox", "--script", "-"],
        input="/season number: 2\n/next\n",
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Heartstopper bot sandbox" in done.stdout
    assert "Season 2" in done.stdout
    assert "Heartstopper Forever" in done.stdout


async def test_bad_prompt_lines_are_explained_not_fatal(tmp_path: Path) -> None:
    lines: list[str] = []
    stdin = io.StringIO("cast\n/nosuchcommand\n/cast nope: 1\n.frobnicate\n/about\n")
    await run_sandbox(
        load_settings({}, require_token=False),
        database=tmp_path / "s.sqlite3",
        out=lines.append,
        stdin=stdin,
    )
    out = "\n".join(lines)
    assert "slash commands start with '/'" in out
    assert "no command /nosuchcommand" in out
    assert "unknown option 'nope'" in out
    assert "unknown sandbox command .frobnicate" in out
    assert "Alice Oseman" in out  # and it kept going
