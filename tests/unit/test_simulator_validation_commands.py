"""Simulator validation of command registration: names, options, nesting, choices, size.

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
)
from tests.unit.validation_helpers import (
    command,
    flatten,
    one_command_error,
    option,
)

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
