"""The interactive prompt, typed into key by key: Tab completion (including the bot's live
autocomplete), history, and the lines reaching the sandbox.

prompt_toolkit reads from a pipe here instead of a terminal. A terminal delivers Tab as its own
read; the short pause between key groups gives the pipe the same shape.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from bot.sandbox.harness import bot_against
from bot.sandbox.prompt import prompt_lines
from bot.sandbox.session import Sandbox
from bot.sandbox.simulator.demo import add_demo_guild
from bot.sandbox.simulator.server import Simulator

KEY_GAP = 0.15
TAB, ENTER, UP = "\t", "\r", "\x1b[A"


async def test_tab_completes_names_channels_and_live_suggestions(tmp_path: Path) -> None:
    keys = [
        "/abo", TAB, ENTER,  # a command name
        "/cast query: kit c", TAB, ENTER,  # the bot's own autocomplete answer
        "/countdown setup channel: #cou", TAB, ENTER,  # a channel of the server
        UP, ENTER,  # history: the last line again
    ]  # fmt: skip
    with create_pipe_input() as pipe:
        async with Simulator() as sim:
            demo = add_demo_guild(sim)
            async with bot_against(sim, tmp_path / "prompt.sqlite3"):
                out: list[str] = []
                sandbox = Sandbox(sim, demo, out.append)
                lines = prompt_lines(
                    sandbox, input=pipe, output=DummyOutput(), history=InMemoryHistory()
                )

                async def type_keys() -> None:
                    for key in keys:
                        await asyncio.sleep(KEY_GAP)
                        pipe.send_text(key)

                typing = asyncio.create_task(type_keys())
                got = [await asyncio.wait_for(anext(lines), timeout=10) for _ in range(4)]
                await typing
                assert await sandbox.run_line(got[0])
    assert got == [
        "/about",
        "/cast query: kit-connor",
        "/countdown setup channel: #countdown",
        "/countdown setup channel: #countdown",
    ]
    assert "Alice Oseman" in "\n".join(out)  # the completed line ran
