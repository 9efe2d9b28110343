"""The interactive prompt: line editing, history and Tab completion (prompt_toolkit).

Only used at a terminal; ``--script`` and piped standard input keep the plain line reader, so
the sandbox runs the same without one.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncGenerator, AsyncIterator, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.output import Output

from bot.sandbox.completion import Want, static_candidates, what_to_complete

if TYPE_CHECKING:
    from bot.sandbox.session import Sandbox

LIVE_TIMEOUT = 2.0  # seconds to wait for the bot's own suggestions before giving up


class SandboxCompleter(Completer):
    """Command and option names, channels and roles, and the bot's live autocomplete."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def _want(self, document: Document) -> tuple[Want, list[str]]:
        registered = self.sandbox.registered_commands()
        want = what_to_complete(document.text_before_cursor, registered)
        names = static_candidates(
            want, registered, self.sandbox.channel_names(), self.sandbox.role_names()
        )
        return want, names

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterable[Completion]:
        want, names = self._want(document)
        for name in names:
            yield Completion(name, start_position=-len(want.prefix))

    async def get_completions_async(
        self, document: Document, complete_event: CompleteEvent
    ) -> AsyncGenerator[Completion, None]:
        want, names = self._want(document)
        for name in names:
            yield Completion(name, start_position=-len(want.prefix))
        if want.kind == "value" and want.option is not None and want.option.get("autocomplete"):
            try:
                choices = await asyncio.wait_for(
                    self.sandbox.live_suggestions(want), timeout=LIVE_TIMEOUT
                )
            except (TimeoutError, ValueError):
                return
            for choice in choices:
                yield Completion(
                    str(choice["value"]),
                    start_position=-len(want.prefix),
                    display=str(choice["name"]),
                )


def _history() -> History:
    """Kept between runs in the user's state folder; in memory if that can't be written."""
    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    path = base / "heartstopper-bot" / "sandbox-history"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=True)
    except OSError:
        return InMemoryHistory()
    return FileHistory(str(path))


async def prompt_lines(
    sandbox: Sandbox,
    *,
    input: Input | None = None,
    output: Output | None = None,
    history: History | None = None,
) -> AsyncIterator[str]:
    """Lines typed at the prompt until Ctrl-D; Ctrl-C clears the line, as in a shell."""
    session: PromptSession[str] = PromptSession(
        history=history or _history(),
        completer=SandboxCompleter(sandbox),
        complete_in_thread=False,
        # Like a shell: suggestions on Tab only (and no question to the bot per keystroke).
        complete_while_typing=False,
        input=input,
        output=output,
    )
    while True:
        try:
            yield await session.prompt_async("> ")
        except KeyboardInterrupt:
            continue
        except EOFError:
            return
