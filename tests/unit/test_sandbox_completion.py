"""What Tab completes at the sandbox prompt, over a command schema shaped like Discord's."""

from __future__ import annotations

from typing import Any

import pytest

from bot.sandbox.completion import static_candidates, what_to_complete

REGISTERED: list[dict[str, Any]] = [
    {"name": "about", "type": 1, "options": []},
    {
        "name": "cast",
        "type": 1,
        "options": [{"name": "query", "type": 3, "autocomplete": True}],
    },
    {
        "name": "countdown",
        "type": 1,
        "options": [
            {
                "name": "setup",
                "type": 1,
                "options": [
                    {"name": "channel", "type": 7},
                    {"name": "time", "type": 3},
                    {"name": "role", "type": 8},
                    {"name": "silent", "type": 5},
                ],
            },
            {"name": "status", "type": 1, "options": []},
        ],
    },
]
CHANNELS, ROLES = ["general", "countdown"], ["Fans", "Mods"]


@pytest.mark.parametrize(
    ("typed", "offered"),
    [
        ("/c", ["cast", "countdown"]),
        ("?ca", ["cast"]),
        ("/countdown s", ["setup", "status"]),
        ("/countdown setup ", ["channel: ", "time: ", "role: ", "silent: "]),
        ("/countdown setup ch", ["channel: "]),
        ("/countdown setup channel: ", ["#general", "#countdown"]),
        ("/countdown setup channel: #co", ["#countdown"]),
        ("/countdown setup channel: #countdown ", ["time: ", "role: ", "silent: "]),
        ("/countdown setup channel: #countdown ti", ["time: "]),
        ("/countdown setup role: @F", ["@Fans"]),
        ("/countdown setup silent: t", ["true"]),
        ("/cast query: ki", []),  # autocomplete: the bot answers, not the schema
        (".re", [".restart", ".revoke"]),
        (".as ", ["admin", "fan"]),
        (".revoke #c", ["#countdown"]),
        (".revoke #countdown s", ["send"]),
        (".outage ", ["5xx", "429", "off"]),
        (".ev", [".events"]),
        (".threads #c", ["#countdown"]),
        (".grant se", ["send", "server"]),
        (".grant server e", ["embed", "events"]),
        ("hello", []),
        ("/nosuch x", []),
    ],
)
def test_tab_offers(typed: str, offered: list[str]) -> None:
    want = what_to_complete(typed, REGISTERED)
    assert static_candidates(want, REGISTERED, CHANNELS, ROLES) == offered


def test_an_autocomplete_value_carries_what_the_bot_needs() -> None:
    want = what_to_complete("/cast query: kit c", REGISTERED)
    assert want.kind == "value" and want.command == "cast"
    assert want.option is not None and want.option["autocomplete"]
    assert want.prefix == "kit c"
