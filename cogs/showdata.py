"""/reload: the bot's owners re-read the show data without a restart (e.g. a film date).

Also the home of the "🎉 It's official" posts: after every good reload, and at every start
(to finish what a crash interrupted, or to announce a file edited while the bot was down),
the announcer schedules what the data in force owes (bot/countdown/announcements.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import HeartstopperBot
from bot.countdown.announcements import Announcer
from bot.show.changes import ChangeKind, ShowReload
from bot.show.models import Release
from bot.tree import UserFacingError

log = logging.getLogger(__name__)

NOT_AN_OWNER = "Only the bot's owners (OWNER_IDS) can reload the show data."
_ANNOUNCED = (ChangeKind.DATED, ChangeKind.MOVED)


def reload_reply(outcome: ShowReload) -> str:
    """The owner's one-line answer (two when servers are about to hear news)."""
    if not outcome.ok:
        return f"⚠️ Kept the current data: {discord.utils.escape_markdown(outcome.message)[:1800]}"
    reply = f"✅ {discord.utils.escape_markdown(outcome.message)[:1800]}"
    news = [c.key for c in outcome.changes if c.kind in _ANNOUNCED]
    if news:
        reply += f"\n🎉 Servers counting down to {', '.join(news)} get an “It's official” post now."
    return reply


class ShowData(commands.Cog):
    def __init__(self, bot: HeartstopperBot) -> None:
        self.bot = bot
        self.announcer = Announcer(
            service=bot.countdowns,
            meta=bot.meta,
            releases=lambda: bot.show.releases,
            servers=lambda: [guild.id for guild in bot.guilds],
        )
        self._runs: set[asyncio.Task[None]] = set()

    async def cog_unload(self) -> None:
        # A run cut short is finished by the next start (the snapshot is stored last).
        for task in self._runs:
            task.cancel()
        await asyncio.gather(*self._runs, return_exceptions=True)

    def _announce(self, baseline: Sequence[Release] | None = None) -> None:
        task = asyncio.create_task(self._run(baseline), name="show-announcements")
        self._runs.add(task)
        task.add_done_callback(self._runs.discard)

    async def _run(self, baseline: Sequence[Release] | None) -> None:
        try:
            await self.announcer.announce(baseline)
        except Exception:
            log.exception("Scheduling the release announcements failed; the next start retries")

    async def settled(self) -> None:
        """Wait until every announcement run started so far has finished (tests)."""
        while self._runs:
            await asyncio.gather(*self._runs, return_exceptions=True)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        self._announce()

    @commands.Cog.listener()
    async def on_show_reloaded(self, outcome: ShowReload, previous: Sequence[Release]) -> None:
        if outcome.ok:
            self._announce(previous)

    @app_commands.command(name="reload", extras={"owner_only": True})
    # Hidden from members without Manage Server; the owner check below is the real gate.
    @app_commands.default_permissions(manage_guild=True)
    async def reload_(self, interaction: discord.Interaction) -> None:
        """Owners only: re-read the show data file; a bad file keeps the current data."""
        if interaction.user.id not in self.bot.settings.owner_ids:
            raise UserFacingError(NOT_AN_OWNER)
        outcome = self.bot.reload_show(self.bot.settings.data_path)
        await interaction.response.send_message(reload_reply(outcome), ephemeral=True)


async def setup(bot: HeartstopperBot) -> None:
    await bot.add_cog(ShowData(bot))
