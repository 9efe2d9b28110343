"""Previous / Next buttons over pages of embeds, for the person who asked and nobody else."""

from __future__ import annotations

import logging
from collections.abc import Callable

import discord

from bot.tree import UNEXPECTED_ERROR, send_ephemeral

log = logging.getLogger(__name__)

PageBuilder = Callable[[int], discord.Embed]
NOT_YOURS = "These buttons belong to whoever ran the command; run it yourself to browse."
PAGE_TIMEOUT = 180.0  # seconds of inactivity before the buttons are switched off


class Paginator(discord.ui.View):
    def __init__(
        self,
        *,
        owner_id: int,
        page_count: int,
        build: PageBuilder,
        start: int = 0,
        timeout: float | None = None,
    ) -> None:
        # Read at call time (not as a default argument) so the setting can be tuned after import.
        super().__init__(timeout=PAGE_TIMEOUT if timeout is None else timeout)
        self.owner_id = owner_id
        self.page_count = page_count
        self.page = min(max(start, 0), page_count - 1)
        self._build = build
        self._interaction: discord.Interaction | None = None
        self._sync_buttons()

    def current(self) -> discord.Embed:
        return self._build(self.page)

    async def send(self, interaction: discord.Interaction, *, ephemeral: bool = False) -> None:
        """Answer ``interaction`` with the first page (no buttons when one page is all)."""
        if self.page_count <= 1:
            await interaction.response.send_message(embed=self.current(), ephemeral=ephemeral)
            self.stop()
            return
        await interaction.response.send_message(
            embed=self.current(), view=self, ephemeral=ephemeral
        )
        # Kept to switch the buttons off on expiry: the interaction token edits the reply for
        # 15 minutes, far longer than PAGE_TIMEOUT, and needs no extra fetch now.
        self._interaction = interaction

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.page <= 0
        self.next.disabled = self.page >= self.page_count - 1

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(NOT_YOURS, ephemeral=True)
        return False

    async def _show(self, interaction: discord.Interaction, page: int) -> None:
        buttons_before = self._button_states()
        self.page = min(max(page, 0), self.page_count - 1)
        self._sync_buttons()
        if self._button_states() == buttons_before:
            # Discord keeps the buttons it shows when an edit leaves them out: send only the
            # page, a smaller request and less work for discord.py on every middle page.
            await interaction.response.edit_message(embed=self.current())
            return
        await interaction.response.edit_message(embed=self.current(), view=self)

    def _button_states(self) -> tuple[bool, bool]:
        return self.previous.disabled, self.next.disabled

    @discord.ui.button(label="Previous", emoji="◀️", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        await self._show(interaction, self.page - 1)

    @discord.ui.button(label="Next", emoji="▶️", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        await self._show(interaction, self.page + 1)

    async def on_timeout(self) -> None:
        # Expire cleanly: the page stays readable, the buttons visibly stop working.
        if self._interaction is None:
            return
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        try:
            await self._interaction.edit_original_response(view=self)
        except discord.HTTPException:
            log.debug("Could not disable expired paging buttons", exc_info=True)

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item
    ) -> None:
        log.error("Paging button failed for %s", interaction.user.id, exc_info=error)
        await send_ephemeral(interaction, UNEXPECTED_ERROR)
