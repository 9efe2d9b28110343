"""The README's invite integers for the premiere kit say exactly the permissions it checks."""

from __future__ import annotations

from pathlib import Path

import discord

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
BASIC = discord.Permissions(view_channel=True, send_messages=True, embed_links=True)
NOTIFY = discord.Permissions(manage_roles=True)
EVENTS = discord.Permissions(manage_events=True)
THREADS = discord.Permissions(
    read_message_history=True, create_public_threads=True, send_messages_in_threads=True
)


def test_each_option_and_the_invite_url_carry_their_integers() -> None:
    for extra in (NOTIFY, EVENTS, THREADS):
        assert f"`{(BASIC | extra).value}`" in README
    everything = BASIC | NOTIFY | EVENTS | THREADS
    assert f"permissions={everything.value}`" in README
