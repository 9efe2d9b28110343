"""/countdown input as admins really type it: zones, times, dates and event names, end to end.

The real bot runs against the simulator with an injected clock; each post-time test checks
both the stored next instant and that the real scheduler posts at that UTC instant, not before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.client import HeartstopperBot
from bot.countdown.settings import event_target
from bot.database.countdown import to_epoch
from bot.sandbox.simulator.demo import DemoGuild
from bot.sandbox.simulator.interactions import InteractionResult
from bot.sandbox.simulator.server import Simulator
from bot.sandbox.simulator.sim_interactions import iter_components
from tests.e2e.countdown_support import SettableClock, countdown_bot, settle

JANUARY = dt.datetime(2026, 1, 14, 5, 0, tzinfo=dt.UTC)  # New York on EST (UTC-5)
JULY = dt.datetime(2026, 7, 14, 5, 0, tzinfo=dt.UTC)  # New York on EDT (UTC-4)


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(JANUARY)


@pytest.fixture
async def cbot(
    sim: Simulator, demo: DemoGuild, tmp_path: Path, clock: SettableClock
) -> AsyncIterator[HeartstopperBot]:
    async with countdown_bot(sim, tmp_path / "bot.sqlite3", clock) as running:
        yield running


async def admin(
    sim: Simulator, demo: DemoGuild, command: str, /, **options: Any
) -> InteractionResult:
    """``command`` run by the demo admin (positional-only: an option may be called "name")."""
    return await sim.run_command(demo.guild_id, demo.general_id, demo.admin_id, command, options)


async def complete(sim: Simulator, demo: DemoGuild, name: str, option: str, text: str) -> list[str]:
    result = await sim.autocomplete(
        demo.guild_id, demo.general_id, demo.admin_id, name, {option: text}, focused=option
    )
    return [choice["value"] for choice in result.choices or []]


def button(result: InteractionResult, label: str) -> dict[str, Any]:
    assert result.message is not None
    components = iter_components(result.message.get("components"))
    [found] = [c for c in components if c.get("label") == label]
    return found


# -- time zones: posts land at the right UTC instant, winter and summer ------------------------


@pytest.mark.parametrize(
    ("typed", "start", "post_utc", "shown"),
    [
        ("est", JANUARY, dt.time(14, 0), "America/New_York (UTC-5, now 00:00)"),
        ("est", JULY, dt.time(13, 0), "America/New_York (UTC-4, now 01:00)"),
        ("new york", JANUARY, dt.time(14, 0), "America/New_York (UTC-5, now 00:00)"),
        ("new york", JULY, dt.time(13, 0), "America/New_York (UTC-4, now 01:00)"),
        ("GMT+2", JANUARY, dt.time(7, 0), "(UTC+2, now 07:00)"),
        ("GMT+2", JULY, dt.time(7, 0), "(UTC+2, now 07:00)"),
    ],
)
async def test_setup_zone_posts_at_the_right_utc_instant(
    sim: Simulator,
    demo: DemoGuild,
    cbot: HeartstopperBot,
    clock: SettableClock,
    typed: str,
    start: dt.datetime,
    post_utc: dt.time,
    shown: str,
) -> None:
    clock.set(start)
    result = await admin(
        sim, demo, "countdown setup", channel=demo.countdown_id, time="9am", timezone=typed
    )
    assert not result.failed and "✅" in (result.content or ""), result.content
    assert shown in (result.content or "")
    assert "09:00" in (result.content or "")  # the resolved 24-hour time
    # Something dated to count down to, whatever the show's calendar says that day.
    added = await admin(sim, demo, "countdown event add", name="Finale party", when="2026-12-24")
    assert "Finale party" in (added.content or ""), added.content
    [event] = await cbot.countdowns.repo.list_events(demo.guild_id)
    await admin(sim, demo, "countdown target", target=event_target(event.id))

    expected = dt.datetime.combine(start.date(), post_utc, tzinfo=dt.UTC)
    status = await cbot.countdowns.status(demo.guild_id)
    assert status.next_post_at == expected
    clock.set(expected - dt.timedelta(minutes=1))
    await settle(cbot)
    assert sim.messages(demo.countdown_id) == []  # not a minute early
    clock.set(expected + dt.timedelta(seconds=20))
    [post] = await sim.wait_for_messages(demo.countdown_id, 1)
    assert "days" in post["content"]


async def test_gmt_plus_two_is_two_hours_ahead_and_says_it_is_fixed(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot
) -> None:
    result = await admin(
        sim, demo, "countdown setup", channel=demo.countdown_id, time="09:00", timezone="UTC+2"
    )
    content = result.content or ""
    assert "UTC+2" in content and "daylight saving" in content
    settings = (await cbot.countdowns.status(demo.guild_id)).settings
    local = JANUARY.astimezone(settings.zone)
    assert local.utcoffset() == dt.timedelta(hours=2)


async def test_ambiguous_abbreviation_asks_instead_of_guessing(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot
) -> None:
    result = await admin(
        sim, demo, "countdown setup", channel=demo.countdown_id, time="09:00", timezone="IST"
    )
    content = result.content or ""
    assert result.ephemeral and "✅" not in content
    assert all(zone in content for zone in ("Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"))
    assert (await cbot.countdowns.status(demo.guild_id)).settings.channel_id is None
    choices = await complete(sim, demo, "countdown setup", "timezone", "IST")
    assert choices[:3] == ["Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"]


@pytest.mark.parametrize("typed", ["est", "eastern", "new york"])
async def test_zone_autocomplete_puts_new_york_first(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot, typed: str
) -> None:
    for command in ("countdown setup", "countdown timezone"):
        choices = await complete(sim, demo, command, "timezone", typed)
        assert choices[0] == "America/New_York", (command, choices[:5])


async def test_timezone_change_confirms_zone_offset_and_local_time(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot
) -> None:
    await admin(sim, demo, "countdown setup", channel=demo.countdown_id, time="9", timezone="UTC")
    result = await admin(sim, demo, "countdown timezone", timezone="US/Eastern")
    assert "America/New_York (UTC-5, now 00:00)" in (result.content or ""), result.content
    assert (await cbot.countdowns.status(demo.guild_id)).settings.timezone == "America/New_York"


@pytest.mark.parametrize(
    ("typed", "shown"), [("9:30pm", "21:30"), ("0900", "09:00"), ("21h30", "21:30")]
)
async def test_time_accepts_common_spellings_and_replies_in_24_hours(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot, typed: str, shown: str
) -> None:
    await admin(sim, demo, "countdown setup", channel=demo.countdown_id, time="9", timezone="UTC")
    result = await admin(sim, demo, "countdown time", time=typed)
    assert "✅" in (result.content or "") and shown in (result.content or ""), result.content


# -- events --------------------------------------------------------------------------------


async def test_event_dates_as_people_type_them(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot
) -> None:
    await admin(
        sim, demo, "countdown setup", channel=demo.countdown_id, time="9", timezone="London"
    )
    cases = {
        "Christmas": ("2026-12-25", dt.datetime(2026, 12, 25, 0, 0, tzinfo=dt.UTC)),
        "Eve": ("Dec 24 19:30", dt.datetime(2026, 12, 24, 19, 30, tzinfo=dt.UTC)),
        "Tomorrow": ("tomorrow 20:00", dt.datetime(2026, 1, 15, 20, 0, tzinfo=dt.UTC)),
        "Summer": ("24 July 2026 7:30pm", dt.datetime(2026, 7, 24, 18, 30, tzinfo=dt.UTC)),
    }
    for name, (when, _) in cases.items():
        result = await admin(sim, demo, "countdown event add", name=name, when=when)
        assert "Added" in (result.content or ""), (when, result.content)
    stored = {e.name: e.starts_at for e in await cbot.countdowns.repo.list_events(demo.guild_id)}
    assert stored == {name: at for name, (_, at) in cases.items()}
    refused = await admin(sim, demo, "countdown event add", name="Huh", when="03/04")
    assert "2026-03-04" in (refused.content or "") and "Added" not in (refused.content or "")


async def test_events_are_chosen_by_their_typed_name(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot
) -> None:
    for name in ("Watch Party", "Café night", "Party planning"):
        await admin(sim, demo, "countdown event add", name=name, when="2026-03-01 19:00")
    unsure = await admin(sim, demo, "countdown event remove", name="party")
    assert "Did you mean" in (unsure.content or ""), unsure.content
    assert "Watch Party" in (unsure.content or "") and "Party planning" in (unsure.content or "")
    removed = await admin(sim, demo, "countdown event remove", name="watch party")
    assert "removed" in (removed.content or ""), removed.content
    removed = await admin(sim, demo, "countdown event remove", name="CAFE NIGHT")
    assert "removed" in (removed.content or ""), removed.content
    left = [e.name for e in await cbot.countdowns.repo.list_events(demo.guild_id)]
    assert left == ["Party planning"]


async def test_event_add_and_remove_share_the_option_name(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot
) -> None:
    [countdown] = [c for c in sim.commands() if c["name"] == "countdown"]
    [event] = [o for o in countdown["options"] if o["name"] == "event"]
    options = {sub["name"]: {o["name"] for o in sub.get("options", [])} for sub in event["options"]}
    assert "name" in options["add"] and "name" in options["remove"]


def _string_options(options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for option in options:
        if option["type"] == 3 and not option.get("choices"):  # fixed choices can't be typed
            found.append(option)
        found.extend(_string_options(option.get("options", [])))
    return found


async def test_every_countdown_string_option_declares_max_length(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot
) -> None:
    [countdown] = [c for c in sim.commands() if c["name"] == "countdown"]
    strings = _string_options(countdown["options"])
    assert strings
    assert all(isinstance(o.get("max_length"), int) for o in strings), [
        o["name"] for o in strings if "max_length" not in o
    ]


async def test_invisible_names_are_refused_and_mentions_read_as_text(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot
) -> None:
    for blank in ("\u200b", " \u200b\u2060 ", "\u3164"):
        result = await admin(sim, demo, "countdown event add", name=blank, when="2026-03-01")
        assert "name" in (result.content or "") and "Added" not in (result.content or "")
    assert await cbot.countdowns.repo.list_events(demo.guild_id) == []

    name = f"Party for <@&{demo.fans_role_id}> and <@{demo.fan_id}> @everyone"
    result = await admin(sim, demo, "countdown event add", name=name, when="2026-03-01")
    [event] = await cbot.countdowns.repo.list_events(demo.guild_id)
    assert event.name == "Party for @Fans and @Charlie Spring everyone"
    assert "<@" not in (result.content or "") and "@Fans" in (result.content or "")


async def test_event_cap_and_owner_only_paging(
    sim: Simulator, demo: DemoGuild, cbot: HeartstopperBot
) -> None:
    for n in range(25):
        result = await admin(
            sim, demo, "countdown event add", name=f"Party {n:02d}", when=f"2026-02-{n + 1:02d}"
        )
        assert "Added" in (result.content or ""), result.content
    full = await admin(sim, demo, "countdown event add", name="One too many", when="2026-03-01")
    assert "25" in (full.content or "") and "Added" not in (full.content or "")
    assert len(await cbot.countdowns.repo.list_events(demo.guild_id)) == 25

    listed = await admin(sim, demo, "countdown event list")
    assert listed.ephemeral and not listed.failed
    [embed] = listed.embeds
    assert "Party 00" in embed["description"] and "Party 24" not in embed["description"]
    assert button(listed, "Previous")["disabled"] is True

    other = sim.add_member(demo.guild_id, "Tao Xu", manage_guild=True)
    stranger = await sim.click_button(listed, button(listed, "Next")["custom_id"], other.id)
    assert "run it yourself" in (stranger.content or "")
    assert "Party 00" in listed.embeds[0]["description"]

    await sim.click_button(listed, button(listed, "Next")["custom_id"], demo.admin_id)
    assert "Party 10" in listed.embeds[0]["description"]
    await sim.click_button(listed, button(listed, "Next")["custom_id"], demo.admin_id)
    assert "Party 24" in listed.embeds[0]["description"]
    assert button(listed, "Next")["disabled"] is True
    assert (
        f"<t:{to_epoch(dt.datetime(2026, 2, 25, tzinfo=dt.UTC))}:"
        in (listed.embeds[0]["description"])
    )
