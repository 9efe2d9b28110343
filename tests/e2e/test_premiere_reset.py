"""``/countdown reset`` and the premiere kit: the kit's options are a separate command group
and stay, but nothing of the deleted countdown lives on through them. The server events'
Discord events go with the reset (releases keep theirs), and the 🔔 button on old posts hands
out no role until a new countdown names one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.sandbox.simulator import permissions as perms
from bot.sandbox.simulator.demo import DemoGuild, add_demo_guild
from bot.sandbox.simulator.server import Simulator
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

NOTIFY = "premiere:notify"
BOT_ROLE_TOP = 50


async def _admin(sim: Simulator, demo: DemoGuild, command: str, **options: object) -> str:
    result = await sim.run_command(demo.guild_id, demo.general_id, demo.admin_id, command, options)
    assert not result.failed and result.ephemeral, result
    return text_of(result)


def _event_ids(sim: Simulator, demo: DemoGuild) -> dict[str, int]:
    return {e["name"]: int(e["id"]) for e in sim.scheduled_events.of(demo.guild_id)}


async def test_reset_takes_the_server_events_discord_events_and_keeps_the_releases(
    tmp_path: Path,
) -> None:
    clock = SettableClock(SEP_1_0700)
    async with Simulator() as sim:
        demo = add_demo_guild(sim)
        sim.set_bot_permissions(demo.guild_id, perms.DEFAULT_BOT | perms.MANAGE_EVENTS)
        async with countdown_bot(sim, tmp_path / "bot.sqlite3", clock) as bot:
            sim.scheduled_events.now = clock
            await setup_countdown(sim, demo.guild_id, demo.countdown_id, demo.admin_id)
            await _admin(
                sim, demo, "countdown event add", name="Watch party", when="2024-10-03 19:30"
            )
            assert "2 of mine" in await _admin(sim, demo, "premiere events", enabled=True)
            before = _event_ids(sim, demo)

            reply = await _admin(sim, demo, "countdown reset", confirm=True)
            assert "deleted" in reply
            assert "/premiere" in reply and "stay" in reply  # says what it left alone
            # At once, not at the next periodic sync: the release keeps its Discord event.
            assert _event_ids(sim, demo) == {
                "Heartstopper season 3": before["Heartstopper season 3"]
            }
            assert "Discord events**: on" in await _admin(sim, demo, "premiere status")

            # A new server event (it may reuse the deleted one's id) gets a Discord event of
            # its own: the members "Interested" in the old one aren't carried over to it.
            await setup_countdown(sim, demo.guild_id, demo.countdown_id, demo.admin_id)
            await _admin(
                sim, demo, "countdown event add", name="Movie night", when="2024-10-05 19:30"
            )
            bot.jobs.wake_in(PREMIERE_JOB, 0)
            await sim.wait_until(
                lambda: "Movie night" in _event_ids(sim, demo), timeout=5, what="the sync"
            )
            assert before["Watch party"] not in _event_ids(sim, demo).values()
            assert sim.scheduled_events.creates == 3


async def test_the_button_on_an_old_post_hands_out_nothing_until_a_new_role_is_set(
    tmp_path: Path,
) -> None:
    clock = SettableClock(SEP_1_0700)
    async with Simulator() as sim:
        demo = add_demo_guild(sim)
        sim.set_bot_permissions(demo.guild_id, perms.DEFAULT_BOT | perms.MANAGE_ROLES)
        sim.set_role_position(sim.bot_role(demo.guild_id).id, BOT_ROLE_TOP)
        pings = sim.add_role(demo.guild_id, "Pings", mentionable=True).id
        fan_roles = list(sim.state.member(demo.guild_id, demo.fan_id).role_ids)
        async with countdown_bot(sim, tmp_path / "bot.sqlite3", clock) as bot:
            await setup_countdown(
                sim, demo.guild_id, demo.countdown_id, demo.admin_id, role_id=pings
            )
            await _admin(sim, demo, "premiere notify", enabled=True)
            clock.set(post_instant(1))
            await settle(bot)
            [post] = sim.messages(demo.countdown_id)

            reply = await _admin(sim, demo, "countdown reset", confirm=True)
            assert "/premiere" in reply and "stay" in reply
            click = await sim.click_button(post, NOTIFY, demo.fan_id)
            assert click.ephemeral and "no ping role" in (click.content or "")
            assert sim.state.member(demo.guild_id, demo.fan_id).role_ids == fan_roles

            # Set up again with a role: the same old button hands out that role.
            await setup_countdown(
                sim, demo.guild_id, demo.countdown_id, demo.admin_id, role_id=pings
            )
            click = await sim.click_button(post, NOTIFY, demo.fan_id)
            assert "You'll be pinged" in (click.content or "")
            assert sim.state.member(demo.guild_id, demo.fan_id).role_ids == [*fan_roles, pings]


async def test_release_day_threads_follow_the_next_setup_after_a_reset(tmp_path: Path) -> None:
    season_3 = dt.datetime(2024, 10, 3, 7, 0, tzinfo=dt.UTC)
    clock = SettableClock(season_3 - dt.timedelta(hours=1))
    async with Simulator() as sim:
        demo = add_demo_guild(sim)
        threads = perms.CREATE_PUBLIC_THREADS | perms.SEND_MESSAGES_IN_THREADS
        sim.set_bot_permissions(demo.guild_id, perms.DEFAULT_BOT | threads)
        async with countdown_bot(sim, tmp_path / "bot.sqlite3", clock) as bot:
            await setup_countdown(
                sim, demo.guild_id, demo.countdown_id, demo.admin_id, role_id=demo.fans_role_id
            )
            await _admin(sim, demo, "premiere threads", enabled=True)
            reply = await _admin(sim, demo, "countdown reset", confirm=True)
            assert "release-day threads" in reply
            # Set up again, in another channel and with no role: the thread follows that.
            await setup_countdown(sim, demo.guild_id, demo.general_id, demo.admin_id)
            clock.set(season_3 + dt.timedelta(seconds=5))
            bot.countdowns._wake_at(clock())  # the tick's own wake-up, as at the due instant
            await settle(bot)
            [post] = [m for m in sim.messages(demo.general_id) if "is out now" in m["content"]]
            assert "<@&" not in post["content"]  # the old role is not pinged
            assert [t["id"] for t in sim.threads.of(demo.general_id)] == [post["id"]]
            assert not sim.threads.of(demo.countdown_id)
