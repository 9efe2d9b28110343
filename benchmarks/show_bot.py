"""The real bot in its own process for ``benchmarks/show_lookups.py``.

Run as ``python -m benchmarks.show_bot`` (the benchmark does).

Production's bot, settings (``DISCORD_TOKEN``, ``DISCORD_API_BASE_URL``, ``DATABASE_PATH`` from
the environment) and graceful stop on SIGTERM, plus the benchmark's reference commands
(``/bare``, ``/barepaged``, ``/bareerror``), which the bot's start-up sync registers with the
rest. In its own process the bot's event loop carries only the bot's work, as in production,
and the simulator's encoding and validation run beside it instead of inside its latency.

With ``SHOW_BENCH_TIMINGS=FILE`` it also writes, on exit, two instants per interaction: when
discord.py took its frame off the socket and when it handed the callback to the HTTP layer.
The benchmark subtracts them to split each latency into the bot's own work and the rest.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from discord import gateway
from discord import state as discord_state
from discord.webhook import async_ as webhook

from benchmarks.show_lookups import add_reference_commands
from bot.client import HeartstopperBot
from bot.config import load_settings
from bot.database.store import open_store
from bot.runner import _install_stop_signals, _serve, point_at_configured_discord
from bot.show.cards import episode_card
from bot.show.loader import load_show_data

# interaction id -> [frame taken off the socket, callback handed to HTTP] (time.monotonic,
# the clock the simulator's event loop stamps with)
Marks = dict[str, list[float]]


def record_interaction_timings() -> Marks:
    """Wrap three discord.py internals, in this benchmark process only, to stamp each
    interaction; the bot's own code is untouched."""
    marks: Marks = {}
    frame_at = [0.0]
    received_message = gateway.DiscordWebSocket.received_message
    parse = discord_state.ConnectionState.parse_interaction_create
    respond = webhook.AsyncWebhookAdapter.create_interaction_response

    async def stamped_received(self: Any, msg: Any, /) -> None:
        frame_at[0] = time.monotonic()  # parsing runs synchronously inside this call
        await received_message(self, msg)

    def stamped_parse(self: Any, data: Any) -> None:
        marks[str(data["id"])] = [frame_at[0]]
        parse(self, data)

    def stamped_respond(self: Any, interaction_id: int, token: str, **kwargs: Any) -> Any:
        stamps = marks.get(str(interaction_id))
        if stamps is not None and len(stamps) == 1:
            stamps.append(time.monotonic())
        return respond(self, interaction_id, token, **kwargs)

    gateway.DiscordWebSocket.received_message = stamped_received  # type: ignore[method-assign]
    discord_state.ConnectionState.parse_interaction_create = stamped_parse  # type: ignore[method-assign]
    webhook.AsyncWebhookAdapter.create_interaction_response = stamped_respond  # type: ignore[method-assign]
    return marks


async def main() -> None:
    settings = load_settings(os.environ)
    point_at_configured_discord(settings)
    show = load_show_data(settings.data_path)
    episode = show.episode(2, 4)
    assert episode is not None
    async with open_store(settings.database_path, settings.database_url) as db:
        bot = HeartstopperBot(settings=settings, db=db, show=show)
        add_reference_commands(bot.tree, episode_card(show, episode))
        async with bot:
            stop = asyncio.Event()
            _install_stop_signals(stop)
            await _serve(bot, settings.token, settings.connect_timeout, stop)


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    timings_file = os.environ.get("SHOW_BENCH_TIMINGS")
    marks = record_interaction_timings() if timings_file else {}
    try:
        asyncio.run(main())
    finally:
        if timings_file:
            Path(timings_file).write_text(json.dumps(marks))
