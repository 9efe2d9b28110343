"""Plain-text rendering of Discord messages for the sandbox terminal.

Pure functions over the JSON the bot sent, so what a person sees in the sandbox is exactly
what Discord would have received.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

EPHEMERAL = 1 << 6
SUPPRESS_NOTIFICATIONS = 1 << 12
_TIMESTAMP = re.compile(r"<t:(-?\d+)(?::([tTdDfFR]))?>")
_BUTTON_STYLES = {1: "primary", 2: "secondary", 3: "success", 4: "danger", 5: "link"}
WIDTH = 78


def _relative(seconds: int, now: dt.datetime) -> str:
    delta = seconds - int(now.timestamp())
    future, delta = delta >= 0, abs(delta)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if delta >= size:
            amount = delta // size
            text = f"{amount} {unit}{'s' if amount != 1 else ''}"
            return f"in {text}" if future else f"{text} ago"
    return "in a few seconds" if future else "a few seconds ago"


def render_timestamps(text: str, zone: dt.tzinfo, now: dt.datetime) -> str:
    """Show ``<t:…:F>`` markup as a Discord client would, in the reader's ``zone``."""

    def replace(match: re.Match[str]) -> str:
        seconds, style = int(match[1]), match[2] or "f"
        if style == "R":
            return _relative(seconds, now)
        moment = dt.datetime.fromtimestamp(seconds, zone)
        formats = {
            "t": "%H:%M",
            "T": "%H:%M:%S",
            "d": "%d/%m/%Y",
            "D": "%d %B %Y",
            "f": "%d %B %Y %H:%M",
            "F": "%A, %d %B %Y %H:%M %Z",
        }
        return moment.strftime(formats[style])

    return _TIMESTAMP.sub(replace, text)


def _wrap(text: str, prefix: str) -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        # A link (or a hyphenated word) cut in two no longer works when copied.
        wrapped = textwrap.wrap(
            paragraph, WIDTH - len(prefix), break_long_words=False, break_on_hyphens=False
        ) or [""]
        lines.extend(prefix + line for line in wrapped)
    return lines


def _render_embed(embed: Mapping[str, Any]) -> list[str]:
    bar = "  │ "
    lines = ["  ┌" + "─" * (WIDTH - 3)]
    if author := embed.get("author", {}).get("name"):
        lines += _wrap(author, bar)
    if title := embed.get("title"):
        lines += _wrap(f"**{title}**", bar)
    if description := embed.get("description"):
        lines += _wrap(description, bar)
    for field in embed.get("fields", []):
        lines += _wrap(f"▸ {field.get('name', '')}", bar)
        lines += _wrap(str(field.get("value", "")), bar + "  ")
    if footer := embed.get("footer", {}).get("text"):
        lines += _wrap(f"— {footer}", bar)
    lines.append("  └" + "─" * (WIDTH - 3))
    return lines


def _render_components(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    lines = []
    for row in rows:
        buttons = []
        for component in row.get("components", []):
            label = component.get("label") or component.get("emoji", {}).get("name") or "?"
            state = " (disabled)" if component.get("disabled") else ""
            if component.get("type") == 2:
                buttons.append(f"[ {label} ]{state}")
            else:
                buttons.append(f"[ {component.get('placeholder', 'Select…')} ▾ ]{state}")
        if buttons:
            lines.append("  " + "  ".join(buttons))
    return lines


_MENTION = re.compile(r"<(?:#|@&|@!?)\d+>")


def render_mentions(text: str, names: Mapping[str, str]) -> str:
    """``<#123>`` -> ``#countdown`` etc., for the ids ``names`` knows."""
    return _MENTION.sub(lambda m: names.get(m[0].replace("<@!", "<@"), m[0]), text)


def render_message(
    message: Mapping[str, Any],
    *,
    zone: dt.tzinfo = dt.UTC,
    now: dt.datetime | None = None,
    names: Mapping[str, str] | None = None,
) -> str:
    """A readable block for one message (content, embeds, buttons, and its flags)."""
    now = now or dt.datetime.now(dt.UTC)
    names = names or {}
    flags = int(message.get("flags") or 0)
    markers = []
    if flags & EPHEMERAL:
        markers.append("only you can see this")
    if flags & SUPPRESS_NOTIFICATIONS:
        markers.append("silent")
    pinged = [render_mentions(f"<@&{r}>", names) for r in message.get("mention_roles", [])]
    if message.get("mention_everyone"):
        pinged.insert(0, "@everyone")
    if pinged:
        markers.append("pings " + ", ".join(pinged))
    lines = [f"  ({'; '.join(markers)})"] if markers else []
    if content := message.get("content"):
        lines += _wrap(render_mentions(render_timestamps(content, zone, now), names), "  ")
    for embed in message.get("embeds", []):
        rendered = _render_embed(embed)
        lines += [render_mentions(render_timestamps(line, zone, now), names) for line in rendered]
    lines += _render_components(message.get("components", []))
    return "\n".join(lines) if lines else "  (empty message)"


def render_choices(choices: Sequence[Mapping[str, Any]]) -> str:
    if not choices:
        return "  (no suggestions)"
    return "\n".join(f"  • {c['name']}  →  {c['value']}" for c in choices)
