"""The premiere kit's storage: per-server options and the Discord events the bot keeps.

Cogs use these typed methods; no SQL lives outside ``bot/database``. Instants are unix
seconds (UTC) in the database and aware ``datetime`` objects here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

import aiosqlite

from bot.database.countdown import from_epoch, to_epoch, write_turn
from bot.premiere.settings import PremiereSettings

_BOOLEANS = frozenset({"notify_button", "discord_events", "release_threads", "events_paused"})
PREMIERE_COLUMNS = tuple(f.name for f in fields(PremiereSettings) if f.name != "guild_id")


@dataclass(frozen=True, slots=True)
class EventLink:
    """A Discord Scheduled Event the bot keeps for one release or server event."""

    guild_id: int
    source_key: str  # "release:season-4" or "event:12"
    discord_event_id: int | None  # None: a create may have been in flight
    name: str
    starts_at: dt.datetime
    ends_at: dt.datetime


def premiere_from_row(guild_id: int, row: Any) -> PremiereSettings:
    """Settings from a row of either backend (None: the defaults)."""
    if row is None:
        return PremiereSettings(guild_id)
    values: dict[str, Any] = {}
    for name in PREMIERE_COLUMNS:
        value = row[name]
        values[name] = bool(value) if name in _BOOLEANS else value
    return PremiereSettings(guild_id, **values)


def premiere_params(changes: dict[str, Any]) -> dict[str, Any]:
    """Column values for ``changes`` (flags as 0/1); refuses names that are not columns, so
    the names can be written into the SQL."""
    unknown = set(changes) - set(PREMIERE_COLUMNS)
    if unknown:
        raise ValueError(f"not premiere settings: {sorted(unknown)}")
    return {n: int(v) if isinstance(v, bool) else v for n, v in changes.items()}


def _link_from_row(row: Any) -> EventLink:
    starts, ends = from_epoch(row["starts_at"]), from_epoch(row["ends_at"])
    assert starts is not None and ends is not None
    return EventLink(
        row["guild_id"], row["source_key"], row["discord_event_id"], row["name"], starts, ends
    )


class PremiereRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        # Writes take the connection's turn with the countdown's (see write_turn).
        self._writing = write_turn(conn)

    async def _write(self, sql: str, params: Any) -> None:
        async with self._writing:
            await self._conn.execute(sql, params)

    # -- options -----------------------------------------------------------------------------

    async def get(self, guild_id: int) -> PremiereSettings:
        async with self._conn.execute(
            "SELECT * FROM premiere_settings WHERE guild_id = ?", (guild_id,)
        ) as cur:
            return premiere_from_row(guild_id, await cur.fetchone())

    async def change(self, guild_id: int, **changes: Any) -> PremiereSettings:
        """Write only the given columns (one statement), and return the settings as stored."""
        params = premiere_params(changes)
        if params:
            names = ", ".join(params)
            marks = ", ".join(f":{n}" for n in params)
            updates = ", ".join(f"{n} = excluded.{n}" for n in params)
            await self._write(
                f"INSERT INTO premiere_settings (guild_id, {names}) VALUES (:guild_id, {marks})"
                f" ON CONFLICT (guild_id) DO UPDATE SET {updates}",
                {**params, "guild_id": guild_id},
            )
        return await self.get(guild_id)

    async def with_events(self) -> list[int]:
        """Servers whose Discord events part is on and not paused."""
        async with self._conn.execute(
            "SELECT guild_id FROM premiere_settings WHERE discord_events = 1 AND events_paused = 0"
        ) as cur:
            return [row[0] for row in await cur.fetchall()]

    async def with_threads(self) -> list[int]:
        async with self._conn.execute(
            "SELECT guild_id FROM premiere_settings WHERE release_threads = 1"
        ) as cur:
            return [row[0] for row in await cur.fetchall()]

    # -- Discord events ------------------------------------------------------------------------

    async def links(self, guild_id: int) -> list[EventLink]:
        async with self._conn.execute(
            "SELECT * FROM premiere_discord_events WHERE guild_id = ? ORDER BY source_key",
            (guild_id,),
        ) as cur:
            return [_link_from_row(row) for row in await cur.fetchall()]

    async def link(self, guild_id: int, source_key: str) -> EventLink | None:
        async with self._conn.execute(
            "SELECT * FROM premiere_discord_events WHERE guild_id = ? AND source_key = ?",
            (guild_id, source_key),
        ) as cur:
            row = await cur.fetchone()
        return _link_from_row(row) if row is not None else None

    async def save_link(self, link: EventLink) -> None:
        await self._write(
            "INSERT INTO premiere_discord_events"
            " (guild_id, source_key, discord_event_id, name, starts_at, ends_at)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (guild_id, source_key) DO UPDATE SET"
            " discord_event_id = excluded.discord_event_id, name = excluded.name,"
            " starts_at = excluded.starts_at, ends_at = excluded.ends_at",
            (
                link.guild_id,
                link.source_key,
                link.discord_event_id,
                link.name,
                to_epoch(link.starts_at),
                to_epoch(link.ends_at),
            ),
        )

    async def drop_link(self, guild_id: int, source_key: str) -> None:
        await self._write(
            "DELETE FROM premiere_discord_events WHERE guild_id = ? AND source_key = ?",
            (guild_id, source_key),
        )
