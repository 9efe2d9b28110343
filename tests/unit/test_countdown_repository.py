"""The countdown repository against a real SQLite file."""

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import aiosqlite
import pytest

from bot.countdown.settings import Cadence, CountdownSettings
from bot.database.connection import open_database
from bot.database.countdown import CountdownRepository, Delivery

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
GUILD = 111111111111111111


@pytest.fixture
async def conn(tmp_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    async with open_database(tmp_path / "bot.sqlite3") as conn:
        yield conn


async def test_unconfigured_server_gets_defaults(conn: aiosqlite.Connection) -> None:
    repo = CountdownRepository(conn)
    assert await repo.get_settings(GUILD) == CountdownSettings(guild_id=GUILD)
    status = await repo.get_status(GUILD, now=NOW)
    assert status.next_post_at is None and status.last_error is None


async def test_only_overrides_are_stored_and_round_trip(
    conn: aiosqlite.Connection, tmp_path: Path
) -> None:
    repo = CountdownRepository(conn)
    settings = CountdownSettings(
        guild_id=GUILD,
        channel_id=222222222222222222,
        post_time=dt.time(18, 30),
        timezone="Europe/London",
        cadence=Cadence.MILESTONES,
    )
    await repo.save_settings(settings, next_post_at=NOW, now=NOW)
    async with conn.execute("SELECT role_id, target, enabled FROM guild_settings") as cur:
        assert tuple(await cur.fetchone()) == (None, None, None)  # defaults stay in code
    # A fresh repository (no cache) reads the same record back.
    assert await CountdownRepository(conn).get_settings(GUILD) == settings
    assert (await repo.due(NOW)) == [(GUILD, NOW)]
    assert await repo.due(NOW - dt.timedelta(seconds=1)) == []


async def test_pausing_error_is_reported_once(conn: aiosqlite.Connection) -> None:
    repo = CountdownRepository(conn)
    await repo.save_settings(
        CountdownSettings(guild_id=GUILD, channel_id=1), next_post_at=NOW, now=NOW
    )
    await repo.record_error(GUILD, "Missing Permissions", NOW, pause=True)
    assert (await repo.get_settings(GUILD)).enabled is False
    assert await repo.due(NOW) == []
    assert await repo.take_unseen_error(GUILD) == "Missing Permissions"
    assert await repo.take_unseen_error(GUILD) is None
    assert (await repo.get_status(GUILD, now=NOW)).last_error == "Missing Permissions"


async def test_delivery_is_claimed_once(conn: aiosqlite.Connection) -> None:
    repo = CountdownRepository(conn)
    delivery = Delivery(
        GUILD, "release:season-4", dt.date(2026, 11, 26), "n1", "pending", NOW, False
    )
    claim = repo.claim_and_reschedule
    claimed = await claim([delivery], [], handled_through=None)
    assert [d.nonce for d in claimed] == ["n1"]
    # A crash before finishing: the same row (same nonce) is handed out again, even when a
    # later attempt computed another nonce.
    again = await claim([replace(delivery, nonce="n2")], [], handled_through=None)
    assert [d.nonce for d in again] == ["n1"]
    await repo.finish_delivery(again[0], state="sent", at=NOW, channel_id=1, message_id=99)
    assert await claim([delivery], [], handled_through=None) == []
    assert await repo.count_deliveries(GUILD) == 1


async def test_removed_server_is_purged_after_grace(conn: aiosqlite.Connection) -> None:
    repo = CountdownRepository(conn)
    await repo.save_settings(
        CountdownSettings(guild_id=GUILD, channel_id=1), next_post_at=NOW, now=NOW
    )
    await repo.add_event(GUILD, "Watch party", NOW + dt.timedelta(days=3), created_by=1, now=NOW)
    await repo.mark_removed(GUILD, NOW)
    assert await repo.due(NOW) == []
    assert await repo.purge_removed(NOW) == []  # still inside the grace period
    assert await repo.purge_removed(NOW + dt.timedelta(days=31)) == [GUILD]
    assert await repo.list_events(GUILD) == []
    assert await repo.get_settings(GUILD) == CountdownSettings(guild_id=GUILD)


async def test_duplicate_event_names_are_refused(conn: aiosqlite.Connection) -> None:
    repo = CountdownRepository(conn)
    first = await repo.add_event(GUILD, "Watch party", NOW, created_by=1, now=NOW)
    assert first is not None
    assert await repo.add_event(GUILD, "watch PARTY", NOW, created_by=1, now=NOW) is None
    assert [e.name for e in await repo.list_events(GUILD)] == ["Watch party"]
    assert await repo.remove_event(GUILD, first.id) is True
    assert await repo.remove_event(GUILD, first.id) is False
