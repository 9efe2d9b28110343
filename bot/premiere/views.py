"""The buttons under countdown posts and /next (discord.py views, no state per message)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import discord

from bot.premiere import notify


@runtime_checkable
class EventLinks(Protocol):
    """What the premiere cog offers other cogs: the link to a target's Discord event."""

    async def event_url(self, guild_id: int, source_key: str) -> str | None: ...


EVENT_LINK_LABEL = "Discord event"


def post_buttons(*, notify_me: bool, event_link: str | None) -> discord.ui.View | None:
    """The buttons under a countdown post. "Notify me" is answered by :class:`NotifyToggle`
    and the event button is a link, so the view is never listened to (stopped at once) and
    holds nothing per message."""
    if not notify_me and event_link is None:
        return None
    view = discord.ui.View(timeout=None)
    if notify_me:
        view.add_item(
            discord.ui.Button(
                label=notify.NOTIFY_LABEL,
                emoji=notify.NOTIFY_EMOJI,
                style=discord.ButtonStyle.secondary,
                custom_id=notify.NOTIFY_CUSTOM_ID,
            )
        )
    if event_link is not None:
        view.add_item(discord.ui.Button(label=EVENT_LINK_LABEL, emoji="📅", url=event_link))
    view.stop()
    return view
