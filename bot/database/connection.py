"""Opening the SQLite database and applying numbered migrations.

Migrations are ``migrations/NNNN_name.sql`` files. Each is applied in its own transaction
together with the bump of ``PRAGMA user_version``, so a failing migration leaves the
database exactly as it was.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class MigrationError(Exception):
    """A migration failed; the database was left at the version it had before."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def discover_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Migrations in version order; versions must run 1, 2, 3… without gaps."""
    migrations = []
    for path in sorted(directory.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if match is None:
            raise MigrationError(f"{path.name}: migration files are named like 0001_initial.sql")
        migrations.append(Migration(int(match[1]), path.name, path.read_text(encoding="utf-8")))
    for expected, migration in enumerate(migrations, start=1):
        if migration.version != expected:
            raise MigrationError(f"{migration.name}: expected migration number {expected:04d}")
    return migrations


async def schema_version(conn: aiosqlite.Connection) -> int:
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


async def apply_migrations(
    conn: aiosqlite.Connection, directory: Path = MIGRATIONS_DIR
) -> list[int]:
    """Apply every migration newer than the database; return the versions applied."""
    current = await schema_version(conn)
    applied = []
    for migration in discover_migrations(directory):
        if migration.version <= current:
            continue
        # executescript() runs outside Python's implicit transactions, so the script
        # carries its own BEGIN/COMMIT; user_version is part of the same transaction.
        script = (
            "BEGIN IMMEDIATE;\n"
            f"{migration.sql}\n;\n"
            f"PRAGMA user_version = {migration.version};\n"
            "COMMIT;"
        )
        try:
            await conn.executescript(script)
        except Exception as exc:
            if conn.in_transaction:
                await conn.rollback()
            raise MigrationError(f"migration {migration.name} failed: {exc}") from exc
        log.info("Applied database migration %s", migration.name)
        applied.append(migration.version)
    return applied


async def connect(path: Path | str) -> aiosqlite.Connection:
    """Open ``path`` with the pragmas the bot relies on (no migrations)."""
    # aiosqlite reports a failed open from its worker thread, which can outlive the event loop
    # and print a stray traceback after our error; opening once here fails cleanly instead.
    sqlite3.connect(path).close()
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = aiosqlite.Row
    # WAL lets status commands read while the scheduler writes; busy_timeout waits
    # out short write locks instead of failing; foreign keys are off by default in SQLite.
    # synchronous=FULL: a ledger row marked 'sending' must survive a power cut or an OS
    # crash, or a restart could resend a post that went out (NORMAL may lose the last commits).
    await conn.execute("PRAGMA journal_mode = WAL")
    await conn.execute("PRAGMA synchronous = FULL")
    await conn.execute("PRAGMA foreign_keys = ON")
    await conn.execute("PRAGMA busy_timeout = 5000")
    return conn


@asynccontextmanager
async def open_database(
    path: Path | str, migrations_dir: Path = MIGRATIONS_DIR
) -> AsyncIterator[aiosqlite.Connection]:
    """Open the database, bring its schema up to date, and close it on exit."""
    conn = await connect(path)
    try:
        await apply_migrations(conn, migrations_dir)
        yield conn
    finally:
        await conn.close()
