"""The 🔔 button's pure rules: which problem is named, and the per-member cooldown."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.premiere.notify import COOLDOWN, Cooldown, RoleFacts, role_problem

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _facts(**changes: bool) -> RoleFacts:
    values = {"manage_roles": True, "below_bot": True, "managed": False, **changes}
    return RoleFacts(role_name="Pings", bot_role_name="Bot", **values)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, None),
        ({"manage_roles": False}, "**Manage Roles**"),
        ({"below_bot": False}, "Drag **Bot** above **Pings**"),
        ({"managed": True, "manage_roles": False}, "belongs to an integration"),
    ],
)
def test_role_problem_names_the_fix(changes: dict[str, bool], expected: str | None) -> None:
    problem = role_problem(_facts(**changes))
    assert (problem is None) if expected is None else (expected in (problem or ""))


def test_cooldown_is_per_member_and_expires() -> None:
    cooldown = Cooldown()
    assert cooldown.remaining((1, 10), T0) is None
    assert cooldown.remaining((1, 11), T0) is None  # another member is not held back
    assert cooldown.remaining((1, 10), T0 + dt.timedelta(seconds=5)) == COOLDOWN - dt.timedelta(
        seconds=5
    )
    assert cooldown.remaining((1, 10), T0 + COOLDOWN) is None


def test_cooldown_memory_stays_bounded() -> None:
    cooldown = Cooldown(limit=3)
    for user in range(10):
        cooldown.remaining((1, user), T0 + COOLDOWN * user)
    assert len(cooldown._last) <= 3
