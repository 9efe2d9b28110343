from pathlib import Path

import aiosqlite
import pytest

from bot.database.connection import (
    MigrationError,
    apply_migrations,
    connect,
    discover_migrations,
    open_database,
    schema_version,
)


async def _tables(conn: aiosqlite.Connection) -> set[str]:
    async with conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'") as cur:
        return {row[0] for row in await cur.fetchall()}


async def test_fresh_database_gets_every_migration(tmp_path: Path) -> None:
    latest = len(discover_migrations())
    async with open_database(tmp_path / "bot.sqlite3") as conn:
        assert await schema_version(conn) == latest
        assert {"bot_meta", "guild_settings", "custom_events", "deliveries"} <= await _tables(conn)
        async with conn.execute("PRAGMA journal_mode") as cur:
            assert (await cur.fetchone())[0] == "wal"
        async with conn.execute("PRAGMA foreign_keys") as cur:
            assert (await cur.fetchone())[0] == 1


async def test_rerun_is_a_no_op(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    async with open_database(path) as conn:
        await conn.execute("INSERT INTO bot_meta (key, value) VALUES ('k', 'v')")
    async with open_database(path) as conn:
        assert await apply_migrations(conn) == []
        async with conn.execute("SELECT value FROM bot_meta WHERE key = 'k'") as cur:
            assert (await cur.fetchone())[0] == "v"


async def test_failed_migration_leaves_database_unchanged(tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0001_first.sql").write_text("CREATE TABLE a (x INTEGER);")
    (migrations / "0002_broken.sql").write_text(
        "CREATE TABLE b (y INTEGER);\nINSERT INTO a VALUES (1);\nTHIS IS NOT SQL;"
    )
    conn = await connect(tmp_path / "bot.sqlite3")
    try:
        with pytest.raises(MigrationError, match=r"0002_broken\.sql"):
            await apply_migrations(conn, migrations)
        assert await schema_version(conn) == 1
        assert await _tables(conn) == {"a"}
        async with conn.execute("SELECT count(*) FROM a") as cur:
            assert (await cur.fetchone())[0] == 0
        # Fixing the file lets the next start continue from version 1.
        (migrations / "0002_broken.sql").write_text("CREATE TABLE b (y INTEGER);")
        assert await apply_migrations(conn, migrations) == [2]
    finally:
        await conn.close()


def test_gap_in_numbering_is_refused(tmp_path: Path) -> None:
    (tmp_path / "0001_a.sql").write_text("SELECT 1;")
    (tmp_path / "0003_c.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="expected migration number 0002"):
        discover_migrations(tmp_path)


async def test_postgres_failed_migration_leaves_database_unchanged(tmp_path: Path) -> None:
    import asyncpg

    from bot.database.postgres import apply_pg_migrations
    from tests.backends import postgres_schema

    migrations = tmp_path / "migrations_pg"
    migrations.mkdir()
    (migrations / "0001_first.sql").write_text("CREATE TABLE a (x INTEGER);")
    (migrations / "0002_broken.sql").write_text(
        "CREATE TABLE b (y INTEGER);\nINSERT INTO a VALUES (1);\nTHIS IS NOT SQL;"
    )
    async with postgres_schema() as url:
        pool = await asyncpg.create_pool(url, min_size=1, max_size=1)
        try:
            with pytest.raises(MigrationError, match=r"0002_broken\.sql"):
                await apply_pg_migrations(pool, migrations)
            tables = await pool.fetch(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = current_schema()"
            )
            assert {row[0] for row in tables} == {"a", "schema_migrations"}
            assert await pool.fetchval("SELECT count(*) FROM a") == 0
            assert await pool.fetchval("SELECT max(version) FROM schema_migrations") == 1
            (migrations / "0002_broken.sql").write_text("CREATE TABLE b (y INTEGER);")
            assert await apply_pg_migrations(pool, migrations) == [2]
            assert await apply_pg_migrations(pool, migrations) == []  # a rerun is a no-op
        finally:
            await pool.close()
