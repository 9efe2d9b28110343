"""The bot at 20,000 servers: 8 shards in 2 processes on one PostgreSQL, against one SQLite.

Real bot processes (``python -m tests.e2e.bot_process``, the production start-up with a
frozen clock) connect to the simulator in this process, which holds 20,000 servers and
enforces Discord's global limit of 50 requests/s. 2,000 of the servers have a countdown due
at the same instant. Reported per scenario:

* time until every shard is ready (from the processes' start to the last shard's READY and
  GUILD_CREATEs having been sent, and to each process's first post);
* resident memory of each process after the fan-out (VmRSS);
* the fan-out: first to last post, its ratio to the 40 s physical minimum (2,000 posts at
  50/s), and the 429 count.

Scenarios: ``postgres`` (shards 0-3 and 4-7 in two processes, DATABASE_URL) and ``sqlite``
(all 8 shards in one process). The bot's budget is 45 requests/s; each of the two
processes takes the share of its shards (22.5/s), so together they stay under 50.

Run from the repository root:
    python benchmarks/sharded_scale.py --postgres-url postgresql://postgres@127.0.0.1:5432/postgres
    [--servers 20000] [--fanout 2000] [--max-concurrency 1] [--only sqlite|postgres]
(or set HEARTSTOPPER_TEST_POSTGRES_URL). Not part of pytest.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import secrets
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))  # run as a script from anywhere

from bot.countdown.settings import CountdownSettings  # noqa: E402
from bot.database.store import countdown_store, open_store  # noqa: E402
from bot.sandbox.simulator.server import Simulator  # noqa: E402

TOKEN = "benchmark-bot-token-0123456789abcdef"
POST_AT = dt.datetime(2024, 9, 1, 9, 0, tzinfo=dt.UTC)
GLOBAL_LIMIT = 50
SHARDS = 8
MESSAGES = "POST /channels/{channel_id}/messages"


@dataclass
class Result:
    name: str
    processes: int
    ready_s: float = 0.0
    first_post_s: list[float] = field(default_factory=list)
    fanout_s: float = 0.0
    posts: int = 0
    duplicates: int = 0
    rate_limited: int = 0
    rss_mb: list[float] = field(default_factory=list)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@contextlib.asynccontextmanager
async def fresh_schema(url: str) -> AsyncIterator[str]:
    import asyncpg

    schema = f"bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(url)
    try:
        await admin.execute(f"CREATE SCHEMA {schema}")
        separator = "&" if "?" in url else "?"
        yield f"{url}{separator}{urlencode({'search_path': schema})}"
    finally:
        await admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await admin.close()


async def seed(sqlite_path: Path, url: str | None, channels: dict[int, int]) -> None:
    async with open_store(sqlite_path, url) as db:
        repo = countdown_store(db)
        for guild_id, channel_id in channels.items():
            settings = CountdownSettings(
                guild_id=guild_id, channel_id=channel_id, post_time=dt.time(9, 0)
            )
            await repo.save_settings(settings, next_post_at=POST_AT, now=POST_AT)


async def start_process(
    sim: Simulator, sqlite_path: Path, url: str | None, shard_ids: str, log: Path
) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_"))}
    env.update(
        PYTHONPATH=str(PROJECT),
        DISCORD_TOKEN=TOKEN,
        DISCORD_API_BASE_URL=sim.api_base_url,
        DATABASE_PATH=str(sqlite_path),
        SHARD_COUNT=str(SHARDS),
        SHARD_IDS=shard_ids,
        COUNTDOWN_TEST_NOW=(POST_AT + dt.timedelta(seconds=30)).isoformat(),
        COUNTDOWN_TEST_TICK="1.0",
        COUNTDOWN_TEST_SEND_RATE="45",
    )
    if url is not None:
        env["DATABASE_URL"] = url
    with log.open("ab") as stderr:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.e2e.bot_process",
            cwd=PROJECT,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=stderr,
        )


async def scenario(
    name: str, args: argparse.Namespace, url: str | None, ranges: list[str], tmp: Path
) -> Result:
    result = Result(name, len(ranges))
    async with Simulator(
        token=TOKEN, global_rate_limit=GLOBAL_LIMIT, max_concurrency=args.max_concurrency
    ) as sim:
        built = time.perf_counter()
        guilds = [sim.add_guild(f"Fan Club {n}").id for n in range(args.servers)]
        channels = {g: sim.add_channel(g, "countdown").id for g in guilds[: args.fanout]}
        print(f"  {name}: built {args.servers:,} servers in {time.perf_counter() - built:.1f} s")
        sqlite_path = tmp / f"{name}.sqlite3"
        await seed(sqlite_path, url, channels)

        # When each process's first post lands: its shards are ready and it is posting.
        owner = {g: next(i for i, r in enumerate(ranges) if owns(r, g)) for g in channels}
        first_post: dict[int, float] = {}
        stamps: list[float] = []
        store = sim.state.store_message
        by_channel = {c: g for g, c in channels.items()}

        def stamp(message: dict, *, in_channel: bool) -> None:  # type: ignore[type-arg]
            store(message, in_channel=in_channel)
            guild = by_channel.get(int(message.get("channel_id", 0)))
            if guild is not None:
                now = time.perf_counter()
                stamps.append(now)
                first_post.setdefault(owner[guild], now)

        sim.state.store_message = stamp  # type: ignore[method-assign]
        log = tmp / f"{name}.log"
        started = time.perf_counter()
        procs = [await start_process(sim, sqlite_path, url, r, log) for r in ranges]
        try:
            await sim.wait_until(
                lambda: len(sim.gateway.identified_shards) >= SHARDS, 120, "every shard"
            )
            # READY and the GUILD_CREATEs of the last shard are queued on IDENTIFY.
            result.ready_s = time.perf_counter() - started
            await sim.wait_until(
                lambda: all(sim.state.messages.get(c) for c in channels.values()),
                args.fanout / 10 + 120,
                "every post",
            )
            await asyncio.sleep(2.0)  # a couple more ticks: nothing more may go out
            result.rss_mb = [rss_mb(p.pid) for p in procs]
        finally:
            for p in procs:
                if p.returncode is None:
                    p.terminate()
            for p in procs:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(p.wait(), 30)
        counts = [len(sim.state.messages.get(c, [])) for c in channels.values()]
        result.posts = sum(counts)
        result.duplicates = sum(n - 1 for n in counts if n > 1)
        result.rate_limited = sim.stats.rate_limited
        result.fanout_s = max(stamps) - min(stamps)
        result.first_post_s = [first_post[i] - started for i in sorted(first_post)]
    return result


def owns(shard_range: str, guild_id: int) -> bool:
    low, _, high = shard_range.partition("-")
    return int(low) <= (guild_id >> 22) % SHARDS <= int(high or low)


def report(result: Result, fanout: int) -> None:
    minimum = fanout / GLOBAL_LIMIT
    print(f"\n{result.name}: {result.processes} process(es), {SHARDS} shards")
    print(f"  every shard identified ........ {result.ready_s:6.1f} s after start")
    firsts = ", ".join(f"{s:.1f} s" for s in result.first_post_s)
    print(f"  first post per process ........ {firsts}")
    rss = ", ".join(f"{r:.0f} MB" for r in result.rss_mb)
    print(f"  resident memory per process ... {rss}")
    print(
        f"  fan-out of {fanout:,} posts ........ {result.fanout_s:6.1f} s "
        f"(x{result.fanout_s / minimum:.2f} the {minimum:.0f} s minimum), "
        f"{result.rate_limited} x 429, {result.posts:,} posts, {result.duplicates} duplicates"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=20_000)
    parser.add_argument("--fanout", type=int, default=2_000)
    parser.add_argument("--max-concurrency", type=int, default=1)
    parser.add_argument("--postgres-url", default=os.environ.get("HEARTSTOPPER_TEST_POSTGRES_URL"))
    parser.add_argument("--only", choices=("postgres", "sqlite"))
    args = parser.parse_args()
    if args.only != "sqlite" and not args.postgres_url:
        parser.error("--postgres-url (or HEARTSTOPPER_TEST_POSTGRES_URL) is needed")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        if args.only != "sqlite":
            async with fresh_schema(args.postgres_url) as url:
                results.append(await scenario("postgres", args, url, ["0-3", "4-7"], Path(tmp)))
        if args.only != "postgres":
            results.append(await scenario("sqlite", args, None, ["0-7"], Path(tmp)))
    for result in results:
        report(result, args.fanout)


if __name__ == "__main__":
    asyncio.run(main())
