"""The "🔔 Notify me" button (issue 11): opt-in, preflight-checked, on real countdown posts,
and still working after a restart, for the clicking member and that role only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.sandbox.simulator import permissions as perms
from bot.sandbox.simulator.demo import DemoGuild, add_demo_guild
from bot.sandbox.simulator.server import Simulator
from bot.sandbox.simulator.sim_interactions import iter_components
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
BOT_ROLE_TOP = 50  # dragged above every other role of the demo server


def _roles(sim: Simulator, demo: DemoGuild, user_id: int) -> list[int]:
    return list(sim.state.member(demo.guild_id, user_id).role_ids)


async def _admin(sim: Simulator, demo: DemoGuild, command: str, **options: object) -> str:
    result = await sim.run_command(demo.guild_id, demo.general_id, demo.admin_id, command, options)
    assert not result.failed and result.ephemeral, result
    return text_of(result)


async def _ready_server(sim: Simulator) -> tuple[DemoGuild, int]:
    """The demo server with Manage Roles for the bot, its role on top, and a 'Pings' role."""
    demo = add_demo_guild(sim)
    sim.set_bot_permissions(demo.guild_id, perms.DEFAULT_BOT | perms.MANAGE_ROLES)
    sim.set_role_position(sim.bot_role(demo.guild_id).id, BOT_ROLE_TOP)
    pings = sim.add_role(demo.guild_id, "Pings", mentionable=True)
    return demo, pings.id


async def test_button_adds_and_removes_only_that_role_after_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    clock = SettableClock(SEP_1_0700)
    async with Simulator() as sim:
        demo, pings = await _ready_server(sim)
        fan_roles_before = _roles(sim, demo, demo.fan_id)
        admin_roles_before = _roles(sim, demo, demo.admin_id)
        async with countdown_bot(sim, db, clock) as bot:
            await setup_countdown(
                sim, demo.guild_id, demo.countdown_id, demo.admin_id, role_id=pings
            )
            assert "Notify me" in await _admin(sim, demo, "premiere notify", enabled=True)
            clock.set(post_instant(1))
            await settle(bot)
        [post] = sim.messages(demo.countdown_id)
        buttons = [c for c in iter_components(post["components"]) if c.get("type") == 2]
        assert [b["custom_id"] for b in buttons] == [NOTIFY]

        # A new process, an old post: the button still works.
        async with countdown_bot(sim, db, clock) as bot:
            added = await sim.click_button(post, NOTIFY, demo.fan_id)
            assert not added.failed and added.ephemeral
            assert "You'll be pinged" in (added.content or "")
            assert _roles(sim, demo, demo.fan_id) == [*fan_roles_before, pings]
            assert _roles(sim, demo, demo.admin_id) == admin_roles_before  # nobody else

            too_soon = await sim.click_button(post, NOTIFY, demo.fan_id)
            assert "Slow down" in (too_soon.content or "")
            assert pings in _roles(sim, demo, demo.fan_id)

            clock.advance(dt.timedelta(minutes=1))
            removed = await sim.click_button(post, NOTIFY, demo.fan_id)
            assert removed.ephemeral and "won't be pinged" in (removed.content or "")
            assert _roles(sim, demo, demo.fan_id) == fan_roles_before


async def test_turning_it_on_explains_a_role_above_the_bot_and_changes_nothing(
    tmp_path: Path,
) -> None:
    clock = SettableClock(SEP_1_0700)
    async with Simulator() as sim:
        demo = add_demo_guild(sim)
        sim.set_bot_permissions(demo.guild_id, perms.DEFAULT_BOT | perms.MANAGE_ROLES)
        pings = sim.add_role(demo.guild_id, "Pings", mentionable=True)  # above the bot's role
        async with countdown_bot(sim, tmp_path / "bot.sqlite3", clock) as bot:
            await setup_countdown(
                sim, demo.guild_id, demo.countdown_id, demo.admin_id, role_id=pings.id
            )
            reply = await _admin(sim, demo, "premiere notify", enabled=True)
            assert "Drag **Heartstopper Bot** above **Pings**" in reply
            clock.set(post_instant(1))
            await settle(bot)
            [post] = sim.messages(demo.countdown_id)
            assert not post.get("components")  # the option stayed off


async def test_turning_it_on_without_manage_roles_names_the_permission(tmp_path: Path) -> None:
    async with Simulator() as sim:
        demo = add_demo_guild(sim)
        sim.set_role_position(sim.bot_role(demo.guild_id).id, BOT_ROLE_TOP)
        pings = sim.add_role(demo.guild_id, "Pings", mentionable=True)
        async with countdown_bot(sim, tmp_path / "bot.sqlite3", SettableClock(SEP_1_0700)):
            await setup_countdown(
                sim, demo.guild_id, demo.countdown_id, demo.admin_id, role_id=pings.id
            )
            reply = await _admin(sim, demo, "premiere notify", enabled=True)
            assert "**Manage Roles**" in reply
            assert "off" in await _admin(sim, demo, "premiere status")


async def test_a_permission_lost_later_answers_the_clicker_and_tells_status(
    tmp_path: Path,
) -> None:
    clock = SettableClock(SEP_1_0700)
    async with Simulator() as sim:
        demo, pings = await _ready_server(sim)
        fan_roles_before = _roles(sim, demo, demo.fan_id)
        async with countdown_bot(sim, tmp_path / "bot.sqlite3", clock) as bot:
            await setup_countdown(
                sim, demo.guild_id, demo.countdown_id, demo.admin_id, role_id=pings
            )
            await _admin(sim, demo, "premiere notify", enabled=True)
            clock.set(post_instant(1))
            await settle(bot)
            [post] = sim.messages(demo.countdown_id)
            sim.set_bot_permissions(demo.guild_id, perms.DEFAULT_BOT)  # Manage Roles taken away
            await sim.wait_until(
                lambda: not bot.get_guild(demo.guild_id).me.guild_permissions.manage_roles
            )
            clicked = await sim.click_button(post, NOTIFY, demo.fan_id)
            assert clicked.ephemeral and "told the server's admins" in (clicked.content or "")
            assert _roles(sim, demo, demo.fan_id) == fan_roles_before
            assert "Manage Roles" in await _admin(sim, demo, "premiere status")


async def test_simulator_enforces_manage_roles_and_the_hierarchy() -> None:
    import aiohttp

    async with Simulator() as sim:
        demo = add_demo_guild(sim)
        url = f"{sim.api_base_url}/guilds/{demo.guild_id}/members/{demo.fan_id}/roles/"
        headers = {"Authorization": f"Bot {sim.token}"}
        async with aiohttp.ClientSession(headers=headers) as http:
            async with http.put(url + str(demo.mods_role_id)) as response:
                assert response.status == 403  # no Manage Roles
            sim.set_bot_permissions(demo.guild_id, perms.DEFAULT_BOT | perms.MANAGE_ROLES)
            async with http.put(url + str(demo.mods_role_id)) as response:
                assert response.status == 403  # Mods sits above the bot's role
                assert (await response.json())["code"] == 50013
            sim.set_role_position(sim.bot_role(demo.guild_id).id, BOT_ROLE_TOP)
            async with http.put(url + str(demo.mods_role_id)) as response:
                assert response.status == 204
            assert demo.mods_role_id in _roles(sim, demo, demo.fan_id)
            async with http.put(url + str(sim.bot_role(demo.guild_id).id)) as response:
                assert response.status == 403  # a managed role is nobody's to give
            async with http.delete(url + str(demo.mods_role_id)) as response:
                assert response.status == 204
            assert demo.mods_role_id not in _roles(sim, demo, demo.fan_id)
            async with http.put(url + "123") as response:
                assert response.status == 404 and (await response.json())["code"] == 10011
