"""Running the countdowns: the periodic tick, the delivery ledger and the paced fan-out.

SQLite is the source of truth. A time-ordered schedule table holds each server's next post
instant; one periodic tick reads the entries that are due (one contiguous range), decides what
each server gets, and in one transaction writes the ledger rows, removes the handled entries
and adds the following post instants; then it hands the posts to a few workers that send
them evenly paced. The decisions themselves are pure functions in
``bot/countdown``; this module only moves data between them, the database and Discord.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import aiohttp
import discord

from bot.countdown.catchup import GRACE, catch_up
from bot.countdown.clock import (
    is_post_instant,
    local_date_of,
    next_post_instant,
    previous_post_instant,
)
from bot.countdown.planner import PlannedPost, Target, is_finished, plan_post, resolve_target
from bot.countdown.settings import CountdownSettings, CustomEvent, split_target
from bot.database.countdown import CountdownRepository, CountdownStatus, Delivery
from bot.scheduling.pacing import Pacer
from bot.show.models import Release

log = logging.getLogger(__name__)

# Settings of servers the bot was removed from are deleted after this grace period, so
# re-inviting the bot by mistake-and-undo keeps everything.
REMOVED_SERVER_RETENTION = dt.timedelta(days=30)
# The ledger only has to outlive the local day it guards; a week leaves room for debugging.
LEDGER_RETENTION = dt.timedelta(days=7)
RETRY_DELAYS = (2.0, 10.0, 30.0)  # seconds between attempts after a 5xx or network error
DUE_BATCH = 10_000  # schedule entries one tick reads at most; the next tick takes the rest
_MAX_ID = 2**63 - 1  # above every Discord snowflake: "every server" at an instant

Clock = Callable[[], dt.datetime]
Send = Callable[[PlannedPost, str], Awaitable[int]]  # (post, nonce) -> message id
Failure = Literal["pause", "retry", "drop"]


def classify_failure(error: BaseException) -> Failure:
    """Pause on what only an admin can fix; retry what time fixes; drop the rest."""
    if isinstance(error, discord.Forbidden | discord.NotFound):
        return "pause"
    if isinstance(error, discord.DiscordServerError | discord.RateLimited):
        return "retry"
    if isinstance(error, aiohttp.ClientError | asyncio.TimeoutError | OSError):
        return "retry"
    return "drop"


def explain_failure(error: BaseException, channel_id: int | None) -> str:
    """The error in plain words with how to fix it, for ``/countdown status``."""
    channel = f"<#{channel_id}>" if channel_id else "the countdown channel"
    code = getattr(error, "code", None)
    if code == 10003 or isinstance(error, discord.NotFound):
        return (
            f"{channel} no longer exists. Pick a new channel with `/countdown channel`, "
            "then `/countdown resume`."
        )
    if code == 50001:
        return (
            f"I can't see {channel} any more (Missing Access). Give me **View Channel** there, "
            "then run `/countdown resume`."
        )
    if isinstance(error, discord.Forbidden):
        return (
            f"I'm not allowed to post in {channel} (Missing Permissions). Give me **Send "
            "Messages** and **Embed Links** there, then run `/countdown resume`."
        )
    if isinstance(error, discord.HTTPException):
        detail = f"{error.status}: {error.text[:120]}"
        return f"Discord refused the post ({detail}). I'll try again at the next post time."
    return "Discord could not be reached for a while; I'll try again at the next post time."


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
    posts: list[tuple[PlannedPost, Delivery]] = field(default_factory=list)
    next_posts: list[tuple[int, dt.datetime]] = field(default_factory=list)
    handled_through: tuple[dt.datetime, int] | None = None


@dataclass(frozen=True, slots=True)
class _Job:
    post: PlannedPost
    delivery: Delivery
    attempt: int = 0


class CountdownService:
    def __init__(
        self,
        *,
        repo: CountdownRepository,
        releases: Sequence[Release],
        clock: Clock,
        send: Send,
        pacer: Pacer | None = None,
        # Sends are paced by the Pacer, not by the worker count: many workers only mean a
        # server whose send is stuck in discord.py's own 5xx retries blocks nobody else.
        workers: int = 32,
        retry_delays: Sequence[float] = RETRY_DELAYS,
    ) -> None:
        self.repo = repo
        self.releases = tuple(releases)
        self.clock = clock
        self._send = send
        self._pacer = pacer or Pacer()
        self._worker_count = workers
        self._retry_delays = tuple(retry_delays)
        self._queue: asyncio.Queue[_Job] = asyncio.Queue()
        self._tasks: set[asyncio.Task[None]] = set()
        self._tick_lock = asyncio.Lock()
        self._last_purge: dt.datetime | None = None
        # Retries wait on timers, never in a worker, so failing servers delay no one.
        self._retry_timers: set[asyncio.TimerHandle] = set()

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the senders, resend what a crash left pending, fill in missing schedules."""
        for n in range(self._worker_count):
            self._spawn(self._worker(), name=f"countdown-sender-{n}")
        await self.recover_pending()
        await self.rebuild_schedule()

    async def stop(self) -> None:
        """Let a running tick finish its transaction, then stop sending.

        Posts claimed but not sent stay ``pending`` in the ledger and are resent at the next
        start-up (same local day only).
        """
        async with self._tick_lock:
            for timer in self._retry_timers:
                timer.cancel()
            self._retry_timers.clear()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            self._tasks.clear()

    async def idle(self) -> None:
        """Wait until every queued post has been sent or given up on (tests, benchmarks)."""
        while True:
            await self._queue.join()
            if not self._retry_timers:
                return
            await asyncio.sleep(0.05)

    def _spawn(self, coro: Awaitable[None], *, name: str) -> None:
        task = asyncio.ensure_future(coro)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- schedule ---------------------------------------------------------------------------

    def next_post_after(
        self, settings: CountdownSettings, after: dt.datetime
    ) -> dt.datetime | None:
        if not settings.enabled or settings.channel_id is None:
            return None
        return next_post_instant(settings.post_time, settings.zone, after)

    async def apply_settings(self, settings: CountdownSettings) -> dt.datetime | None:
        """Save settings and reschedule at once (no restart); returns the next post instant."""
        now = self.clock()
        next_post = self.next_post_after(settings, now)
        await self.repo.save_settings(settings, next_post_at=next_post, now=now)
        return next_post

    async def rebuild_schedule(self) -> int:
        """Schedule every running countdown that has nothing ahead in the schedule (start-up).

        Entries already passed stay where they are: the first tick judges them (late post or
        skip) by the catch-up rule.
        """
        now = self.clock()
        updates = []
        for settings in await self.repo.unscheduled(now):
            following = self.next_post_after(settings, now)
            if following is not None:
                updates.append((settings.guild_id, following))
        await self.repo.set_next_posts(updates)
        return len(updates)

    # -- the tick ---------------------------------------------------------------------------

    async def tick(self) -> TickResult:
        """Find the servers that are due, claim their posts, queue them; never raises."""
        async with self._tick_lock:
            try:
                return await self._tick()
            except Exception:
                log.exception("Countdown tick failed; the next tick will retry")
                return TickResult(0, 0, 0)

    async def _tick(self) -> TickResult:
        now = self.clock()
        plan = await self.plan_tick(now)
        pending = await self.commit_tick(plan)
        await self._purge_removed(now)
        if plan.due:
            log.info(
                "Countdown tick: %d due, %d queued, %d skipped",
                plan.due,
                len(pending),
                plan.skipped,
            )
        return TickResult(plan.due, len(pending), plan.skipped)

    async def plan_tick(self, now: dt.datetime) -> TickPlan:
        """Read what is due at ``now`` and decide every post and next instant (no writes)."""
        due = await self.repo.due(now, limit=DUE_BATCH)
        all_settings = await self.repo.get_settings_many(list({gid for gid, _ in due}))
        # The current entry of each server: stale ones (written before a settings change)
        # no longer match its post time and are only deleted.
        current: dict[int, dt.datetime] = {}
        for guild_id, entry in due:
            settings = all_settings[guild_id]
            if is_post_instant(entry, settings.post_time, settings.zone):
                current[guild_id] = max(entry, current.get(guild_id, entry))
        plan = TickPlan(due=len(due), skipped=len(due) - len(current))
        targets: dict[tuple[str, str, dt.date], Target | None] = {}
        for guild_id, stored in current.items():
            settings = all_settings[guild_id]
            scheduled = self._latest_passed_instant(settings, stored, now)
            following = self.next_post_after(settings, max(now, scheduled))
            if following is not None:
                plan.next_posts.append((guild_id, following))
            post = await self._plan_due(settings, scheduled, now, targets)
            if post is None:
                plan.skipped += 1
                continue
            plan.posts.append(
                (
                    post,
                    Delivery(
                        guild_id,
                        post.target_key,
                        post.local_date,
                        post.nonce,
                        "pending",
                        scheduled,
                        post.late,
                    ),
                )
            )
        # Every entry up to now is handled, or only up to the last one read if the batch
        # was full (the next tick continues from there).
        if len(due) == DUE_BATCH:
            plan.handled_through = (due[-1][1], due[-1][0])
        else:
            plan.handled_through = (now, _MAX_ID)
        return plan

    async def commit_tick(self, plan: TickPlan) -> list[Delivery]:
        """Write the ledger and the schedule in one transaction, then queue what to send."""
        posts = {(d.guild_id, d.target_key, d.local_date): post for post, d in plan.posts}
        pending = await self.repo.claim_and_reschedule(
            [d for _, d in plan.posts], plan.next_posts, handled_through=plan.handled_through
        )
        for delivery in pending:
            post = posts[(delivery.guild_id, delivery.target_key, delivery.local_date)]
            self._queue.put_nowait(_Job(post, delivery))
        return pending

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
        kind, _ = split_target(settings.target) if settings.target else ("next", None)
        return await self.repo.list_events(settings.guild_id) if kind == "event" else []

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
        targets: dict[tuple[str, str, dt.date], Target | None],
    ) -> PlannedPost | None:
        decision = catch_up(scheduled, now, settings.zone)
        if decision == "skip":
            return None
        # Planned for the instant it stands for, not for when the tick ran: a 23:59 post sent
        # a little late is still that day's post (its local date and days left).
        if settings.target.startswith("event:"):
            target = await self.resolve(settings, scheduled)
        else:
            # A release target depends only on the target, the zone and the local day:
            # resolve it once per tick for the thousands of servers sharing them.
            key = (settings.target, settings.timezone, local_date_of(scheduled, settings.zone))
            if key not in targets:
                targets[key] = await self.resolve(settings, scheduled)
            target = targets[key]
        return plan_post(settings, target, scheduled, late=decision == "late")

    async def _purge_removed(self, now: dt.datetime) -> None:
        if self._last_purge and now - self._last_purge < dt.timedelta(hours=1):
            return
        self._last_purge = now
        await self.repo.forget_deliveries_before((now - LEDGER_RETENTION).date())
        purged = await self.repo.purge_removed(now - REMOVED_SERVER_RETENTION)
        if purged:
            log.info("Deleted the settings of %d server(s) the bot left", len(purged))

    # -- crash recovery ---------------------------------------------------------------------

    async def recover_pending(self) -> int:
        """Resend posts a crash left half-done, with their original nonce, if still today."""
        now = self.clock()
        resent = 0
        for delivery in await self.repo.pending_deliveries():
            settings = await self.repo.get_settings(delivery.guild_id)
            post = None
            if catch_up(delivery.scheduled_at, now, settings.zone) != "skip":
                # Ledger keys are "release:<key>" / "event:<id>" targets in their own right.
                pinned = replace(settings, target=delivery.target_key)
                target = await self.resolve(pinned, delivery.scheduled_at)
                late = delivery.late or now - delivery.scheduled_at > dt.timedelta(minutes=2)
                post = plan_post(settings, target, delivery.scheduled_at, late=late)
            if post is None or post.local_date != delivery.local_date:
                await self.repo.finish_delivery(delivery, state="skipped", at=now)
                continue
            self._queue.put_nowait(_Job(post, delivery))
            resent += 1
        if resent:
            log.info("Resending %d countdown post(s) interrupted by a restart", resent)
        return resent

    # -- sending ----------------------------------------------------------------------------

    async def _worker(self) -> None:
        while True:
            job = await self._queue.get()
            try:
                await self._deliver(job)
            except Exception:
                log.exception("Unexpected error delivering to guild %s", job.delivery.guild_id)
            finally:
                self._queue.task_done()

    async def _deliver(self, job: _Job) -> None:
        await self._pacer.wait()
        post, delivery = job.post, job.delivery
        try:
            message_id = await self._send(post, delivery.nonce)
        except Exception as error:
            await self._handle_failure(job, error)
            return
        now = self.clock()
        await self.repo.finish_delivery(
            delivery, state="sent", at=now, channel_id=post.channel_id, message_id=message_id
        )
        await self.repo.record_success(
            post.guild_id, now, channel_id=post.channel_id, message_id=message_id
        )

    async def _handle_failure(self, job: _Job, error: Exception) -> None:
        post, delivery = job.post, job.delivery
        failure = classify_failure(error)
        now = self.clock()
        if failure == "retry" and job.attempt < len(self._retry_delays):
            delay = self._retry_delays[job.attempt]
            log.warning(
                "Post to guild %s failed (%s); retrying in %.0fs", post.guild_id, error, delay
            )
            retry = replace(job, attempt=job.attempt + 1)

            def requeue() -> None:
                self._retry_timers.discard(timer)
                self._queue.put_nowait(retry)

            timer = asyncio.get_running_loop().call_later(delay, requeue)
            self._retry_timers.add(timer)
            return
        message = explain_failure(error, post.channel_id)
        log.warning("Countdown for guild %s failed: %s (%s)", post.guild_id, error, failure)
        await self.repo.finish_delivery(delivery, state="failed", at=now, error=str(error)[:500])
        await self.repo.record_error(post.guild_id, message, now, pause=failure == "pause")

    # -- for the commands -------------------------------------------------------------------

    async def status(self, guild_id: int) -> CountdownStatus:
        """Settings and history, with the next post that will really go out (or None)."""
        status = await self.repo.get_status(guild_id, now=self.clock())
        if status.next_post_at is None:
            return status
        at, _ = await self.preview(status.settings)
        return replace(status, next_post_at=at)

    async def preview(
        self, settings: CountdownSettings, *, horizon_days: int = 8
    ) -> tuple[dt.datetime | None, PlannedPost | None]:
        """The next post that will actually go out, and what it will say.

        Looks up to ``horizon_days`` post instants ahead, because some days post nothing
        (the milestones cadence, or the weekly "no date yet" post). ``(None, None)`` when
        nothing would be posted in that window.
        """
        active = replace(settings, enabled=True)
        at: dt.datetime | None = self.clock()
        for _ in range(horizon_days):
            at = self.next_post_after(active, at) if at else None
            if at is None:
                break
            post = plan_post(active, await self.resolve(active, at), at)
            if post is not None:
                return at, post
        return None, None

    async def finished(self, settings: CountdownSettings) -> bool:
        now = self.clock()
        target = await self.resolve(settings, now)
        return target is not None and is_finished(target, now, settings.zone)
