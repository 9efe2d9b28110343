"""Show replies reuse the cards they built: a repeat command or a page turn formats nothing.

Issue 10, "Speed of the slow paths": /timeline, /season and paged /cast rebuilt their embeds on
every command and every Next/Previous click, and formatting a page cost as much as the rest of
the reply. Cards are pure functions of the (immutable) show data, so each is built once per
data version. Counted as ``discord.Embed`` constructions in the process while the bot answers:
discord.py parses incoming messages with ``Embed.from_dict``, which constructs none.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import discord
import pytest
import pytest_asyncio

from bot.client import HeartstopperBot
from bot.sandbox.harness import bot_against
from bot.sandbox.simulator.demo import DemoGuild, add_demo_guild
from bot.sandbox.simulator.interactions import InteractionResult
from bot.sandbox.simulator.server import Simulator
from bot.sandbox.simulator.sim_interactions import iter_components
from bot.show.loader import DEFAULT_DATA_PATH

pytestmark = pytest.mark.asyncio(loop_scope="module")

TIMELINE_FILTERS: list[dict[str, int]] = [
    {},
    {"season": 3},
    {"year": 2023},
    {"season": 2, "year": 2023},
]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator() as simulator:
        yield simulator


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def demo(sim: Simulator) -> DemoGuild:
    return add_demo_guild(sim)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(
    sim: Simulator, demo: DemoGuild, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[HeartstopperBot]:
    path = tmp_path_factory.mktemp("reuse") / "bot.sqlite3"
    async with bot_against(sim, path) as running:
        yield running


class EmbedCount:
    built = 0


@pytest.fixture
def embeds_built(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[EmbedCount]]:
    """Counts every ``discord.Embed(...)`` made while the test runs."""
    original = discord.Embed.__init__

    def counting(self: discord.Embed, *args: Any, **kwargs: Any) -> None:
        EmbedCount.built += 1
        original(self, *args, **kwargs)

    EmbedCount.built = 0
    monkeypatch.setattr(discord.Embed, "__init__", counting)
    yield EmbedCount


async def run(sim: Simulator, demo: DemoGuild, name: str, **options: Any) -> InteractionResult:
    result = await sim.run_command(
        demo.guild_id, demo.general_id, demo.fan_id, name, options=options
    )
    assert not result.failed, result.error
    return result


def _button(sim: Simulator, message_id: int, label: str) -> dict[str, Any]:
    message = sim.state.message_index[message_id]
    return next(c for c in iter_components(message["components"]) if c.get("label") == label)


async def walk_pages(sim: Simulator, demo: DemoGuild, result: InteractionResult) -> list[Any]:
    """Every page of a paged reply, Next to the end and Previous back: the embeds seen."""
    assert result.message is not None
    seen = [result.embeds]
    if not result.components:
        return seen
    message_id = int(result.message["id"])
    for label in ("Next", "Previous"):
        while not _button(sim, message_id, label).get("disabled"):
            message = sim.state.message_index[message_id]
            custom_id = _button(sim, message_id, label)["custom_id"]
            clicked = await sim.click_button(message, custom_id, demo.fan_id)
            assert not clicked.failed, clicked.error
            seen.append(result.embeds)
    return seen


async def test_timeline_filters_and_page_turns_reuse_their_pages(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot, embeds_built: type[EmbedCount]
) -> None:
    first = [
        await walk_pages(sim, demo, await run(sim, demo, "timeline", **f)) for f in TIMELINE_FILTERS
    ]
    assert embeds_built.built > 0  # the counter sees the cards being made
    embeds_built.built = 0
    again = [
        await walk_pages(sim, demo, await run(sim, demo, "timeline", **f)) for f in TIMELINE_FILTERS
    ]
    assert embeds_built.built == 0
    assert again == first  # the same pages, in the same order
    assert sum(len(pages) for pages in first) > len(TIMELINE_FILTERS)  # some were turned


async def test_cast_browsing_reuses_its_pages(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot, embeds_built: type[EmbedCount]
) -> None:
    first = await walk_pages(sim, demo, await run(sim, demo, "cast"))
    assert len(first) > 2
    embeds_built.built = 0
    again = await walk_pages(sim, demo, await run(sim, demo, "cast"))
    assert embeds_built.built == 0
    assert again == first


async def test_season_cards_are_built_once(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot, embeds_built: type[EmbedCount]
) -> None:
    numbers = [s.number for s in bot.show.seasons]
    first = [(await run(sim, demo, "season", number=n)).embeds for n in numbers]
    first.append((await run(sim, demo, "season")).embeds)
    embeds_built.built = 0
    again = [(await run(sim, demo, "season", number=n)).embeds for n in numbers]
    again.append((await run(sim, demo, "season")).embeds)
    assert embeds_built.built == 0
    assert again == first


async def test_reloaded_show_data_gets_fresh_cards(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot, tmp_path: Path
) -> None:
    """Reuse never outlives the data: after a reload every reused card shows the new facts."""
    commands: list[tuple[str, dict[str, int]]] = [
        ("season", {}),
        ("season", {"number": 1}),
        ("timeline", {}),
        ("timeline", {"season": 3}),
        ("cast", {}),
    ]
    before = [(await run(sim, demo, name, **options)).embeds for name, options in commands]
    text = DEFAULT_DATA_PATH.read_text(encoding="utf-8")
    edited = tmp_path / "heartstopper.toml"
    edited.write_text(
        text.replace('title = "Heartstopper"', 'title = "Heartstopper (reloaded)"', 1)
        .replace('headline = "', 'headline = "(reloaded) ')
        .replace('actor = "Kit Connor"', 'actor = "Kit Connor (reloaded)"', 1),
        encoding="utf-8",
    )
    assert bot.reload_show(edited).ok
    try:
        after = [(await run(sim, demo, name, **options)).embeds for name, options in commands]
        for (name, options), old, new in zip(commands, before, after, strict=True):
            assert "(reloaded)" in str(new), (name, options)
            assert "(reloaded)" not in str(old), (name, options)
    finally:
        assert bot.reload_show(DEFAULT_DATA_PATH).ok


async def test_family_cards_are_built_once_and_titled_as_typed(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot, embeds_built: type[EmbedCount]
) -> None:
    first = (await run(sim, demo, "cast", query="Nelson")).embeds[0]
    embeds_built.built = 0
    again = (await run(sim, demo, "cast", query="Nelson")).embeds[0]
    typed = (await run(sim, demo, "cast", query="  nelson ")).embeds[0]
    assert embeds_built.built == 0
    assert again == first
    assert first["title"] == "Everyone called Nelson"
    assert typed["title"] == "Everyone called nelson"  # the fan's own spelling, still
    assert typed["fields"] == first["fields"]
