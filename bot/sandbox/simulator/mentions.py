"""Which users, roles and @everyone a message really pings, the way Discord decides it."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

_USER_RE = re.compile(r"<@!?(\d{15,21})>")
_ROLE_RE = re.compile(r"<@&(\d{15,21})>")
_EVERYONE_RE = re.compile(r"@(everyone|here)\b")

_ALL_PARSE = ("users", "roles", "everyone")


@dataclass(frozen=True, slots=True)
class Mentions:
    everyone: bool = False
    user_ids: tuple[int, ...] = ()
    role_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class MentionContext:
    """What Discord knows when it resolves mentions for one author in one channel."""

    can_mention_everyone: bool
    known_user_ids: Collection[int] = ()
    mentionable_role_ids: Collection[int] = ()
    known_role_ids: Collection[int] = ()
    replied_user_id: int | None = None


def _unique(ids: list[int]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(ids))


def _id_set(values: Any) -> set[int]:
    return {int(v) for v in values or ()}


def compute_mentions(
    content: str | None, allowed_mentions: Mapping[str, Any] | None, ctx: MentionContext
) -> Mentions:
    """Resolve pings from message content filtered by ``allowed_mentions``.

    No ``allowed_mentions`` means everything may ping (and a reply pings its author);
    an ``allowed_mentions`` object without ``parse`` allows only what it lists.
    """
    text = content or ""
    if allowed_mentions is None:
        parse: Collection[str] = _ALL_PARSE
        allowed_users: set[int] = set()
        allowed_roles: set[int] = set()
        replied_user = True
    else:
        parse = allowed_mentions.get("parse") or ()
        allowed_users = _id_set(allowed_mentions.get("users"))
        allowed_roles = _id_set(allowed_mentions.get("roles"))
        replied_user = bool(allowed_mentions.get("replied_user", False))

    users = [
        uid
        for uid in (int(m) for m in _USER_RE.findall(text))
        if uid in ctx.known_user_ids and ("users" in parse or uid in allowed_users)
    ]
    if replied_user and ctx.replied_user_id is not None:
        users.append(ctx.replied_user_id)

    # A role pings when it is mentionable, or when the author may mention everyone.
    pingable = set(ctx.mentionable_role_ids)
    if ctx.can_mention_everyone:
        pingable |= set(ctx.known_role_ids)
    roles = [
        rid
        for rid in (int(m) for m in _ROLE_RE.findall(text))
        if rid in pingable and ("roles" in parse or rid in allowed_roles)
    ]

    everyone = (
        ctx.can_mention_everyone and "everyone" in parse and _EVERYONE_RE.search(text) is not None
    )
    return Mentions(everyone=everyone, user_ids=_unique(users), role_ids=_unique(roles))
