"""Crash and stop drills: a fan-out interrupted again and again still posts exactly once.

The bot runs as a subprocess (``benchmarks/drill_bot.py``: the real bot with production's
SIGTERM handling) against the simulator in this process, which counts what reaches each
channel. Every server is due at the same instant; the bot is stopped ``--stops`` times at
random moments of the fan-out, restarted at once each time, and finally left to finish.

Each stop lands at one of three kinds of moment, picked with the seeded generator:

* ``at-post``: the instant Discord stores post number k, before the bot sees the answer (the
  worst case: that post exists while its ledger row still says ``sending``);
* ``after-post``: a random 0-500 ms after post number k (anywhere in the send loop);
* ``start-up``: a random 0.2-2 s after the process started (migrations, READY, recovery).

Then, per server: lost (no post) and duplicated (more than one); target 0 and 0 for both
SIGKILL and SIGTERM. The ledger's end states are reported too (``unconfirmed``: a request
interrupted longer ago than Discord's nonce window; restarts here are immediate, so it
should stay 0).

Run from the repository root:
    .venv/bin/python benchmarks/delivery_drills.py [--servers 500] [--stops 10]
        [--signal both|kill|term] [--seed 1] [--send-rate 45] [--tick 10]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from bot.countdown.settings import CountdownSettings
from bot.database.connection import open_database
from bot.database.countdown import CountdownRepository
from bot.sandbox.simulator.server import Simulator

PROJECT = Path(__file__).resolve().parents[1]
POST_AT = dt.datetime(2024, 9, 1, 9, 0, tzinfo=dt.UTC)
TOKEN = "drill-bot-token-0123456789abcdef"
GLOBAL_LIMIT = 50  # Discord's global limit, enforced by the simulator
EXIT_TIMEOUT = 30.0  # a graceful stop may take STOP_GRACE (10 s) plus the handlers' drain
Moment = Literal["at-post", "after-post", "start-up"]
MOMENTS: tuple[Moment, ...] = ("at-post", "after-post", "start-up")


@dataclass(frozen=True, slots=True)
class Stop:
    moment: Moment
    post: int  # stop once this many posts exist (at-post, after-post)
    delay: float  # seconds after that post, or after the process started (start-up)


def plan_stops(servers: int, stops: int, seed: int) -> list[Stop]:
    """Random moments, spread over the fan-out: distinct post counts in increasing order
    (pure: the same seed gives the same drill)."""
    rng = random.Random(seed)
    posts = sorted(rng.sample(range(1, servers), stops))
    plan = []
    for post in posts:
        moment = rng.choice(MOMENTS)
        delay = {"at-post": 0.0, "after-post": rng.uniform(0.0, 0.5)}.get(
            moment, rng.uniform(0.2, 2.0)
        )
        plan.append(Stop(moment, post, delay))
    return plan


@dataclass(slots=True)
class DrillResult:
    signal: str
    servers: int
    stops: list[Stop]
    lost: int = 0
    duplicated: int = 0
    states: Counter[str] = field(default_factory=Counter)
    posted_at_stop: list[int] = field(default_factory=list)  # posts existing at each stop
    exit_seconds: list[float] = field(default_factory=list)  # signal to process exit
    exit_codes: list[int] = field(default_factory=list)
    # Ledger rows each stop left "sending" (in doubt) and "claimed" (queued, never sent): a
    # graceful stop lets sends in flight finish, so it should leave none in doubt.
    left_sending: list[int] = field(default_factory=list)
    left_claimed: list[int] = field(default_factory=list)
    post_requests: int = 0  # POST .../messages the simulator received (resends included)
    rate_limited: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.duplicated == 0 and self.rate_limited == 0


def count_posts(per_channel: Sequence[int]) -> tuple[int, int]:
    """(servers with no post, servers with more than one) (pure)."""
    return sum(n == 0 for n in per_channel), sum(n > 1 for n in per_channel)


async def seed(db_path: Path, channels: dict[int, int]) -> None:
    """Every server configured directly in storage, all due at the same instant."""
    async with open_database(db_path) as db:
        repo = CountdownRepository(db)
        for guild_id, channel_id in channels.items():
            settings = CountdownSettings(guild_id, channel_id, post_time=dt.time(9, 0))
            await repo.save_settings(settings, next_post_at=POST_AT, now=POST_AT)


async def ledger_states(db_path: Path) -> Counter[str]:
    async with open_database(db_path) as db:
        async with db.execute("SELECT state, count(*) FROM deliveries GROUP BY state") as cur:
            return Counter({row[0]: row[1] for row in await cur.fetchall()})


async def spawn(
    sim: Simulator,
    db_path: Path,
    log: Path,
    *,
    send_rate: float,
    tick: float,
    extra_env: dict[str, str] | None = None,
) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DEV_GUILD"))}
    env.update(
        PYTHONPATH=str(PROJECT),
        DISCORD_TOKEN=TOKEN,
        DISCORD_API_BASE_URL=sim.api_base_url,
        DATABASE_PATH=str(db_path),
        COUNTDOWN_TEST_NOW=(POST_AT + dt.timedelta(seconds=30)).isoformat(),
        COUNTDOWN_TEST_TICK=str(tick),
        COUNTDOWN_TEST_SEND_RATE=str(send_rate),
        **(extra_env or {}),
    )
    with log.open("ab") as stderr:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "benchmarks.drill_bot",
            cwd=PROJECT,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=stderr,
        )


class Stopper:
    """Sends the signal at a planned moment; the simulator's store hook calls ``on_post``."""

    def __init__(self, sig: signal.Signals, delivered: Callable[[], int]) -> None:
        self.sig = sig
        self.delivered = delivered
        self.proc: asyncio.subprocess.Process | None = None
        self.stop: Stop | None = None
        self.sent_at: float | None = None
        self.posted_at_stop = 0
        self._timer: asyncio.TimerHandle | None = None

    def arm(self, proc: asyncio.subprocess.Process, stop: Stop | None) -> None:
        self.proc, self.stop, self.sent_at = proc, stop, None
        if stop is not None and stop.moment == "start-up":
            self._timer = asyncio.get_running_loop().call_later(stop.delay, self.fire)

    def on_post(self) -> None:
        stop = self.stop
        if stop is None or stop.moment == "start-up" or self.sent_at or self._timer:
            return
        if self.delivered() < stop.post:
            return
        if stop.moment == "at-post":
            self.fire()  # before the simulator answers the request that stored it
        else:
            self._timer = asyncio.get_running_loop().call_later(stop.delay, self.fire)

    def fire(self) -> None:
        self._timer = None
        if self.proc is not None and self.proc.returncode is None and self.sent_at is None:
            self.posted_at_stop = self.delivered()
            self.sent_at = time.perf_counter()
            os.kill(self.proc.pid, self.sig)

    def disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.stop = None


async def drill(
    sig: signal.Signals,
    *,
    servers: int,
    stops: int,
    seed_value: int,
    workdir: Path,
    send_rate: float = 45.0,
    tick: float = 10.0,
    settle: float = 1.5,
    limit: float = 300.0,
) -> DrillResult:
    """One drill: ``stops`` signals at planned moments of a ``servers`` fan-out."""
    plan = plan_stops(servers, stops, seed_value)
    result = DrillResult(sig.name, servers, plan)
    db_path, log = workdir / f"{sig.name}.sqlite3", workdir / f"{sig.name}.log"
    started = time.perf_counter()
    async with Simulator(token=TOKEN, global_rate_limit=GLOBAL_LIMIT) as sim:
        channels: dict[int, int] = {}
        for n in range(servers):
            guild = sim.add_guild(f"Fan Club {n}")
            channels[guild.id] = sim.add_channel(guild.id, "countdown").id
        await seed(db_path, channels)

        def per_channel() -> list[int]:
            return [len(sim.state.messages.get(c, [])) for c in channels.values()]

        stopper = Stopper(sig, lambda: sum(per_channel()))
        store = sim.state.store_message

        def store_then_maybe_stop(message: dict[str, Any], *, in_channel: bool) -> None:
            store(message, in_channel=in_channel)
            if in_channel:
                stopper.on_post()

        sim.state.store_message = store_then_maybe_stop  # type: ignore[method-assign]
        for stop in [*plan, None]:
            proc = await spawn(sim, db_path, log, send_rate=send_rate, tick=tick)
            try:
                stopper.arm(proc, stop)
                if stop is None:  # the last run: let it finish, then stop it politely
                    await sim.wait_until(lambda: min(per_channel()) >= 1, limit, "every post")
                    await asyncio.sleep(settle)  # a straggling resend would show up here
                    proc.send_signal(signal.SIGTERM)
                    await asyncio.wait_for(proc.wait(), EXIT_TIMEOUT)
                    break
                # Runs until the stop lands; if every post is out first, it lands then.
                exited = asyncio.ensure_future(proc.wait())
                all_out = asyncio.ensure_future(
                    sim.wait_until(lambda: min(per_channel()) >= 1, limit, "every post")
                )
                done, _ = await asyncio.wait({exited, all_out}, return_when="FIRST_COMPLETED")
                all_out.cancel()
                if exited not in done:
                    await asyncio.sleep(0.2)  # a start-up stop may still be on its timer
                    stopper.fire()
                await asyncio.wait_for(exited, EXIT_TIMEOUT)
                if stopper.sent_at is not None:
                    result.exit_seconds.append(time.perf_counter() - stopper.sent_at)
                    result.posted_at_stop.append(stopper.posted_at_stop)
                result.exit_codes.append(proc.returncode or 0)
                left = await ledger_states(db_path)
                result.left_sending.append(left["sending"])
                result.left_claimed.append(left["claimed"])
            finally:
                stopper.disarm()
                if proc.returncode is None:
                    proc.kill()
                    await proc.wait()
        result.lost, result.duplicated = count_posts(per_channel())
        result.post_requests = sim.stats.requests["POST /channels/{channel_id}/messages"]
        result.rate_limited = sim.stats.rate_limited
    result.states = await ledger_states(db_path)
    result.seconds = time.perf_counter() - started
    return result


def report(result: DrillResult) -> list[str]:
    moments = Counter(stop.moment for stop in result.stops)
    states = ", ".join(f"{state} {n}" for state, n in sorted(result.states.items()))
    worst_exit = max(result.exit_seconds, default=0.0)
    return [
        f"SIG{result.signal.removeprefix('SIG')} drill: {result.servers} servers, "
        f"{len(result.exit_seconds)} stops ({', '.join(f'{m} {n}' for m, n in moments.items())})"
        f" in {result.seconds:.0f} s",
        f"  posts existing at each stop: {result.posted_at_stop}",
        f"  ledger rows left 'sending' by each stop: {result.left_sending}; "
        f"'claimed': {result.left_claimed}",
        f"  lost (no post): {result.lost}   duplicated (>1 post): {result.duplicated}   "
        f"429s: {result.rate_limited}   {'PASS' if result.ok else 'FAIL'} (target 0, 0, 0)",
        f"  ledger at the end: {states}; unconfirmed: {result.states.get('unconfirmed', 0)}",
        f"  POST message requests: {result.post_requests} for {result.servers} posts "
        f"(resends collapsed by their nonce); exit codes {result.exit_codes}; "
        f"slowest exit after the signal {worst_exit:.2f} s",
    ]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=500)
    parser.add_argument("--stops", type=int, default=10)
    parser.add_argument("--signal", choices=("both", "kill", "term"), default="both")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--send-rate", type=float, default=45.0)
    parser.add_argument("--tick", type=float, default=10.0, help="seconds between ticks")
    parser.add_argument("--keep", type=Path, help="keep the databases and bot logs here")
    args = parser.parse_args()
    signals = {
        "kill": [signal.SIGKILL],
        "term": [signal.SIGTERM],
        "both": [signal.SIGKILL, signal.SIGTERM],
    }[args.signal]
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            tmp = str(args.keep)
        for sig in signals:
            result = await drill(
                sig,
                servers=args.servers,
                stops=args.stops,
                seed_value=args.seed,
                workdir=Path(tmp),
                send_rate=args.send_rate,
                tick=args.tick,
            )
            print("\n".join(report(result)), flush=True)
            ok &= result.ok
            if not result.ok:
                with contextlib.suppress(OSError):
                    print((Path(tmp) / f"{sig.name}.log").read_text()[-3000:])
    print(f"Overall: {'PASS' if ok else 'FAIL'}")
    print(
        "Rerun: .venv/bin/python benchmarks/delivery_drills.py "
        f"--servers {args.servers} --stops {args.stops} --signal {args.signal} "
        f"--seed {args.seed} --send-rate {args.send_rate:g} --tick {args.tick:g}"
    )


if __name__ == "__main__":
    asyncio.run(main())
