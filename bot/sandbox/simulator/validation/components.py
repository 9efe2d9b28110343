"""Legacy (non-V2) message components: action rows of buttons or one select menu.

Limits from the OpenAPI schemas ActionRowComponentForMessageRequest,
ButtonComponentForMessageRequest, *SelectComponentForMessageRequest and
StringSelectOptionForRequest, and the docs ("Component Reference"). Components V2 are refused
with a clear error: this simulator renders action rows only.
"""

from __future__ import annotations

from ._fields import (
    Errors,
    Path,
    array,
    boolean,
    enum_list,
    integer,
    later_duplicates,
    mapping,
    one_of,
    snowflake,
    string,
    url,
)
from .commands import CHANNEL_TYPES

ACTION_ROW, BUTTON, STRING_SELECT, CHANNEL_SELECT = 1, 2, 3, 8
SELECT_TYPES = (3, 5, 6, 7, 8)  # string, user, role, mentionable, channel
V2_COMPONENT_TYPES = (9, 10, 11, 12, 13, 14, 17)
MAX_ACTION_ROWS = 5
ROW_WIDTH = 5  # a button is 1 wide, a select menu or text input the whole row
BUTTON_STYLES = (1, 2, 3, 4, 5, 6)
LINK_STYLE, PREMIUM_STYLE = 5, 6
LINK_BUTTON_SCHEMES = ("http", "https", "discord")
MAX_SELECT_OPTIONS = MAX_SELECT_VALUES = 25


def message_components(errs: Errors, path: Path, value: object) -> None:
    """Legacy (non-V2) message components: up to five action rows."""
    seen: set[str] = set()  # custom_ids are unique across the whole message
    rows = array(errs, path, value, max_items=MAX_ACTION_ROWS)
    for index, row in enumerate(rows or []):
        _action_row(errs, (*path, index), row, seen)


def _action_row(errs: Errors, path: Path, value: object, seen: set[str]) -> None:
    row = mapping(errs, path, value, required=True)
    if row is None:
        return
    kind = row.get("type")
    if kind in V2_COMPONENT_TYPES:
        errs.add(
            (*path, "type"),
            "SIMULATOR_UNSUPPORTED",
            f"Component type {kind} needs IS_COMPONENTS_V2, which this simulator does "
            "not support; use action rows",
        )
        return
    if one_of(errs, (*path, "type"), kind, (ACTION_ROW,), required=True) is None:
        return
    children = (
        array(
            errs,
            (*path, "components"),
            row.get("components"),
            min_items=1,
            max_items=ROW_WIDTH,
            required=True,
        )
        or []
    )
    width = 0
    for index, child in enumerate(children):
        child_path = (*path, "components", index)
        width += _row_child(errs, child_path, child, seen)
        if width > ROW_WIDTH and len(children) <= ROW_WIDTH:
            errs.add(
                child_path,
                "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                "The specified component exceeds the maximum width",
            )
            break


def _row_child(errs: Errors, path: Path, value: object, seen: set[str]) -> int:
    """Checks a button or select inside a message action row and returns its width."""
    child = mapping(errs, path, value, required=True)
    if child is None:
        return 0
    kind = one_of(errs, (*path, "type"), child.get("type"), (BUTTON, *SELECT_TYPES), required=True)
    if kind == BUTTON:
        _button(errs, path, child, seen)
        return 1
    if kind is not None:
        select_menu(errs, path, child, kind, seen)
        return ROW_WIDTH
    return 0


def unique_custom_id(
    errs: Errors, path: Path, value: object, seen: set[str], *, required: bool = True
) -> None:
    custom_id = string(errs, path, value, min_len=1, max_len=100, required=required)
    if custom_id is not None:
        if custom_id in seen:
            errs.add(
                path, "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated"
            )
        seen.add(custom_id)


def _forbid(errs: Errors, path: Path, value: object, message: str) -> None:
    if value is not None:
        errs.add(path, "COMPONENT_FIELD_NOT_ALLOWED", message)


def _button(errs: Errors, path: Path, button: dict, seen: set[str]) -> None:
    style = one_of(errs, (*path, "style"), button.get("style"), BUTTON_STYLES, required=True)
    string(errs, (*path, "label"), button.get("label"), max_len=80)
    mapping(errs, (*path, "emoji"), button.get("emoji"))
    if style == LINK_STYLE:
        url(
            errs,
            (*path, "url"),
            button.get("url"),
            schemes=LINK_BUTTON_SCHEMES,
            max_len=512,
            required=True,
        )
        _forbid(
            errs,
            (*path, "custom_id"),
            button.get("custom_id"),
            "Link buttons cannot have a custom_id",
        )
    elif style == PREMIUM_STYLE:
        snowflake(errs, (*path, "sku_id"), button.get("sku_id"), required=True)
        for key in ("custom_id", "url", "label", "emoji"):
            _forbid(errs, (*path, key), button.get(key), f"Premium buttons cannot have a {key}")
    elif style is not None:
        unique_custom_id(errs, (*path, "custom_id"), button.get("custom_id"), seen)
        _forbid(errs, (*path, "url"), button.get("url"), "Only link buttons can have a url")
    if style != PREMIUM_STYLE and not button.get("label") and not button.get("emoji"):
        errs.add(
            path, "BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED", "A button needs a label or an emoji"
        )


def select_menu(errs: Errors, path: Path, select: dict, kind: int, seen: set[str]) -> None:
    unique_custom_id(errs, (*path, "custom_id"), select.get("custom_id"), seen)
    string(errs, (*path, "placeholder"), select.get("placeholder"), max_len=150)
    low = integer(errs, (*path, "min_values"), select.get("min_values"), lo=0, hi=MAX_SELECT_VALUES)
    high = integer(
        errs, (*path, "max_values"), select.get("max_values"), lo=1, hi=MAX_SELECT_VALUES
    )
    if low is not None and high is not None and low > high:
        errs.add(
            (*path, "min_values"),
            "SELECT_COMPONENT_MIN_MAX_INVALID",
            "min_values must be less than or equal to max_values",
        )
    array(
        errs, (*path, "default_values"), select.get("default_values"), max_items=MAX_SELECT_VALUES
    )
    if kind == CHANNEL_SELECT:
        enum_list(errs, (*path, "channel_types"), select.get("channel_types"), CHANNEL_TYPES)
    if kind != STRING_SELECT:
        return
    options = (
        array(
            errs,
            (*path, "options"),
            select.get("options"),
            min_items=1,
            max_items=MAX_SELECT_OPTIONS,
            required=True,
        )
        or []
    )
    for index, option in enumerate(options):
        _select_option(errs, (*path, "options", index), option)
    values = [option.get("value") if isinstance(option, dict) else None for option in options]
    for index in later_duplicates([v if isinstance(v, str) else None for v in values]):
        errs.add(
            (*path, "options", index, "value"),
            "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED",
            "Select option values must be unique",
        )
    if high is not None and options and high > len(options):
        errs.add(
            (*path, "max_values"),
            "SELECT_COMPONENT_MAX_VALUES_EXCEEDS_OPTIONS",
            f"max_values must be {len(options)} or fewer (the number of options)",
        )


def _select_option(errs: Errors, path: Path, value: object) -> None:
    option = mapping(errs, path, value, required=True)
    if option is not None:
        string(errs, (*path, "label"), option.get("label"), min_len=1, max_len=100, required=True)
        string(errs, (*path, "value"), option.get("value"), min_len=1, max_len=100, required=True)
        string(errs, (*path, "description"), option.get("description"), max_len=100)
        boolean(errs, (*path, "default"), option.get("default"))
