"""The "🔔 Notify me" button: what it says, when it may act, and how often (pure logic)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

NOTIFY_CUSTOM_ID = "premiere:notify"  # the same on every post: the role is read at click time
NOTIFY_LABEL = "Notify me"
NOTIFY_EMOJI = "🔔"
COOLDOWN = dt.timedelta(seconds=30)  # per member: one change per half minute stops flapping

ADDED = "🔔 You'll be pinged on milestones and release day (role **{role}**)."
REMOVED = "🔕 You won't be pinged any more (role **{role}** removed)."
OFF = "The 🔔 button is turned off in this server."
NO_ROLE = (
    "This server has no ping role set, so there is nothing to join. "
    "An admin can pick one with `/countdown role`."
)
BROKEN = "I can't change your roles right now; I've told the server's admins. Try again later."


def toggle_reply(added: bool, role_name: str) -> str:
    return (ADDED if added else REMOVED).format(role=role_name)


def cooldown_reply(remaining: dt.timedelta) -> str:
    seconds = max(1, round(remaining.total_seconds()))
    return f"Slow down a little: you can change this again in {seconds} s."


@dataclass(frozen=True, slots=True)
class RoleFacts:
    """What Discord says about the ping role and the bot, as the cache has them."""

    role_name: str
    bot_role_name: str
    manage_roles: bool
    below_bot: bool  # the role sits below the bot's highest role
    managed: bool  # a bot's or integration's own role: nobody can hand it out


def role_problem(facts: RoleFacts) -> str | None:
    """Why the bot can't give or take the ping role, with the fix; None when it can."""
    if facts.managed:
        return (
            f"**{facts.role_name}** belongs to an integration, so nobody can give it out. "
            "Pick another role with `/countdown role`."
        )
    if not facts.manage_roles:
        return (
            "I need the **Manage Roles** permission to add and remove the ping role. "
            "Give it to my role in Server Settings → Roles."
        )
    if not facts.below_bot:
        return (
            f"**{facts.role_name}** is above my highest role (**{facts.bot_role_name}**), so "
            f"Discord won't let me hand it out. Drag **{facts.bot_role_name}** above "
            f"**{facts.role_name}** in Server Settings → Roles."
        )
    return None


class Cooldown:
    """One change per member per ``period`` (in memory: a restart forgets, which is fine)."""

    def __init__(self, period: dt.timedelta = COOLDOWN, limit: int = 10_000) -> None:
        self.period = period
        self._limit = limit
        self._last: dict[tuple[int, int], dt.datetime] = {}

    def remaining(self, key: tuple[int, int], now: dt.datetime) -> dt.timedelta | None:
        """None when ``key`` may act now (and then it is counted), else how long to wait."""
        last = self._last.get(key)
        if last is not None and now - last < self.period:
            return self.period - (now - last)
        if len(self._last) >= self._limit:  # bounded: forget entries that no longer matter
            self._last = {k: t for k, t in self._last.items() if now - t < self.period}
        self._last[key] = now
        return None
