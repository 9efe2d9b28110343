"""The premiere kit's storage and the meta store on both backends (a real SQLite file, a
PostgreSQL schema); and on SQLite, their writes take the connection's shared write turn."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiosqlite
import pytest

from bot.database.connection import open_database
from bot.database.countdown import CountdownRepository
from bot.database.meta import MetaRepository
from bot.database.premiere import EventLink, PremiereRepository
from bot.database.store import meta_store, premiere_store
from bot.premiere.settings import PremiereSettings
from tests.backends import Backend

AT = dt.datetime(2026, 4, 1, 19, 0, tzinfo=dt.UTC)


async def test_options_default_change_by_column_and_list_the_servers(backend: Backend) -> None:
    repo = premiere_store(backend.db)
    assert await repo.get(1) == PremiereSettings(1)
    changed = await repo.change(1, discord_events=True, events_channel_id=77, spoiler_days=3)
    assert changed.discord_events and changed.events_channel_id == 77
    assert changed.spoiler_days == 3 and not changed.notify_button
    # Only the given columns are written: the earlier ones stay.
    again = await repo.change(1, release_threads=True, events_problem="no Manage Events")
    assert again.discord_events and again.spoiler_days == 3 and again.release_threads
    await repo.change(2, release_threads=True)
    await repo.change(3, discord_events=True, events_paused=True)
    assert await premiere_store(backend.db).get(1) == again  # what was stored, not a cache
    assert await repo.with_events() == [1]  # 3 is paused
    assert sorted(await repo.with_threads()) == [1, 2]
    with pytest.raises(ValueError, match="not premiere settings"):
        await repo.change(1, removed_at=5)


async def test_event_links_are_saved_replaced_and_dropped(backend: Backend) -> None:
    repo = premiere_store(backend.db)
    pending = EventLink(1, "release:season-4", None, "Season 4", AT, AT + dt.timedelta(hours=2))
    await repo.save_link(pending)
    assert await repo.link(1, "release:season-4") == pending
    created = EventLink(1, "release:season-4", 9001, "Season 4!", AT, AT + dt.timedelta(hours=3))
    await repo.save_link(created)
    other = EventLink(1, "event:12", 9002, "Watch party", AT, AT + dt.timedelta(hours=1))
    await repo.save_link(other)
    await repo.save_link(EventLink(2, "event:1", 9003, "Elsewhere", AT, AT))
    assert await repo.links(1) == [other, created]  # by source key
    await repo.drop_link(1, "event:12")
    assert await repo.links(1) == [created]
    assert await repo.link(1, "event:12") is None


async def test_the_meta_store_keeps_the_last_value(backend: Backend) -> None:
    meta = meta_store(backend.db)
    assert await meta.get("announced") is None
    await meta.set("announced", '{"season-4": "2026-04-01"}')
    await meta.set("announced", '{"season-4": "2026-05-01"}')
    assert await meta_store(backend.db).get("announced") == '{"season-4": "2026-05-01"}'


async def _write_beside_a_rolled_back_transaction(
    db: aiosqlite.Connection, write: Callable[[], Awaitable[object]]
) -> None:
    """Start ``write`` while the countdown repository's transaction is open, then roll that
    transaction back. A write that waits for the connection's turn lands after it."""
    countdown = CountdownRepository(db)
    with pytest.raises(RuntimeError):
        async with countdown._transaction():
            task = asyncio.create_task(write())
            await asyncio.sleep(0)  # the write's statement is queued now, if it does not wait
            raise RuntimeError("the tick's transaction fails")
    await task


async def test_sqlite_premiere_and_meta_writes_wait_for_the_connections_write_turn(
    tmp_path: Path,
) -> None:
    async with open_database(tmp_path / "bot.sqlite3") as db:
        repo = PremiereRepository(db)
        link = EventLink(1, "event:1", 5, "Party", AT, AT)
        await _write_beside_a_rolled_back_transaction(
            db, lambda: repo.change(1, notify_button=True)
        )
        await _write_beside_a_rolled_back_transaction(db, lambda: repo.save_link(link))
        assert (await repo.get(1)).notify_button
        assert await repo.links(1) == [link]
        meta = MetaRepository(db)
        await _write_beside_a_rolled_back_transaction(db, lambda: meta.set("k", "v"))
        assert await meta.get("k") == "v"
