"""Message bodies: channel message create and edit, interaction responses, webhook follow-ups.

Limits from the OpenAPI schemas MessageCreateRequest, MessageEditRequestPartial, RichEmbed*,
MessageAllowedMentionsRequest and the docs ("Embed Limits", "Message Flags"). The schema allows
4000 characters of content (the Nitro limit); bots are held to 2000.
"""

from __future__ import annotations

from datetime import datetime

from ._fields import (
    Body,
    Errors,
    Path,
    array,
    boolean,
    integer,
    mapping,
    one_of,
    snowflake,
    string,
    text_len,
    url,
)
from .components import message_components

MAX_CONTENT = 2000
MAX_EMBEDS = 10
MAX_EMBED_TOTAL = 6000  # title, description, field names/values, footer text, author name
MAX_ATTACHMENTS = 10
MAX_STICKERS = 3
MAX_NONCE_LENGTH = 25
MAX_MENTION_IDS = 100
MENTION_TYPES = ("roles", "users", "everyone")  # AllowedMentionTypes
LINK_SCHEMES = ("http", "https")
IMAGE_SCHEMES = ("http", "https", "attachment")  # images may point at an uploaded file
CONTENT_KEYS = ("content", "embeds", "components", "attachments", "sticker_ids", "poll")

# The message flags a bot may set.
SUPPRESS_EMBEDS = 1 << 2
EPHEMERAL = 1 << 6
SUPPRESS_NOTIFICATIONS = 1 << 12
IS_COMPONENTS_V2 = 1 << 15


def validate_message(
    payload: object, *, partial: bool = False, interaction: bool = False
) -> Body | None:
    """A message create (``partial=False``) or edit (``partial=True``) body.

    ``interaction=True`` for interaction responses and webhook follow-ups, the only
    messages that may be EPHEMERAL.
    """
    errs = Errors()
    message = mapping(errs, (), payload, required=True)
    if message is not None:
        message_fields(errs, (), message, partial=partial, interaction=interaction)
    return finish(errs, message, must_have_content=not partial)


def finish(errs: Errors, message: dict | None, *, must_have_content: bool) -> Body | None:
    """Form errors first; only a well-formed message can be reported as empty (50006)."""
    body = errs.body()
    if body is None and must_have_content and message is not None and is_empty(message):
        return {"code": 50006, "message": "Cannot send an empty message"}
    return body


def is_empty(message: dict) -> bool:
    content = message.get("content")
    if isinstance(content, str) and content.strip():
        return False
    return not any(message.get(key) for key in CONTENT_KEYS[1:])


def message_fields(
    errs: Errors, path: Path, message: dict, *, partial: bool, interaction: bool
) -> None:
    string(errs, (*path, "content"), message.get("content"), max_len=MAX_CONTENT)
    embeds = array(errs, (*path, "embeds"), message.get("embeds"), max_items=MAX_EMBEDS)
    if embeds is not None:
        total = sum(
            _embed(errs, (*path, "embeds", index), embed) for index, embed in enumerate(embeds)
        )
        if total > MAX_EMBED_TOTAL:
            errs.add(
                (*path, "embeds"),
                "MAX_EMBED_SIZE_EXCEEDED",
                f"Embed size exceeds maximum size of {MAX_EMBED_TOTAL}",
            )
    message_components(errs, (*path, "components"), message.get("components"))
    attachments = array(
        errs, (*path, "attachments"), message.get("attachments"), max_items=MAX_ATTACHMENTS
    )
    for index, attachment in enumerate(attachments or []):
        _attachment(errs, (*path, "attachments", index), attachment)
    for index, sticker in enumerate(
        array(errs, (*path, "sticker_ids"), message.get("sticker_ids"), max_items=MAX_STICKERS)
        or []
    ):
        snowflake(errs, (*path, "sticker_ids", index), sticker, required=True)
    mapping(errs, (*path, "poll"), message.get("poll"))
    _nonce(errs, (*path, "nonce"), message.get("nonce"))
    boolean(errs, (*path, "tts"), message.get("tts"))
    _allowed_mentions(errs, (*path, "allowed_mentions"), message.get("allowed_mentions"))
    reference = mapping(errs, (*path, "message_reference"), message.get("message_reference"))
    if reference is not None:
        snowflake(
            errs,
            (*path, "message_reference", "message_id"),
            reference.get("message_id"),
            required=True,
        )
    message_flags(
        errs, (*path, "flags"), message.get("flags"), partial=partial, interaction=interaction
    )


def message_flags(
    errs: Errors, path: Path, value: object, *, partial: bool, interaction: bool
) -> None:
    flags = integer(errs, path, value, lo=0, hi=2**63 - 1)
    if flags is None:
        return
    if flags & IS_COMPONENTS_V2:
        errs.add(
            path,
            "SIMULATOR_UNSUPPORTED",
            "IS_COMPONENTS_V2 (1 << 15) is not supported by this simulator; use legacy action rows",
        )
    # An edit may echo the message's current flags back (discord.py does when toggling
    # suppress_embeds), and Discord ignores the read-only bits there, so only creates are strict.
    allowed = SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS | IS_COMPONENTS_V2
    allowed |= EPHEMERAL if interaction else 0
    unknown = flags & ~allowed
    if unknown and not partial:
        errs.add(
            path,
            "MESSAGE_FLAGS_INVALID",
            f"Cannot set message flags {unknown}"
            + (" (EPHEMERAL is only for interaction responses)" if unknown & EPHEMERAL else ""),
        )


def _nonce(errs: Errors, path: Path, value: object) -> None:
    """MessageCreateRequest.nonce: an int64 or a string of at most 25 characters."""
    if isinstance(value, str):
        string(errs, path, value, max_len=MAX_NONCE_LENGTH)
    elif value is not None:
        integer(errs, path, value, lo=-(2**63), hi=2**63 - 1)


def _attachment(errs: Errors, path: Path, value: object) -> None:
    attachment = mapping(errs, path, value, required=True)
    if attachment is not None:
        snowflake(errs, (*path, "id"), attachment.get("id"), required=True)
        string(errs, (*path, "filename"), attachment.get("filename"), min_len=1, max_len=1024)
        string(errs, (*path, "description"), attachment.get("description"), max_len=1024)


def _allowed_mentions(errs: Errors, path: Path, value: object) -> None:
    mentions = mapping(errs, path, value)
    if mentions is None:
        return
    parse = array(errs, (*path, "parse"), mentions.get("parse")) or []
    for index, kind in enumerate(parse):
        one_of(errs, (*path, "parse", index), kind, MENTION_TYPES)
    for kind in ("users", "roles"):
        ids = array(errs, (*path, kind), mentions.get(kind), max_items=MAX_MENTION_IDS)
        for index, item in enumerate(ids or []):
            snowflake(errs, (*path, kind, index), item, required=True)
        if ids and kind in parse:
            errs.add(
                path,
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
            )
    boolean(errs, (*path, "replied_user"), mentions.get("replied_user"))


def _embed(errs: Errors, path: Path, value: object) -> int:
    """Checks one RichEmbed and returns the characters it adds to the 6000 total."""
    embed = mapping(errs, path, value, required=True)
    if embed is None:
        return 0
    string(errs, (*path, "title"), embed.get("title"), max_len=256)
    string(errs, (*path, "description"), embed.get("description"), max_len=4096)
    url(errs, (*path, "url"), embed.get("url"), schemes=LINK_SCHEMES)
    integer(errs, (*path, "color"), embed.get("color"), lo=0, hi=0xFFFFFF)
    _timestamp(errs, (*path, "timestamp"), embed.get("timestamp"))
    size = text_len(embed.get("title"), embed.get("description"))
    author = mapping(errs, (*path, "author"), embed.get("author"))
    if author is not None:
        string(errs, (*path, "author", "name"), author.get("name"), max_len=256, required=True)
        url(errs, (*path, "author", "url"), author.get("url"), schemes=LINK_SCHEMES)
        url(errs, (*path, "author", "icon_url"), author.get("icon_url"), schemes=IMAGE_SCHEMES)
        size += text_len(author.get("name"))
    footer = mapping(errs, (*path, "footer"), embed.get("footer"))
    if footer is not None:
        string(errs, (*path, "footer", "text"), footer.get("text"), max_len=2048, required=True)
        url(errs, (*path, "footer", "icon_url"), footer.get("icon_url"), schemes=IMAGE_SCHEMES)
        size += text_len(footer.get("text"))
    for key in ("image", "thumbnail"):
        media = mapping(errs, (*path, key), embed.get(key))
        if media is not None:
            url(errs, (*path, key, "url"), media.get("url"), schemes=IMAGE_SCHEMES, required=True)
    fields = array(errs, (*path, "fields"), embed.get("fields"), max_items=25)
    for index, field in enumerate(fields or []):
        size += _embed_field(errs, (*path, "fields", index), field)
    return size


def _embed_field(errs: Errors, path: Path, value: object) -> int:
    field = mapping(errs, path, value, required=True)
    if field is None:
        return 0
    string(errs, (*path, "name"), field.get("name"), min_len=1, max_len=256, required=True)
    string(errs, (*path, "value"), field.get("value"), min_len=1, max_len=1024, required=True)
    boolean(errs, (*path, "inline"), field.get("inline"))
    return text_len(field.get("name"), field.get("value"))


def _timestamp(errs: Errors, path: Path, value: object) -> None:
    if value is None:
        return
    try:
        datetime.fromisoformat(str(value))
    except ValueError:
        errs.add(path, "DATE_TYPE_PARSE", f"Could not parse {value}. Should be ISO8601.")
