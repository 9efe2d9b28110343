"""Faults on demand in the sandbox: outages, kick/invite, a deleted channel, and .help."""

from __future__ import annotations

from pathlib import Path

from bot.config import load_settings
from bot.sandbox.session import run_sandbox


async def _run(tmp_path: Path, script: str) -> str:
    path = tmp_path / "faults.txt"
    path.write_text(script, encoding="utf-8")
    lines: list[str] = []
    status = await run_sandbox(
        load_settings({}, require_token=False),
        script=path,
        database=tmp_path / "faults.sqlite3",
        out=lines.append,
    )
    assert status == 0
    return "\n".join(lines)


def _after(out: str, marker: str) -> str:
    return out[out.index(marker) :]


async def test_outage_kick_invite_and_delete(tmp_path: Path) -> None:
    out = await _run(
        tmp_path,
        """\
.time 2026-12-01 12:00 UTC
.help
.help /countdown setup
.outage 5xx 30s
/about
.outage off
/about
/countdown setup channel: #countdown time: 09:00 timezone: UTC
/countdown event add name: Party when: 2027-01-10 12:00 count_down: True
.kick
/about
.invite
/countdown status
.delete #countdown
.time 2027-01-05 09:01 UTC
/countdown status
""",
    )
    help_text = _between(out, "> .help", "> .help /countdown setup")
    for listed in (".time +3d", ".restart", ".revoke", ".delete", ".kick", ".outage 5xx 30s"):
        assert listed in help_text
    setup_help = _between(out, "> .help /countdown setup", "> .outage")
    assert "timezone:" in setup_help and "(required)" in setup_help

    during = _between(out, "> .outage 5xx 30s", "> .outage off")
    assert "Discord answers every request with 503 errors for 30 s" in during
    assert "✗ The application did not respond" in during
    assert "Alice Oseman" in _between(out, "> .outage off", "> /countdown setup")

    assert "! the bot is not in the server any more" in _between(out, "> .kick", "> .invite")
    invited = _between(out, "> .invite", "> .delete")
    assert "Countdown status" in invited and "#countdown" in invited  # settings kept

    deleted = _after(out, "> .time 2027-01-05")
    assert "new post" not in deleted
    assert "no longer exists" in deleted


def _between(out: str, start: str, end: str) -> str:
    begin = out.index(start)
    return out[begin : out.index(end, begin + len(start))]
