"""Keys that make each countdown post happen at most once per server, target and local day.

``delivery_key`` is the unique key of the delivery ledger: a retry or a restart computing the
same post gets the same key, so a post already sent is never sent again. A post left
*pending* by a crash is sent again with its original nonce: ``message_nonce`` goes with the
message (with ``enforce_nonce``) so that Discord drops the resend if the first attempt did
arrive. Discord remembers nonces for a few minutes only, which is why the bot resends pending
posts right at start-up. Both come from hashlib, never ``hash()``, which is salted per
process.
"""

from __future__ import annotations

import datetime as dt
import hashlib

NONCE_MAX_LEN = 25  # Discord refuses longer nonces
_NONCE_PREFIX = "cd"  # tells a countdown nonce apart when reading logs


def delivery_key(guild_id: int, target_key: str, local_date: dt.date) -> str:
    """e.g. ``"countdown:123:release:season-4:2026-12-24"``: readable, unique per post."""
    return f"countdown:{guild_id}:{target_key}:{local_date.isoformat()}"


def message_nonce(guild_id: int, target_key: str, local_date: dt.date) -> str:
    """A 25-character nonce derived from the delivery key, the same in every process."""
    digest = hashlib.sha256(delivery_key(guild_id, target_key, local_date).encode()).hexdigest()
    return _NONCE_PREFIX + digest[: NONCE_MAX_LEN - len(_NONCE_PREFIX)]
