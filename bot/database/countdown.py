"""The countdown feature's storage: per-server settings, custom events and the delivery ledger.

Cogs and the scheduler use these typed methods; no SQL lives outside ``bot/database``.
Instants are stored as unix seconds (UTC) and returned as aware ``datetime`` objects.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, fields
from typing import Any

import aiosqlite

from bot.countdown.clock import next_post_instant
from bot.countdown.settings import Cadence, CountdownSettings, CustomEvent

_DEFAULTS = CountdownSettings(guild_id=0)


def to_epoch(instant: dt.datetime) -> int:
    if instant.utcoffset() is None:
        raise ValueError("naive datetimes are not stored")
    return int(instant.timestamp())


def from_epoch(seconds: int | None) -> dt.datetime | None:
    return None if seconds is None else dt.datetime.fromtimestamp(seconds, dt.UTC)


@dataclass(frozen=True, slots=True)
class CountdownStatus:
    """Settings plus what the scheduler last did, for ``/countdown status``."""

    settings: CountdownSettings
    next_post_at: dt.datetime | None  # computed from the settings: the schedule has no guild index
    last_post_at: dt.datetime | None
    last_message_id: int | None
    last_channel_id: int | None
    last_error: str | None
    last_error_at: dt.datetime | None
    error_unseen: bool


@dataclass(frozen=True, slots=True)
class Delivery:
    guild_id: int
    target_key: str
    local_date: dt.date
    nonce: str
    state: str  # pending | sent | failed | skipped
    scheduled_at: dt.datetime
    late: bool
    message_id: int | None = None


def _settings_from_row(guild_id: int, row: aiosqlite.Row | None) -> CountdownSettings:
    """Overrides from the row on top of the defaults in code (NULL means default)."""
    if row is None:
        return CountdownSettings(guild_id=guild_id)
    d = _DEFAULTS

    def pick(column: str, default: Any) -> Any:
        value = row[column]
        return default if value is None else value

    post_time = row["post_time"]
    return CountdownSettings(
        guild_id=guild_id,
        channel_id=pick("channel_id", d.channel_id),
        post_time=dt.time.fromisoformat(post_time) if post_time else d.post_time,
        timezone=pick("time_zone", d.timezone),
        role_id=pick("role_id", d.role_id),
        target=pick("target", d.target),
        cadence=Cadence(pick("cadence", d.cadence.value)),
        silent_routine=bool(pick("silent_routine", d.silent_routine)),
        enabled=bool(pick("enabled", d.enabled)),
    )


def _override_columns(settings: CountdownSettings) -> dict[str, Any]:
    """Column values for ``settings``: NULL wherever the value equals the default in code."""

    def keep(name: str) -> Any:
        value = getattr(settings, name)
        return None if value == getattr(_DEFAULTS, name) else value

    post_time = keep("post_time")
    cadence = keep("cadence")
    silent, enabled = keep("silent_routine"), keep("enabled")
    return {
        "channel_id": keep("channel_id"),
        "post_time": post_time.strftime("%H:%M") if post_time is not None else None,
        "time_zone": keep("timezone"),
        "role_id": keep("role_id"),
        "target": keep("target"),
        "cadence": cadence.value if cadence is not None else None,
        "silent_routine": None if silent is None else int(silent),
        "enabled": None if enabled is None else int(enabled),
    }


assert {f.name for f in fields(CountdownSettings)} == {
    "guild_id", "channel_id", "post_time", "timezone", "role_id", "target", "cadence",
    "silent_routine", "enabled",
}, "CountdownSettings changed: update _settings_from_row and _override_columns"  # fmt: skip


def _delivery_from_row(row: aiosqlite.Row) -> Delivery:
    return Delivery(
        guild_id=row["guild_id"],
        target_key=row["target_key"],
        local_date=dt.date.fromisoformat(row["local_date"]),
        nonce=row["nonce"],
        state=row["state"],
        scheduled_at=from_epoch(row["scheduled_at"]),  # type: ignore[arg-type]
        late=bool(row["late"]),
        message_id=row["message_id"],
    )


class CountdownRepository:
    """Typed access to the countdown tables, with a read-through cache of settings."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._cache: dict[int, CountdownSettings] = {}
        # One connection serves every coroutine: writes take turns, so a command saving
        # settings never opens a transaction inside the tick's (or joins it by accident).
        self._writing = asyncio.Lock()

    # -- settings ---------------------------------------------------------------------------

    async def get_settings(self, guild_id: int) -> CountdownSettings:
        cached = self._cache.get(guild_id)
        if cached is not None:
            return cached
        async with self._conn.execute(
            "SELECT * FROM guild_settings WHERE guild_id = ?", (guild_id,)
        ) as cur:
            settings = _settings_from_row(guild_id, await cur.fetchone())
        # setdefault: a save that finished while this read was in flight is fresher.
        return self._cache.setdefault(guild_id, settings)

    async def save_settings(
        self, settings: CountdownSettings, *, next_post_at: dt.datetime | None, now: dt.datetime
    ) -> None:
        """Store ``settings`` and schedule its next post instant, in one transaction.

        An entry for the old settings may stay in the schedule: the tick drops it as stale.
        """
        columns = _override_columns(settings)
        names = ", ".join(columns)
        placeholders = ", ".join(f":{name}" for name in columns)
        updates = ", ".join(f"{name} = excluded.{name}" for name in columns)
        params = {**columns, "guild_id": settings.guild_id, "updated_at": to_epoch(now)}
        async with self._transaction():
            await self._conn.execute(
                f"INSERT INTO guild_settings (guild_id, {names}, updated_at)"
                f" VALUES (:guild_id, {placeholders}, :updated_at)"
                f" ON CONFLICT (guild_id) DO UPDATE SET {updates},"
                " updated_at = excluded.updated_at, removed_at = NULL",
                params,
            )
            if next_post_at is not None:
                await self._schedule([(settings.guild_id, next_post_at)])
        self._cache[settings.guild_id] = settings

    @contextlib.asynccontextmanager
    async def _transaction(self) -> AsyncIterator[None]:
        async with self._writing:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            await self._conn.execute("COMMIT")

    async def _write(self, sql: str, params: Any = ()) -> None:
        async with self._writing:
            await self._conn.execute(sql, params)

    async def _write_returning(self, sql: str, params: Any = ()) -> aiosqlite.Row | None:
        async with self._writing, self._conn.execute(sql, params) as cur:
            return await cur.fetchone()

    async def _schedule(self, entries: list[tuple[int, dt.datetime]]) -> None:
        await self._conn.executemany(
            "INSERT OR IGNORE INTO schedule (due_at, guild_id) VALUES (?, ?)",
            [(to_epoch(at), guild_id) for guild_id, at in entries],
        )

    async def reset(self, guild_id: int) -> None:
        """Forget a server's settings and custom events (the ledger stays, to avoid reposts).

        Its schedule entries are left to expire: the tick only reads entries of servers that
        still have settings.
        """
        try:
            async with self._transaction():
                await self._conn.execute(
                    "DELETE FROM guild_settings WHERE guild_id = ?", (guild_id,)
                )
                await self._conn.execute(
                    "DELETE FROM custom_events WHERE guild_id = ?", (guild_id,)
                )
        finally:
            self._cache.pop(guild_id, None)

    async def get_status(self, guild_id: int, *, now: dt.datetime) -> CountdownStatus:
        async with self._conn.execute(
            "SELECT * FROM guild_settings WHERE guild_id = ?", (guild_id,)
        ) as cur:
            row = await cur.fetchone()
        settings = _settings_from_row(guild_id, row)
        if row is None:
            return CountdownStatus(settings, None, None, None, None, None, None, False)
        running = settings.enabled and settings.channel_id is not None
        next_post = (
            next_post_instant(settings.post_time, settings.zone, now)
            if running and row["removed_at"] is None
            else None
        )
        return CountdownStatus(
            settings=settings,
            next_post_at=next_post,
            last_post_at=from_epoch(row["last_post_at"]),
            last_message_id=row["last_message_id"],
            last_channel_id=row["last_channel_id"],
            last_error=row["last_error"],
            last_error_at=from_epoch(row["last_error_at"]),
            error_unseen=bool(row["error_unseen"]),
        )

    async def get_settings_many(self, guild_ids: list[int]) -> dict[int, CountdownSettings]:
        """``get_settings`` for many servers with one query for those not cached (a tick)."""
        found = {gid: self._cache[gid] for gid in guild_ids if gid in self._cache}
        missing = [gid for gid in guild_ids if gid not in found]
        if missing:
            async with self._conn.execute(
                "SELECT * FROM guild_settings WHERE guild_id IN (SELECT value FROM json_each(?))",
                (json.dumps(missing),),
            ) as cur:
                rows = {row["guild_id"]: row for row in await cur.fetchall()}
            for gid in missing:
                found[gid] = self._cache.setdefault(gid, _settings_from_row(gid, rows.get(gid)))
        return found

    async def unscheduled(self, now: dt.datetime) -> list[CountdownSettings]:
        """Running countdowns with nothing in the schedule after ``now`` (start-up fills them)."""
        async with self._conn.execute(
            "SELECT * FROM guild_settings WHERE channel_id IS NOT NULL"
            " AND removed_at IS NULL AND coalesce(enabled, 1) = 1"
            " AND guild_id NOT IN (SELECT guild_id FROM schedule WHERE due_at > ?)",
            (to_epoch(now),),
        ) as cur:
            rows = await cur.fetchall()
        return [_settings_from_row(row["guild_id"], row) for row in rows]

    async def set_next_posts(self, entries: list[tuple[int, dt.datetime]]) -> None:
        """Schedule many post instants in one transaction (start-up)."""
        if entries:
            async with self._transaction():
                await self._schedule(entries)

    async def due(self, now: dt.datetime, limit: int = 10_000) -> list[tuple[int, dt.datetime]]:
        """Schedule entries whose instant has come, oldest first, for running countdowns.

        A server may appear more than once (a stale entry beside its current one); the caller
        judges each entry against the settings.
        """
        async with self._conn.execute(
            "SELECT s.guild_id, s.due_at FROM schedule AS s"
            " JOIN guild_settings AS g ON g.guild_id = s.guild_id"
            " WHERE s.due_at <= ? AND g.channel_id IS NOT NULL AND g.removed_at IS NULL"
            " AND coalesce(g.enabled, 1) = 1"
            " ORDER BY s.due_at, s.guild_id LIMIT ?",
            (to_epoch(now), limit),
        ) as cur:
            rows = await cur.fetchall()
        return [(row[0], from_epoch(row[1])) for row in rows]  # type: ignore[misc]

    async def record_success(
        self, guild_id: int, at: dt.datetime, *, channel_id: int, message_id: int
    ) -> None:
        await self._write(
            "UPDATE guild_settings SET last_post_at = ?, last_channel_id = ?, last_message_id = ?"
            " WHERE guild_id = ?",
            (to_epoch(at), channel_id, message_id, guild_id),
        )

    async def record_error(
        self, guild_id: int, error: str, at: dt.datetime, *, pause: bool
    ) -> None:
        """Remember a failure for ``status``; ``pause`` also stops the countdown."""
        await self._write(
            "UPDATE guild_settings SET last_error = ?, last_error_at = ?, error_unseen = 1"
            + (", enabled = 0" if pause else "")
            + " WHERE guild_id = ?",
            (error, to_epoch(at), guild_id),
        )
        if pause:
            self._cache.pop(guild_id, None)

    async def clear_error(self, guild_id: int) -> None:
        await self._write(
            "UPDATE guild_settings SET last_error = NULL, last_error_at = NULL, error_unseen = 0"
            " WHERE guild_id = ?",
            (guild_id,),
        )

    async def take_unseen_error(self, guild_id: int) -> str | None:
        """The last error if no admin has been told about it yet; marks it as told."""
        row = await self._write_returning(
            "UPDATE guild_settings SET error_unseen = 0"
            " WHERE guild_id = ? AND error_unseen = 1 RETURNING last_error",
            (guild_id,),
        )
        return None if row is None else row[0]

    # -- membership -------------------------------------------------------------------------

    async def mark_removed(self, guild_id: int, at: dt.datetime) -> None:
        """The bot left the server: stop posting and start the deletion grace period."""
        await self._write(
            "UPDATE guild_settings SET removed_at = ? WHERE guild_id = ? AND removed_at IS NULL",
            (to_epoch(at), guild_id),
        )

    async def mark_present(self, guild_id: int) -> bool:
        """The bot is (back) in the server; returns True if it had been marked removed."""
        row = await self._write_returning(
            "UPDATE guild_settings SET removed_at = NULL"
            " WHERE guild_id = ? AND removed_at IS NOT NULL RETURNING guild_id",
            (guild_id,),
        )
        return row is not None

    async def reconcile_membership(
        self, present: set[int], at: dt.datetime
    ) -> tuple[list[int], list[int]]:
        """Match the stored servers to those the bot is in now (after time offline).

        Returns (servers it is back in, servers it left): the first are running again, the
        second start their deletion grace period. One read and two batched updates, so a
        start-up with many servers doesn't hold the write lock for long.
        """
        async with self._transaction():
            async with self._conn.execute("SELECT guild_id, removed_at FROM guild_settings") as cur:
                rows = await cur.fetchall()
            back = [gid for gid, removed in rows if removed is not None and gid in present]
            left = [gid for gid, removed in rows if removed is None and gid not in present]
            await self._conn.executemany(
                "UPDATE guild_settings SET removed_at = NULL WHERE guild_id = ?",
                [(gid,) for gid in back],
            )
            await self._conn.executemany(
                "UPDATE guild_settings SET removed_at = ? WHERE guild_id = ?",
                [(to_epoch(at), gid) for gid in left],
            )
        return back, left

    async def purge_removed(self, before: dt.datetime) -> list[int]:
        """Delete everything about servers the bot left before ``before``."""
        async with self._conn.execute(
            "SELECT guild_id FROM guild_settings WHERE removed_at IS NOT NULL AND removed_at < ?",
            (to_epoch(before),),
        ) as cur:
            guild_ids = [row[0] for row in await cur.fetchall()]
        for guild_id in guild_ids:
            await self.reset(guild_id)
            await self._write("DELETE FROM deliveries WHERE guild_id = ?", (guild_id,))
        return guild_ids

    # -- custom events ----------------------------------------------------------------------

    async def add_event(
        self, guild_id: int, name: str, starts_at: dt.datetime, *, created_by: int, now: dt.datetime
    ) -> CustomEvent | None:
        """Add an event; None if the server already has one with that name."""
        row = await self._write_returning(
            "INSERT INTO custom_events (guild_id, name, starts_at, created_by, created_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
            (guild_id, name, to_epoch(starts_at), created_by, to_epoch(now)),
        )
        if row is None:
            return None
        return CustomEvent(id=row[0], guild_id=guild_id, name=name, starts_at=starts_at)

    async def list_events(self, guild_id: int) -> list[CustomEvent]:
        async with self._conn.execute(
            "SELECT id, name, starts_at FROM custom_events WHERE guild_id = ? ORDER BY starts_at",
            (guild_id,),
        ) as cur:
            rows = await cur.fetchall()
        return [CustomEvent(r[0], guild_id, r[1], from_epoch(r[2])) for r in rows]  # type: ignore[arg-type]

    async def remove_event(self, guild_id: int, event_id: int) -> bool:
        row = await self._write_returning(
            "DELETE FROM custom_events WHERE guild_id = ? AND id = ? RETURNING id",
            (guild_id, event_id),
        )
        return row is not None

    # -- delivery ledger --------------------------------------------------------------------

    async def claim_and_reschedule(
        self,
        claims: list[Delivery],
        next_posts: list[tuple[int, dt.datetime]],
        *,
        handled_through: tuple[dt.datetime, int] | None,
    ) -> list[Delivery]:
        """One transaction for a tick: ledger rows in, handled entries out, next instants in.

        ``handled_through`` is the last (instant, server) the tick read; every schedule entry
        up to it is removed (stale ones included). Returns the claims still ``pending`` (new,
        or left pending by a crash); the caller sends exactly those. A crash after this commit
        leaves them pending for :meth:`pending_deliveries`, so moving on can't lose a post.
        """
        rows = [
            (
                d.guild_id,
                d.target_key,
                d.local_date.isoformat(),
                d.nonce,
                to_epoch(d.scheduled_at),
                int(d.late),
            )
            for d in claims
        ]
        async with self._transaction():
            # Rows already there (normally none): a crash's pending ones are sent again, the
            # finished ones not. Looked up by exact key in one query, before inserting.
            existing = await self._existing_deliveries(claims)
            await self._conn.executemany(
                "INSERT INTO deliveries (guild_id, target_key, local_date, nonce, state,"
                " scheduled_at, late) VALUES (?, ?, ?, ?, 'pending', ?, ?)"
                " ON CONFLICT DO NOTHING",
                rows,
            )
            if handled_through is not None:
                due_at, guild_id = handled_through
                await self._conn.execute(
                    "DELETE FROM schedule WHERE (due_at, guild_id) <= (?, ?)",
                    (to_epoch(due_at), guild_id),
                )
            await self._schedule(next_posts)
        pending = []
        for claim in claims:
            current = existing.get((claim.guild_id, claim.target_key, claim.local_date))
            if current is None:
                pending.append(claim)  # inserted just now, as a pending claim
            elif current.state == "pending":
                pending.append(current)
        return pending

    async def _existing_deliveries(
        self, claims: list[Delivery]
    ) -> dict[tuple[int, str, dt.date], Delivery]:
        if not claims:
            return {}
        keys = [[d.guild_id, d.target_key, d.local_date.isoformat()] for d in claims]
        async with self._conn.execute(
            "SELECT d.* FROM json_each(?) AS k JOIN deliveries AS d"
            " ON d.guild_id = json_extract(k.value, '$[0]')"
            " AND d.target_key = json_extract(k.value, '$[1]')"
            " AND d.local_date = json_extract(k.value, '$[2]')",
            (json.dumps(keys),),
        ) as cur:
            found = map(_delivery_from_row, await cur.fetchall())
        return {(d.guild_id, d.target_key, d.local_date): d for d in found}

    async def forget_deliveries_before(self, day: dt.date) -> None:
        """Drop ledger rows of local days before ``day``: they can no longer cause a repost."""
        await self._write("DELETE FROM deliveries WHERE local_date < ?", (day.isoformat(),))

    async def pending_deliveries(self) -> list[Delivery]:
        """Deliveries claimed but never finished (the process died mid-send)."""
        async with self._conn.execute(
            "SELECT * FROM deliveries WHERE state = 'pending' ORDER BY scheduled_at"
        ) as cur:
            rows = await cur.fetchall()
        return [_delivery_from_row(row) for row in rows]

    async def finish_delivery(
        self,
        delivery: Delivery,
        *,
        state: str,
        at: dt.datetime,
        channel_id: int | None = None,
        message_id: int | None = None,
        error: str | None = None,
    ) -> None:
        await self._write(
            "UPDATE deliveries SET state = ?, sent_at = ?, channel_id = ?, message_id = ?,"
            " error = ? WHERE guild_id = ? AND target_key = ? AND local_date = ?",
            (
                state,
                to_epoch(at),
                channel_id,
                message_id,
                error,
                delivery.guild_id,
                delivery.target_key,
                delivery.local_date.isoformat(),
            ),
        )

    async def count_deliveries(self, guild_id: int, state: str = "sent") -> int:
        async with self._conn.execute(
            "SELECT count(*) FROM deliveries WHERE guild_id = ? AND state = ?", (guild_id, state)
        ) as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0
