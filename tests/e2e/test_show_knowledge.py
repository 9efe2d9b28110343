"""Issue 9 end to end: crew in /cast, families, plot words, /books and /awards, through the
real discord.py client against the simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from bot.client import HeartstopperBot
from bot.sandbox.harness import bot_against
from bot.sandbox.simulator.demo import DemoGuild, add_demo_guild
from bot.sandbox.simulator.server import Simulator
from tests.e2e.test_show_commands import (
    assert_no_ping,
    assert_public_card,
    assert_refusal,
    complete,
    embed_text,
    run,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")


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
    path = tmp_path_factory.mktemp("knowledge") / "bot.sqlite3"
    async with bot_against(sim, path) as running:
        yield running


async def test_cast_osman_finds_alice_oseman(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot
) -> None:
    embed = assert_public_card(sim, await run(sim, demo, "cast", query="Osman"))
    assert embed["title"] == "Alice Oseman"
    text = embed_text(embed)
    assert "Creator" in text and "Olivia Colman" not in text


async def test_cast_autocomplete_for_alice_offers_her_first(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot
) -> None:
    result = await complete(sim, demo, "cast", "query", "alice")
    assert result.choices and result.choices[0]["value"] == "alice-oseman"


@pytest.mark.parametrize(
    ("query", "title"),
    [("Euros Lyn", "Euros Lyn"), ("westmoreland", "Wash Westmoreland")],
)
async def test_cast_finds_the_crew(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot, query: str, title: str
) -> None:
    embed = assert_public_card(sim, await run(sim, demo, "cast", query=query))
    assert embed["title"] == title


async def test_a_surname_lists_the_family(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot
) -> None:
    embed = assert_public_card(sim, await run(sim, demo, "cast", query="Nelson"))
    names = " ".join(f["name"] for f in embed["fields"])
    for character in ("Nick Nelson", "Sarah Nelson", "David Nelson", "Stephane Nelson"):
        assert character in names


async def test_a_plot_word_lists_episodes_without_plot(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot
) -> None:
    embed = assert_public_card(sim, await run(sim, demo, "episode", title="Paris"))
    assert "S2E4 · Challenge" in embed["description"]
    assert "S2E5 · Heat" in embed["description"]
    assert "love bite" not in embed_text(embed)  # synopses stay out of the list


@pytest.mark.parametrize("title", ["S4E1", "season 4"])
async def test_a_missing_season_in_the_title_is_named(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot, title: str
) -> None:
    assert_refusal(sim, await run(sim, demo, "episode", title=title), "no season 4", "1–3")


async def test_when_title_and_numbers_disagree_the_reply_says_which_was_used(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot
) -> None:
    result = await run(sim, demo, "episode", season=1, number=2, title="Challenge")
    embed = assert_public_card(sim, result)
    assert embed["title"].startswith("S2E4")
    content = result.message["content"]  # type: ignore[index]
    assert "season 1" in content and "number 2" in content
    assert "S2E4" in content and "I used the title" in content


async def test_agreeing_title_and_numbers_add_no_note(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot
) -> None:
    result = await run(sim, demo, "episode", season=2, number=4, title="Challenge")
    assert_public_card(sim, result)
    assert not result.message["content"]  # type: ignore[index]


async def test_books_lists_the_six_volumes_and_novellas(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot
) -> None:
    embed = assert_public_card(sim, await run(sim, demo, "books"))
    names = [f["name"] for f in embed["fields"]]
    for n in range(1, 7):
        assert any(f"Volume {n}" in name for name in names), n
    assert any("Nick and Charlie" in name for name in names)
    assert any("Solitaire" in name for name in names)
    volume_6 = next(f for f in embed["fields"] if "Volume 6" in f["name"])
    assert "Film" in volume_6["value"]


async def test_awards_lists_the_emmys(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot
) -> None:
    result = await run(sim, demo, "awards")
    embed = assert_public_card(sim, result)
    assert_no_ping(result)
    text = embed_text(embed)
    assert text.count("Children's & Family Emmy Awards") == 7
    assert "Joe Locke" in text and "Journey" in text


async def test_about_names_the_makers_and_the_new_commands(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot
) -> None:
    embed = assert_public_card(sim, await run(sim, demo, "about"))
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert "`/books`" in fields["What I can do"] and "`/awards`" in fields["What I can do"]
    assert "/reload" not in fields["What I can do"]  # owners only: not advertised
    made_by = fields["Made by"]
    for name in ("Alice Oseman", "Euros Lyn", "Andy Newbery", "Wash Westmoreland"):
        assert name in made_by
