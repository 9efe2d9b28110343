"""APScheduler 3.x, configured so that its defaults can't lose or duplicate work.

The scheduler only drives a clock: one periodic job per concern, each with a stable id
(``replace_existing`` keeps a restart from stacking duplicates). What is due lives in SQLite,
so a tick that fires late, or not at all while the bot is down, loses nothing: the next tick
finds the overdue rows. No ``CronTrigger`` in local zones (its DST handling has known bugs);
local times are turned into UTC instants by ``bot.countdown.clock`` instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

DEFAULT_TICK_SECONDS = 10.0


class PeriodicJobs:
    def __init__(self) -> None:
        self._scheduler = AsyncIOScheduler(
            timezone=dt.UTC,
            job_defaults={
                "coalesce": True,  # after a stall, run once, not once per missed interval
                "max_instances": 1,  # a slow tick is never overlapped by the next one
                "misfire_grace_time": None,  # late is fine: the database says what is due
            },
        )

    def every(self, job_id: str, seconds: float, func: Callable[[], Awaitable[object]]) -> None:
        self._scheduler.add_job(
            func,
            IntervalTrigger(seconds=seconds, timezone=dt.UTC),
            id=job_id,
            replace_existing=True,
            next_run_time=dt.datetime.now(dt.UTC),  # first run right away (catch-up)
        )

    def job_ids(self) -> list[str]:
        return [job.id for job in self._scheduler.get_jobs()]

    def start(self) -> None:
        self._scheduler.start()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
