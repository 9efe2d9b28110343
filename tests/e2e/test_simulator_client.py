"""The real, unmodified discord.py client against the local Discord simulator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import discord
import pytest
from discord import app_commands

from bot.sandbox.simulator import Simulator, add_demo_guild, point_discord_py_at
from bot.sandbox.simulator import permissions as perms
from bot.sandbox.simulator.demo import DemoGuild

DEADLINE = 0.5
CAST = ["Kit Connor", "Joe Locke", "Yasmin Finney", "William Gao", "Corinna Brown"]


@dataclass
class Harness:
    sim: Simulator
    demo: DemoGuild
    client: discord.Client
    tree: app_commands.CommandTree
    errors: list[Exception] = field(default_factory=list)


class Vote(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Nick", custom_id="vote:nick")
    async def nick(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.edit_message(content="Thanks for voting Nick!", view=None)


def build_tree(
    client: discord.Client, guild_id: int, errors: list[Exception]
) -> app_commands.CommandTree:
    tree = app_commands.CommandTree(client)
    guild = discord.Object(guild_id)

    @tree.command()
    async def ping(interaction: discord.Interaction) -> None:
        """Check the bot is alive."""
        await interaction.response.send_message("pong")

    countdown = app_commands.Group(name="countdown", description="Release countdowns")

    @countdown.command()
    async def setup(
        interaction: discord.Interaction, channel: discord.TextChannel, time: str
    ) -> None:
        """Post a daily countdown."""
        await interaction.response.send_message(f"{channel.mention} at {time}", ephemeral=True)

    tree.add_command(countdown, guild=guild)

    @tree.command(guild=guild)
    async def slow(interaction: discord.Interaction) -> None:
        """Think first, answer later."""
        await interaction.response.defer(thinking=True)
        await asyncio.sleep(0.05)
        await interaction.followup.send("finally done")

    @tree.command(guild=guild)
    async def cast(interaction: discord.Interaction, query: str) -> None:
        """Look up a cast member."""
        await interaction.response.send_message(query)

    @cast.autocomplete("query")
    async def cast_complete(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        hits = [n for n in CAST if current.lower() in n.lower()]
        return [app_commands.Choice(name=n, value=n) for n in hits][:25]

    @tree.command(guild=guild)
    async def vote(interaction: discord.Interaction) -> None:
        """Vote for a favourite."""
        await interaction.response.send_message("Who is your favourite?", view=Vote())

    @tree.command(guild=guild)
    async def late(interaction: discord.Interaction) -> None:
        """Answers after Discord gave up."""
        await asyncio.sleep(DEADLINE + 0.3)
        await interaction.response.send_message("too late")

    @tree.error
    async def on_error(interaction: discord.Interaction, error: Exception) -> None:
        errors.append(getattr(error, "original", error))

    return tree


@pytest.fixture
async def harness(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Harness]:
    # Record the real endpoints so they are restored after the test.
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket,
        "DEFAULT_GATEWAY",
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY,
    )
    async with Simulator(interaction_deadline=DEADLINE) as sim:
        demo = add_demo_guild(sim)
        point_discord_py_at(sim.api_base_url, sim.gateway_url)
        intents = discord.Intents.default()
        intents.members = intents.presences = intents.message_content = False
        client = discord.Client(intents=intents, guild_ready_timeout=0.05)
        errors: list[Exception] = []
        tree = build_tree(client, demo.guild_id, errors)
        task = asyncio.create_task(client.start(sim.token))
        try:
            await asyncio.wait_for(client.wait_until_ready(), 5)
            yield Harness(sim, demo, client, tree, errors)
        finally:
            await client.close()
            await asyncio.wait_for(task, 5)


async def sync_all(h: Harness) -> None:
    await h.tree.sync()
    await h.tree.sync(guild=discord.Object(h.demo.guild_id))


async def test_logs_in_and_caches_the_guild(harness: Harness) -> None:
    client, demo = harness.client, harness.demo
    assert client.user is not None and client.user.id == harness.sim.bot_user_id
    guild = client.get_guild(demo.guild_id)
    assert guild is not None and guild.name == "Heartstopper Fan Club"
    assert {c.name for c in guild.text_channels} == {"general", "countdown", "read-only"}
    assert guild.me is not None
    read_only = guild.get_channel(demo.read_only_id)
    assert not read_only.permissions_for(guild.me).send_messages
    assert guild.get_channel(demo.general_id).permissions_for(guild.me).send_messages
    assert harness.sim.stats.identifies == 1


async def test_syncs_guild_and_global_commands(harness: Harness) -> None:
    await sync_all(harness)
    assert [c["name"] for c in harness.sim.commands()] == ["ping"]
    guild_names = {c["name"] for c in harness.sim.commands(harness.demo.guild_id)}
    assert guild_names == {"countdown", "slow", "cast", "vote", "late"}
    assert await harness.sim.wait_for_commands(harness.demo.guild_id, timeout=1)


async def test_slash_commands_get_replies(harness: Harness) -> None:
    sim, demo = harness.sim, harness.demo
    await sync_all(harness)
    result = await sim.run_command(demo.guild_id, demo.general_id, demo.fan_id, "ping")
    assert result.error is None and result.type == 4
    assert result.content == "pong" and not result.ephemeral
    assert result.latency is not None and result.latency < DEADLINE
    assert [m["content"] for m in sim.messages(demo.general_id)] == ["pong"]

    setup = await sim.run_command(
        demo.guild_id,
        demo.general_id,
        demo.admin_id,
        "countdown setup",
        options={"channel": demo.countdown_id, "time": "09:00"},
    )
    assert setup.content == f"<#{demo.countdown_id}> at 09:00"
    assert setup.ephemeral
    assert len(sim.messages(demo.general_id)) == 1  # ephemeral replies stay out of the channel


async def test_deferred_command_then_followup(harness: Harness) -> None:
    sim, demo = harness.sim, harness.demo
    await sync_all(harness)
    result = await sim.run_command(demo.guild_id, demo.general_id, demo.fan_id, "slow")
    assert result.type == 5 and result.deferred
    assert result.content == "finally done" and not result.loading
    assert [m["content"] for m in result.followups] == ["finally done"]


async def test_autocomplete_offers_choices(harness: Harness) -> None:
    sim, demo = harness.sim, harness.demo
    await sync_all(harness)
    result = await sim.autocomplete(
        demo.guild_id,
        demo.general_id,
        demo.fan_id,
        "cast",
        options={"query": "jo"},
        focused="query",
    )
    assert result.type == 8
    assert result.choices == [{"name": "Joe Locke", "value": "Joe Locke"}]


async def test_button_click_updates_the_message(harness: Harness) -> None:
    sim, demo = harness.sim, harness.demo
    await sync_all(harness)
    shown = await sim.run_command(demo.guild_id, demo.general_id, demo.fan_id, "vote")
    assert shown.components  # the bot attached its view
    clicked = await sim.click_button(shown, "vote:nick", demo.fan_id)
    assert clicked.type == 7 and clicked.error is None
    assert shown.content == "Thanks for voting Nick!"  # the live original was updated
    assert shown.components == []


async def test_nonce_makes_a_retried_send_idempotent(harness: Harness) -> None:
    sim, demo = harness.sim, harness.demo
    channel = harness.client.get_channel(demo.countdown_id)
    first = await channel.send("12 days to go", nonce="countdown-1")
    second = await channel.send("12 days to go", nonce="countdown-1")
    assert first.id == second.id
    assert [m["content"] for m in sim.messages(demo.countdown_id)] == ["12 days to go"]


async def test_no_ping_with_allowed_mentions_none(harness: Harness) -> None:
    sim, demo = harness.sim, harness.demo
    channel = harness.client.get_channel(demo.general_id)
    await channel.send(
        f"@everyone <@&{demo.fans_role_id}>", allowed_mentions=discord.AllowedMentions.none()
    )
    await channel.send(f"<@&{demo.fans_role_id}>")
    quiet, loud = sim.messages(demo.general_id)
    assert (quiet["mention_everyone"], quiet["mention_roles"]) == (False, [])
    assert loud["mention_roles"] == [str(demo.fans_role_id)]


async def test_read_only_channel_is_forbidden(harness: Harness) -> None:
    channel = harness.client.get_channel(harness.demo.read_only_id)
    with pytest.raises(discord.Forbidden) as caught:
        await channel.send("hello?")
    assert caught.value.code == 50013
    assert harness.sim.messages(harness.demo.read_only_id) == []


async def test_survives_a_dropped_gateway_by_resuming(harness: Harness) -> None:
    sim, demo = harness.sim, harness.demo
    await sync_all(harness)
    resumed = asyncio.ensure_future(harness.client.wait_for("resumed", timeout=5))
    assert await sim.drop_gateway() == 1
    await sim.wait_for_resume(timeout=5)
    await resumed  # discord.py itself saw RESUMED
    assert (sim.stats.resumes, sim.stats.identifies) == (1, 1)
    assert sim.stats.gateway_connects["/gateway/resume"] == 1  # used READY's resume URL
    result = await sim.run_command(demo.guild_id, demo.general_id, demo.fan_id, "ping")
    assert result.content == "pong"


async def test_late_response_is_rejected(harness: Harness) -> None:
    sim, demo = harness.sim, harness.demo
    await sync_all(harness)
    result = await sim.run_command(demo.guild_id, demo.general_id, demo.fan_id, "late")
    assert result.failed and result.error == "The application did not respond"
    assert result.message is None
    await sim.wait_until(lambda: sim.stats.late_callbacks == 1, timeout=2)
    await sim.wait_until(lambda: bool(harness.errors), timeout=2)
    error = harness.errors[0]
    assert isinstance(error, discord.NotFound) and error.code == 10062


async def test_rate_limited_send_is_retried_once(harness: Harness) -> None:
    sim, demo = harness.sim, harness.demo
    sim.faults.rate_limit("POST", rf"^/channels/{demo.general_id}/messages$", retry_after=0.1)
    await harness.client.get_channel(demo.general_id).send("after the wait")
    assert sim.stats.rate_limited == 1
    assert sim.stats.requests["POST /channels/{channel_id}/messages"] == 2
    assert [m["content"] for m in sim.messages(demo.general_id)] == ["after the wait"]


async def test_cache_follows_state_changes(harness: Harness) -> None:
    sim, demo, client = harness.sim, harness.demo, harness.client
    guild = client.get_guild(demo.guild_id)
    general = guild.get_channel(demo.general_id)
    sim.revoke_bot_permission(demo.general_id, perms.SEND_MESSAGES)
    await client.wait_for("guild_channel_update", timeout=2)
    assert not general.permissions_for(guild.me).send_messages

    joined = asyncio.ensure_future(client.wait_for("guild_join", timeout=2))
    new_guild = sim.add_guild("Paper Towns Book Club")
    assert (await joined).id == new_guild.id
    removed = asyncio.ensure_future(client.wait_for("guild_remove", timeout=2))
    sim.remove_guild(new_guild.id)
    assert (await removed).id == new_guild.id and client.get_guild(new_guild.id) is None
