"""Builders and an error flattener shared by the simulator validation tests."""

from __future__ import annotations

from typing import Any

from bot.sandbox.simulator.validation import (
    validate_application_commands,
)


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
