"""The tick over the time-ordered schedule, against a real SQLite file (sending recorded)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import discord
import pytest

import bot.scheduling.countdown as countdown_module
from bot.countdown.planner import PlannedPost
from bot.countdown.settings import CountdownSettings
from bot.database.connection import open_database
from bot.database.countdown import CountdownRepository
from bot.database.store import countdown_store
from bot.scheduling.countdown import CountdownService
from bot.scheduling.pacing import Pacer
from bot.show.loader import load_show_data
from tests.backends import Backend

# Season 3 was released on 2024-10-03: a month of daily posts ahead.
START = dt.datetime(2024, 9, 1, 6, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


class Harness:
    def __init__(self, service: CountdownService, clock: Clock) -> None:
        self.service = service
        self.clock = clock
        self.sent: list[PlannedPost] = []
        self.backend: Backend | None = None

    async def tick_at(self, when: dt.datetime) -> None:
        self.clock.now = when
        await self.service.tick()
        await self.service.idle()


@pytest.fixture
async def harness(backend: Backend) -> AsyncIterator[Harness]:
    """The service on SQLite and on PostgreSQL (each test runs on both)."""
    clock = Clock(START)
    sent: list[PlannedPost] = []

    async def send(post: PlannedPost, nonce: str) -> int:
        sent.append(post)
        return len(sent)

    service = CountdownService(
        repo=countdown_store(backend.db),
        releases=load_show_data().releases,
        clock=clock,
        send=send,
        pacer=Pacer(1000),
    )
    await service.start()
    h = Harness(service, clock)
    h.sent = sent
    h.backend = backend
    yield h
    await service.stop()


def at(hour: int, minute: int = 0, *, day: int = 1) -> dt.datetime:
    return dt.datetime(2024, 9, day, hour, minute, 5, tzinfo=dt.UTC)


async def test_a_moved_post_time_leaves_a_stale_entry_that_never_posts(harness: Harness) -> None:
    settings = CountdownSettings(guild_id=1, channel_id=10, post_time=dt.time(9, 0))
    await harness.service.apply_settings(settings)
    await harness.service.apply_settings(replace(settings, post_time=dt.time(10, 0)))
    await harness.tick_at(at(9))  # the 09:00 entry is stale now
    assert harness.sent == []
    await harness.tick_at(at(10))
    assert len(harness.sent) == 1
    assert (await harness.service.status(1)).next_post_at == at(10, day=2).replace(second=0)


async def test_moving_the_time_after_todays_post_does_not_post_twice(harness: Harness) -> None:
    settings = CountdownSettings(guild_id=1, channel_id=10, post_time=dt.time(9, 0))
    await harness.service.apply_settings(settings)
    await harness.tick_at(at(9))
    harness.clock.now = at(12)
    await harness.service.apply_settings(replace(settings, post_time=dt.time(18, 0)))
    await harness.tick_at(at(18))
    assert len(harness.sent) == 1  # the ledger already holds today's post
    await harness.tick_at(at(18, day=2))
    assert len(harness.sent) == 2


async def test_pause_and_resume(harness: Harness) -> None:
    settings = CountdownSettings(guild_id=1, channel_id=10, post_time=dt.time(9, 0))
    await harness.service.apply_settings(settings)
    await harness.service.apply_settings(replace(settings, enabled=False))
    await harness.tick_at(at(9))
    assert harness.sent == []
    assert (await harness.service.status(1)).next_post_at is None
    harness.clock.now = at(9, 30)
    await harness.service.apply_settings(settings)  # resumed after today's time: tomorrow
    await harness.tick_at(at(9, day=2))
    assert len(harness.sent) == 1


async def test_a_full_batch_is_finished_by_the_next_tick(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(countdown_module, "DUE_BATCH", 3)
    for guild_id in range(1, 8):
        await harness.service.apply_settings(
            CountdownSettings(guild_id=guild_id, channel_id=guild_id, post_time=dt.time(9, 0))
        )
    await harness.tick_at(at(9))
    assert len(harness.sent) == 3
    await harness.tick_at(at(9, 0))
    await harness.tick_at(at(9, 1))
    assert sorted(p.guild_id for p in harness.sent) == list(range(1, 8))
    await harness.tick_at(at(9, 2))
    assert len(harness.sent) == 7


async def test_restart_schedules_only_what_has_nothing_ahead(harness: Harness) -> None:
    for guild_id in (1, 2):
        await harness.service.apply_settings(
            CountdownSettings(guild_id=guild_id, channel_id=guild_id, post_time=dt.time(9, 0))
        )
    assert await harness.service.rebuild_schedule() == 0
    assert harness.backend is not None
    await harness.backend.rows("DELETE FROM schedule WHERE guild_id = 2")
    assert await harness.service.rebuild_schedule() == 1
    await harness.tick_at(at(9))
    assert sorted(p.guild_id for p in harness.sent) == [1, 2]


async def test_settings_can_be_saved_while_a_tick_writes(harness: Harness) -> None:
    """Commands and the tick share one connection: their transactions must take turns."""
    for guild_id in range(1, 301):
        await harness.service.apply_settings(
            CountdownSettings(guild_id=guild_id, channel_id=guild_id, post_time=dt.time(9, 0))
        )
    harness.clock.now = at(9)
    changes = [
        harness.service.apply_settings(
            CountdownSettings(guild_id=guild_id, channel_id=guild_id, post_time=dt.time(18, 0))
        )
        for guild_id in range(1000, 1050)
    ]
    await asyncio.gather(
        harness.service.commit_tick(await harness.service.plan_tick(at(9))), *changes
    )
    await harness.service.idle()
    assert len(harness.sent) == 300
    assert (await harness.service.status(1049)).next_post_at == at(18).replace(second=0)


async def test_a_post_just_before_midnight_sent_late_keeps_its_day(harness: Harness) -> None:
    settings = CountdownSettings(guild_id=1, channel_id=10, post_time=dt.time(23, 59))
    await harness.service.apply_settings(settings)
    await harness.tick_at(dt.datetime(2024, 9, 2, 0, 0, 30, tzinfo=dt.UTC))  # 90 s late
    await harness.tick_at(dt.datetime(2024, 9, 2, 23, 59, 5, tzinfo=dt.UTC))
    assert [p.local_date for p in harness.sent] == [dt.date(2024, 9, 1), dt.date(2024, 9, 2)]
    assert harness.sent[0].days_left == harness.sent[1].days_left + 1


async def test_retries_wait_on_timers_not_in_the_senders(tmp_path: Path) -> None:
    """Servers whose sends fail with 5xx must not hold up a healthy server's post."""
    clock = Clock(at(8))
    healthy_sent = asyncio.Event()
    loop = asyncio.get_running_loop()

    async def send(post: PlannedPost, nonce: str) -> int:
        if post.guild_id != 99:
            raise discord.DiscordServerError(FakeResponse(503), "unavailable")  # type: ignore[arg-type]
        healthy_sent.set()
        return 1

    async with open_database(tmp_path / "bot.sqlite3") as db:
        service = CountdownService(
            repo=CountdownRepository(db),
            releases=load_show_data().releases,
            clock=clock,
            send=send,
            pacer=Pacer(1000),
            workers=2,
            retry_delays=(5.0, 5.0),
        )
        await service.start()
        try:
            for guild_id in range(1, 9):  # these fail at 09:00 and wait to retry
                await service.apply_settings(
                    CountdownSettings(guild_id=guild_id, channel_id=guild_id, post_time=dt.time(9))
                )
            await service.apply_settings(
                CountdownSettings(guild_id=99, channel_id=99, post_time=dt.time(9, 1))
            )
            clock.now = at(9)
            await service.tick()
            await asyncio.sleep(0.2)  # the first attempts fail; their retries are waiting
            clock.now = at(9, 1)
            started = loop.time()
            await service.tick()
            await asyncio.wait_for(healthy_sent.wait(), timeout=3)
            assert loop.time() - started < 1.0  # not behind the failing servers' 5 s waits
        finally:
            await service.stop()


class FakeResponse:
    """The little of aiohttp's response that discord.HTTPException reads."""

    def __init__(self, status: int) -> None:
        self.status = status
        self.reason = "Service Unavailable"
