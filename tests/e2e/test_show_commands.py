"""The show commands, end to end: simulator → real discord.py client → cog → simulator."""

from __future__ import annotations

from bot.client import HeartstopperBot
from bot.sandbox.simulator.demo import DemoGuild
from bot.sandbox.simulator.server import Simulator


async def test_about_answers_publicly(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot
) -> None:
    result = await sim.run_command(demo.guild_id, demo.general_id, demo.fan_id, "about")
    assert not result.failed and not result.ephemeral
    embed = result.embeds[0]
    assert "Alice Oseman" in embed["description"]
    assert "/cast" in str(embed["fields"])
