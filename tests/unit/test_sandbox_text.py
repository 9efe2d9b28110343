import datetime as dt

import pytest

from bot.sandbox.commandline import CommandLineError, SlashLine, parse_slash
from bot.sandbox.render import render_message, render_timestamps


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/about", SlashLine("about")),
        ("/cast query: Kit Connor", SlashLine("cast", {"query": "Kit Connor"})),
        (
            "/countdown setup channel: #countdown time: 09:00 timezone: Europe/London",
            SlashLine(
                "countdown setup",
                {"channel": "#countdown", "time": "09:00", "timezone": "Europe/London"},
            ),
        ),
        ("?cast query: ki", SlashLine("cast", {"query": "ki"}, autocomplete=True)),
        ("/cast query:", SlashLine("cast", {"query": ""})),
    ],
)
def test_parse_slash(line: str, expected: SlashLine) -> None:
    assert parse_slash(line) == expected


@pytest.mark.parametrize("line", ["cast", "/", "/ query: x"])
def test_parse_slash_rejects(line: str) -> None:
    with pytest.raises(CommandLineError):
        parse_slash(line)


def test_timestamps_render_in_the_readers_zone() -> None:
    now = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
    release = int(dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC).timestamp())
    text = render_timestamps(f"<t:{release}:D> (<t:{release}:R>)", dt.UTC, now)
    assert text == "29 November 2026 (in 3 days)"


def test_render_marks_ephemeral_silent_and_pings() -> None:
    out = render_message(
        {
            "content": "hello",
            "flags": (1 << 6) | (1 << 12),
            "mention_roles": ["42"],
            "embeds": [{"title": "Card", "fields": [{"name": "Actor", "value": "Kit"}]}],
            "components": [{"type": 1, "components": [{"type": 2, "label": "Next"}]}],
        }
    )
    assert "only you can see this" in out and "silent" in out and "<@&42>" in out
    assert "**Card**" in out and "Kit" in out and "[ Next ]" in out


def test_long_links_are_never_broken_across_lines() -> None:
    link = "https://discord.com/channels/1577124398446542848/1577124398450737153/15771243993776"
    out = render_message(
        {
            "content": f"Posted a test in #countdown: {link}",
            "embeds": [{"description": f"See {link} for the post-release-day-schedule"}],
        }
    )
    assert out.count(link) == 2
    assert "post-release-day-schedule" in out  # hyphenated words stay whole too
