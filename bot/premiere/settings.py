"""A server's premiere-kit options (issue 11), with every default written here in code."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_SPOILER_DAYS = 7
MAX_SPOILER_DAYS = 30


@dataclass(frozen=True, slots=True)
class PremiereSettings:
    guild_id: int
    notify_button: bool = False
    discord_events: bool = False
    events_channel_id: int | None = None  # server events in this voice/stage channel
    release_threads: bool = False
    thread_channel_id: int | None = None  # None: the countdown channel
    spoiler_days: int = DEFAULT_SPOILER_DAYS
    notify_problem: str | None = None
    events_problem: str | None = None
    threads_problem: str | None = None
    events_paused: bool = False  # Discord refused: only this part waits for the admins

    @property
    def events_active(self) -> bool:
        return self.discord_events and not self.events_paused
