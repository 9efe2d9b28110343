"""Episode Previous/Next buttons are stateless: owner-only, and still working after a restart."""

from __future__ import annotations

from pathlib import Path

from bot.sandbox.harness import bot_against
from bot.sandbox.simulator.demo import add_demo_guild
from bot.sandbox.simulator.server import Simulator
from bot.sandbox.simulator.sim_interactions import iter_components


def _custom_id(message: dict, label: str) -> str:
    return next(
        c["custom_id"] for c in iter_components(message["components"]) if c.get("label") == label
    )


async def test_buttons_are_owner_only_and_survive_a_restart(tmp_path: Path) -> None:
    async with Simulator() as sim:
        demo = add_demo_guild(sim)
        g, ch = demo.guild_id, demo.general_id
        async with bot_against(sim, tmp_path / "bot.sqlite3"):
            card = await sim.run_command(g, ch, demo.fan_id, "episode", {"season": 1, "number": 8})
            assert card.message is not None
            message = card.message
            stranger = await sim.click_button(card, _custom_id(message, "Next"), demo.admin_id)
            assert stranger.ephemeral and "belong to whoever ran" in (stranger.content or "")
            assert card.embeds[0]["title"].startswith("S1E8 · ")

        # A new process knows nothing about the old message, yet its buttons still work.
        async with bot_against(sim, tmp_path / "bot.sqlite3"):
            clicked = await sim.click_button(card, _custom_id(message, "Next"), demo.fan_id)
            assert not clicked.failed
            assert card.embeds[0]["title"].startswith("S2E1 · ")
            assert card.message is not None
            back = await sim.click_button(card, _custom_id(card.message, "Previous"), demo.fan_id)
            assert not back.failed and card.embeds[0]["title"].startswith("S1E8 · ")


async def test_a_button_for_an_episode_no_longer_in_the_data_answers_politely(
    tmp_path: Path,
) -> None:
    async with Simulator() as sim:
        demo = add_demo_guild(sim)
        async with bot_against(sim, tmp_path / "bot.sqlite3"):
            card = await sim.run_command(
                demo.guild_id, demo.general_id, demo.fan_id, "episode", {"season": 1, "number": 1}
            )
            assert card.message is not None
            # As if the data file lost an episode after this message was sent: edit the
            # message as Discord stores it.
            stored = card.record.original
            assert stored is not None
            stored["components"][0]["components"][1]["custom_id"] = "ep:next:9:9"
            clicked = await sim.click_button(card, "ep:next:9:9", demo.fan_id)
            assert not clicked.failed and clicked.ephemeral
            assert "no longer in my data" in (clicked.content or "")
