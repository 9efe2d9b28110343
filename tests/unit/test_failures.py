"""Start-up errors -> one actionable line and the right exit code (config vs network)."""

from __future__ import annotations

import ssl
from types import SimpleNamespace

import aiohttp
import discord
import pytest
from aiohttp.client_reqrep import ConnectionKey

from bot.failures import EXIT_CONFIG, EXIT_NETWORK, explain_startup_error

KEY = ConnectionKey("discord.com", 443, True, True, None, None, None)


def _response(status: int, reason: str) -> SimpleNamespace:
    # discord.HTTPException reads only .status and .reason from the aiohttp response.
    return SimpleNamespace(status=status, reason=reason)


def _closed(code: int) -> discord.ConnectionClosed:
    return discord.ConnectionClosed(SimpleNamespace(close_code=code), shard_id=None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("error", "exit_code", "words"),
    [
        (discord.LoginFailure("Improper token has been passed."), EXIT_CONFIG, "DISCORD_TOKEN"),
        (discord.PrivilegedIntentsRequired(None), EXIT_CONFIG, "Privileged Gateway Intents"),
        (_closed(4004), EXIT_CONFIG, "DISCORD_TOKEN"),
        (_closed(4014), EXIT_CONFIG, "intents"),
        (_closed(4000), EXIT_NETWORK, "code 4000"),
        (discord.DiscordServerError(_response(503, "Unavailable"), ""), EXIT_NETWORK, "503"),
        (discord.HTTPException(_response(429, "Too Many"), ""), EXIT_NETWORK, "rate limiting"),
        (
            aiohttp.ClientConnectorDNSError(KEY, OSError(-2, "Name or service not known")),
            EXIT_NETWORK,
            "cannot resolve discord.com",
        ),
        (
            aiohttp.ClientConnectorError(KEY, ConnectionRefusedError(111, "refused")),
            EXIT_NETWORK,
            "discord.com:443 (connection refused)",
        ),
        (
            aiohttp.ClientConnectorCertificateError(KEY, ssl.SSLCertVerificationError("bad")),
            EXIT_NETWORK,
            "certificate of discord.com:443",
        ),
        (TimeoutError(), EXIT_NETWORK, "within 30 s"),
        (aiohttp.ServerDisconnectedError(), EXIT_NETWORK, "ServerDisconnectedError"),
    ],
)
def test_known_failures_are_one_actionable_line(
    error: BaseException, exit_code: int, words: str
) -> None:
    failure = explain_startup_error(error, timeout=30)
    assert failure is not None
    assert failure.exit_code == exit_code
    assert words in str(failure)
    assert "\n" not in str(failure)


def test_a_bug_is_not_dressed_up_as_a_network_problem() -> None:
    assert explain_startup_error(AttributeError("x"), timeout=30) is None
