"""The bot: a ``commands.Bot`` that loads the feature cogs and syncs commands deliberately."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Literal

import discord
from discord.ext import commands

from bot.config import Settings
from bot.countdown.planner import PlannedPost, PostKind
from bot.database.store import (
    Database,
    countdown_store,
    identify_turns,
    meta_store,
    process_leases,
)
from bot.scheduling.countdown import CountdownService
from bot.scheduling.pacing import DEFAULT_RATE, Pacer, paced_requests
from bot.scheduling.scheduler import DEFAULT_TICK_SECONDS, PeriodicJobs
from bot.scheduling.sharding import IdentifyGate, ShardScope
from bot.show.changes import ShowReload, release_changes, summary
from bot.show.loader import ShowDataError, load_show_data
from bot.show.models import ShowData
from bot.show.search import ShowIndex
from bot.tree import BotTree

log = logging.getLogger(__name__)

# Explicit, so a typo is an error at start-up rather than a silently missing feature.
DEFAULT_EXTENSIONS: tuple[str, ...] = (
    "cogs.about",
    "cogs.cast",
    "cogs.episodes",
    "cogs.releases",
    "cogs.books",
    "cogs.showdata",
    "cogs.countdown",
    "cogs.premiere",
)

Clock = Callable[[], dt.datetime]
# Components a feature adds to a countdown post (the premiere kit's "Notify me" button).
PostView = Callable[[PlannedPost], Awaitable[discord.ui.View | None]]
# Sends a one-off post in a feature's own way (a release-day post that opens a thread).
OneOffSender = Callable[[PlannedPost, str], Awaitable[int]]
# Runs after /countdown reset deleted a server's settings and events; returns a line for the
# admin's reply (what the feature kept), or None.
ResetHook = Callable[[int], Awaitable[str | None]]
SyncOutcome = Literal["guild", "global", "unchanged"]
COUNTDOWN_TICK_JOB = "countdown-tick"
LEASE_JOB = "process-lease"
# How long a process's hold on its shards lasts without renewal (renewed 3 times as often);
# after that, another process takes their countdown posts over (PostgreSQL only).
LEASE_SECONDS = 30.0
# How long a shutdown waits for commands still being answered before the database closes.
HANDLER_DRAIN_SECONDS = 5.0
# discord.py runs each slash command, component callback and event handler in a task
# with these names.
_HANDLER_TASK_PREFIXES = ("CommandTree-", "discord-ui-", "discord.py: ")


async def settle_handlers(grace: float, *, cancel_late: bool) -> None:
    """Let commands and event handlers still running finish (bounded) before the database
    closes; ``cancel_late`` then cancels what is still running (else it is only logged).

    An ``on_ready`` still reconciling servers would otherwise die with "Cannot operate on a
    closed database" when someone quits at once.
    """
    current = asyncio.current_task()
    running = [
        task
        for task in asyncio.all_tasks()
        if task is not current
        and not task.done()
        and task.get_name().startswith(_HANDLER_TASK_PREFIXES)
    ]
    if not running:
        return
    _, late = await asyncio.wait(running, timeout=grace)
    if not late:
        return
    if not cancel_late:
        log.warning("Closing with %d command(s) still running", len(late))
        return
    for task in late:
        task.cancel()
    await asyncio.gather(*late, return_exceptions=True)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def bot_intents() -> discord.Intents:
    """Only what a slash-command bot needs; no privileged intents.

    ``guilds`` gives the channel, role and own-member cache used to check permissions
    before saving a countdown channel. Everything else is off: the bot reads no messages.
    """
    intents = discord.Intents.none()
    intents.guilds = True
    return intents


def command_tree_hash(tree: discord.app_commands.CommandTree) -> str:
    """A stable digest of the global commands as they would be sent to Discord."""
    payload = sorted(
        (command.to_dict(tree) for command in tree.get_commands()), key=lambda c: c["name"]
    )
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def request_share(settings: Settings) -> float:
    """The part of the bot's global request budget this process takes: its part of the
    shards. Discord's 50 requests/s are per bot, so processes running half the shards each
    pace themselves at half the rate and together stay under the limit."""
    if settings.shard_count is None or settings.shard_ids is None:
        return 1.0
    return ShardScope.of(settings.shard_count, settings.shard_ids).share


class HeartstopperBot(commands.AutoShardedBot):
    def __init__(
        self,
        *,
        settings: Settings,
        db: Database,
        show: ShowData,
        clock: Clock = utc_now,
        extensions: Sequence[str] = DEFAULT_EXTENSIONS,
        maintenance_only: bool = False,
        tick_seconds: float = DEFAULT_TICK_SECONDS,
        guild_ready_timeout: float = 2.0,
        send_rate: float = DEFAULT_RATE,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        # One budget under Discord's global rate limit for every request the bot makes; with
        # several processes, each takes the share of its shards.
        self.pacer = Pacer(send_rate * request_share(settings))
        self._send_rate = send_rate
        super().__init__(
            # No SHARD_COUNT: discord.py asks /gateway/bot for Discord's recommendation.
            shard_count=settings.shard_count,
            shard_ids=list(settings.shard_ids) if settings.shard_ids is not None else None,
            # Memory per server stays small: no member lists (only the bot's own member,
            # which permission checks need), no message cache (the bot reads no messages).
            chunk_guilds_at_startup=False,
            member_cache_flags=discord.MemberCacheFlags.none(),
            max_messages=None,
            http_trace=paced_requests(self.pacer),
            # Slash commands only: the prefix is unused (no message content intent).
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=bot_intents(),
            # Nobody is pinged unless a feature opts in for a specific role.
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=BotTree,
            # How long discord.py waits for more GUILD_CREATEs before READY; the local
            # simulator sends them all at once, so the sandbox and tests use a short one.
            guild_ready_timeout=guild_ready_timeout,
        )
        self.settings = settings
        self.db = db
        self.show = show
        self.show_index = ShowIndex(show)  # in-memory indexes for lookups and autocomplete
        self.clock = clock
        self.meta = meta_store(db)
        self._extensions = tuple(extensions)
        # The `sync` CLI only needs the command tree: no automatic sync, no posting.
        self._maintenance_only = maintenance_only
        self._tick_seconds = tick_seconds
        self.jobs = PeriodicJobs()
        self._ticking = False
        self._tick_again = False
        self._gc_frozen = False
        # Set by cogs: send_countdown_post stays the one way countdown posts leave.
        self.post_view: PostView | None = None
        self.one_off_senders: dict[str, OneOffSender] = {}  # by the key's first part
        # With PostgreSQL, every process of the bot takes IDENTIFY turns through it.
        self._identify_gate = IdentifyGate(shared=identify_turns(db))
        self._max_concurrency: int | None = None
        self._leases = process_leases(db)
        self._lease_seconds = lease_seconds
        self._own_scope: ShardScope | None = None  # the shards this process was started with
        self.reset_hooks: dict[str, ResetHook] = {}  # by feature
        self.countdowns = CountdownService(
            repo=countdown_store(db),
            releases=show.releases,
            clock=clock,
            send=self.send_countdown_post,
            pacer=self.pacer,
            present=lambda guild_id: self.get_guild(guild_id) is not None,
            wake=self._wake_tick,
        )

    async def launch_shards(self) -> None:
        if (
            self.shard_count is None
            and self.settings.gateway_url is not None
            and not self.is_closed()
        ):
            # A configured gateway (the simulator, a test) wins over the one /gateway/bot
            # names: discord.py only uses its default gateway when the count is known.
            self.shard_count, _, _ = await self.http.get_bot_gateway()
        await super().launch_shards()
        if self.is_closed():
            # Closed during start-up (a stop signal, a failed start): discord.py 2.7 then
            # returns without launching anything, and the shard count may never be known.
            return
        # The shard count is known now (from the settings or /gateway/bot): from here on the
        # countdowns look only at this process's servers.
        assert self.shard_count is not None
        scope = ShardScope.of(self.shard_count, self.shard_ids)
        self.countdowns.repo.shards = None if scope.everything else scope
        self._own_scope = scope
        log.info("Running shard(s) %s of %d", sorted(scope.ids), scope.count)
        if self._leases is not None:
            await self._leases.renew(self.countdowns.boot_id, scope, self._lease_seconds)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Identify as fast as Discord allows: ``max_concurrency`` shards per 5 s window
        (discord.py's default waits 5 s before every shard but the first)."""
        if self._max_concurrency is None:
            limits = await self.fetch_session_start_limits()
            self._max_concurrency = max(1, limits.max_concurrency)
        await self._identify_gate.wait(shard_id or 0, self._max_concurrency)

    async def setup_hook(self) -> None:
        for extension in self._extensions:
            await self.load_extension(extension)
        log.info("Loaded %d feature(s): %s", len(self._extensions), ", ".join(self._extensions))
        if not self._maintenance_only:
            await self._sync_at_start()
            if not self.is_closed():  # a stop during the sync: nothing more to start
                await self.start_background_work()

    async def _sync_at_start(self) -> None:
        """A failed sync must not stop the bot (nor make systemd restart it in a loop):
        the commands Discord already has keep working, and ``heartstopper-bot sync`` retries."""
        try:
            await self.sync_commands()
        except RuntimeError:
            # aiohttp's "Session is closed": a graceful stop arrived while the sync was on
            # its way. Start-up ends quietly; anything else is a real error.
            if not self.is_closed():
                raise
        except discord.Forbidden:
            log.error(
                "Discord refused the command sync (403). If DEV_GUILD_ID is set, the bot must "
                "be in that server, invited with the applications.commands scope."
            )
        except discord.HTTPException as exc:
            log.error(
                "Command sync failed (%s %s); continuing with the commands Discord has",
                exc.status,
                exc.text[:200],
            )

    async def start_background_work(self) -> None:
        """Countdown senders, crash recovery, and the periodic tick."""
        await self.countdowns.start()
        self.jobs.every(COUNTDOWN_TICK_JOB, self._tick_seconds, self._countdown_tick)
        if self._leases is not None:
            self.jobs.every(LEASE_JOB, self._lease_seconds / 3, self._lease_round)
        self.jobs.start()

    async def _countdown_tick(self) -> None:
        # Posting needs the guild cache and reconciled membership: the countdown cog's
        # on_ready connects the service once READY has arrived.
        if not self.countdowns.connected:
            return
        self._ticking = True
        try:
            while True:
                self._tick_again = False
                await self.countdowns.tick()
                if not self._tick_again:
                    break
        finally:
            self._ticking = False

    def _wake_tick(self, seconds: float) -> None:
        """Tick in ``seconds`` (something falls due then), or again right after this one."""
        if self._ticking and seconds <= 0:
            self._tick_again = True  # APScheduler would skip a run while one is going
        else:
            self.jobs.wake_in(COUNTDOWN_TICK_JOB, seconds)

    async def _lease_round(self) -> None:
        """Renew this process's lease; take over the posts of shards whose process stopped
        renewing, and hand them back once a process holds them again."""
        own = self._own_scope
        if self._leases is None or own is None:
            return
        await self._leases.renew(self.countdowns.boot_id, own, self._lease_seconds)
        if not self.countdowns.connected:
            return  # taking over comes after this process's own recovery
        orphans = await self._leases.orphaned(own.count)
        wanted = ShardScope.of(own.count, own.ids | orphans)
        current = self.countdowns.repo.shards or ShardScope.of(own.count)
        if wanted == current:
            return
        self.countdowns.repo.shards = None if wanted.everything else wanted
        # Their share of the request budget comes along with them.
        self.pacer.set_rate(self._send_rate * wanted.share)
        taken, returned = sorted(wanted.ids - current.ids), sorted(current.ids - wanted.ids)
        if returned:
            log.info("Shard(s) %s have a process again; their posts are its own", returned)
        if taken:
            log.warning("Shard(s) %s stopped renewing their lease; taking over their posts", taken)
            await self.countdowns.recover_open()

    async def close(self) -> None:
        # The service first: it lets a running tick commit and sends in flight finish.
        # APScheduler's shutdown would cancel a running tick in the middle.
        await self.countdowns.stop()
        self.jobs.shutdown()
        if self._leases is not None and self._own_scope is not None:
            try:
                # A graceful stop gives the shards up without a takeover: a restart follows.
                await self._leases.release(self.countdowns.boot_id)
            except Exception:
                log.exception("Could not release this process's shard lease")
        await settle_handlers(HANDLER_DRAIN_SECONDS, cancel_late=False)
        await super().close()

    async def send_countdown_post(self, post: PlannedPost, nonce: str) -> int:
        """Send one countdown post; only the configured role may be pinged, never @everyone."""
        if post.kind is PostKind.ONE_OFF:
            sender = self.one_off_senders.get(post.target_key.partition(":")[0])
            if sender is not None:
                return await sender(post, nonce)
        channel = self.get_partial_messageable(post.channel_id, guild_id=post.guild_id)
        roles: list[discord.Object] | bool = (
            [discord.Object(post.ping_role_id)] if post.ping_role_id is not None else False
        )
        mentions = discord.AllowedMentions(
            everyone=False, users=False, roles=roles, replied_user=False
        )
        view = await self.post_view(post) if self.post_view is not None else None
        extra = {"view": view} if view is not None else {}
        message = await channel.send(
            post.content, allowed_mentions=mentions, silent=post.silent, nonce=nonce, **extra
        )
        return message.id

    async def sync_commands(self, *, force: bool = False) -> SyncOutcome:
        """Sync to the dev guild if one is set, else globally only when the tree changed."""
        if self.settings.dev_guild_id is not None:
            guild = discord.Object(self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("Synced %d command(s) to dev guild %s", len(synced), guild.id)
            return "guild"

        digest = command_tree_hash(self.tree)
        key = f"commands_hash:{self.application_id}"
        if not force and await self.meta.get(key) == digest:
            log.info("Global commands unchanged since the last sync; not syncing")
            return "unchanged"
        synced = await self.tree.sync()
        await self.meta.set(key, digest)
        log.info("Synced %d global command(s)", len(synced))
        return "global"

    def reload_show(self, path: Path) -> ShowReload:
        """Validate ``path``, then swap it in as the show data; a bad file changes nothing.

        Synchronous on purpose: the swap of ``show``, ``show_index`` and the countdown's
        releases happens between two awaits, so no command ever sees half of each. Cogs
        notice the new ``self.show`` object and rebuild their cached cards.
        """
        try:
            show = load_show_data(path)
            index = ShowIndex(show)  # built before the swap: a failure here changes nothing
        except ShowDataError as exc:
            log.warning("Show data not reloaded, the old data stays: %s", exc)
            return ShowReload(ok=False, message=str(exc))
        previous = self.show.releases
        changes = release_changes(previous, show.releases)
        self.show, self.show_index = show, index
        self.countdowns.releases = show.releases
        message = summary(str(path), changes)
        log.info("%s", message)
        outcome = ShowReload(ok=True, message=message, changes=changes)
        # Listeners run after this returns, on the new data: the "It's official" posts
        # (cogs/showdata.py) compare it with the dates last announced.
        self.dispatch("show_reloaded", outcome, previous)
        return outcome

    async def on_ready(self) -> None:
        assert self.user is not None
        log.info("Ready as %s (id %s) in %d server(s)", self.user, self.user.id, len(self.guilds))
        if not self._gc_frozen:
            # What exists once connected (the show data, indexes, caches, modules) lives as
            # long as the process: out of the collector's way, a full collection no longer
            # walks it and stalls the event loop for a fraction of the time.
            self._gc_frozen = True
            gc.collect()
            gc.freeze()
