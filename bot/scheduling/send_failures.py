"""How a failed countdown send is treated: paused, retried or dropped, and in what words.

Pure functions over discord.py's and aiohttp's exceptions, used by the sender in
``bot/scheduling/countdown.py``.
"""

from __future__ import annotations

import asyncio
from typing import Literal

import aiohttp
import discord

Failure = Literal["pause", "retry", "drop"]


def classify_failure(error: BaseException) -> Failure:
    """Pause on what only an admin can fix; retry what time fixes; drop the rest."""
    if isinstance(error, discord.Forbidden | discord.NotFound):
        return "pause"
    if isinstance(error, discord.DiscordServerError | discord.RateLimited):
        return "retry"
    # After its own retries discord.py raises a plain HTTPException for a 429.
    if isinstance(error, discord.HTTPException) and error.status in (408, 429):
        return "retry"
    if isinstance(error, aiohttp.ClientError | asyncio.TimeoutError | OSError):
        return "retry"
    return "drop"


def may_have_arrived(error: BaseException) -> bool:
    """Whether a failed request could still have created the message.

    An HTTP answer (any status) or a connection that never opened means it did not; a
    connection lost or timed out mid-request leaves it open.
    """
    if isinstance(error, discord.HTTPException | discord.RateLimited):
        return False
    return not isinstance(error, aiohttp.ClientConnectorError)


def retry_after(error: BaseException) -> float:
    """The wait Discord asked for, if it did (Retry-After on a 429)."""
    if isinstance(error, discord.RateLimited):
        return float(error.retry_after)
    response = getattr(error, "response", None)
    header = getattr(response, "headers", {}).get("Retry-After") if response else None
    try:
        return float(header) if header else 0.0
    except ValueError:
        return 0.0


def explain_failure(error: BaseException, channel_id: int | None) -> str:
    """The error in plain words with how to fix it, for ``/countdown status``."""
    channel = f"<#{channel_id}>" if channel_id else "the countdown channel"
    code = getattr(error, "code", None)
    if code == 10003 or isinstance(error, discord.NotFound):
        return (
            f"{channel} no longer exists. Pick a new channel with `/countdown channel`, "
            "then `/countdown resume`."
        )
    if code == 50001:
        return (
            f"I can't see {channel} any more (Missing Access). Give me **View Channel** there, "
            "then run `/countdown resume`."
        )
    if isinstance(error, discord.Forbidden):
        return (
            f"I'm not allowed to post in {channel} (Missing Permissions). Give me **Send "
            "Messages** and **Embed Links** there, then run `/countdown resume`."
        )
    if isinstance(error, discord.HTTPException):
        detail = f"{error.status}: {error.text[:120]}"
        return f"Discord refused the post ({detail}). I'll try again at the next post time."
    return "Discord could not be reached for a while; I'll try again at the next post time."
