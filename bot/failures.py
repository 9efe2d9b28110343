"""Why the bot could not start, as one line a person can act on, and the exit code for it.

Exit codes (documented in the README for systemd's ``RestartPreventExitStatus=``):
0 stopped cleanly; 2 configuration error (retrying will not help); 75 Discord could not be
reached or had a problem (EX_TEMPFAIL: try again later); anything else is a bug.
"""

from __future__ import annotations

import os
import ssl

import aiohttp
import discord

EXIT_OK = 0
EXIT_CONFIG = 2
EXIT_NETWORK = 75

_TOKEN_ADVICE = (
    "Discord rejected DISCORD_TOKEN: copy the token again from the Developer Portal "
    "(Bot > Reset Token) into .env"
)
_INTENTS_ADVICE = (
    "Discord refused the gateway intents the bot asked for: enable them in the Developer "
    "Portal (Bot > Privileged Gateway Intents)"
)
_RETRY = "the bot exits so its supervisor can retry later"


class StartupFailure(Exception):
    """Start-up failed for a reason a person can fix (or wait out); ``str`` is one line."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def _host(exc: aiohttp.ClientConnectorError) -> str:
    return f"{exc.host}:{exc.port}"


def _network(message: str) -> StartupFailure:
    return StartupFailure(message, EXIT_NETWORK)


def explain_startup_error(exc: BaseException, *, timeout: float) -> StartupFailure | None:
    """Map an error raised while logging in or first connecting; None for a real bug."""
    if isinstance(exc, StartupFailure):
        return exc
    if isinstance(exc, discord.LoginFailure):
        return StartupFailure(_TOKEN_ADVICE, EXIT_CONFIG)
    if isinstance(exc, discord.PrivilegedIntentsRequired):
        return StartupFailure(_INTENTS_ADVICE, EXIT_CONFIG)
    if isinstance(exc, discord.ConnectionClosed):
        if exc.code == 4004:  # authentication failed
            return StartupFailure(_TOKEN_ADVICE, EXIT_CONFIG)
        if exc.code in (4013, 4014):  # invalid / disallowed intents
            return StartupFailure(_INTENTS_ADVICE, EXIT_CONFIG)
        return _network(f"Discord closed the gateway connection (code {exc.code}); {_RETRY}")
    if isinstance(exc, discord.DiscordServerError):
        return _network(
            f"Discord answered {exc.status} (a problem on Discord's side; see "
            f"https://discordstatus.com); {_RETRY}"
        )
    if isinstance(exc, discord.HTTPException):
        if exc.status == 429:
            return _network(f"Discord is rate limiting this bot (429); {_RETRY}")
        return _network(f"Discord answered {exc.status} to the login; {_RETRY}")
    if isinstance(exc, discord.GatewayNotFound):
        return _network(f"Discord did not give a gateway address; {_RETRY}")
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return _network(
            f"cannot resolve {exc.host} (DNS lookup failed): check this machine's internet "
            f"connection and DNS settings"
        )
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return _network(
            f"the TLS certificate of {_host(exc)} was not accepted: check the system clock, "
            f"the CA certificates (ca-certificates) and any HTTPS proxy in between"
        )
    if isinstance(exc, aiohttp.ClientSSLError | ssl.SSLError):
        where = f" with {_host(exc)}" if isinstance(exc, aiohttp.ClientConnectorError) else ""
        return _network(
            f"the TLS handshake{where} failed: check the system clock, the CA certificates "
            f"and any HTTPS proxy in between"
        )
    if isinstance(exc, aiohttp.ClientConnectorError):
        errno = exc.os_error.errno
        reason = os.strerror(errno).lower() if errno else str(exc.os_error)
        return _network(
            f"cannot connect to {_host(exc)} ({reason}): check the internet connection "
            f"and any firewall"
        )
    if isinstance(exc, TimeoutError):
        return _network(
            f"Discord did not answer within {timeout:g} s: check the internet connection, "
            f"firewall or proxy; {_RETRY}"
        )
    if isinstance(exc, aiohttp.ClientError | OSError):
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
        detail = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
        return _network(f"the connection to Discord failed ({detail}); {_RETRY}")
    return None
