"""One-off posts (reminders, announcements) through the delivery machinery, on both backends
(a real SQLite file, a PostgreSQL schema): once per server and key, obeying pause and
channel, recovered after a crash, claimed once when processes claim at the same moment."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pytest

from bot.countdown.planner import PlannedPost, plan_one_off
from bot.countdown.settings import CountdownSettings
from bot.database.countdown import OneOffPost
from bot.database.store import countdown_store
from bot.scheduling.countdown import CountdownService
from bot.scheduling.sharding import ShardScope
from bot.show.loader import load_show_data
from tests.backends import Backend

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
async def world(backend: Backend) -> AsyncIterator[tuple[CountdownService, Clock, Sent]]:
    clock = Clock(NOW)
    sent = Sent()
    service = _service(backend.db, clock, sent)
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
        repo=countdown_store(db),
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
    backend: Backend,
) -> None:
    clock = Clock(NOW)
    sent = Sent()
    first = _service(backend.db, clock, sent)
    await first.repo.save_settings(
        CountdownSettings(guild_id=GUILD, channel_id=7), next_post_at=None, now=NOW
    )
    assert await _schedule(first)
    # The tick claims it, and the process dies before a sender picks it up.
    clock.now = NOW + dt.timedelta(hours=1, seconds=5)
    [claimed] = await first.repo.claim_due_one_offs(clock.now, boot_id=first.boot_id)
    assert claimed.state == "claimed"

    second = _service(backend.db, clock, sent)
    await second.start()
    await second.on_connected(None)
    await second.idle()
    await second.tick()
    await second.idle()
    await second.stop()
    assert len(sent) == 1
    [row] = await second.repo.one_offs(GUILD)
    assert row.state == "sent" and row.boot_id == second.boot_id


def _post(guild_id: int, key: str, due: dt.datetime) -> OneOffPost:
    return OneOffPost(
        guild_id, key, "reminder", {"name": key}, due, due + dt.timedelta(hours=1), f"n-{key}"
    )


# Ids whose shard (of 2) is 0 and 1: (id >> 22) % 2.
ON_SHARD_0, ON_SHARD_1 = 4 << 22, 5 << 22


async def test_a_process_claims_and_recovers_only_its_shards_one_offs(backend: Backend) -> None:
    repo = backend.repo()
    for guild_id in (ON_SHARD_0, ON_SHARD_1):
        assert await repo.add_one_off(_post(guild_id, "k", NOW), now=NOW)
        assert await repo.add_one_off(
            _post(guild_id, "later", NOW + dt.timedelta(hours=1)), now=NOW
        )
    zero = backend.repo(ShardScope.of(2, [0]))
    one = backend.repo(ShardScope.of(2, [1]))
    [mine] = await zero.claim_due_one_offs(NOW, boot_id="boot-0")
    assert (mine.guild_id, mine.key, mine.boot_id) == (ON_SHARD_0, "k", "boot-0")
    assert [p.guild_id for p in await zero.open_deliveries()] == [ON_SHARD_0]
    assert await one.open_deliveries() == []  # shard 1's process adopts nothing of shard 0
    [theirs] = await one.claim_due_one_offs(NOW, boot_id="boot-1")
    assert theirs.guild_id == ON_SHARD_1
    # Each wakes for its own next one-off; a process with every shard sees both.
    assert await zero.next_one_off_after(NOW) == NOW + dt.timedelta(hours=1)
    await one.cancel_one_offs(ON_SHARD_1, "later", at=NOW)
    assert await one.next_one_off_after(NOW) is None
    assert await zero.next_one_off_after(NOW) == NOW + dt.timedelta(hours=1)


async def test_processes_claiming_due_one_offs_at_once_get_each_once(backend: Backend) -> None:
    repo = backend.repo()
    guilds = [ON_SHARD_0 + n for n in range(40)]
    for guild_id in guilds:
        for key in ("a", "b"):
            assert await repo.add_one_off(_post(guild_id, key, NOW), now=NOW)
    claims = await asyncio.gather(
        *(backend.repo().claim_due_one_offs(NOW, boot_id=f"boot-{n}") for n in range(4))
    )
    claimed = [(p.guild_id, p.key, p.boot_id) for batch in claims for p in batch]
    assert sorted((g, k) for g, k, _ in claimed) == sorted((g, k) for g in guilds for k in "ab")
    rows = await backend.rows("SELECT boot_id, count(*) FROM one_off_posts GROUP BY boot_id")
    by_boot = {boot: n for boot, n in rows}
    assert by_boot == {f"boot-{n}": len(batch) for n, batch in enumerate(claims) if batch}


async def test_expired_one_offs_are_forgotten_and_a_purge_removes_them(backend: Backend) -> None:
    repo = backend.repo()
    await repo.save_settings(
        CountdownSettings(guild_id=GUILD, channel_id=7), next_post_at=None, now=NOW
    )
    assert await repo.add_one_off(_post(GUILD, "old", NOW), now=NOW)
    assert await repo.add_one_off(_post(GUILD, "new", NOW + dt.timedelta(days=2)), now=NOW)
    assert await repo.add_one_off(_post(GUILD + 1, "other", NOW), now=NOW)
    await repo.forget_deliveries_before(NOW + dt.timedelta(days=1))  # "old" expired before
    assert [p.key for p in await repo.one_offs(GUILD)] == ["new"]
    await repo.purge_server(GUILD)
    assert await repo.one_offs(GUILD) == []
    assert await repo.one_offs(GUILD + 1) == []  # expired too
    assert await backend.rows("SELECT count(*) FROM one_off_posts") == [(0,)]
