"""A server the bot left 30 days ago loses its premiere options and event links too."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest

from bot.countdown.settings import CountdownSettings
from bot.database.connection import open_database
from bot.database.countdown import CountdownRepository
from bot.database.premiere import EventLink, PremiereRepository
from bot.premiere.settings import PremiereSettings

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
LEFT, STAYS = 111111111111111111, 222222222222222222


@pytest.fixture
async def conn(tmp_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    async with open_database(tmp_path / "bot.sqlite3") as conn:
        yield conn


async def _premiere_server(
    countdown: CountdownRepository, premiere: PremiereRepository, guild_id: int
) -> EventLink:
    await countdown.save_settings(
        CountdownSettings(guild_id=guild_id, channel_id=1), next_post_at=NOW, now=NOW
    )
    await premiere.change(guild_id, notify_button=True, discord_events=True, spoiler_days=3)
    start = NOW + dt.timedelta(days=5)
    link = EventLink(guild_id, "release:season-4", 99, "S4", start, start + dt.timedelta(hours=2))
    await premiere.save_link(link)
    return link


async def test_purge_deletes_the_premiere_rows_of_that_server_only(
    conn: aiosqlite.Connection,
) -> None:
    countdown, premiere = CountdownRepository(conn), PremiereRepository(conn)
    await _premiere_server(countdown, premiere, LEFT)
    kept = await _premiere_server(countdown, premiere, STAYS)
    await countdown.mark_removed(LEFT, NOW)
    assert await countdown.removed_before(NOW + dt.timedelta(days=31)) == [LEFT]

    await countdown.purge_server(LEFT)

    assert await premiere.get(LEFT) == PremiereSettings(LEFT)
    assert await premiere.links(LEFT) == []
    assert await premiere.with_events() == [STAYS]
    assert (await premiere.get(STAYS)).spoiler_days == 3
    assert await premiere.links(STAYS) == [kept]
