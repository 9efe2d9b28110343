"""Discord Scheduled Events for releases and server events (issue 11): created once, kept
through a crash and a restart without a duplicate, moved with the date, removed with the
server event, and a missing Manage Events explained without touching anything else."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import aiohttp

from bot.client import HeartstopperBot
from bot.sandbox.simulator import permissions as perms
from bot.sandbox.simulator.demo import DemoGuild, add_demo_guild
from bot.sandbox.simulator.scheduled_events import MANAGE_EVENTS
from bot.sandbox.simulator.server import Simulator
from bot.sandbox.simulator.sim_interactions import iter_components
from bot.show.loader import DEFAULT_DATA_PATH
from cogs.premiere import PREMIERE_JOB
from tests.e2e.countdown_support import (
    SEP_1_0700,
    SettableClock,
    countdown_bot,
    post_instant,
    settle,
    setup_countdown,
    text_of,
)

SEASON_3 = "2024-10-03T07:00:00+00:00"
MOVED = "2024-10-10T07:00:00+00:00"


async def _admin(sim: Simulator, demo: DemoGuild, command: str, **options: object) -> str:
    result = await sim.run_command(demo.guild_id, demo.general_id, demo.admin_id, command, options)
    assert not result.failed and result.ephemeral, result
    return text_of(result)


def _events(sim: Simulator, demo: DemoGuild) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in sim.scheduled_events.of(demo.guild_id)}


async def _periodic_sync(sim: Simulator, bot: HeartstopperBot, until: Any) -> None:
    """Run the real periodic job now and wait for its effect on Discord."""
    bot.jobs.wake_in(PREMIERE_JOB, 0)
    await sim.wait_until(until, timeout=5, what="the Discord events sync")


def _events_world(sim: Simulator, clock: SettableClock) -> DemoGuild:
    demo = add_demo_guild(sim)
    sim.set_bot_permissions(demo.guild_id, perms.DEFAULT_BOT | MANAGE_EVENTS)
    sim.scheduled_events.now = clock  # "start in the future" against the bot's clock
    return demo


async def test_events_are_created_once_kept_moved_and_removed(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    clock = SettableClock(SEP_1_0700)
    data = tmp_path / "heartstopper.toml"
    shutil.copyfile(DEFAULT_DATA_PATH, data)
    async with Simulator() as sim:
        demo = _events_world(sim, clock)
        async with countdown_bot(sim, db, clock, data_path=data):
            await setup_countdown(sim, demo.guild_id, demo.countdown_id, demo.admin_id)
            await _admin(
                sim, demo, "countdown event add", name="Watch party", when="2024-10-03 19:30"
            )
            reply = await _admin(sim, demo, "premiere events", enabled=True)
            assert "Discord events are on" in reply and "2 of mine" in reply
        events = _events(sim, demo)
        assert set(events) == {"Heartstopper season 3", "Watch party"}
        season = events["Heartstopper season 3"]
        assert season["entity_type"] == 3 and season["entity_metadata"] == {"location": "Netflix"}
        assert dt.datetime.fromisoformat(
            season["scheduled_start_time"]
        ) == dt.datetime.fromisoformat(SEASON_3)
        assert dt.datetime.fromisoformat(season["scheduled_end_time"]) - dt.datetime.fromisoformat(
            season["scheduled_start_time"]
        ) == dt.timedelta(hours=2)
        assert "3 October 2024" in season["description"]
        assert sim.scheduled_events.creates == 2

        # As a crash right after Discord created the event would leave it: no id stored.
        with sqlite3.connect(db) as conn:
            conn.execute(
                "UPDATE premiere_discord_events SET discord_event_id = NULL"
                " WHERE source_key = 'release:season-3'"
            )
        async with countdown_bot(sim, db, clock, data_path=data) as bot:
            cog = bot.get_cog("Premiere")
            for _ in range(100):  # the start-up reconcile runs in on_ready, just after ready
                links = await cog.repo.links(demo.guild_id)  # type: ignore[union-attr]
                if all(link.discord_event_id for link in links):
                    break
                await settle(bot, 1)
            assert {link.discord_event_id for link in links} == {
                int(e["id"]) for e in events.values()
            }
            assert sim.scheduled_events.creates == 2  # adopted, not created again

            # The date moves in the data: the Discord event moves with it.
            data.write_text(
                data.read_text().replace("2024-10-03T07:00:00Z", "2024-10-10T07:00:00Z")
            )
            assert bot.reload_show(data).ok
            season_id = season["id"]
            await _periodic_sync(
                sim,
                bot,
                lambda: (
                    dt.datetime.fromisoformat(
                        sim.scheduled_events.events[demo.guild_id][int(season_id)][
                            "scheduled_start_time"
                        ]
                    )
                    == dt.datetime.fromisoformat(MOVED)
                ),
            )

            # The server event is removed: so is its Discord event.
            await _admin(sim, demo, "countdown event remove", name="Watch party")
            await _periodic_sync(sim, bot, lambda: "Watch party" not in _events(sim, demo))
            assert list(_events(sim, demo)) == ["Heartstopper season 3"]

            off = await _admin(sim, demo, "premiere events", enabled=False)
            assert "removed 1" in off and not _events(sim, demo)
        assert sim.scheduled_events.creates == 2


async def test_without_manage_events_turning_on_explains_and_creates_nothing(
    tmp_path: Path,
) -> None:
    clock = SettableClock(SEP_1_0700)
    async with Simulator() as sim:
        demo = add_demo_guild(sim)
        sim.scheduled_events.now = clock
        async with countdown_bot(sim, tmp_path / "bot.sqlite3", clock):
            reply = await _admin(sim, demo, "premiere events", enabled=True)
            assert "**Manage Events**" in reply
            assert not sim.scheduled_events.of(demo.guild_id)
            status = await _admin(sim, demo, "premiere status")
            assert "Discord events**: off" in status


async def test_manage_events_lost_later_pauses_only_this_part(tmp_path: Path) -> None:
    clock = SettableClock(SEP_1_0700)
    async with Simulator() as sim:
        demo = _events_world(sim, clock)
        async with countdown_bot(sim, tmp_path / "bot.sqlite3", clock) as bot:
            await setup_countdown(sim, demo.guild_id, demo.countdown_id, demo.admin_id)
            await _admin(sim, demo, "premiere events", enabled=True)
            sim.set_bot_permissions(demo.guild_id, perms.DEFAULT_BOT)
            await _admin(
                sim, demo, "countdown event add", name="Watch party", when="2024-10-03 19:30"
            )
            cog = bot.get_cog("Premiere")
            await cog.sync_events(demo.guild_id)  # type: ignore[union-attr]
            status = await _admin(sim, demo, "premiere status")
            assert "(paused)" in status and "**Manage Events**" in status
            assert [e["name"] for e in sim.scheduled_events.of(demo.guild_id)] == [
                "Heartstopper season 3"
            ]
            countdown = await _admin(sim, demo, "countdown status")
            assert "Manage Events" not in countdown  # the countdown itself is untouched


async def test_simulator_validates_scheduled_events() -> None:
    async with Simulator() as sim:
        demo = add_demo_guild(sim)
        url = f"{sim.api_base_url}/guilds/{demo.guild_id}/scheduled-events"
        start = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
        good = {
            "name": "Premiere",
            "privacy_level": 2,
            "entity_type": 3,
            "scheduled_start_time": start.isoformat(),
            "scheduled_end_time": (start + dt.timedelta(hours=2)).isoformat(),
            "entity_metadata": {"location": "Netflix"},
        }
        headers = {"Authorization": f"Bot {sim.token}"}
        async with aiohttp.ClientSession(headers=headers) as http:
            async with http.post(url, json=good) as response:
                assert response.status == 403  # no Manage Events yet
            sim.set_bot_permissions(demo.guild_id, perms.DEFAULT_BOT | MANAGE_EVENTS)
            past = (start - dt.timedelta(days=2)).isoformat()
            cases = {
                "scheduled_start_time": {**good, "scheduled_start_time": past},
                "scheduled_end_time": {**good, "scheduled_end_time": past},
                "entity_metadata": {**good, "entity_metadata": {}},
                "name": {**good, "name": "x" * 101},
                "description": {**good, "description": "x" * 1001},
                "channel_id": {**good, "entity_type": 2},
            }
            for field, body in cases.items():
                async with http.post(url, json=body) as response:
                    answer = await response.json()
                    assert response.status == 400 and field in answer["errors"], (field, answer)
            async with http.post(url, json=good) as response:
                assert response.status == 200
                created = await response.json()
            async with http.patch(
                f"{url}/{created['id']}", json={"scheduled_end_time": past}
            ) as response:
                assert response.status == 400
            async with http.delete(f"{url}/{created['id']}") as response:
                assert response.status == 204
            async with http.get(f"{url}/{created['id']}") as response:
                assert response.status == 404


async def test_countdown_posts_and_next_link_to_the_discord_event(tmp_path: Path) -> None:
    clock = SettableClock(SEP_1_0700)
    async with Simulator() as sim:
        demo = _events_world(sim, clock)
        async with countdown_bot(sim, tmp_path / "bot.sqlite3", clock) as bot:
            await setup_countdown(sim, demo.guild_id, demo.countdown_id, demo.admin_id)
            await _admin(sim, demo, "premiere events", enabled=True)
            [season] = sim.scheduled_events.of(demo.guild_id)
            url = f"https://discord.com/events/{demo.guild_id}/{season['id']}"
            clock.set(post_instant(1))
            await settle(bot)
            [post] = sim.messages(demo.countdown_id)
            assert [
                c.get("url") for c in iter_components(post["components"]) if c["type"] == 2
            ] == [url]
            shown = await sim.run_command(demo.guild_id, demo.general_id, demo.fan_id, "next")
            assert shown.message is not None
            links = [c.get("url") for c in iter_components(shown.message["components"])]
            assert url in links
