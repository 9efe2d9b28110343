"""The premiere kit in the sandbox: ``.events`` and ``.threads`` show what the bot made on the
simulated Discord, and the simulator judges "in the future" by the sandbox's movable clock."""

from __future__ import annotations

from pathlib import Path

from bot.config import load_settings
from bot.sandbox.session import run_sandbox

# The sandbox clock goes back to a month before season 3 (3 October 2024, 07:00 UTC): in real
# time that release is long past, so the simulator must use the sandbox's clock to accept it.
SCRIPT = """\
.help
.events
.threads
.time 2024-09-01 12:00 UTC
/premiere events enabled: true
.grant server events
/premiere events enabled: true
.events
/countdown setup channel: #countdown time: 09:00 timezone: UTC role: @Fans
.grant #countdown threads
/premiere threads enabled: true
.time 2024-10-03 07:01 UTC
.threads
.threads #countdown
.threads #general
.grant #nowhere events
"""


def _between(out: str, start: str, end: str) -> str:
    return out[out.index(start) : out.index(end, out.index(start) + len(start))]


async def test_events_and_threads_follow_the_sandbox_clock(tmp_path: Path) -> None:
    script = tmp_path / "premiere.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    lines: list[str] = []
    status = await run_sandbox(
        load_settings({}, require_token=False),
        script=script,
        database=tmp_path / "premiere.sqlite3",
        out=lines.append,
    )
    out = "\n".join(lines)
    assert status == 0

    helped = _between(out, "> .help", "> .events")
    assert ".events" in helped and ".threads" in helped and ".grant server events" in helped
    assert "(no Discord events)" in _between(out, "> .events", "> .threads")
    assert "(no threads)" in _between(out, "> .threads", "> .time")

    refused = _between(out, "> /premiere events enabled: true", "> .grant server events")
    assert "Manage Events" in refused  # the README's basic invite doesn't grant it
    granted = _between(out, "> .grant server events", "> /premiere events")
    assert "Manage Events" in granted and "server" in granted
    turned_on = _between(out, "> .grant server events", "> .events")
    assert "Discord events are on" in turned_on and "⚠️" not in turned_on
    listed = _between(out, "> .events", "> /countdown setup")
    assert "📅" in listed and "2024-10-03 07:00 UTC → 2024-10-03 09:00 UTC" in listed
    assert "external at Netflix" in listed

    threads = _between(out, "> .threads\n", "> .threads #countdown")
    assert "#countdown" in threads and "🧵" in threads
    in_countdown = _between(out, "> .threads #countdown", "> .threads #general")
    assert "🧵" in in_countdown
    assert "(no threads)" in _between(out, "> .threads #general", "> .grant #nowhere")
    assert "! no channel #nowhere" in out
