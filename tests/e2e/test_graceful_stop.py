"""A graceful stop at awkward moments (found by the SIGTERM drill, bugs for the lead).

``HeartstopperBot.close`` waits for slash-command and component handlers before the
database closes, but not for gateway event handlers (``on_guild_join``,
``on_guild_available``, ``on_guild_remove``, ``on_ready``), which write to the database
too. A SIGTERM while GUILD_CREATEs arrive (start-up, or a join) left them writing to a
closed connection: "no active connection" tracebacks in the SIGTERM drill's logs.

A SIGTERM during the start-up's command sync closes the HTTP session under the sync, whose
``RuntimeError("Session is closed")`` escapes ``bot.start``: the process exits with status 1
and a traceback instead of stopping cleanly (one stop in the first SIGTERM drill).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.client import HeartstopperBot
from bot.database.connection import open_database
from bot.runner import point_at_configured_discord
from bot.sandbox.harness import bot_against, simulator_settings
from bot.sandbox.simulator.server import Simulator
from bot.show.loader import load_show_data


async def test_a_graceful_stop_lets_a_join_handler_finish_its_write(tmp_path: Path) -> None:
    outcome: list[object] = []
    async with Simulator() as sim:
        async with bot_against(sim, tmp_path / "bot.sqlite3") as bot:
            repo = bot.countdowns.repo
            mark_present = repo.mark_present
            entered, release = asyncio.Event(), asyncio.Event()

            async def slow_mark_present(guild_id: int) -> bool:
                entered.set()
                await release.wait()  # the write is in progress when the stop comes
                try:
                    outcome.append(await mark_present(guild_id))
                except Exception as error:
                    outcome.append(error)
                    raise
                return bool(outcome[-1])

            repo.mark_present = slow_mark_present  # type: ignore[method-assign]
            sim.add_guild("Late Joiners")  # GUILD_CREATE: on_guild_join -> mark_present
            await asyncio.wait_for(entered.wait(), 5)
            # Well within HANDLER_DRAIN_SECONDS: a stop that waits sees the write through.
            asyncio.get_running_loop().call_later(0.3, release.set)
        # Leaving the block is run_bot's order: bot.close(), then the database closes.
        await asyncio.sleep(0.5)
    assert outcome == [False]  # the write ran, on an open connection (nothing to un-remove)


async def test_a_graceful_stop_during_the_command_sync_ends_start_cleanly(tmp_path: Path) -> None:
    async with Simulator() as sim:
        settings = simulator_settings(sim, tmp_path / "bot.sqlite3")
        point_at_configured_discord(settings)
        async with open_database(settings.database_path) as db:
            bot = HeartstopperBot(settings=settings, db=db, show=load_show_data())
            sync = bot.tree.sync
            entered, release = asyncio.Event(), asyncio.Event()

            async def slow_sync(**kwargs: object) -> object:
                entered.set()
                await release.wait()  # the stop comes while the sync is on its way
                return await sync(**kwargs)  # type: ignore[arg-type]

            bot.tree.sync = slow_sync  # type: ignore[method-assign]
            runner = asyncio.create_task(bot.start(settings.token))
            await asyncio.wait_for(entered.wait(), 10)
            await bot.close()  # what SIGTERM runs (bot.runner)
            release.set()
            await asyncio.wait_for(runner, 10)  # returns, as after any other graceful stop
