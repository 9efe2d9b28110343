"""Small key/value facts about this installation, e.g. the hash of the last command sync."""

from __future__ import annotations

import aiosqlite

from bot.database.countdown import write_turn


class MetaRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._writing = write_turn(conn)  # never inside another repository's transaction

    async def get(self, key: str) -> str | None:
        async with self._conn.execute("SELECT value FROM bot_meta WHERE key = ?", (key,)) as cur:
            row = await cur.fetchone()
        return None if row is None else str(row[0])

    async def set(self, key: str, value: str) -> None:
        async with self._writing:
            await self._conn.execute(
                "INSERT INTO bot_meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
