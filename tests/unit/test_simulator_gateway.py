"""Gateway and interaction protocol, driven by a raw websocket client (no discord.py)."""

from __future__ import annotations

import asyncio
import json
import zlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.sandbox.simulator import permissions as p
from bot.sandbox.simulator.demo import DemoGuild, add_demo_guild
from bot.sandbox.simulator.server import Simulator

SYNC_FLUSH = b"\x00\x00\xff\xff"
GUILDS = 1 << 0
QUERY = "?v=10&encoding=json&compress=zlib-stream"


class RawGateway:
    """A minimal gateway client: one zlib inflater per connection, as Discord requires."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self._inflate = zlib.decompressobj()
        self._buffer = bytearray()

    async def recv(self, wait: float = 2.0) -> dict[str, Any]:
        while True:
            msg = await self.ws.receive(wait)
            if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                return {"close": self.ws.close_code}
            assert msg.type is aiohttp.WSMsgType.BINARY, "zlib-stream frames must be binary"
            self._buffer.extend(msg.data)
            if msg.data.endswith(SYNC_FLUSH):
                text = self._inflate.decompress(bytes(self._buffer))
                self._buffer.clear()
                return json.loads(text)

    async def until(self, event: str) -> dict[str, Any]:
        while (frame := await self.recv()).get("t") != event:
            assert "close" not in frame, frame
        return frame

    async def send(self, op: int, data: Any) -> None:
        await self.ws.send_str(json.dumps({"op": op, "d": data}))

    async def identify(self, token: str, intents: int = GUILDS) -> dict[str, Any]:
        await self.send(2, {"token": token, "intents": intents, "properties": {}})
        return await self.until("READY")


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator(heartbeat_interval=1234, interaction_deadline=0.3) as s:
        yield s


@pytest.fixture
def demo(sim: Simulator) -> DemoGuild:
    return add_demo_guild(sim)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


async def connect(session: aiohttp.ClientSession, url: str) -> RawGateway:
    gw = RawGateway(await session.ws_connect(url + QUERY))
    hello = await gw.recv()
    assert hello["op"] == 10
    return gw


async def test_hello_identify_ready_and_guild_create(
    sim: Simulator, demo: DemoGuild, session: aiohttp.ClientSession
) -> None:
    gw = RawGateway(await session.ws_connect(sim.gateway_url + QUERY))
    assert (await gw.recv())["d"] == {"heartbeat_interval": 1234}
    await gw.send(1, None)
    assert (await gw.recv())["op"] == 11
    ready = await gw.identify(sim.token)
    assert ready["s"] == 1
    assert ready["d"]["resume_gateway_url"].endswith("/gateway/resume")
    assert ready["d"]["guilds"] == [{"id": str(demo.guild_id), "unavailable": True}]
    assert ready["d"]["application"]["id"] == str(sim.application_id)
    guild = await gw.until("GUILD_CREATE")
    assert guild["s"] == 2
    assert [m["user"]["id"] for m in guild["d"]["members"]] == [str(sim.bot_user_id)]
    read_only = next(c for c in guild["d"]["channels"] if c["name"] == "read-only")
    assert {o["id"] for o in read_only["permission_overwrites"]} >= {str(sim.bot_user_id)}
    await sim.wait_for_ready(timeout=1)
    assert sim.stats.identifies == 1


@pytest.mark.parametrize(
    ("identify", "code"),
    [
        ({"token": "wrong", "intents": 1}, 4004),
        ({"token": "sandbox-token", "intents": 1 << 15}, 4014),
    ],
)
async def test_identify_rejections(
    sim: Simulator, session: aiohttp.ClientSession, identify: dict[str, Any], code: int
) -> None:
    gw = await connect(session, sim.gateway_url)
    await gw.send(2, identify)
    assert await gw.recv() == {"close": code}


async def test_state_changes_are_dispatched(
    sim: Simulator, demo: DemoGuild, session: aiohttp.ClientSession
) -> None:
    gw = await connect(session, sim.gateway_url)
    await gw.identify(sim.token)
    await gw.until("GUILD_CREATE")
    channel = sim.add_channel(demo.guild_id, "spoilers")
    assert (await gw.until("CHANNEL_CREATE"))["d"]["name"] == "spoilers"
    sim.revoke_bot_permission(channel.id, p.SEND_MESSAGES)
    update = await gw.until("CHANNEL_UPDATE")
    assert update["d"]["permission_overwrites"] == [
        {"id": str(sim.bot_user_id), "type": 1, "allow": "0", "deny": str(p.SEND_MESSAGES)}
    ]
    sim.update_role(demo.fans_role_id, mentionable=False)
    assert (await gw.until("GUILD_ROLE_UPDATE"))["d"]["role"]["mentionable"] is False
    sim.remove_guild(demo.guild_id)
    assert (await gw.until("GUILD_DELETE"))["d"] == {"id": str(demo.guild_id)}


async def test_resume_replays_missed_events(
    sim: Simulator, demo: DemoGuild, session: aiohttp.ClientSession
) -> None:
    gw = await connect(session, sim.gateway_url)
    ready = await gw.identify(sim.token)
    last = (await gw.until("GUILD_CREATE"))["s"]
    assert await sim.drop_gateway() == 1
    assert (await gw.recv())["close"] == 4000
    sim.add_channel(demo.guild_id, "while-away")  # dispatched while nobody is connected

    again = await connect(session, ready["d"]["resume_gateway_url"])
    await again.send(6, {"token": sim.token, "session_id": ready["d"]["session_id"], "seq": last})
    missed = await again.recv()
    assert (missed["t"], missed["s"], missed["d"]["name"]) == (
        "CHANNEL_CREATE",
        last + 1,
        "while-away",
    )
    resumed = await again.recv()
    assert (resumed["t"], resumed["s"]) == ("RESUMED", last + 2)
    assert sim.stats.resumes == 1

    stranger = await connect(session, sim.gateway_url)
    await stranger.send(6, {"token": sim.token, "session_id": "nope", "seq": 1})
    assert await stranger.recv() == {"op": 9, "d": False, "s": None, "t": None}


async def register_ping(sim: Simulator, session: aiohttp.ClientSession, guild_id: int) -> None:
    url = f"{sim.api_base_url}/applications/{sim.application_id}/guilds/{guild_id}/commands"
    body = [{"name": "ping", "description": "Ping", "type": 1}]
    headers = {"Authorization": f"Bot {sim.token}"}
    async with session.put(url, json=body, headers=headers) as resp:
        assert resp.status == 200


async def test_interaction_callback_rules(
    sim: Simulator, demo: DemoGuild, session: aiohttp.ClientSession
) -> None:
    gw = await connect(session, sim.gateway_url)
    await gw.identify(sim.token)
    await register_ping(sim, session, demo.guild_id)
    running = asyncio.create_task(
        sim.run_command(demo.guild_id, demo.general_id, demo.fan_id, "ping")
    )
    event = (await gw.until("INTERACTION_CREATE"))["d"]
    assert event["data"]["name"] == "ping" and event["version"] == 1
    assert event["member"]["user"]["id"] == str(demo.fan_id) and int(event["member"]["permissions"])
    assert int(event["app_permissions"]) == sim.bot_permissions_in(demo.general_id)

    base = sim.api_base_url
    followup_url = f"{base}/webhooks/{sim.application_id}/{event['token']}"
    callback_url = f"{base}/interactions/{event['id']}/{event['token']}/callback"
    async with session.post(followup_url, json={"content": "too soon"}) as resp:
        assert (resp.status, (await resp.json())["code"]) == (404, 10015)
    async with session.post(callback_url, params={"with_response": "1"}, json={"type": 5}) as resp:
        answer = await resp.json()
        assert resp.status == 200 and answer["interaction"]["response_message_loading"] is True
    async with session.post(callback_url, json={"type": 4, "data": {"content": "x"}}) as resp:
        assert (resp.status, (await resp.json())["code"]) == (400, 40060)
    async with session.post(followup_url, params={"wait": "1"}, json={"content": "pong"}) as resp:
        assert (await resp.json())["id"] == answer["interaction"]["response_message_id"]

    result = await running
    assert (result.type, result.content, result.loading) == (5, "pong", False)
    async with session.patch(
        f"{followup_url}/messages/@original", json={"content": "pong!"}
    ) as resp:
        assert resp.status == 200
    assert result.content == "pong!"
    assert [m["content"] for m in sim.messages(demo.general_id)] == ["pong!"]


async def test_unanswered_interaction_fails_and_late_answer_is_refused(
    sim: Simulator, demo: DemoGuild, session: aiohttp.ClientSession
) -> None:
    gw = await connect(session, sim.gateway_url)
    await gw.identify(sim.token)
    await register_ping(sim, session, demo.guild_id)
    result = await sim.run_command(demo.guild_id, demo.general_id, demo.fan_id, "ping")
    assert result.failed and result.error == "The application did not respond"
    event = (await gw.until("INTERACTION_CREATE"))["d"]
    url = f"{sim.api_base_url}/interactions/{event['id']}/{event['token']}/callback"
    async with session.post(url, json={"type": 4, "data": {"content": "late"}}) as resp:
        assert (resp.status, (await resp.json())["code"]) == (404, 10062)
    assert sim.stats.late_callbacks == 1 and sim.messages(demo.general_id) == []


async def test_run_command_checks_options_against_the_schema(
    sim: Simulator, demo: DemoGuild, session: aiohttp.ClientSession
) -> None:
    gw = await connect(session, sim.gateway_url)
    await gw.identify(sim.token)
    await register_ping(sim, session, demo.guild_id)
    with pytest.raises(ValueError, match="unknown option"):
        await sim.run_command(demo.guild_id, demo.general_id, demo.fan_id, "ping", {"x": 1})
    with pytest.raises(ValueError, match="not registered"):
        await sim.run_command(demo.guild_id, demo.general_id, demo.fan_id, "nope")
