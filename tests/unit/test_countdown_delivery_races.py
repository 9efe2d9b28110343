"""Races in the delivery path, against a real SQLite file with an injected clock and a recorded
send: entries saved while a tick runs, a graceful stop during a send, an admin's save racing
the bot's own pause, the ledger's indexes, and the tick's cadence across wall-clock steps."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiosqlite
import apscheduler.schedulers.base as apscheduler_base
import pytest

from bot.countdown.planner import PlannedPost
from bot.countdown.settings import CountdownSettings
from bot.database.connection import open_database
from bot.database.store import CountdownStore, Database, countdown_store
from bot.scheduling.countdown import CountdownService
from bot.scheduling.pacing import Pacer
from bot.scheduling.scheduler import PeriodicJobs
from bot.show.loader import load_show_data
from tests.backends import Backend

POST_AT = dt.datetime(2024, 9, 1, 9, 0, tzinfo=dt.UTC)
RELEASES = load_show_data().releases


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class RecordedSend:
    """Counts every attempt that left the process, per nonce; can hold sends at a gate."""

    attempts: dict[str, int] = field(default_factory=dict)
    gate: asyncio.Event | None = None
    started: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, post: PlannedPost, nonce: str) -> int:
        self.attempts[nonce] = self.attempts.get(nonce, 0) + 1
        self.started.set()
        if self.gate is not None:
            await self.gate.wait()
        return len(self.attempts)


def _service(db, clock: Clock, send: RecordedSend) -> CountdownService:  # type: ignore[no-untyped-def]
    return CountdownService(
        repo=countdown_store(db),
        releases=RELEASES,
        clock=clock,
        send=send,
        pacer=Pacer(1000.0),
        workers=2,
        retry_delays=(0.01, 0.01, 0.01),
    )


async def _configure(repo: CountdownStore, guild_id: int, at: dt.datetime) -> None:
    settings = CountdownSettings(guild_id=guild_id, channel_id=guild_id + 1)
    await repo.save_settings(settings, next_post_at=at, now=at - dt.timedelta(hours=1))


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    """For the tests about SQLite's own mechanics (its single write turn, its query plans)."""
    async with open_database(tmp_path / "bot.sqlite3") as conn:
        yield conn


@pytest.fixture
def db(backend: Backend) -> Database:
    """Each test here runs on SQLite and on PostgreSQL."""
    return backend.db


# -- 3. the tick removes only the schedule entries it read ----------------------------------


async def test_entry_saved_between_a_ticks_read_and_commit_survives(db) -> None:  # type: ignore[no-untyped-def]
    clock = Clock(POST_AT + dt.timedelta(seconds=20))
    send = RecordedSend()
    service = _service(db, clock, send)
    await _configure(service.repo, 1000, POST_AT)
    plan = await service.plan_tick(clock.now)
    # Another server's entry, already due, lands while the tick is between read and commit
    # (a save from another coroutine, or another process).
    await _configure(service.repo, 2000, POST_AT + dt.timedelta(seconds=10))
    await service.commit_tick(plan)
    assert (2000, POST_AT + dt.timedelta(seconds=10)) in await service.repo.due(clock.now)


# -- 4. a graceful stop lets a send in flight finish --------------------------------------------


async def test_graceful_stop_finishes_the_send_in_flight_and_never_resends_it(db) -> None:  # type: ignore[no-untyped-def]
    clock = Clock(POST_AT + dt.timedelta(seconds=20))
    send = RecordedSend(gate=asyncio.Event())
    service = _service(db, clock, send)
    await service.start()
    for guild_id in (1000, 2000, 3000):
        await _configure(service.repo, guild_id, POST_AT)
    await service.tick()
    await asyncio.wait_for(send.started.wait(), 2)

    stopping = asyncio.create_task(service.stop())  # SIGTERM during the fan-out
    await asyncio.sleep(0.1)
    send.gate.set()  # the request in flight gets its answer
    await asyncio.wait_for(stopping, 15)

    # The restart comes long after Discord has forgotten the nonces.
    clock.now += dt.timedelta(minutes=30)
    again = _service(db, clock, send)
    await again.start()
    await again.on_connected(None)  # recovery comes once the gateway is ready
    await again.tick()
    await again.idle()
    await again.stop()
    assert len(send.attempts) == 3
    assert all(n == 1 for n in send.attempts.values()), send.attempts


# -- 8. an admin's save never undoes the bot's own pause ----------------------------------------


async def test_admin_save_racing_the_bots_pause_keeps_the_pause_and_its_error(sqlite_db) -> None:  # type: ignore[no-untyped-def]
    clock = Clock(POST_AT - dt.timedelta(hours=1))
    service = _service(sqlite_db, clock, RecordedSend())
    repo = service.repo
    await _configure(repo, 1000, POST_AT)
    settings = await repo.get_settings(1000)

    # The admin's change (read, then write) and the bot's pause after a 403 interleave.
    async def admin_moves_the_time() -> None:
        await service.change_settings(settings.guild_id, post_time=dt.time(10, 0))

    async with repo._writing:  # both wait for the same write turn; the pause gets it first
        pause = asyncio.create_task(
            repo.record_error(1000, "Missing Permissions", clock.now, pause=True)
        )
        await asyncio.sleep(0.01)
        admin = asyncio.create_task(admin_moves_the_time())
        await asyncio.sleep(0.01)
    await asyncio.gather(admin, pause)

    status = await service.status(1000)
    assert status.settings.post_time == dt.time(10, 0)
    assert status.settings.enabled is False
    assert status.last_error == "Missing Permissions"


# -- 12. purging a removed server uses an index ---------------------------------------------


async def test_deleting_a_servers_ledger_rows_uses_an_index(sqlite_db) -> None:  # type: ignore[no-untyped-def]
    async with sqlite_db.execute(
        "EXPLAIN QUERY PLAN DELETE FROM deliveries WHERE guild_id = 1"
    ) as cur:
        plan = " ".join(str(row[-1]) for row in await cur.fetchall())
    assert "USING" in plan and "INDEX" in plan, plan


# -- 7. the tick keeps its cadence when the wall clock steps ------------------------------------


class _SteppedDatetime(dt.datetime):
    """APScheduler's view of the wall clock, which a test can step (NTP, a VM resume)."""

    offset = dt.timedelta(0)

    @classmethod
    def now(cls, tz: dt.tzinfo | None = None) -> _SteppedDatetime:  # type: ignore[override]
        real = dt.datetime.now(tz) + cls.offset
        return cls.fromtimestamp(real.timestamp(), tz)


@pytest.mark.parametrize("step", [dt.timedelta(hours=-1), dt.timedelta(hours=1)])
async def test_tick_keeps_its_cadence_when_the_wall_clock_steps(
    monkeypatch: pytest.MonkeyPatch, step: dt.timedelta
) -> None:
    monkeypatch.setattr(_SteppedDatetime, "offset", dt.timedelta(0))
    monkeypatch.setattr(apscheduler_base, "datetime", _SteppedDatetime)
    runs: list[float] = []

    async def job() -> None:
        runs.append(time.monotonic())

    jobs = PeriodicJobs()
    jobs.every("tick", 0.1, job)
    jobs.start()
    try:
        await asyncio.sleep(0.35)
        assert len(runs) >= 2
        _SteppedDatetime.offset = step
        stepped_at = time.monotonic()
        await asyncio.sleep(0.6)
        after = [t for t in runs if t > stepped_at]
        assert len(after) >= 3, f"{len(after)} runs in 0.6 s after a {step} step"
        gaps = [b - a for a, b in itertools.pairwise(after)]
        assert max(gaps) < 0.3, gaps
    finally:
        jobs.shutdown()


# -- also checked: a stop is final, and "late" means the bot was down ----------------------


async def test_a_tick_after_stop_claims_nothing(db) -> None:  # type: ignore[no-untyped-def]
    clock = Clock(POST_AT + dt.timedelta(seconds=20))
    send = RecordedSend()
    service = _service(db, clock, send)
    await service.start()
    await _configure(service.repo, 1000, POST_AT)
    await service.stop()
    result = await service.tick()
    assert result.queued == 0 and send.attempts == {}
    assert await service.repo.count_deliveries(1000, "claimed") == 0  # left for the next start


async def test_a_post_slowed_by_a_big_fan_out_is_not_called_late(db) -> None:  # type: ignore[no-untyped-def]
    clock = Clock(POST_AT - dt.timedelta(hours=1))
    sent: list[PlannedPost] = []

    async def send(post: PlannedPost, nonce: str) -> int:
        sent.append(post)
        return len(sent)

    service = CountdownService(
        repo=countdown_store(db), releases=RELEASES, clock=clock, send=send, workers=1
    )
    await service.start()  # running since 08:00
    await _configure(service.repo, 1000, POST_AT)
    clock.now = POST_AT + dt.timedelta(minutes=5)  # the tick reaches it five minutes late
    await service.tick()
    await service.idle()
    await service.stop()
    [post] = sent
    assert "late" not in post.content and not post.late
