"""The countdown repository against a real SQLite file and a real PostgreSQL server."""

import datetime as dt
from zoneinfo import ZoneInfo

from bot.countdown.clock import local_date_of, local_day_bounds
from bot.countdown.idempotency import message_nonce
from bot.countdown.settings import Cadence, CountdownSettings
from bot.database.countdown import Delivery
from tests.backends import Backend

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
GUILD = 111111111111111111


async def test_unconfigured_server_gets_defaults(backend: Backend) -> None:
    repo = backend.repo()
    assert await repo.get_settings(GUILD) == CountdownSettings(guild_id=GUILD)
    status = await repo.get_status(GUILD, now=NOW)
    assert status.next_post_at is None and status.last_error is None


async def test_only_overrides_are_stored_and_round_trip(backend: Backend) -> None:
    repo = backend.repo()
    settings = CountdownSettings(
        guild_id=GUILD,
        channel_id=222222222222222222,
        post_time=dt.time(18, 30),
        timezone="Europe/London",
        cadence=Cadence.MILESTONES,
    )
    await repo.save_settings(settings, next_post_at=NOW, now=NOW)
    rows = await backend.rows("SELECT role_id, target, enabled FROM guild_settings")
    assert rows == [(None, None, None)]  # defaults stay in code
    # A fresh repository (no cache) reads the same record back.
    assert await backend.repo().get_settings(GUILD) == settings
    assert (await repo.due(NOW)) == [(GUILD, NOW)]
    assert await repo.due(NOW - dt.timedelta(seconds=1)) == []


async def test_pausing_error_is_reported_once(backend: Backend) -> None:
    repo = backend.repo()
    await repo.save_settings(
        CountdownSettings(guild_id=GUILD, channel_id=1), next_post_at=NOW, now=NOW
    )
    await repo.record_error(GUILD, "Missing Permissions", NOW, pause=True)
    assert (await repo.get_settings(GUILD)).enabled is False
    assert await repo.due(NOW) == []
    assert await repo.take_unseen_error(GUILD) == "Missing Permissions"
    assert await repo.take_unseen_error(GUILD) is None
    assert (await repo.get_status(GUILD, now=NOW)).last_error == "Missing Permissions"


def _claim(guild_id: int, at: dt.datetime, zone: str = "UTC", target: str = "next") -> Delivery:
    start, end = local_day_bounds(at, ZoneInfo(zone))
    day = local_date_of(at, ZoneInfo(zone))
    return Delivery(
        guild_id, start, end, day, zone, target, message_nonce(guild_id, day, start),
        "claimed", at, boot_id="boot-1",
    )  # fmt: skip


async def test_one_claim_per_local_day_whatever_the_target(backend: Backend) -> None:
    repo = backend.repo()
    claim = repo.claim_and_reschedule
    assert await claim([_claim(GUILD, NOW)], [], handled=[]) == [_claim(GUILD, NOW)]
    # Claimed (or being sent): the same day, another target or a later time, is refused.
    later = NOW + dt.timedelta(hours=3)
    assert await claim([_claim(GUILD, later, target="event:7")], [], handled=[]) == []
    # Another local day is fine.
    assert len(await claim([_claim(GUILD, NOW + dt.timedelta(days=1))], [], handled=[])) == 1
    assert await repo.count_deliveries(GUILD, "claimed") == 2


async def test_a_zone_change_counts_posts_in_the_new_local_day(backend: Backend) -> None:
    repo = backend.repo()
    claim = repo.claim_and_reschedule
    # 22:00 UTC on 26 November, the UTC day's post...
    evening = NOW.replace(hour=22)
    [first] = await claim([_claim(GUILD, evening)], [], handled=[])
    await repo.finish_delivery(first, state="sent", at=evening, channel_id=1, message_id=9)
    # ...is 07:00 on the 27th in Tokyo: Tokyo's 09:00 that day gets nothing more,
    tokyo_morning = dt.datetime(2026, 11, 27, 0, 0, tzinfo=dt.UTC)
    assert await claim([_claim(GUILD, tokyo_morning, "Asia/Tokyo")], [], handled=[]) == []
    # while in Los Angeles it was still the 26th at 14:00, so the 27th there is open.
    la_morning = dt.datetime(2026, 11, 27, 17, 0, tzinfo=dt.UTC)
    assert len(await claim([_claim(GUILD, la_morning, "America/Los_Angeles")], [], handled=[])) == 1


async def test_failed_or_skipped_days_stay_open(backend: Backend) -> None:
    repo = backend.repo()
    [first] = await repo.claim_and_reschedule([_claim(GUILD, NOW)], [], handled=[])
    await repo.finish_delivery(first, state="failed", at=NOW, error="403")
    again = _claim(GUILD, NOW + dt.timedelta(hours=2))
    assert await repo.claim_and_reschedule([again], [], handled=[]) == [again]
    assert await repo.count_deliveries(GUILD, "claimed") == 1


async def test_sending_is_marked_only_by_the_claims_owner(backend: Backend) -> None:
    repo = backend.repo()
    [claimed] = await repo.claim_and_reschedule([_claim(GUILD, NOW)], [], handled=[])
    assert not await repo.start_sending(claimed, boot_id="another-process", at=NOW)
    assert await repo.start_sending(claimed, boot_id="boot-1", at=NOW)
    [open_row] = await repo.open_deliveries()
    assert open_row.state == "sending" and open_row.sending_at == NOW
    assert await repo.adopt(open_row, boot_id="boot-2")
    await repo.finish_delivery(open_row, state="sent", at=NOW, channel_id=1, message_id=9)
    assert await repo.open_deliveries() == []
    assert not await repo.adopt(open_row, boot_id="boot-3")


async def test_removed_server_is_purged_after_grace(backend: Backend) -> None:
    repo = backend.repo()
    await repo.save_settings(
        CountdownSettings(guild_id=GUILD, channel_id=1), next_post_at=NOW, now=NOW
    )
    await repo.add_event(GUILD, "Watch party", NOW + dt.timedelta(days=3), created_by=1, now=NOW)
    await repo.claim_and_reschedule([_claim(GUILD, NOW)], [], handled=[])
    await repo.mark_removed(GUILD, NOW)
    assert await repo.due(NOW) == []
    assert await repo.removed_before(NOW) == []  # still inside the grace period
    assert await repo.removed_before(NOW + dt.timedelta(days=31)) == [GUILD]
    await repo.purge_server(GUILD)
    assert await repo.list_events(GUILD) == []
    assert await repo.get_settings(GUILD) == CountdownSettings(guild_id=GUILD)
    assert await repo.count_deliveries(GUILD, "claimed") == 0


async def test_duplicate_event_names_are_refused(backend: Backend) -> None:
    repo = backend.repo()
    first = await repo.add_event(GUILD, "Watch party", NOW, created_by=1, now=NOW)
    assert first is not None
    assert await repo.add_event(GUILD, "watch PARTY", NOW, created_by=1, now=NOW) is None
    assert [e.name for e in await repo.list_events(GUILD)] == ["Watch party"]
    assert await repo.remove_event(GUILD, first.id) is True
    assert await repo.remove_event(GUILD, first.id) is False
