"""The simulator speaks sharding: IDENTIFY with a shard, per-shard GUILD_CREATEs, 4011."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.sandbox.simulator.server import Simulator
from tests.unit.test_simulator_gateway import GUILDS, connect


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


async def _guild_creates(gw, count: int) -> set[int]:  # type: ignore[no-untyped-def]
    ids = set()
    for _ in range(count):
        ids.add(int((await gw.until("GUILD_CREATE"))["d"]["id"]))
    return ids


async def test_each_shard_gets_only_its_servers(session: aiohttp.ClientSession) -> None:
    async with Simulator() as sim:
        guilds = [sim.add_guild(f"Fan Club {n}").id for n in range(12)]
        expected = {s: {g for g in guilds if (g >> 22) % 3 == s} for s in range(3)}
        # Servers made in a burst still land on every shard, as real ones do.
        assert all(expected.values()), expected
        for shard_id in range(3):
            gw = await connect(session, sim.gateway_url)
            await gw.send(2, {"token": sim.token, "intents": GUILDS, "shard": [shard_id, 3]})
            ready = await gw.until("READY")
            assert ready["d"]["shard"] == [shard_id, 3]
            assert {int(g["id"]) for g in ready["d"]["guilds"]} == expected[shard_id]
            assert await _guild_creates(gw, len(expected[shard_id])) == expected[shard_id]
        assert sim.gateway.identified_shards == [(0, 3), (1, 3), (2, 3)]


async def test_events_reach_only_the_owning_shard(session: aiohttp.ClientSession) -> None:
    async with Simulator() as sim:
        guilds = [sim.add_guild(f"Fan Club {n}").id for n in range(4)]
        for shard_id in range(2):
            gw = await connect(session, sim.gateway_url)
            await gw.send(2, {"token": sim.token, "intents": GUILDS, "shard": [shard_id, 2]})
            await gw.until("READY")
        on_zero = next(g for g in guilds if (g >> 22) % 2 == 0)
        assert sim.dispatch("CHANNEL_CREATE", {"id": "1", "guild_id": str(on_zero)}) == 1
        assert sim.dispatch("GUILD_DELETE", {"id": str(on_zero)}) == 1


@pytest.mark.parametrize("shard", [[2, 2], [-1, 2], [0], "0,1", [0, 0]])
async def test_malformed_shard_is_refused_with_4010(
    session: aiohttp.ClientSession, shard: object
) -> None:
    async with Simulator() as sim:
        gw = await connect(session, sim.gateway_url)
        await gw.send(2, {"token": sim.token, "intents": GUILDS, "shard": shard})
        assert await gw.recv() == {"close": 4010}


async def test_unsharded_session_above_the_limit_is_closed_with_4011(
    session: aiohttp.ClientSession,
) -> None:
    async with Simulator(max_guilds_per_session=4) as sim:
        for n in range(5):
            sim.add_guild(f"Fan Club {n}")
        gw = await connect(session, sim.gateway_url)
        await gw.send(2, {"token": sim.token, "intents": GUILDS})
        assert await gw.recv() == {"close": 4011}
        # Two shards of at most four servers each are accepted.
        gw = await connect(session, sim.gateway_url)
        await gw.send(2, {"token": sim.token, "intents": GUILDS, "shard": [1, 2]})
        assert (await gw.until("READY"))["d"]["shard"] == [1, 2]


async def test_2501_servers_need_sharding_and_are_quick_to_build(
    session: aiohttp.ClientSession,
) -> None:
    async with Simulator(max_concurrency=4) as sim:
        started = time.perf_counter()
        for n in range(2501):
            sim.add_guild(f"Fan Club {n}")
        assert time.perf_counter() - started < 5.0
        gw = await connect(session, sim.gateway_url)
        await gw.send(2, {"token": sim.token, "intents": GUILDS, "shard": [0, 1]})
        assert await gw.recv() == {"close": 4011}
        async with session.get(
            f"{sim.api_base_url}/gateway/bot", headers={"Authorization": f"Bot {sim.token}"}
        ) as response:
            body = await response.json()
        assert body["shards"] == 3  # about one shard per 1,000 servers
        assert body["session_start_limit"]["max_concurrency"] == 4
