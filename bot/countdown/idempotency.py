"""Keys that make each routine countdown post happen at most once per server and local day.

``delivery_key`` names the ledger row: the server and the instant its local day began in the
zone in force, so a retry or a restart computing the same day gets the same key, whatever the
target. A post whose request may have reached Discord before a crash is sent again with its
original nonce: ``message_nonce`` goes with the message (with ``enforce_nonce``) so that
Discord drops the resend if the first attempt did arrive. Discord remembers nonces for a few
minutes only (``NONCE_WINDOW`` is the part of that the bot relies on); past it the bot counts
the day as posted rather than risk a second post. Both come from hashlib, never ``hash()``,
which is salted per process.
"""

from __future__ import annotations

import datetime as dt
import hashlib

NONCE_MAX_LEN = 25  # Discord refuses longer nonces
NONCE_WINDOW = dt.timedelta(minutes=2)  # how long after a request its nonce is relied on
_NONCE_PREFIX = "cd"  # tells a countdown nonce apart when reading logs


def delivery_key(guild_id: int, local_date: dt.date, day_start: dt.datetime) -> str:
    """e.g. ``"countdown:123:2026-12-24@1798070400"``: readable, unique per server and day."""
    return f"countdown:{guild_id}:{local_date.isoformat()}@{int(day_start.timestamp())}"


def message_nonce(guild_id: int, local_date: dt.date, day_start: dt.datetime) -> str:
    """A 25-character nonce derived from the delivery key, the same in every process."""
    digest = hashlib.sha256(delivery_key(guild_id, local_date, day_start).encode()).hexdigest()
    return _NONCE_PREFIX + digest[: NONCE_MAX_LEN - len(_NONCE_PREFIX)]


def one_off_nonce(guild_id: int, key: str) -> str:
    """The nonce of a one-off post (a reminder, an announcement): one per server and key."""
    digest = hashlib.sha256(f"one-off:{guild_id}:{key}".encode()).hexdigest()
    return "oo" + digest[: NONCE_MAX_LEN - 2]
