"""The one error path for slash commands: every failure becomes a friendly, ephemeral reply.

Commands raise :class:`UserFacingError` for bad input; anything unexpected is logged with
its context and the user gets an apology instead of "The application did not respond".
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands

log = logging.getLogger(__name__)

UNEXPECTED_ERROR = (
    "Sorry, something went wrong on our side while answering that. "
    "It has been logged; please try again in a moment."
)


class UserFacingError(app_commands.AppCommandError):
    """An error whose message is written for the person who ran the command."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _permission_names(permissions: list[str]) -> str:
    return ", ".join(p.replace("_", " ").replace("guild", "server").title() for p in permissions)


def describe_error(error: app_commands.AppCommandError) -> tuple[str, bool]:
    """The reply for ``error`` and whether it was expected (expected ones are not logged)."""
    if isinstance(error, app_commands.CommandInvokeError) and isinstance(
        error.original, UserFacingError
    ):
        error = error.original
    match error:
        case UserFacingError():
            return error.message, True
        case app_commands.NoPrivateMessage():
            return "This command only works inside a server, not in direct messages.", True
        case app_commands.MissingPermissions():
            names = _permission_names(error.missing_permissions)
            return f"You need the **{names}** permission to use this command.", True
        case app_commands.BotMissingPermissions():
            names = _permission_names(error.missing_permissions)
            return f"I need the **{names}** permission here to do that.", True
        case app_commands.CommandOnCooldown():
            return f"Slow down a little: try again in {error.retry_after:.0f} s.", True
        case app_commands.TransformerError():
            shown = discord.utils.escape_mentions(str(error.value))[:80]
            return f"I couldn't understand “{shown}” for that option.", True
        case app_commands.CheckFailure():
            return "You can't use this command here.", True
        case app_commands.CommandNotFound():
            return "That command no longer exists; Discord may still be updating its list.", True
    return UNEXPECTED_ERROR, False


async def send_ephemeral(interaction: discord.Interaction, content: str) -> None:
    """Reply privately whether or not the interaction was already answered or deferred."""
    try:
        if interaction.type is discord.InteractionType.autocomplete:
            if not interaction.response.is_done():
                await interaction.response.autocomplete([])
        elif interaction.response.is_done():
            await interaction.followup.send(content, ephemeral=True)
        else:
            await interaction.response.send_message(content, ephemeral=True)
    except discord.HTTPException:
        log.warning("Could not deliver an error reply for interaction %s", interaction.id)


class BotTree(app_commands.CommandTree):
    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        message, expected = describe_error(error)
        if not expected:
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error(
                "Unexpected error in /%s (guild=%s channel=%s user=%s)",
                command,
                interaction.guild_id,
                interaction.channel_id,
                interaction.user.id,
                exc_info=error,
            )
        await send_ephemeral(interaction, message)
