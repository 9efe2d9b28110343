"""The simulator's REST API over real HTTP, without discord.py: shapes, errors, faults."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.sandbox.simulator import permissions as p
from bot.sandbox.simulator.demo import DemoGuild, add_demo_guild
from bot.sandbox.simulator.server import Simulator


class Api:
    def __init__(self, sim: Simulator, session: aiohttp.ClientSession) -> None:
        self.sim = sim
        self.session = session

    async def call(
        self, method: str, path: str, body: Any = None, *, auth: str | None = "default", **kw: Any
    ) -> tuple[int, Any, aiohttp.typedefs.LooseHeaders]:
        headers = (
            {}
            if auth is None
            else {"Authorization": f"Bot {self.sim.token if auth == 'default' else auth}"}
        )
        if body is not None:
            kw["json"] = body
        async with self.session.request(
            method, self.sim.api_base_url + path, headers=headers, **kw
        ) as resp:
            data = await resp.json() if resp.content_type == "application/json" else None
            return resp.status, data, resp.headers


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator(global_rate_limit=None) as s:
        yield s


@pytest.fixture
def demo(sim: Simulator) -> DemoGuild:
    return add_demo_guild(sim)


@pytest.fixture
async def api(sim: Simulator) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as session:
        yield Api(sim, session)


async def test_auth_and_unknown_routes(api: Api) -> None:
    assert (await api.call("GET", "/users/@me", auth="wrong"))[:2] == (
        401,
        {"message": "401: Unauthorized", "code": 0},
    )
    assert (await api.call("GET", "/users/@me", auth=None))[0] == 401
    assert (await api.call("GET", "/nope/nope"))[:2] == (
        404,
        {"message": "404: Not Found", "code": 0},
    )
    # Interaction callbacks need no bot token: this is an unknown interaction, not a 401.
    status, body, _ = await api.call("POST", "/interactions/1/abc/callback", {"type": 4}, auth=None)
    assert (status, body["code"]) == (404, 10062)


async def test_identity_routes_and_headers(api: Api, sim: Simulator) -> None:
    status, me, headers = await api.call("GET", "/users/@me")
    assert status == 200 and me["id"] == str(sim.bot_user_id) and me["bot"] is True
    assert headers["Content-Type"] == "application/json"  # exactly, as discord.py checks
    for name in ("Limit", "Remaining", "Reset", "Reset-After", "Bucket"):
        assert f"X-RateLimit-{name}" in headers
    _, app, _ = await api.call("GET", "/oauth2/applications/@me")
    assert app["id"] == str(sim.application_id) and app["interactions_endpoint_url"] is None
    _, gateway, _ = await api.call("GET", "/gateway/bot")
    assert gateway["url"] == sim.gateway_url and gateway["shards"] == 1


async def test_message_errors(api: Api, sim: Simulator, demo: DemoGuild) -> None:
    async def post(channel: int, body: dict[str, Any]) -> tuple[int, Any]:
        status, data, _ = await api.call("POST", f"/channels/{channel}/messages", body)
        return status, data

    assert await post(123456789012345678, {"content": "x"}) == (
        404,
        {"message": "Unknown Channel", "code": 10003},
    )
    assert await post(demo.read_only_id, {"content": "x"}) == (
        403,
        {"message": "Missing Permissions", "code": 50013},
    )
    sim.revoke_bot_permission(demo.countdown_id, p.VIEW_CHANNEL)
    assert await post(demo.countdown_id, {"content": "x"}) == (
        403,
        {"message": "Missing Access", "code": 50001},
    )
    sim.revoke_bot_permission(demo.general_id, p.EMBED_LINKS)
    assert (await post(demo.general_id, {"embeds": [{"title": "t"}]}))[0] == 403
    status, body = await post(demo.general_id, {})
    assert status == 400 and body["code"] == 50006  # from validation: empty message
    assert sim.messages(demo.general_id) == []


async def test_create_edit_delete_message(api: Api, sim: Simulator, demo: DemoGuild) -> None:
    base = f"/channels/{demo.general_id}/messages"
    body = {"content": f"hi <@{demo.fan_id}>", "flags": 1 << 12, "nonce": "n1"}
    status, msg, _ = await api.call("POST", base, body)
    assert status == 200 and msg["author"]["id"] == str(sim.bot_user_id)
    assert msg["flags"] == 1 << 12 and [u["id"] for u in msg["mentions"]] == [str(demo.fan_id)]
    # Without enforce_nonce the same nonce makes a second message; with it, the first returns.
    _, second, _ = await api.call("POST", base, body)
    _, third, _ = await api.call("POST", base, {**body, "enforce_nonce": True})
    assert second["id"] != msg["id"] and third["id"] == second["id"]

    status, edited, _ = await api.call("PATCH", f"{base}/{msg['id']}", {"content": "hello"})
    assert status == 200 and edited["mentions"] == [] and edited["edited_timestamp"]
    status, fetched, _ = await api.call("GET", f"{base}/{msg['id']}")
    assert fetched["content"] == "hello"
    assert (await api.call("DELETE", f"{base}/{msg['id']}"))[0] == 204
    status, gone, _ = await api.call("GET", f"{base}/{msg['id']}")
    assert (status, gone["code"]) == (404, 10008)
    assert [m["id"] for m in sim.messages(demo.general_id)] == [second["id"]]


async def test_multipart_payload_json(api: Api, sim: Simulator, demo: DemoGuild) -> None:
    form = aiohttp.FormData()
    form.add_field(
        "payload_json",
        json.dumps({"content": "poster", "attachments": [{"id": 0, "filename": "p.png"}]}),
    )
    form.add_field("files[0]", b"\x89PNG", filename="p.png", content_type="image/png")
    status, msg, _ = await api.call("POST", f"/channels/{demo.general_id}/messages", data=form)
    assert status == 200 and msg["content"] == "poster"
    assert [(a["filename"], a["size"]) for a in msg["attachments"]] == [("p.png", 4)]


async def test_guild_routes(api: Api, demo: DemoGuild, sim: Simulator) -> None:
    _, guild, _ = await api.call("GET", f"/guilds/{demo.guild_id}")
    assert guild["name"] == "Heartstopper Fan Club"
    assert any(r["id"] == str(demo.guild_id) for r in guild["roles"])  # @everyone id == guild id
    _, channels, _ = await api.call("GET", f"/guilds/{demo.guild_id}/channels")
    assert [c["name"] for c in channels] == ["general", "countdown", "read-only"]
    _, member, _ = await api.call("GET", f"/guilds/{demo.guild_id}/members/{demo.fan_id}")
    assert member["roles"] == [str(demo.fans_role_id)]
    status, body, _ = await api.call("GET", f"/guilds/{demo.guild_id}/members/1")
    assert (status, body["code"]) == (404, 10007)
    status, body, _ = await api.call("GET", "/guilds/1")
    assert (status, body["code"]) == (404, 10004)


async def test_command_sync_keeps_ids_and_validates(
    api: Api, sim: Simulator, demo: DemoGuild
) -> None:
    path = f"/applications/{sim.application_id}/guilds/{demo.guild_id}/commands"
    cmd = {"name": "countdown", "description": "Countdowns", "type": 1}
    _, first, _ = await api.call("PUT", path, [cmd])
    _, again, _ = await api.call("PUT", path, [cmd])
    assert first[0]["id"] == again[0]["id"] and first[0]["guild_id"] == str(demo.guild_id)
    assert await sim.wait_for_commands(demo.guild_id, timeout=1) == again
    status, body, _ = await api.call("PUT", path, [{**cmd, "name": "Bad Name"}])
    assert status == 400 and body["code"] == 50035
    status, body, _ = await api.call(
        "PUT", f"/applications/{sim.application_id}/guilds/1/commands", [cmd]
    )
    assert (status, body["code"]) == (403, 50001)
    assert sim.commands() == []


async def test_injected_failures_and_rate_limits(api: Api, sim: Simulator) -> None:
    sim.faults.fail("GET", r"^/users/@me$", status=502)
    assert (await api.call("GET", "/users/@me"))[0] == 502
    assert (await api.call("GET", "/users/@me"))[0] == 200  # spent after one use

    sim.faults.rate_limit("get", "/users/", retry_after=1.5)
    status, body, headers = await api.call("GET", "/users/@me")
    assert status == 429
    assert body == {"message": "You are being rate limited.", "retry_after": 1.5, "global": False}
    assert headers["Retry-After"] == "2" and headers["X-RateLimit-Scope"] == "user"
    assert headers["Via"]  # discord.py treats a 429 without Via as a Cloudflare ban
    assert sim.stats.rate_limited == 1 and sim.stats.requests["GET /users/@me"] == 3


async def test_global_rate_limit() -> None:
    async with Simulator(global_rate_limit=3) as sim, aiohttp.ClientSession() as session:
        api = Api(sim, session)
        statuses = [(await api.call("GET", "/users/@me"))[0] for _ in range(3)]
        status, body, headers = await api.call("GET", "/users/@me")
        assert statuses == [200, 200, 200] and status == 429
        assert body["global"] is True and headers["X-RateLimit-Global"] == "true"
        # Unauthenticated interaction routes do not count against the bot's global limit.
        assert (await api.call("GET", "/gateway", auth=None))[0] == 200
