"""``PUT /applications/{id}/commands``: the bulk overwrite of an application's commands.

Limits from the OpenAPI schemas ApplicationCommandCreateRequest, ApplicationCommand*Option and
ApplicationCommandOption*Choice, and from the docs ("Application Command Naming", "Application
Command Option Structure"), which are stricter for string choice values (100, not 6000).
"""

from __future__ import annotations

import itertools
import unicodedata
from typing import Any

from ._fields import (
    INT53,
    Body,
    Check,
    Errors,
    Path,
    array,
    as_list,
    boolean,
    bounds,
    enum_list,
    integer,
    later_duplicates,
    length_bound,
    mapping,
    missing,
    number,
    one_of,
    shown,
    string,
    text_len,
)

COMMAND_TYPES = (1, 2, 3)  # CHAT_INPUT, USER, MESSAGE (4, PRIMARY_ENTRY_POINT, needs an Activity)
COMMAND_TYPE_NAMES = {1: "CHAT_INPUT", 2: "USER", 3: "MESSAGE"}
MAX_COMMANDS_PER_TYPE = {1: 100, 2: 5, 3: 5}
OPTION_TYPES = tuple(range(1, 12))  # ApplicationCommandOptionType: SUB_COMMAND .. ATTACHMENT
SUBCOMMAND, GROUP, STRING, INTEGER, CHANNEL, NUMBER = 1, 2, 3, 4, 7, 10
CHOICE_TYPES = (STRING, INTEGER, NUMBER)
MAX_OPTIONS = MAX_CHOICES = 25
MAX_COMMAND_SIZE = 4000  # name + description + every option/choice name, description and value
MAX_STRING_OPTION_LENGTH = 6000  # ApplicationCommandStringOption.min_length / max_length
MAX_PERMISSIONS = 18014398509481983  # ApplicationCommandCreateRequest.default_member_permissions
CONTEXTS = (0, 1, 2)  # InteractionContextType
INTEGRATION_TYPES = (0, 1)  # ApplicationIntegrationType
CHANNEL_TYPES = (0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15, 16)  # ChannelTypes + GUILD_MEDIA (docs)
LOCALES = (  # AvailableLocalesEnum
    "ar",
    "bg",
    "cs",
    "da",
    "de",
    "el",
    "en-GB",
    "en-US",
    "es-419",
    "es-ES",
    "fi",
    "fr",
    "he",
    "hi",
    "hr",
    "hu",
    "id",
    "it",
    "ja",
    "ko",
    "lt",
    "nl",
    "no",
    "pl",
    "pt-BR",
    "ro",
    "ru",
    "sv-SE",
    "th",
    "tr",
    "uk",
    "vi",
    "zh-CN",
    "zh-TW",
)

# Discord's rule is ^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$ (unicode flag), all lowercase
# where a lowercase form exists. The stdlib has no `regex` module: \p{L} and \p{N} are general
# categories (unicodedata), and since unicodedata has no script property the Devanagari and
# Thai scripts are their code point ranges (that is what admits their combining vowel signs,
# which are marks, not letters). The Unicode version is Python's, which may lag Discord's.
_DEVANAGARI = (
    (0x0900, 0x0950),
    (0x0955, 0x0963),
    (0x0966, 0x097F),
    (0xA8E0, 0xA8FF),
    (0x11B00, 0x11B09),
)
_THAI = ((0x0E01, 0x0E3A), (0x0E40, 0x0E5B))


def _is_name_char(char: str) -> bool:
    if char in "-_'" or unicodedata.category(char)[0] in "LN":
        return True
    point = ord(char)
    return any(lo <= point <= hi for lo, hi in _DEVANAGARI + _THAI)


def is_valid_chat_input_name(name: str) -> bool:
    """Whether ``name`` may name a slash command, option or subcommand."""
    return 1 <= len(name) <= 32 and all(
        _is_name_char(char) and char.lower() == char for char in name
    )


def _command_name(
    errs: Errors, path: Path, value: object, *, chat_input: bool, required: bool = True
) -> None:
    name = string(errs, path, value, min_len=1, max_len=32, required=required)
    if name is not None and chat_input and not is_valid_chat_input_name(name):
        errs.add(path, "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")


def _localizations(errs: Errors, path: Path, value: object, check: Check) -> None:
    """A locale -> text map whose texts obey ``check``, the rule of the default-locale text."""
    for locale, text in (mapping(errs, path, value) or {}).items():
        if one_of(errs, (*path, locale), locale, LOCALES) is not None:
            check((*path, locale), text)


def _long_text(errs: Errors) -> Check:
    """The 1-100 character rule of descriptions and choice names."""
    return lambda at, text: string(errs, at, text, min_len=1, max_len=100, required=True)


def _permissions(errs: Errors, path: Path, value: object) -> None:
    """The schema says integer; discord.py and the docs send a string of digits: both work."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 20:
        value = int(value)
    integer(errs, path, value, lo=0, hi=MAX_PERMISSIONS)


def validate_application_commands(payload: object) -> Body | None:
    """The body of ``PUT /applications/{id}/commands`` (bulk overwrite: a list of commands)."""
    errs = Errors()
    commands = array(errs, (), payload, required=True)
    if commands is not None:
        for index, command in enumerate(commands):
            _command(errs, (index,), command)
        _command_counts(errs, commands)
        keys = [_command_key(command) for command in commands]
        for index in later_duplicates(keys):
            errs.add(
                (index, "name"),
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                "Application command names must be unique",
            )
    return errs.body()


def _command_type(command: object) -> object:
    kind = command.get("type") if isinstance(command, dict) else None
    return 1 if kind is None else kind  # a missing type means CHAT_INPUT


def _command_key(command: object) -> tuple[int, str] | None:
    """Names are unique per command type."""
    kind = _command_type(command)
    if isinstance(kind, int) and isinstance(command, dict) and isinstance(command.get("name"), str):
        return (kind, command["name"])
    return None


def _command_counts(errs: Errors, commands: list[Any]) -> None:
    for kind, limit in MAX_COMMANDS_PER_TYPE.items():
        count = sum(1 for command in commands if _command_type(command) == kind)
        if count > limit:
            errs.add(
                (),
                "APPLICATION_COMMANDS_LIMIT_EXCEEDED",
                f"Maximum number of {COMMAND_TYPE_NAMES[kind]} commands reached ({limit})",
            )


def _command(errs: Errors, path: Path, value: object) -> None:
    command = mapping(errs, path, value, required=True)
    if command is None:
        return
    kind = one_of(errs, (*path, "type"), _command_type(command), COMMAND_TYPES)
    if kind is None:
        return
    chat_input = kind == 1
    _command_name(errs, (*path, "name"), command.get("name"), chat_input=chat_input)
    _localizations(
        errs,
        (*path, "name_localizations"),
        command.get("name_localizations"),
        lambda at, text: _command_name(errs, at, text, chat_input=chat_input),
    )
    if chat_input:
        _chat_input_parts(errs, path, command)
    else:
        _context_menu_parts(errs, path, command)
    _permissions(
        errs, (*path, "default_member_permissions"), command.get("default_member_permissions")
    )
    boolean(errs, (*path, "dm_permission"), command.get("dm_permission"))
    boolean(errs, (*path, "nsfw"), command.get("nsfw"))
    enum_list(errs, (*path, "contexts"), command.get("contexts"), CONTEXTS, min_items=1)
    enum_list(
        errs,
        (*path, "integration_types"),
        command.get("integration_types"),
        INTEGRATION_TYPES,
        min_items=1,
    )


def _description(errs: Errors, path: Path, entity: dict) -> None:
    """A chat-input command's or option's description (1-100 characters) and its translations."""
    string(
        errs,
        (*path, "description"),
        entity.get("description"),
        min_len=1,
        max_len=100,
        required=True,
    )
    _localizations(
        errs,
        (*path, "description_localizations"),
        entity.get("description_localizations"),
        _long_text(errs),
    )


def _chat_input_parts(errs: Errors, path: Path, command: dict) -> None:
    """Description, options and overall size: what only slash commands have."""
    _description(errs, path, command)
    _options(errs, (*path, "options"), command.get("options"), parent=None)
    if _command_size(command) > MAX_COMMAND_SIZE:
        errs.add(
            path,
            "APPLICATION_COMMAND_TOO_LARGE",
            f"Command exceeds maximum size ({MAX_COMMAND_SIZE})",
        )


def _context_menu_parts(errs: Errors, path: Path, command: dict) -> None:
    """USER and MESSAGE commands show no description and take no options."""
    if command.get("description"):
        errs.add(
            (*path, "description"),
            "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION",
            "Context menu commands cannot have a description",
        )
    if command.get("options"):
        errs.add(
            (*path, "options"),
            "APPLICATION_COMMAND_CONTEXT_MENU_OPTIONS",
            "Context menu commands cannot have options",
        )


def _option_size(option: object) -> int:
    if not isinstance(option, dict):
        return 0
    size = text_len(option.get("name"), option.get("description"))
    for item in as_list(option.get("choices")):
        if isinstance(item, dict):
            size += text_len(item.get("name")) + _value_len(item.get("value"))
    return size + sum(_option_size(child) for child in as_list(option.get("options")))


def _value_len(value: object) -> int:
    """A choice value counts as its text; a number as its decimal digits."""
    if isinstance(value, str):
        return len(value)
    return len(shown(value)) if isinstance(value, int | float) else 0


def _command_size(command: dict) -> int:
    """The default-locale text Discord counts against the 4000 character command limit."""
    return _option_size(command)


def _allowed_option_types(parent: int | None) -> tuple[int, ...]:
    if parent == GROUP:
        return (SUBCOMMAND,)
    if parent == SUBCOMMAND:
        return OPTION_TYPES[2:]
    return OPTION_TYPES


def _options(errs: Errors, path: Path, value: object, *, parent: int | None) -> None:
    """An options array: of a command (parent None), a group (2) or a subcommand (1)."""
    options = array(errs, path, value, max_items=MAX_OPTIONS)
    if not options:
        return
    for index, option in enumerate(options):
        _option(errs, (*path, index), option, parent=parent)
    dicts = [option if isinstance(option, dict) else {} for option in options]
    nested = [option.get("type") in (SUBCOMMAND, GROUP) for option in dicts]
    if any(nested) and not all(nested):
        errs.add(
            path,
            "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
            "Sub-command and sub-command group option types are mutually exclusive "
            "to all other types",
        )
    names = [
        option.get("name") if isinstance(option.get("name"), str) else None for option in dicts
    ]
    for index in later_duplicates(names):
        errs.add(
            (*path, index, "name"),
            "APPLICATION_COMMAND_OPTIONS_DUPLICATE_NAME",
            "Option names must be unique",
        )
    required = [
        bool(option.get("required")) for option, sub in zip(dicts, nested, strict=True) if not sub
    ]
    if any(later and not earlier for earlier, later in itertools.pairwise(required)):
        errs.add(
            path,
            "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
            "Required options must be placed before non-required options",
        )


def _option(errs: Errors, path: Path, value: object, *, parent: int | None) -> None:
    option = mapping(errs, path, value, required=True)
    if option is None:
        return
    kind = one_of(errs, (*path, "type"), option.get("type"), OPTION_TYPES, required=True)
    if kind is not None and kind not in _allowed_option_types(parent):
        message = (
            "Sub-command groups can only contain sub-commands"
            if parent == GROUP
            else "Sub-commands cannot contain sub-commands or sub-command groups"
        )
        errs.add((*path, "type"), "APPLICATION_COMMAND_OPTION_TYPE_INVALID", message)
    _command_name(errs, (*path, "name"), option.get("name"), chat_input=True)
    _localizations(
        errs,
        (*path, "name_localizations"),
        option.get("name_localizations"),
        lambda at, text: _command_name(errs, at, text, chat_input=True),
    )
    _description(errs, path, option)
    boolean(errs, (*path, "required"), option.get("required"))
    if kind in (SUBCOMMAND, GROUP):
        _options(errs, (*path, "options"), option.get("options"), parent=kind)
    elif kind is not None:
        _value_option(errs, path, option, kind)


def _only_for(
    errs: Errors, path: Path, option: dict, key: str, kind: int, types: tuple[int, ...], what: str
) -> bool:
    """Whether ``key`` is set; reports it when this option type cannot carry it."""
    value = option.get(key)
    if value is None or value is False or value == []:
        return False
    if kind not in types:
        errs.add(
            (*path, key),
            "APPLICATION_COMMAND_OPTION_FIELD_INVALID",
            f"{key} is only allowed on {what} options",
        )
        return False
    return True


def _value_option(errs: Errors, path: Path, option: dict, kind: int) -> None:
    """Choices, autocomplete, ranges and channel types of a non-subcommand option."""
    has_choices = _only_for(
        errs, path, option, "choices", kind, CHOICE_TYPES, "string, integer and number"
    )
    if has_choices:
        choices = array(errs, (*path, "choices"), option["choices"], max_items=MAX_CHOICES)
        for index, item in enumerate(choices or []):
            choice(errs, (*path, "choices", index), item, kind)
    if _only_for(
        errs, path, option, "autocomplete", kind, CHOICE_TYPES, "string, integer and number"
    ):
        boolean(errs, (*path, "autocomplete"), option["autocomplete"])
        if has_choices:
            errs.add(
                (*path, "autocomplete"),
                "APPLICATION_COMMAND_AUTOCOMPLETE_WITH_CHOICES",
                "Autocomplete and choices are mutually exclusive",
            )
    numeric = (INTEGER, NUMBER)
    ranged = _only_for(errs, path, option, "min_value", kind, numeric, "integer and number")
    ranged |= _only_for(errs, path, option, "max_value", kind, numeric, "integer and number")
    if ranged:
        bounds(
            errs,
            path,
            option,
            "min_value",
            "max_value",
            lambda at, value: (
                integer(errs, at, value, lo=-INT53, hi=INT53)
                if kind == INTEGER
                else number(errs, at, value)
            ),
            code="APPLICATION_COMMAND_OPTION_RANGE_INVALID",
        )
    sized = _only_for(errs, path, option, "min_length", kind, (STRING,), "string")
    sized |= _only_for(errs, path, option, "max_length", kind, (STRING,), "string")
    if sized:
        bounds(
            errs,
            path,
            option,
            "min_length",
            "max_length",
            lambda at, value: length_bound(errs, at, value, MAX_STRING_OPTION_LENGTH),
            code="APPLICATION_COMMAND_OPTION_RANGE_INVALID",
        )
    if _only_for(errs, path, option, "channel_types", kind, (CHANNEL,), "channel"):
        enum_list(errs, (*path, "channel_types"), option["channel_types"], CHANNEL_TYPES)


def _choice_value(errs: Errors, path: Path, value: object, kind: int | None) -> None:
    """A choice value of the option's type; ``kind`` None (autocomplete) accepts either."""
    if missing(errs, path, value, True):
        return
    if kind == STRING or (kind is None and isinstance(value, str)):
        string(errs, path, value, max_len=100)  # the docs' limit; the schema allows 6000
    elif kind == INTEGER:
        integer(errs, path, value, lo=-INT53, hi=INT53)
    else:
        number(errs, path, value)


def choice(errs: Errors, path: Path, value: object, kind: int | None) -> None:
    """One choice of an option (``kind`` its type) or of an autocomplete result (None)."""
    data = mapping(errs, path, value, required=True)
    if data is None:
        return
    string(errs, (*path, "name"), data.get("name"), min_len=1, max_len=100, required=True)
    _localizations(
        errs, (*path, "name_localizations"), data.get("name_localizations"), _long_text(errs)
    )
    _choice_value(errs, (*path, "value"), data.get("value"), kind)
