"""Check what the bot sends the way Discord's REST API does, and answer with Discord's 400 body.

Each function returns ``None`` for a valid payload, otherwise the body Discord would send:
``{"code": 50035, "message": "Invalid Form Body", "errors": {...}}`` with the errors nested
along the JSON path (``{"embeds": {"0": {"title": {"_errors": [...]}}}}``), or
``{"code": 50006, "message": "Cannot send an empty message"}`` for a well-formed message with
nothing in it. Every error is collected, not just the first.

The limits are hard-coded from Discord's OpenAPI spec (each module names the schemas it
follows) and its developer docs; nothing is read from the spec at run time.
"""

from .commands import is_valid_chat_input_name, validate_application_commands
from .interactions import validate_interaction_response
from .messages import validate_message

__all__ = [
    "is_valid_chat_input_name",
    "validate_application_commands",
    "validate_interaction_response",
    "validate_message",
]
