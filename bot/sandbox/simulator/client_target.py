"""Point the real discord.py client at a local simulator instead of discord.com."""

from __future__ import annotations


def point_discord_py_at(api_base_url: str, gateway_url: str) -> None:
    """Redirect discord.py's REST base and default gateway (process-wide class attributes).

    discord.py builds every REST URL (including webhooks and interaction callbacks) from
    ``Route.BASE`` and first connects to ``DiscordWebSocket.DEFAULT_GATEWAY``; later
    RESUMEs go to the ``resume_gateway_url`` the simulator hands out in READY.
    """
    import discord
    import yarl

    discord.http.Route.BASE = api_base_url
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
