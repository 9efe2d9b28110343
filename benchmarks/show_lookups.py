"""How fast the show's knowledge answers: the finder alone, then whole commands end to end.

1. Handler level: ``ShowIndex`` lookups and autocomplete over a realistic query mix
   (prefixes, typos, codes, empty, hostile and 6,000-character junk); p99 must stay < 0.5 ms.
2. Whole stack: the real bot in its own process (``benchmarks/show_bot.py``, production's bot
   plus three reference commands) against the Discord simulator in this one. A bare command
   that answers a constant is the baseline; every show command must cost at most 25 % more at
   p50 and p99: hits, misses, "did you mean" answers, every /timeline filter, /season with and
   without a number, Next/Previous clicks on /cast and /timeline, and both autocompletes.
   Kinds are interleaved in shuffled rounds so they share conditions.

   Judged is the bot's share of each interaction: from the moment the simulator has written
   the event to the bot's socket to the moment the bot's callback request reaches it. The
   simulator's own JSON encoding and zlib compression of the event (Discord's work, which
   grows with the clicked message a component event carries) is left out; the "e2e" columns
   keep it in, for comparison with runs of the older, single-process benchmark.

   Reference rows (not judged) show what the plumbing alone costs: a constant paged card,
   Next/Previous on it (a click carries the clicked message, embed included, which discord.py
   parses before any bot code runs), and a constant private refusal (the error path).

Run from the repository root:
    .venv/bin/python benchmarks/show_lookups.py [--n 600] [--seed 1] [--only timeline]
Not part of pytest; exits 0 and prints PASS/FAIL per row.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import itertools
import json
import math
import os
import random
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

import discord
from discord import app_commands

from bot.paging import Paginator
from bot.sandbox.simulator.demo import add_demo_guild
from bot.sandbox.simulator.interactions import InteractionResult
from bot.sandbox.simulator.server import Simulator
from bot.sandbox.simulator.sim_interactions import iter_components
from bot.show.loader import load_show_data
from bot.show.search import ShowIndex
from bot.tree import UserFacingError

HANDLER_P99_MS = 0.5
RATIO_LIMIT = 1.25
RERUN = "Rerun: .venv/bin/python benchmarks/show_lookups.py"
REFERENCE = "/barepaged (constant)"
CLICK_REFERENCE = "/barepaged Next/Previous"
ERROR_REFERENCE = "/bareerror (constant)"
REFERENCES = ("/bare", REFERENCE, CLICK_REFERENCE, ERROR_REFERENCE)
WIDTH = 30  # of the command column
BENCH_TOKEN = "show-benchmark-token-0123456789abcdef"

# What people type: prefixes as they go, typos, nicknames, codes, nothing, and junk.
CAST_QUERIES = [
    "", "k", "ki", "kit", "Kit Connor", "nick", "nick nelson", "char", "charlie",
    "charly", "conor", "Kitt Conr", "joe lock", "farooq", "mr farouk", "tao", "ele",
    "darcy", "olivia colman", "Nelson", "Zzzzqx", "💖 nick", "@everyone", "<@&1234567>",
    "**bold**", "x" * 6000, "heartstopper " * 400,
    "Osman", "alice", "Spring", "euros lyn", "Stéphane Nelson",  # crew and families
]  # fmt: skip
EPISODE_QUERIES = [
    "", "s", "s2", "s2e", "S2E4", "s2 e4", "2x04", "season 2 episode 4", "S2E9", "s9e1",
    "meet", "chal", "Challenge", "Chalenge", "boyfriend", "Season 3", "Zzzzqx", "@here",
    "💖", "x" * 6000, "episode " * 700,
    "Paris", "the louvre", "S4E1", "Truth/Dare", "birthday party",  # plot words, aliases
]  # fmt: skip


# -- statistics and output ----------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (no interpolation: p99 is a latency someone really saw)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


# -- 1. handler level -------------------------------------------------------------------------


def time_calls(func: Callable[[str], object], queries: list[str], rounds: int) -> list[float]:
    """Per-call times in ms, queries shuffled each round so no order is favoured."""
    rng = random.Random(7)
    times: list[float] = []
    clock = time.perf_counter_ns
    for _ in range(rounds):
        order = queries[:]
        rng.shuffle(order)
        for query in order:
            start = clock()
            func(query)
            times.append((clock() - start) / 1e6)
    return times


def handler_level(rounds: int) -> bool:
    index = ShowIndex(load_show_data())
    rows = [
        ("find_cast", index.find_cast, CAST_QUERIES),
        ("cast_choices", index.cast_choices, CAST_QUERIES),
        ("find_episode", index.find_episode, EPISODE_QUERIES),
        ("episode_choices", index.episode_choices, EPISODE_QUERIES),
    ]
    print(f"\nHandler level: ShowIndex over the real data ({rounds} rounds of each query mix)")
    print(f"{'call':<18}{'calls':>8}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}  target p99 < 0.5")
    all_ok = True
    for name, func, queries in rows:
        time_calls(func, queries, 20)  # warm caches and rapidfuzz's first-call setup
        times = time_calls(func, queries, rounds)
        p50, p99 = percentile(times, 0.50), percentile(times, 0.99)
        ok = p99 < HANDLER_P99_MS
        all_ok &= ok
        print(
            f"{name:<18}{len(times):>8}{p50:>10.4f}{p99:>10.4f}{max(times):>10.3f}  {verdict(ok)}"
        )
    return all_ok


# -- 2. whole stack -----------------------------------------------------------------------------

Invoke = Callable[[], Awaitable[InteractionResult]]
# What each kind must answer, checked once before timing so a broken kind can't look fast:
# (ephemeral?, text that must appear in the reply's content or first embed title).
Expect = tuple[bool, str]

# Misses and near-misses rotate so no single string can be special-cased.
CAST_MISSES = ["Zzzzqx", "Qwxzy Vbnm", "xylophone", "Jjjjjjj"]
CAST_NEAR = ["charly", "Kitt Conr", "Nikc", "char"]  # "Did you mean ...?"
EPISODE_MISSES = ["Zzzzqx", "Qwxzy Vbnm", "xylophone", "Bnfire"]
EPISODE_NEAR = ["S2E9", "S1E12", "S3E10", "season 2"]  # near codes: "Did you mean ...?"


def add_reference_commands(tree: app_commands.CommandTree, card: discord.Embed) -> None:
    """/bare: the baseline, no work at all. /barepaged: a constant card with paging buttons,
    i.e. /episode without its lookup and card building (the cost of the payload itself).
    /bareerror: a constant private refusal through the error path, i.e. a miss without
    its lookup and wording."""

    @tree.command(name="bare")
    async def bare(interaction: discord.Interaction) -> None:
        """Answers a constant (benchmark baseline)."""
        await interaction.response.send_message("ok")

    @tree.command(name="barepaged")
    async def barepaged(interaction: discord.Interaction, title: str | None = None) -> None:
        """Answers a constant card with Previous/Next buttons (benchmark reference)."""
        view = Paginator(owner_id=interaction.user.id, page_count=24, build=lambda _: card)
        await view.send(interaction)

    @tree.command(name="bareerror")
    async def bareerror(interaction: discord.Interaction, query: str | None = None) -> None:
        """Refuses with a constant private message (benchmark reference)."""
        raise UserFacingError("I couldn't find that.")


def reply_text(result: InteractionResult) -> str:
    embeds = result.embeds
    return (result.content or "") + (embeds[0].get("title", "") if embeds else "")


class PageWalker:
    """Clicks through one paged reply: Next to the last page, then Previous back, and again.

    Every page is visited, not just the first two, so a per-page cache is measured fairly.
    """

    def __init__(self, sim: Simulator, start: Invoke, member_id: int) -> None:
        self._sim, self._start, self._member = sim, start, member_id
        self._message_id: int | None = None
        self._label = "Next"

    def _buttons(self) -> dict[str, dict[str, Any]]:
        assert self._message_id is not None
        message = self._sim.state.message_index[self._message_id]
        return {c.get("label", ""): c for c in iter_components(message.get("components"))}

    async def click(self) -> InteractionResult:
        if self._message_id is None:
            first = await self._start()  # not timed: the paged reply to click on
            if first.message is None or not first.components:
                raise RuntimeError("the paged reply has no buttons to click")
            self._message_id = int(first.message["id"])
        buttons = self._buttons()
        if buttons[self._label].get("disabled"):  # at an end: turn round
            self._label = "Previous" if self._label == "Next" else "Next"
        message = self._sim.state.message_index[self._message_id]
        custom_id = buttons[self._label]["custom_id"]
        return await self._sim.click_button(message, custom_id, self._member)


PROJECT = Path(__file__).resolve().parents[1]
REFERENCE_COMMANDS = {"bare", "barepaged", "bareerror"}


@contextlib.asynccontextmanager
async def bot_process(sim: Simulator, database: Path, timings: Path) -> AsyncIterator[None]:
    """The real bot in its own process (``benchmarks/show_bot.py``), ready with its commands;
    once it has stopped, ``timings`` holds its per-interaction stamps."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DEV_GUILD"))}
    env.pop("DATABASE_URL", None)
    env.update(
        PYTHONPATH=str(PROJECT),
        DISCORD_TOKEN=sim.token,
        DISCORD_API_BASE_URL=sim.api_base_url,
        DATABASE_PATH=str(database),
        SHOW_BENCH_TIMINGS=str(timings),
    )
    log = database.with_suffix(".log")
    with log.open("wb") as stderr:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "benchmarks.show_bot", cwd=PROJECT, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=stderr,
        )  # fmt: skip
    try:
        try:
            await sim.wait_until(
                lambda: (
                    sim.gateway.ready_sessions > 0
                    and REFERENCE_COMMANDS <= {c["name"] for c in sim.commands()}
                ),
                60.0,
                "the bot process and its commands",
            )
        except TimeoutError:
            raise RuntimeError(f"the bot did not start:\n{log.read_text()[-3000:]}") from None
        yield
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 20)
            except TimeoutError:
                proc.kill()
                await proc.wait()


async def whole_stack(n: int, warmup: int, seed: int, only: str | None) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        async with Simulator(BENCH_TOKEN) as sim:
            demo = add_demo_guild(sim)
            timings = Path(tmp) / "timings.json"
            async with bot_process(sim, Path(tmp) / "bench.sqlite3", timings):
                g, ch, who = demo.guild_id, demo.general_id, demo.fan_id
                await answering(sim, lambda: sim.run_command(g, ch, who, "bare"))

                def command(name: str, **options: object) -> Invoke:
                    return lambda: sim.run_command(g, ch, who, name, options=options)

                def rotating(name: str, option: str, texts: list[str]) -> Invoke:
                    cycle = itertools.cycle(texts)  # what people type, in turn
                    return lambda: sim.run_command(g, ch, who, name, {option: next(cycle)})

                def typing(name: str, option: str, texts: list[str]) -> Invoke:
                    cycle = itertools.cycle(texts)
                    return lambda: sim.autocomplete(
                        g, ch, who, name, {option: next(cycle)}, focused=option
                    )

                def paging(name: str) -> Invoke:
                    return PageWalker(sim, command(name), who).click

                kinds: dict[str, tuple[Invoke, Expect | None]] = {
                    "/bare": (command("bare"), (False, "ok")),
                    REFERENCE: (command("barepaged", title="S2E4"), (False, "S2E4")),
                    CLICK_REFERENCE: (paging("barepaged"), (False, "S2E4")),
                    ERROR_REFERENCE: (
                        command("bareerror", query="Zzzzqx"),
                        (True, "couldn't find"),
                    ),
                    "/cast query:Kit": (command("cast", query="Kit"), (False, "Kit Connor")),
                    "/cast miss": (
                        rotating("cast", "query", CAST_MISSES),
                        (True, "couldn't find a cast member"),
                    ),
                    "/cast did you mean": (
                        rotating("cast", "query", CAST_NEAR),
                        (True, "Did you mean"),
                    ),
                    "/cast query:Nelson": (
                        command("cast", query="Nelson"),
                        (False, "Everyone called Nelson"),
                    ),
                    "/cast (browse)": (command("cast"), (False, "Heartstopper cast")),
                    "/cast Next/Previous": (paging("cast"), (False, "Heartstopper cast")),
                    "/episode title:S2E4": (command("episode", title="S2E4"), (False, "S2E4")),
                    "/episode miss": (
                        rotating("episode", "title", EPISODE_MISSES),
                        (True, "couldn't find an episode"),
                    ),
                    "/episode did you mean": (
                        rotating("episode", "title", EPISODE_NEAR),
                        (True, "Did you mean"),
                    ),
                    "/season": (command("season"), (False, "Seasons")),
                    "/season number:2": (command("season", number=2), (False, "Season 2")),
                    "/timeline": (command("timeline"), (False, "All news")),
                    "/timeline season:3": (command("timeline", season=3), (False, "Season 3")),
                    "/timeline year:2023": (command("timeline", year=2023), (False, "2023")),
                    "/timeline season:2 year:2023": (
                        command("timeline", season=2, year=2023),
                        (False, "Season 2 · 2023"),
                    ),
                    "/timeline year:1999 (none)": (
                        command("timeline", year=1999),
                        (True, "No news matches 1999"),
                    ),
                    "/timeline Next/Previous": (paging("timeline"), (False, "All news")),
                    "/cast autocomplete": (
                        typing("cast", "query", ["k", "nick", "conor", ""]),
                        None,
                    ),
                    "/episode autocomplete": (
                        typing("episode", "title", ["s2", "chal", "S2E4"]),
                        None,
                    ),
                }
                if only:
                    kinds = {k: v for k, v in kinds.items() if k in REFERENCES or only in k}
                await check_answers(kinds)
                invokes = {name: invoke for name, (invoke, _) in kinds.items()}
                KIND_ORDER.update((name, i) for i, name in enumerate(invokes))
                await measure(invokes, warmup, seed)  # warm-up, discarded
                with instrument_collector_paused():
                    samples = await measure(invokes, n, seed + 1)
            # Written by the bot process as it stopped (the context above waited for that).
            stamps = json.loads(timings.read_text()) if timings.exists() else {}
    return report_stack(samples, stamps, n)


@contextlib.contextmanager
def instrument_collector_paused() -> Iterator[None]:
    """No garbage collection in this process (the simulator: the measuring instrument) while
    timing. Its heap grows with every message, and a full collection between writing an event
    and stamping the callback would be charged to the bot. The bot's process keeps its own
    collector, as in production, so the bot's pauses are measured."""
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


async def answering(sim: Simulator, bare: Invoke) -> None:
    """Wait until the bot answers (it takes interactions once its servers have arrived)."""
    for _ in range(20):
        if not (await bare()).failed:
            return
        await asyncio.sleep(0.5)
    raise RuntimeError("the bot process never answered /bare")


async def check_answers(kinds: dict[str, tuple[Invoke, Expect | None]]) -> None:
    """Each kind answers what its name says (once, untimed): a fast wrong answer is no answer."""
    for name, (invoke, expect) in kinds.items():
        result = await invoke()
        if result.failed:
            raise RuntimeError(f"{name} failed: {result.error}")
        if expect is None:
            if not result.choices:
                raise RuntimeError(f"{name} offered no choices")
            continue
        ephemeral, text = expect
        if result.ephemeral != ephemeral or text not in reply_text(result):
            raise RuntimeError(f"{name} answered {reply_text(result)!r}, expected {text!r}")


Latencies = dict[str, list[float]]
KIND_ORDER: dict[str, int] = {}  # the declared order of the kinds, for the tables


@dataclass(frozen=True, slots=True)
class Sample:
    kind: str
    interaction_id: str
    bot_share: float  # ms, the event on the bot's socket → its callback arriving (judged)
    end_to_end: float  # ms, plus the simulator's encoding and compression of the event


async def measure(kinds: dict[str, Invoke], rounds: int, seed: int) -> list[Sample]:
    """Every kind ``rounds`` times, in a fresh shuffled order each round."""
    rng = random.Random(seed)
    names = list(kinds)
    samples: list[Sample] = []
    for _ in range(rounds):
        rng.shuffle(names)  # no kind always follows the same neighbour
        for name in names:
            result = await kinds[name]()
            if result.failed or result.latency is None or result.bot_latency is None:
                raise RuntimeError(f"{name} failed during the benchmark: {result.error}")
            samples.append(
                Sample(name, str(result.id), result.bot_latency * 1000, result.latency * 1000)
            )
            # Let the bot finish its after-reply work (e.g. fetching the paged message)
            # so it doesn't land in the next kind's measurement.
            await asyncio.sleep(0.002)
    return samples


def ratios(values: list[float], base: list[float]) -> tuple[float, float]:
    """p50 and p99 of ``values`` as multiples of the baseline's p50 and p99."""
    return (
        percentile(values, 0.50) / percentile(base, 0.50),
        percentile(values, 0.99) / percentile(base, 0.99),
    )


def p99_ratio_interval(
    values: list[float], base: list[float], rng: random.Random, resamples: int = 400
) -> tuple[float, float]:
    """A 95 % bootstrap interval for the p99 ratio: how far sampling noise alone moves it."""
    k = len(values)
    found = sorted(
        percentile(rng.choices(values, k=k), 0.99) / percentile(rng.choices(base, k=k), 0.99)
        for _ in range(resamples)
    )
    return found[int(0.025 * resamples)], found[int(0.975 * resamples) - 1]


def by_kind(samples: list[Sample], value: Callable[[Sample], float | None]) -> Latencies:
    """Values per kind, kinds in the order of the first round as declared (not shuffled)."""
    out: Latencies = {}
    for sample in sorted(samples, key=lambda s: KIND_ORDER.get(s.kind, len(KIND_ORDER))):
        found = value(sample)
        if found is not None:
            out.setdefault(sample.kind, []).append(found)
    return out


def report_stack(samples: list[Sample], stamps: dict[str, list[float]], n: int) -> bool:
    """The judged table (the bot's share, end-to-end ratios beside it), then where it went."""
    bot_share = by_kind(samples, lambda s: s.bot_share)
    end_to_end = by_kind(samples, lambda s: s.end_to_end)
    print(
        f"\nWhole stack: the real bot in its own process against the simulator, {n} of each,"
        "\ninterleaved. Judged: the bot's share (event on its socket → callback arrived)."
        "\n'p99 x 95%': bootstrap interval of the p99 ratio (sampling noise alone)."
        "\nEnd to end adds the simulator's own encoding and compression (not judged)."
    )
    header = (
        f"{'command':<{WIDTH}}{'p50 ms':>8}{'p99 ms':>8}{'p50 x':>7}{'p99 x':>7}"
        f"{'p99 x 95%':>12}{'e2e p50 x':>10}{'e2e p99 x':>10}"
    )
    print(f"{header}  target ratio <= {RATIO_LIMIT}")
    rng = random.Random(99)
    base = bot_share["/bare"]
    all_ok = True
    for name, values in bot_share.items():
        p50, p99 = percentile(values, 0.50), percentile(values, 0.99)
        r50, r99 = ratios(values, base)
        low, high = p99_ratio_interval(values, base, rng) if name != "/bare" else (1.0, 1.0)
        e50, e99 = ratios(end_to_end[name], end_to_end["/bare"])
        line = (
            f"{name:<{WIDTH}}{p50:>8.2f}{p99:>8.2f}{r50:>7.2f}{r99:>7.2f}"
            f"{f'{low:.2f}-{high:.2f}':>12}{e50:>10.2f}{e99:>10.2f}"
        )
        if name in REFERENCES:
            print(f"{line}  ({'baseline' if name == '/bare' else 'reference, not judged'})")
            continue
        ok = r50 <= RATIO_LIMIT and r99 <= RATIO_LIMIT
        all_ok &= ok
        print(f"{line}  {verdict(ok)}")
    report_split(samples, stamps)
    return all_ok


def report_split(samples: list[Sample], stamps: dict[str, list[float]]) -> None:
    """Each judged latency split in two with the bot process's own stamps: inside the bot
    (frame off the socket → callback handed to its HTTP layer: decoding, discord.py's parsing,
    the command) and the rest (both sockets, both HTTP layers, the processes waking up)."""

    def inside(sample: Sample) -> float | None:
        marks = stamps.get(sample.interaction_id)
        return (marks[1] - marks[0]) * 1000 if marks and len(marks) == 2 else None

    work = by_kind(samples, inside)
    rest = by_kind(
        samples, lambda s: None if (w := inside(s)) is None else s.bot_share - w
    )  # fmt: skip
    if not work:
        print("\n(no timings from the bot process: the split is not shown)")
        return
    print("\nWhere the bot's share goes (ms, not judged): inside the bot, and the rest")
    print(
        f"{'command':<{WIDTH}}{'inside p50':>11}{'inside p99':>11}{'rest p50':>10}{'rest p99':>10}"
    )
    for name, values in work.items():
        print(
            f"{name:<{WIDTH}}{percentile(values, 0.5):>11.2f}{percentile(values, 0.99):>11.2f}"
            f"{percentile(rest[name], 0.5):>10.2f}{percentile(rest[name], 0.99):>10.2f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="invocations of each kind")
    parser.add_argument("--warmup", type=int, default=30, help="discarded rounds first")
    parser.add_argument("--rounds", type=int, default=200, help="handler-level rounds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", help="whole stack: only kinds containing this (and the baseline)")
    parser.add_argument("--skip-handlers", action="store_true", help="whole stack only")
    args = parser.parse_args()

    started = time.perf_counter()
    handlers_ok = args.skip_handlers or handler_level(args.rounds)
    stack_ok = asyncio.run(whole_stack(args.n, args.warmup, args.seed, args.only))
    elapsed = time.perf_counter() - started
    print(
        f"\nHandler level: {verdict(handlers_ok)} · whole stack: {verdict(stack_ok)}"
        f" · {elapsed:.1f} s on {len(os.sched_getaffinity(0))} core(s)"
    )
    print(RERUN)
    return 0  # a report, not a gate: read the PASS/FAIL rows


if __name__ == "__main__":
    sys.exit(main())
