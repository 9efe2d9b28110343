"""Settings, read once from the environment (and ``.env``) into a frozen, typed object.

Features read ``bot.settings``; nothing else in the project calls ``os.getenv``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bot.show.loader import DEFAULT_DATA_PATH

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("text", "json")
DEFAULT_CONNECT_TIMEOUT = 30.0
DEFAULT_DATABASE_PATH = Path("heartstopper.sqlite3")


class ConfigError(Exception):
    """A missing or malformed setting. The message is one line and names the key."""


@dataclass(frozen=True, slots=True)
class Settings:
    # repr=False: the token must never end up in a log line or a traceback.
    token: str = field(repr=False)
    database_path: Path = DEFAULT_DATABASE_PATH
    dev_guild_id: int | None = None
    log_level: str = "INFO"
    log_format: str = "text"
    # Bound on logging in plus the first gateway connection; after that discord.py reconnects.
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    owner_ids: frozenset[int] = frozenset()
    data_path: Path = DEFAULT_DATA_PATH
    # Non-production only: where discord.py should find Discord (the local simulator).
    api_base_url: str | None = None
    gateway_url: str | None = None
    # Sharding: None asks Discord (/gateway/bot) for the count and runs every shard here.
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None  # this process's shards (needs shard_count)
    # postgresql://... selects PostgreSQL (several processes share it); None keeps SQLite.
    database_url: str | None = field(default=None, repr=False)  # may hold a password

    @property
    def log_level_number(self) -> int:
        return logging.getLevelNamesMapping()[self.log_level]


def _snowflake(key: str, raw: str) -> int:
    if not raw.isdigit() or not 15 <= len(raw) <= 21:
        raise ConfigError(f"{key} must be a Discord ID (a number of 15-21 digits), got {raw!r}")
    return int(raw)


def _seconds(key: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 3600:
        raise ConfigError(f"{key} must be a number of seconds between 0 and 3600, got {raw!r}")
    return value


def _url(key: str, raw: str, schemes: tuple[str, ...]) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in schemes or not parts.netloc:
        raise ConfigError(f"{key} must be a {' or '.join(schemes)} URL, got {raw!r}")
    return raw.rstrip("/")


def load_settings(env: Mapping[str, str], *, require_token: bool = True) -> Settings:
    """Build :class:`Settings` from ``env``; raise :class:`ConfigError` on the first bad key."""

    def get(key: str) -> str | None:
        value = env.get(key, "").strip()
        return value or None

    token = get("DISCORD_TOKEN")
    if token is None and require_token:
        raise ConfigError(
            "DISCORD_TOKEN is not set: put it in .env or the environment "
            "(or try the bot without one: heartstopper-bot sandbox)"
        )
    if token is not None and (any(c.isspace() for c in token) or len(token) < 20):
        # Never echo the value: it may be a real token pasted with a typo.
        raise ConfigError("DISCORD_TOKEN is malformed (too short or contains spaces)")

    log_level = (get("LOG_LEVEL") or "INFO").upper()
    if log_level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {log_level!r}")

    log_format = (get("LOG_FORMAT") or "text").lower()
    if log_format not in LOG_FORMATS:
        raise ConfigError(f"LOG_FORMAT must be text or json, got {log_format!r}")

    timeout_raw = get("DISCORD_CONNECT_TIMEOUT")
    connect_timeout = _seconds("DISCORD_CONNECT_TIMEOUT", timeout_raw) if timeout_raw else None

    dev_guild = get("DEV_GUILD_ID")
    owner_ids: set[int] = set()
    for part in (get("OWNER_IDS") or "").split(","):
        if part.strip():
            owner_ids.add(_snowflake("OWNER_IDS", part.strip()))

    database = get("DATABASE_PATH")
    data = get("SHOW_DATA_PATH")
    api_base = get("DISCORD_API_BASE_URL")
    gateway = get("DISCORD_GATEWAY_URL")
    if gateway is not None and api_base is None:
        raise ConfigError("DISCORD_GATEWAY_URL needs DISCORD_API_BASE_URL to be set too")

    api_base_url = _url("DISCORD_API_BASE_URL", api_base, ("http", "https")) if api_base else None
    gateway_url = _url("DISCORD_GATEWAY_URL", gateway, ("ws", "wss")) if gateway else None
    if api_base_url and not gateway_url:
        gateway_url = default_gateway_for(api_base_url)

    shard_count, shard_ids = parse_sharding(get("SHARD_COUNT"), get("SHARD_IDS"))
    database_url = get("DATABASE_URL")
    if database_url is not None and urlsplit(database_url).scheme not in POSTGRES_SCHEMES:
        # Never echo the value: the URL may carry a password.
        raise ConfigError("DATABASE_URL must be a postgresql:// URL (unset it to use SQLite)")

    return Settings(
        token=token or "",
        database_path=Path(database) if database else DEFAULT_DATABASE_PATH,
        dev_guild_id=_snowflake("DEV_GUILD_ID", dev_guild) if dev_guild else None,
        log_level=log_level,
        log_format=log_format,
        connect_timeout=connect_timeout or DEFAULT_CONNECT_TIMEOUT,
        owner_ids=frozenset(owner_ids),
        data_path=Path(data) if data else DEFAULT_DATA_PATH,
        api_base_url=api_base_url,
        gateway_url=gateway_url,
        shard_count=shard_count,
        shard_ids=shard_ids,
        database_url=database_url,
    )


POSTGRES_SCHEMES = ("postgresql", "postgres")


def parse_sharding(
    count_raw: str | None, ids_raw: str | None
) -> tuple[int | None, tuple[int, ...] | None]:
    """SHARD_COUNT (a positive number) and SHARD_IDS (``0-3`` or ``0,2,5``; needs the count)."""
    count = None
    if count_raw is not None:
        if not count_raw.isdigit() or int(count_raw) < 1:
            raise ConfigError(f"SHARD_COUNT must be a whole number of 1 or more, got {count_raw!r}")
        count = int(count_raw)
    if ids_raw is None:
        return count, None
    if count is None:
        raise ConfigError("SHARD_IDS needs SHARD_COUNT too (e.g. SHARD_COUNT=8 SHARD_IDS=0-3)")
    ids: set[int] = set()
    for part in ids_raw.split(","):
        low, dash, high = part.strip().partition("-")
        if not low.isdigit() or (dash and not high.isdigit()):
            raise ConfigError(f"SHARD_IDS must look like 0-3 or 0,2,5, got {ids_raw!r}")
        ids.update(range(int(low), int(high if dash else low) + 1))
    if not ids or max(ids) >= count:
        raise ConfigError(f"SHARD_IDS must be between 0 and {count - 1} (SHARD_COUNT={count})")
    return count, tuple(sorted(ids))


def default_gateway_for(api_base_url: str) -> str:
    """The simulator serves its gateway at ``/gateway`` on the same host as the API."""
    parts = urlsplit(api_base_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}/gateway"
