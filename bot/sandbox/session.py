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
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, TextIO

from prompt_toolkit.patch_stdout import patch_stdout

from bot.config import Settings
from bot.sandbox.clock import ClockError, SandboxClock, parse_jump
from bot.sandbox.commandline import CommandLineError, SlashLine, parse_slash
from bot.sandbox.completion import Want
from bot.sandbox.controls import SERVER, ControlError, parse_outage, parse_permission_change
from bot.sandbox.livebot import LiveBot
from bot.sandbox.premiere_text import all_threads_text, events_text, threads_text
from bot.sandbox.prompt import prompt_lines
from bot.sandbox.render import render_choices, render_message
from bot.sandbox.simulator.demo import README_BOT_PERMISSIONS, DemoGuild, add_demo_guild
from bot.sandbox.simulator.interactions import InteractionResult
from bot.sandbox.simulator.server import Simulator
from bot.sandbox.simulator.sim_interactions import CommandNotAvailable
from bot.sandbox.simulator.state import Guild

HELP = """\
Type a slash command as you would in Discord, e.g.
  /cast query: Kit              /episode title: S2E4           /next
  /countdown setup channel: #countdown time: 09:00 timezone: Europe/London role: @Fans
  ?cast query: ni               (autocomplete: shows the suggestions)
  .help /countdown setup        what a command and its options do
Sandbox commands:
  .click LABEL                  press a button on the last reply (e.g. .click Next)
  .as admin | .as fan           run commands as the admin (Manage Server) or a plain fan
  .in #channel                  run commands in another channel
  .messages [#channel]          show the channel's messages
  .wait SECONDS                 wait (scheduled posts are printed as they arrive)
Time (the bot, its scheduler and the simulator all follow this clock):
  .time +3d | +2h | +30m        jump forward; posts due by then are delivered at once
  .time 2026-12-24 08:59 [ZONE] jump to a moment (your local zone unless one is given)
  .time now                     back to the real time
  .restart                      stop the bot and start it again on the same database
Faults on demand:
  .revoke #countdown send       take a permission from the bot there (view, send, embed,
  .grant #countdown send        mention, threads); .grant gives it back
  .grant server events          give the bot's role Manage Events (or roles: Manage Roles)
  .delete #countdown            delete the channel
  .kick | .invite               remove the bot from the server / invite it back
  .outage 5xx 30s               Discord answers 503 (or .outage 429 30s: rate limits) to
  .outage off                   every request for a while; .outage off ends it
  .reload                       re-read the show data (SHOW_DATA_PATH) after editing it
Premiere kit (/premiere):
  .events                       the server's Discord events, as Discord has them
  .threads [#channel]           threads and forum posts (of every channel, or of one)
  .help, .quit"""

# What to type, in words, for option types the sandbox has to convert.
EXPECTED = {4: "a whole number, e.g. 2", 10: "a number, e.g. 2.5", 5: "true or false"}
_TRUE, _FALSE = {"true", "yes", "y", "1", "on"}, {"false", "no", "n", "0", "off"}


class SandboxError(Exception):
    """A mistake at the prompt; printed, never fatal."""


class Sandbox:
    def __init__(
        self,
        sim: Simulator,
        demo: DemoGuild,
        out: Callable[[str], None],
        *,
        live: LiveBot | None = None,
        clock: SandboxClock | None = None,
    ) -> None:
        self.sim = sim
        self.demo = demo
        self.out = out
        self.live = live
        self.clock = clock or SandboxClock()
        self._kicked: Guild | None = None
        self.member_id = demo.admin_id
        self.channel_id = demo.general_id
        self.last: InteractionResult | None = None
        self._seen: dict[int, int] = {}

    # -- names <-> ids ----------------------------------------------------------------------

    def _guild(self) -> Any:
        # While the bot is kicked the simulator has forgotten the server; the sandbox hasn't.
        return self._kicked or self.sim.state.guild(self.demo.guild_id)

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
        return render_message(message, names=self.mention_names(), now=self.clock.now())

    def registered_commands(self) -> list[dict[str, Any]]:
        return self.sim.commands(self.demo.guild_id) + self.sim.commands()

    def channel_names(self) -> list[str]:
        return [str(c.name) for c in self._guild().channels.values()]

    def role_names(self) -> list[str]:
        return [str(r.name) for r in self._guild().roles.values() if r.name != "@everyone"]

    async def live_suggestions(self, want: Want) -> list[dict[str, Any]]:
        """The bot's own autocomplete for the option being typed, as Discord would ask."""
        if want.option is None or self._kicked is not None:
            return []
        focused = str(want.option["name"])
        others = SlashLine(want.command, {k: v for k, v in want.typed.items() if k != focused})
        options = self.convert_options(others)
        options[focused] = want.prefix
        result = await self.sim.autocomplete(
            self.demo.guild_id,
            self.channel_id,
            self.member_id,
            want.command,
            options,
            focused=focused,
        )
        return list(result.choices or [])

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
                expected = EXPECTED.get(kind, "another value")
                raise SandboxError(f"{name}: needs {expected} (got {raw!r})") from None
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
        if self._kicked is not None:
            raise SandboxError("the bot is not in the server any more: .invite brings it back")
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
        shown = (result.message or {}).get("id")
        for followup in result.followups:
            # The first followup after a deferral *is* the original reply (same id).
            if followup.get("id") != shown:
                self.out(self.render(followup))
        self.out(f"  ({result.latency * 1000:.0f} ms)" if result.latency is not None else "")

    async def _meta(self, text: str) -> bool:
        word, _, rest = text.partition(" ")
        rest = rest.strip()
        match word:
            case ".quit" | ".exit":
                return False
            case ".help":
                self.out(self._command_help(rest) if rest else HELP)
            case ".time":
                await self._time(rest)
            case ".restart":
                await self._restart()
            case ".reload":
                await self._reload()
            case ".revoke" | ".grant":
                self._permission(word, rest)
            case ".delete":
                if not rest:
                    raise SandboxError("use .delete #channel, e.g. .delete #countdown")
                channel_id = self.channel_named(rest)
                self.sim.delete_channel(channel_id)
                if self.channel_id == channel_id:
                    self.channel_id = self.demo.general_id
                self.out(f"  #{rest.lstrip('#')} deleted")
            case ".kick":
                if self._kicked is not None:
                    raise SandboxError("the bot is not in the server; .invite brings it back")
                self._kicked = self.sim.remove_guild(self.demo.guild_id)
                self.out("  the bot was removed from the server (.invite brings it back)")
            case ".invite":
                if self._kicked is None:
                    raise SandboxError("the bot is already in the server")
                self.sim.restore_guild(self._kicked)
                self._kicked = None
                self.out("  the bot was invited back, with the README's permissions")
            case ".outage":
                self._outage(rest)
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
                await asyncio.sleep(_seconds(rest or "1"))
                self.print_new_posts()
            case ".click":
                await self._click(rest)
            case ".events":
                self.out(events_text(self.sim, self.demo.guild_id))
            case ".threads" if rest:
                self.out(threads_text(self.sim, self.channel_named(rest)))
            case ".threads":
                self.out(all_threads_text(self.sim, self._guild().channels.values()))
            case _:
                raise SandboxError(f"unknown sandbox command {word}; type .help")
        return True

    # -- time and faults --------------------------------------------------------------------

    async def _time(self, text: str) -> None:
        if not text:
            self.out(f"  {self._clock_line()}")
            return
        local = dt.datetime.now().astimezone().tzinfo or dt.UTC
        try:
            target = parse_jump(text, self.clock.now(), local)
        except ClockError as exc:
            raise SandboxError(str(exc)) from None
        if target is None:
            self.clock.offset = dt.timedelta(0)
        else:
            self.clock.set(target)
        self.out(f"  {self._clock_line()}")
        if self.live is not None:
            before = self._post_count()
            queued = await self.live.tick()
            await self._settle(expect=before + queued)

    def _clock_line(self) -> str:
        now = self.clock.now().astimezone()
        shown = f"{now:%A %d %B %Y %H:%M %Z}"
        if not self.clock.moved:
            return f"clock: {shown} (real time)"
        days = self.clock.offset / dt.timedelta(days=1)
        direction = "ahead of" if days > 0 else "behind"
        return f"clock: {shown} ({abs(days):.1f} days {direction} real time)"

    def _post_count(self) -> int:
        return sum(len(self.sim.messages(c.id)) for c in self._guild().channels.values())

    async def _settle(self, expect: int = 0, quiet: float = 0.3, limit: float = 5.0) -> None:
        """Wait (at most ``limit``) until the queued posts are out, or can't be (a failure
        is not a message), and the bot has stopped posting for ``quiet`` seconds."""
        waited, last = 0.0, -1
        while waited < limit:
            count = self._post_count()
            if count == last and (count >= expect or waited >= limit / 2):
                break
            last = count
            await asyncio.sleep(quiet)
            waited += quiet
        self.print_new_posts()  # under the command that caused them, not the next one

    async def _reload(self) -> None:
        """What SIGHUP or ``heartstopper-bot reload`` does to a running bot."""
        bot = self.live.bot if self.live is not None else None
        if bot is None:
            raise SandboxError("no bot to reload")
        outcome = bot.reload_show(bot.settings.data_path)
        self.out(f"  {'✓' if outcome.ok else '! kept the current data:'} {outcome.message}")
        await self._settle()  # announcements it schedules go out at the next tick

    async def _restart(self) -> None:
        if self.live is None:
            raise SandboxError(".restart needs the sandbox's own bot")
        await self.live.stop()
        self.out("  bot stopped")
        seconds = await self.live.start()
        self.out(f"  bot started again on the same database (ready in {seconds:.1f} s)")
        await self._settle()

    def _permission(self, verb: str, text: str) -> None:
        try:
            change = parse_permission_change(text, verb)
        except ControlError as exc:
            raise SandboxError(str(exc)) from None
        names = ", ".join(change.names)
        if change.channel == SERVER:  # the bot's role: server-wide, like Manage Events
            if self._kicked is not None:
                raise SandboxError("the bot is not in the server; .invite brings it back")
            had = self.sim.bot_role(self.demo.guild_id).permissions
            revoke = verb == ".revoke"
            self.sim.set_bot_permissions(
                self.demo.guild_id, had & ~change.bits if revoke else had | change.bits
            )
            self.out(f"  the bot {'no longer has' if revoke else 'has'} {names} in the server")
            return
        channel_id = self.channel_named(change.channel)
        if verb == ".revoke":
            self.sim.revoke_bot_permission(channel_id, change.bits)
            self.out(f"  the bot no longer has {names} in {change.channel}")
            return
        overwrite = self.sim.state.channel(channel_id).overwrites.get(self.sim.bot_user_id)
        deny = (overwrite.deny if overwrite else 0) & ~change.bits
        # What its role lacks (the premiere kit's threads) is allowed here, as an admin would.
        missing = change.bits & ~self.sim.bot_role(self.demo.guild_id).permissions
        allow = (overwrite.allow if overwrite else 0) | missing
        self.sim.set_overwrite(channel_id, self.sim.bot_user_id, allow=allow, deny=deny)
        self.out(f"  the bot has {names} in {change.channel}{'' if missing else ' again'}")

    def _outage(self, text: str) -> None:
        try:
            outage = parse_outage(text)
        except ControlError as exc:
            raise SandboxError(str(exc)) from None
        if outage.status is None:
            self.sim.faults.clear()
            self.out("  the outage is over")
            return
        self.sim.faults.outage(outage.status, outage.seconds)
        what = "rate limits (429)" if outage.status == 429 else f"{outage.status} errors"
        self.out(f"  Discord answers every request with {what} for {outage.seconds:g} s")

    def _command_help(self, text: str) -> str:
        root, *path = text.strip().lstrip("/").split()
        registered = self.sim.commands(self.demo.guild_id) + self.sim.commands()
        command = next((c for c in registered if c["name"] == root), None)
        if command is None:
            raise SandboxError(f"no command /{root}; type .help for the list")
        node, title = command, f"/{root}"
        for part in path:
            node = next((o for o in node.get("options") or [] if o["name"] == part), None)
            if node is None or node["type"] not in (1, 2):
                raise SandboxError(f"{title} has no subcommand {part!r}")
            title += f" {part}"
        lines = [f"  {title}: {node.get('description', '')}"]
        for option in node.get("options") or []:
            required = " (required)" if option.get("required") else ""
            kind = "subcommand" if option["type"] in (1, 2) else "option"
            label = option["name"] if kind == "subcommand" else f"{option['name']}:"
            lines.append(f"    {label:<14}{option.get('description', '')}{required}")
        return "\n".join(lines)

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


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 600:  # also refuses nan
        raise SandboxError(".wait needs a number of seconds, e.g. .wait 5 (at most 600)")
    return seconds


async def _read_eval(
    sandbox: Sandbox, lines: AsyncIterator[str], echo: Callable[[str], None] | None
) -> None:
    async for line in lines:
        if echo is not None:  # a script's lines are shown, as if typed
            echo(f"> {line.rstrip()}")
        if not await sandbox.run_line(line):
            break


async def _lines(script: Path | None, stdin: TextIO) -> AsyncIterator[str]:
    """A script's lines, or standard input's when it is not a terminal."""
    if script is not None and str(script) != "-":
        text = await asyncio.to_thread(script.read_text, encoding="utf-8")
        for line in text.splitlines():
            yield line
        return
    while line := await asyncio.to_thread(stdin.readline):
        yield line


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
    clock = SandboxClock()
    with tempfile.TemporaryDirectory(prefix="heartstopper-sandbox-") as scratch:
        db_path = database or Path(scratch) / "sandbox.sqlite3"
        async with Simulator(stable_ids=True) as sim:
            sim.state.wall_clock = clock.now
            # Same ids every run, so settings kept in --database still match the demo server.
            demo = add_demo_guild(sim, bot_permissions=README_BOT_PERMISSIONS)
            sim.ids.unpin()
            live = LiveBot(sim, db_path, settings, clock.now)
            elapsed = await live.start()
            try:
                now = dt.datetime.now().astimezone()
                out(
                    f"Heartstopper bot sandbox: the real bot, a simulated Discord (ready in "
                    f"{elapsed:.1f} s).\nServer “Heartstopper Fan Club”: #general, #countdown, "
                    f"#read-only; roles @Fans, @Mods. You are the admin, in #general.\n"
                    f"Local time {now:%H:%M %Z}. Type .help for help, .quit to leave.\n"
                )
                sandbox = Sandbox(sim, demo, out, live=live, clock=clock)
                sandbox.print_new_posts()
                watcher = asyncio.create_task(_watch_posts(sandbox))
                interactive = script is None and stdin.isatty()
                try:
                    if interactive:
                        # Posts printed while typing appear above the prompt, not inside it.
                        with patch_stdout():
                            await _read_eval(sandbox, prompt_lines(sandbox), echo=None)
                    else:
                        await _read_eval(sandbox, _lines(script, stdin), echo=out)
                    sandbox.print_new_posts()
                finally:
                    watcher.cancel()
            finally:
                await live.stop()
    return 0
