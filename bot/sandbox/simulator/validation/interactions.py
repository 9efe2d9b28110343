"""``POST /interactions/{id}/{token}/callback``: the first response to an interaction.

Limits from the OpenAPI schemas InteractionCallbackTypes, *InteractionCallbackRequest,
ModalInteractionCallbackRequestData and TextInputComponentForModalRequest, and the docs
("Interaction Response Object", "Modal"): a modal holds 1 to 5 components.
"""

from __future__ import annotations

from ._fields import (
    Body,
    Errors,
    Path,
    array,
    boolean,
    bounds,
    length_bound,
    mapping,
    one_of,
    string,
)
from .commands import MAX_CHOICES, choice
from .components import ACTION_ROW, ROW_WIDTH, SELECT_TYPES, select_menu, unique_custom_id
from .messages import CONTENT_KEYS, finish, message_fields, message_flags

CALLBACK_TYPES = (1, 4, 5, 6, 7, 8, 9, 10, 12)  # 10, PREMIUM_REQUIRED, is deprecated
MESSAGE_CALLBACK, DEFERRED_CALLBACK, UPDATE_CALLBACK = 4, 5, 7
AUTOCOMPLETE_CALLBACK, MODAL_CALLBACK = 8, 9
TEXT_INPUT, TEXT_DISPLAY, LABEL = 4, 10, 18
MAX_LABEL = 45  # ModalInteractionCallbackRequestData.title, TextInput / Label label
MAX_MODAL_COMPONENTS = 5
MAX_TEXT_INPUT = 4000  # TextInputComponentForModalRequest.value / min_length / max_length


def validate_interaction_response(payload: object) -> Body | None:
    """The whole body of ``POST /interactions/{id}/{token}/callback``."""
    errs = Errors()
    response = mapping(errs, (), payload, required=True)
    if response is None:
        return errs.body()
    kind = one_of(errs, ("type",), response.get("type"), CALLBACK_TYPES, required=True)
    data = response.get("data")
    message = None
    if kind == MESSAGE_CALLBACK:
        message = mapping(errs, ("data",), data, required=True)
        if message is not None:
            message_fields(errs, ("data",), message, partial=False, interaction=True)
    elif kind == UPDATE_CALLBACK and mapping(errs, ("data",), data) is not None:
        message_fields(errs, ("data",), data, partial=True, interaction=True)
    elif kind == DEFERRED_CALLBACK:
        _deferred(errs, ("data",), data)
    elif kind == AUTOCOMPLETE_CALLBACK:
        _autocomplete(errs, ("data",), data)
    elif kind == MODAL_CALLBACK:
        _modal(errs, ("data",), data)
    return finish(errs, message, must_have_content=kind == MESSAGE_CALLBACK)


def _deferred(errs: Errors, path: Path, value: object) -> None:
    """A deferred reply only takes flags; content belongs in the follow-up, not here."""
    data = mapping(errs, path, value)
    if data is None:
        return
    for key in CONTENT_KEYS:
        if data.get(key):
            errs.add(
                (*path, key),
                "INTERACTION_DEFERRED_FIELD_NOT_ALLOWED",
                "A deferred response accepts only flags; send this in the follow-up",
            )
    message_flags(errs, (*path, "flags"), data.get("flags"), partial=False, interaction=True)


def _autocomplete(errs: Errors, path: Path, value: object) -> None:
    data = mapping(errs, path, value, required=True)
    if data is None:
        return
    choices = array(errs, (*path, "choices"), data.get("choices"), max_items=MAX_CHOICES)
    for index, item in enumerate(choices or []):
        choice(errs, (*path, "choices", index), item, None)


def _modal(errs: Errors, path: Path, value: object) -> None:
    modal = mapping(errs, path, value, required=True)
    if modal is None:
        return
    unique_custom_id(errs, (*path, "custom_id"), modal.get("custom_id"), set())
    string(errs, (*path, "title"), modal.get("title"), min_len=1, max_len=MAX_LABEL, required=True)
    seen: set[str] = set()
    components = array(
        errs,
        (*path, "components"),
        modal.get("components"),
        min_items=1,
        max_items=MAX_MODAL_COMPONENTS,
        required=True,
    )
    for index, component in enumerate(components or []):
        _modal_component(errs, (*path, "components", index), component, seen)


def _modal_component(errs: Errors, path: Path, value: object, seen: set[str]) -> None:
    """An action row holding one text input, a label wrapping one input, or text."""
    component = mapping(errs, path, value, required=True)
    if component is None:
        return
    kind = one_of(
        errs,
        (*path, "type"),
        component.get("type"),
        (ACTION_ROW, TEXT_DISPLAY, LABEL),
        required=True,
    )
    if kind == ACTION_ROW:
        children = (
            array(
                errs,
                (*path, "components"),
                component.get("components"),
                min_items=1,
                max_items=ROW_WIDTH,
                required=True,
            )
            or []
        )
        for index, child in enumerate(children):
            child_path = (*path, "components", index)
            _text_input(errs, child_path, child, seen, label_required=True)
            if index == 1:  # a text input fills the row's whole width
                errs.add(
                    child_path,
                    "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                    "The specified component exceeds the maximum width",
                )
    elif kind == TEXT_DISPLAY:
        string(
            errs,
            (*path, "content"),
            component.get("content"),
            min_len=1,
            max_len=MAX_TEXT_INPUT,
            required=True,
        )
    elif kind == LABEL:
        string(
            errs,
            (*path, "label"),
            component.get("label"),
            min_len=1,
            max_len=MAX_LABEL,
            required=True,
        )
        string(errs, (*path, "description"), component.get("description"), max_len=100)
        _label_child(errs, (*path, "component"), component.get("component"), seen)


def _label_child(errs: Errors, path: Path, value: object, seen: set[str]) -> None:
    child = mapping(errs, path, value, required=True)
    if child is None:
        return
    kind = one_of(
        errs, (*path, "type"), child.get("type"), (TEXT_INPUT, *SELECT_TYPES), required=True
    )
    if kind == TEXT_INPUT:
        _text_input(errs, path, child, seen, label_required=False)
    elif kind is not None:
        select_menu(errs, path, child, kind, seen)


def _text_input(
    errs: Errors, path: Path, value: object, seen: set[str], *, label_required: bool
) -> None:
    text_input = mapping(errs, path, value, required=True)
    if text_input is None:
        return
    one_of(errs, (*path, "type"), text_input.get("type"), (TEXT_INPUT,), required=True)
    unique_custom_id(errs, (*path, "custom_id"), text_input.get("custom_id"), seen)
    one_of(errs, (*path, "style"), text_input.get("style"), (1, 2), required=True)
    string(
        errs,
        (*path, "label"),
        text_input.get("label"),
        min_len=1,
        max_len=MAX_LABEL,
        required=label_required,
    )
    string(errs, (*path, "value"), text_input.get("value"), max_len=MAX_TEXT_INPUT)
    string(errs, (*path, "placeholder"), text_input.get("placeholder"), max_len=100)
    boolean(errs, (*path, "required"), text_input.get("required"))
    bounds(
        errs,
        path,
        text_input,
        "min_length",
        "max_length",
        lambda at, value: length_bound(errs, at, value, MAX_TEXT_INPUT),
        code="TEXT_INPUT_LENGTH_RANGE_INVALID",
    )
