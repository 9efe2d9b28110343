"""The README's two-minute tour, run as written: clock jumps, a broken channel, the fix."""

from __future__ import annotations

import re
from pathlib import Path

from bot.config import load_settings
from bot.sandbox.session import run_sandbox

PROJECT = Path(__file__).resolve().parents[2]


def _readme_tour() -> str:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- tour:start -->\n```text\n(.*?)```\n<!-- tour:end -->", readme, re.S)
    assert found is not None, "the README lost its tour block"
    return found[1]


def _between(out: str, start: str, end: str) -> str:
    return out[out.index(start) : out.index(end, out.index(start))]


async def test_the_readme_tour_runs_and_shows_what_it_promises(tmp_path: Path) -> None:
    script = tmp_path / "tour.txt"
    script.write_text(_readme_tour(), encoding="utf-8")
    lines: list[str] = []
    status = await run_sandbox(
        load_settings({}, require_token=False),
        script=script,
        database=tmp_path / "tour.sqlite3",
        out=lines.append,
    )
    out = "\n".join(lines)
    assert status == 0
    assert "! " not in out.replace("(only you can see this)", ""), out  # no refused line

    four_days = _between(out, "> .time +2m", "> .revoke")
    assert "── new post in #countdown ──" in four_days and "**4 days**" in four_days

    broken = _between(out, "> .time +1d", "> .grant")
    assert "new post in #countdown" not in broken  # the post could not be sent...
    assert "Paused" in broken  # ...so the countdown paused, and the status says why:
    assert "Send Messages" in broken and "/countdown resume" in broken

    release_day = _between(out, "> .time 2026-12-24 09:01", "> .restart")
    assert "(pings @Fans)" in release_day and "It's today" in release_day

    after_restart = out[out.index("> .restart") :]
    assert "bot started again on the same database" in after_restart
    assert "Not set up yet" not in after_restart and "#countdown" in after_restart
    assert "clock: " in after_restart and "(real time)" in after_restart
