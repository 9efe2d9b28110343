"""Running the countdowns: the tick, the delivery ledger, the senders, and the settings' owner.

SQLite is the source of truth. A time-ordered schedule table holds each server's next post
instant. A tick reads the entries that are due, decides what each server gets, and in one
transaction claims the ledger rows, removes exactly the entries it read and adds the following
post instants; then it queues the claims for the senders. The decisions themselves are pure
functions in ``bot/countdown``; this module moves data between them, the database and Discord.

The promise, and where each part of it is kept:

* **At most one routine post per server per local day**, in the zone in force, whatever the
  target: a claim is refused when the server already has a post (sent, or possibly sent)
  within that local day (:meth:`CountdownRepository.claim_and_reschedule`).
* **A queued post looks again before it goes out**: right before sending, the sender re-reads
  the server's settings under the server's lock. Paused, reset or removed: skipped. Another
  channel, role or target: the post is planned again for what is set now.
* **A request that may have reached Discord is never repeated blindly**: the row says
  ``sending`` (with this process's boot id) before the request leaves. A crash leaves it so;
  the next start resends it with the same nonce only while Discord still remembers nonces
  (``NONCE_WINDOW``), and otherwise counts the day as posted.
* **A graceful stop lets sends in flight finish** (``STOP_GRACE``); queued ones stay claimed
  and go out at the next start, the same local day only.
* **Transient failures are retried until the local day ends**: 5xx, 429 (respecting
  Retry-After) and connection failures. Only what an admin must fix (403/404) pauses.
* **Settings have one writer**: this service, under a per-server lock, writing only the
  columns that change, so the bot's own pause and an admin's edit never undo each other.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
import uuid
import weakref
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from bot.countdown.catchup import GRACE, catch_up
from bot.countdown.clock import (
    is_post_instant,
    local_day_bounds,
    next_post_instant,
    previous_post_instant,
)
from bot.countdown.idempotency import NONCE_WINDOW, message_nonce, one_off_nonce
from bot.countdown.planner import PlannedPost, Target, is_finished, plan_post, resolve_target
from bot.countdown.settings import CountdownSettings, CustomEvent, uses_events
from bot.database.countdown import (
    CountdownStatus,
    Delivery,
    LedgerRow,
    OneOffPost,
    SendContext,
)
from bot.database.store import CountdownStore
from bot.scheduling.pacing import Pacer, next_request_is_paid
from bot.scheduling.send_failures import (
    classify_failure,
    explain_failure,
    may_have_arrived,
    retry_after,
)
from bot.show.models import Release

log = logging.getLogger(__name__)

# Settings of servers the bot was removed from are deleted after this grace period, so
# re-inviting the bot by mistake-and-undo keeps everything.
REMOVED_SERVER_RETENTION = dt.timedelta(days=30)
# The ledger only has to outlive the local day it guards; a week leaves room for debugging.
LEDGER_RETENTION = dt.timedelta(days=7)
# Seconds between attempts after a transient failure; the last one repeats until the post's
# local day is over (the re-check before each attempt then skips it).
RETRY_DELAYS = (2.0, 10.0, 30.0, 60.0, 120.0, 300.0)
STOP_GRACE = 10.0  # seconds a graceful stop waits for sends in flight
DUE_BATCH = 10_000  # schedule entries one tick reads at most; the next tick takes the rest
# Planning yields to the event loop after this much work, so commands and sends never wait
# behind a big tick (measured in time, not servers: 400 zones cost more than one).
PLAN_SLICE_SECONDS = 0.01
# Lookback for "has this server posted today?": the longest local day plus zone changes.
_POSTED_LOOKBACK = dt.timedelta(days=2)

Clock = Callable[[], dt.datetime]
Send = Callable[[PlannedPost, str], Awaitable[int]]  # (post, nonce) -> message id
Wake = Callable[[float], None]  # ask the scheduler for a tick in this many seconds
# Writes a one-off post's text when it is sent, from the settings as they are then; None
# when there is nothing to post any more (the event was removed, say).
Renderer = Callable[[CountdownSettings, OneOffPost, dt.datetime], Awaitable[PlannedPost | None]]


def next_open_instant(
    settings: CountdownSettings,
    after: dt.datetime,
    posted: Collection[dt.datetime],
) -> dt.datetime:
    """The first post instant after ``after`` whose local day has no post yet (pure).

    ``posted`` are the instants of the server's posts that went out or may have: a day that
    holds one, in the zone in force now, gets no second post.
    """
    at = after
    while True:
        at = next_post_instant(settings.post_time, settings.zone, at)
        start, end = local_day_bounds(at, settings.zone)
        if not any(start <= p < end for p in posted):
            return at


@dataclass(frozen=True, slots=True)
class TickResult:
    due: int
    queued: int
    skipped: int


@dataclass(slots=True)
class TickPlan:
    """What one tick decided, before anything is written."""

    due: int
    skipped: int
    handled: list[tuple[int, dt.datetime]]  # exactly the schedule entries read
    claims: list[Delivery] = field(default_factory=list)
    next_posts: list[tuple[int, dt.datetime]] = field(default_factory=list)
    batch_full: bool = False


@dataclass(frozen=True, slots=True)
class SettingsChange:
    before: CountdownSettings
    after: CountdownSettings


@dataclass(slots=True)
class _Round:
    """The posts one tick (or a start-up's recovery) queued, for one summary log line."""

    name: str
    total: int
    started: float = field(default_factory=time.monotonic)
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    paused: list[int] = field(default_factory=list)

    def count(self, outcome: Literal["sent", "skipped", "failed"]) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)
        if self.sent + self.skipped + self.failed == self.total:
            self._report()

    def _report(self) -> None:
        paused = (
            f"; paused {len(self.paused)} server(s): {', '.join(map(str, self.paused[:10]))}"
            if self.paused
            else ""
        )
        log.info(
            "Countdown %s: %d post(s): %d sent, %d skipped, %d failed%s, in %.1f s",
            self.name,
            self.total,
            self.sent,
            self.skipped,
            self.failed,
            paused,
            time.monotonic() - self.started,
        )


@dataclass(frozen=True, slots=True)
class _Job:
    delivery: LedgerRow
    round: _Round
    attempt: int = 0
    # Since when the request may have arrived without our knowing (a lost connection):
    # retries then rely on the nonce, so they stop once Discord has forgotten it.
    uncertain_since: dt.datetime | None = None


class CountdownService:
    def __init__(
        self,
        *,
        repo: CountdownStore,
        releases: Sequence[Release],
        clock: Clock,
        send: Send,
        # The bot's one request budget (every REST request waits for it); the sender takes
        # its slot before marking a post as sending. Many workers only mean that a server
        # whose send is stuck in discord.py's own retries blocks nobody else.
        pacer: Pacer | None = None,
        workers: int = 32,
        retry_delays: Sequence[float] = RETRY_DELAYS,
        present: Callable[[int], bool] | None = None,
        wake: Wake | None = None,
        stop_grace: float = STOP_GRACE,
    ) -> None:
        self.repo = repo
        self.releases = tuple(releases)
        self.clock = clock
        self._send = send
        self._pacer = pacer
        self._worker_count = workers
        self._retry_delays = tuple(retry_delays) or (1.0,)
        self._present = present
        self._wake = wake
        self._stop_grace = stop_grace
        self.boot_id = uuid.uuid4().hex[:16]  # tells this process's claims from a dead one's
        self.started_at: dt.datetime | None = None
        self.connected = False  # membership reconciled and leftovers recovered
        self._queue: asyncio.Queue[_Job] = asyncio.Queue()
        self._tasks: set[asyncio.Task[None]] = set()
        self._tick_lock = asyncio.Lock()
        self._purge_lock = asyncio.Lock()
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()
        self._last_purge: dt.datetime | None = None
        # Retries wait on timers, never in a worker, so failing servers delay no one.
        self._retry_timers: set[asyncio.TimerHandle] = set()
        self._stopping = False
        self._busy = 0  # jobs a worker has taken and not finished
        self._all_done = asyncio.Event()
        self._all_done.set()
        self._rounds = 0
        self._renderers: dict[str, Renderer] = {}

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the senders and fill in missing schedules (no Discord needed yet)."""
        self.started_at = self.clock()
        self._stopping = False
        for n in range(self._worker_count):
            self._spawn(self._worker(), name=f"countdown-sender-{n}")
        await self.rebuild_schedule()

    async def on_connected(self, present: Collection[int] | None) -> None:
        """Once the gateway is ready: match membership, then resend what a crash left open.

        ``present`` are the servers the bot is in (None skips the membership step). Order
        matters: a post for a server the bot left while offline must not be recovered.
        """
        if present is not None:
            await self.reconcile_membership(set(present))
        await self.recover_open()
        self.connected = True
        if self._wake is not None:
            self._wake(0.0)  # what came due while connecting goes out now, not at the next tick

    async def stop(self) -> None:
        """Stop taking work, let a running tick commit, and let sends in flight finish.

        Queued posts stay claimed in the ledger and go out at the next start (same local day
        only); a send still running after ``stop_grace`` is cancelled and left as
        ``sending``, which the next start resolves by the nonce window.
        """
        self._stopping = True
        async with self._tick_lock, self._purge_lock:
            for timer in self._retry_timers:
                timer.cancel()
            self._retry_timers.clear()
            try:
                await asyncio.wait_for(self._all_done.wait(), self._stop_grace)
            except TimeoutError:
                log.warning("Stopping with %d countdown send(s) unfinished", self._busy)
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            self._tasks.clear()

    async def idle(self) -> None:
        """Wait until every queued post has been sent or given up on (tests, benchmarks)."""
        while True:
            await self._queue.join()
            if not self._retry_timers and self._busy == 0:
                return
            await asyncio.sleep(0.05)

    def _spawn(self, coro: Awaitable[None], *, name: str) -> None:
        task = asyncio.ensure_future(coro)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def server_lock(self, guild_id: int) -> asyncio.Lock:
        """The lock every write about one server takes (settings, events, the bot's pause)."""
        return self._guild_lock(guild_id)

    def _guild_lock(self, guild_id: int) -> asyncio.Lock:
        lock = self._locks.get(guild_id)
        if lock is None:
            lock = self._locks[guild_id] = asyncio.Lock()
        return lock

    def _wake_at(self, instant: dt.datetime) -> None:
        if self._wake is not None and not self._stopping:
            self._wake(max(0.0, (instant - self.clock()).total_seconds()))

    # -- settings: the one writer -----------------------------------------------------------

    def next_post_after(
        self, settings: CountdownSettings, after: dt.datetime
    ) -> dt.datetime | None:
        if not settings.enabled or settings.channel_id is None:
            return None
        return next_post_instant(settings.post_time, settings.zone, after)

    async def change_settings(self, guild_id: int, **changes: Any) -> SettingsChange:
        """Apply ``changes`` to the settings as committed now, and reschedule at once.

        Under the server's lock, reading fresh from the database and writing only the
        changed columns: a concurrent pause by the bot, or another admin's edit, stays.
        Re-enabling (``enabled=True``) clears the last problem; nothing else does.
        """
        async with self._guild_lock(guild_id):
            before = await self.repo.read_settings(guild_id)
            after = replace(before, **changes)
            now = self.clock()
            next_at = await self._next_entry(after, now)
            await self.repo.write_changes(
                before,
                after,
                next_post_at=next_at,
                now=now,
                clear_error=changes.get("enabled") is True,
            )
        if next_at is not None:
            self._wake_at(next_at)
        return SettingsChange(before, after)

    async def apply_settings(self, settings: CountdownSettings) -> dt.datetime | None:
        """Change a server's settings to ``settings`` (only what differs is written)."""
        values = {name: getattr(settings, name) for name in settings.__slots__}  # type: ignore[attr-defined]
        values.pop("guild_id")
        change = await self.change_settings(settings.guild_id, **values)
        return await self._next_entry(change.after, self.clock())

    async def reset(self, guild_id: int) -> bool:
        """Delete a server's settings and events; False if there was nothing to delete."""
        async with self._guild_lock(guild_id):
            return await self.repo.reset(guild_id)

    async def _next_entry(
        self, settings: CountdownSettings, now: dt.datetime
    ) -> dt.datetime | None:
        """The schedule entry for ``settings``: the next post instant on a day not yet posted."""
        if not settings.enabled or settings.channel_id is None:
            return None
        posted = await self.repo.posted_instants(settings.guild_id, now - _POSTED_LOOKBACK)
        return next_open_instant(settings, now, posted)

    async def rebuild_schedule(self) -> int:
        """Schedule every running countdown that has nothing ahead in the schedule (start-up).

        Entries already passed stay where they are: the first tick judges them (late post or
        skip) by the catch-up rule.
        """
        now = self.clock()
        updates = []
        # Thousands of servers share a post time and a zone: one computation each.
        following: dict[tuple[dt.time, str, bool], dt.datetime | None] = {}
        for settings in await self.repo.unscheduled(now):
            key = (settings.post_time, settings.timezone, settings.enabled)
            if key not in following:
                following[key] = self.next_post_after(settings, now)
            if following[key] is not None:
                updates.append((settings.guild_id, following[key]))
        await self.repo.set_next_posts(updates)
        return len(updates)

    # -- one-off posts ----------------------------------------------------------------------

    def register_one_off(self, kind: str, renderer: Renderer) -> None:
        """Let a feature post one-off messages of ``kind`` (its renderer writes the text)."""
        self._renderers[kind] = renderer

    async def schedule_one_off(
        self,
        guild_id: int,
        key: str,
        kind: str,
        *,
        due_at: dt.datetime,
        expires_at: dt.datetime,
        payload: dict[str, Any] | None = None,
    ) -> bool:
        """Post once, at ``due_at`` (or as soon after as possible, until ``expires_at``).

        ``key`` is unique per server, forever: scheduling the same key again does nothing
        (False), so a producer may call this as often as it likes, a restart included. The
        post obeys the countdown's channel, pause, role and silent settings when it is sent.
        """
        if kind not in self._renderers:
            raise ValueError(f"no renderer registered for one-off posts of kind {kind!r}")
        post = OneOffPost(
            guild_id=guild_id,
            key=key,
            kind=kind,
            payload=payload or {},
            due_at=due_at,
            expires_at=expires_at,
            nonce=one_off_nonce(guild_id, key),
        )
        added = await self.repo.add_one_off(post, now=self.clock())
        if added:
            self._wake_at(due_at)
        return added

    async def cancel_one_offs(self, guild_id: int, key_prefix: str) -> int:
        """Drop this server's one-off posts not yet on their way whose key has the prefix."""
        return await self.repo.cancel_one_offs(guild_id, key_prefix, at=self.clock())

    # -- membership -------------------------------------------------------------------------

    async def server_removed(self, guild_id: int) -> None:
        await self.repo.mark_removed(guild_id, self.clock())

    async def server_back(self, guild_id: int) -> bool:
        """The bot is in ``guild_id`` (again); True if it had left and its countdown resumes."""
        if not await self.repo.mark_present(guild_id):
            return False
        await self._reschedule(guild_id)
        return True

    async def reconcile_membership(self, present: set[int]) -> tuple[list[int], list[int]]:
        back, left = await self.repo.reconcile_membership(present, self.clock())
        for guild_id in back:
            await self._reschedule(guild_id)
        if back or left:
            log.info(
                "While offline: re-added to %d server(s), removed from %d (their settings are "
                "kept for the grace period)",
                len(back),
                len(left),
            )
        return back, left

    async def _reschedule(self, guild_id: int) -> None:
        async with self._guild_lock(guild_id):
            settings = await self.repo.read_settings(guild_id)
            now = self.clock()
            next_at = await self._next_entry(settings, now)
            if next_at is not None:
                await self.repo.set_next_posts([(guild_id, next_at)])
        if next_at is not None:
            self._wake_at(next_at)

    # -- the tick ---------------------------------------------------------------------------

    async def tick(self) -> TickResult:
        """Find the servers that are due, claim their posts, queue them; never raises."""
        if self._stopping:
            return TickResult(0, 0, 0)
        result = TickResult(0, 0, 0)
        async with self._tick_lock:
            try:
                result, full = await self._tick()
                await self._schedule_wake(full)
            except Exception:
                log.exception("Countdown tick failed; the next tick will retry")
        try:
            # Outside the tick's lock: a slow purge never holds up the next tick.
            await self._purge_expired(self.clock())
        except Exception:
            log.exception("Countdown housekeeping failed; the next tick will retry")
        return result

    async def _tick(self) -> tuple[TickResult, bool]:
        if self._stopping:
            return TickResult(0, 0, 0), False
        now = self.clock()
        plan = await self.plan_tick(now)
        queued = await self.commit_tick(plan)
        skipped = plan.skipped + len(plan.claims) - len(queued)
        one_offs = await self.repo.claim_due_one_offs(now, boot_id=self.boot_id)
        if one_offs:
            round_ = _Round("one-off posts", len(one_offs))
            for post in one_offs:
                self._enqueue(_Job(post, round_))
        if plan.due:
            log.debug(
                "Countdown tick: %d due, %d queued, %d skipped", plan.due, len(queued), skipped
            )
        return TickResult(plan.due, len(queued), skipped), plan.batch_full

    async def _schedule_wake(self, batch_full: bool) -> None:
        """Ask for the next tick exactly when the next post is due (posts start on time)."""
        if self._wake is None or self._stopping:
            return
        if batch_full:
            self._wake(0.0)
            return
        now = self.clock()
        upcoming = [await self.repo.next_due_after(now), await self.repo.next_one_off_after(now)]
        soonest = min((at for at in upcoming if at is not None), default=None)
        if soonest is not None:
            self._wake_at(soonest)

    async def plan_tick(self, now: dt.datetime) -> TickPlan:
        """Read what is due at ``now`` and decide every post and next instant (no writes)."""
        due = await self.repo.due(now, limit=DUE_BATCH)
        all_settings = await self.repo.get_settings_many(list({gid for gid, _ in due}))
        # The current entry of each server: stale ones (written before a settings change)
        # no longer match its post time and are only deleted.
        current: dict[int, dt.datetime] = {}
        # Thousands of servers share a post time and a zone, so every per-server question
        # below is asked once per (time, zone, instant) and remembered for this tick.
        is_current: dict[tuple[dt.datetime, dt.time, str], bool] = {}
        for guild_id, entry in due:
            settings = all_settings[guild_id]
            check = (entry, settings.post_time, settings.timezone)
            if check not in is_current:
                is_current[check] = is_post_instant(entry, settings.post_time, settings.zone)
            if is_current[check]:
                current[guild_id] = max(entry, current.get(guild_id, entry))
        plan = TickPlan(
            due=len(due),
            skipped=len(due) - len(current),
            handled=list(due),
            batch_full=len(due) == DUE_BATCH,
        )
        plans: dict[tuple[str, str, dt.datetime, str], PlannedPost | None] = {}
        days: dict[tuple[str, dt.date], tuple[dt.datetime, dt.datetime]] = {}
        following_memo: dict[tuple[dt.time, str, dt.datetime, bool], dt.datetime | None] = {}
        passed: dict[tuple[dt.datetime, dt.time, str, bool], dt.datetime] = {}
        slice_started = time.perf_counter()
        for guild_id, stored in current.items():
            if time.perf_counter() - slice_started > PLAN_SLICE_SECONDS:
                await asyncio.sleep(0)  # let commands and sends run between slices
                slice_started = time.perf_counter()
            settings = all_settings[guild_id]
            running = settings.enabled and settings.channel_id is not None
            instant = (stored, settings.post_time, settings.timezone, running)
            if instant not in passed:
                passed[instant] = self._latest_passed_instant(settings, stored, now)
            scheduled = passed[instant]
            after = max(now, scheduled)
            key = (settings.post_time, settings.timezone, after, running)
            if key not in following_memo:
                following_memo[key] = self.next_post_after(settings, after)
            following = following_memo[key]
            if following is not None:
                plan.next_posts.append((guild_id, following))
            shared = (settings.target, settings.timezone, scheduled, settings.cadence.value)
            if shared in plans:  # the common case, without a coroutine per server
                post = plans[shared]
            else:
                post = await self._plan_due(settings, scheduled, now, plans)
            if post is None:
                plan.skipped += 1
                continue
            plan.claims.append(self._claim_for(settings, post, scheduled, days))
        return plan

    def _claim_for(
        self,
        settings: CountdownSettings,
        post: PlannedPost,
        scheduled: dt.datetime,
        days: dict[tuple[str, dt.date], tuple[dt.datetime, dt.datetime]],
    ) -> Delivery:
        key = (settings.timezone, post.local_date)
        if key not in days:  # thousands of servers share a zone and a day
            days[key] = local_day_bounds(scheduled, settings.zone)
        start, end = days[key]
        return Delivery(
            guild_id=settings.guild_id,
            day_start=start,
            day_end=end,
            local_date=post.local_date,
            timezone=settings.timezone,
            target_key=post.target_key,
            nonce=message_nonce(settings.guild_id, post.local_date, start),
            state="claimed",
            scheduled_at=scheduled,
            boot_id=self.boot_id,
        )

    async def commit_tick(self, plan: TickPlan) -> list[Delivery]:
        """Write the ledger and the schedule in one transaction, then queue what to send."""
        granted = await self.repo.claim_and_reschedule(
            plan.claims, plan.next_posts, handled=plan.handled
        )
        if granted:
            self._rounds += 1
            round_ = _Round(f"round {self._rounds}", len(granted))
            for delivery in granted:
                self._enqueue(_Job(delivery, round_))
        return granted

    def _enqueue(self, job: _Job) -> None:
        self._all_done.clear()
        self._queue.put_nowait(job)

    def _latest_passed_instant(
        self, settings: CountdownSettings, stored: dt.datetime, now: dt.datetime
    ) -> dt.datetime:
        """The post instant a due row stands for: the stored one, or a later one also passed.

        After days offline the row still holds the first missed instant; judging only that one
        would skip today's post too, although it may still be sent late the same local day.
        """
        # Consecutive post instants are hours apart even across DST changes, so a row due
        # within the grace period cannot hide a later one (and this runs for every due row).
        if now - stored <= GRACE or not settings.enabled or settings.channel_id is None:
            return stored
        return max(stored, previous_post_instant(settings.post_time, settings.zone, now))

    async def _events_for(self, settings: CountdownSettings) -> list[CustomEvent]:
        return (
            await self.repo.list_events(settings.guild_id) if uses_events(settings.target) else []
        )

    async def resolve(self, settings: CountdownSettings, now: dt.datetime) -> Target | None:
        try:
            events = await self._events_for(settings)
        except ValueError:
            return None
        return resolve_target(settings, self.releases, events, now)

    async def _plan_due(
        self,
        settings: CountdownSettings,
        scheduled: dt.datetime,
        now: dt.datetime,
        plans: dict[tuple[str, str, dt.datetime, str], PlannedPost | None],
    ) -> PlannedPost | None:
        """Whether ``settings`` posts for ``scheduled``, and for which day and target.

        The tick decides only that (the claim); the text is written when the post is sent,
        from the settings as they are then. So servers with the same release target, zone,
        instant and cadence share one answer: thousands of them per tick.
        """
        # Planned for the instant it stands for, not for when the tick ran: a 23:59 post sent
        # a little late is still that day's post (its local date and days left).
        if uses_events(settings.target):  # per server: its own events count
            if catch_up(scheduled, now, settings.zone) == "skip":
                return None
            return plan_post(settings, await self.resolve(settings, scheduled), scheduled)
        key = (settings.target, settings.timezone, scheduled, settings.cadence.value)
        if key not in plans:
            skip = catch_up(scheduled, now, settings.zone) == "skip"
            target = None if skip else await self.resolve(settings, scheduled)
            plans[key] = None if skip else plan_post(settings, target, scheduled)
        return plans[key]

    async def _purge_expired(self, now: dt.datetime) -> None:
        """Hourly: drop old ledger rows and servers past their grace period (not in a tick)."""
        if self._last_purge and now - self._last_purge < dt.timedelta(hours=1):
            return
        if self._purge_lock.locked() or self._stopping:
            return
        async with self._purge_lock:
            if self._stopping:
                return
            self._last_purge = now
            await self.repo.forget_deliveries_before(now - LEDGER_RETENTION)
            purged = await self.repo.removed_before(now - REMOVED_SERVER_RETENTION)
            for guild_id in purged:
                async with self._guild_lock(guild_id):
                    await self.repo.purge_server(guild_id)
            if purged:
                log.info("Deleted the settings of %d server(s) the bot left", len(purged))

    # -- crash recovery ---------------------------------------------------------------------

    async def recover_open(self) -> int:
        """Take over the posts a process that died left claimed or in flight.

        Claimed ones never left: they are sent (the re-check applies the same-day rule). Ones
        in flight may have arrived: resent with their nonce while Discord still remembers it,
        otherwise marked ``unconfirmed`` and the day counts as posted.
        """
        now = self.clock()
        adopted: list[tuple[LedgerRow, dt.datetime | None]] = []
        unconfirmed = 0
        for delivery in await self.repo.open_deliveries():
            if delivery.boot_id == self.boot_id:
                continue
            in_flight_since = delivery.sending_at if delivery.state == "sending" else None
            if in_flight_since is not None and now - in_flight_since > NONCE_WINDOW:
                await self.repo.finish_delivery(
                    delivery,
                    state="unconfirmed",
                    at=now,
                    error="interrupted mid-send; Discord's nonce window has passed",
                )
                unconfirmed += 1
                continue
            if await self.repo.adopt(delivery, boot_id=self.boot_id):
                adopted.append((replace(delivery, boot_id=self.boot_id), in_flight_since))
        if adopted:
            round_ = _Round("recovery after restart", len(adopted))
            for delivery, in_flight_since in adopted:
                self._enqueue(_Job(delivery, round_, uncertain_since=in_flight_since))
            log.info("Resending %d countdown post(s) interrupted by a restart", len(adopted))
        if unconfirmed:
            log.warning(
                "%d countdown post(s) were mid-send when the bot stopped, too long ago to "
                "resend safely; they count as posted",
                unconfirmed,
            )
        return len(adopted)

    # -- sending ----------------------------------------------------------------------------

    async def _worker(self) -> None:
        while True:
            job = await self._queue.get()
            self._busy += 1
            try:
                if not self._stopping:  # when stopping, the claim waits for the next start
                    await self._deliver(job)
            except Exception:
                log.exception("Unexpected error delivering to guild %s", job.delivery.guild_id)
            finally:
                self._busy -= 1
                self._queue.task_done()
                if self._busy == 0 and self._queue.empty():
                    self._all_done.set()

    async def _deliver(self, job: _Job) -> None:
        delivery = job.delivery
        # The slot first, then the re-check and the "sending" mark right before the request:
        # a crash then leaves only requests that really were about to leave as in flight.
        if self._pacer is not None:
            await self._pacer.wait_for_slot()
            next_request_is_paid()
        async with self._guild_lock(delivery.guild_id):
            now = self.clock()
            context = await self.repo.send_context(delivery.guild_id)
            post, reason = await self._plan_send(delivery, context, now)
            if post is None:
                await self.repo.finish_delivery(delivery, state="skipped", at=now, error=reason)
                job.round.count("skipped")
                return
            if self._stopping or not await self.repo.start_sending(
                delivery, boot_id=self.boot_id, at=now
            ):
                return  # stopping (stays claimed), or the claim is no longer ours
        try:
            message_id = await self._send(post, delivery.nonce)
        except Exception as error:
            await self._handle_failure(job, post, error)
            return
        now = self.clock()
        await self.repo.finish_delivery(
            delivery, state="sent", at=now, channel_id=post.channel_id, message_id=message_id
        )
        await self.repo.record_success(
            post.guild_id, now, channel_id=post.channel_id, message_id=message_id
        )
        job.round.count("sent")

    async def _plan_send(
        self, delivery: LedgerRow, context: SendContext, now: dt.datetime
    ) -> tuple[PlannedPost | None, str]:
        """The post as it should read now, or None and why it no longer goes out."""
        settings = context.settings
        if settings is None:
            return None, "countdown reset"
        if context.removed:
            return None, "bot removed from the server"
        if not settings.enabled or settings.channel_id is None:
            return None, "countdown paused"
        if isinstance(delivery, OneOffPost):
            return await self._render_one_off(settings, delivery, now)
        if catch_up(delivery.scheduled_at, now, settings.zone) == "skip":
            return None, "its local day is over"
        target = await self.resolve(settings, delivery.scheduled_at)
        # "Late" means the bot was down at the post time, not that a large fan-out was slow.
        late = self.started_at is not None and delivery.scheduled_at < self.started_at - GRACE
        post = plan_post(settings, target, delivery.scheduled_at, late=late, sending_at=now)
        if post is None:
            return None, "nothing to post with the current settings"
        return post, ""

    async def _render_one_off(
        self, settings: CountdownSettings, post: OneOffPost, now: dt.datetime
    ) -> tuple[PlannedPost | None, str]:
        if now > post.expires_at:
            return None, "too late to be useful"
        renderer = self._renderers.get(post.kind)
        if renderer is None:
            return None, f"no renderer for {post.kind!r}"
        planned = await renderer(settings, post, now)
        return (planned, "") if planned is not None else (None, "nothing to post any more")

    async def _handle_failure(self, job: _Job, post: PlannedPost, error: Exception) -> None:
        delivery = job.delivery
        failure = classify_failure(error)
        now = self.clock()
        uncertain = job.uncertain_since or (now if may_have_arrived(error) else None)
        if failure == "retry" and uncertain is not None and now - uncertain > NONCE_WINDOW:
            # The first request may have arrived and Discord has forgotten its nonce.
            await self.repo.finish_delivery(
                delivery, state="unconfirmed", at=now, error=str(error)[:500]
            )
            job.round.count("failed")
            log.warning(
                "Countdown for guild %s: no answer from Discord (%s); not resending, as the "
                "first request may have arrived",
                post.guild_id,
                error,
            )
            return
        if failure == "retry" and not self._stopping:
            if uncertain is None:
                await self.repo.release_claim(delivery, boot_id=self.boot_id)
            step = self._retry_delays[min(job.attempt, len(self._retry_delays) - 1)]
            delay = max(step, retry_after(error))
            log.warning(
                "Post to guild %s failed (%s); retrying in %.0fs", post.guild_id, error, delay
            )
            retry = replace(job, attempt=job.attempt + 1, uncertain_since=uncertain)

            def requeue() -> None:
                self._retry_timers.discard(timer)
                self._enqueue(retry)

            self._all_done.clear()
            timer = asyncio.get_running_loop().call_later(delay, requeue)
            self._retry_timers.add(timer)
            return
        if failure == "retry":
            return  # stopping: the next start takes it up
        if failure == "pause" and self._present is not None and not self._present(post.guild_id):
            # Kicked while the post was queued: not a broken channel, nothing to pause.
            await self.repo.finish_delivery(
                delivery, state="skipped", at=now, error="bot removed from the server"
            )
            job.round.count("skipped")
            return
        message = explain_failure(error, post.channel_id)
        log.warning(
            "Countdown for guild %s failed: %s (%s). %s", post.guild_id, error, failure, message
        )
        await self.repo.finish_delivery(delivery, state="failed", at=now, error=str(error)[:500])
        async with self._guild_lock(post.guild_id):
            await self.repo.record_error(post.guild_id, message, now, pause=failure == "pause")
        if failure == "pause":
            job.round.paused.append(post.guild_id)
        job.round.count("failed")

    # -- for the commands -------------------------------------------------------------------

    async def status(self, guild_id: int) -> CountdownStatus:
        """Settings and history, with the next post that will really go out (or None)."""
        status = await self.repo.get_status(guild_id, now=self.clock())
        if status.next_post_at is None:
            return status
        at, _ = await self.next_post(status.settings)
        return replace(status, next_post_at=at)

    async def next_post(
        self, settings: CountdownSettings, *, as_if_running: bool = False, horizon_days: int = 8
    ) -> tuple[dt.datetime | None, PlannedPost | None]:
        """The next post that will really go out, and what it will say.

        The one answer for status, preview and every confirmation: days that already have
        their post are passed over (the ledger), and so are days with nothing to post (the
        milestones cadence, the weekly "no date yet" post), up to ``horizon_days`` ahead.
        ``as_if_running`` answers for a paused countdown as if resumed. ``(None, None)`` when
        nothing would be posted in that window.
        """
        if not (settings.enabled or as_if_running) or settings.channel_id is None:
            return None, None
        active = replace(settings, enabled=True)
        now = self.clock()
        posted = await self.repo.posted_instants(settings.guild_id, now - _POSTED_LOOKBACK)
        at = now
        for _ in range(horizon_days):
            at = next_open_instant(active, at, posted)
            post = plan_post(active, await self.resolve(active, at), at)
            if post is not None:
                return at, post
        return None, None

    async def day_has_post(self, settings: CountdownSettings, instant: dt.datetime) -> bool:
        """Whether the local day of ``instant`` (in the server's zone) already had its post."""
        start, end = local_day_bounds(instant, settings.zone)
        posted = await self.repo.posted_instants(settings.guild_id, start)
        return any(start <= p < end for p in posted)

    async def preview(
        self, settings: CountdownSettings, *, horizon_days: int = 8
    ) -> tuple[dt.datetime | None, PlannedPost | None]:
        """The next post as it will read, as if the countdown were running."""
        return await self.next_post(settings, as_if_running=True, horizon_days=horizon_days)

    async def finished(self, settings: CountdownSettings) -> bool:
        now = self.clock()
        target = await self.resolve(settings, now)
        return target is not None and is_finished(target, now, settings.zone)
