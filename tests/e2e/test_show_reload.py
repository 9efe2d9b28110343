"""Reloading the show data while the bot runs: a good file swaps in, a broken one changes
nothing, and only owners may trigger it from Discord."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.client import HeartstopperBot
from bot.sandbox.harness import bot_against
from bot.sandbox.simulator.demo import DemoGuild, add_demo_guild
from bot.sandbox.simulator.server import Simulator
from bot.show.changes import ChangeKind
from bot.show.loader import DEFAULT_DATA_PATH
from bot.show.models import DatePrecision
from tests.e2e.test_show_commands import assert_public_card, assert_refusal, run

pytestmark = pytest.mark.asyncio(loop_scope="module")

FILM_YEAR = 'precision = "year"\nyear = 2026'
FILM_DAY = 'precision = "instant"\ninstant = 2026-12-18T08:00:00Z'


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator() as simulator:
        yield simulator


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def demo(sim: Simulator) -> DemoGuild:
    return add_demo_guild(sim)


@pytest.fixture(scope="module")
def data_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data") / "heartstopper.toml"
    shutil.copyfile(DEFAULT_DATA_PATH, path)
    assert FILM_YEAR in path.read_text(encoding="utf-8")
    return path


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(
    sim: Simulator, demo: DemoGuild, data_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[HeartstopperBot]:
    db = tmp_path_factory.mktemp("reload") / "bot.sqlite3"
    async with bot_against(
        sim, db, data_path=data_path, owner_ids=frozenset({demo.admin_id})
    ) as running:
        yield running


def write_film(path: Path, when: str) -> None:
    text = DEFAULT_DATA_PATH.read_text(encoding="utf-8")
    path.write_text(text.replace(FILM_YEAR, when), encoding="utf-8")


async def test_a_broken_file_changes_nothing(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot, data_path: Path
) -> None:
    before, index, releases = bot.show, bot.show_index, bot.countdowns.releases
    write_film(data_path, 'precision = "instant"\ninstant = 2026-12-18')  # no time zone
    outcome = bot.reload_show(data_path)
    assert not outcome.ok
    assert "\n" not in outcome.message
    assert outcome.message.startswith(f"{data_path}: releases[heartstopper-forever].instant:")
    assert bot.show is before and bot.show_index is index
    assert bot.countdowns.releases is releases
    embed = assert_public_card(sim, await run(sim, demo, "cast", query="Osman"))
    assert embed["title"] == "Alice Oseman"


async def test_a_good_file_gives_the_film_its_date(
    sim: Simulator,
    demo: DemoGuild,
    bot: HeartstopperBot,
    data_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_film(data_path, FILM_DAY)
    outcome = bot.reload_show(data_path)
    assert outcome.ok, outcome.message
    assert [(c.key, c.kind) for c in outcome.changes] == [
        ("heartstopper-forever", ChangeKind.DATED)
    ]
    film = bot.show.release("heartstopper-forever")
    assert film is not None and film.when.precision is DatePrecision.INSTANT
    assert film in bot.countdowns.releases
    monkeypatch.setattr(bot, "clock", lambda: dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC))
    embed = assert_public_card(sim, await run(sim, demo, "next"))
    assert "Heartstopper Forever" in embed["title"]
    assert "17 days to go" in embed["description"]


async def test_only_owners_may_reload_from_discord(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot, data_path: Path
) -> None:
    write_film(data_path, FILM_YEAR)
    # Ordinary members don't even see the command; a server admin who isn't an owner of
    # the bot (here the server's owner) sees it but is refused.
    server_owner = sim.state.guilds[demo.guild_id].owner_id
    refused = await run(sim, demo, "reload", member=server_owner)
    assert_refusal(sim, refused, "Only the bot's owners")
    assert bot.show.release("heartstopper-forever").when.precision is not DatePrecision.YEAR  # type: ignore[union-attr]

    done = await run(sim, demo, "reload", member=demo.admin_id)
    assert done.ephemeral and "reloaded" in (done.content or "")
    assert bot.show.release("heartstopper-forever").when.year == 2026  # type: ignore[union-attr]
    assert bot.show.release("heartstopper-forever").when.precision is DatePrecision.YEAR  # type: ignore[union-attr]


async def test_the_owner_hears_why_a_broken_file_was_refused(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot, data_path: Path
) -> None:
    write_film(data_path, "[series")  # a half-written edit: invalid TOML
    result = await run(sim, demo, "reload", member=demo.admin_id)
    content = assert_refusal(sim, result, "Kept the current data", "invalid TOML")
    assert str(data_path.name) in content
    assert bot.show.release("heartstopper-forever") is not None


async def test_cards_built_before_a_reload_are_not_served_after_it(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot, data_path: Path
) -> None:
    old = "A warm, rugby-loving Year 11 student"
    embed = assert_public_card(sim, await run(sim, demo, "cast", query="Kit Connor"))
    assert old in embed["description"]  # now cached by the cog
    text = DEFAULT_DATA_PATH.read_text(encoding="utf-8").replace(old, "A corrected description")
    data_path.write_text(text, encoding="utf-8")  # noqa: ASYNC240 - a test's tiny file
    assert bot.reload_show(data_path).ok
    embed = assert_public_card(sim, await run(sim, demo, "cast", query="Kit Connor"))
    assert "A corrected description" in embed["description"]
    episode = assert_public_card(sim, await run(sim, demo, "episode", title="S2E4"))
    assert episode["title"].startswith("S2E4")
