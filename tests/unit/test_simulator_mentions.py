"""Mention resolution: who a message really pings, given content and allowed_mentions."""

from __future__ import annotations

from typing import Any

import pytest

from bot.sandbox.simulator.mentions import MentionContext, Mentions, compute_mentions

NICK, CHARLIE, STRANGER = 111111111111111111, 222222222222222222, 333333333333333333
FANS, MODS = 444444444444444444, 555555555555555555
CONTENT = f"@everyone <@{NICK}> <@!{CHARLIE}> <@{STRANGER}> <@&{FANS}> <@&{MODS}>"


def ctx(*, everyone: bool = False, replied: int | None = None) -> MentionContext:
    return MentionContext(
        can_mention_everyone=everyone,
        known_user_ids={NICK, CHARLIE},
        mentionable_role_ids={FANS},
        known_role_ids={FANS, MODS},
        replied_user_id=replied,
    )


@pytest.mark.parametrize(
    ("allowed", "context", "expected"),
    [
        # No allowed_mentions: everything that may ping does; unknown users never do.
        (None, ctx(), Mentions(False, (NICK, CHARLIE), (FANS,))),
        (None, ctx(everyone=True), Mentions(True, (NICK, CHARLIE), (FANS, MODS))),
        ({"parse": []}, ctx(everyone=True), Mentions()),
        ({}, ctx(everyone=True), Mentions()),
        ({"parse": ["users"]}, ctx(everyone=True), Mentions(False, (NICK, CHARLIE), ())),
        ({"parse": ["roles"]}, ctx(), Mentions(False, (), (FANS,))),
        ({"parse": ["everyone"]}, ctx(everyone=True), Mentions(True, (), ())),
        ({"parse": ["everyone"]}, ctx(everyone=False), Mentions()),
        ({"users": [str(CHARLIE)], "roles": [str(MODS)]}, ctx(), Mentions(False, (CHARLIE,), ())),
        (
            {"users": [str(CHARLIE)], "roles": [str(MODS)]},
            ctx(everyone=True),
            Mentions(False, (CHARLIE,), (MODS,)),
        ),
    ],
)
def test_allowed_mentions(
    allowed: dict[str, Any] | None, context: MentionContext, expected: Mentions
) -> None:
    assert compute_mentions(CONTENT, allowed, context) == expected


def test_here_counts_as_everyone_and_duplicates_collapse() -> None:
    found = compute_mentions(f"@here <@{NICK}> <@!{NICK}>", None, ctx(everyone=True))
    assert found == Mentions(True, (NICK,), ())


def test_reply_pings_author_unless_disabled() -> None:
    assert compute_mentions("ok", None, ctx(replied=NICK)).user_ids == (NICK,)
    assert compute_mentions("ok", {"parse": []}, ctx(replied=NICK)).user_ids == ()
    assert compute_mentions("ok", {"replied_user": True}, ctx(replied=NICK)).user_ids == (NICK,)


def test_empty_and_plain_text_ping_nobody() -> None:
    assert compute_mentions(None, None, ctx(everyone=True)) == Mentions()
    assert compute_mentions("everyone loves Nellie", None, ctx(everyone=True)) == Mentions()
