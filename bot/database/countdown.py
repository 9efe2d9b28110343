"""The countdown feature's storage: per-server settings, custom events and the delivery ledger.

Cogs and the scheduler use these typed methods; no SQL lives outside ``bot/database``.
Instants are stored as unix seconds (UTC) and returned as aware ``datetime`` objects.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import json
import secrets
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass, fields
from typing import Any

import aiosqlite

from bot.countdown.clock import next_post_instant
from bot.countdown.settings import (
    DEFAULT_REMINDERS,
    Cadence,
    CountdownSettings,
    CustomEvent,
    Reminder,
    parse_reminders,
    store_reminders,
)
from bot.database.settings_cache import SettingsCache
from bot.scheduling.sharding import ShardScope

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


# Ledger states (see migration 0005). A day with a row in one of BLOCKING_STATES has had its
# post, or may have had it; failed and skipped rows leave the day open.
BLOCKING_STATES = ("claimed", "sending", "sent", "unconfirmed")
OPEN_STATES = ("claimed", "sending")  # what a process that died can leave behind
# Every table keyed by server: purge_server empties them all when the grace period ends.
SERVER_TABLES = (
    "guild_settings",
    "custom_events",
    "deliveries",
    "one_off_posts",
    "premiere_settings",
    "premiere_discord_events",
)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One server's routine post for one local day, as claimed in the ledger."""

    guild_id: int
    day_start: dt.datetime  # when the local day began, in the zone in force when planned
    day_end: dt.datetime
    local_date: dt.date
    timezone: str
    target_key: str
    nonce: str
    state: str
    scheduled_at: dt.datetime  # the post instant it stands for
    boot_id: str | None = None
    sending_at: dt.datetime | None = None
    message_id: int | None = None


@dataclass(frozen=True, slots=True)
class OneOffPost:
    """A post that goes out once per server and key (a reminder, an announcement).

    ``kind`` names the renderer that writes its text when it is sent, from ``payload``.
    """

    guild_id: int
    key: str
    kind: str
    payload: dict[str, Any]
    due_at: dt.datetime
    expires_at: dt.datetime
    nonce: str
    state: str = "pending"
    boot_id: str | None = None
    sending_at: dt.datetime | None = None
    message_id: int | None = None


LedgerRow = Delivery | OneOffPost


def _row_where(row: LedgerRow) -> tuple[str, str, tuple[Any, ...]]:
    """The table of a ledger row and the WHERE clause that names it."""
    if isinstance(row, OneOffPost):
        return "one_off_posts", "guild_id = ? AND key = ?", (row.guild_id, row.key)
    return "deliveries", "guild_id = ? AND day_start = ?", (row.guild_id, to_epoch(row.day_start))


@dataclass(frozen=True, slots=True)
class SendContext:
    """What a sender re-reads right before sending: the settings as they are now."""

    settings: CountdownSettings | None  # None after a reset
    removed: bool  # the bot left the server


def _settings_from_row(guild_id: int, row: Any) -> CountdownSettings:
    """Overrides from the row on top of the defaults in code (NULL means default).

    Start-up reads every server's row through this (100k at scale): no per-column closures,
    and the few distinct post times and cadences are parsed once.
    """
    if row is None:
        return CountdownSettings(guild_id=guild_id)
    d = _DEFAULTS
    post_time, zone, target = row["post_time"], row["time_zone"], row["target"]
    cadence, silent, enabled = row["cadence"], row["silent_routine"], row["enabled"]
    return CountdownSettings(
        guild_id=guild_id,
        channel_id=row["channel_id"],
        post_time=_post_time(post_time) if post_time else d.post_time,
        timezone=d.timezone if zone is None else zone,
        role_id=row["role_id"],
        target=d.target if target is None else target,
        cadence=d.cadence if cadence is None else Cadence(cadence),
        silent_routine=d.silent_routine if silent is None else bool(silent),
        enabled=d.enabled if enabled is None else bool(enabled),
    )


_SETTINGS_COLUMNS = (
    "guild_id", "channel_id", "post_time", "time_zone", "role_id", "target", "cadence",
    "silent_routine", "enabled",
)  # fmt: skip


def _settings_from_tuple(row: tuple[Any, ...]) -> CountdownSettings:
    """``_settings_from_row`` for a tuple in ``_SETTINGS_COLUMNS`` order (bulk reads)."""
    guild_id, channel_id, post_time, zone, role_id, target, cadence, silent, enabled = row
    d = _DEFAULTS
    return CountdownSettings(
        guild_id=guild_id,
        channel_id=channel_id,
        post_time=_post_time(post_time) if post_time else d.post_time,
        timezone=d.timezone if zone is None else zone,
        role_id=role_id,
        target=d.target if target is None else target,
        cadence=d.cadence if cadence is None else Cadence(cadence),
        silent_routine=d.silent_routine if silent is None else bool(silent),
        enabled=d.enabled if enabled is None else bool(enabled),
    )


@functools.lru_cache(maxsize=2048)
def _post_time(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


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
        day_start=from_epoch(row["day_start"]),  # type: ignore[arg-type]
        day_end=from_epoch(row["day_end"]),  # type: ignore[arg-type]
        local_date=dt.date.fromisoformat(row["local_date"]),
        timezone=row["time_zone"],
        target_key=row["target_key"],
        nonce=row["nonce"],
        state=row["state"],
        scheduled_at=from_epoch(row["scheduled_at"]),  # type: ignore[arg-type]
        boot_id=row["boot_id"],
        sending_at=from_epoch(row["sending_at"]),
        message_id=row["message_id"],
    )


def _one_off_from_row(row: aiosqlite.Row) -> OneOffPost:
    return OneOffPost(
        guild_id=row["guild_id"],
        key=row["key"],
        kind=row["kind"],
        payload=json.loads(row["payload"]),
        due_at=from_epoch(row["due_at"]),  # type: ignore[arg-type]
        expires_at=from_epoch(row["expires_at"]),  # type: ignore[arg-type]
        nonce=row["nonce"],
        state=row["state"],
        boot_id=row["boot_id"],
        sending_at=from_epoch(row["sending_at"]),
        message_id=row["message_id"],
    )


def changed_columns(old: CountdownSettings, new: CountdownSettings) -> dict[str, Any]:
    """The override columns that differ between two versions of a server's settings."""
    before, after = _override_columns(old), _override_columns(new)
    return {name: value for name, value in after.items() if before[name] != value}


_BLOCKING_SQL = "('claimed', 'sending', 'sent', 'unconfirmed')"


# One write turn per connection (see CountdownRepository.__init__).
_write_turns: weakref.WeakKeyDictionary[aiosqlite.Connection, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def write_turn(conn: aiosqlite.Connection) -> asyncio.Lock:
    """The connection's write turn, shared by every repository that writes through it: a
    write outside it could land inside another repository's open transaction (and be
    rolled back with it)."""
    return _write_turns.setdefault(conn, asyncio.Lock())


class CountdownRepository:
    """Typed access to the countdown tables, with a write-through cache of settings.

    Settings writes have one owner, :class:`bot.scheduling.countdown.CountdownService`, which
    serialises them per server; this class only makes each write a single statement or
    transaction and keeps the cache in step with what was committed.
    """

    def __init__(self, conn: aiosqlite.Connection, *, shards: ShardScope | None = None) -> None:
        self._conn = conn
        # The shards this process runs: the tick, recovery and membership only ever look at
        # their servers (None: all of them). Set once the shard count is known.
        self.shards = shards
        self._settings = SettingsCache()
        # One connection serves every coroutine: writes take turns, so a command saving
        # settings never opens a transaction inside the tick's (or joins it by accident).
        # The turn belongs to the connection, shared by every repository opened on it.
        self._writing = write_turn(conn)

    # -- settings ---------------------------------------------------------------------------

    async def get_settings(self, guild_id: int) -> CountdownSettings:
        return await self._settings.get(guild_id, self.read_settings)

    async def read_settings(self, guild_id: int) -> CountdownSettings:
        """The settings as committed, bypassing the cache (for read-modify-write)."""
        async with self._conn.execute(
            "SELECT * FROM guild_settings WHERE guild_id = ?", (guild_id,)
        ) as cur:
            return _settings_from_row(guild_id, await cur.fetchone())

    async def save_settings(
        self, settings: CountdownSettings, *, next_post_at: dt.datetime | None, now: dt.datetime
    ) -> None:
        """Store the whole of ``settings`` and schedule its next post (seeding and imports).

        Commands change settings through the service, which writes only what changed.
        """
        await self._upsert(settings.guild_id, _override_columns(settings), next_post_at, now)
        self._settings.written(settings.guild_id, settings)

    async def write_changes(
        self,
        old: CountdownSettings,
        new: CountdownSettings,
        *,
        next_post_at: dt.datetime | None,
        now: dt.datetime,
        clear_error: bool = False,
    ) -> None:
        """Write the columns that differ between ``old`` and ``new`` and schedule the next post.

        The caller read ``old`` under the server's lock; columns it did not change are left
        as they are, so nothing written meanwhile by someone else is undone.
        """
        columns = changed_columns(old, new)
        if clear_error:
            columns.update(last_error=None, last_error_at=None, error_unseen=0)
        await self._upsert(new.guild_id, columns, next_post_at, now)
        self._settings.written(new.guild_id, new)

    async def _upsert(
        self,
        guild_id: int,
        columns: dict[str, Any],
        next_post_at: dt.datetime | None,
        now: dt.datetime,
    ) -> None:
        names = "".join(f", {name}" for name in columns)
        placeholders = "".join(f", :{name}" for name in columns)
        updates = "".join(f"{name} = excluded.{name}, " for name in columns)
        params = {**columns, "guild_id": guild_id, "updated_at": to_epoch(now)}
        async with self._transaction():
            await self._conn.execute(
                f"INSERT INTO guild_settings (guild_id{names}, updated_at)"
                f" VALUES (:guild_id{placeholders}, :updated_at)"
                f" ON CONFLICT (guild_id) DO UPDATE SET {updates}"
                " updated_at = excluded.updated_at, removed_at = NULL",
                params,
            )
            if next_post_at is not None:
                await self._schedule([(guild_id, next_post_at)])

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
        # Start-up schedules every server: thousands share each instant, converted once,
        # and rows go in key order, which is what the table's B-tree wants.
        epochs: dict[dt.datetime, int] = {}
        rows = []
        for guild_id, at in entries:
            epoch = epochs.get(at)
            if epoch is None:
                epoch = epochs[at] = to_epoch(at)
            rows.append((epoch, guild_id))
        rows.sort()
        await self._conn.executemany(
            "INSERT OR IGNORE INTO schedule (due_at, guild_id) VALUES (?, ?)", rows
        )

    async def reset(self, guild_id: int) -> bool:
        """Forget a server's settings and custom events (the ledger stays, to avoid reposts).

        Returns whether there was anything to forget. Its schedule entries are left to
        expire: the tick only reads entries of servers that still have settings.
        """
        try:
            async with self._transaction():
                async with self._conn.execute(
                    "DELETE FROM guild_settings WHERE guild_id = ? RETURNING guild_id",
                    (guild_id,),
                ) as cur:
                    had_settings = await cur.fetchone() is not None
                async with self._conn.execute(
                    "DELETE FROM custom_events WHERE guild_id = ? RETURNING id", (guild_id,)
                ) as cur:
                    had_events = await cur.fetchone() is not None
        finally:
            self._settings.written(guild_id, None)
        return had_settings or had_events

    async def get_status(self, guild_id: int, *, now: dt.datetime) -> CountdownStatus:
        """Settings and history; ``next_post_at`` is the next post instant by the settings
        alone (the service narrows it to the next post that really goes out)."""
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

    async def send_context(self, guild_id: int) -> SendContext:
        """The committed settings and membership of a server, read fresh before a send."""
        async with self._conn.execute(
            "SELECT * FROM guild_settings WHERE guild_id = ?", (guild_id,)
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return SendContext(None, removed=False)
        return SendContext(_settings_from_row(guild_id, row), removed=row["removed_at"] is not None)

    async def get_settings_many(self, guild_ids: list[int]) -> dict[int, CountdownSettings]:
        """``get_settings`` for many servers with one query for those not cached (a tick)."""
        return await self._settings.get_many(guild_ids, self._read_settings_many)

    async def _read_settings_many(self, guild_ids: list[int]) -> dict[int, CountdownSettings]:
        async with self._conn.execute(
            "SELECT * FROM guild_settings WHERE guild_id IN (SELECT value FROM json_each(?))",
            (json.dumps(guild_ids),),
        ) as cur:
            rows = {row["guild_id"]: row for row in await cur.fetchall()}
        return {gid: _settings_from_row(gid, rows.get(gid)) for gid in guild_ids}

    def _owned(self, column: str) -> str:
        return "TRUE" if self.shards is None else self.shards.sql(column)

    async def unscheduled(self, now: dt.datetime) -> list[CountdownSettings]:
        """Running countdowns with nothing in the schedule after ``now`` (start-up fills them)."""
        # Every server at start-up: plain tuples in a fixed column order, not named rows.
        async with self._conn.execute(
            f"SELECT {', '.join(_SETTINGS_COLUMNS)} FROM guild_settings"
            " WHERE channel_id IS NOT NULL AND removed_at IS NULL AND coalesce(enabled, 1) = 1"
            f" AND {self._owned('guild_id')}"
            " AND guild_id NOT IN (SELECT guild_id FROM schedule WHERE due_at > ?)",
            (to_epoch(now),),
        ) as cur:
            cur.row_factory = None  # type: ignore[assignment]
            rows = await cur.fetchall()
        return [_settings_from_tuple(row) for row in rows]

    async def set_next_posts(self, entries: list[tuple[int, dt.datetime]]) -> None:
        """Schedule many post instants in one transaction (start-up)."""
        if entries:
            async with self._transaction():
                await self._schedule(entries)

    _RUNNING = (
        " JOIN guild_settings AS g ON g.guild_id = s.guild_id"
        " WHERE g.channel_id IS NOT NULL AND g.removed_at IS NULL"
        " AND coalesce(g.enabled, 1) = 1"
    )

    async def due(self, now: dt.datetime, limit: int = 10_000) -> list[tuple[int, dt.datetime]]:
        """Schedule entries whose instant has come, oldest first, for running countdowns.

        A server may appear more than once (a stale entry beside its current one); the caller
        judges each entry against the settings.
        """
        async with self._conn.execute(
            "SELECT s.guild_id, s.due_at FROM schedule AS s"
            + self._RUNNING
            + f" AND {self._owned('s.guild_id')}"
            + " AND s.due_at <= ? ORDER BY s.due_at, s.guild_id LIMIT ?",
            (to_epoch(now), limit),
        ) as cur:
            rows = await cur.fetchall()
        return [(row[0], from_epoch(row[1])) for row in rows]  # type: ignore[misc]

    async def next_due_after(self, now: dt.datetime) -> dt.datetime | None:
        """The earliest scheduled instant after ``now`` of a running countdown (wake-up)."""
        async with self._conn.execute(
            "SELECT s.due_at FROM schedule AS s"
            + self._RUNNING
            + f" AND {self._owned('s.guild_id')}"
            + " AND s.due_at > ? ORDER BY s.due_at LIMIT 1",
            (to_epoch(now),),
        ) as cur:
            row = await cur.fetchone()
        return None if row is None else from_epoch(row[0])

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
        """Remember a failure for ``status``; ``pause`` also stops the countdown.

        Only these columns are written; callers hold the service's per-server lock.
        """
        await self._write(
            "UPDATE guild_settings SET last_error = ?, last_error_at = ?, error_unseen = 1"
            + (", enabled = 0" if pause else "")
            + " WHERE guild_id = ?",
            (error, to_epoch(at), guild_id),
        )
        if pause:
            self._settings.written(guild_id, None)

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
            async with self._conn.execute(
                f"SELECT guild_id, removed_at FROM guild_settings WHERE {self._owned('guild_id')}"
            ) as cur:
                cur.row_factory = None  # type: ignore[assignment]  # plain tuples: every server
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

    async def removed_before(self, before: dt.datetime) -> list[int]:
        """Servers the bot left before ``before`` (their grace period is over)."""
        async with self._conn.execute(
            "SELECT guild_id FROM guild_settings WHERE removed_at IS NOT NULL AND removed_at < ?"
            f" AND {self._owned('guild_id')}",
            (to_epoch(before),),
        ) as cur:
            return [row[0] for row in await cur.fetchall()]

    async def purge_server(self, guild_id: int) -> None:
        """Delete everything about one server: settings, events and ledger (all indexed),
        and the premiere kit's options and Discord event links (their grace period is this one)."""
        try:
            async with self._transaction():
                for table in SERVER_TABLES:
                    await self._conn.execute(f"DELETE FROM {table} WHERE guild_id = ?", (guild_id,))
        finally:
            self._settings.written(guild_id, None)

    # -- custom events ----------------------------------------------------------------------

    async def add_event(
        self,
        guild_id: int,
        name: str,
        starts_at: dt.datetime,
        *,
        created_by: int,
        now: dt.datetime,
        reminders: frozenset[Reminder] = DEFAULT_REMINDERS,
    ) -> CustomEvent | None:
        """Add an event; None if the server already has one with that name."""
        token = secrets.token_hex(6)
        row = await self._write_returning(
            "INSERT INTO custom_events (guild_id, name, starts_at, created_by, created_at,"
            " reminders, token) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
            (
                guild_id,
                name,
                to_epoch(starts_at),
                created_by,
                to_epoch(now),
                store_reminders(reminders),
                token,
            ),
        )
        if row is None:
            return None
        return CustomEvent(row[0], guild_id, name, starts_at, reminders, token=token)

    async def list_events(self, guild_id: int) -> list[CustomEvent]:
        async with self._conn.execute(
            "SELECT id, name, starts_at, reminders, revision, token FROM custom_events"
            " WHERE guild_id = ? ORDER BY starts_at",
            (guild_id,),
        ) as cur:
            rows = await cur.fetchall()
        return [
            CustomEvent(
                r[0],
                guild_id,
                r[1],
                from_epoch(r[2]),
                parse_reminders(r[3]),
                r[4],
                r[5] or "",  # type: ignore[arg-type]
            )
            for r in rows
        ]

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
        handled: list[tuple[int, dt.datetime]],
    ) -> list[Delivery]:
        """One transaction for a tick: ledger rows in, handled entries out, next instants in.

        A claim is refused when the server already has a post, sent or possibly sent, whose
        instant lies within the claim's local day (whatever its target or zone). ``handled``
        are exactly the schedule entries the tick read: an entry written meanwhile stays.
        Returns the claims now held (state ``claimed``); the caller sends exactly those.
        A crash after this commit leaves them claimed for :meth:`open_deliveries`.
        """
        async with self._transaction():
            taken = await self._days_taken(claims)
            granted = [c for c in claims if (c.guild_id, c.day_start) not in taken]
            # A failed or skipped row of the same day is claimed anew (the day is still open).
            await self._conn.executemany(
                "INSERT INTO deliveries (guild_id, day_start, day_end, local_date, time_zone,"
                " target_key, nonce, state, boot_id, scheduled_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, 'claimed', ?, ?)"
                " ON CONFLICT (guild_id, day_start) DO UPDATE SET state = 'claimed',"
                " boot_id = excluded.boot_id, scheduled_at = excluded.scheduled_at,"
                " target_key = excluded.target_key, time_zone = excluded.time_zone,"
                " sending_at = NULL, sent_at = NULL, error = NULL",
                [
                    (
                        c.guild_id,
                        to_epoch(c.day_start),
                        to_epoch(c.day_end),
                        c.local_date.isoformat(),
                        c.timezone,
                        c.target_key,
                        c.nonce,
                        c.boot_id,
                        to_epoch(c.scheduled_at),
                    )
                    for c in granted
                ],
            )
            await self._conn.executemany(
                "DELETE FROM schedule WHERE due_at = ? AND guild_id = ?",
                [(to_epoch(at), guild_id) for guild_id, at in handled],
            )
            await self._schedule(next_posts)
        return granted

    async def _days_taken(self, claims: list[Delivery]) -> set[tuple[int, dt.datetime]]:
        """The claims whose local day already holds a post of their server (one query)."""
        if not claims:
            return set()
        keys = [
            [c.guild_id, to_epoch(c.day_start), to_epoch(c.day_end), to_epoch(c.day_start)]
            for c in claims
        ]
        async with self._conn.execute(
            "SELECT json_extract(k.value, '$[0]'), json_extract(k.value, '$[3]')"
            " FROM json_each(?) AS k WHERE EXISTS (SELECT 1 FROM deliveries AS d"
            " WHERE d.guild_id = json_extract(k.value, '$[0]')"
            " AND d.scheduled_at >= json_extract(k.value, '$[1]')"
            " AND d.scheduled_at < json_extract(k.value, '$[2]')"
            f" AND d.state IN {_BLOCKING_SQL})",
            (json.dumps(keys),),
        ) as cur:
            return {(row[0], from_epoch(row[1])) for row in await cur.fetchall()}  # type: ignore[misc]

    async def posted_instants(self, guild_id: int, since: dt.datetime) -> list[dt.datetime]:
        """Instants of this server's posts since ``since`` that were, or may have been, sent."""
        async with self._conn.execute(
            "SELECT scheduled_at FROM deliveries WHERE guild_id = ? AND scheduled_at >= ?"
            f" AND state IN {_BLOCKING_SQL}",
            (guild_id, to_epoch(since)),
        ) as cur:
            return [from_epoch(row[0]) for row in await cur.fetchall()]  # type: ignore[misc]

    async def start_sending(self, row: LedgerRow, *, boot_id: str, at: dt.datetime) -> bool:
        """Mark a claim as being sent by ``boot_id``; False if it is no longer this claim.

        A row already ``sending`` (a retry after a lost connection) keeps its first
        ``sending_at``: the nonce window is counted from the first request that may have
        arrived.
        """
        table, where, params = _row_where(row)
        found = await self._write_returning(
            f"UPDATE {table} SET sending_at = CASE state WHEN 'sending' THEN sending_at"
            f" ELSE ? END, state = 'sending' WHERE {where}"
            " AND state IN ('claimed', 'sending') AND boot_id = ? RETURNING guild_id",
            (to_epoch(at), *params, boot_id),
        )
        return found is not None

    async def release_claim(self, row: LedgerRow, *, boot_id: str) -> None:
        """Back to ``claimed`` after a request Discord answered with an error (nothing sent)."""
        table, where, params = _row_where(row)
        await self._write(
            f"UPDATE {table} SET state = 'claimed', sending_at = NULL"
            f" WHERE {where} AND state = 'sending' AND boot_id = ?",
            (*params, boot_id),
        )

    async def adopt(self, row: LedgerRow, *, boot_id: str) -> bool:
        """Take over an open claim left by a process that is gone, to send it again; only
        while it still names the boot it was read with, so of two adopters one wins."""
        table, where, params = _row_where(row)
        found = await self._write_returning(
            f"UPDATE {table} SET state = 'claimed', boot_id = ?"
            f" WHERE {where} AND state IN ('claimed', 'sending') AND boot_id IS ?"
            " RETURNING guild_id",
            (boot_id, *params, row.boot_id),
        )
        return found is not None

    async def forget_deliveries_before(self, instant: dt.datetime) -> None:
        """Drop ledger rows older than ``instant``: they can no longer cause a repost.

        One-off rows go once expired before ``instant``: nobody schedules an expired one.
        """
        await self._write("DELETE FROM deliveries WHERE scheduled_at < ?", (to_epoch(instant),))
        await self._write("DELETE FROM one_off_posts WHERE expires_at < ?", (to_epoch(instant),))

    async def open_deliveries(self) -> list[LedgerRow]:
        """Posts claimed or in flight, oldest first (a process died before finishing)."""
        async with self._conn.execute(
            "SELECT * FROM deliveries WHERE state IN ('claimed', 'sending')"
            f" AND {self._owned('guild_id')} ORDER BY scheduled_at"
        ) as cur:
            routine: list[LedgerRow] = [_delivery_from_row(row) for row in await cur.fetchall()]
        async with self._conn.execute(
            "SELECT * FROM one_off_posts WHERE state IN ('claimed', 'sending')"
            f" AND {self._owned('guild_id')} ORDER BY due_at, guild_id, key"
        ) as cur:
            return routine + [_one_off_from_row(row) for row in await cur.fetchall()]

    async def finish_delivery(
        self,
        row: LedgerRow,
        *,
        state: str,
        at: dt.datetime,
        channel_id: int | None = None,
        message_id: int | None = None,
        error: str | None = None,
    ) -> None:
        table, where, params = _row_where(row)
        await self._write(
            f"UPDATE {table} SET state = ?, sent_at = ?, channel_id = ?, message_id = ?,"
            f" error = ? WHERE {where}",
            (state, to_epoch(at), channel_id, message_id, error, *params),
        )

    # -- one-off posts ----------------------------------------------------------------------

    async def add_one_off(self, post: OneOffPost, *, now: dt.datetime) -> bool:
        """Record a one-off post; False if this server already has one with that key."""
        row = await self._write_returning(
            "INSERT INTO one_off_posts (guild_id, key, kind, payload, due_at, expires_at, nonce,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
            " RETURNING guild_id",
            (
                post.guild_id,
                post.key,
                post.kind,
                json.dumps(post.payload, sort_keys=True),
                to_epoch(post.due_at),
                to_epoch(post.expires_at),
                post.nonce,
                to_epoch(now),
            ),
        )
        return row is not None

    async def cancel_one_offs(self, guild_id: int, key_prefix: str, *, at: dt.datetime) -> int:
        """Skip this server's one-off posts not yet claimed whose key starts with the prefix."""
        async with (
            self._writing,
            self._conn.execute(
                "UPDATE one_off_posts SET state = 'skipped', sent_at = ?, error = 'cancelled'"
                " WHERE guild_id = ? AND state = 'pending' AND substr(key, 1, ?) = ?"
                " RETURNING key",
                (to_epoch(at), guild_id, len(key_prefix), key_prefix),
            ) as cur,
        ):
            return len(await cur.fetchall())

    async def one_offs(self, guild_id: int) -> list[OneOffPost]:
        """A server's one-off posts, any state, by due time (status, tests)."""
        async with self._conn.execute(
            "SELECT * FROM one_off_posts WHERE guild_id = ? ORDER BY due_at, key", (guild_id,)
        ) as cur:
            return [_one_off_from_row(row) for row in await cur.fetchall()]

    async def claim_due_one_offs(
        self, now: dt.datetime, *, boot_id: str, limit: int = 1000
    ) -> list[OneOffPost]:
        """Claim the pending one-off posts that are due, oldest first, of this process's
        shards only (like :meth:`due`)."""
        async with (
            self._writing,
            self._conn.execute(
                "UPDATE one_off_posts SET state = 'claimed', boot_id = ?"
                " WHERE (guild_id, key) IN (SELECT guild_id, key FROM one_off_posts"
                f" WHERE state = 'pending' AND due_at <= ? AND {self._owned('guild_id')}"
                " ORDER BY due_at LIMIT ?) RETURNING *",
                (boot_id, to_epoch(now), limit),
            ) as cur,
        ):
            rows = await cur.fetchall()
        return sorted(map(_one_off_from_row, rows), key=lambda p: (p.due_at, p.key))

    async def next_one_off_after(self, now: dt.datetime) -> dt.datetime | None:
        async with self._conn.execute(
            "SELECT min(due_at) FROM one_off_posts WHERE state = 'pending' AND due_at > ?"
            f" AND {self._owned('guild_id')}",
            (to_epoch(now),),
        ) as cur:
            row = await cur.fetchone()
        return None if row is None or row[0] is None else from_epoch(row[0])

    async def count_deliveries(self, guild_id: int, state: str = "sent") -> int:
        async with self._conn.execute(
            "SELECT count(*) FROM deliveries WHERE guild_id = ? AND state = ?", (guild_id, state)
        ) as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    # -- editing events (issue 8) -----------------------------------------------------------

    async def update_event(
        self,
        guild_id: int,
        event_id: int,
        *,
        name: str | None = None,
        starts_at: dt.datetime | None = None,
        reminders: frozenset[Reminder] | None = None,
    ) -> CustomEvent | None:
        """Change what is given and bump the revision; None if the event no longer exists.

        Raises EventNameTaken when another event of the server already has ``name``.
        """
        try:
            row = await self._write_returning(
                "UPDATE custom_events SET name = coalesce(?, name),"
                " starts_at = coalesce(?, starts_at), reminders = coalesce(?, reminders),"
                " revision = revision + 1 WHERE guild_id = ? AND id = ?"
                " RETURNING id, name, starts_at, reminders, revision, token",
                (
                    name,
                    to_epoch(starts_at) if starts_at else None,
                    store_reminders(reminders) if reminders is not None else None,
                    guild_id,
                    event_id,
                ),
            )
        except aiosqlite.IntegrityError:
            raise EventNameTaken(name or "") from None
        if row is None:
            return None
        return CustomEvent(
            row[0],
            guild_id,
            row[1],
            from_epoch(row[2]),
            parse_reminders(row[3]),
            row[4],  # type: ignore[arg-type]
            row[5] or "",
        )

    async def upcoming_events(self, now: dt.datetime) -> list[CustomEvent]:
        """Every server's events that have not started yet (reminders restored at start-up)."""
        async with self._conn.execute(
            "SELECT id, guild_id, name, starts_at, reminders, revision, token"
            " FROM custom_events WHERE starts_at > ? ORDER BY starts_at",
            (to_epoch(now),),
        ) as cur:
            rows = await cur.fetchall()
        return [
            CustomEvent(
                r[0],
                r[1],
                r[2],
                from_epoch(r[3]),
                parse_reminders(r[4]),
                r[5],
                r[6] or "",  # type: ignore[arg-type]
            )
            for r in rows
        ]


class EventNameTaken(Exception):
    """Another event of the server already has this name (names are unique, any case)."""
