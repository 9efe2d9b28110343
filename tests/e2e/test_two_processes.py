"""Two bot processes on one PostgreSQL, each running half the shards: every server gets
exactly one post, also when one process is SIGKILLed mid fan-out and restarted.

A dead process's posts resume when it restarts (its shards, its open claims from an earlier
boot id) the same local day, or, if it does not come back, another process takes them over
once the dead one's lease on its shards has expired.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from pathlib import Path
from typing import Any

from bot.sandbox.simulator.server import Simulator
from bot.scheduling.sharding import shard_of
from tests.backends import Backend
from tests.e2e.test_countdown_crash import TOKEN, bot_process, ledger_states, seed

SERVERS = 200
RATE = 120.0  # the bot's budget; each process takes half (60/s): a fan-out of ~1.7 s
KILL_AFTER = 30  # posts of shard 0's process before it is SIGKILLed


def shard_env(shard_id: int) -> dict[str, str]:
    return {"SHARD_COUNT": "2", "SHARD_IDS": str(shard_id)}


async def build(sim: Simulator, backend: Backend) -> dict[int, int]:
    channels: dict[int, int] = {}
    for n in range(SERVERS):
        guild = sim.add_guild(f"Fan Club {n}")
        channels[guild.id] = sim.add_channel(guild.id, "countdown").id
    await seed(backend, channels)
    return channels


def posts(sim: Simulator, channels: dict[int, int]) -> dict[int, int]:
    return {g: len(sim.state.messages.get(c, [])) for g, c in channels.items()}


async def assert_one_post_each_by_its_owner(backend: Backend, channels: dict[int, int]) -> None:
    assert await ledger_states(backend) == {"sent": SERVERS}
    rows = await backend.rows("SELECT guild_id, boot_id FROM deliveries")
    shards_by_boot: dict[str, set[int]] = {}
    for guild_id, boot_id in rows:
        shards_by_boot.setdefault(boot_id, set()).add(shard_of(guild_id, 2))
    # Every post was sent by a process running the server's shard.
    assert all(len(shards) == 1 for shards in shards_by_boot.values()), shards_by_boot


async def test_two_processes_with_half_the_shards_each_post_once_per_server(
    tmp_path: Path, postgres_backend: Backend
) -> None:
    log = tmp_path / "bots.log"
    # Discord's real global limit, and the bot's real budget (45/s) split by shards: the two
    # processes together stay under the limit, so Discord never answers 429.
    async with Simulator(token=TOKEN, global_rate_limit=50) as sim:
        channels = await build(sim, postgres_backend)
        async with contextlib.AsyncExitStack() as stack:
            for shard_id in (0, 1):
                await stack.enter_async_context(
                    bot_process(sim, postgres_backend, log, send_rate=45.0, **shard_env(shard_id))
                )
            await sim.wait_until(
                lambda: min(posts(sim, channels).values()) >= 1, 60, "every server's post"
            )
            await asyncio.sleep(1.0)  # more ticks from both: nothing more may go out
        assert set(posts(sim, channels).values()) == {1}, log.read_text()[-2000:]
        assert sorted(shard for shard, _ in sim.gateway.identified_shards) == [0, 1]
        assert sim.stats.rate_limited == 0
        # max_concurrency 1 is for the whole bot: the second process waited for its turn.
        first, second = sim.gateway.identify_times
        assert second - first >= 4.9
    await assert_one_post_each_by_its_owner(postgres_backend, channels)


async def test_one_process_sigkilled_mid_fan_out_resumes_on_restart(
    tmp_path: Path, postgres_backend: Backend
) -> None:
    log = tmp_path / "bots.log"
    async with Simulator(token=TOKEN, max_concurrency=2) as sim:  # no IDENTIFY waits
        channels = await build(sim, postgres_backend)
        on_zero = [g for g in channels if shard_of(g, 2) == 0]

        def zero_posts() -> int:
            return sum(posts(sim, {g: channels[g] for g in on_zero}).values())

        # Kill shard 0's process the moment Discord stores its post number KILL_AFTER,
        # before the process sees the answer (that post's row stays "sending").
        victim: list[int] = []
        store = sim.state.store_message

        def store_then_kill(message: dict[str, Any], *, in_channel: bool) -> None:
            store(message, in_channel=in_channel)
            if victim and zero_posts() == KILL_AFTER:
                os.kill(victim.pop(), signal.SIGKILL)

        sim.state.store_message = store_then_kill  # type: ignore[method-assign]
        async with bot_process(sim, postgres_backend, log, send_rate=RATE, **shard_env(1)):
            async with bot_process(
                sim, postgres_backend, log, send_rate=RATE, **shard_env(0)
            ) as zero:
                victim.append(zero.pid)
                assert await asyncio.wait_for(zero.wait(), 60) == -signal.SIGKILL
            assert zero_posts() == KILL_AFTER
            # The other process carries on with its own servers, and only those.
            await sim.wait_until(
                lambda: all(n == 1 for g, n in posts(sim, channels).items() if g not in on_zero),
                60,
                "shard 1's posts",
            )
            assert zero_posts() == KILL_AFTER
            # Shard 0's process comes back (systemd restarts it) and finishes its fan-out.
            async with bot_process(sim, postgres_backend, log, send_rate=RATE, **shard_env(0)):
                await sim.wait_until(
                    lambda: min(posts(sim, channels).values()) >= 1, 60, "every server's post"
                )
                await asyncio.sleep(1.0)
        assert set(posts(sim, channels).values()) == {1}, log.read_text()[-2000:]
    await assert_one_post_each_by_its_owner(postgres_backend, channels)


async def test_a_process_that_stays_dead_has_its_posts_taken_over_by_lease(
    tmp_path: Path, postgres_backend: Backend
) -> None:
    log = tmp_path / "bots.log"
    lease = {"COUNTDOWN_TEST_LEASE": "1.5"}
    async with Simulator(token=TOKEN, max_concurrency=2) as sim:
        channels = await build(sim, postgres_backend)
        on_zero = [g for g in channels if shard_of(g, 2) == 0]

        def zero_posts() -> int:
            return sum(posts(sim, {g: channels[g] for g in on_zero}).values())

        victim: list[int] = []
        store = sim.state.store_message

        def store_then_kill(message: dict[str, Any], *, in_channel: bool) -> None:
            store(message, in_channel=in_channel)
            if victim and zero_posts() == KILL_AFTER:
                os.kill(victim.pop(), signal.SIGKILL)

        sim.state.store_message = store_then_kill  # type: ignore[method-assign]
        async with bot_process(sim, postgres_backend, log, send_rate=RATE, **shard_env(1), **lease):
            async with bot_process(
                sim, postgres_backend, log, send_rate=RATE, **shard_env(0), **lease
            ) as zero:
                victim.append(zero.pid)
                assert await asyncio.wait_for(zero.wait(), 60) == -signal.SIGKILL
            # Nobody restarts shard 0's process: shard 1's takes its posts over.
            await sim.wait_until(
                lambda: min(posts(sim, channels).values()) >= 1, 60, "every server's post"
            )
            await asyncio.sleep(1.0)
        assert set(posts(sim, channels).values()) == {1}, log.read_text()[-2000:]
        assert "taking over their posts" in log.read_text()
    assert await ledger_states(postgres_backend) == {"sent": SERVERS}
