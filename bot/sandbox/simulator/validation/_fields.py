"""The building blocks: an error collector for Discord's nested error tree, and one check per
JSON value kind, each reporting Discord's own error code and message."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

Path = tuple[str | int, ...]
Body = dict[str, Any]
Check = Callable[[Path, object], Any]  # checks the value found at a path, returns it if usable

INT53 = 2**53 - 1  # Int53Type: the range of INTEGER and NUMBER values


class Errors:
    """Builds Discord's nested error tree: every path ends in an ``_errors`` list."""

    def __init__(self) -> None:
        self.tree: dict[str, Any] = {}

    def add(self, path: Path, code: str, message: str) -> None:
        node = self.tree
        for key in path:
            node = node.setdefault(str(key), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def body(self) -> Body | None:
        if not self.tree:
            return None
        return {"code": 50035, "message": "Invalid Form Body", "errors": self.tree}


def shown(value: object) -> str:
    """A short rendering of a bad value for an error message (never huge, never raising)."""
    if isinstance(value, int) and abs(value) > 10**30:
        return "<huge int>"  # str() of a very long int raises ValueError
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)  # JSON true is not 1


def missing(errs: Errors, path: Path, value: object, required: bool) -> bool:
    """True when there is nothing to check; reports the absence if the field is required."""
    if value is None and required:
        errs.add(path, "BASE_TYPE_REQUIRED", "This field is required")
    return value is None


def string(
    errs: Errors,
    path: Path,
    value: object,
    *,
    max_len: int,
    min_len: int = 0,
    required: bool = False,
) -> str | None:
    if missing(errs, path, value, required):
        return None
    if not isinstance(value, str):
        errs.add(path, "STRING_TYPE_CONVERT", f"Could not interpret {shown(value)} as string.")
        return None
    if min_len <= len(value) <= max_len:
        return value
    if min_len:
        errs.add(
            path, "BASE_TYPE_BAD_LENGTH", f"Must be between {min_len} and {max_len} in length."
        )
    else:
        errs.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {max_len} or fewer in length.")
    return None


def integer(
    errs: Errors,
    path: Path,
    value: object,
    *,
    lo: int,
    hi: int,
    required: bool = False,
) -> int | None:
    if missing(errs, path, value, required):
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        errs.add(path, "NUMBER_TYPE_COERCE", f'Value "{shown(value)}" is not int.')
    elif value < lo:
        errs.add(path, "NUMBER_TYPE_MIN", f"int value should be greater than or equal to {lo}.")
    elif value > hi:
        errs.add(path, "NUMBER_TYPE_MAX", f"int value should be less than or equal to {hi}.")
    else:
        return value
    return None


def _is_nan(value: float) -> bool:
    return isinstance(value, float) and math.isnan(value)


def number(errs: Errors, path: Path, value: object, *, required: bool = False) -> float | None:
    """A double between -2^53 and 2^53, as the NUMBER option type documents."""
    if missing(errs, path, value, required):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or _is_nan(value):
        errs.add(path, "NUMBER_TYPE_COERCE", f'Value "{shown(value)}" is not a valid number.')
    elif abs(value) > INT53:  # also catches infinity
        errs.add(path, "NUMBER_TYPE_MAX", f"number value should be between -{INT53} and {INT53}.")
    else:
        return value
    return None


def one_of(
    errs: Errors,
    path: Path,
    value: object,
    allowed: tuple[Any, ...],
    *,
    required: bool = False,
) -> Any:
    if missing(errs, path, value, required):
        return None
    if isinstance(value, int | str) and not isinstance(value, bool) and value in allowed:
        return value
    shown = ", ".join(repr(item) for item in allowed)
    errs.add(path, "BASE_TYPE_CHOICES", f"Value must be one of {{{shown}}}.")
    return None


def array(
    errs: Errors,
    path: Path,
    value: object,
    *,
    max_items: int | None = None,
    min_items: int = 0,
    required: bool = False,
) -> list[Any] | None:
    """The list when it is one (even if too long, so its items are still checked)."""
    if missing(errs, path, value, required):
        return None
    if not isinstance(value, list):
        errs.add(path, "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
        return None
    if max_items is not None and len(value) > max_items:
        errs.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {max_items} or fewer in length.")
    elif len(value) < min_items:
        errs.add(path, "BASE_TYPE_MIN_LENGTH", f"Must be {min_items} or more in length.")
    return value


def mapping(errs: Errors, path: Path, value: object, *, required: bool = False) -> dict | None:
    if missing(errs, path, value, required):
        return None
    if not isinstance(value, dict):
        errs.add(path, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
        return None
    return value


def boolean(errs: Errors, path: Path, value: object) -> None:
    if value is not None and not isinstance(value, bool):
        errs.add(path, "BASE_TYPE_BOOLEAN", f'Value "{shown(value)}" is not boolean.')


def snowflake(errs: Errors, path: Path, value: object, *, required: bool = False) -> None:
    if missing(errs, path, value, required):
        return
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 20:
        value = int(value)
    if not (is_int(value) and 0 <= value < 2**64):  # type: ignore[operator]
        errs.add(path, "NUMBER_TYPE_COERCE", f'Value "{shown(value)}" is not snowflake.')


def url(
    errs: Errors,
    path: Path,
    value: object,
    *,
    schemes: tuple[str, ...],
    max_len: int = 2048,
    required: bool = False,
) -> None:
    text = string(errs, path, value, max_len=max_len, required=required)
    if text is None:
        return
    scheme, sep, rest = text.partition("://")
    if not sep or scheme.lower() not in schemes:
        errs.add(
            path,
            "URL_TYPE_INVALID_SCHEME",
            f'Scheme "{scheme if sep else ""}" is not supported. Scheme must be one of {schemes}.',
        )
    elif not rest or rest[0] in "/?#" or any(ch.isspace() for ch in rest):
        errs.add(path, "URL_TYPE_INVALID_URL", "Not a well formed URL.")


def enum_list(
    errs: Errors,
    path: Path,
    value: object,
    allowed: tuple[int, ...],
    *,
    min_items: int = 0,
) -> None:
    for index, item in enumerate(array(errs, path, value, min_items=min_items) or []):
        one_of(errs, (*path, index), item, allowed)


def later_duplicates(keys: list[object]) -> list[int]:
    """Indexes whose key already appeared earlier (None keys are ignored)."""
    seen: set[object] = set()
    repeats = []
    for index, key in enumerate(keys):
        if key is not None and key in seen:
            repeats.append(index)
        seen.add(key)
    return repeats


def as_list(value: object) -> list[Any]:
    """The value if it is a list, else nothing to iterate (its type is reported elsewhere)."""
    return value if isinstance(value, list) else []


def text_len(*values: object) -> int:
    return sum(len(value) for value in values if isinstance(value, str))


def bounds(
    errs: Errors, path: Path, data: dict, low_key: str, high_key: str, check: Check, *, code: str
) -> None:
    """Checks a min/max pair with ``check(path, value)``, then that min <= max."""
    low = check((*path, low_key), data.get(low_key))
    high = check((*path, high_key), data.get(high_key))
    if low is not None and high is not None and low > high:
        errs.add((*path, low_key), code, f"{low_key} must be less than or equal to {high_key}")


def length_bound(errs: Errors, path: Path, value: object, limit: int) -> int | None:
    """A min_length (0..limit) or max_length (1..limit) setting, told apart by its key."""
    return integer(errs, path, value, lo=0 if path[-1] == "min_length" else 1, hi=limit)
