"""heartstopper-bot: run the bot, sync its commands, or try it in the local sandbox.

Exit codes: 0 stopped cleanly; 2 configuration error (fix it, don't retry);
75 Discord unreachable or failing (retry later)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
from importlib import metadata
from pathlib import Path

from dotenv import load_dotenv

from bot.config import ConfigError, Settings, load_settings
from bot.database.connection import MigrationError
from bot.failures import EXIT_CONFIG, StartupFailure
from bot.logs import configure_logging, console_line, flush_logs

PROG = "heartstopper-bot"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {_version()}")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="connect to Discord and run the bot (the default)")
    sub.add_parser("sync", help="push the slash commands to Discord now, then exit")
    sub.add_parser(
        "reload",
        help="make the running bot re-read SHOW_DATA_PATH (same environment as the bot)",
    )
    sandbox = sub.add_parser(
        "sandbox", help="try the bot with no token, against a local Discord simulator"
    )
    sandbox.add_argument(
        "--script",
        type=Path,
        help="read commands from this file instead of the prompt ('-' for standard input)",
    )
    sandbox.add_argument(
        "--database",
        type=Path,
        help="SQLite file for the sandbox (default: a temporary file)",
    )
    sub.add_parser(
        "copy-to-postgres",
        help="copy the SQLite database (DATABASE_PATH) into PostgreSQL (DATABASE_URL), once",
    )
    return parser


def _version() -> str:
    try:
        return metadata.version("heartstopper-bot")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def _fail(message: str, code: int = EXIT_CONFIG) -> int:
    console_line(f"{PROG}: {message}")
    return code


def _setup_logging(settings: Settings) -> None:
    configure_logging(
        settings.log_level_number, "json" if settings.log_format == "json" else "text"
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command = args.command or "run"
    # .env in the working directory (as the README and systemd's WorkingDirectory= expect);
    # load_dotenv() alone searches from this file's folder, which misses it once installed.
    # The real environment wins over .env.
    load_dotenv(Path.cwd() / ".env", override=False)

    try:
        settings = load_settings(
            os.environ, require_token=command not in ("sandbox", "reload", "copy-to-postgres")
        )
    except ConfigError as exc:
        return _fail(str(exc))

    from bot.show.loader import ShowDataError

    try:
        if command == "sandbox":
            from bot.sandbox.session import run_sandbox

            return asyncio.run(run_sandbox(settings, script=args.script, database=args.database))
        if command == "reload":
            return _reload(settings)
        if command == "copy-to-postgres":
            return _copy_to_postgres(settings)
        _setup_logging(settings)
        if command == "sync":
            outcome = asyncio.run(_sync(settings))
            print(f"Commands synced ({outcome}).")
            return 0
        asyncio.run(_run(settings))
        return 0
    except ShowDataError as exc:
        return _fail(f"show data error: {exc}")
    except (sqlite3.Error, MigrationError) as exc:
        return _fail(f"database error with DATABASE_PATH={settings.database_path}: {exc}")
    except StartupFailure as exc:
        return _fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        return 130
    finally:
        flush_logs()


def _reload(settings: Settings) -> int:
    """Ask the running bot (through its control socket) to reload; print its answer."""
    from bot.reloading import ReloadRequestError, control_path, request_reload

    try:
        ok, message = asyncio.run(request_reload(control_path(settings)))
    except ReloadRequestError as exc:
        return _fail(str(exc))
    if not ok:
        return _fail(f"kept the current data: {message}")
    print(message)
    return 0


def _copy_to_postgres(settings: Settings) -> int:
    from bot.database.copy import CopyError, copy_sqlite_to_postgres

    if settings.database_url is None:
        return _fail("copy-to-postgres needs DATABASE_URL (the PostgreSQL database to fill)")
    if not settings.database_path.is_file():
        return _fail(f"nothing copied: DATABASE_PATH={settings.database_path} does not exist")
    try:
        copied = asyncio.run(copy_sqlite_to_postgres(settings.database_path, settings.database_url))
    except CopyError as exc:
        return _fail(f"nothing copied: {exc}")
    except OSError as exc:  # e.g. PostgreSQL not reachable; never echo the URL (password)
        return _fail(f"could not reach PostgreSQL: {exc.strerror or exc}")
    rows = ", ".join(f"{table} {count}" for table, count in copied.items())
    print(f"Copied {settings.database_path} into PostgreSQL: {rows}.")
    return 0


async def _run(settings: Settings) -> None:
    from bot.runner import run_bot

    await run_bot(settings)


async def _sync(settings: Settings) -> str:
    from bot.runner import sync_once

    return await sync_once(settings)


if __name__ == "__main__":
    raise SystemExit(main())
