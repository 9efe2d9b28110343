"""Log records as the bot writes them: one line per outage, valid JSON, no voice noise."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator

import pytest

from bot.logs import BackgroundHandler, DropNoise, JsonFormatter, ReconnectNotes, _FdWriter

PipeLogger = tuple[logging.Logger, int, BackgroundHandler]


@pytest.fixture
def pipe_logger() -> Iterator[PipeLogger]:
    read_fd, write_fd = os.pipe()
    handler = BackgroundHandler(_FdWriter(write_fd))
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(DropNoise())
    logger = logging.getLogger("discord.client")
    logger.addHandler(handler)
    saved = logger.level
    logger.setLevel(logging.INFO)
    yield logger, read_fd, handler
    logger.removeHandler(handler)
    logger.setLevel(saved)
    os.close(write_fd)
    os.close(read_fd)


def _written(read_fd: int, handler: BackgroundHandler) -> str:
    assert handler.writer.flush(2)
    os.set_blocking(read_fd, False)
    try:
        return os.read(read_fd, 65536).decode()
    except BlockingIOError:
        return ""


def test_a_reconnect_is_one_warning_line_naming_the_error(pipe_logger: PipeLogger) -> None:
    logger, read_fd, handler = pipe_logger
    notes = ReconnectNotes()
    logger.addFilter(notes)
    try:
        try:
            raise ConnectionResetError(104, "Connection reset by peer")
        except OSError:
            # discord.py's own call, verbatim in shape.
            logger.exception("Attempting a reconnect in %.2fs", 1.5)
    finally:
        logger.removeFilter(notes)
    text = _written(read_fd, handler)
    assert text.count("\n") == 1, text
    assert text.startswith("WARNING discord.client: No connection to Discord (")
    assert "ConnectionResetError" in text and "reconnect in 1.50s" in text
    assert isinstance(notes.last_error, ConnectionResetError)


def test_voice_warnings_are_dropped(pipe_logger: PipeLogger) -> None:
    logger, read_fd, handler = pipe_logger
    logger.warning("PyNaCl is not installed, voice will NOT be supported")
    logger.warning("davey is not installed, voice will NOT be supported")
    logger.warning("something that matters")
    assert _written(read_fd, handler) == "WARNING discord.client: something that matters\n"


def test_json_lines_survive_quotes_newlines_and_tracebacks() -> None:
    record = logging.LogRecord(
        "bot.x", logging.ERROR, __file__, 1, 'a "quoted"\nvalue %s', ("ünïcode",), None
    )
    try:
        raise ValueError("boom")
    except ValueError:
        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == 'a "quoted"\nvalue ünïcode'
    assert entry["level"] == "ERROR" and entry["logger"] == "bot.x"
    assert "ValueError: boom" in entry["exception"]
