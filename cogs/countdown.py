"""/countdown: server admins set up the daily countdown posts.

Only members with Manage Server see the group by default, and it works only in servers.
Every change is checked before it is saved (can the bot post there? is the time real?) and
takes effect at once: saving recomputes the next post instant in the database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import HeartstopperBot
from bot.countdown.cards import (
    check_channel,
    describe_target,
    preview_text,
    setup_changes,
    status_embed,
)
from bot.countdown.events import (
    MAX_UPCOMING_EVENTS,
    cap_message,
    event_choice_label,
    event_pages,
    moving_target,
    typed_release,
    upcoming,
)
from bot.countdown.names import MentionLookup, event_name, match_event, mentioned_ids
from bot.countdown.parsing import (
    ChosenZone,
    CountdownInputError,
    describe_zone,
    parse_event_datetime,
    parse_post_time,
    parse_timezone,
    timezone_choices,
)
from bot.countdown.reminders import (
    REMINDER_KIND,
    Reminder,
    apply_switches,
    reminder_line,
    reminder_prefix,
    reminder_renderer,
    restore_reminders,
    schedule_reminders,
)
from bot.countdown.settings import (
    DEFAULT_REMINDERS,
    NEXT_TARGET,
    SOONEST_TARGET,
    Cadence,
    CountdownSettings,
    CustomEvent,
    event_target,
    release_target,
)
from bot.countdown.tzindex import fold
from bot.database.countdown import EventNameTaken
from bot.paging import Paginator
from bot.show.releases import describe_when, discord_timestamps, upcoming_releases
from bot.tree import UserFacingError

log = logging.getLogger(__name__)

NAME_INPUT_MAX = 100  # typed event names; mentions take more room than the text they become
WHEN_INPUT_MAX = 60
TIME_INPUT_MAX = 20
ZONE_INPUT_MAX = 100  # Discord's cap on an autocomplete value
MAX_MENTION_LOOKUPS = 5
TIME_OPTION_HELP = "Local post time: 09:00, 9am, 9:30pm or 21:30"
ZONE_OPTION_HELP = "A city, zone or offset: London, America/New_York, EST, UTC+2 (type to search)"
TEST_POST_PREFIX = "🧪 **Test post** (from `/countdown test`; only admins asked for this one):\n"


@contextmanager
def friendly_input() -> Iterator[None]:
    """Turn the parsers' CountdownInputError into the friendly ephemeral error path."""
    try:
        yield
    except CountdownInputError as exc:
        raise UserFacingError(str(exc)) from None


def _guild(interaction: discord.Interaction) -> discord.Guild:
    if interaction.guild is None:
        raise app_commands.NoPrivateMessage()
    return interaction.guild


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Countdown(commands.GroupCog, group_name="countdown"):
    """Daily countdown posts to the next Heartstopper release (server admins)."""

    event = app_commands.Group(
        name="event", description="Your server's own events to count down to"
    )

    def __init__(self, bot: HeartstopperBot) -> None:
        self.bot = bot
        self.service = bot.countdowns
        self.repo = bot.countdowns.repo
        self._reminders_restored = False
        super().__init__()

    async def cog_load(self) -> None:
        # Before the service starts (extensions load first), so no due reminder finds
        # itself without a renderer.
        self.service.register_one_off(REMINDER_KIND, reminder_renderer(self.repo))

    # -- shared helpers ---------------------------------------------------------------------

    def _may_configure(self, interaction: discord.Interaction) -> bool:
        member = interaction.user
        if isinstance(member, discord.Member) and member.guild_permissions.manage_guild:
            return True
        return member.id in self.bot.settings.owner_ids

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        # default_member_permissions only hides the commands; a server can override it, so
        # changing settings still needs Manage Server (or the bot owner). discord.py runs
        # this for commands only: every autocomplete checks _may_configure itself.
        if interaction.guild is None:
            raise app_commands.NoPrivateMessage()
        if self._may_configure(interaction):
            return True
        raise app_commands.MissingPermissions(["manage_guild"])

    async def _reply(
        self,
        interaction: discord.Interaction,
        content: str | None = None,
        *,
        embed: discord.Embed | None = None,
    ) -> None:
        """Answer privately, first telling the admin about a failure they haven't seen."""
        warning = await self.repo.take_unseen_error(_guild(interaction).id)
        if warning:
            content = f"⚠️ **The countdown hit a problem:** {warning}\n\n{content or ''}".strip()
        if interaction.response.is_done():  # deferred before slow work
            await interaction.followup.send(
                content or "", embed=embed or discord.utils.MISSING, ephemeral=True
            )
        else:
            await interaction.response.send_message(content or None, embed=embed, ephemeral=True)

    def _check_channel(self, channel: discord.abc.GuildChannel, role: discord.Role | None) -> None:
        me = channel.guild.me
        result = check_channel(channel.mention, channel.permissions_for(me), role=role)
        if not result.ok:
            raise UserFacingError(result.problem)

    def _resolve_channel(
        self, guild: discord.Guild, channel_id: int | None
    ) -> discord.abc.GuildChannel | None:
        return guild.get_channel(channel_id) if channel_id else None

    async def _save(self, interaction: discord.Interaction, what: str, **changes: Any) -> None:
        """Apply ``changes`` to the server's settings as committed now, and confirm.

        The service is the one writer: it writes only these columns under the server's
        lock, so another admin's change or the bot's own pause made meanwhile stays.
        """
        change = await self.service.change_settings(_guild(interaction).id, **changes)
        await self._reply(interaction, f"✅ {what}\n{await self._next_post_line(change.after)}")

    async def _next_post_line(self, settings: CountdownSettings) -> str:
        """The next post that will really go out (the ledger and the cadence considered)."""
        if not settings.enabled or settings.channel_id is None:
            return "No posts while the countdown is paused or not set up."
        at, post = await self.service.next_post(settings)
        if at is None or post is None:
            return (
                "Nothing to post in the coming week (milestones only, or the target is "
                "finished): `/countdown status` and `/countdown preview` say more."
            )
        full, relative = discord_timestamps(at)
        plain = self.service.next_post_after(settings, self.bot.clock())
        if plain is not None and at != plain and await self.service.day_has_post(settings, plain):
            return (
                f"Next post: {full} ({relative}). Today's post has already gone out, and "
                "there is one post a day at most."
            )
        if at != plain:
            return (
                f"Next post: {full} ({relative}). Days before that have nothing to post: "
                "releases without an exact date get a weekly update on Mondays. To count down "
                "to your own date, add one with `/countdown event add`."
            )
        return f"Next post: {full} ({relative})."

    async def _settings(self, interaction: discord.Interaction) -> CountdownSettings:
        return await self.repo.get_settings(_guild(interaction).id)

    async def _require_setup(self, interaction: discord.Interaction) -> CountdownSettings:
        settings = await self._settings(interaction)
        if settings.channel_id is None:
            raise UserFacingError("The countdown isn't set up yet: start with `/countdown setup`.")
        return settings

    # -- setup and single settings ----------------------------------------------------------

    @app_commands.command()
    @app_commands.describe(
        channel="Where the daily post goes",
        time=TIME_OPTION_HELP,
        timezone=ZONE_OPTION_HELP,
        role="Optional role to ping on milestones and release day",
    )
    async def setup(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        time: app_commands.Range[str, 1, TIME_INPUT_MAX],
        timezone: app_commands.Range[str, 1, ZONE_INPUT_MAX],
        role: discord.Role | None = None,
    ) -> None:
        """Set up the daily countdown: channel, time, time zone and an optional role."""
        guild = _guild(interaction)
        now = self.bot.clock()
        with friendly_input():
            post_time = parse_post_time(time)
            zone = parse_timezone(timezone, now)
        real_channel = self._resolve_channel(guild, channel.id) or channel
        self._check_channel(real_channel, role)  # type: ignore[arg-type]
        change = await self.service.change_settings(
            guild.id,
            channel_id=channel.id,
            post_time=post_time,
            timezone=zone.key,
            role_id=role.id if role else None,
            enabled=True,
        )
        text = (
            f"Countdown set up in {channel.mention} at {post_time:%H:%M}, "
            f"{_zone_confirmation(zone, now)}"
            + (f"\nI'll ping {role.mention} on milestones." if role else "")
        )
        if change.before.channel_id is not None:  # set up before: say what this changed
            changes = setup_changes(change.before, change.after)
            text += (
                f"\nChanged: {'; '.join(changes)}."
                if changes
                else "\nNothing changed: that is how it was already set up."
            )
        await self._reply(interaction, f"✅ {text}\n{await self._next_post_line(change.after)}")

    @app_commands.command()
    @app_commands.describe(channel="The new channel for the countdown posts")
    async def channel(self, interaction: discord.Interaction, channel: discord.TextChannel) -> None:
        """Move the countdown posts to another channel."""
        guild = _guild(interaction)
        settings = await self._require_setup(interaction)
        role = guild.get_role(settings.role_id) if settings.role_id else None
        self._check_channel(self._resolve_channel(guild, channel.id) or channel, role)  # type: ignore[arg-type]
        await self._save(interaction, f"Posts will go to {channel.mention}.", channel_id=channel.id)

    @app_commands.command(name="time")
    @app_commands.describe(time=TIME_OPTION_HELP)
    async def time_(
        self, interaction: discord.Interaction, time: app_commands.Range[str, 1, TIME_INPUT_MAX]
    ) -> None:
        """Change the local time of the daily post."""
        settings = await self._require_setup(interaction)
        with friendly_input():
            post_time = parse_post_time(time)
        zone = describe_zone(settings.zone.key, self.bot.clock())
        await self._save(
            interaction, f"Posts will go out at {post_time:%H:%M}, {zone}.", post_time=post_time
        )

    @app_commands.command()
    @app_commands.describe(timezone=ZONE_OPTION_HELP)
    async def timezone(
        self,
        interaction: discord.Interaction,
        timezone: app_commands.Range[str, 1, ZONE_INPUT_MAX],
    ) -> None:
        """Change the time zone the post time is in."""
        await self._require_setup(interaction)
        now = self.bot.clock()
        with friendly_input():
            zone = parse_timezone(timezone, now)
        await self._save(
            interaction, f"Time zone set to {_zone_confirmation(zone, now)}", timezone=zone.key
        )

    @setup.autocomplete("timezone")
    @timezone.autocomplete("timezone")
    async def timezone_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        # The label shows each zone's offset and local time now, so a wrong pick is obvious.
        now = self.bot.clock()
        return [
            app_commands.Choice(name=describe_zone(key, now)[:100], value=key)
            for key in timezone_choices(current, now)
        ]

    @app_commands.command()
    @app_commands.describe(role="Role to ping on milestones and release day; leave empty for none")
    async def role(
        self, interaction: discord.Interaction, role: discord.Role | None = None
    ) -> None:
        """Choose the role to ping (or no pings at all)."""
        guild = _guild(interaction)
        settings = await self._require_setup(interaction)
        if role is not None:
            channel = self._resolve_channel(guild, settings.channel_id)
            if channel is not None:
                self._check_channel(channel, role)
        what = f"I'll ping {role.mention} on milestones." if role else "I won't ping anyone."
        await self._save(interaction, what, role_id=role.id if role else None)

    @app_commands.command()
    @app_commands.describe(
        target="`next` (the next release), `soonest` (release or event), a release or an event"
    )
    async def target(
        self, interaction: discord.Interaction, target: app_commands.Range[str, 1, 100]
    ) -> None:
        """Choose what to count down to: the next release, the next thing, a release or event."""
        guild = _guild(interaction)
        settings = await self._require_setup(interaction)
        value = await self._typed_target(guild.id, target)
        new = dataclasses.replace(settings, target=value)
        resolved = await self.service.resolve(new, self.bot.clock())
        await self._save(
            interaction, f"Counting down to {describe_target(resolved, new)}.", target=value
        )

    async def _typed_target(self, guild_id: int, typed: str) -> str:
        """The stored target for what an admin picked or typed (a did-you-mean otherwise)."""
        moving = moving_target(typed)
        if moving is not None:
            return moving
        release = typed_release(typed, self.bot.show.releases)
        if release is not None:
            return release_target(release.key)
        if typed.strip().lower().startswith("release:"):
            raise UserFacingError("I don't know that release; pick one from the list.")
        events = await self.repo.list_events(guild_id)
        if not events:
            raise UserFacingError(
                "Pick a target from the list: `next`, `soonest`, a release, or one of your "
                "events (add one with `/countdown event add`)."
            )
        return event_target(_chosen_event(typed, events).id)

    @target.autocomplete("target")
    async def target_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if not self._may_configure(interaction):
            return []  # event names and dates are for the server's admins
        now = self.bot.clock()
        options = [
            ("The next release (moves on automatically)", NEXT_TARGET),
            ("The next thing: a release or one of your events, whichever is first", SOONEST_TARGET),
        ]
        for release in upcoming_releases(self.bot.show.releases, now):
            options.append(
                (f"{release.title} · {describe_when(release.when)}", release_target(release.key))
            )
        if interaction.guild_id:
            zone = (await self.repo.get_settings(interaction.guild_id)).zone
            for event in await self.repo.list_events(interaction.guild_id):
                label = f"Event: {event_choice_label(event, zone)}"
                options.append((label, event_target(event.id)))
        needle = current.casefold().strip()
        return [
            app_commands.Choice(name=name[:100], value=value)
            for name, value in options
            if needle in name.casefold() or needle in value
        ][:25]

    @app_commands.command()
    @app_commands.describe(cadence="Every day, or only on milestones and release day")
    @app_commands.choices(
        cadence=[
            app_commands.Choice(name="Every day", value=Cadence.DAILY.value),
            app_commands.Choice(
                name="Milestones and release day only", value=Cadence.MILESTONES.value
            ),
        ]
    )
    async def cadence(self, interaction: discord.Interaction, cadence: str) -> None:
        """How often to post."""
        await self._require_setup(interaction)
        chosen = Cadence(cadence)
        words = "every day" if chosen is Cadence.DAILY else "on milestones and release day only"
        await self._save(interaction, f"Posting {words}.", cadence=chosen)

    @app_commands.command()
    @app_commands.describe(
        silent="Routine posts arrive without a notification (milestones still notify)"
    )
    async def silent(self, interaction: discord.Interaction, silent: bool) -> None:
        """Whether routine daily posts are silent."""
        await self._require_setup(interaction)
        words = "silent" if silent else "with a notification (and the role ping, if set)"
        await self._save(interaction, f"Routine posts will arrive {words}.", silent_routine=silent)

    @app_commands.command()
    async def pause(self, interaction: discord.Interaction) -> None:
        """Stop posting until you resume (settings are kept)."""
        settings = await self._require_setup(interaction)
        if not settings.enabled:
            await self._reply(interaction, "The countdown is already paused: `/countdown resume`.")
            return
        await self._save(interaction, "Countdown paused.", enabled=False)

    @app_commands.command()
    async def resume(self, interaction: discord.Interaction) -> None:
        """Start posting again (checks the channel first)."""
        guild = _guild(interaction)
        settings = await self._require_setup(interaction)
        channel = self._resolve_channel(guild, settings.channel_id)
        if channel is None:
            raise UserFacingError(
                "The countdown channel no longer exists: pick one with `/countdown channel`."
            )
        role = guild.get_role(settings.role_id) if settings.role_id else None
        self._check_channel(channel, role)
        what = "Countdown resumed." if not settings.enabled else "The countdown is already running."
        await self._save(interaction, what, enabled=True)

    @app_commands.command()
    @app_commands.describe(confirm="Type true to confirm: settings and custom events are deleted")
    async def reset(self, interaction: discord.Interaction, confirm: bool) -> None:
        """Delete this server's countdown settings and custom events."""
        if not confirm:
            raise UserFacingError(
                "Nothing was changed. Run `/countdown reset confirm: True` to reset."
            )
        guild = _guild(interaction)
        if not await self.service.reset(guild.id):
            raise UserFacingError("There is nothing to reset: the countdown isn't set up here.")
        await interaction.response.defer(ephemeral=True, thinking=True)  # hooks call Discord
        notes = [await self._after_reset(name, guild.id) for name in self.bot.reset_hooks]
        await interaction.edit_original_response(
            content="🗑️ Countdown settings and custom events deleted. "
            "`/countdown setup` starts afresh." + "".join(f"\n{n}" for n in notes if n)
        )

    async def _after_reset(self, name: str, guild_id: int) -> str | None:
        # The reset is done and stays done: a feature failing to follow it is only logged.
        try:
            return await self.bot.reset_hooks[name](guild_id)
        except Exception:
            log.exception("The %s reset hook failed for guild %s", name, guild_id)
            return None

    # -- looking at it ----------------------------------------------------------------------

    @app_commands.command()
    async def status(self, interaction: discord.Interaction) -> None:
        """Settings, the next post, the last post and any problem."""
        guild = _guild(interaction)
        status = await self.service.status(guild.id)
        settings = status.settings
        now = self.bot.clock()
        target = await self.service.resolve(settings, now)
        link = (
            f"https://discord.com/channels/{guild.id}/{status.last_channel_id}"
            f"/{status.last_message_id}"
            if status.last_message_id and status.last_channel_id
            else None
        )
        embed = status_embed(
            settings,
            target=target,
            finished=await self.service.finished(settings),
            next_post_at=status.next_post_at,
            last_post_at=status.last_post_at,
            last_post_link=link,
            last_error=status.last_error,
        )
        await self.repo.take_unseen_error(guild.id)  # shown in the card: now seen
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command()
    async def preview(self, interaction: discord.Interaction) -> None:
        """Show privately what the next post will say."""
        settings = await self._require_setup(interaction)
        at, post = await self.service.preview(settings)
        reason = (
            "the target is finished or has no date to count yet"
            " (vague dates get a weekly Monday post)"
        )
        text = preview_text(at, post, reason)
        if not settings.enabled:
            # The preview shows the post as if resumed; say plainly that none is coming.
            text = f"⏸️ Paused: nothing is posted until `/countdown resume`. If resumed:\n{text}"
        await self._reply(interaction, text[:2000])

    @app_commands.command()
    async def test(self, interaction: discord.Interaction) -> None:
        """Post a sample countdown in the channel now (no pings)."""
        guild = _guild(interaction)
        settings = await self._require_setup(interaction)
        channel = self._resolve_channel(guild, settings.channel_id)
        if channel is None or not isinstance(channel, discord.abc.Messageable):
            raise UserFacingError(
                "The countdown channel no longer exists: pick one with `/countdown channel`."
            )
        self._check_channel(channel, None)
        # Posting goes through Discord's rate limits: answer the interaction first.
        await interaction.response.defer(ephemeral=True, thinking=True)
        # The next real post, as it will read (some days post nothing, e.g. the weekly
        # update for a release without a date), with no role ping.
        _, post = await self.service.preview(dataclasses.replace(settings, role_id=None))
        body = post.content if post else "There is nothing to count down to right now."
        message = await channel.send(
            (TEST_POST_PREFIX + body)[:2000],
            allowed_mentions=discord.AllowedMentions.none(),
            silent=True,
        )
        await self._reply(interaction, f"Posted a test in {channel.mention}: {message.jump_url}")

    # -- custom events ----------------------------------------------------------------------

    @event.command(name="add")
    @app_commands.describe(
        name="What you're counting down to, e.g. Season 4 watch party",
        when="Server's local date and time: 2026-12-24 19:30, Dec 24 7:30pm, tomorrow 20:00",
        count_down="Switch the countdown to this event now (default: no, keep the target)",
        reminders="Reminder posts 1 day before, 1 hour before and at the start (default: yes)",
    )
    async def event_add(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, NAME_INPUT_MAX],
        when: app_commands.Range[str, 1, WHEN_INPUT_MAX],
        count_down: bool = False,
        reminders: bool = True,
    ) -> None:
        """Add your own event (a watch party?) with reminders before it starts."""
        guild = _guild(interaction)
        settings = await self._settings(interaction)
        now = self.bot.clock()
        lookup = await _mention_lookup(guild, name)
        with friendly_input():
            title = event_name(name, lookup)
            starts_at = parse_event_datetime(when, settings.zone, now)
        # Count, insert and schedule under the server's lock, so two admins can't both add
        # the 25th, and an edit can't slip between the insert and its reminders.
        async with self.service.server_lock(guild.id):
            events = await self.repo.list_events(guild.id)
            if len(upcoming(events, now)) >= MAX_UPCOMING_EVENTS:
                raise UserFacingError(cap_message())
            event = await self.repo.add_event(
                guild.id,
                title,
                starts_at,
                created_by=interaction.user.id,
                now=now,
                reminders=DEFAULT_REMINDERS if reminders else frozenset(),
            )
            if event is None:
                raise UserFacingError("This server already has an event with that name.")
            slots = await schedule_reminders(self.service, event, now)
        full, relative = discord_timestamps(starts_at)
        text = (
            f"Added **{discord.utils.escape_markdown(title)}** on {full} ({relative}).\n"
            f"{reminder_line(event.reminders, {s.which for s in slots}, settings)}"
        )
        if settings.channel_id is None:
            await self._reply(
                interaction, text + "\nSet up the channel with `/countdown setup` to get posts."
            )
            return
        if count_down:
            await self._save(
                interaction, text + "\nCounting down to it now.", target=event_target(event.id)
            )
            return
        current = await self.service.resolve(settings, now)  # reads the new event too
        if settings.target == SOONEST_TARGET:
            follows = (
                f"The countdown follows the next thing: now {describe_target(current, settings)}."
            )
        else:
            follows = (
                f"The countdown still counts down to {describe_target(current, settings)}. "
                "To follow this event, use `/countdown target` (or `soonest`, which picks "
                "whichever comes first)."
            )
        await self._reply(interaction, f"{text}\n{follows}")

    @event.command(name="list")
    async def event_list(self, interaction: discord.Interaction) -> None:
        """Your server's custom events, a page at a time."""
        events = await self.repo.list_events(_guild(interaction).id)
        if not events:
            await self._reply(
                interaction, "No custom events yet: add one with `/countdown event add`."
            )
            return
        now = self.bot.clock()
        pages = event_pages(events, now)
        footer = f"{len(upcoming(events, now))}/{MAX_UPCOMING_EVENTS} upcoming"

        def build(page: int) -> discord.Embed:
            embed = discord.Embed(title="Your server's events", description=pages[page])
            return embed.set_footer(text=f"Page {page + 1}/{len(pages)} · {footer}")

        view = Paginator(owner_id=interaction.user.id, page_count=len(pages), build=build)
        await view.send(interaction, ephemeral=True)

    @event.command(name="remove")
    @app_commands.describe(name="The event to remove: pick it from the list or type its name")
    async def event_remove(
        self, interaction: discord.Interaction, name: app_commands.Range[str, 1, NAME_INPUT_MAX]
    ) -> None:
        """Remove one of your custom events (and its reminders)."""
        guild = _guild(interaction)
        async with self.service.server_lock(guild.id):
            found = _chosen_event(name, await self.repo.list_events(guild.id))
            if not await self.repo.remove_event(guild.id, found.id):
                raise UserFacingError("That event was just removed by someone else.")
            await self.service.cancel_one_offs(guild.id, reminder_prefix(found.id))
        what = f"Event **{discord.utils.escape_markdown(found.name)}** removed"
        settings = await self.repo.get_settings(guild.id)
        if settings.target == event_target(found.id):
            await self._save(
                interaction,
                f"{what}; counting down to the next release again.",
                target=NEXT_TARGET,
            )
            return
        await self._reply(interaction, f"{what}.")

    @event.command(name="edit")
    @app_commands.describe(
        name="The event to change: pick it from the list or type its name",
        new_name="A new name",
        when="A new local date and time: 2026-12-24 19:30, Dec 24 7:30pm, tomorrow 20:00",
        remind_day_before="Reminder 1 day before",
        remind_hour_before="Reminder 1 hour before",
        remind_at_start="Reminder when it starts",
    )
    async def event_edit(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, NAME_INPUT_MAX],
        new_name: app_commands.Range[str, 1, NAME_INPUT_MAX] | None = None,
        when: app_commands.Range[str, 1, WHEN_INPUT_MAX] | None = None,
        remind_day_before: bool | None = None,
        remind_hour_before: bool | None = None,
        remind_at_start: bool | None = None,
    ) -> None:
        """Change an event's name, time or reminders (reminders follow a new time)."""
        guild = _guild(interaction)
        settings = await self._settings(interaction)
        now = self.bot.clock()
        switches = {
            Reminder.DAY: remind_day_before,
            Reminder.HOUR: remind_hour_before,
            Reminder.START: remind_at_start,
        }
        if new_name is None and when is None and all(v is None for v in switches.values()):
            raise UserFacingError(
                "Nothing to change: give a `new_name`, a `when` or a reminder switch."
            )
        title = None
        if new_name is not None:
            lookup = await _mention_lookup(guild, new_name)
            with friendly_input():
                title = event_name(new_name, lookup)
        starts_at = None
        if when is not None:
            with friendly_input():
                starts_at = parse_event_datetime(when, settings.zone, now)
        async with self.service.server_lock(guild.id):
            events = await self.repo.list_events(guild.id)
            found = _chosen_event(name, events)
            if starts_at is not None and found.starts_at <= now:  # a past one comes back
                if len(upcoming(events, now)) >= MAX_UPCOMING_EVENTS:
                    raise UserFacingError(cap_message())
            chosen = apply_switches(found.reminders, switches)
            try:
                event = await self.repo.update_event(
                    guild.id, found.id, name=title, starts_at=starts_at, reminders=chosen
                )
            except EventNameTaken:
                raise UserFacingError("This server already has an event with that name.") from None
            if event is None:
                raise UserFacingError("That event was just removed by someone else.")
            slots = await schedule_reminders(self.service, event, now)
        full, relative = discord_timestamps(event.starts_at)
        await self._reply(
            interaction,
            f"✅ Updated **{discord.utils.escape_markdown(event.name)}**: {full} ({relative}).\n"
            f"{reminder_line(event.reminders, {s.which for s in slots}, settings)}",
        )

    @event_remove.autocomplete("name")
    @event_edit.autocomplete("name")
    async def event_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None or not self._may_configure(interaction):
            return []
        needle = fold(current)
        zone = (await self.repo.get_settings(interaction.guild_id)).zone
        return [
            app_commands.Choice(name=event_choice_label(e, zone), value=event_target(e.id))
            for e in await self.repo.list_events(interaction.guild_id)
            if needle in fold(e.name)
        ][:25]

    # -- membership -------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        await self.service.server_removed(guild.id)
        log.info("Removed from guild %s; its settings are kept for the grace period", guild.id)

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self._back_in(guild.id)

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        await self._back_in(guild.id)

    async def _back_in(self, guild_id: int) -> None:
        if await self.service.server_back(guild_id):
            log.info("Back in guild %s; its countdown is running again", guild_id)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Catch up on joins and removals while offline, then resend what a crash left."""
        await self.service.on_connected({guild.id for guild in self.bot.guilds})
        if not self._reminders_restored:  # once per process; on_ready repeats on reconnects
            self._reminders_restored = True
            restored = await restore_reminders(self.service, self.bot.clock())
            if restored:
                log.info("Scheduled %d event reminder(s) missing after a restart", restored)


async def setup(bot: HeartstopperBot) -> None:
    await bot.add_cog(Countdown(bot))


# -- input helpers (pure) --------------------------------------------------------------------


def _zone_confirmation(found: ChosenZone, now: dt.datetime) -> str:
    """ "Europe/London (UTC+0, now 21:40)." plus the resolver's note, if it has one."""
    line = f"{describe_zone(found.key, now)}."
    return f"{line}\n{found.note}" if found.note else line


def _chosen_event(typed: str, events: list[CustomEvent]) -> CustomEvent:
    """The event an admin picked or typed, or a short "did you mean"."""
    found = match_event(typed, events)
    if found.event is not None:
        return found.event
    if found.suggestions:
        names = " or ".join(f"**{discord.utils.escape_markdown(n)}**" for n in found.suggestions)
        raise UserFacingError(f"I couldn't find that event. Did you mean {names}?")
    raise UserFacingError("I couldn't find that event; `/countdown event list` shows them all.")


async def _mention_lookup(guild: discord.Guild, text: str) -> MentionLookup:
    """Names for the mentions in ``text``, so a stored event name reads as plain text.

    Members are fetched when not cached (the bot has no members intent); a name holds only a
    handful of mentions, so this is a few requests at most.
    """
    names: dict[tuple[str, int], str] = {}
    for kind, ident in mentioned_ids(text)[:MAX_MENTION_LOOKUPS]:
        if kind == "@&":
            role = guild.get_role(ident)
            if role is not None:
                names[kind, ident] = role.name
        elif kind == "#":
            channel = guild.get_channel(ident)
            if channel is not None:
                names[kind, ident] = channel.name
        else:
            member = guild.get_member(ident)
            if member is None:
                try:
                    member = await guild.fetch_member(ident)
                except discord.HTTPException:
                    member = None
            if member is not None:
                names[kind, ident] = member.display_name
    return lambda kind, ident: names.get((kind, ident))
