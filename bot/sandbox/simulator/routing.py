"""A tiny REST router with Discord's error shapes, body parsing and response helpers."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from . import wire_json

Handler = Callable[..., Awaitable[web.Response]]


class ApiError(Exception):
    """Raised by handlers; becomes a Discord-shaped JSON error response."""

    def __init__(self, status: int, code: int, message: str, **extra: Any) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.body: dict[str, Any] = {"message": message, "code": code, **extra}


ErrorSpec = tuple[int, int, str]
UNKNOWN_CHANNEL: ErrorSpec = (404, 10003, "Unknown Channel")
UNKNOWN_GUILD: ErrorSpec = (404, 10004, "Unknown Guild")
UNKNOWN_MEMBER: ErrorSpec = (404, 10007, "Unknown Member")
UNKNOWN_MESSAGE: ErrorSpec = (404, 10008, "Unknown Message")
UNKNOWN_WEBHOOK: ErrorSpec = (404, 10015, "Unknown Webhook")
UNKNOWN_INTERACTION: ErrorSpec = (404, 10062, "Unknown interaction")
ALREADY_ACKNOWLEDGED: ErrorSpec = (400, 40060, "Interaction has already been acknowledged.")
MISSING_ACCESS: ErrorSpec = (403, 50001, "Missing Access")
CANNOT_EDIT_OTHERS: ErrorSpec = (403, 50005, "Cannot edit a message authored by another user")
MISSING_PERMISSIONS: ErrorSpec = (403, 50013, "Missing Permissions")


def fail(spec: ErrorSpec) -> ApiError:
    return ApiError(*spec)


class InvalidBody(Exception):
    """A 400 whose body came from validation (``{"code": 50035, ...}``)."""

    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(body.get("message", "Invalid Form Body"))
        self.body = body


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    # discord.py compares Content-Type to exactly "application/json" (no charset).
    return web.Response(
        body=wire_json.dumps(data),
        status=status,
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


def no_content() -> web.Response:
    return web.Response(status=204)


@dataclass(frozen=True)
class Route:
    method: str
    template: str  # e.g. "/channels/{channel_id}/messages"
    pattern: re.Pattern[str]
    handler: Handler
    auth: bool

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"


def _compile(template: str) -> re.Pattern[str]:
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
    return re.compile(f"^{regex}$")


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, template: str, handler: Handler, *, auth: bool = True) -> None:
        self.routes.append(Route(method, template, _compile(template), handler, auth))

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        # Literal routes (e.g. ".../@original") are registered before patterns that
        # would also match them, so first match wins.
        for route in self.routes:
            if route.method != method:
                continue
            found = route.pattern.match(path)
            if found:
                return route, found.groupdict()
        return None


async def read_body(request: web.Request) -> tuple[Any, list[tuple[str, bytes, str]]]:
    """JSON body (or multipart ``payload_json``) and any uploaded files."""
    files: list[tuple[str, bytes, str]] = []
    if request.content_type.startswith("multipart/"):
        form = await request.post()
        payload: Any = None
        for name, value in form.items():
            if name == "payload_json":
                payload = _loads(value if isinstance(value, str) else value.file.read().decode())
            elif isinstance(value, web.FileField):
                files.append((value.filename, value.file.read(), value.content_type))
        return payload, files
    raw = await request.read()
    if not raw:
        return None, files
    return _loads(raw.decode("utf-8", errors="replace")), files


def _loads(text: str) -> Any:
    try:
        return wire_json.loads(text)
    except ValueError:
        raise ApiError(400, 50109, "The request body contains invalid JSON.") from None


def snowflake_param(value: str, *, unknown: ErrorSpec) -> int:
    """A path id; non-numeric ids get the route's "Unknown X" error, like Discord."""
    if value.isdigit():
        return int(value)
    raise fail(unknown)


def truthy(value: str | None) -> bool:
    return value is not None and value.lower() in ("1", "true", "yes")
