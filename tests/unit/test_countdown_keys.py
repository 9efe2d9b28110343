"""Delivery keys and nonces (deterministic, short) and the catch-up rule."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.countdown.catchup import catch_up
from bot.countdown.idempotency import NONCE_MAX_LEN, delivery_key, message_nonce

DAY = dt.date(2026, 12, 24)
LONDON = ZoneInfo("Europe/London")
TOKYO = ZoneInfo("Asia/Tokyo")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")


DAY_START = dt.datetime(2026, 12, 24, 0, 0, tzinfo=dt.UTC)


def test_delivery_key_names_guild_and_local_day() -> None:
    assert delivery_key(123, DAY, DAY_START) == "countdown:123:2026-12-24@1798070400"


@pytest.mark.parametrize("guild", [1, 2**63 - 1, 987654321098765432])
def test_nonce_is_short_and_deterministic(guild: int) -> None:
    nonce = message_nonce(guild, DAY, DAY_START)
    assert len(nonce) <= NONCE_MAX_LEN == 25
    assert nonce == message_nonce(guild, DAY, DAY_START)
    assert nonce.isascii() and nonce.isalnum()


def test_nonces_differ_by_guild_and_local_day() -> None:
    # The same date in two zones is two different local days (Tokyo's starts 9 hours earlier).
    tokyo_start = dt.datetime(2026, 12, 23, 15, 0, tzinfo=dt.UTC)
    nonces = {
        message_nonce(1, DAY, DAY_START),
        message_nonce(2, DAY, DAY_START),
        message_nonce(1, DAY, tokyo_start),
        message_nonce(1, DAY + dt.timedelta(days=1), DAY_START + dt.timedelta(days=1)),
    }
    assert len(nonces) == 4


def test_nonce_is_stable_across_processes() -> None:
    # A fresh interpreter has a different hash() salt; the nonce must not change.
    code = (
        "import datetime as dt; from bot.countdown.idempotency import message_nonce; "
        "print(message_nonce(42, dt.date(2026, 12, 24), "
        "dt.datetime(2026, 12, 24, tzinfo=dt.UTC)))"
    )
    other = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={"PYTHONHASHSEED": "12345"}, cwd=Path(__file__).resolve().parents[2],
    ).stdout.strip()  # fmt: skip
    assert other == message_nonce(42, DAY, DAY_START)


def at(zone: ZoneInfo, *args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=zone).astimezone(dt.UTC)


@pytest.mark.parametrize(
    ("zone", "scheduled", "now", "expected"),
    [
        (LONDON, at(LONDON, 2026, 7, 1, 9), at(LONDON, 2026, 7, 1, 9), "on_time"),
        (LONDON, at(LONDON, 2026, 7, 1, 9), at(LONDON, 2026, 7, 1, 9, 2), "on_time"),
        (LONDON, at(LONDON, 2026, 7, 1, 9), at(LONDON, 2026, 7, 1, 8, 59), "on_time"),
        (LONDON, at(LONDON, 2026, 7, 1, 9), at(LONDON, 2026, 7, 1, 9, 2, 1), "late"),
        (LONDON, at(LONDON, 2026, 7, 1, 9), at(LONDON, 2026, 7, 1, 23, 59), "late"),
        (LONDON, at(LONDON, 2026, 7, 1, 9), at(LONDON, 2026, 7, 2, 0, 0), "skip"),
        (LONDON, at(LONDON, 2026, 7, 1, 9), at(LONDON, 2026, 7, 5, 9, 0), "skip"),
        (LONDON, at(LONDON, 2026, 7, 1, 9), at(LONDON, 2026, 7, 1, 8, 0), "skip"),  # not due
        # 22:00 UTC is the same day in LA but already tomorrow in Tokyo
        (TOKYO, at(TOKYO, 2026, 7, 1, 6), dt.datetime(2026, 7, 1, 16, 0, tzinfo=dt.UTC), "skip"),
        (LOS_ANGELES, at(LOS_ANGELES, 2026, 7, 1, 6),
         dt.datetime(2026, 7, 2, 6, 0, tzinfo=dt.UTC), "late"),
        # a fall-back day is 25 hours long; "same local day" still holds at 23:30
        (LONDON, at(LONDON, 2026, 10, 25, 0, 30), at(LONDON, 2026, 10, 25, 23, 30), "late"),
    ],
)  # fmt: skip
def test_catch_up(zone: ZoneInfo, scheduled: dt.datetime, now: dt.datetime, expected: str) -> None:
    assert catch_up(scheduled, now, zone) == expected


def test_catch_up_grace_is_configurable() -> None:
    scheduled = at(LONDON, 2026, 7, 1, 9)
    now = scheduled + dt.timedelta(minutes=10)
    assert catch_up(scheduled, now, LONDON) == "late"
    assert catch_up(scheduled, now, LONDON, grace=dt.timedelta(minutes=15)) == "on_time"
