"""The command line's own surface: --version and --help."""

from __future__ import annotations

from importlib import metadata

import pytest

from bot.cli import main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out.strip() == (
        f"heartstopper-bot {metadata.version('heartstopper-bot')}"
    )


def test_help_is_plain_text_and_names_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--help"])
    assert stopped.value.code == 0
    text = capsys.readouterr().out
    assert "``" not in text  # reStructuredText markup, not for a terminal
    assert "sandbox" in text and "75" in text and " 2 " in text
