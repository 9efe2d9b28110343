"""Asking a running bot to reload its show data: SIGHUP, or ``heartstopper-bot reload``.

The running bot listens on a Unix socket next to its database, ``<DATABASE_PATH>.control``
(mode 0600: only the account the bot runs as may use it). ``heartstopper-bot reload``, run
with the same environment, sends one line (``reload``) and prints the bot's one-line answer:
what changed, or why the file was refused (file, entry and field) while the old data stays.
A local request rather than a signal to a PID from a file, so a stale file can never signal an
unrelated process, and the person editing the file sees the outcome. SIGHUP does the same
reload; its outcome goes to the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import stat
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol

from bot.config import Settings
from bot.show.changes import ShowReload

log = logging.getLogger(__name__)

REQUEST = b"reload\n"
ANSWER_TIMEOUT = 10.0  # seconds: a reload is a file read and an index build
_READ_LIMIT = 64


class ReloadRequestError(Exception):
    """No running bot answered; the message says what to check."""


class Reloadable(Protocol):
    """What this module needs from the bot (``HeartstopperBot`` is one)."""

    def reload_show(self, path: Path) -> ShowReload: ...


def control_path(settings: Settings) -> Path:
    """One socket per database: one bot per database is how the bot is meant to run."""
    database = settings.database_path
    return database.with_name(f"{database.name}.control")


def answer_line(outcome: ShowReload) -> str:
    """The line sent back: ``ok <summary>`` or ``error <file: entry.field: problem>``."""
    return f"{'ok' if outcome.ok else 'error'} {' '.join(outcome.message.split())}"


async def _serve(
    bot: Reloadable, data_path: Path, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        request = await asyncio.wait_for(reader.readline(), ANSWER_TIMEOUT)
        if request.strip() == REQUEST.strip():
            answer = answer_line(bot.reload_show(data_path))
        else:
            answer = "error unknown request (expected 'reload')"
        writer.write(answer.encode() + b"\n")
        await writer.drain()
    except (TimeoutError, ConnectionError):
        pass
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


def _remove_stale_socket(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        if stat.S_ISSOCK(path.lstat().st_mode):
            path.unlink()  # left by a bot that was killed; never any other kind of file


@contextlib.asynccontextmanager
async def reload_triggers(
    bot: Reloadable, settings: Settings, *, sighup: bool = True
) -> AsyncIterator[None]:
    """While inside: SIGHUP (if ``sighup``) and the control socket reload the show data."""
    loop = asyncio.get_running_loop()
    if sighup:

        def on_sighup() -> None:
            log.info("Received SIGHUP; reloading %s", settings.data_path)
            bot.reload_show(settings.data_path)

        loop.add_signal_handler(signal.SIGHUP, on_sighup)
    path = control_path(settings)
    server: asyncio.Server | None = None
    try:
        _remove_stale_socket(path)
        server = await asyncio.start_unix_server(
            lambda r, w: _serve(bot, settings.data_path, r, w), path=str(path)
        )
        os.chmod(path, 0o600)
    except OSError as exc:  # e.g. a path over the 107-byte limit: SIGHUP still works
        log.warning("No reload socket at %s (%s); use SIGHUP to reload", path, exc)
    try:
        yield
    finally:
        if server is not None:
            server.close()
            await server.wait_closed()
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        if sighup:
            loop.remove_signal_handler(signal.SIGHUP)


async def request_reload(path: Path) -> tuple[bool, str]:
    """Ask the bot listening at ``path`` to reload; (ok, its one-line answer)."""
    try:
        async with asyncio.timeout(ANSWER_TIMEOUT):
            reader, writer = await asyncio.open_unix_connection(str(path))
    except (FileNotFoundError, ConnectionRefusedError) as exc:
        raise ReloadRequestError(
            f"no running bot is listening at {path} (is it running, with this DATABASE_PATH?)"
        ) from exc
    except (OSError, TimeoutError) as exc:
        raise ReloadRequestError(f"could not reach the bot at {path}: {exc}") from exc
    try:
        async with asyncio.timeout(ANSWER_TIMEOUT):
            writer.write(REQUEST)
            await writer.drain()
            line = await reader.readline()
    except (OSError, TimeoutError) as exc:
        raise ReloadRequestError(f"the bot at {path} did not answer: {exc}") from exc
    finally:
        writer.close()
    status, _, message = line.decode(errors="replace").strip().partition(" ")
    if status not in ("ok", "error"):
        raise ReloadRequestError(
            f"unexpected answer from the bot at {path}: {line[:_READ_LIMIT]!r}"
        )
    return status == "ok", message
