"""The simulator's payload validation: Discord's limits, error codes and nested error paths.

Each limit is tested at the limit (accepted) and one past it (rejected with exactly the error
Discord would give, at exactly the path it would give it).
"""

from __future__ import annotations

from typing import Any, Literal

import discord
import pytest
from discord import app_commands

from bot.sandbox.simulator.validation import (
    is_valid_chat_input_name,
    validate_application_commands,
    validate_interaction_response,
    validate_message,
)

# --- helpers ----------------------------------------------------------------------------------


def flatten(body: dict[str, Any] | None) -> list[tuple[str, str]]:
    """Every (dotted path, error code) in a 50035 body, in order."""
    assert body is not None, "expected the payload to be rejected"
    assert body["code"] == 50035 and body["message"] == "Invalid Form Body", body
    found: list[tuple[str, str]] = []

    def walk(node: dict[str, Any], path: str) -> None:
        for key, child in node.items():
            if key == "_errors":
                found.extend((path, error["code"]) for error in child)
            else:
                walk(child, f"{path}.{key}" if path else key)

    walk(body["errors"], "")
    return found


def command(**overrides: Any) -> dict[str, Any]:
    return {"name": "episode", "description": "Find an episode", "type": 1, **overrides}


def option(**overrides: Any) -> dict[str, Any]:
    return {"name": "query", "description": "What to look for", "type": 3, **overrides}


def one_command_error(cmd: dict[str, Any]) -> list[tuple[str, str]]:
    return flatten(validate_application_commands([cmd]))


def embed_message(**embed: Any) -> dict[str, Any]:
    return {"embeds": [embed]}


def button(custom_id: str = "b", **overrides: Any) -> dict[str, Any]:
    return {"type": 2, "style": 1, "label": "Go", "custom_id": custom_id, **overrides}


def row(*components: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "components": list(components)}


def select(count: int = 3, **overrides: Any) -> dict[str, Any]:
    options = [{"label": f"S{i}", "value": f"s{i}"} for i in range(count)]
    return {"type": 3, "custom_id": "season", "options": options, **overrides}


def text_input(custom_id: str = "name", **overrides: Any) -> dict[str, Any]:
    return {"type": 4, "custom_id": custom_id, "style": 1, "label": "Name", **overrides}


def modal(*components: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    data = {"custom_id": "fav", "title": "Favourite", "components": list(components)}
    return {"type": 9, "data": {**data, **overrides}}


# --- command names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["episode", "ep-1", "nick_and_charlie", "it's", "naïve", "名前", "नमस्ते", "สวัสดี", "ß", "a" * 32],
)
def test_valid_chat_input_names(name: str) -> None:
    assert is_valid_chat_input_name(name)
    assert validate_application_commands([command(name=name)]) is None


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Episode", "APPLICATION_COMMAND_INVALID_NAME"),  # a lowercase form exists
        ("ΣΕΙΡΑ", "APPLICATION_COMMAND_INVALID_NAME"),
        ("two words", "APPLICATION_COMMAND_INVALID_NAME"),
        ("dot.name", "APPLICATION_COMMAND_INVALID_NAME"),
        ("leaf🍂", "APPLICATION_COMMAND_INVALID_NAME"),
        ("", "BASE_TYPE_BAD_LENGTH"),
        ("a" * 33, "BASE_TYPE_BAD_LENGTH"),
        (None, "BASE_TYPE_REQUIRED"),
        (42, "STRING_TYPE_CONVERT"),
    ],
)
def test_invalid_chat_input_names(name: object, code: str) -> None:
    assert one_command_error(command(name=name)) == [("0.name", code)]


def test_context_menu_names_may_be_mixed_case_with_spaces() -> None:
    commands = [{"name": "Favourite Character", "type": 2}, {"name": "Quote This", "type": 3}]
    assert validate_application_commands(commands) is None


def test_context_menu_commands_take_no_description_or_options() -> None:
    cmd = {"name": "Hug", "type": 2, "description": "hug", "options": [option()]}
    assert one_command_error(cmd) == [
        ("0.description", "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION"),
        ("0.options", "APPLICATION_COMMAND_CONTEXT_MENU_OPTIONS"),
    ]


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("d" * 100, []),
        ("d" * 101, [("0.description", "BASE_TYPE_BAD_LENGTH")]),
        ("", [("0.description", "BASE_TYPE_BAD_LENGTH")]),
        (None, [("0.description", "BASE_TYPE_REQUIRED")]),
    ],
)
def test_chat_input_description_length(description: str | None, expected: list) -> None:
    body = validate_application_commands([command(description=description)])
    assert (flatten(body) if expected else body) == (expected or None)


def test_command_type_must_be_known() -> None:
    assert one_command_error(command(type=4)) == [("0.type", "BASE_TYPE_CHOICES")]


def test_payload_must_be_a_list() -> None:
    assert flatten(validate_application_commands({"name": "x"})) == [("", "LIST_TYPE_CONVERT")]


# --- command counts and uniqueness -----------------------------------------------------------


def numbered(count: int, kind: int) -> list[dict[str, Any]]:
    if kind == 1:
        return [command(name=f"cmd{i}") for i in range(count)]
    return [{"name": f"Menu {i}", "type": kind} for i in range(count)]


@pytest.mark.parametrize(("kind", "limit"), [(1, 100), (2, 5), (3, 5)])
def test_command_count_limits(kind: int, limit: int) -> None:
    assert validate_application_commands(numbered(limit, kind)) is None
    errors = flatten(validate_application_commands(numbered(limit + 1, kind)))
    assert errors == [("", "APPLICATION_COMMANDS_LIMIT_EXCEEDED")]


def test_all_limits_together_are_allowed() -> None:
    assert validate_application_commands(numbered(100, 1) + numbered(5, 2) + numbered(5, 3)) is None


def test_names_are_unique_per_type() -> None:
    same_type = [command(), command(description="again")]
    assert flatten(validate_application_commands(same_type)) == [
        ("1.name", "APPLICATION_COMMANDS_DUPLICATE_NAME")
    ]
    across_types = [command(name="hug"), {"name": "hug", "type": 2}]
    assert validate_application_commands(across_types) is None


# --- options ----------------------------------------------------------------------------------


def test_option_count_limit() -> None:
    options = [option(name=f"o{i}") for i in range(25)]
    assert validate_application_commands([command(options=options)]) is None
    options.append(option(name="o25"))
    assert one_command_error(command(options=options)) == [("0.options", "BASE_TYPE_MAX_LENGTH")]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"name": "Query"}, ("0.options.0.name", "APPLICATION_COMMAND_INVALID_NAME")),
        ({"description": ""}, ("0.options.0.description", "BASE_TYPE_BAD_LENGTH")),
        ({"description": "d" * 101}, ("0.options.0.description", "BASE_TYPE_BAD_LENGTH")),
        ({"type": 12}, ("0.options.0.type", "BASE_TYPE_CHOICES")),
        ({"type": None}, ("0.options.0.type", "BASE_TYPE_REQUIRED")),
        ({"required": "yes"}, ("0.options.0.required", "BASE_TYPE_BOOLEAN")),
    ],
)
def test_option_fields(overrides: dict[str, Any], expected: tuple[str, str]) -> None:
    assert one_command_error(command(options=[option(**overrides)])) == [expected]


def test_option_names_are_unique() -> None:
    cmd = command(options=[option(), option(type=4)])
    assert one_command_error(cmd) == [
        ("0.options.1.name", "APPLICATION_COMMAND_OPTIONS_DUPLICATE_NAME")
    ]


def test_required_options_come_first() -> None:
    good = [option(name="a", required=True), option(name="b")]
    assert validate_application_commands([command(options=good)]) is None
    bad = [option(name="a"), option(name="b", required=True)]
    assert one_command_error(command(options=bad)) == [
        ("0.options", "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID")
    ]


def subcommand(name: str = "find", **overrides: Any) -> dict[str, Any]:
    return {"name": name, "description": "A subcommand", "type": 1, **overrides}


def group(*children: dict[str, Any], name: str = "episodes") -> dict[str, Any]:
    return {"name": name, "description": "A group", "type": 2, "options": list(children)}


def test_valid_nesting() -> None:
    nested = command(
        options=[
            group(subcommand("find", options=[option(required=True)]), subcommand("random")),
            subcommand("today"),
        ]
    )
    assert validate_application_commands([nested]) is None


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (
            [group(option())],
            ("0.options.0.options.0.type", "APPLICATION_COMMAND_OPTION_TYPE_INVALID"),
        ),
        (
            [group(group(subcommand()), name="outer")],
            ("0.options.0.options.0.type", "APPLICATION_COMMAND_OPTION_TYPE_INVALID"),
        ),
        (
            [subcommand(options=[subcommand("inner")])],
            ("0.options.0.options.0.type", "APPLICATION_COMMAND_OPTION_TYPE_INVALID"),
        ),
        ([subcommand(), option()], ("0.options", "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID")),
    ],
    ids=["group-holds-string", "group-in-group", "subcommand-in-subcommand", "mixed-top-level"],
)
def test_invalid_nesting(options: list[dict[str, Any]], expected: tuple[str, str]) -> None:
    assert expected in one_command_error(command(options=options))


# --- choices, autocomplete, ranges, channel types ---------------------------------------------


def choices(count: int, value: Any = None) -> list[dict[str, Any]]:
    return [{"name": f"c{i}", "value": f"v{i}" if value is None else value} for i in range(count)]


def test_choice_count_limit() -> None:
    assert validate_application_commands([command(options=[option(choices=choices(25))])]) is None
    errors = one_command_error(command(options=[option(choices=choices(26))]))
    assert errors == [("0.options.0.choices", "BASE_TYPE_MAX_LENGTH")]


@pytest.mark.parametrize(
    ("option_type", "choice", "expected"),
    [
        (3, {"name": "n" * 100, "value": "v" * 100}, None),
        (3, {"name": "n" * 101, "value": "v"}, ("name", "BASE_TYPE_BAD_LENGTH")),
        (3, {"name": "", "value": "v"}, ("name", "BASE_TYPE_BAD_LENGTH")),
        (3, {"name": "n", "value": "v" * 101}, ("value", "BASE_TYPE_MAX_LENGTH")),
        (3, {"name": "n"}, ("value", "BASE_TYPE_REQUIRED")),
        (4, {"name": "n", "value": 2**53 - 1}, None),
        (4, {"name": "n", "value": 2**53}, ("value", "NUMBER_TYPE_MAX")),
        (4, {"name": "n", "value": "1"}, ("value", "NUMBER_TYPE_COERCE")),
        (4, {"name": "n", "value": 1.5}, ("value", "NUMBER_TYPE_COERCE")),
        (4, {"name": "n", "value": True}, ("value", "NUMBER_TYPE_COERCE")),
        (10, {"name": "n", "value": 1.5}, None),
        (10, {"name": "n", "value": 2}, None),
        (10, {"name": "n", "value": "1.5"}, ("value", "NUMBER_TYPE_COERCE")),
    ],
)
def test_choice_fields(option_type: int, choice: dict, expected: tuple[str, str] | None) -> None:
    body = validate_application_commands(
        [command(options=[option(type=option_type, choices=[choice])])]
    )
    if expected is None:
        assert body is None
    else:
        assert flatten(body) == [(f"0.options.0.choices.0.{expected[0]}", expected[1])]


def test_choices_only_on_string_integer_number() -> None:
    errors = one_command_error(command(options=[option(type=5, choices=choices(2))]))
    assert errors == [("0.options.0.choices", "APPLICATION_COMMAND_OPTION_FIELD_INVALID")]


def test_autocomplete_rules() -> None:
    for kind in (3, 4, 10):
        assert (
            validate_application_commands([command(options=[option(type=kind, autocomplete=True)])])
            is None
        )
    with_choices = option(autocomplete=True, choices=choices(2))
    assert one_command_error(command(options=[with_choices])) == [
        ("0.options.0.autocomplete", "APPLICATION_COMMAND_AUTOCOMPLETE_WITH_CHOICES")
    ]
    on_user = option(type=6, autocomplete=True)
    assert one_command_error(command(options=[on_user])) == [
        ("0.options.0.autocomplete", "APPLICATION_COMMAND_OPTION_FIELD_INVALID")
    ]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"type": 4, "min_value": 1, "max_value": 8}, None),
        ({"type": 4, "min_value": 5, "max_value": 5}, None),
        ({"type": 10, "min_value": -0.5, "max_value": 2.5}, None),
        (
            {"type": 4, "min_value": 9, "max_value": 8},
            ("min_value", "APPLICATION_COMMAND_OPTION_RANGE_INVALID"),
        ),
        ({"type": 4, "min_value": 1.5}, ("min_value", "NUMBER_TYPE_COERCE")),
        ({"type": 4, "max_value": 2**53}, ("max_value", "NUMBER_TYPE_MAX")),
        ({"type": 3, "min_value": 1}, ("min_value", "APPLICATION_COMMAND_OPTION_FIELD_INVALID")),
        ({"min_length": 0, "max_length": 6000}, None),
        ({"min_length": 6001}, ("min_length", "NUMBER_TYPE_MAX")),
        ({"max_length": 0}, ("max_length", "NUMBER_TYPE_MIN")),
        ({"min_length": -1}, ("min_length", "NUMBER_TYPE_MIN")),
        (
            {"min_length": 10, "max_length": 5},
            ("min_length", "APPLICATION_COMMAND_OPTION_RANGE_INVALID"),
        ),
        ({"type": 4, "max_length": 5}, ("max_length", "APPLICATION_COMMAND_OPTION_FIELD_INVALID")),
        ({"type": 7, "channel_types": [0, 5, 15]}, None),
        ({"type": 7, "channel_types": [0, 99]}, ("channel_types.1", "BASE_TYPE_CHOICES")),
        ({"channel_types": [0]}, ("channel_types", "APPLICATION_COMMAND_OPTION_FIELD_INVALID")),
    ],
)
def test_option_ranges_and_channel_types(overrides: dict, expected: tuple | None) -> None:
    body = validate_application_commands([command(options=[option(**overrides)])])
    if expected is None:
        assert body is None
    else:
        assert flatten(body) == [(f"0.options.0.{expected[0]}", expected[1])]


# --- permissions, contexts, localizations, size -----------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("0", None),
        ("8", None),
        (8, None),
        (str(2**54 - 1), None),
        ("abc", "NUMBER_TYPE_COERCE"),
        (-1, "NUMBER_TYPE_MIN"),
        (2**54, "NUMBER_TYPE_MAX"),
    ],
)
def test_default_member_permissions(value: object, expected: str | None) -> None:
    body = validate_application_commands([command(default_member_permissions=value)])
    if expected is None:
        assert body is None
    else:
        assert flatten(body) == [("0.default_member_permissions", expected)]


def test_contexts_and_integration_types() -> None:
    assert (
        validate_application_commands([command(contexts=[0, 1, 2], integration_types=[0, 1])])
        is None
    )
    assert one_command_error(command(contexts=[3], integration_types=[])) == [
        ("0.contexts.0", "BASE_TYPE_CHOICES"),
        ("0.integration_types", "BASE_TYPE_MIN_LENGTH"),
    ]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("name_localizations", {"fr": "épisode", "pt-BR": "episódio"}, None),
        ("name_localizations", {"fr": "Épisode"}, ("fr", "APPLICATION_COMMAND_INVALID_NAME")),
        ("name_localizations", {"xx": "episode"}, ("xx", "BASE_TYPE_CHOICES")),
        ("name_localizations", {"de": "a" * 33}, ("de", "BASE_TYPE_BAD_LENGTH")),
        ("description_localizations", {"de": "d" * 100}, None),
        ("description_localizations", {"de": ""}, ("de", "BASE_TYPE_BAD_LENGTH")),
        ("description_localizations", ["de"], ("", "MODEL_TYPE_CONVERT")),
    ],
)
def test_localizations_follow_the_same_rules(
    field: str, value: Any, expected: tuple | None
) -> None:
    for target, prefix in (
        (command(**{field: value}), "0"),
        (command(options=[option(**{field: value})]), "0.options.0"),
    ):
        body = validate_application_commands([target])
        if expected is None:
            assert body is None
        else:
            path = ".".join(part for part in (prefix, field, expected[0]) if part)
            assert flatten(body) == [(path, expected[1])]


def sized_command(total: int) -> dict[str, Any]:
    """A valid command whose counted text is exactly ``total`` characters."""
    cmd = command(name="a", description="d" * 100)  # 101
    string_option = option(name="o", description="d" * 100)  # 101
    remaining = total - 202
    picks = []
    while remaining > 0:
        name_len = min(100, remaining - 1)
        value_len = min(100, remaining - name_len)
        picks.append({"name": "n" * name_len, "value": "v" * value_len})
        remaining -= name_len + value_len
    string_option["choices"] = picks
    cmd["options"] = [string_option]
    return cmd


def test_command_size_limit_counts_every_name_description_and_value() -> None:
    assert validate_application_commands([sized_command(4000)]) is None
    assert one_command_error(sized_command(4001)) == [("0", "APPLICATION_COMMAND_TOO_LARGE")]


def test_all_errors_are_collected() -> None:
    cmd = command(name="Bad Name", description="", options=[option(type=99)])
    paths = [path for path, _ in one_command_error(cmd)]
    assert paths == ["0.name", "0.description", "0.options.0.type"]


# --- a tree built by discord.py itself ---------------------------------------------------------


def build_tree() -> app_commands.CommandTree:
    tree = app_commands.CommandTree(discord.Client(intents=discord.Intents.none()))
    episodes = app_commands.Group(name="episode", description="Heartstopper episodes")

    @episodes.command(name="find", description="Find an episode by title")
    @app_commands.describe(query="Part of the title")
    async def find(interaction: discord.Interaction, query: str) -> None: ...

    @find.autocomplete("query")
    async def find_autocomplete(interaction: discord.Interaction, current: str) -> list:
        return []

    @episodes.command(name="random", description="A random episode")
    async def random(
        interaction: discord.Interaction, season: app_commands.Range[int, 1, 3] | None = None
    ) -> None: ...

    tree.add_command(episodes)

    @tree.command(name="character", description="About a character")
    @app_commands.choices(
        who=[
            app_commands.Choice(name="Nick Nelson", value="nick"),
            app_commands.Choice(name="Charlie Spring", value="charlie"),
        ]
    )
    @app_commands.default_permissions(manage_guild=True)
    async def character(
        interaction: discord.Interaction,
        who: app_commands.Choice[str],
        spoilers: Literal["none", "all"] = "none",
        channel: discord.TextChannel | None = None,
    ) -> None: ...

    @tree.context_menu(name="Favourite Quote")
    async def quote(interaction: discord.Interaction, message: discord.Message) -> None: ...

    return tree


def test_commands_serialised_by_discord_py_are_valid() -> None:
    tree = build_tree()
    payload = [cmd.to_dict(tree) for cmd in tree.get_commands()]
    assert {cmd["name"] for cmd in payload} == {"episode", "character", "Favourite Quote"}
    assert validate_application_commands(payload) is None


def test_validation_catches_a_broken_discord_py_payload() -> None:
    tree = build_tree()
    payload = [cmd.to_dict(tree) for cmd in tree.get_commands()]
    episode = next(cmd for cmd in payload if cmd["name"] == "episode")
    episode["options"][0]["options"][0]["choices"] = choices(2)  # next to autocomplete
    index = payload.index(episode)
    assert flatten(validate_application_commands(payload)) == [
        (
            f"{index}.options.0.options.0.autocomplete",
            "APPLICATION_COMMAND_AUTOCOMPLETE_WITH_CHOICES",
        )
    ]


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
