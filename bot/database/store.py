"""The storage interface shared by both backends, and choosing one from the settings.

SQLite (``countdown.py``) is the embedded default for one process; PostgreSQL
(``postgres.py``) is chosen by ``DATABASE_URL`` when several processes share one store. A
method added to one repository is added to the other and to :class:`CountdownStore`, and
the repository tests run it on both.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import aiosqlite

from bot.countdown.settings import DEFAULT_REMINDERS, CountdownSettings, CustomEvent, Reminder
from bot.database.countdown import (
    CountdownRepository,
    CountdownStatus,
    Delivery,
    LedgerRow,
    OneOffPost,
    SendContext,
)
from bot.database.meta import MetaRepository
from bot.database.premiere import EventLink, PremiereRepository
from bot.premiere.settings import PremiereSettings
from bot.scheduling.sharding import ShardScope, SharedTurns

if TYPE_CHECKING:
    from bot.database.postgres import PostgresLeases

# What the bot holds: an SQLite connection, or an asyncpg pool (typed loosely so that
# asyncpg is only imported when PostgreSQL is in use).
Database = aiosqlite.Connection | object


class MetaStore(Protocol):
    async def get(self, key: str) -> str | None: ...
    async def set(self, key: str, value: str) -> None: ...


class CountdownStore(Protocol):
    """Every method the service and the cogs use; see the SQLite class for their contracts."""

    shards: ShardScope | None

    async def get_settings(self, guild_id: int) -> CountdownSettings: ...
    async def read_settings(self, guild_id: int) -> CountdownSettings: ...
    async def save_settings(
        self, settings: CountdownSettings, *, next_post_at: dt.datetime | None, now: dt.datetime
    ) -> None: ...
    async def write_changes(
        self,
        old: CountdownSettings,
        new: CountdownSettings,
        *,
        next_post_at: dt.datetime | None,
        now: dt.datetime,
        clear_error: bool = False,
    ) -> None: ...
    async def reset(self, guild_id: int) -> bool: ...
    async def get_status(self, guild_id: int, *, now: dt.datetime) -> CountdownStatus: ...
    async def send_context(self, guild_id: int) -> SendContext: ...
    async def get_settings_many(self, guild_ids: list[int]) -> dict[int, CountdownSettings]: ...
    async def unscheduled(self, now: dt.datetime) -> list[CountdownSettings]: ...
    async def set_next_posts(self, entries: list[tuple[int, dt.datetime]]) -> None: ...
    async def due(self, now: dt.datetime, limit: int = 10_000) -> list[tuple[int, dt.datetime]]: ...
    async def next_due_after(self, now: dt.datetime) -> dt.datetime | None: ...
    async def record_success(
        self, guild_id: int, at: dt.datetime, *, channel_id: int, message_id: int
    ) -> None: ...
    async def record_error(
        self, guild_id: int, error: str, at: dt.datetime, *, pause: bool
    ) -> None: ...
    async def take_unseen_error(self, guild_id: int) -> str | None: ...
    async def mark_removed(self, guild_id: int, at: dt.datetime) -> None: ...
    async def mark_present(self, guild_id: int) -> bool: ...
    async def reconcile_membership(
        self, present: set[int], at: dt.datetime
    ) -> tuple[list[int], list[int]]: ...
    async def removed_before(self, before: dt.datetime) -> list[int]: ...
    async def purge_server(self, guild_id: int) -> None: ...
    async def add_event(
        self,
        guild_id: int,
        name: str,
        starts_at: dt.datetime,
        *,
        created_by: int,
        now: dt.datetime,
        reminders: frozenset[Reminder] = DEFAULT_REMINDERS,
    ) -> CustomEvent | None: ...
    async def list_events(self, guild_id: int) -> list[CustomEvent]: ...
    async def remove_event(self, guild_id: int, event_id: int) -> bool: ...
    async def update_event(
        self,
        guild_id: int,
        event_id: int,
        *,
        name: str | None = None,
        starts_at: dt.datetime | None = None,
        reminders: frozenset[Reminder] | None = None,
    ) -> CustomEvent | None: ...
    async def upcoming_events(self, now: dt.datetime) -> list[CustomEvent]: ...
    async def claim_and_reschedule(
        self,
        claims: list[Delivery],
        next_posts: list[tuple[int, dt.datetime]],
        *,
        handled: list[tuple[int, dt.datetime]],
    ) -> list[Delivery]: ...
    async def posted_instants(self, guild_id: int, since: dt.datetime) -> list[dt.datetime]: ...
    async def start_sending(self, row: LedgerRow, *, boot_id: str, at: dt.datetime) -> bool: ...
    async def release_claim(self, row: LedgerRow, *, boot_id: str) -> None: ...
    async def adopt(self, row: LedgerRow, *, boot_id: str) -> bool: ...
    async def forget_deliveries_before(self, instant: dt.datetime) -> None: ...
    async def open_deliveries(self) -> list[LedgerRow]: ...
    async def finish_delivery(
        self,
        row: LedgerRow,
        *,
        state: str,
        at: dt.datetime,
        channel_id: int | None = None,
        message_id: int | None = None,
        error: str | None = None,
    ) -> None: ...
    async def count_deliveries(self, guild_id: int, state: str = "sent") -> int: ...
    async def add_one_off(self, post: OneOffPost, *, now: dt.datetime) -> bool: ...
    async def cancel_one_offs(self, guild_id: int, key_prefix: str, *, at: dt.datetime) -> int: ...
    async def one_offs(self, guild_id: int) -> list[OneOffPost]: ...
    async def claim_due_one_offs(
        self, now: dt.datetime, *, boot_id: str, limit: int = 1000
    ) -> list[OneOffPost]: ...
    async def next_one_off_after(self, now: dt.datetime) -> dt.datetime | None: ...


class PremiereStore(Protocol):
    """The premiere kit's storage; see :class:`bot.database.premiere.PremiereRepository`."""

    async def get(self, guild_id: int) -> PremiereSettings: ...
    async def change(self, guild_id: int, **changes: Any) -> PremiereSettings: ...
    async def with_events(self) -> list[int]: ...
    async def with_threads(self) -> list[int]: ...
    async def links(self, guild_id: int) -> list[EventLink]: ...
    async def link(self, guild_id: int, source_key: str) -> EventLink | None: ...
    async def save_link(self, link: EventLink) -> None: ...
    async def drop_link(self, guild_id: int, source_key: str) -> None: ...


def countdown_store(db: Database) -> CountdownStore:
    if isinstance(db, aiosqlite.Connection):
        return CountdownRepository(db)
    from bot.database.postgres import PostgresCountdownRepository

    return PostgresCountdownRepository(db)  # type: ignore[arg-type]


def meta_store(db: Database) -> MetaStore:
    if isinstance(db, aiosqlite.Connection):
        return MetaRepository(db)
    from bot.database.postgres import PostgresMetaRepository

    return PostgresMetaRepository(db)  # type: ignore[arg-type]


def premiere_store(db: Database) -> PremiereStore:
    if isinstance(db, aiosqlite.Connection):
        return PremiereRepository(db)
    from bot.database.postgres import PostgresPremiereRepository

    return PostgresPremiereRepository(db)  # type: ignore[arg-type]


def identify_turns(db: Database) -> SharedTurns | None:
    """Turns shared between processes (PostgreSQL); None for SQLite's single process."""
    if isinstance(db, aiosqlite.Connection):
        return None
    from bot.database.postgres import PostgresIdentifyTurns

    return PostgresIdentifyTurns(db)  # type: ignore[arg-type]


def process_leases(db: Database) -> PostgresLeases | None:
    """Leases for taking over a dead process's shards (PostgreSQL); None for SQLite."""
    if isinstance(db, aiosqlite.Connection):
        return None
    from bot.database.postgres import PostgresLeases

    return PostgresLeases(db)  # type: ignore[arg-type]


@contextlib.asynccontextmanager
async def open_store(database_path: Path, database_url: str | None) -> AsyncIterator[Database]:
    """PostgreSQL when ``database_url`` is set, else the SQLite file; migrated, closed on exit."""
    if database_url is None:
        from bot.database.connection import open_database

        async with open_database(database_path) as conn:
            yield conn
        return
    from bot.database.postgres import open_postgres

    async with open_postgres(database_url) as pool:
        yield pool
