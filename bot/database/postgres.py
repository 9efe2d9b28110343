"""The countdown storage on PostgreSQL (asyncpg), for several bot processes sharing one store.

Same interface and row format as the SQLite repository in ``countdown.py`` (see
:class:`bot.database.store.CountdownStore`); only the SQL differs. What several processes add:

* **Exactly-once through the database.** The ledger's primary key ``(guild_id, day_start)``
  admits one claim per server and local day; a claim replaces only a row that left the day
  open (failed, skipped), in the same statement that inserts it. The tick first locks the
  settings rows of the servers it claims (``FOR UPDATE``, in id order so two processes never
  deadlock), so the "any post already inside this local day?" check and the insert see every
  other process's committed claims.
* **Ownership by shard.** A process reads only the schedule, open claims and memberships of
  servers on its own shards (``shards``), so two processes never plan the same server.
* **Recovery by boot id.** A claim names the process that made it; a restarted process adopts
  its shards' claims from an earlier boot, and an adoption succeeds only while the claim
  still names the boot it was read with (two adopters cannot both win).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import secrets
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import asyncpg

from bot.countdown.clock import next_post_instant
from bot.countdown.settings import (
    DEFAULT_REMINDERS,
    CountdownSettings,
    CustomEvent,
    Reminder,
    parse_reminders,
    store_reminders,
)
from bot.database.connection import MigrationError, discover_migrations
from bot.database.countdown import (
    BLOCKING_STATES,
    SERVER_TABLES,
    CountdownStatus,
    Delivery,
    EventNameTaken,
    LedgerRow,
    OneOffPost,
    SendContext,
    _delivery_from_row,
    _one_off_from_row,
    _override_columns,
    _settings_from_row,
    changed_columns,
    from_epoch,
    to_epoch,
)
from bot.database.premiere import (
    EventLink,
    _link_from_row,
    premiere_from_row,
    premiere_params,
)
from bot.database.settings_cache import SettingsCache
from bot.premiere.settings import PremiereSettings
from bot.scheduling.sharding import ShardScope

log = logging.getLogger(__name__)

PG_MIGRATIONS_DIR = Path(__file__).with_name("migrations_pg")
# Any fixed number: processes starting together take turns to migrate.
_MIGRATION_LOCK = 7_310_412_2024
_BLOCKING = list(BLOCKING_STATES)


async def apply_pg_migrations(pool: asyncpg.Pool, directory: Path = PG_MIGRATIONS_DIR) -> list[int]:
    """Apply every migration newer than the database, each in its own transaction together
    with its version row; an advisory lock makes concurrent starts wait for each other."""
    applied = []
    async with pool.acquire() as conn:
        for migration in discover_migrations(directory):
            async with conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock($1)", _MIGRATION_LOCK)
                await conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations ("
                    " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                    " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
                )
                current = await conn.fetchval(
                    "SELECT coalesce(max(version), 0) FROM schema_migrations"
                )
                if migration.version <= current:
                    continue
                try:
                    await conn.execute(migration.sql)
                except asyncpg.PostgresError as exc:
                    raise MigrationError(f"migration {migration.name} failed: {exc}") from exc
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                    migration.version,
                    migration.name,
                )
            log.info("Applied PostgreSQL migration %s", migration.name)
            applied.append(migration.version)
    return applied


@contextlib.asynccontextmanager
async def open_postgres(
    url: str, *, min_size: int = 1, max_size: int = 10
) -> AsyncIterator[asyncpg.Pool]:
    """A connection pool with the schema brought up to date; closed on exit."""
    pool = await asyncpg.create_pool(url, min_size=min_size, max_size=max_size)
    try:
        await apply_pg_migrations(pool)
        yield pool
    finally:
        await pool.close()


class PostgresMetaRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def get(self, key: str) -> str | None:
        return await self._pool.fetchval("SELECT value FROM bot_meta WHERE key = $1", key)

    async def set(self, key: str, value: str) -> None:
        await self._pool.execute(
            "INSERT INTO bot_meta (key, value) VALUES ($1, $2)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            key,
            value,
        )


class PostgresIdentifyTurns:
    """IDENTIFY turns shared by every process (see migration 0002), on the server's clock."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def reserve(self, bucket: int, window: float) -> float:
        # The upsert locks the bucket's row: concurrent bookings get consecutive turns.
        wait = await self._pool.fetchval(
            "INSERT INTO identify_turns AS t (bucket, next_at)"
            " VALUES ($1, extract(epoch FROM clock_timestamp()) + $2)"
            " ON CONFLICT (bucket) DO UPDATE"
            " SET next_at = greatest(t.next_at, extract(epoch FROM clock_timestamp())) + $2"
            " RETURNING next_at - $2 - extract(epoch FROM clock_timestamp())",
            bucket,
            float(window),
        )
        return max(0.0, float(wait))


class PostgresLeases:
    """Process leases (see migration 0003): who runs which shards, and who stopped renewing."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def renew(self, boot_id: str, scope: ShardScope, seconds: float) -> None:
        await self._pool.execute(
            "INSERT INTO process_leases (boot_id, shard_count, shard_ids, expires_at)"
            " VALUES ($1, $2, $3, extract(epoch FROM clock_timestamp()) + $4)"
            " ON CONFLICT (boot_id) DO UPDATE SET shard_count = excluded.shard_count,"
            " shard_ids = excluded.shard_ids, expires_at = excluded.expires_at",
            boot_id,
            scope.count,
            sorted(scope.ids),
            float(seconds),
        )

    async def orphaned(self, shard_count: int) -> set[int]:
        """Shards whose last holder stopped renewing and that no live lease covers now."""
        rows = await self._pool.fetch(
            "SELECT DISTINCT s.shard FROM process_leases AS l, unnest(l.shard_ids) AS s(shard)"
            " WHERE l.shard_count = $1 AND l.expires_at < extract(epoch FROM clock_timestamp())"
            " AND NOT EXISTS (SELECT 1 FROM process_leases AS live"
            " WHERE live.shard_count = $1 AND s.shard = ANY(live.shard_ids)"
            " AND live.expires_at >= extract(epoch FROM clock_timestamp()))",
            shard_count,
        )
        return {row[0] for row in rows}

    async def release(self, boot_id: str) -> None:
        await self._pool.execute("DELETE FROM process_leases WHERE boot_id = $1", boot_id)


def _epochs(instants: Sequence[dt.datetime]) -> list[int]:
    return [to_epoch(at) for at in instants]


def _row_where(row: LedgerRow, first: int) -> tuple[str, str, tuple[Any, ...]]:
    """The table of a ledger row and the WHERE clause naming it, numbered from ``$first``."""
    if isinstance(row, OneOffPost):
        where = f"guild_id = ${first} AND key = ${first + 1}"
        return "one_off_posts", where, (row.guild_id, row.key)
    where = f"guild_id = ${first} AND day_start = ${first + 1}"
    return "deliveries", where, (row.guild_id, to_epoch(row.day_start))


def _event_from_row(guild_id: int, row: Any) -> CustomEvent:
    return CustomEvent(
        row["id"],
        guild_id,
        row["name"],
        from_epoch(row["starts_at"]),  # type: ignore[arg-type]
        parse_reminders(row["reminders"]),
        row["revision"],
        row["token"] or "",
    )


_EVENT_COLUMNS = "id, guild_id, name, starts_at, reminders, revision, token"


class PostgresCountdownRepository:
    """:class:`bot.database.countdown.CountdownRepository`, on a PostgreSQL pool."""

    def __init__(self, pool: asyncpg.Pool, *, shards: ShardScope | None = None) -> None:
        self._pool = pool
        self.shards = shards
        # The same write-through cache as the SQLite repository. It is safe with several
        # processes because a server's settings are only written by the process running its
        # shard (its commands arrive there), and the sender re-reads them before each post.
        self._settings = SettingsCache()

    def _owned(self, column: str) -> str:
        return "TRUE" if self.shards is None else self.shards.sql(column)

    # -- settings ---------------------------------------------------------------------------

    async def get_settings(self, guild_id: int) -> CountdownSettings:
        return await self._settings.get(guild_id, self.read_settings)

    async def read_settings(self, guild_id: int) -> CountdownSettings:
        row = await self._pool.fetchrow(
            "SELECT * FROM guild_settings WHERE guild_id = $1", guild_id
        )
        return _settings_from_row(guild_id, row)

    async def save_settings(
        self, settings: CountdownSettings, *, next_post_at: dt.datetime | None, now: dt.datetime
    ) -> None:
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
        # Column names come from the fixed set in _override_columns, never from input.
        names = list(columns)
        column_list = "".join(f", {name}" for name in names)
        placeholders = "".join(f", ${n}" for n in range(3, len(names) + 3))
        updates = "".join(f"{name} = excluded.{name}, " for name in names)
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(
                f"INSERT INTO guild_settings (guild_id, updated_at{column_list})"
                f" VALUES ($1, $2{placeholders})"
                f" ON CONFLICT (guild_id) DO UPDATE SET {updates}"
                " updated_at = excluded.updated_at, removed_at = NULL",
                guild_id,
                to_epoch(now),
                *columns.values(),
            )
            if next_post_at is not None:
                await self._schedule(conn, [(guild_id, next_post_at)])

    @staticmethod
    async def _schedule(conn: asyncpg.Connection, entries: list[tuple[int, dt.datetime]]) -> None:
        if entries:
            await conn.execute(
                "INSERT INTO schedule (due_at, guild_id)"
                " SELECT * FROM unnest($1::bigint[], $2::bigint[]) ON CONFLICT DO NOTHING",
                _epochs([at for _, at in entries]),
                [guild_id for guild_id, _ in entries],
            )

    async def reset(self, guild_id: int) -> bool:
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                settings = await conn.fetchval(
                    "DELETE FROM guild_settings WHERE guild_id = $1 RETURNING guild_id", guild_id
                )
                events = await conn.fetch(
                    "DELETE FROM custom_events WHERE guild_id = $1 RETURNING id", guild_id
                )
        finally:
            self._settings.written(guild_id, None)
        return settings is not None or bool(events)

    async def get_status(self, guild_id: int, *, now: dt.datetime) -> CountdownStatus:
        row = await self._pool.fetchrow(
            "SELECT * FROM guild_settings WHERE guild_id = $1", guild_id
        )
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
        row = await self._pool.fetchrow(
            "SELECT * FROM guild_settings WHERE guild_id = $1", guild_id
        )
        if row is None:
            return SendContext(None, removed=False)
        return SendContext(_settings_from_row(guild_id, row), removed=row["removed_at"] is not None)

    async def get_settings_many(self, guild_ids: list[int]) -> dict[int, CountdownSettings]:
        return await self._settings.get_many(guild_ids, self._read_settings_many)

    async def _read_settings_many(self, guild_ids: list[int]) -> dict[int, CountdownSettings]:
        rows = await self._pool.fetch(
            "SELECT * FROM guild_settings WHERE guild_id = ANY($1::bigint[])", guild_ids
        )
        by_id = {row["guild_id"]: row for row in rows}
        return {gid: _settings_from_row(gid, by_id.get(gid)) for gid in guild_ids}

    async def unscheduled(self, now: dt.datetime) -> list[CountdownSettings]:
        rows = await self._pool.fetch(
            "SELECT * FROM guild_settings AS g WHERE channel_id IS NOT NULL"
            " AND removed_at IS NULL AND coalesce(enabled, 1) = 1"
            f" AND {self._owned('g.guild_id')}"
            " AND NOT EXISTS (SELECT 1 FROM schedule AS s"
            " WHERE s.guild_id = g.guild_id AND s.due_at > $1)",
            to_epoch(now),
        )
        return [_settings_from_row(row["guild_id"], row) for row in rows]

    async def set_next_posts(self, entries: list[tuple[int, dt.datetime]]) -> None:
        if entries:
            async with self._pool.acquire() as conn:
                await self._schedule(conn, entries)

    _RUNNING = (
        " JOIN guild_settings AS g ON g.guild_id = s.guild_id"
        " WHERE g.channel_id IS NOT NULL AND g.removed_at IS NULL"
        " AND coalesce(g.enabled, 1) = 1"
    )

    async def due(self, now: dt.datetime, limit: int = 10_000) -> list[tuple[int, dt.datetime]]:
        rows = await self._pool.fetch(
            "SELECT s.guild_id, s.due_at FROM schedule AS s"
            + self._RUNNING
            + f" AND {self._owned('s.guild_id')}"
            + " AND s.due_at <= $1 ORDER BY s.due_at, s.guild_id LIMIT $2",
            to_epoch(now),
            limit,
        )
        return [(row[0], from_epoch(row[1])) for row in rows]  # type: ignore[misc]

    async def next_due_after(self, now: dt.datetime) -> dt.datetime | None:
        due_at = await self._pool.fetchval(
            "SELECT s.due_at FROM schedule AS s"
            + self._RUNNING
            + f" AND {self._owned('s.guild_id')}"
            + " AND s.due_at > $1 ORDER BY s.due_at LIMIT 1",
            to_epoch(now),
        )
        return from_epoch(due_at)

    async def record_success(
        self, guild_id: int, at: dt.datetime, *, channel_id: int, message_id: int
    ) -> None:
        await self._pool.execute(
            "UPDATE guild_settings SET last_post_at = $1, last_channel_id = $2,"
            " last_message_id = $3 WHERE guild_id = $4",
            to_epoch(at),
            channel_id,
            message_id,
            guild_id,
        )

    async def record_error(
        self, guild_id: int, error: str, at: dt.datetime, *, pause: bool
    ) -> None:
        await self._pool.execute(
            "UPDATE guild_settings SET last_error = $1, last_error_at = $2, error_unseen = 1"
            + (", enabled = 0" if pause else "")
            + " WHERE guild_id = $3",
            error,
            to_epoch(at),
            guild_id,
        )
        if pause:
            self._settings.written(guild_id, None)

    async def take_unseen_error(self, guild_id: int) -> str | None:
        row = await self._pool.fetchrow(
            "UPDATE guild_settings SET error_unseen = 0"
            " WHERE guild_id = $1 AND error_unseen = 1 RETURNING last_error",
            guild_id,
        )
        return None if row is None else row[0]

    # -- membership -------------------------------------------------------------------------

    async def mark_removed(self, guild_id: int, at: dt.datetime) -> None:
        await self._pool.execute(
            "UPDATE guild_settings SET removed_at = $1 WHERE guild_id = $2 AND removed_at IS NULL",
            to_epoch(at),
            guild_id,
        )

    async def mark_present(self, guild_id: int) -> bool:
        row = await self._pool.fetchrow(
            "UPDATE guild_settings SET removed_at = NULL"
            " WHERE guild_id = $1 AND removed_at IS NOT NULL RETURNING guild_id",
            guild_id,
        )
        return row is not None

    async def reconcile_membership(
        self, present: set[int], at: dt.datetime
    ) -> tuple[list[int], list[int]]:
        """As in SQLite, but only over this process's shards: the servers of other shards
        are not in ``present`` and must not be marked as left."""
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                "SELECT guild_id, removed_at FROM guild_settings"
                f" WHERE {self._owned('guild_id')} FOR UPDATE"
            )
            back = [gid for gid, removed in rows if removed is not None and gid in present]
            left = [gid for gid, removed in rows if removed is None and gid not in present]
            await conn.execute(
                "UPDATE guild_settings SET removed_at = NULL WHERE guild_id = ANY($1::bigint[])",
                back,
            )
            await conn.execute(
                "UPDATE guild_settings SET removed_at = $1 WHERE guild_id = ANY($2::bigint[])",
                to_epoch(at),
                left,
            )
        return back, left

    async def removed_before(self, before: dt.datetime) -> list[int]:
        rows = await self._pool.fetch(
            "SELECT guild_id FROM guild_settings WHERE removed_at IS NOT NULL AND removed_at < $1"
            f" AND {self._owned('guild_id')}",
            to_epoch(before),
        )
        return [row[0] for row in rows]

    async def purge_server(self, guild_id: int) -> None:
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                for table in SERVER_TABLES:  # the same list as SQLite's, premiere included
                    await conn.execute(f"DELETE FROM {table} WHERE guild_id = $1", guild_id)
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
        token = secrets.token_hex(6)
        event_id = await self._pool.fetchval(
            "INSERT INTO custom_events (guild_id, name, starts_at, created_by, created_at,"
            " reminders, token) VALUES ($1, $2, $3, $4, $5, $6, $7)"
            " ON CONFLICT DO NOTHING RETURNING id",
            guild_id,
            name,
            to_epoch(starts_at),
            created_by,
            to_epoch(now),
            store_reminders(reminders),
            token,
        )
        if event_id is None:
            return None
        return CustomEvent(event_id, guild_id, name, starts_at, reminders, token=token)

    async def list_events(self, guild_id: int) -> list[CustomEvent]:
        rows = await self._pool.fetch(
            f"SELECT {_EVENT_COLUMNS} FROM custom_events WHERE guild_id = $1"
            " ORDER BY starts_at, id",
            guild_id,
        )
        return [_event_from_row(guild_id, row) for row in rows]

    async def remove_event(self, guild_id: int, event_id: int) -> bool:
        row = await self._pool.fetchrow(
            "DELETE FROM custom_events WHERE guild_id = $1 AND id = $2 RETURNING id",
            guild_id,
            event_id,
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
        """One transaction for a tick, safe against other processes (see the module doc)."""
        async with self._pool.acquire() as conn, conn.transaction():
            granted: list[Delivery] = []
            if claims:
                await conn.execute(
                    "SELECT 1 FROM guild_settings WHERE guild_id = ANY($1::bigint[])"
                    " ORDER BY guild_id FOR UPDATE",
                    sorted({c.guild_id for c in claims}),
                )
                taken = await self._days_taken(conn, claims)
                wanted = [c for c in claims if (c.guild_id, c.day_start) not in taken]
                granted = await self._insert_claims(conn, wanted)
            if handled:
                await conn.execute(
                    "DELETE FROM schedule WHERE (due_at, guild_id) IN"
                    " (SELECT * FROM unnest($1::bigint[], $2::bigint[]))",
                    _epochs([at for _, at in handled]),
                    [guild_id for guild_id, _ in handled],
                )
            await self._schedule(conn, next_posts)
        return granted

    @staticmethod
    async def _days_taken(
        conn: asyncpg.Connection, claims: list[Delivery]
    ) -> set[tuple[int, dt.datetime]]:
        """The claims whose local day already holds a post of their server (one query)."""
        rows = await conn.fetch(
            "SELECT k.guild_id, k.day_start"
            " FROM unnest($1::bigint[], $2::bigint[], $3::bigint[])"
            " AS k(guild_id, day_start, day_end)"
            " WHERE EXISTS (SELECT 1 FROM deliveries AS d WHERE d.guild_id = k.guild_id"
            " AND d.scheduled_at >= k.day_start AND d.scheduled_at < k.day_end"
            " AND d.state = ANY($4::text[]))",
            [c.guild_id for c in claims],
            _epochs([c.day_start for c in claims]),
            _epochs([c.day_end for c in claims]),
            _BLOCKING,
        )
        return {(row[0], from_epoch(row[1])) for row in rows}  # type: ignore[misc]

    @staticmethod
    async def _insert_claims(conn: asyncpg.Connection, claims: list[Delivery]) -> list[Delivery]:
        """Insert the claims; a row that closed its day stays. Returns those now held."""
        if not claims:
            return []
        rows = await conn.fetch(
            "INSERT INTO deliveries (guild_id, day_start, day_end, local_date, time_zone,"
            " target_key, nonce, state, boot_id, scheduled_at)"
            " SELECT g, s, e, d, z, t, n, 'claimed', b, a FROM unnest($1::bigint[],"
            " $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[],"
            " $8::text[], $9::bigint[]) AS c(g, s, e, d, z, t, n, b, a)"
            " ON CONFLICT (guild_id, day_start) DO UPDATE SET state = 'claimed',"
            " boot_id = excluded.boot_id, scheduled_at = excluded.scheduled_at,"
            " target_key = excluded.target_key, time_zone = excluded.time_zone,"
            " sending_at = NULL, sent_at = NULL, error = NULL"
            " WHERE deliveries.state IN ('failed', 'skipped')"
            " RETURNING guild_id, day_start",
            [c.guild_id for c in claims],
            _epochs([c.day_start for c in claims]),
            _epochs([c.day_end for c in claims]),
            [c.local_date.isoformat() for c in claims],
            [c.timezone for c in claims],
            [c.target_key for c in claims],
            [c.nonce for c in claims],
            [c.boot_id for c in claims],
            _epochs([c.scheduled_at for c in claims]),
        )
        held = {(row[0], row[1]) for row in rows}
        return [c for c in claims if (c.guild_id, to_epoch(c.day_start)) in held]

    async def posted_instants(self, guild_id: int, since: dt.datetime) -> list[dt.datetime]:
        rows = await self._pool.fetch(
            "SELECT scheduled_at FROM deliveries WHERE guild_id = $1 AND scheduled_at >= $2"
            " AND state = ANY($3::text[])",
            guild_id,
            to_epoch(since),
            _BLOCKING,
        )
        return [from_epoch(row[0]) for row in rows]  # type: ignore[misc]

    async def start_sending(self, row: LedgerRow, *, boot_id: str, at: dt.datetime) -> bool:
        table, where, params = _row_where(row, 3)
        found = await self._pool.fetchrow(
            f"UPDATE {table} SET sending_at = CASE state WHEN 'sending' THEN sending_at"
            f" ELSE $1 END, state = 'sending' WHERE {where}"
            " AND state IN ('claimed', 'sending') AND boot_id = $2 RETURNING guild_id",
            to_epoch(at),
            boot_id,
            *params,
        )
        return found is not None

    async def release_claim(self, row: LedgerRow, *, boot_id: str) -> None:
        table, where, params = _row_where(row, 2)
        await self._pool.execute(
            f"UPDATE {table} SET state = 'claimed', sending_at = NULL"
            f" WHERE {where} AND state = 'sending' AND boot_id = $1",
            boot_id,
            *params,
        )

    async def adopt(self, row: LedgerRow, *, boot_id: str) -> bool:
        """Take over an open claim of a process that is gone; only while the claim still
        names the boot it was read with, so of two processes adopting it one wins."""
        table, where, params = _row_where(row, 3)
        found = await self._pool.fetchrow(
            f"UPDATE {table} SET state = 'claimed', boot_id = $1"
            f" WHERE {where} AND state IN ('claimed', 'sending')"
            " AND boot_id IS NOT DISTINCT FROM $2 RETURNING guild_id",
            boot_id,
            row.boot_id,
            *params,
        )
        return found is not None

    async def forget_deliveries_before(self, instant: dt.datetime) -> None:
        """Drop ledger rows older than ``instant``, and one-offs expired before it."""
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("DELETE FROM deliveries WHERE scheduled_at < $1", to_epoch(instant))
            await conn.execute("DELETE FROM one_off_posts WHERE expires_at < $1", to_epoch(instant))

    async def open_deliveries(self) -> list[LedgerRow]:
        routine = await self._pool.fetch(
            "SELECT * FROM deliveries WHERE state IN ('claimed', 'sending')"
            f" AND {self._owned('guild_id')} ORDER BY scheduled_at"
        )
        one_offs = await self._pool.fetch(
            "SELECT * FROM one_off_posts WHERE state IN ('claimed', 'sending')"
            f" AND {self._owned('guild_id')} ORDER BY due_at, guild_id, key"
        )
        rows: list[LedgerRow] = [_delivery_from_row(row) for row in routine]
        return rows + [_one_off_from_row(row) for row in one_offs]

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
        table, where, params = _row_where(row, 6)
        await self._pool.execute(
            f"UPDATE {table} SET state = $1, sent_at = $2, channel_id = $3, message_id = $4,"
            f" error = $5 WHERE {where}",
            state,
            to_epoch(at),
            channel_id,
            message_id,
            error,
            *params,
        )

    async def count_deliveries(self, guild_id: int, state: str = "sent") -> int:
        count = await self._pool.fetchval(
            "SELECT count(*) FROM deliveries WHERE guild_id = $1 AND state = $2", guild_id, state
        )
        return int(count)

    # -- one-off posts ----------------------------------------------------------------------

    async def add_one_off(self, post: OneOffPost, *, now: dt.datetime) -> bool:
        found = await self._pool.fetchval(
            "INSERT INTO one_off_posts (guild_id, key, kind, payload, due_at, expires_at, nonce,"
            " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING"
            " RETURNING guild_id",
            post.guild_id,
            post.key,
            post.kind,
            json.dumps(post.payload, sort_keys=True),
            to_epoch(post.due_at),
            to_epoch(post.expires_at),
            post.nonce,
            to_epoch(now),
        )
        return found is not None

    async def cancel_one_offs(self, guild_id: int, key_prefix: str, *, at: dt.datetime) -> int:
        rows = await self._pool.fetch(
            "UPDATE one_off_posts SET state = 'skipped', sent_at = $1, error = 'cancelled'"
            " WHERE guild_id = $2 AND state = 'pending' AND substr(key, 1, $3) = $4"
            " RETURNING key",
            to_epoch(at),
            guild_id,
            len(key_prefix),
            key_prefix,
        )
        return len(rows)

    async def one_offs(self, guild_id: int) -> list[OneOffPost]:
        rows = await self._pool.fetch(
            "SELECT * FROM one_off_posts WHERE guild_id = $1 ORDER BY due_at, key", guild_id
        )
        return [_one_off_from_row(row) for row in rows]

    async def claim_due_one_offs(
        self, now: dt.datetime, *, boot_id: str, limit: int = 1000
    ) -> list[OneOffPost]:
        """Claim this process's due one-offs. SKIP LOCKED: a row another process is claiming
        right now is left to it (and, once committed as claimed, no longer pending here)."""
        rows = await self._pool.fetch(
            "UPDATE one_off_posts AS o SET state = 'claimed', boot_id = $1"
            " FROM (SELECT guild_id, key FROM one_off_posts"
            " WHERE state = 'pending' AND due_at <= $2"
            f" AND {self._owned('guild_id')}"
            " ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED) AS due"
            " WHERE o.guild_id = due.guild_id AND o.key = due.key AND o.state = 'pending'"
            " RETURNING o.*",
            boot_id,
            to_epoch(now),
            limit,
        )
        return sorted(map(_one_off_from_row, rows), key=lambda p: (p.due_at, p.key))

    async def next_one_off_after(self, now: dt.datetime) -> dt.datetime | None:
        due_at = await self._pool.fetchval(
            "SELECT min(due_at) FROM one_off_posts WHERE state = 'pending' AND due_at > $1"
            f" AND {self._owned('guild_id')}",
            to_epoch(now),
        )
        return from_epoch(due_at)

    # -- editing events ---------------------------------------------------------------------

    async def update_event(
        self,
        guild_id: int,
        event_id: int,
        *,
        name: str | None = None,
        starts_at: dt.datetime | None = None,
        reminders: frozenset[Reminder] | None = None,
    ) -> CustomEvent | None:
        try:
            row = await self._pool.fetchrow(
                "UPDATE custom_events SET name = coalesce($1, name),"
                " starts_at = coalesce($2, starts_at), reminders = coalesce($3, reminders),"
                " revision = revision + 1 WHERE guild_id = $4 AND id = $5"
                f" RETURNING {_EVENT_COLUMNS}",
                name,
                to_epoch(starts_at) if starts_at else None,
                store_reminders(reminders) if reminders is not None else None,
                guild_id,
                event_id,
            )
        except asyncpg.UniqueViolationError:
            raise EventNameTaken(name or "") from None
        return None if row is None else _event_from_row(guild_id, row)

    async def upcoming_events(self, now: dt.datetime) -> list[CustomEvent]:
        rows = await self._pool.fetch(
            f"SELECT {_EVENT_COLUMNS} FROM custom_events WHERE starts_at > $1"
            " ORDER BY starts_at, id",
            to_epoch(now),
        )
        return [_event_from_row(row["guild_id"], row) for row in rows]


class PostgresPremiereRepository:
    """:class:`bot.database.premiere.PremiereRepository`, on a PostgreSQL pool."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def get(self, guild_id: int) -> PremiereSettings:
        row = await self._pool.fetchrow(
            "SELECT * FROM premiere_settings WHERE guild_id = $1", guild_id
        )
        return premiere_from_row(guild_id, row)

    async def change(self, guild_id: int, **changes: Any) -> PremiereSettings:
        params = premiere_params(changes)
        if params:
            # premiere_params refused any name that is not a column: none comes from input.
            names = list(params)
            marks = ", ".join(f"${n}" for n in range(2, len(names) + 2))
            updates = ", ".join(f"{n} = excluded.{n}" for n in names)
            await self._pool.execute(
                f"INSERT INTO premiere_settings (guild_id, {', '.join(names)})"
                f" VALUES ($1, {marks}) ON CONFLICT (guild_id) DO UPDATE SET {updates}",
                guild_id,
                *params.values(),
            )
        return await self.get(guild_id)

    async def with_events(self) -> list[int]:
        rows = await self._pool.fetch(
            "SELECT guild_id FROM premiere_settings WHERE discord_events = 1 AND events_paused = 0"
            " ORDER BY guild_id"
        )
        return [row[0] for row in rows]

    async def with_threads(self) -> list[int]:
        rows = await self._pool.fetch(
            "SELECT guild_id FROM premiere_settings WHERE release_threads = 1 ORDER BY guild_id"
        )
        return [row[0] for row in rows]

    async def links(self, guild_id: int) -> list[EventLink]:
        rows = await self._pool.fetch(
            "SELECT * FROM premiere_discord_events WHERE guild_id = $1 ORDER BY source_key",
            guild_id,
        )
        return [_link_from_row(row) for row in rows]

    async def link(self, guild_id: int, source_key: str) -> EventLink | None:
        row = await self._pool.fetchrow(
            "SELECT * FROM premiere_discord_events WHERE guild_id = $1 AND source_key = $2",
            guild_id,
            source_key,
        )
        return None if row is None else _link_from_row(row)

    async def save_link(self, link: EventLink) -> None:
        await self._pool.execute(
            "INSERT INTO premiere_discord_events"
            " (guild_id, source_key, discord_event_id, name, starts_at, ends_at)"
            " VALUES ($1, $2, $3, $4, $5, $6)"
            " ON CONFLICT (guild_id, source_key) DO UPDATE SET"
            " discord_event_id = excluded.discord_event_id, name = excluded.name,"
            " starts_at = excluded.starts_at, ends_at = excluded.ends_at",
            link.guild_id,
            link.source_key,
            link.discord_event_id,
            link.name,
            to_epoch(link.starts_at),
            to_epoch(link.ends_at),
        )

    async def drop_link(self, guild_id: int, source_key: str) -> None:
        await self._pool.execute(
            "DELETE FROM premiere_discord_events WHERE guild_id = $1 AND source_key = $2",
            guild_id,
            source_key,
        )
