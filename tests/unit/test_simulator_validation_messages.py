"""Simulator validation of messages: content, embeds, components, nonce, mentions, flags.

Each limit is tested at the limit (accepted) and one past it (rejected with exactly the error
Discord would give, at exactly the path it would give it).
"""

from __future__ import annotations

from typing import Any

import discord
import pytest

from bot.sandbox.simulator.validation import (
    validate_message,
)
from tests.unit.validation_helpers import (
    button,
    embed_message,
    flatten,
    row,
    select,
)

# --- messages: content and emptiness ---------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"content": "c" * 2000}, None),
        ({"content": "c" * 2001}, [("content", "BASE_TYPE_MAX_LENGTH")]),
        ({"content": 5}, [("content", "STRING_TYPE_CONVERT")]),
        ("hello", [("", "MODEL_TYPE_CONVERT")]),
        (None, [("", "BASE_TYPE_REQUIRED")]),
    ],
)
def test_message_content(payload: object, expected: list | None) -> None:
    body = validate_message(payload)
    assert (body if expected is None else flatten(body)) == expected


@pytest.mark.parametrize(
    "payload",
    [{}, {"content": ""}, {"content": "   \n"}, {"content": None, "embeds": [], "components": []}],
)
def test_empty_message_is_50006(payload: dict[str, Any]) -> None:
    assert validate_message(payload) == {"code": 50006, "message": "Cannot send an empty message"}
    assert validate_message(payload, partial=True) is None  # an edit may change nothing


@pytest.mark.parametrize(
    "payload",
    [
        {"embeds": [{"title": "Heartstopper"}]},
        {"components": [row(button())]},
        {"attachments": [{"id": 0, "filename": "card.png"}]},
        {"sticker_ids": ["123"]},
        {"poll": {"question": {"text": "Best couple?"}}},
    ],
)
def test_any_content_kind_makes_a_message_non_empty(payload: dict[str, Any]) -> None:
    assert validate_message(payload) is None


def test_form_errors_win_over_emptiness() -> None:
    assert flatten(validate_message({"content": "", "nonce": "n" * 26})) == [
        ("nonce", "BASE_TYPE_MAX_LENGTH")
    ]


# --- messages: embeds -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "limit", "build"),
    [
        ("embeds.0.title", 256, lambda text: embed_message(title=text)),
        ("embeds.0.description", 4096, lambda text: embed_message(description=text)),
        ("embeds.0.author.name", 256, lambda text: embed_message(author={"name": text})),
        ("embeds.0.footer.text", 2048, lambda text: embed_message(footer={"text": text})),
    ],
)
def test_embed_text_limits(path: str, limit: int, build: Any) -> None:
    assert validate_message(build("x" * limit)) is None
    assert flatten(validate_message(build("x" * (limit + 1)))) == [(path, "BASE_TYPE_MAX_LENGTH")]


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ({"name": "n" * 256, "value": "v" * 1024}, None),
        ({"name": "n" * 257, "value": "v"}, ("name", "BASE_TYPE_BAD_LENGTH")),
        ({"name": "n", "value": "v" * 1025}, ("value", "BASE_TYPE_BAD_LENGTH")),
        ({"name": "", "value": "v"}, ("name", "BASE_TYPE_BAD_LENGTH")),
        ({"name": "n"}, ("value", "BASE_TYPE_REQUIRED")),
        ({"name": "n", "value": "v", "inline": "yes"}, ("inline", "BASE_TYPE_BOOLEAN")),
    ],
)
def test_embed_field_limits(field: dict[str, Any], expected: tuple[str, str] | None) -> None:
    body = validate_message(embed_message(fields=[field]))
    if expected is None:
        assert body is None
    else:
        assert flatten(body) == [(f"embeds.0.fields.0.{expected[0]}", expected[1])]


def test_embed_and_field_counts() -> None:
    fields = [{"name": "n", "value": "v"}] * 25
    assert validate_message(embed_message(fields=fields)) is None
    body = validate_message(embed_message(fields=[*fields, {"name": "n", "value": "v"}]))
    assert flatten(body) == [("embeds.0.fields", "BASE_TYPE_MAX_LENGTH")]
    assert validate_message({"embeds": [{"title": "t"}] * 10}) is None
    assert flatten(validate_message({"embeds": [{"title": "t"}] * 11})) == [
        ("embeds", "BASE_TYPE_MAX_LENGTH")
    ]


def test_embed_author_and_footer_need_their_text() -> None:
    body = validate_message(embed_message(author={"url": "https://a.b"}, footer={}))
    assert flatten(body) == [
        ("embeds.0.author.name", "BASE_TYPE_REQUIRED"),
        ("embeds.0.footer.text", "BASE_TYPE_REQUIRED"),
    ]


def test_combined_embed_text_limit_spans_all_embeds() -> None:
    exactly = {
        "embeds": [{"description": "d" * 4096}, {"title": "t" * 4, "description": "d" * 1900}]
    }
    assert validate_message(exactly) is None
    over = {"embeds": [{"description": "d" * 4096}, {"title": "t" * 5, "description": "d" * 1900}]}
    assert flatten(validate_message(over)) == [("embeds", "MAX_EMBED_SIZE_EXCEEDED")]


@pytest.mark.parametrize(
    ("embed", "expected"),
    [
        ({"url": "https://heartstopper.example/ep/1"}, None),
        ({"url": "http://heartstopper.example"}, None),
        ({"url": "ftp://heartstopper.example"}, ("url", "URL_TYPE_INVALID_SCHEME")),
        ({"url": "heartstopper.example"}, ("url", "URL_TYPE_INVALID_SCHEME")),
        ({"url": "https://"}, ("url", "URL_TYPE_INVALID_URL")),
        ({"url": "attachment://card.png"}, ("url", "URL_TYPE_INVALID_SCHEME")),
        ({"image": {"url": "attachment://card.png"}}, None),
        ({"thumbnail": {"url": "https://cdn.example/t.png"}}, None),
        ({"thumbnail": {}}, ("thumbnail.url", "BASE_TYPE_REQUIRED")),
        ({"image": {"url": "file:///etc/passwd"}}, ("image.url", "URL_TYPE_INVALID_SCHEME")),
        (
            {"author": {"name": "a", "url": "javascript://x"}},
            ("author.url", "URL_TYPE_INVALID_SCHEME"),
        ),
        ({"footer": {"text": "f", "icon_url": "attachment://i.png"}}, None),
        ({"color": 0xFFFFFF}, None),
        ({"color": 0}, None),
        ({"color": 0x1000000}, ("color", "NUMBER_TYPE_MAX")),
        ({"color": -1}, ("color", "NUMBER_TYPE_MIN")),
        ({"color": "pink"}, ("color", "NUMBER_TYPE_COERCE")),
        ({"timestamp": "2024-06-03T08:00:00+00:00"}, None),
        ({"timestamp": "2024-06-03T08:00:00Z"}, None),
        ({"timestamp": "next thursday"}, ("timestamp", "DATE_TYPE_PARSE")),
    ],
)
def test_embed_urls_colors_timestamps(embed: dict[str, Any], expected: tuple | None) -> None:
    body = validate_message(embed_message(title="t", **embed))
    if expected is None:
        assert body is None
    else:
        assert flatten(body) == [(f"embeds.0.{expected[0]}", expected[1])]


# --- messages: components ---------------------------------------------------------------------


def test_row_and_button_counts() -> None:
    rows = [row(*(button(f"r{r}b{b}") for b in range(5))) for r in range(5)]
    assert validate_message({"components": rows}) is None
    six_rows = [*rows, row(button("extra"))]
    assert flatten(validate_message({"components": six_rows})) == [
        ("components", "BASE_TYPE_MAX_LENGTH")
    ]
    six_buttons = row(*(button(f"b{b}") for b in range(6)))
    assert flatten(validate_message({"components": [six_buttons]})) == [
        ("components.0.components", "BASE_TYPE_MAX_LENGTH")
    ]
    assert flatten(validate_message({"components": [row()]})) == [
        ("components.0.components", "BASE_TYPE_MIN_LENGTH")
    ]


def test_a_select_fills_its_row() -> None:
    assert validate_message({"components": [row(select()), row(button())]}) is None
    assert flatten(validate_message({"components": [row(select(), button())]})) == [
        ("components.0.components.1", "COMPONENT_LAYOUT_WIDTH_EXCEEDED")
    ]


@pytest.mark.parametrize(
    ("component", "expected"),
    [
        (button("c" * 100), None),
        (button("c" * 101), ("custom_id", "BASE_TYPE_BAD_LENGTH")),
        (button(label="l" * 80), None),
        (button(label="l" * 81), ("label", "BASE_TYPE_MAX_LENGTH")),
        (button(style=7), ("style", "BASE_TYPE_CHOICES")),
        (button(custom_id=None), ("custom_id", "BASE_TYPE_REQUIRED")),
        (button(url="https://a.b"), ("url", "COMPONENT_FIELD_NOT_ALLOWED")),
        ({"type": 2, "style": 5, "label": "Watch", "url": "https://netflix.com"}, None),
        ({"type": 2, "style": 5, "label": "Watch"}, ("url", "BASE_TYPE_REQUIRED")),
        (button(style=5, url="https://a.b"), ("custom_id", "COMPONENT_FIELD_NOT_ALLOWED")),
        ({"type": 2, "style": 6, "sku_id": "123"}, None),
        (
            {"type": 2, "style": 1, "custom_id": "x"},
            ("", "BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED"),
        ),
        (button(label=None, emoji={"name": "🍂"}), None),
        ({"type": 4, "custom_id": "t", "style": 1, "label": "L"}, ("type", "BASE_TYPE_CHOICES")),
        (select(25), None),
        (select(26), ("options", "BASE_TYPE_MAX_LENGTH")),
        (select(0), ("options", "BASE_TYPE_MIN_LENGTH")),
        (select(placeholder="p" * 150), None),
        (select(placeholder="p" * 151), ("placeholder", "BASE_TYPE_MAX_LENGTH")),
        (select(min_values=0, max_values=3), None),
        (select(min_values=26), ("min_values", "NUMBER_TYPE_MAX")),
        (select(max_values=0), ("max_values", "NUMBER_TYPE_MIN")),
        (select(min_values=3, max_values=2), ("min_values", "SELECT_COMPONENT_MIN_MAX_INVALID")),
        (select(max_values=4), ("max_values", "SELECT_COMPONENT_MAX_VALUES_EXCEEDS_OPTIONS")),
        (select(custom_id=None), ("custom_id", "BASE_TYPE_REQUIRED")),
        (
            select(options=[{"label": "l" * 101, "value": "v"}]),
            ("options.0.label", "BASE_TYPE_BAD_LENGTH"),
        ),
        (
            select(options=[{"label": "l", "value": "v" * 101}]),
            ("options.0.value", "BASE_TYPE_BAD_LENGTH"),
        ),
        (
            select(options=[{"label": "l", "value": "v", "description": "d" * 101}]),
            ("options.0.description", "BASE_TYPE_MAX_LENGTH"),
        ),
        (
            select(options=[{"label": "a", "value": "v"}, {"label": "b", "value": "v"}]),
            ("options.1.value", "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED"),
        ),
        ({"type": 5, "custom_id": "who"}, None),
        (
            {"type": 8, "custom_id": "where", "channel_types": [0, 42]},
            ("channel_types.1", "BASE_TYPE_CHOICES"),
        ),
    ],
)
def test_component_fields(component: dict[str, Any], expected: tuple[str, str] | None) -> None:
    body = validate_message({"components": [row(component)]})
    if expected is None:
        assert body is None
    else:
        path = ".".join(part for part in ("components.0.components.0", expected[0]) if part)
        assert flatten(body) == [(path, expected[1])]


def test_custom_ids_are_unique_across_the_message() -> None:
    payload = {"components": [row(button("next")), row(button("prev"), button("next"))]}
    assert flatten(validate_message(payload)) == [
        ("components.1.components.1.custom_id", "COMPONENT_CUSTOM_ID_DUPLICATED")
    ]


@pytest.mark.parametrize(
    ("component", "code"),
    [
        ({"type": 10, "content": "Components V2 text"}, "SIMULATOR_UNSUPPORTED"),
        ({"type": 17, "components": []}, "SIMULATOR_UNSUPPORTED"),
        (button(), "BASE_TYPE_CHOICES"),  # a button must sit inside an action row
    ],
)
def test_top_level_components_are_action_rows(component: dict[str, Any], code: str) -> None:
    assert flatten(validate_message({"components": [component]})) == [("components.0.type", code)]


# --- messages: nonce, mentions, flags, attachments ----------------------------------------------


@pytest.mark.parametrize(
    ("nonce", "expected"),
    [
        ("n" * 25, None),
        (123456789, None),
        ("n" * 26, "BASE_TYPE_MAX_LENGTH"),
        (1.5, "NUMBER_TYPE_COERCE"),
        (2**63, "NUMBER_TYPE_MAX"),
    ],
)
def test_nonce(nonce: object, expected: str | None) -> None:
    body = validate_message({"content": "hi", "nonce": nonce})
    assert (body if expected is None else flatten(body)) == (
        None if expected is None else [("nonce", expected)]
    )


@pytest.mark.parametrize(
    ("mentions", "expected"),
    [
        ({"parse": ["users", "roles", "everyone"]}, None),
        ({"parse": [], "users": ["1"] * 100, "replied_user": False}, None),
        ({"parse": ["roles"], "users": ["1"]}, None),
        ({"parse": ["here"]}, ("parse.0", "BASE_TYPE_CHOICES")),
        ({"parse": "users"}, ("parse", "LIST_TYPE_CONVERT")),
        ({"parse": ["users"], "users": ["1"]}, ("", "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE")),
        ({"parse": ["roles"], "roles": ["1"]}, ("", "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE")),
        ({"users": ["1"] * 101}, ("users", "BASE_TYPE_MAX_LENGTH")),
        ({"roles": ["nick"]}, ("roles.0", "NUMBER_TYPE_COERCE")),
        ({"replied_user": "no"}, ("replied_user", "BASE_TYPE_BOOLEAN")),
    ],
)
def test_allowed_mentions(mentions: dict[str, Any], expected: tuple[str, str] | None) -> None:
    body = validate_message({"content": "hi", "allowed_mentions": mentions})
    if expected is None:
        assert body is None
    else:
        path = ".".join(part for part in ("allowed_mentions", expected[0]) if part)
        assert flatten(body) == [(path, expected[1])]


@pytest.mark.parametrize(
    ("flags", "partial", "interaction", "expected"),
    [
        (0, False, False, None),
        ((1 << 2) | (1 << 12), False, False, None),
        (1 << 6, False, False, "MESSAGE_FLAGS_INVALID"),
        (1 << 6, False, True, None),
        (1 << 1, False, False, "MESSAGE_FLAGS_INVALID"),
        (1 << 15, False, False, "SIMULATOR_UNSUPPORTED"),
        ((1 << 6) | (1 << 5), True, True, None),  # an edit may echo read-only bits back
        (1 << 15, True, False, "SIMULATOR_UNSUPPORTED"),
        ("64", False, True, "NUMBER_TYPE_COERCE"),
    ],
)
def test_flags(flags: object, partial: bool, interaction: bool, expected: str | None) -> None:
    body = validate_message(
        {"content": "hi", "flags": flags}, partial=partial, interaction=interaction
    )
    assert (body if expected is None else flatten(body)) == (
        None if expected is None else [("flags", expected)]
    )


def test_attachments_and_stickers() -> None:
    attachments = [{"id": i, "filename": f"f{i}.png"} for i in range(10)]
    assert validate_message({"attachments": attachments}) is None
    body = validate_message({"attachments": [*attachments, {"id": 10}], "sticker_ids": ["1"] * 4})
    assert flatten(body) == [
        ("attachments", "BASE_TYPE_MAX_LENGTH"),
        ("sticker_ids", "BASE_TYPE_MAX_LENGTH"),
    ]
    assert flatten(validate_message({"attachments": [{"filename": "x.png"}]})) == [
        ("attachments.0.id", "BASE_TYPE_REQUIRED")
    ]


def test_message_errors_are_all_collected() -> None:
    payload = {"content": "c" * 2001, "embeds": [{"title": "t" * 257}], "flags": 1 << 6}
    assert [path for path, _ in flatten(validate_message(payload))] == [
        "content",
        "embeds.0.title",
        "flags",
    ]


async def test_messages_built_by_discord_py_are_valid() -> None:
    view = discord.ui.View()
    view.add_item(discord.ui.Button(label="Next episode", custom_id="ep:next"))
    view.add_item(discord.ui.Button(label="Watch", url="https://www.netflix.com/title/81059939"))
    view.add_item(
        discord.ui.Select(
            custom_id="ep:season",
            options=[discord.SelectOption(label=f"Season {n}", value=str(n)) for n in (1, 2, 3)],
        )
    )
    embed = discord.Embed(
        title="Heartstopper S1E1",
        description="Meet",
        colour=0xF4A6C6,
        url="https://heartstopper.example/s1e1",
    )
    embed.add_field(name="Released", value="22 April 2022").set_footer(text="No spoilers")
    embed.set_image(url="attachment://card.png")
    params = discord.http.handle_message_parameters(
        content="Here you go",
        embed=embed,
        view=view,
        nonce=12345,
        allowed_mentions=discord.AllowedMentions.none(),
    )
    assert validate_message(params.payload) is None
    edit = discord.http.handle_message_parameters(content=None, embed=None, view=None)
    assert validate_message(edit.payload, partial=True) is None
