"""The day the film gets its date: a reload of the show data posts "🎉 It's official" once in
every server counting down to it (a restart half-way included), then the daily count starts;
a broken file changes nothing. The real bot, the simulator, real SQLite, a settable clock."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest

from bot.client import HeartstopperBot
from bot.config import load_settings
from bot.countdown.announcements import ANNOUNCED_META_KEY
from bot.sandbox.session import run_sandbox
from bot.sandbox.simulator.demo import DemoGuild
from bot.sandbox.simulator.server import Simulator
from bot.show.loader import DEFAULT_DATA_PATH
from tests.e2e.countdown_support import (
    SILENT,
    SettableClock,
    add_fan_server,
    countdown_bot,
    settle,
    setup_countdown,
)

FILM_YEAR = 'precision = "year"\nyear = 2026'
FILM_DAY = 'precision = "instant"\ninstant = 2026-12-18T08:00:00Z'
FILM_MOVED = 'precision = "instant"\ninstant = 2027-01-15T08:00:00Z'
# A Friday; the film ("coming 2026") is every "next" countdown's target. London is on UTC.
FRIDAY_NOON = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
SATURDAY_0900 = dt.datetime(2026, 11, 21, 9, 0, 30, tzinfo=dt.UTC)
OFFICIAL = "It's official"


def write_film(path: Path, when: str, *, also: tuple[str, str] = ("", "")) -> None:
    text = DEFAULT_DATA_PATH.read_text(encoding="utf-8")
    assert FILM_YEAR in text and also[0] in text
    path.write_text(text.replace(FILM_YEAR, when).replace(*also), encoding="utf-8")


@pytest.fixture
def data_path(tmp_path: Path) -> Path:
    path = tmp_path / "heartstopper.toml"
    shutil.copyfile(DEFAULT_DATA_PATH, path)
    return path


def posts(sim: Simulator, channel_id: int, needle: str = OFFICIAL) -> list[dict[str, Any]]:
    return [m for m in sim.messages(channel_id) if needle in (m.get("content") or "")]


async def fan_servers(sim: Simulator, demo: DemoGuild, count: int) -> list[tuple[int, int, int]]:
    """``count`` servers (the demo one first) counting down to "next" at 09:00 London."""
    servers = [(demo.guild_id, demo.countdown_id, demo.admin_id)]
    servers += [add_fan_server(sim, f"Fan Club {n}") for n in range(count - 1)]
    await asyncio.sleep(0.2)  # the GUILD_CREATEs reach the bot
    for guild_id, channel_id, admin_id in servers:
        role = demo.fans_role_id if guild_id == demo.guild_id else None
        await setup_countdown(sim, guild_id, channel_id, admin_id, role_id=role)
    return servers


async def announced(bot: HeartstopperBot) -> None:
    """Wait until the announcer has scheduled what it owes, and the posts went out."""
    cog: Any = bot.get_cog("ShowData")
    await cog.settled()
    await settle(bot)


async def test_a_dated_film_is_announced_once_per_server_then_counted_daily(
    sim: Simulator, demo: DemoGuild, tmp_path: Path, data_path: Path
) -> None:
    clock = SettableClock(FRIDAY_NOON)
    async with countdown_bot(sim, tmp_path / "bot.sqlite3", clock, data_path=data_path) as bot:
        servers = await fan_servers(sim, demo, 3)
        await announced(bot)
        assert all(posts(sim, channel) == [] for _, channel, _ in servers)

        write_film(data_path, FILM_DAY)
        outcome = bot.reload_show(data_path)
        assert outcome.ok, outcome.message
        await announced(bot)
        bot.reload_show(data_path)  # the same file again: nothing new to say
        await announced(bot)

        stamp = int(dt.datetime(2026, 12, 18, 8, tzinfo=dt.UTC).timestamp())
        for _, channel, _ in servers:
            [post] = posts(sim, channel)
            assert post["content"].endswith(
                f"🎉 It's official: *Heartstopper Forever (film)* arrives <t:{stamp}:F> — "
                "28 days to go"
            )
            assert not post.get("flags", 0) & SILENT
        # The role is pinged (an announcement is not a routine post), and nobody else.
        [demo_post] = posts(sim, demo.countdown_id)
        assert demo_post["content"].startswith(f"<@&{demo.fans_role_id}> ")
        assert demo_post["mention_roles"] == [str(demo.fans_role_id)]
        assert not demo_post.get("mention_everyone")

        clock.set(SATURDAY_0900)  # the next 09:00 London: the daily count has started
        await settle(bot)
        for _, channel, _ in servers:
            [daily] = posts(sim, channel, "until *Heartstopper Forever (film)*")
            assert "**27 days** until" in daily["content"]
            assert len(posts(sim, channel)) == 1

        write_film(data_path, FILM_MOVED)  # Netflix moves it: a second post, naming the old date
        assert bot.reload_show(data_path).ok
        await announced(bot)
        for _, channel, _ in servers:
            moved = posts(sim, channel, "new date")
            assert len(moved) == 1 and f"it was announced for <t:{stamp}:D>" in moved[0]["content"]


async def test_a_restart_half_way_through_still_announces_exactly_once(
    sim: Simulator, demo: DemoGuild, tmp_path: Path, data_path: Path
) -> None:
    clock = SettableClock(FRIDAY_NOON)
    db = tmp_path / "bot.sqlite3"
    async with countdown_bot(sim, db, clock, data_path=data_path) as bot:
        servers = await fan_servers(sim, demo, 6)
        await announced(bot)
        # The process "dies" after three servers were scheduled: the rest never are.
        schedule, calls = bot.countdowns.schedule_one_off, []
        never = asyncio.Event()

        async def stalls_after_three(*args: Any, **kwargs: Any) -> bool:
            calls.append(args)
            if len(calls) > 3:
                await never.wait()
            return await schedule(*args, **kwargs)

        bot.countdowns.schedule_one_off = stalls_after_three  # type: ignore[method-assign]
        write_film(data_path, FILM_DAY)
        assert bot.reload_show(data_path).ok
        await sim.wait_until(lambda: len(calls) > 3, 5, "three servers scheduled")
        await settle(bot)
    delivered = sum(len(posts(sim, channel)) for _, channel, _ in servers)
    assert delivered <= 3

    # The restart loads the edited file, compares it with the dates last announced, and
    # schedules what is missing; keys already scheduled are no-ops.
    async with countdown_bot(sim, db, clock, data_path=data_path) as bot:
        await announced(bot)
        await settle(bot)
    assert [len(posts(sim, channel)) for _, channel, _ in servers] == [1] * 6

    async with countdown_bot(sim, db, clock, data_path=data_path) as bot:  # and once more
        await announced(bot)
    assert [len(posts(sim, channel)) for _, channel, _ in servers] == [1] * 6


async def test_a_broken_file_announces_nothing_and_changes_nothing(
    sim: Simulator, demo: DemoGuild, tmp_path: Path, data_path: Path
) -> None:
    clock = SettableClock(FRIDAY_NOON)
    async with countdown_bot(sim, tmp_path / "bot.sqlite3", clock, data_path=data_path) as bot:
        [(guild, channel, _)] = await fan_servers(sim, demo, 1)
        await announced(bot)
        told = await bot.meta.get(ANNOUNCED_META_KEY)
        show, releases = bot.show, bot.countdowns.releases
        # The film gets a date, but another entry is broken: the whole file is refused.
        write_film(data_path, FILM_DAY, also=("day = 2026-07-02", 'day = "soon"'))
        outcome = bot.reload_show(data_path)
        assert not outcome.ok and "\n" not in outcome.message
        assert outcome.message.startswith(f"{data_path}: releases[volume-6].day")
        await announced(bot)
        assert bot.show is show and bot.countdowns.releases is releases
        assert await bot.meta.get(ANNOUNCED_META_KEY) == told
        assert await bot.countdowns.repo.one_offs(guild) == []
        assert posts(sim, channel) == []


async def test_the_sandbox_honours_show_data_path_and_reloads(tmp_path: Path) -> None:
    data = tmp_path / "heartstopper.toml"
    write_film(data, FILM_YEAR)
    script = tmp_path / "script.txt"
    script.write_text(
        "/countdown setup channel: #countdown time: 09:00 timezone: UTC\n"
        ".reload\n"
        ".wait 1.5\n"
        "/next\n"
    )
    day = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=20)
    lines: list[str] = []

    def out(line: str) -> None:
        lines.append(line)
        if "Countdown set up" in line:  # the admin edits the file while the sandbox runs
            write_film(data, f'precision = "instant"\ninstant = {day.isoformat()}T08:00:00Z')

    settings = load_settings({"SHOW_DATA_PATH": str(data)}, require_token=False)
    assert await run_sandbox(settings, script=script, out=out) == 0
    text = "\n".join(lines)
    assert "✓ " in text and f"{data}: reloaded; heartstopper-forever dated" in text
    assert "── new post in #countdown ──" in text
    assert "🎉 It's official: *Heartstopper Forever (film)* arrives" in text
    assert "20 days to go" in text
