"""APScheduler 3.x, configured so that its defaults can't lose or duplicate work.

The scheduler only drives a clock: one periodic job per concern, each with a stable id
(``replace_existing`` keeps a restart from stacking duplicates). What is due lives in SQLite,
so a tick that fires late, or not at all while the bot is down, loses nothing: the next tick
finds the overdue rows. No ``CronTrigger`` in local zones (its DST handling has known bugs);
local times are turned into UTC instants by ``bot.countdown.clock`` instead.

Two additions to plain interval jobs:

* **Steady cadence across wall-clock steps.** APScheduler stores run times as wall-clock
  instants and counts an interval from the previous run time, so after the clock steps back
  an hour (NTP, a resumed VM) the job would wait that hour. Here the next run is counted from
  the moment a run starts, and a run time further ahead than one interval (which only a step
  back can cause) is brought back to now.
* **Waking at a due instant.** ``wake_in`` moves a job's next run earlier, so the countdown
  tick runs on the minute a post is due instead of up to one interval later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from apscheduler.schedulers import base as apscheduler_base
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

DEFAULT_TICK_SECONDS = 10.0


class SteadyIntervalTrigger(IntervalTrigger):
    """An interval counted from each run's start on the wall clock, not from the previous
    planned run time, so a step of the wall clock never stretches the gap between runs."""

    def get_next_fire_time(
        self, previous_fire_time: dt.datetime | None, now: dt.datetime
    ) -> dt.datetime | None:
        if previous_fire_time is None:
            return super().get_next_fire_time(None, now)
        return now + self.interval


def steady_run_time(next_run: dt.datetime, now: dt.datetime, interval: dt.timedelta) -> dt.datetime:
    """A run time no further ahead of ``now`` than one interval (pure).

    Further ahead is only possible after the wall clock stepped back: run now instead.
    """
    return now if next_run - now > interval else next_run


class _SteadyScheduler(AsyncIOScheduler):
    def _process_jobs(self) -> float | None:
        # The very wall clock APScheduler is about to compare run times with.
        now = apscheduler_base.datetime.now(self.timezone)
        for job in self.get_jobs():
            trigger = job.trigger
            if isinstance(trigger, SteadyIntervalTrigger) and job.next_run_time is not None:
                steady = steady_run_time(job.next_run_time, now, trigger.interval)
                if steady != job.next_run_time:
                    job.modify(next_run_time=steady)
        return super()._process_jobs()


class PeriodicJobs:
    def __init__(self) -> None:
        self._scheduler = _SteadyScheduler(
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
            SteadyIntervalTrigger(seconds=seconds, timezone=dt.UTC),
            id=job_id,
            replace_existing=True,
            next_run_time=dt.datetime.now(dt.UTC),  # first run right away (catch-up)
        )

    def wake_in(self, job_id: str, seconds: float) -> None:
        """Run ``job_id`` in ``seconds`` if that is sooner than its next planned run."""
        job = self._scheduler.get_job(job_id)
        if job is None or job.next_run_time is None:
            return
        when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=max(0.0, seconds))
        if when < job.next_run_time:
            job.modify(next_run_time=when)  # modify() wakes the scheduler up itself

    def job_ids(self) -> list[str]:
        return [job.id for job in self._scheduler.get_jobs()]

    def next_run_time(self, job_id: str) -> dt.datetime | None:
        job = self._scheduler.get_job(job_id)
        return None if job is None else job.next_run_time

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    def start(self, **kwargs: Any) -> None:
        self._scheduler.start(**kwargs)

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
