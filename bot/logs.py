"""Logging for the bot process: quiet at INFO, optional JSON, and never able to block the bot.

Records are formatted in the thread that logs them and handed to one background writer thread
that owns the file descriptor. So a log pipe nobody reads any more (a parent that died, a full
journald socket) can stall only that thread, never the event loop: SIGTERM still stops the bot.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import queue
import re
import sys
import threading
from typing import Literal

LogFormat = Literal["text", "json"]
LOG_FORMATS: tuple[LogFormat, ...] = ("text", "json")

TEXT_FORMAT = "%(asctime)s %(levelname)-8s %(name)s: %(message)s"

# Libraries whose INFO lines repeat on every scheduler tick (about 17,000 lines a day).
CHATTY_LOGGERS = ("apscheduler",)


class JsonFormatter(logging.Formatter):
    """One JSON object per line; the standard library's json does all the escaping."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def formatter_for(log_format: LogFormat) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)


def is_voice_warning(record: logging.LogRecord) -> bool:
    """discord.py warns about missing voice libraries; this bot has no voice."""
    return record.name == "discord.client" and "voice will NOT be supported" in str(record.msg)


def is_startup_chatter(record: logging.LogRecord) -> bool:
    """discord.py's 'logging in using static token' adds nothing a person can act on."""
    return record.name == "discord.client" and record.msg == "logging in using static token"


class DropNoise(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (is_voice_warning(record) or is_startup_chatter(record))


def one_line(exc: BaseException) -> str:
    """``Type: first line of the message``, for a log line instead of a traceback."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:300]}" if text else type(exc).__name__


_SHARD_WORDING = re.compile(r"reconnect for shard ID (\d+) in (\S+)")
_RETRY_MESSAGES = ("Attempting a reconnect", "Failed to connect for shard_id")
# The loggers whose retries ReconnectNotes folds into one line.
RETRY_LOGGERS = ("discord.client", "discord.shard")


class ReconnectNotes(logging.Filter):
    """discord.py logs every gateway reconnect attempt with a full traceback. Keep one line
    per attempt, and remember the error so start-up can name it if it never connects."""

    def __init__(self) -> None:
        super().__init__()
        self.last_error: BaseException | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        # discord.client and, for a sharded bot, discord.shard word their retries so.
        if record.exc_info and str(record.msg).startswith(_RETRY_MESSAGES):
            error = record.exc_info[1]
            attempt = record.getMessage()  # "Attempting a reconnect in 1.23s"
            # A sharded bot says "... for shard ID 0 in 1.23s": one wording for both.
            attempt = _SHARD_WORDING.sub(r"reconnect in \2 (shard \1)", attempt)
            if error is not None:
                self.last_error = error
                attempt = f"No connection to Discord ({one_line(error)}). {attempt}"
            record.msg, record.args = attempt, None
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            # The logger checked the level as ERROR; check it again as the WARNING it now is.
            return logging.getLogger(record.name).isEnabledFor(logging.WARNING)
        return True


class _FdWriter:
    """A daemon thread writing finished lines to a file descriptor, in order."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._queue: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._idle = threading.Event()
        self._idle.set()
        self._pending = 0
        self._lock = threading.Lock()
        self._broken = False
        self._thread = threading.Thread(target=self._run, name="log-writer", daemon=True)
        self._thread.start()

    def put(self, line: str) -> None:
        with self._lock:
            self._pending += 1
            self._idle.clear()
        self._queue.put(line.encode("utf-8", "replace"))

    def flush(self, timeout: float) -> bool:
        """Wait (bounded) until everything queued so far is written; False if it is stuck."""
        return self._idle.wait(timeout)

    def _run(self) -> None:
        while (data := self._queue.get()) is not None:
            self._write(data)
            with self._lock:
                self._pending -= 1
                if self._pending == 0:
                    self._idle.set()

    def _write(self, data: bytes) -> None:
        if self._broken:
            return
        try:
            while data:
                data = data[os.write(self._fd, data) :]
        except OSError:
            # The reader is gone (EPIPE) or the fd is closed: there is nobody to tell.
            self._broken = True


class BackgroundHandler(logging.Handler):
    """Formats in the caller's thread, writes in the writer thread; ``emit`` never blocks."""

    def __init__(self, writer: _FdWriter) -> None:
        super().__init__()
        self.writer = writer

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.writer.put(self.format(record) + "\n")
        except Exception:
            self.handleError(record)


_handler: BackgroundHandler | None = None


def configure_logging(level: int, log_format: LogFormat = "text", *, fd: int = 2) -> None:
    """Configure the root logger once, in the entry point (nothing logs at import time)."""
    global _handler
    root = logging.getLogger()
    if _handler is not None:
        root.removeHandler(_handler)
    _handler = BackgroundHandler(_FdWriter(fd))
    _handler.setFormatter(formatter_for(log_format))
    _handler.addFilter(DropNoise())
    root.addHandler(_handler)
    root.setLevel(level)
    quiet_chatty_loggers(level)


def quiet_chatty_loggers(level: int) -> None:
    """APScheduler's 'Running job'/'executed successfully' lines only at LOG_LEVEL=DEBUG."""
    for name in CHATTY_LOGGERS:
        quiet = logging.DEBUG if level <= logging.DEBUG else logging.WARNING
        logging.getLogger(name).setLevel(quiet)


def console_line(text: str, *, timeout: float = 2.0) -> None:
    """Print a final line to stderr after the log lines, without ever blocking for long."""
    if _handler is None:
        try:
            print(text, file=sys.stderr, flush=True)
        except OSError:
            pass
        return
    _handler.writer.put(text + "\n")
    _handler.writer.flush(timeout)


def flush_logs(timeout: float = 2.0) -> bool:
    return _handler.writer.flush(timeout) if _handler is not None else True
