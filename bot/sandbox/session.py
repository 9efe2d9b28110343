"""``heartstopper-bot sandbox``: try the real bot with no token, in the terminal.

It starts the local Discord simulator with a demo server, runs the real bot against it, and
reads slash commands from a prompt (or a script), printing what the bot answered.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, TextIO

from bot.client import HeartstopperBot
from bot.config import Settings
from bot.sandbox.commandline import CommandLineError, SlashLine, parse_slash
from bot.sandbox.harness import bot_against
from bot.sandbox.render import render_choices, render_message
from bot.sandbox.simulator.demo import DemoGuild, add_demo_guild
from bot.sandbox.simulator.interactions import InteractionResult
from bot.sandbox.simulator.server import Simulator
from bot.sandbox.simulator.sim_interactions import CommandNotAvailable

HELP = """\
Type a slash command as you would in Discord, e.g.
  /cast query: Kit              /episode title: S2E4           /next
  /countdown setup channel: #countdown time: 09:00 timezone: Europe/London role: @Fans
  ?cast query: ni               (autocomplete: shows the suggestions)
Sandbox commands:
  .click LABEL                  press a button on the last reply (e.g. .click Next)
  .as admin | .as fan           run commands as the admin (Manage Server) or a plain fan
  .in #channel                  run commands in another channel
  .messages [#channel]          show the channel's messages
  .wait SECONDS                 wait (scheduled posts are printed as they arrive)
  .reload                       re-read the show data (SHOW_DATA_PATH) after editing it
  .help, .quit"""

OPTION_TYPES = {3: "string", 4: "integer", 5: "boolean", 6: "user", 7: "channel", 8: "role"}
_TRUE, _FALSE = {"true", "yes", "y", "1", "on"}, {"false", "no", "n", "0", "off"}


class SandboxError(Exception):
    """A mistake at the prompt; printed, never fatal."""


class Sandbox:
    def __init__(
        self,
        sim: Simulator,
        demo: DemoGuild,
        out: Callable[[str], None],
        bot: HeartstopperBot | None = None,
    ) -> None:
        self.sim = sim
        self.bot = bot
        self.demo = demo
        self.out = out
        self.member_id = demo.admin_id
        self.channel_id = demo.general_id
        self.last: InteractionResult | None = None
        self._seen: dict[int, int] = {}

    # -- names <-> ids ----------------------------------------------------------------------

    def _guild(self) -> Any:
        return self.sim.state.guild(self.demo.guild_id)

    def channel_named(self, ref: str) -> int:
        name = ref.strip().lstrip("#")
        for channel in self._guild().channels.values():
            if channel.name == name or str(channel.id) == name:
                return int(channel.id)
        raise SandboxError(f"no channel #{name} (channels: {self._channel_names()})")

    def mention_names(self) -> dict[str, str]:
        """``<#id>``/``<@&id>``/``<@id>`` -> readable names, as a Discord client shows them."""
        guild = self._guild()
        names = {f"<#{c.id}>": f"#{c.name}" for c in guild.channels.values()}
        names.update({f"<@&{r.id}>": f"@{r.name}" for r in guild.roles.values()})
        names.update({f"<@{m.user.id}>": f"@{m.user.username}" for m in guild.members.values()})
        return names

    def render(self, message: dict[str, Any]) -> str:
        return render_message(message, names=self.mention_names())

    def _channel_names(self) -> str:
        return ", ".join(f"#{c.name}" for c in self._guild().channels.values())

    def role_named(self, ref: str) -> int:
        name = ref.strip().lstrip("@").strip("<>&")
        for role in self._guild().roles.values():
            if role.name.lower() == name.lower() or str(role.id) == name:
                return int(role.id)
        raise SandboxError(f"no role @{name}")

    def member_named(self, ref: str) -> int:
        name = ref.strip().lstrip("@").lower()
        for member in self._guild().members.values():
            if member.user.username.lower() == name or str(member.user.id) == name:
                return int(member.user.id)
        raise SandboxError(f"no member @{name}")

    # -- commands ---------------------------------------------------------------------------

    def _option_schema(self, command: str) -> dict[str, dict[str, Any]]:
        root, *path = command.split()
        registered = self.sim.commands(self.demo.guild_id) + self.sim.commands()
        found = next((c for c in registered if c["name"] == root), None)
        if found is None:
            names = sorted({c["name"] for c in registered})
            raise SandboxError(f"no command /{root}. Commands: {', '.join('/' + n for n in names)}")
        options = found.get("options") or []
        for part in path:
            sub = next((o for o in options if o["name"] == part and o["type"] in (1, 2)), None)
            if sub is None:
                raise SandboxError(f"/{root} has no subcommand {part!r}")
            options = sub.get("options") or []
        return {o["name"]: o for o in options if o["type"] not in (1, 2)}

    def convert_options(self, line: SlashLine) -> dict[str, Any]:
        schema = self._option_schema(line.command)
        converted: dict[str, Any] = {}
        for name, raw in line.options.items():
            option = schema.get(name)
            if option is None:
                raise SandboxError(
                    f"unknown option {name!r}; this command has: {', '.join(schema)}"
                )
            kind = option["type"]
            try:
                if kind == 4:
                    converted[name] = int(raw)
                elif kind == 10:
                    converted[name] = float(raw)
                elif kind == 5:
                    if raw.lower() not in _TRUE | _FALSE:
                        raise ValueError
                    converted[name] = raw.lower() in _TRUE
                elif kind == 7:
                    converted[name] = self.channel_named(raw)
                elif kind == 8:
                    converted[name] = self.role_named(raw)
                elif kind == 6:
                    converted[name] = self.member_named(raw)
                else:
                    converted[name] = raw
            except ValueError:
                raise SandboxError(f"{name} needs a {OPTION_TYPES.get(kind, 'value')}") from None
        return converted

    async def run_line(self, text: str) -> bool:
        """Handle one line; False means quit."""
        text = text.strip()
        if not text or text.startswith("#"):
            return True
        try:
            if text.startswith("."):
                return await self._meta(text)
            await self._slash(parse_slash(text))
        except CommandNotAvailable:
            self.out(
                "  ! Discord doesn't show you that command: it needs Manage Server (try .as admin)."
            )
        except (SandboxError, CommandLineError, ValueError) as exc:
            self.out(f"  ! {exc}")
        self.print_new_posts()
        return True

    async def _slash(self, line: SlashLine) -> None:
        options = self.convert_options(line)
        gid, cid, mid = self.demo.guild_id, self.channel_id, self.member_id
        if line.autocomplete:
            if not line.options:
                raise SandboxError(
                    "autocomplete needs the option you are typing, e.g. ?cast query: ki"
                )
            focused = list(line.options)[-1]
            options[focused] = line.options[focused]
            result = await self.sim.autocomplete(
                gid, cid, mid, line.command, options, focused=focused
            )
            self.out(render_choices(result.choices or []))
            return
        result = await self.sim.run_command(gid, cid, mid, line.command, options)
        self._show_result(result)

    def _show_result(self, result: InteractionResult) -> None:
        if result.failed:
            self.out(f"  ✗ The application did not respond ({result.error})")
            return
        self.last = result
        if result.message is not None:
            self.out(self.render(result.message))
        for followup in result.followups:
            self.out(self.render(followup))
        self.out(f"  ({result.latency * 1000:.0f} ms)" if result.latency is not None else "")

    async def _meta(self, text: str) -> bool:
        word, _, rest = text.partition(" ")
        rest = rest.strip()
        match word:
            case ".quit" | ".exit":
                return False
            case ".help":
                self.out(HELP)
            case ".as":
                who = {"admin": self.demo.admin_id, "fan": self.demo.fan_id}.get(rest.lower())
                if who is None:
                    raise SandboxError("use .as admin or .as fan")
                self.member_id = who
                self.out(f"  now acting as the {rest.lower()}")
            case ".in":
                self.channel_id = self.channel_named(rest)
                self.out(f"  now in #{rest.lstrip('#')}")
            case ".messages":
                channel = self.channel_named(rest) if rest else self.channel_id
                messages = self.sim.messages(channel)
                self.out("\n".join(self.render(m) for m in messages[-10:]) or "  (no messages)")
            case ".wait":
                await asyncio.sleep(min(float(rest or 1), 600))
                self.print_new_posts()
            case ".click":
                await self._click(rest)
            case ".reload":
                self._reload()
            case _:
                raise SandboxError(f"unknown sandbox command {word}; type .help")
        return True

    def _reload(self) -> None:
        """What SIGHUP or ``heartstopper-bot reload`` does to a running bot."""
        if self.bot is None:
            raise SandboxError("no bot to reload")
        outcome = self.bot.reload_show(self.bot.settings.data_path)
        self.out(f"  {'✓' if outcome.ok else '! kept the current data:'} {outcome.message}")

    async def _click(self, label: str) -> None:
        if self.last is None or self.last.message is None:
            raise SandboxError("no reply with buttons yet")
        for row in self.last.components:
            for component in row.get("components", []):
                names = {str(component.get("label", "")).lower(), str(component.get("custom_id"))}
                if label.lower() in names and component.get("custom_id"):
                    result = await self.sim.click_button(
                        self.last, component["custom_id"], self.member_id
                    )
                    if result.failed:
                        self.out(f"  ✗ {result.error}")
                    elif result.type == 7:  # the bot updated the message in place
                        self.out(self.render(self.last.message or {}))
                    else:
                        self._show_result(result)
                    return
        raise SandboxError(f"no button {label!r} on the last reply")

    def print_new_posts(self) -> None:
        """Print channel messages the bot posted on its own (countdowns, test posts)."""
        for channel in self._guild().channels.values():
            messages = self.sim.messages(channel.id)
            seen = self._seen.get(channel.id, 0)
            for message in messages[seen:]:
                if message.get("interaction_metadata") or message.get("webhook_id"):
                    continue
                self.out(f"\n  ── new post in #{channel.name} ──\n{self.render(message)}")
            self._seen[channel.id] = len(messages)


async def _lines(script: Path | None, stdin: TextIO) -> AsyncIterator[str]:
    if script is not None and str(script) != "-":
        text = await asyncio.to_thread(script.read_text, encoding="utf-8")
        for line in text.splitlines():
            yield line
        return
    interactive = stdin.isatty() and script is None
    while True:
        line = await asyncio.to_thread(_prompt if interactive else stdin.readline)
        if line is None or (not interactive and line == ""):
            return
        yield line


def _prompt() -> str | None:
    try:
        return input("> ")
    except EOFError:
        return None


async def _watch_posts(sandbox: Sandbox, interval: float = 0.5) -> None:
    while True:
        await asyncio.sleep(interval)
        sandbox.print_new_posts()


async def run_sandbox(
    settings: Settings,
    *,
    script: Path | None = None,
    database: Path | None = None,
    out: Callable[[str], None] = print,
    stdin: TextIO = sys.stdin,
) -> int:
    """Run the sandbox until the commands run out or the person types .quit."""
    logging.basicConfig(level=logging.WARNING, format="  [log] %(levelname)s %(name)s: %(message)s")
    # Expected here, so not worth a warning: voice libraries (unused) and the local API.
    logging.getLogger("discord.client").setLevel(logging.ERROR)
    logging.getLogger("bot.runner").setLevel(logging.ERROR)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="heartstopper-sandbox-") as scratch:
        db_path = database or Path(scratch) / "sandbox.sqlite3"
        async with Simulator() as sim:
            demo = add_demo_guild(sim)
            # SHOW_DATA_PATH is honoured, so an edited file can be tried (and .reload-ed).
            async with bot_against(
                sim, db_path, tick_seconds=2.0, data_path=settings.data_path
            ) as bot:
                elapsed = time.perf_counter() - started
                now = dt.datetime.now().astimezone()
                out(
                    f"Heartstopper bot sandbox: the real bot, a simulated Discord (ready in "
                    f"{elapsed:.1f} s).\nServer “Heartstopper Fan Club”: #general, #countdown, "
                    f"#read-only; roles @Fans, @Mods. You are the admin, in #general.\n"
                    f"Local time {now:%H:%M %Z}. Type .help for help, .quit to leave.\n"
                )
                sandbox = Sandbox(sim, demo, out, bot)
                sandbox.print_new_posts()
                watcher = asyncio.create_task(_watch_posts(sandbox))
                try:
                    async for line in _lines(script, stdin):
                        if script is not None or not stdin.isatty():
                            out(f"> {line.rstrip()}")
                        if not await sandbox.run_line(line):
                            break
                    sandbox.print_new_posts()
                finally:
                    watcher.cancel()
    return 0
