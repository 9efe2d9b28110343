"""Both storage backends for the tests: an SQLite file, and a fresh schema on PostgreSQL.

PostgreSQL tests run when ``HEARTSTOPPER_TEST_POSTGRES_URL`` names a server (``.ci/run``
starts one and sets it); elsewhere they are skipped with a one-line reason.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiosqlite
import pytest

from bot.database.store import CountdownStore, Database, countdown_store, open_store
from bot.scheduling.sharding import ShardScope

POSTGRES_URL_ENV = "HEARTSTOPPER_TEST_POSTGRES_URL"
SKIP_REASON = f"PostgreSQL tests need a server: set {POSTGRES_URL_ENV} (.ci/run does)"
BACKENDS = ("sqlite", "postgres")


def postgres_url() -> str | None:
    return os.environ.get(POSTGRES_URL_ENV) or None


@contextlib.asynccontextmanager
async def postgres_schema() -> AsyncIterator[str]:
    """A URL whose connections work in a new, empty schema (dropped afterwards)."""
    import asyncpg

    base = postgres_url()
    if base is None:
        pytest.skip(SKIP_REASON)
    schema = f"test_{secrets.token_hex(6)}"
    admin = await asyncpg.connect(base)
    try:
        await admin.execute(f"CREATE SCHEMA {schema}")
        separator = "&" if "?" in base else "?"
        yield f"{base}{separator}{urlencode({'search_path': schema})}"
    finally:
        await admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await admin.close()


@dataclass
class Backend:
    name: str
    db: Database
    sqlite_path: Path
    url: str | None  # the PostgreSQL URL (None for SQLite)

    def repo(self, shards: ShardScope | None = None) -> CountdownStore:
        """A new repository (a fresh cache) on the same database, like another process."""
        store = countdown_store(self.db)
        store.shards = shards
        return store

    async def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Plain SQL valid on both backends, for assertions about what is stored."""
        if isinstance(self.db, aiosqlite.Connection):
            async with self.db.execute(sql) as cur:
                return [tuple(row) for row in await cur.fetchall()]
        return [tuple(row) for row in await self.db.fetch(sql)]  # type: ignore[attr-defined]


@contextlib.asynccontextmanager
async def open_backend(name: str, tmp_path: Path) -> AsyncIterator[Backend]:
    sqlite_path = tmp_path / "bot.sqlite3"
    if name == "sqlite":
        async with open_store(sqlite_path, None) as db:
            yield Backend(name, db, sqlite_path, None)
        return
    async with postgres_schema() as url, open_store(sqlite_path, url) as db:
        yield Backend(name, db, sqlite_path, url)
