"""What /countdown reset's reply says about the premiere kit."""

from __future__ import annotations

from bot.premiere.discord_checks import reset_note
from bot.premiere.settings import PremiereSettings


def test_nothing_on_says_nothing() -> None:
    assert reset_note(PremiereSettings(1)) is None


def test_names_only_the_options_that_are_on() -> None:
    note = reset_note(PremiereSettings(1, notify_button=True, release_threads=True))
    assert note is not None and "`/premiere`" in note and "stay on" in note
    assert "🔔 Notify me" in note and "🧵 release-day threads" in note
    assert "Discord events" not in note
