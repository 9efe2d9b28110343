"""Simulator validation of interaction responses: replies, autocomplete choices, modals.

Each limit is tested at the limit (accepted) and one past it (rejected with exactly the error
Discord would give, at exactly the path it would give it).
"""

from __future__ import annotations

from typing import Any

import discord
import pytest
from discord import app_commands

from bot.sandbox.simulator.validation import (
    validate_interaction_response,
)
from tests.unit.validation_helpers import (
    button,
    flatten,
    modal,
    row,
    text_input,
)

# --- interaction responses ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"type": 1}, None),
        ({"type": 4, "data": {"content": "Hi"}}, None),
        ({"type": 4, "data": {"content": "Hi", "flags": 64}}, None),
        ({"type": 5}, None),
        ({"type": 5, "data": {"flags": 64}}, None),
        ({"type": 6}, None),
        ({"type": 7}, None),
        ({"type": 7, "data": {"components": [], "embeds": []}}, None),
        ({"type": 2}, [("type", "BASE_TYPE_CHOICES")]),
        ({"type": "4"}, [("type", "BASE_TYPE_CHOICES")]),
        ({}, [("type", "BASE_TYPE_REQUIRED")]),
        ([], [("", "MODEL_TYPE_CONVERT")]),
        ({"type": 4}, [("data", "BASE_TYPE_REQUIRED")]),
        ({"type": 4, "data": {"content": "c" * 2001}}, [("data.content", "BASE_TYPE_MAX_LENGTH")]),
        (
            {"type": 4, "data": {"content": "x", "flags": 2}},
            [("data.flags", "MESSAGE_FLAGS_INVALID")],
        ),
        (
            {"type": 7, "data": {"embeds": [{"title": "t" * 257}]}},
            [("data.embeds.0.title", "BASE_TYPE_MAX_LENGTH")],
        ),
        (
            {"type": 5, "data": {"content": "too soon"}},
            [("data.content", "INTERACTION_DEFERRED_FIELD_NOT_ALLOWED")],
        ),
        ({"type": 5, "data": {"flags": 4096 | 2}}, [("data.flags", "MESSAGE_FLAGS_INVALID")]),
    ],
)
def test_interaction_responses(payload: object, expected: list | None) -> None:
    body = validate_interaction_response(payload)
    assert (body if expected is None else flatten(body)) == expected


def test_empty_channel_message_response_is_50006() -> None:
    assert validate_interaction_response({"type": 4, "data": {}}) == {
        "code": 50006,
        "message": "Cannot send an empty message",
    }


def autocomplete(*choice_list: dict[str, Any]) -> dict[str, Any]:
    return {"type": 8, "data": {"choices": list(choice_list)}}


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ({"name": "n" * 100, "value": "v" * 100}, None),
        ({"name": "Season 1", "value": 1}, None),
        ({"name": "Half", "value": 0.5}, None),
        ({"name": "n" * 101, "value": "v"}, ("name", "BASE_TYPE_BAD_LENGTH")),
        ({"name": "", "value": "v"}, ("name", "BASE_TYPE_BAD_LENGTH")),
        ({"name": "n", "value": "v" * 101}, ("value", "BASE_TYPE_MAX_LENGTH")),
        ({"name": "n"}, ("value", "BASE_TYPE_REQUIRED")),
        ({"name": "n", "value": True}, ("value", "NUMBER_TYPE_COERCE")),
        ({"name": "n", "value": ["v"]}, ("value", "NUMBER_TYPE_COERCE")),
    ],
)
def test_autocomplete_choice(choice: dict[str, Any], expected: tuple[str, str] | None) -> None:
    body = validate_interaction_response(autocomplete(choice))
    if expected is None:
        assert body is None
    else:
        assert flatten(body) == [(f"data.choices.0.{expected[0]}", expected[1])]


def test_autocomplete_choice_count() -> None:
    many = [{"name": f"c{i}", "value": f"v{i}"} for i in range(26)]
    assert validate_interaction_response(autocomplete(*many[:25])) is None
    assert validate_interaction_response(autocomplete()) is None  # "no suggestions"
    assert flatten(validate_interaction_response(autocomplete(*many))) == [
        ("data.choices", "BASE_TYPE_MAX_LENGTH")
    ]
    assert flatten(validate_interaction_response({"type": 8})) == [("data", "BASE_TYPE_REQUIRED")]


def test_valid_modals() -> None:
    labelled = {
        "type": 18,
        "label": "Favourite episode",
        "component": {"type": 4, "custom_id": "episode", "style": 2, "max_length": 4000},
    }
    text = {"type": 10, "content": "Tell us about it"}
    assert validate_interaction_response(modal(row(text_input()), labelled, text)) is None
    five = [row(text_input(f"t{i}")) for i in range(5)]
    assert validate_interaction_response(modal(*five, title="t" * 45)) is None


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (modal(row(text_input()), title="t" * 46), ("data.title", "BASE_TYPE_BAD_LENGTH")),
        (modal(row(text_input()), title=None), ("data.title", "BASE_TYPE_REQUIRED")),
        (modal(row(text_input()), custom_id="c" * 101), ("data.custom_id", "BASE_TYPE_BAD_LENGTH")),
        (modal(), ("data.components", "BASE_TYPE_MIN_LENGTH")),
        (
            modal(*[row(text_input(f"t{i}")) for i in range(6)]),
            ("data.components", "BASE_TYPE_MAX_LENGTH"),
        ),
        (
            modal(row(text_input("a"), text_input("b"))),
            ("data.components.0.components.1", "COMPONENT_LAYOUT_WIDTH_EXCEEDED"),
        ),
        (
            modal(row(text_input("a")), row(text_input("a"))),
            ("data.components.1.components.0.custom_id", "COMPONENT_CUSTOM_ID_DUPLICATED"),
        ),
        (
            modal(row(text_input(style=3))),
            ("data.components.0.components.0.style", "BASE_TYPE_CHOICES"),
        ),
        (
            modal(row(text_input(label=None))),
            ("data.components.0.components.0.label", "BASE_TYPE_REQUIRED"),
        ),
        (
            modal(row(text_input(label="l" * 46))),
            ("data.components.0.components.0.label", "BASE_TYPE_BAD_LENGTH"),
        ),
        (
            modal(row(text_input(value="v" * 4001))),
            ("data.components.0.components.0.value", "BASE_TYPE_MAX_LENGTH"),
        ),
        (
            modal(row(text_input(min_length=10, max_length=5))),
            ("data.components.0.components.0.min_length", "TEXT_INPUT_LENGTH_RANGE_INVALID"),
        ),
        (
            modal(row(text_input(max_length=4001))),
            ("data.components.0.components.0.max_length", "NUMBER_TYPE_MAX"),
        ),
        (modal(row(button())), ("data.components.0.components.0.type", "BASE_TYPE_CHOICES")),
        (modal({"type": 18, "label": "L"}), ("data.components.0.component", "BASE_TYPE_REQUIRED")),
    ],
)
def test_invalid_modals(payload: dict[str, Any], expected: tuple[str, str]) -> None:
    assert flatten(validate_interaction_response(payload)) == [expected]


async def test_responses_built_by_discord_py_are_valid() -> None:
    class Favourite(discord.ui.Modal, title="Your favourite moment"):
        moment = discord.ui.TextInput(
            label="Moment", style=discord.TextStyle.paragraph, max_length=1000
        )
        name = discord.ui.TextInput(label="Your name", required=False)

    assert validate_interaction_response({"type": 9, "data": Favourite().to_dict()}) is None
    choices_payload = [app_commands.Choice(name="Nick", value="nick").to_dict()]
    assert validate_interaction_response({"type": 8, "data": {"choices": choices_payload}}) is None
