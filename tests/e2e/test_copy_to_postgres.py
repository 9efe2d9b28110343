"""``heartstopper-bot copy-to-postgres``: an existing SQLite database moves to PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
from pathlib import Path

import asyncpg
import pytest

from bot.countdown.settings import CountdownSettings, Reminder
from bot.database.connection import open_database
from bot.database.countdown import CountdownRepository, OneOffPost
from bot.database.meta import MetaRepository
from bot.database.postgres import (
    PostgresCountdownRepository,
    PostgresMetaRepository,
    PostgresPremiereRepository,
)
from bot.database.premiere import EventLink, PremiereRepository
from tests.backends import postgres_schema
from tests.unit.test_store_processes import ON_SHARD_0, claim

PROJECT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
REMINDERS = frozenset({Reminder.HOUR})
ONE_OFF = OneOffPost(
    ON_SHARD_0, "reminder:event:1:1h", "reminder", {"event_id": 1}, NOW, NOW, "nonce-1"
)
LINK = EventLink(ON_SHARD_0, "event:1", 555, "Watch party!", NOW, NOW + dt.timedelta(hours=1))


async def run_cli(tmp_path: Path, **env: str) -> tuple[int, str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_"))}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "copy-to-postgres",
        cwd=tmp_path,
        env={**clean, "PYTHONPATH": str(PROJECT), **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def make_sqlite(path: Path) -> tuple[CountdownSettings, int]:
    async with open_database(path) as db:
        repo = CountdownRepository(db)
        settings = CountdownSettings(
            guild_id=ON_SHARD_0, channel_id=7, post_time=dt.time(18, 30), timezone="Asia/Tokyo"
        )
        await repo.save_settings(settings, next_post_at=NOW, now=NOW)
        event = await repo.add_event(
            ON_SHARD_0, "Watch party", NOW, created_by=1, now=NOW, reminders=REMINDERS
        )
        assert event is not None
        assert await repo.update_event(ON_SHARD_0, event.id, name="Watch party!") is not None
        assert await repo.add_one_off(ONE_OFF, now=NOW)
        premiere = PremiereRepository(db)
        await premiere.change(ON_SHARD_0, discord_events=True, spoiler_days=3)
        await premiere.save_link(LINK)
        [held] = await repo.claim_and_reschedule([claim(ON_SHARD_0, NOW, "b")], [], handled=[])
        await repo.finish_delivery(held, state="sent", at=NOW, channel_id=7, message_id=99)
        await repo.record_error(ON_SHARD_0, "Missing Access", NOW, pause=False)
        await MetaRepository(db).set("commands_hash:1", "abc")
        await db.commit()
    return settings, event.id


async def test_copy_moves_everything_once(tmp_path: Path) -> None:
    sqlite_path = tmp_path / "bot.sqlite3"
    settings, event_id = await make_sqlite(sqlite_path)
    async with postgres_schema() as url:
        env = {"DATABASE_PATH": str(sqlite_path), "DATABASE_URL": url}
        code, out, err = await run_cli(tmp_path, **env)
        assert code == 0, err
        assert "guild_settings 1, custom_events 1, schedule 1, deliveries 1" in out
        assert "one_off_posts 1, premiere_settings 1, premiere_discord_events 1" in out

        pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
        try:
            repo = PostgresCountdownRepository(pool)
            assert await repo.get_settings(ON_SHARD_0) == settings
            [event] = await repo.list_events(ON_SHARD_0)
            assert (event.id, event.name, event.starts_at) == (event_id, "Watch party!", NOW)
            assert (event.reminders, event.revision, len(event.token)) == (REMINDERS, 1, 12)
            assert await repo.one_offs(ON_SHARD_0) == [ONE_OFF]
            premiere = PostgresPremiereRepository(pool)
            stored = await premiere.get(ON_SHARD_0)
            assert stored.discord_events and stored.spoiler_days == 3
            assert await premiere.links(ON_SHARD_0) == [LINK]
            assert await repo.due(NOW) == [(ON_SHARD_0, NOW)]
            assert await repo.posted_instants(ON_SHARD_0, NOW) == [NOW]
            assert await repo.take_unseen_error(ON_SHARD_0) == "Missing Access"
            assert await PostgresMetaRepository(pool).get("commands_hash:1") == "abc"
            # New events get new ids after the copied ones.
            later = await repo.add_event(ON_SHARD_0, "Finale", NOW, created_by=1, now=NOW)
            assert later is not None and later.id > event_id
        finally:
            await pool.close()

        # A second run refuses and changes nothing.
        code, out, err = await run_cli(tmp_path, **env)
        assert code != 0 and "already has data" in err and out == ""


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_PATH": "missing.sqlite3", "DATABASE_URL": "postgresql://u:pw@h/db"}, "exist"),
        ({"DATABASE_PATH": "missing.sqlite3"}, "needs DATABASE_URL"),
    ],
)
async def test_copy_refusals_are_one_line(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    code, _, err = await run_cli(tmp_path, **env)
    assert code != 0 and message in err and len(err.strip().splitlines()) == 1
    assert "pw@" not in err
