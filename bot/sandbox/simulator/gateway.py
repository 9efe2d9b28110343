"""The simulated Discord gateway: a real websocket speaking gateway v10 JSON."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from . import wire_json
from .faults import SimStats
from .payloads import guild_create_payload, me_payload
from .state import SimState

log = logging.getLogger(__name__)

# Opcodes
DISPATCH, HEARTBEAT, IDENTIFY, RESUME, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 0, 1, 2, 6, 9, 10, 11
# Intents
GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_PRESENCES = 1 << 8
GUILD_MESSAGES = 1 << 9
MESSAGE_CONTENT = 1 << 15
GUILD_SCHEDULED_EVENTS = 1 << 16
PRIVILEGED_INTENTS = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT
# Close codes
UNKNOWN_OPCODE, DECODE_ERROR, AUTH_FAILED, ALREADY_AUTHENTICATED = 4001, 4002, 4004, 4005
INVALID_SHARD, SHARDING_REQUIRED = 4010, 4011
INVALID_INTENTS, DISALLOWED_INTENTS = 4013, 4014
# Discord refuses a session that would receive more servers than this: the bot must shard.
MAX_GUILDS_PER_SESSION = 2500

# How many dispatches a session keeps for RESUME replay.
_REPLAY_BUFFER = 2000
_CLOSE = object()


class Connection:
    """One websocket; frames go out in order through a queue, zlib-stream if asked."""

    def __init__(
        self,
        ws: web.WebSocketResponse,
        *,
        compress: bool,
        on_sent: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.ws = ws
        self._on_sent = on_sent
        self._zlib = zlib.compressobj() if compress else None
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._writer = asyncio.create_task(self._write_loop(), name="sim-gateway-writer")
        self.dropped_by_server = False

    def send(self, frame: dict[str, Any]) -> None:
        self._queue.put_nowait(frame)

    def close_after_pending(self, code: int, reason: str = "") -> None:
        self._queue.put_nowait((_CLOSE, code, reason))

    async def drop(self, code: int) -> None:
        """Close now, without flushing queued frames (they stay in the session's replay log)."""
        self.dropped_by_server = True
        self._writer.cancel()
        await self.ws.close(code=code)

    async def stop(self) -> None:
        self._writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._writer

    async def _write_loop(self) -> None:
        while True:
            item = await self._queue.get()
            if isinstance(item, tuple) and item[0] is _CLOSE:
                await self.ws.close(code=item[1], message=item[2].encode())
                return
            encoded = wire_json.dumps(item)
            try:
                if self._zlib is None:
                    await self.ws.send_str(encoded.decode())
                else:
                    data = self._zlib.compress(encoded) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
                    await self.ws.send_bytes(data)
            except (ConnectionError, RuntimeError):
                return  # socket went away; the session log keeps the frames
            if self._on_sent is not None:
                self._on_sent(item)


@dataclass
class Session:
    id: str
    intents: int
    shard: list[int] | None
    seq: int = 0
    shard_id: int = 0
    shard_count: int = 1
    log: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=_REPLAY_BUFFER))
    conn: Connection | None = None
    valid: bool = True

    def dispatch(self, event: str, data: Any) -> None:
        self.seq += 1
        frame = {"op": DISPATCH, "t": event, "s": self.seq, "d": data}
        self.log.append(frame)
        if self.conn is not None:
            self.conn.send(frame)

    def replay_after(self, seq: int) -> list[dict[str, Any]] | None:
        """Frames after ``seq``, or None if the buffer no longer reaches back that far."""
        if seq > self.seq:
            return None
        frames = [f for f in self.log if f["s"] > seq]
        if seq < self.seq and (not frames or frames[0]["s"] != seq + 1):
            return None
        return frames


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard that receives a server's events (Discord's formula)."""
    return (guild_id >> 22) % shard_count


def parse_shard(value: Any) -> tuple[int, int] | None:
    """``[shard_id, shard_count]`` from IDENTIFY (absent: ``(0, 1)``); None when malformed."""
    if value is None:
        return 0, 1
    if not (isinstance(value, list) and len(value) == 2 and all(type(v) is int for v in value)):
        return None
    shard_id, count = value
    return (shard_id, count) if 0 <= shard_id < count else None


def _event_guild(event: str, data: Any) -> int | None:
    """The server an event belongs to (None: not about one server, e.g. a DM)."""
    if not isinstance(data, dict):
        return None
    raw = data.get("id") if event in ("GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE") else None
    raw = raw or data.get("guild_id")
    return int(raw) if raw is not None else None


def _event_intent(event: str, data: Any, bot_id: int) -> int:
    """The intent a dispatch needs (0: always sent)."""
    if event.startswith(("GUILD_MEMBER_", "GUILD_MEMBERS_")):
        user = data.get("user", {}) if isinstance(data, dict) else {}
        return 0 if str(user.get("id")) == str(bot_id) else GUILD_MEMBERS
    if event.startswith("MESSAGE_"):
        return GUILD_MESSAGES
    if event.startswith("GUILD_SCHEDULED_EVENT_"):
        return GUILD_SCHEDULED_EVENTS
    if event.startswith(("GUILD_", "CHANNEL_")):
        return GUILDS
    return 0


class Gateway:
    """Accepts connections, runs IDENTIFY/RESUME/heartbeats and fans dispatches out."""

    def __init__(
        self,
        *,
        state: SimState,
        token: str,
        stats: SimStats,
        heartbeat_interval_ms: int,
        allowed_privileged_intents: int,
        application_flags: int,
        resume_url: Callable[[], str],
        notify: Callable[[], None],
        max_guilds_per_session: int = MAX_GUILDS_PER_SESSION,
        on_sent: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.state = state
        self.token = token
        self.stats = stats
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.allowed_privileged_intents = allowed_privileged_intents
        self.application_flags = application_flags
        self._resume_url = resume_url
        self._notify = notify
        self._on_sent = on_sent  # told of every dispatch once it is on the socket
        self.sessions: dict[str, Session] = {}
        self.connections: set[Connection] = set()
        self.ready_sessions = 0
        self.max_guilds_per_session = max_guilds_per_session
        self.identified_shards: list[tuple[int, int]] = []  # in IDENTIFY order
        self.identify_times: list[float] = []  # event-loop time of each accepted IDENTIFY
        self._tasks: set[asyncio.Task[None]] = set()

    # -- fan-out ----------------------------------------------------------------------
    def dispatch(self, event: str, data: Any) -> int:
        """Send an event to every live session that has the right intent and owns the server
        it is about (a DM goes to shard 0, as on Discord); returns how many."""
        need = _event_intent(event, data, self.state.bot_user.id)
        guild_id = _event_guild(event, data)
        sent = 0
        for session in self.sessions.values():
            shard = 0 if guild_id is None else shard_of(guild_id, session.shard_count)
            if session.shard_id != shard:
                continue
            if session.valid and (need == 0 or session.intents & need):
                session.dispatch(event, data)
                sent += 1
        return sent

    @property
    def has_session(self) -> bool:
        return any(s.valid for s in self.sessions.values())

    async def drop(self, code: int = 4000) -> int:
        """Close every socket abruptly with a resumable code; sessions survive for RESUME."""
        conns = list(self.connections)
        for conn in conns:
            await conn.drop(code)
        return len(conns)

    async def close_all(self) -> None:
        for conn in list(self.connections):
            await conn.drop(1001)
            await conn.stop()

    # -- websocket handler ------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        self.stats.gateway_connects[request.path] += 1
        ws = web.WebSocketResponse(max_msg_size=16 * 1024 * 1024)
        await ws.prepare(request)
        if request.query.get("encoding", "json") != "json":
            await ws.close(code=DECODE_ERROR, message=b"Only encoding=json is supported.")
            return ws
        compress = request.query.get("compress")
        conn = Connection(ws, compress=compress == "zlib-stream", on_sent=self._on_sent)
        self.connections.add(conn)
        conn.send(
            {
                "op": HELLO,
                "d": {"heartbeat_interval": self.heartbeat_interval_ms},
                "s": None,
                "t": None,
            }
        )
        session: Session | None = None
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    conn.close_after_pending(DECODE_ERROR, "Error while decoding payload.")
                    break
                session = self._on_frame(conn, session, msg.data)
        finally:
            self.connections.discard(conn)
            await conn.stop()
            if session is not None and session.conn is conn:
                session.conn = None
                # A client closing with 1000/1001 ends its session; any other close may resume.
                if not conn.dropped_by_server and ws.close_code in (1000, 1001):
                    session.valid = False
        return ws

    def _on_frame(self, conn: Connection, session: Session | None, raw: str) -> Session | None:
        try:
            frame = wire_json.loads(raw)
            op = frame["op"]
        except (ValueError, KeyError, TypeError):
            conn.close_after_pending(DECODE_ERROR, "Error while decoding payload.")
            return session
        data = frame.get("d")
        if op == HEARTBEAT:
            conn.send({"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == IDENTIFY:
            if session is not None:
                conn.close_after_pending(ALREADY_AUTHENTICATED, "Already authenticated.")
            else:
                return self._identify(conn, data or {})
        elif op == RESUME:
            return self._resume(conn, data or {})
        elif op in (3, 4, 8):  # presence, voice state, request members: accepted, no-op
            pass
        else:
            conn.close_after_pending(UNKNOWN_OPCODE, "Unknown opcode.")
        return session

    def _identify(self, conn: Connection, data: dict[str, Any]) -> Session | None:
        if data.get("token") != self.token:
            conn.close_after_pending(AUTH_FAILED, "Authentication failed.")
            return None
        intents = data.get("intents")
        if not isinstance(intents, int) or intents < 0:
            conn.close_after_pending(INVALID_INTENTS, "Invalid intent(s).")
            return None
        if intents & PRIVILEGED_INTENTS & ~self.allowed_privileged_intents:
            conn.close_after_pending(DISALLOWED_INTENTS, "Disallowed intent(s).")
            return None
        shard = parse_shard(data.get("shard"))
        if shard is None:
            conn.close_after_pending(INVALID_SHARD, "Invalid shard.")
            return None
        guilds = [g for g in self.state.guilds.values() if shard_of(g.id, shard[1]) == shard[0]]
        if len(guilds) > self.max_guilds_per_session:
            conn.close_after_pending(SHARDING_REQUIRED, "Sharding required.")
            return None
        session = Session(
            secrets.token_hex(16),
            intents,
            data.get("shard"),
            shard_id=shard[0],
            shard_count=shard[1],
        )
        self.sessions[session.id] = session
        session.conn = conn
        self.stats.identifies += 1
        self.identified_shards.append(shard)
        self.identify_times.append(asyncio.get_running_loop().time())
        session.dispatch("READY", self._ready_data(session, guilds))
        bot_id = self.state.bot_user.id
        if intents & GUILDS:
            for guild in guilds:
                payload = guild_create_payload(
                    guild, bot_id=bot_id, all_members=bool(intents & GUILD_MEMBERS)
                )
                session.dispatch("GUILD_CREATE", payload)
        self.ready_sessions += 1
        self._notify()
        return session

    def _ready_data(self, session: Session, guilds: list[Any]) -> dict[str, Any]:
        ready: dict[str, Any] = {
            "v": 10,
            "user": me_payload(self.state.bot_user),
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self._resume_url(),
            "application": {
                "id": str(self.state.application_id),
                "flags": self.application_flags,
            },
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "user_settings": {},
            "geo_ordered_rtc_regions": [],
            "guild_join_requests": [],
            "auth": {},
            "_trace": ['["discord-sandbox-simulator"]'],
        }
        if session.shard is not None:
            ready["shard"] = session.shard
        return ready

    def _resume(self, conn: Connection, data: dict[str, Any]) -> Session | None:
        session = self.sessions.get(str(data.get("session_id")))
        seq = data.get("seq")
        frames = None
        if session is not None and session.valid and data.get("token") == self.token:
            frames = session.replay_after(int(seq or 0))
        if session is None or frames is None:
            self.stats.invalid_sessions += 1
            conn.send({"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            return None
        if session.conn is not None and session.conn is not conn:
            # The old socket is superseded, as when Discord sees a resume from elsewhere.
            task = asyncio.get_running_loop().create_task(session.conn.drop(4000))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        for frame in frames:
            conn.send(frame)
        session.conn = conn
        session.dispatch("RESUMED", {"_trace": ['["discord-sandbox-simulator"]']})
        self.stats.resumes += 1
        self._notify()
        return session
