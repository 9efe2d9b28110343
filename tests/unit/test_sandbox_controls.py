"""Parsing the sandbox's clock jumps and faults (what a person types after .time/.revoke/...)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.sandbox.clock import ClockError, SandboxClock, parse_jump
from bot.sandbox.controls import (
    ControlError,
    Outage,
    parse_outage,
    parse_permission_change,
)
from bot.sandbox.simulator import permissions as perms

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+3d", NOW + dt.timedelta(days=3)),
        ("+2h", NOW + dt.timedelta(hours=2)),
        ("+1d6h30m", NOW + dt.timedelta(days=1, hours=6, minutes=30)),
        ("2026-12-24 08:59", dt.datetime(2026, 12, 24, 8, 59, tzinfo=dt.UTC)),
        ("2027-03-28 00:59 Europe/London", dt.datetime(2027, 3, 28, 0, 59, tzinfo=LONDON)),
        ("now", None),
    ],
)
def test_parse_jump(text: str, expected: dt.datetime | None) -> None:
    assert parse_jump(text, NOW, dt.UTC) == expected


@pytest.mark.parametrize("text", ["+", "+3x", "+3d junk", "tomorrow", "2026-13-01 09:00", "+9999d"])
def test_parse_jump_refuses_with_usage(text: str) -> None:
    with pytest.raises(ClockError):
        parse_jump(text, NOW, dt.UTC)


def test_unknown_zone_is_named() -> None:
    with pytest.raises(ClockError, match="Mars/Olympus"):
        parse_jump("2026-12-24 08:59 Mars/Olympus", NOW, dt.UTC)


def test_clock_keeps_running_after_a_jump() -> None:
    clock = SandboxClock()
    target = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    clock.set(target)
    assert clock.moved
    assert dt.timedelta(0) <= clock.now() - target < dt.timedelta(seconds=5)


def test_permission_words() -> None:
    change = parse_permission_change("#countdown send embed", ".revoke")
    assert change.channel == "#countdown"
    assert change.bits == perms.SEND_MESSAGES | perms.EMBED_LINKS
    for bad in ("", "#countdown", "countdown send", "#countdown fly"):
        with pytest.raises(ControlError, match=r"\.revoke #channel"):
            parse_permission_change(bad, ".revoke")


def test_premiere_permission_words_and_the_server_wide_target() -> None:
    change = parse_permission_change("SERVER events roles", ".grant")
    assert change.channel == "server"
    assert change.bits == perms.MANAGE_EVENTS | perms.MANAGE_ROLES
    threads = parse_permission_change("#countdown threads", ".grant").bits
    assert threads & perms.CREATE_PUBLIC_THREADS and threads & perms.SEND_MESSAGES_IN_THREADS
    with pytest.raises(ControlError, match=r"#channel\|server"):
        parse_permission_change("everywhere events", ".grant")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("5xx 30s", Outage(503, 30)), ("429 2m", Outage(429, 120)), ("off", Outage(None, 0))],
)
def test_parse_outage(text: str, expected: Outage) -> None:
    assert parse_outage(text) == expected


@pytest.mark.parametrize("text", ["", "5xx", "404 30s", "5xx soon", "5xx 0s", "429 11m"])
def test_parse_outage_refuses(text: str) -> None:
    with pytest.raises(ControlError):
        parse_outage(text)
