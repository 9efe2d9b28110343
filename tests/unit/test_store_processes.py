"""The repository when several processes share the store: exactly-once claims, one adopter,
and each process seeing only its own shards. Run on SQLite and on PostgreSQL; on PostgreSQL
the "processes" are repositories on separate pooled connections, so their transactions
really do run at the same time."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.countdown.clock import local_date_of, local_day_bounds
from bot.countdown.idempotency import message_nonce
from bot.countdown.settings import CountdownSettings
from bot.database.connection import discover_migrations
from bot.database.countdown import Delivery
from bot.database.postgres import PG_MIGRATIONS_DIR
from bot.database.store import open_store
from bot.scheduling.sharding import ShardScope
from tests.backends import Backend, postgres_schema

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
# Ids whose shard (of 2) is 0 and 1: (id >> 22) % 2.
ON_SHARD_0 = 4 << 22
ON_SHARD_1 = 5 << 22


def claim(guild_id: int, at: dt.datetime, boot: str) -> Delivery:
    start, end = local_day_bounds(at, ZoneInfo("UTC"))
    day = local_date_of(at, ZoneInfo("UTC"))
    return Delivery(
        guild_id, start, end, day, "UTC", "next", message_nonce(guild_id, day, start),
        "claimed", at, boot_id=boot,
    )  # fmt: skip


async def configure(backend: Backend, *guild_ids: int) -> None:
    repo = backend.repo()
    for guild_id in guild_ids:
        settings = CountdownSettings(guild_id=guild_id, channel_id=guild_id + 1)
        await repo.save_settings(settings, next_post_at=NOW, now=NOW)


async def test_two_processes_claiming_one_servers_day_at_once_get_it_once(
    backend: Backend,
) -> None:
    guilds = [ON_SHARD_0 + n for n in range(50)]
    await configure(backend, *guilds)
    first, second = backend.repo(), backend.repo()
    # Two ticks (say, two processes whose shard ranges overlap by mistake) claim the same
    # 50 servers at the same moment, one at 12:00 and the other at 12:30 the same day.
    a, b = await asyncio.gather(
        first.claim_and_reschedule([claim(g, NOW, "boot-a") for g in guilds], [], handled=[]),
        second.claim_and_reschedule(
            [claim(g, NOW + dt.timedelta(minutes=30), "boot-b") for g in guilds], [], handled=[]
        ),
    )
    assert len(a) + len(b) == len(guilds)
    assert {d.guild_id for d in a}.isdisjoint({d.guild_id for d in b})
    rows = await backend.rows("SELECT guild_id, count(*) FROM deliveries GROUP BY guild_id")
    assert sorted(rows) == [(g, 1) for g in guilds]


async def test_of_two_processes_adopting_a_dead_ones_claim_one_wins(backend: Backend) -> None:
    await configure(backend, ON_SHARD_0)
    dead = backend.repo()
    [held] = await dead.claim_and_reschedule([claim(ON_SHARD_0, NOW, "dead")], [], handled=[])
    assert await dead.start_sending(held, boot_id="dead", at=NOW)
    [left_open] = await backend.repo().open_deliveries()
    wins = await asyncio.gather(
        backend.repo().adopt(left_open, boot_id="boot-a"),
        backend.repo().adopt(left_open, boot_id="boot-b"),
    )
    assert sorted(wins) == [False, True]
    # The loser's read is stale now: adopting with it again fails too.
    assert not await backend.repo().adopt(left_open, boot_id="boot-c")
    [row] = await backend.rows("SELECT boot_id, state FROM deliveries")
    assert row[0] in ("boot-a", "boot-b") and row[1] == "claimed"


async def test_a_process_sees_only_its_shards(backend: Backend) -> None:
    await configure(backend, ON_SHARD_0, ON_SHARD_1)
    zero = backend.repo(ShardScope.of(2, [0]))
    one = backend.repo(ShardScope.of(2, [1]))
    assert [g for g, _ in await zero.due(NOW)] == [ON_SHARD_0]
    assert [g for g, _ in await one.due(NOW)] == [ON_SHARD_1]
    assert await zero.next_due_after(NOW - dt.timedelta(hours=1)) == NOW
    for repo, guild in ((zero, ON_SHARD_0), (one, ON_SHARD_1)):
        await repo.claim_and_reschedule([claim(guild, NOW, f"boot-{guild}")], [], handled=[])
    assert [d.guild_id for d in await zero.open_deliveries()] == [ON_SHARD_0]
    # Shard 0's process is in none of shard 1's servers, and must not mark them as left.
    assert await zero.reconcile_membership(set(), NOW) == ([], [ON_SHARD_0])
    assert await one.reconcile_membership({ON_SHARD_1}, NOW) == ([], [])
    assert await backend.repo().removed_before(NOW + dt.timedelta(seconds=1)) == [ON_SHARD_0]
    assert [g for g, _ in await backend.repo().due(NOW)] == [ON_SHARD_1]


async def test_processes_starting_together_migrate_once(tmp_path: Path) -> None:
    async with postgres_schema() as url:

        async def start() -> list[tuple[object, ...]]:
            async with open_store(tmp_path / "unused.sqlite3", url) as pool:
                rows = await pool.fetch("SELECT version FROM schema_migrations")  # type: ignore[attr-defined]
                return [tuple(r) for r in rows]

        first, second = await asyncio.gather(start(), start())
        every = [(m.version,) for m in discover_migrations(PG_MIGRATIONS_DIR)]
        assert len(every) >= 2 and sorted(first) == sorted(second) == every


async def test_identify_turns_are_shared_between_processes(tmp_path: Path) -> None:
    """Discord's IDENTIFY limit is per bot: two processes booking bucket 0 at once get turns
    a window apart; another bucket goes at once."""
    from bot.database.postgres import PostgresIdentifyTurns

    async with postgres_schema() as url, open_store(tmp_path / "x.sqlite3", url) as pool:
        one, two = PostgresIdentifyTurns(pool), PostgresIdentifyTurns(pool)  # type: ignore[arg-type]
        waits = sorted(await asyncio.gather(one.reserve(0, 5.0), two.reserve(0, 5.0)))
        assert waits[0] < 0.5 and 4.5 < waits[1] <= 5.0
        assert await one.reserve(1, 5.0) < 0.5
        assert 9.5 < await two.reserve(0, 5.0) <= 10.0


async def test_leases_tell_which_shards_lost_their_process(tmp_path: Path) -> None:
    from bot.database.postgres import PostgresLeases

    async with postgres_schema() as url, open_store(tmp_path / "x.sqlite3", url) as pool:
        leases = PostgresLeases(pool)  # type: ignore[arg-type]
        await leases.renew("alive", ShardScope.of(4, [0, 1]), 60)
        await leases.renew("dead", ShardScope.of(4, [2, 3]), -1)  # stopped renewing
        await leases.renew("gone", ShardScope.of(4, [1]), -1)  # shard 1 has a live holder
        assert await leases.orphaned(4) == {2, 3}
        assert await leases.orphaned(8) == set()  # leases of another shard count
        await leases.renew("back", ShardScope.of(4, [2]), 60)  # a process for shard 2 again
        assert await leases.orphaned(4) == {3}
        await leases.release("dead")  # a graceful stop: nothing to take over
        assert await leases.orphaned(4) == set()
