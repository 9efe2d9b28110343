"""The show commands, end to end: simulator → real discord.py client → cog → simulator.

One simulator and one bot serve the whole module (starting the bot costs ~2 s); every test
reads only the interactions it started, so they don't depend on each other.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from bot import paging
from bot.client import HeartstopperBot
from bot.sandbox.harness import bot_against
from bot.sandbox.simulator import permissions as perms
from bot.sandbox.simulator.demo import DemoGuild, add_demo_guild
from bot.sandbox.simulator.interactions import InteractionResult
from bot.sandbox.simulator.server import Simulator
from bot.sandbox.simulator.sim_interactions import iter_components

pytestmark = pytest.mark.asyncio(loop_scope="module")

LONG_QUERY = "heartstopper " * 461 + "x"  # 5,994 characters: near Discord's 6,000 cap
JUNK_QUERIES = [
    "",
    "   ",
    "Zzzzqx",
    LONG_QUERY,
    "**bold** __under__ ||spoiler|| `code`",
    "@everyone @here",
    "<@&123456789012345678>",
    "💖🏳️‍🌈 nick 🍂",
    "\u200b\u0000\ufeff",
    "S99E99",
    "'; DROP TABLE cast; --",
]


# -- fixtures: one world per module -----------------------------------------------------------


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator() as simulator:
        yield simulator


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def demo(sim: Simulator) -> DemoGuild:
    guild = add_demo_guild(sim)
    # The bot may ping @everyone here, so only its allowed_mentions stand between a hostile
    # query and a mass ping: the ping tests below then check the bot, not the permission.
    sim.set_bot_permissions(guild.guild_id, perms.DEFAULT_BOT | perms.MENTION_EVERYONE)
    return guild


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(
    sim: Simulator, demo: DemoGuild, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[HeartstopperBot]:
    path = tmp_path_factory.mktemp("show") / "bot.sqlite3"
    async with bot_against(sim, path) as running:
        yield running


# -- helpers ----------------------------------------------------------------------------------


async def run(
    sim: Simulator, demo: DemoGuild, name: str, member: int | None = None, **options: Any
) -> InteractionResult:
    who = demo.fan_id if member is None else member
    return await sim.run_command(demo.guild_id, demo.general_id, who, name, options=options)


async def complete(
    sim: Simulator, demo: DemoGuild, name: str, option: str, text: str
) -> InteractionResult:
    return await sim.autocomplete(
        demo.guild_id, demo.general_id, demo.fan_id, name, {option: text}, focused=option
    )


def button(result_or_message: InteractionResult | dict[str, Any], label: str) -> dict[str, Any]:
    message = (
        result_or_message.message
        if isinstance(result_or_message, InteractionResult)
        else result_or_message
    )
    assert message is not None
    found = [c for c in iter_components(message.get("components")) if c.get("label") == label]
    assert found, f"no {label!r} button on the message"
    return found[0]


def embed_text(embed: dict[str, Any]) -> str:
    """Everything visible in an embed, for "this must not appear anywhere" checks."""
    parts = [embed.get("title", ""), embed.get("description", "")]
    parts += [f"{f['name']}\n{f['value']}" for f in embed.get("fields", [])]
    parts.append((embed.get("footer") or {}).get("text", ""))
    return "\n".join(p for p in parts if p)


def footer(result: InteractionResult) -> str:
    return result.embeds[0]["footer"]["text"]


def assert_no_ping(result: InteractionResult) -> None:
    message = result.message
    assert message is not None
    visible = "\n".join([message.get("content", ""), *map(embed_text, message["embeds"])])
    assert re.search(r"@(everyone|here)\b", visible) is None, visible
    assert not message["mention_everyone"]
    assert message["mention_roles"] == []
    assert message["mentions"] == []
    # Belt and braces: the bot told Discord to ping nobody at all.
    assert message.get("allowed_mentions", {}).get("parse") == []


def assert_public_card(sim: Simulator, result: InteractionResult) -> dict[str, Any]:
    assert not result.failed, result.error
    assert not result.ephemeral
    assert result.latency is not None and result.latency < sim.interaction_deadline
    assert len(result.embeds) == 1
    assert_no_ping(result)
    return result.embeds[0]


def assert_refusal(sim: Simulator, result: InteractionResult, *expected: str) -> str:
    """A clear, private, prompt answer: never a failure, never a ping, never an embed dump."""
    assert not result.failed, result.error
    assert result.ephemeral, result
    assert result.latency is not None and result.latency < sim.interaction_deadline
    content = result.content or ""
    assert 0 < len(content) <= 2000
    assert "something went wrong" not in content  # an expected error, not a crash
    for text in expected:
        assert text in content, content
    assert_no_ping(result)
    return content


def assert_valid_choices(result: InteractionResult) -> list[dict[str, Any]]:
    assert not result.failed, result.error
    choices = result.choices
    assert choices is not None
    assert len(choices) <= 25
    for choice in choices:
        assert 1 <= len(choice["name"]) <= 100
        assert 1 <= len(str(choice["value"])) <= 100
    return choices


# -- /about -----------------------------------------------------------------------------------


async def test_about_answers_publicly(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot
) -> None:
    embed = assert_public_card(sim, await run(sim, demo, "about"))
    assert "Alice Oseman" in embed["description"]
    commands = str(embed["fields"])
    for name in ("/cast", "/episode", "/season", "/next", "/timeline"):
        assert f"`{name}`" in commands


# -- /cast ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "actor", "plays"),
    [
        ("Kit", "Kit Connor", "Nick Nelson"),
        ("nick", "Kit Connor", "Nick Nelson"),
        ("conor", "Kit Connor", "Nick Nelson"),
        ("farooq", "Nima Taleghani", "Mr Farouk"),
        ("charlie spring", "Joe Locke", "Charlie Spring"),
        ("  TAO  ", "William Gao", "Tao Xu"),
    ],
)
async def test_cast_finds_the_right_person(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot, query: str, actor: str, plays: str
) -> None:
    embed = assert_public_card(sim, await run(sim, demo, "cast", query=query))
    assert embed["title"] == actor
    assert plays in embed_text(embed)


async def test_cast_autocomplete_puts_the_best_match_first(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot
) -> None:
    for typed, first in [("nick", "kit-connor"), ("conor", "kit-connor"), ("char", "joe-locke")]:
        choices = assert_valid_choices(await complete(sim, demo, "cast", "query", typed))
        assert choices[0]["value"] == first, (typed, choices[:3])

    # Nothing typed: a useful list starting with the main cast, not an empty box.
    choices = assert_valid_choices(await complete(sim, demo, "cast", "query", ""))
    assert len(choices) == 25
    assert choices[0]["name"] == "Kit Connor — Nick Nelson"


async def test_cast_autocomplete_value_leads_to_that_person(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot
) -> None:
    choices = assert_valid_choices(await complete(sim, demo, "cast", "query", "farooq"))
    picked = choices[0]
    embed = assert_public_card(sim, await run(sim, demo, "cast", query=picked["value"]))
    assert picked["name"].startswith(embed["title"])


@pytest.mark.parametrize("command", ["cast", "episode"])
@pytest.mark.parametrize("typed", JUNK_QUERIES, ids=lambda q: repr(q[:12]))
async def test_autocomplete_answers_junk_with_valid_choices(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot, command: str, typed: str
) -> None:
    option = "query" if command == "cast" else "title"
    result = await complete(sim, demo, command, option, typed)
    assert result.latency is not None and result.latency < sim.interaction_deadline
    assert_valid_choices(result)


async def test_cast_without_query_pages_for_its_owner_only(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot
) -> None:
    first = await run(sim, demo, "cast")
    embed = assert_public_card(sim, first)
    pages = -(-len(bot.show.cast) // 10)
    assert footer(first).startswith(f"Page 1/{pages}")
    assert embed["fields"][0]["name"].startswith("Kit Connor")
    assert button(first, "Previous")["disabled"] is True
    assert button(first, "Next").get("disabled") is not True

    clicked = await sim.click_button(first, button(first, "Next")["custom_id"], demo.fan_id)
    assert not clicked.failed and clicked.type == 7  # edited in place, not a new message
    assert footer(first).startswith(f"Page 2/{pages}")
    page_two = first.embeds[0]["fields"][0]["name"]
    assert page_two != embed["fields"][0]["name"]
    assert button(first, "Previous").get("disabled") is not True

    # Someone else's click: a private "not yours", and the page stays where it was.
    stranger = await sim.click_button(first, button(first, "Previous")["custom_id"], demo.admin_id)
    assert_refusal(sim, stranger, "run it yourself")
    assert footer(first).startswith(f"Page 2/{pages}")
    assert first.embeds[0]["fields"][0]["name"] == page_two

    back = await sim.click_button(first, button(first, "Previous")["custom_id"], demo.fan_id)
    assert not back.failed
    assert footer(first).startswith(f"Page 1/{pages}")
    assert button(first, "Previous")["disabled"] is True


async def test_cast_last_page_disables_next(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot
) -> None:
    result = await run(sim, demo, "cast")
    pages = -(-len(bot.show.cast) // 10)
    for _ in range(pages - 1):
        await sim.click_button(result, button(result, "Next")["custom_id"], demo.fan_id)
    assert footer(result).startswith(f"Page {pages}/{pages}")
    assert button(result, "Next")["disabled"] is True
    assert len(result.embeds[0]["fields"]) == len(bot.show.cast) - 10 * (pages - 1)


# -- /episode and /season -----------------------------------------------------------------------


def assert_spoiler_safe(embed: dict[str, Any], synopsis: str) -> None:
    """The plot is only inside one ``||…||`` in the description, nowhere else."""
    lead, _, hidden = embed["description"].partition("\n")
    assert "spoiler" in lead.lower()
    assert hidden.startswith("||") and hidden.endswith("||")
    assert "||" not in hidden[2:-2]  # nothing can close the spoiler early
    opening = synopsis[:25]
    assert opening in hidden
    outside = embed_text({**embed, "description": lead})
    for chunk in (opening, synopsis[-25:]):
        assert chunk not in outside


async def test_episode_by_season_and_number(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot
) -> None:
    episode = bot.show.episode(2, 4)
    assert episode is not None
    embed = assert_public_card(sim, await run(sim, demo, "episode", season=2, number=4))
    assert embed["title"] == f"S2E4 · {episode.title}"
    assert_spoiler_safe(embed, episode.synopsis)
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Released"].startswith("<t:")
    assert "Episode 4 of 8" in fields["Season"]


async def test_episode_by_autocompleted_title(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot
) -> None:
    choices = assert_valid_choices(await complete(sim, demo, "episode", "title", "s2e4"))
    assert choices[0]["value"] == "S2E4"
    choices = assert_valid_choices(await complete(sim, demo, "episode", "title", "chal"))
    assert choices[0]["value"] == "S2E4"

    embed = assert_public_card(sim, await run(sim, demo, "episode", title="S2E4"))
    assert embed["title"].startswith("S2E4 · ")
    # A misspelt title still gets there.
    again = assert_public_card(sim, await run(sim, demo, "episode", title="Chalenge"))
    assert again["title"] == embed["title"]


async def test_every_episode_card_keeps_the_plot_behind_spoilers(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot
) -> None:
    start = await run(sim, demo, "episode", season=1, number=1)
    episodes = sorted(bot.show.episodes, key=lambda e: (e.season, e.number))
    for index, episode in enumerate(episodes):
        if index:
            await sim.click_button(start, button(start, "Next")["custom_id"], demo.fan_id)
        embed = start.embeds[0]
        assert embed["title"] == f"{episode.code} · {episode.title}"
        assert_spoiler_safe(embed, episode.synopsis)
        assert_no_ping(start)


async def test_episode_previous_and_next_buttons(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot
) -> None:
    result = await run(sim, demo, "episode", season=2, number=4)
    await sim.click_button(result, button(result, "Next")["custom_id"], demo.fan_id)
    assert result.embeds[0]["title"].startswith("S2E5 · ")
    for _ in range(2):
        await sim.click_button(result, button(result, "Previous")["custom_id"], demo.fan_id)
    assert result.embeds[0]["title"].startswith("S2E3 · ")

    # Across a season boundary, and the ends of the show.
    first = await run(sim, demo, "episode", season=1, number=1)
    assert button(first, "Previous")["disabled"] is True
    last = await run(sim, demo, "episode", season=3, number=8)
    assert button(last, "Next")["disabled"] is True
    boundary = await run(sim, demo, "episode", season=2, number=1)
    await sim.click_button(boundary, button(boundary, "Previous")["custom_id"], demo.fan_id)
    assert boundary.embeds[0]["title"].startswith("S1E8 · ")


async def test_season_with_and_without_a_number(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot
) -> None:
    embed = assert_public_card(sim, await run(sim, demo, "season", number=2))
    assert "Season 2" in embed["title"]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Episodes"] == "8"
    assert "S2E4 · Challenge" in fields["Episode list"]
    assert "S3E1" not in fields["Episode list"]

    overview = assert_public_card(sim, await run(sim, demo, "season"))
    names = [f["name"] for f in overview["fields"]]
    assert names == ["Season 1 (2022)", "Season 2 (2023)", "Season 3 (2024)"]


# -- /next and /timeline ------------------------------------------------------------------------


def _at(iso: str) -> dt.datetime:
    return dt.datetime.fromisoformat(iso)


async def test_next_says_the_film_is_coming_2026_without_a_day(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # After Volume 6 (2 July 2026) only the film is ahead, and only its year is known.
    monkeypatch.setattr(bot, "clock", lambda: _at("2026-11-26T12:00:00+00:00"))
    embed = assert_public_card(sim, await run(sim, demo, "next"))
    assert "Heartstopper Forever" in embed["title"]
    text = embed_text(embed)
    assert "Coming 2026, no exact date yet" in embed["description"]
    assert "no release date" not in text
    assert "<t:" not in text  # no made-up moment
    assert "days to go" not in text


async def test_next_counts_down_to_a_dated_release(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot, "clock", lambda: _at("2026-06-01T12:00:00+00:00"))
    embed = assert_public_card(sim, await run(sim, demo, "next"))
    assert "Volume 6" in embed["title"]
    assert re.search(r"<t:\d+:D>", embed["description"])
    assert re.search(r"<t:\d+:R>", embed["description"])
    assert "31 days to go" in embed["description"]

    # An exact premiere moment: a full timestamp, the day before it.
    monkeypatch.setattr(bot, "clock", lambda: _at("2024-10-02T12:00:00+00:00"))
    embed = assert_public_card(sim, await run(sim, demo, "next"))
    assert "season 3" in embed["title"]
    assert f"<t:{int(_at('2024-10-03T07:00:00+00:00').timestamp())}:F>" in embed["description"]
    assert "1 day to go" in embed["description"]


def _timeline_lines(result: InteractionResult) -> list[str]:
    return result.embeds[0]["description"].split("\n")


async def test_timeline_pages_through_all_news(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot
) -> None:
    news = bot.show.timeline
    pages = -(-len(news) // 8)
    result = await run(sim, demo, "timeline")
    embed = assert_public_card(sim, result)
    assert embed["title"].endswith("All news")
    assert footer(result).startswith(f"Page 1/{pages}")
    assert len(_timeline_lines(result)) == 8
    assert news[0].headline in embed["description"]

    await sim.click_button(result, button(result, "Next")["custom_id"], demo.fan_id)
    assert footer(result).startswith(f"Page 2/{pages}")
    assert news[8].headline in result.embeds[0]["description"]
    assert news[0].headline not in result.embeds[0]["description"]


async def test_timeline_buttons_stay_right_on_every_page_both_ways(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot
) -> None:
    # Middle page turns leave the buttons out of the edit (Discord keeps them); the buttons
    # must still be the right ones on every page, there and back, and keep working.
    pages = -(-len(bot.show.timeline) // 8)
    assert pages >= 4  # enough middle pages to matter
    result = await run(sim, demo, "timeline")

    def expect(page: int) -> None:
        assert footer(result).startswith(f"Page {page}/{pages}")
        assert bool(button(result, "Previous").get("disabled")) is (page == 1)
        assert bool(button(result, "Next").get("disabled")) is (page == pages)

    expect(1)
    for page in range(2, pages + 1):
        clicked = await sim.click_button(result, button(result, "Next")["custom_id"], demo.fan_id)
        assert not clicked.failed
        expect(page)
    for page in range(pages - 1, 0, -1):
        await sim.click_button(result, button(result, "Previous")["custom_id"], demo.fan_id)
        expect(page)


@pytest.mark.parametrize(
    ("options", "label"),
    [({"season": 3}, "Season 3"), ({"year": 2023}, "2023"), ({"season": 2, "year": 2023}, None)],
)
async def test_timeline_filters(
    sim: Simulator,
    demo: DemoGuild,
    bot: HeartstopperBot,
    options: dict[str, int],
    label: str | None,
) -> None:
    season, year = options.get("season"), options.get("year")
    expected = [
        n
        for n in bot.show.timeline
        if (season is None or n.season == season) and (year is None or n.date.year == year)
    ]
    assert expected
    result = await run(sim, demo, "timeline", **options)
    embed = assert_public_card(sim, result)
    assert embed["title"].endswith(label or "Season 2 · 2023")
    lines = _timeline_lines(result)
    first_page = expected[:8]  # TIMELINE_PAGE_SIZE
    assert len(lines) == len(first_page)
    for line, item in zip(lines, first_page, strict=True):
        assert item.headline in line
    # Buttons only when the filtered news needs more than one page.
    assert (result.components == []) == (len(expected) <= 8)


# -- bad input: always a clear, private answer ------------------------------------------------


@pytest.mark.parametrize(
    ("name", "options", "expected"),
    [
        ("cast", {"query": "Zzzzqx"}, ["couldn't find", "Zzzzqx"]),
        ("cast", {"query": "Kitt Conr"}, ["Did you mean Kit Connor?"]),
        ("episode", {"title": "Zzzzqx"}, ["couldn't find an episode"]),
        ("episode", {"title": "S2E9"}, ["Did you mean", "S2E8"]),
        ("episode", {}, ["Pick an episode"]),
        ("episode", {"title": "   "}, ["Pick an episode"]),
        ("episode", {"season": 2}, ["Pick an episode"]),
        ("episode", {"season": 0, "number": 1}, ["no season 0", "1–3"]),
        ("episode", {"season": 99, "number": 1}, ["no season 99"]),
        ("episode", {"season": 2, "number": 9}, ["Season 2 has 8 episodes", "1 to 8"]),
        ("episode", {"season": 2, "number": -1}, ["no episode -1"]),
        ("season", {"number": 0}, ["no season 0", "1–3"]),
        ("season", {"number": 99}, ["no season 99"]),
        ("season", {"number": 2**53 - 1}, ["no season"]),
        ("timeline", {"season": 9}, ["No news matches Season 9"]),
        ("timeline", {"year": 1999}, ["No news matches 1999", "2021–2026"]),
        ("timeline", {"year": 0}, ["No news matches 0."]),
    ],
)
async def test_bad_input_gets_a_clear_private_reply(
    sim: Simulator,
    demo: DemoGuild,
    bot: HeartstopperBot,
    name: str,
    options: dict[str, Any],
    expected: list[str],
) -> None:
    content = assert_refusal(sim, await run(sim, demo, name, **options), *expected)
    if "Zzzzqx" in str(options):
        assert "Did you mean" not in content  # nothing is close: no random guesses


@pytest.mark.parametrize("command", ["cast", "episode"])
async def test_hostile_queries_are_shown_inert(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot, command: str
) -> None:
    option = "query" if command == "cast" else "title"
    hostile = [
        "@everyone",
        "@here hi",
        f"<@&{demo.fans_role_id}>",
        f"<@{demo.admin_id}>",
        "**bold** ~~gone~~",
        "💖🍂",
        LONG_QUERY,
    ]
    for text in hostile:
        content = assert_refusal(sim, await run(sim, demo, command, **{option: text}))
        assert "**bold**" not in content and "~~gone~~" not in content  # markdown escaped
        assert f"<@&{demo.fans_role_id}>" not in content
        assert f"<@{demo.admin_id}>" not in content
        assert len(content) < 300  # a 6,000-character paste is not echoed back
    bold = await run(sim, demo, command, **{option: "**bold**"})
    assert r"\*\*bold\*\*" in (bold.content or "")


# -- paging expiry ------------------------------------------------------------------------------


async def test_paging_buttons_switch_off_when_they_expire(
    sim: Simulator, demo: DemoGuild, bot: HeartstopperBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "PAGE_TIMEOUT", 0.3)
    result = await run(sim, demo, "timeline")
    assert button(result, "Next").get("disabled") is not True
    message_id = int(result.message["id"])  # type: ignore[index]

    def all_disabled() -> bool:
        stored = sim.state.message_index[message_id]
        buttons = [c for c in iter_components(stored["components"]) if c.get("type") == 2]
        return bool(buttons) and all(c.get("disabled") for c in buttons)

    await sim.wait_until(all_disabled, timeout=3.0, what="the paging buttons to expire")
    assert footer(result).startswith("Page 1/")  # the page itself stays readable
    with pytest.raises(ValueError, match="disabled"):
        await sim.click_button(result, button(result, "Next")["custom_id"], demo.fan_id)
