"""One-off posts (reminders, announcements) through the delivery machinery, against a real
SQLite file: once per server and key, obeying pause and channel, recovered after a crash."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.countdown.planner import PlannedPost, plan_one_off
from bot.countdown.settings import CountdownSettings
from bot.database.connection import open_database
from bot.database.countdown import CountdownRepository, OneOffPost
from bot.scheduling.countdown import CountdownService
from bot.show.loader import load_show_data

NOW = dt.datetime(2024, 9, 1, 12, 0, tzinfo=dt.UTC)
GUILD = 4242


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


class Sent(list[tuple[PlannedPost, str]]):
    async def __call__(self, post: PlannedPost, nonce: str) -> int:
        self.append((post, nonce))
        return len(self)


async def render_reminder(
    settings: CountdownSettings, post: OneOffPost, now: dt.datetime
) -> PlannedPost | None:
    return plan_one_off(
        settings, f"⏰ {post.payload['name']} soon", key=post.key, now=now, loud=True
    )


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[CountdownService, Clock, Sent]]:
    clock = Clock(NOW)
    sent = Sent()
    async with open_database(tmp_path / "bot.sqlite3") as db:
        service = _service(db, clock, sent)
        await service.start()
        await service.on_connected(None)
        await service.repo.save_settings(
            CountdownSettings(guild_id=GUILD, channel_id=7, role_id=99),
            next_post_at=None,
            now=NOW,
        )
        yield service, clock, sent
        await service.stop()


def _service(db: object, clock: Clock, sent: Sent) -> CountdownService:
    service = CountdownService(
        repo=CountdownRepository(db),  # type: ignore[arg-type]
        releases=load_show_data().releases,
        clock=clock,
        send=sent,
        workers=2,
        retry_delays=(0.01,),
    )
    service.register_one_off("reminder", render_reminder)
    return service


async def _schedule(service: CountdownService, key: str = "reminder:event:1:1h") -> bool:
    return await service.schedule_one_off(
        GUILD,
        key,
        "reminder",
        due_at=NOW + dt.timedelta(hours=1),
        expires_at=NOW + dt.timedelta(hours=2),
        payload={"name": "Watch party"},
    )


async def _tick(service: CountdownService, clock: Clock, at: dt.datetime) -> None:
    clock.now = at
    await service.tick()
    await service.idle()


async def test_a_one_off_goes_out_once_when_due_and_pings_the_role(world) -> None:  # type: ignore[no-untyped-def]
    service, clock, sent = world
    assert await _schedule(service)
    assert not await _schedule(service)  # the same key again: nothing new
    await _tick(service, clock, NOW + dt.timedelta(minutes=59))
    assert sent == []
    await _tick(service, clock, NOW + dt.timedelta(hours=1, seconds=5))
    await _tick(service, clock, NOW + dt.timedelta(hours=1, minutes=1))
    [(post, nonce)] = sent
    assert post.content == "<@&99> ⏰ Watch party soon" and post.ping_role_id == 99
    assert post.channel_id == 7 and nonce.startswith("oo") and len(nonce) <= 25
    [row] = await service.repo.one_offs(GUILD)
    assert row.state == "sent"


async def test_paused_or_expired_one_offs_are_skipped(world) -> None:  # type: ignore[no-untyped-def]
    service, clock, sent = world
    assert await _schedule(service, "a")
    await service.change_settings(GUILD, enabled=False)
    await _tick(service, clock, NOW + dt.timedelta(hours=1, seconds=5))
    await service.change_settings(GUILD, enabled=True)
    assert await _schedule(service, "b")
    await _tick(service, clock, NOW + dt.timedelta(hours=3))  # past its expiry
    assert sent == []
    assert [p.state for p in await service.repo.one_offs(GUILD)] == ["skipped", "skipped"]


async def test_cancelled_one_offs_never_go_out(world) -> None:  # type: ignore[no-untyped-def]
    service, clock, sent = world
    assert await _schedule(service, "reminder:event:1:1h")
    assert await _schedule(service, "reminder:event:2:1h")
    assert await service.cancel_one_offs(GUILD, "reminder:event:1:") == 1
    await _tick(service, clock, NOW + dt.timedelta(hours=1, seconds=5))
    assert [post.target_key for post, _ in sent] == ["reminder:event:2:1h"]


async def test_a_claimed_one_off_left_by_a_crash_is_sent_once_after_restart(
    tmp_path: Path,
) -> None:
    clock = Clock(NOW)
    sent = Sent()
    async with open_database(tmp_path / "bot.sqlite3") as db:
        first = _service(db, clock, sent)
        await first.repo.save_settings(
            CountdownSettings(guild_id=GUILD, channel_id=7), next_post_at=None, now=NOW
        )
        assert await _schedule(first)
        # The tick claims it, and the process dies before a sender picks it up.
        clock.now = NOW + dt.timedelta(hours=1, seconds=5)
        [claimed] = await first.repo.claim_due_one_offs(clock.now, boot_id=first.boot_id)
        assert claimed.state == "claimed"

        second = _service(db, clock, sent)
        await second.start()
        await second.on_connected(None)
        await second.idle()
        await second.tick()
        await second.idle()
        await second.stop()
    assert len(sent) == 1
