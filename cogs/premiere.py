"""/premiere: the premiere kit (issue 11), each part opt-in by the server's admins.

* ``/premiere notify``: a "🔔 Notify me" button on countdown posts that gives or takes the
  server's ping role (the one ``/countdown role`` set) for whoever clicks it.
* ``/premiere events``: one Discord Scheduled Event per upcoming release known to the minute
  and per server event, kept in step by a periodic sync (a data reload, an event removed)
  and reconciled with Discord at start-up; the Discord event id is stored, and the row is
  written before the create request, so a crash never leads to a second event.
* ``/premiere threads``: at each release instant, the release-day post with a public thread
  for the discussion and a spoiler-window line, through the countdown's one-off posts
  (exactly once per server and release, through crashes).

Only members with Manage Server see the group, as with /countdown. Every option is
preflight-checked against the bot's permissions when it is turned on, and a failure later is
recorded for ``/premiere status``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import re
import weakref

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import HeartstopperBot
from bot.countdown.planner import PlannedPost, plan_one_off
from bot.countdown.settings import CountdownSettings
from bot.database.countdown import OneOffPost
from bot.database.store import premiere_store
from bot.premiere import notify
from bot.premiere.discord_checks import (
    EVENTS_NEED,
    THREAD_ALREADY_CREATED,
    THREADS_NEED,
    create_args,
    event_link,
    reset_note,
    role_facts,
    status_text,
    thread_problem,
)
from bot.premiere.events import (
    Action,
    OnDiscord,
    WantedEvent,
    event_url,
    needs_lookup,
    plan_sync,
    wanted_events,
)
from bot.premiere.settings import MAX_SPOILER_DAYS
from bot.premiere.threads import (
    THREAD_ARCHIVE_MINUTES,
    THREAD_KIND,
    THREAD_LATE_LIMIT,
    current_release,
    planned_threads,
    release_day_text,
    tag_name,
    thread_name,
)
from bot.premiere.views import post_buttons
from bot.show.models import Release
from bot.tree import UserFacingError, send_ephemeral

log = logging.getLogger(__name__)

PREMIERE_JOB = "premiere-sync"
RESET_HOOK = "premiere"
# A data reload or a removed event reaches Discord within this; release-day threads are
# scheduled by the same job (idempotent: a key is written once per server).
SYNC_SECONDS = 300.0


def _guild(interaction: discord.Interaction) -> discord.Guild:
    if interaction.guild is None:
        raise app_commands.NoPrivateMessage()
    return interaction.guild


class NotifyToggle(
    discord.ui.DynamicItem[discord.ui.Button], template=re.escape(notify.NOTIFY_CUSTOM_ID)
):
    """A click on "🔔 Notify me", on any post ever sent: the role is read at click time."""

    def __init__(self) -> None:
        super().__init__(discord.ui.Button(custom_id=notify.NOTIFY_CUSTOM_ID))

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Button,
        match: re.Match[str],
        /,
    ) -> NotifyToggle:
        return cls()

    async def callback(self, interaction: discord.Interaction) -> None:
        # discord.py only logs errors raised in dynamic items, so every path answers here.
        cog = interaction.client.get_cog("Premiere")  # type: ignore[attr-defined]
        if not isinstance(cog, Premiere) or interaction.guild is None:
            await send_ephemeral(interaction, notify.OFF)
            return
        try:
            reply = await cog.toggle_role(interaction)
        except Exception:
            log.exception("Notify-me click failed in guild %s", interaction.guild_id)
            reply = notify.BROKEN
        await send_ephemeral(interaction, reply)


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Premiere(commands.GroupCog, group_name="premiere"):
    """Premiere kit: Discord events, release-day threads, a "Notify me" button (admins)."""

    def __init__(self, bot: HeartstopperBot) -> None:
        self.bot = bot
        self.repo = premiere_store(bot.db)
        self.cooldown = notify.Cooldown()
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()
        self._connected = False
        super().__init__()

    async def cog_load(self) -> None:
        self.bot.post_view = self.post_view
        self.bot.jobs.every(PREMIERE_JOB, SYNC_SECONDS, self.sync_all)
        self.bot.countdowns.register_one_off(THREAD_KIND, self.render_thread_post)
        self.bot.one_off_senders[THREAD_KIND] = self.send_thread_post
        self.bot.reset_hooks[RESET_HOOK] = self.after_countdown_reset

    async def cog_unload(self) -> None:
        if self.bot.post_view == self.post_view:
            self.bot.post_view = None
        self.bot.one_off_senders.pop(THREAD_KIND, None)
        self.bot.reset_hooks.pop(RESET_HOOK, None)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        # default_member_permissions only hides the commands; a server can override that.
        if interaction.guild is None:
            raise app_commands.NoPrivateMessage()
        member = interaction.user
        if isinstance(member, discord.Member) and member.guild_permissions.manage_guild:
            return True
        if member.id in self.bot.settings.owner_ids:
            return True
        raise app_commands.MissingPermissions(["manage_guild"])

    async def _reply(self, interaction: discord.Interaction, content: str) -> None:
        await interaction.response.send_message(content, ephemeral=True)

    # -- the 🔔 button ---------------------------------------------------------------------

    async def post_view(self, post: PlannedPost) -> discord.ui.View | None:
        """ "Notify me" while that option is on, and a link to the Discord event of the
        post's target when the bot keeps one."""
        settings = await self.repo.get(post.guild_id)
        notify_me = False
        if settings.notify_button:
            countdown = await self.bot.countdowns.repo.get_settings(post.guild_id)
            notify_me = countdown.role_id is not None
        return post_buttons(
            notify_me=notify_me, event_link=await self.event_url(post.guild_id, post.target_key)
        )

    async def event_url(self, guild_id: int, source_key: str) -> str | None:
        """The link to the Discord event for a release or server event, if the bot keeps one."""
        settings = await self.repo.get(guild_id)
        if not settings.events_active:
            return None
        link = await self.repo.link(guild_id, source_key)
        if link is None or link.discord_event_id is None:
            return None
        return event_url(guild_id, link.discord_event_id)

    async def toggle_role(self, interaction: discord.Interaction) -> str:
        """Give or take the ping role for the member who clicked; the ephemeral reply."""
        guild = _guild(interaction)
        member = interaction.user
        if not isinstance(member, discord.Member):
            return notify.BROKEN
        if not (await self.repo.get(guild.id)).notify_button:
            return notify.OFF
        role_id = (await self.bot.countdowns.repo.get_settings(guild.id)).role_id
        role = guild.get_role(role_id) if role_id is not None else None
        if role is None:
            return notify.NO_ROLE
        problem = notify.role_problem(role_facts(guild, role))
        if problem is not None:
            await self.repo.change(guild.id, notify_problem=problem)
            return notify.BROKEN
        wait = self.cooldown.remaining((guild.id, member.id), self.bot.clock())
        if wait is not None:
            return notify.cooldown_reply(wait)
        has_role = any(r.id == role.id for r in member.roles)
        try:
            if has_role:
                await member.remove_roles(role, reason="🔔 Notify me: opted out")
            else:
                await member.add_roles(role, reason="🔔 Notify me: opted in")
        except discord.HTTPException as exc:
            log.warning("Notify-me role change refused in guild %s: %s", guild.id, exc)
            await self.repo.change(
                guild.id,
                notify_problem=f"Discord refused a role change ({exc.status}): "
                + (notify.role_problem(role_facts(guild, role)) or "check my role's position."),
            )
            return notify.BROKEN
        return notify.toggle_reply(not has_role, role.name)

    @app_commands.command(name="notify")
    @app_commands.describe(enabled="Show a 🔔 Notify me button on countdown posts")
    async def notify_(self, interaction: discord.Interaction, enabled: bool) -> None:
        """Let members give themselves the countdown's ping role with a button."""
        guild = _guild(interaction)
        if not enabled:
            await self.repo.change(guild.id, notify_button=False, notify_problem=None)
            await self._reply(interaction, "🔕 The 🔔 Notify me button is off for new posts.")
            return
        role_id = (await self.bot.countdowns.repo.get_settings(guild.id)).role_id
        role = guild.get_role(role_id) if role_id is not None else None
        if role is None:
            raise UserFacingError(
                "The button hands out the countdown's ping role, and none is set. "
                "Pick one with `/countdown role` first."
            )
        problem = notify.role_problem(role_facts(guild, role))
        if problem is not None:
            raise UserFacingError(f"I can't turn the button on yet: {problem}")
        await self.repo.change(guild.id, notify_button=True, notify_problem=None)
        await self._reply(
            interaction,
            f"✅ Countdown posts now carry a 🔔 **Notify me** button: members who click it "
            f"get (or lose) {role.mention}.",
        )

    # -- Discord Scheduled Events -----------------------------------------------------------------

    def _lock(self, guild_id: int) -> asyncio.Lock:
        lock = self._locks.get(guild_id)
        if lock is None:
            lock = self._locks[guild_id] = asyncio.Lock()
        return lock

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Reconcile with what exists on Discord once the guild cache is filled."""
        self._connected = True
        for guild_id in await self.repo.with_events():
            try:
                await self.sync_events(guild_id, look=True)
            except Exception:
                log.exception("Discord event reconcile failed for guild %s", guild_id)
        for guild_id in await self.repo.with_threads():
            await self.schedule_threads(guild_id)

    async def sync_all(self) -> None:
        """The periodic job: events only cost requests when something changed (stored links
        and the data are compared first); thread posts are scheduled once per key."""
        if not self._connected:
            return
        for guild_id in await self.repo.with_events():
            try:
                await self.sync_events(guild_id)
            except Exception:
                log.exception("Discord event sync failed for guild %s", guild_id)
        for guild_id in await self.repo.with_threads():
            try:
                await self.schedule_threads(guild_id)
            except Exception:
                log.exception("Scheduling release-day threads failed for guild %s", guild_id)

    async def sync_events(self, guild_id: int, *, look: bool = False) -> list[Action]:
        """Bring the server's Discord events in step with its releases and server events."""
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            return []
        async with self._lock(guild_id):
            settings = await self.repo.get(guild_id)
            if settings.discord_events and settings.events_paused:
                return []  # waits for an admin; nothing is deleted meanwhile
            now = self.bot.clock()
            wanted: list[WantedEvent] = []
            if settings.discord_events:
                events = await self.bot.countdowns.repo.list_events(guild_id)
                wanted = wanted_events(
                    self.bot.show.releases,
                    events,
                    now=now,
                    channel_id=settings.events_channel_id,
                )
            links = await self.repo.links(guild_id)
            on_discord = await self._on_discord(guild) if look or needs_lookup(links) else None
            actions = plan_sync(wanted, links, on_discord, now=now)
            for action in actions:
                try:
                    await self._apply(guild, action)
                except discord.Forbidden:
                    await self.repo.change(guild_id, events_paused=True, events_problem=EVENTS_NEED)
                    log.warning("Discord events paused in guild %s: no Manage Events", guild_id)
                    break
                except discord.HTTPException as exc:
                    log.warning("Discord event %s for guild %s failed: %s", action, guild_id, exc)
                    break  # the next sync tries again
            return actions

    async def _on_discord(self, guild: discord.Guild) -> dict[int, OnDiscord]:
        me = self.bot.user.id if self.bot.user else 0
        events = await guild.fetch_scheduled_events(with_counts=False)
        return {e.id: OnDiscord(e.id, e.name, e.start_time) for e in events if e.creator_id == me}

    async def _apply(self, guild: discord.Guild, action: Action) -> None:
        wanted = action.wanted
        if action.kind == "delete":
            if action.event_id is not None:
                try:
                    await self.bot.http.delete_scheduled_event(guild.id, action.event_id)
                except discord.NotFound:
                    pass  # already gone
            await self.repo.drop_link(guild.id, action.source_key)
            return
        assert wanted is not None
        if action.kind == "create":
            # Written before the request: a crash now leaves a link without an id, which the
            # next start resolves against Discord's list instead of creating again.
            await self.repo.save_link(event_link(guild.id, wanted, None))
            created = await guild.create_scheduled_event(**create_args(guild, wanted))
            await self.repo.save_link(event_link(guild.id, wanted, created.id))
            return
        assert action.event_id is not None
        try:
            event = await guild.fetch_scheduled_event(action.event_id)
            await event.edit(
                name=wanted.name,
                description=wanted.description,
                start_time=wanted.starts_at,
                end_time=wanted.ends_at,
                reason="Heartstopper bot: the date changed",
            )
        except discord.NotFound:
            await self.repo.drop_link(guild.id, action.source_key)  # recreated next sync
            return
        await self.repo.save_link(event_link(guild.id, wanted, action.event_id))

    @app_commands.command(name="events")
    @app_commands.describe(
        enabled="Keep a Discord event for each upcoming release and server event",
        channel="A voice or stage channel for your server events (default: external)",
    )
    async def events_(
        self,
        interaction: discord.Interaction,
        enabled: bool,
        channel: discord.VoiceChannel | discord.StageChannel | None = None,
    ) -> None:
        """Discord's own events (with "Interested" and reminders) for releases and yours."""
        guild = _guild(interaction)
        if enabled and not guild.me.guild_permissions.manage_events:
            raise UserFacingError(f"I can't turn Discord events on yet: {EVENTS_NEED}")
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.repo.change(
            guild.id,
            discord_events=enabled,
            events_paused=False,
            events_problem=None,
            events_channel_id=channel.id if channel else None,
        )
        actions = await self.sync_events(guild.id, look=enabled)
        settings = await self.repo.get(guild.id)
        if settings.events_problem:
            text = f"⚠️ {settings.events_problem}"
        elif enabled:
            count = len(await self.repo.links(guild.id))
            text = (
                f"✅ Discord events are on: this server has {count} of mine "
                "(one per upcoming release with an exact time, and per server event)."
            )
        else:
            removed = sum(1 for a in actions if a.kind == "delete")
            text = f"Discord events are off; I removed {removed} of mine."
        await interaction.edit_original_response(content=text)

    async def after_countdown_reset(self, guild_id: int) -> str | None:
        """The server events are gone: their Discord events go now, not at the next sync,
        before a new event can reuse a deleted one's id and inherit its Discord event (and the
        members "Interested" in it). The options themselves stay; the reply says so."""
        settings = await self.repo.get(guild_id)
        if settings.discord_events or await self.repo.links(guild_id):
            await self.sync_events(guild_id)
        return reset_note(settings)

    # -- release-day threads ----------------------------------------------------------------------

    async def schedule_threads(self, guild_id: int) -> int:
        """Schedule the release-day posts still ahead; already scheduled keys are left alone."""
        added = 0
        for plan in planned_threads(self.bot.show.releases, self.bot.clock()):
            added += await self.bot.countdowns.schedule_one_off(
                guild_id,
                plan.key,
                THREAD_KIND,
                due_at=plan.due_at,
                expires_at=plan.due_at + THREAD_LATE_LIMIT,
                payload={"release": plan.release_key},
            )
        return added

    async def render_thread_post(
        self, settings: CountdownSettings, post: OneOffPost, now: dt.datetime
    ) -> PlannedPost | None:
        """The release-day post as it reads when sent, or None (turned off, the date moved,
        or the bot may not open threads there: then only this part is told, in status)."""
        premiere = await self.repo.get(settings.guild_id)
        release = current_release(self.bot.show.releases, post.key)
        if not premiere.release_threads or release is None:
            return None
        channel_id = premiere.thread_channel_id or settings.channel_id
        guild = self.bot.get_guild(settings.guild_id)
        channel = guild.get_channel(channel_id) if guild and channel_id else None
        problem = thread_problem(channel)
        if problem is not None:
            await self.repo.change(settings.guild_id, threads_problem=problem)
            return None
        assert release.when.instant is not None
        until = release.when.instant + dt.timedelta(days=premiere.spoiler_days)
        forum = isinstance(channel, discord.ForumChannel)
        episodes = self.bot.show.episodes_of(release.season) if release.season else ()
        text = release_day_text(
            release,
            spoilers_until=until,
            place="this post" if forum else "the thread below",
            episodes=episodes if forum else (),
        )
        planned = plan_one_off(settings, text, key=post.key, now=now, loud=True)
        return dataclasses.replace(planned, channel_id=channel_id) if planned else None

    async def send_thread_post(self, post: PlannedPost, nonce: str) -> int:
        """Send the post (its nonce makes a resend after a crash the same message), then open
        the thread on it; Discord allows one thread per message, so that is once too."""
        release = current_release(self.bot.show.releases, post.target_key)
        roles: list[discord.Object] | bool = (
            [discord.Object(post.ping_role_id)] if post.ping_role_id is not None else False
        )
        mentions = discord.AllowedMentions(everyone=False, users=False, roles=roles)
        guild = self.bot.get_guild(post.guild_id)
        forum = guild.get_channel(post.channel_id) if guild else None
        if isinstance(forum, discord.ForumChannel) and release is not None:
            return await self._forum_post(forum, release, post, mentions)
        channel = self.bot.get_partial_messageable(post.channel_id, guild_id=post.guild_id)
        message = await channel.send(
            post.content, allowed_mentions=mentions, silent=post.silent, nonce=nonce
        )
        name = thread_name(release) if release else "Release day (spoilers)"
        try:
            await message.create_thread(
                name=name, auto_archive_duration=THREAD_ARCHIVE_MINUTES, reason="Release day"
            )
        except discord.HTTPException as exc:
            if exc.code == THREAD_ALREADY_CREATED:
                return message.id  # a resend after a crash: the thread is there
            if not isinstance(exc, discord.Forbidden | discord.NotFound):
                raise  # retried by the delivery machinery: same nonce, same message
            log.warning("Release-day thread refused in guild %s: %s", post.guild_id, exc)
            await self.repo.change(
                post.guild_id,
                threads_problem=f"Discord refused the release-day thread ({exc.status}). "
                + THREADS_NEED,
            )
        return message.id

    async def _forum_post(
        self,
        forum: discord.ForumChannel,
        release: Release,
        post: PlannedPost,
        mentions: discord.AllowedMentions,
    ) -> int:
        """A forum post tagged with the season or film. Forum posts carry no nonce, so a
        resend after a crash first looks for the post among the active threads."""
        name = thread_name(release)
        me = forum.guild.me
        for thread in await forum.guild.active_threads():
            if thread.parent_id == forum.id and thread.owner_id == me.id and thread.name == name:
                return thread.id  # the starter message shares the thread's id
        tag = await self._release_tag(forum, tag_name(release))
        created = await forum.create_thread(
            name=name,
            content=post.content,
            applied_tags=[tag] if tag else [],
            allowed_mentions=mentions,
            auto_archive_duration=THREAD_ARCHIVE_MINUTES,
            reason="Release day",
        )
        return created.message.id

    async def _release_tag(self, forum: discord.ForumChannel, name: str) -> discord.ForumTag | None:
        """The forum's tag called ``name``, created when the bot may (Manage Channels)."""
        for tag in forum.available_tags:
            if tag.name.casefold() == name.casefold():
                return tag
        if not forum.permissions_for(forum.guild.me).manage_channels:
            return None  # untagged beats no post; the setup reply said how to get tags
        try:
            return await forum.create_tag(name=name)
        except discord.HTTPException as exc:
            log.warning("Could not create forum tag %r in guild %s: %s", name, forum.guild.id, exc)
            return None

    @app_commands.command(name="threads")
    @app_commands.describe(
        enabled="Open a discussion thread on the release-day post of each release",
        channel="Where the release-day post goes (default: the countdown channel)",
        spoiler_days="How many days spoilers stay in the thread (default 7)",
    )
    async def threads_(
        self,
        interaction: discord.Interaction,
        enabled: bool,
        channel: discord.TextChannel | discord.ForumChannel | None = None,
        spoiler_days: app_commands.Range[int, 1, MAX_SPOILER_DAYS] | None = None,
    ) -> None:
        """A release-day post with a spoiler thread, once per release."""
        guild = _guild(interaction)
        if not enabled:
            await self.repo.change(guild.id, release_threads=False, threads_problem=None)
            await self._reply(interaction, "Release-day threads are off.")
            return
        countdown = await self.bot.countdowns.repo.get_settings(guild.id)
        target = channel or (
            guild.get_channel(countdown.channel_id) if countdown.channel_id else None
        )
        if countdown.channel_id is None or target is None:
            raise UserFacingError(
                "Release-day threads follow the countdown: set it up first with "
                "`/countdown setup`, then turn them on."
            )
        problem = thread_problem(target)
        if problem is not None:
            raise UserFacingError(f"I can't turn release-day threads on yet: {problem}")
        changes: dict[str, object] = {
            "release_threads": True,
            "threads_problem": None,
            "thread_channel_id": channel.id if channel else None,
        }
        if spoiler_days is not None:
            changes["spoiler_days"] = spoiler_days
        settings = await self.repo.change(guild.id, **changes)
        await self.schedule_threads(guild.id)
        if isinstance(target, discord.ForumChannel):
            text = (
                f"✅ At each release, I'll open a post in {target.mention}, tagged with the "
                f"season or film; spoilers stay there for {settings.spoiler_days} days."
            )
            if not target.permissions_for(guild.me).manage_channels:
                text += (
                    " I'll use an existing tag named like `Season 4` or `Film`; give me "
                    "**Manage Channels** there to let me create missing ones."
                )
        else:
            text = (
                f"✅ At each release, I'll post in {target.mention} and open a thread for the "
                f"discussion; spoilers stay there for {settings.spoiler_days} days."
            )
        await self._reply(interaction, text)

    # -- status ------------------------------------------------------------------------------

    @app_commands.command()
    async def status(self, interaction: discord.Interaction) -> None:
        """Which premiere options are on, and any problem they hit."""
        settings = await self.repo.get(_guild(interaction).id)
        await self._reply(interaction, status_text(settings))


async def setup(bot: HeartstopperBot) -> None:
    bot.add_dynamic_items(NotifyToggle)
    await bot.add_cog(Premiere(bot))


async def teardown(bot: HeartstopperBot) -> None:
    bot.remove_dynamic_items(NotifyToggle)
