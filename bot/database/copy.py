"""One-time move of an SQLite database into PostgreSQL (``heartstopper-bot copy-to-postgres``).

Both schemas are brought up to date first; then every table is copied in one PostgreSQL
transaction, keeping ids (custom events are referenced by id from countdown targets). The
target must be empty, so running the command twice cannot mix or duplicate anything.
"""

from __future__ import annotations

from pathlib import Path

import aiosqlite
import asyncpg

from bot.database.connection import open_database
from bot.database.postgres import open_postgres

# Parents before children is not needed (no foreign keys), but a stable order reads better.
TABLES = (
    "bot_meta",
    "guild_settings",
    "custom_events",
    "schedule",
    "deliveries",
    "one_off_posts",
    "premiere_settings",
    "premiere_discord_events",
)


class CopyError(Exception):
    """The copy was refused; nothing was written."""


async def _columns_sqlite(conn: aiosqlite.Connection, table: str) -> list[str]:
    async with conn.execute(f"PRAGMA table_info({table})") as cur:
        return [row[1] for row in await cur.fetchall()]


async def _columns_postgres(conn: asyncpg.Connection, table: str) -> list[str]:
    rows = await conn.fetch(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = $1",
        table,
    )
    return [row[0] for row in rows]


async def copy_sqlite_to_postgres(sqlite_path: Path, url: str) -> dict[str, int]:
    """Copy every table; return the number of rows per table."""
    copied: dict[str, int] = {}
    async with open_database(sqlite_path) as source, open_postgres(url, max_size=1) as pool:
        async with pool.acquire() as target, target.transaction():
            for table in TABLES:
                if await target.fetchval(f"SELECT EXISTS (SELECT 1 FROM {table})"):
                    raise CopyError(f"PostgreSQL already has data in {table}: copy only once")
            for table in TABLES:
                wanted = set(await _columns_postgres(target, table))
                columns = [c for c in await _columns_sqlite(source, table) if c in wanted]
                async with source.execute(f"SELECT {', '.join(columns)} FROM {table}") as cur:
                    records = [tuple(row) for row in await cur.fetchall()]
                # COPY keeps the given ids, even for the identity column of custom_events.
                await target.copy_records_to_table(table, records=records, columns=columns)
                copied[table] = len(records)
            # New events continue after the copied ids.
            await target.execute(
                "SELECT setval(pg_get_serial_sequence('custom_events', 'id'),"
                " coalesce(max(id), 0) + 1, false) FROM custom_events"
            )
    return copied
