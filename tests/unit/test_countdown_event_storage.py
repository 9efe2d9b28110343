"""Editing events on both backends (a real SQLite file, a PostgreSQL schema): reminder
switches, the revision, name clashes; and events stored before the reminders' migration."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.countdown.settings import DEFAULT_REMINDERS, Reminder
from bot.database.connection import apply_migrations, connect, discover_migrations
from bot.database.countdown import CountdownRepository, EventNameTaken
from bot.database.store import CountdownStore
from tests.backends import Backend, postgres_schema

NOW = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
AT = dt.datetime(2026, 3, 1, 19, 0, tzinfo=dt.UTC)


@pytest.fixture
def repo(backend: Backend) -> CountdownStore:
    return backend.repo()


async def test_events_keep_their_reminder_switches(repo: CountdownStore) -> None:
    party = await repo.add_event(1, "Party", AT, created_by=9, now=NOW)
    quiet = await repo.add_event(1, "Quiet", AT, created_by=9, now=NOW, reminders=frozenset())
    assert party is not None and quiet is not None
    stored = {e.name: e for e in await repo.list_events(1)}
    assert stored["Party"].reminders == DEFAULT_REMINDERS and stored["Party"].revision == 0
    assert stored["Quiet"].reminders == frozenset()


async def test_an_edit_changes_only_what_is_given_and_bumps_the_revision(
    repo: CountdownStore,
) -> None:
    party = await repo.add_event(1, "Party", AT, created_by=9, now=NOW)
    assert party is not None
    moved = await repo.update_event(1, party.id, starts_at=AT + dt.timedelta(hours=1))
    assert moved is not None and moved.name == "Party" and moved.revision == 1
    assert moved.starts_at == AT + dt.timedelta(hours=1) and moved.reminders == DEFAULT_REMINDERS
    renamed = await repo.update_event(
        1, party.id, name="Big party", reminders=frozenset({Reminder.HOUR})
    )
    assert renamed is not None and renamed.revision == 2
    assert (await repo.list_events(1)) == [renamed]
    assert renamed.starts_at == moved.starts_at and renamed.reminders == {Reminder.HOUR}


async def test_an_edit_refuses_a_name_taken_and_reports_a_missing_event(
    repo: CountdownStore,
) -> None:
    a = await repo.add_event(1, "Party", AT, created_by=9, now=NOW)
    await repo.add_event(1, "Quiz", AT, created_by=9, now=NOW)
    await repo.add_event(2, "Other server", AT, created_by=9, now=NOW)
    assert a is not None
    with pytest.raises(EventNameTaken):
        await repo.update_event(1, a.id, name="QUIZ")  # names are unique in any case
    assert (await repo.update_event(1, a.id, name="Other server")) is not None
    assert await repo.update_event(2, a.id, name="x") is None  # another server's id
    assert await repo.update_event(1, 999, name="x") is None


async def test_upcoming_events_across_servers(repo: CountdownStore) -> None:
    await repo.add_event(1, "Past", NOW - dt.timedelta(days=1), created_by=9, now=NOW)
    await repo.add_event(1, "Soon", AT, created_by=9, now=NOW)
    await repo.add_event(2, "Later", AT + dt.timedelta(days=1), created_by=9, now=NOW)
    assert [(e.guild_id, e.name) for e in await repo.upcoming_events(NOW)] == [
        (1, "Soon"),
        (2, "Later"),
    ]


async def test_a_reused_id_comes_with_a_new_token(backend: Backend) -> None:
    repo = backend.repo()
    old = await repo.add_event(1, "Party", AT, created_by=9, now=NOW)
    assert old is not None and await repo.remove_event(1, old.id)
    new = await repo.add_event(1, "Party", AT, created_by=9, now=NOW)
    assert new is not None
    if backend.name == "sqlite":
        assert new.id == old.id  # SQLite reuses the last rowid (PostgreSQL's identity does not)...
    assert new.token and new.token != old.token  # ...so reminder keys carry the token
    assert [e.token for e in await repo.list_events(1)] == [new.token]


async def test_events_from_before_0007_get_tokens_and_the_default_reminders(
    tmp_path: Path,
) -> None:
    before = tmp_path / "before"
    before.mkdir()
    for migration in discover_migrations()[:6]:
        (before / migration.name).write_text(migration.sql)
    conn = await connect(tmp_path / "bot.sqlite3")
    try:
        await apply_migrations(conn, before)
        for name in ("A", "B"):
            await conn.execute(
                "INSERT INTO custom_events (guild_id, name, starts_at, created_at)"
                " VALUES (1, ?, ?, 0)",
                (name, int(AT.timestamp())),
            )
        await apply_migrations(conn)
        events = await CountdownRepository(conn).list_events(1)
    finally:
        await conn.close()
    assert all(e.reminders == DEFAULT_REMINDERS and e.revision == 0 for e in events)
    assert len({e.token for e in events}) == 2 and all(len(e.token) == 12 for e in events)


async def test_postgres_events_from_before_its_0004_get_tokens_and_the_default_reminders(
    tmp_path: Path,
) -> None:
    import asyncpg

    from bot.database.postgres import (
        PG_MIGRATIONS_DIR,
        PostgresCountdownRepository,
        apply_pg_migrations,
    )

    before = tmp_path / "before"
    before.mkdir()
    for migration in discover_migrations(PG_MIGRATIONS_DIR)[:3]:
        (before / migration.name).write_text(migration.sql)
    async with postgres_schema() as url:
        pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
        try:
            await apply_pg_migrations(pool, before)
            for name in ("A", "B"):
                await pool.execute(
                    "INSERT INTO custom_events (guild_id, name, starts_at, created_at)"
                    " VALUES (1, $1, $2, 0)",
                    name,
                    int(AT.timestamp()),
                )
            assert 4 in await apply_pg_migrations(pool)
            events = await PostgresCountdownRepository(pool).list_events(1)
        finally:
            await pool.close()
    assert [e.name for e in events] == ["A", "B"]
    assert all(e.reminders == DEFAULT_REMINDERS and e.revision == 0 for e in events)
    assert len({e.token for e in events}) == 2 and all(len(e.token) == 12 for e in events)
