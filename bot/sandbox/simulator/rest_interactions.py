"""Interaction callbacks and the interaction webhook (followups, @original)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import validation
from .interactions import (
    ALLOWED_CALLBACKS,
    APPLICATION_COMMAND,
    TOKEN_LIFETIME,
    InteractionRecord,
    is_ephemeral_flags,
)
from .messages import LOADING, apply_edit, build_message, gateway_message
from .payloads import user_payload, wire_message
from .rest import attachments_from_files, check
from .routing import (
    ALREADY_ACKNOWLEDGED,
    UNKNOWN_INTERACTION,
    UNKNOWN_MESSAGE,
    UNKNOWN_WEBHOOK,
    InvalidBody,
    Router,
    fail,
    json_response,
    no_content,
    read_body,
    truthy,
)

if TYPE_CHECKING:
    from .server import Simulator

_WEBHOOK = "/webhooks/{app_id}/{token}"


def _invalid_callback_type(kind: int, callback: Any) -> InvalidBody:
    return InvalidBody(
        {
            "code": 50035,
            "message": "Invalid Form Body",
            "errors": {
                "type": {
                    "_errors": [
                        {
                            "code": "INTERACTION_RESPONSE_TYPE_INVALID",
                            "message": f"Interaction response type {callback} is not valid "
                            f"for interaction type {kind}.",
                        }
                    ]
                }
            },
        }
    )


class InteractionRoutes:
    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.state = sim.state

    def register(self, router: Router) -> None:
        add = router.add
        add("POST", "/interactions/{interaction_id}/{token}/callback", self.callback, auth=False)
        add("POST", _WEBHOOK, self.execute, auth=False)
        for verb, handler in (
            ("GET", self.get_message),
            ("PATCH", self.edit_message),
            ("DELETE", self.delete_message),
        ):
            add(verb, f"{_WEBHOOK}/messages/{{message_id}}", handler, auth=False)

    # -- initial response ---------------------------------------------------------------------
    async def callback(self, request: web.Request, interaction_id: str, token: str) -> web.Response:
        rec = self.sim.interactions.get(int(interaction_id)) if interaction_id.isdigit() else None
        if rec is None or rec.token != token:
            raise fail(UNKNOWN_INTERACTION)
        if rec.callback_type is not None:
            raise fail(ALREADY_ACKNOWLEDGED)
        now = self.sim.clock()
        if rec.expired or now > rec.deadline_at:
            # Too late: Discord has already shown "The application did not respond".
            rec.expired = True
            rec.late_callbacks += 1
            self.sim.stats.late_callbacks += 1
            self.sim.notify()
            raise fail(UNKNOWN_INTERACTION)
        body, files = await read_body(request)
        check(validation.validate_interaction_response(body))
        callback, data = body["type"], body.get("data") or {}
        if callback not in ALLOWED_CALLBACKS.get(rec.kind, frozenset()):
            raise _invalid_callback_type(rec.kind, callback)

        self._apply_callback(rec, callback, data, files)
        rec.callback_type = callback
        rec.callback_at = now
        self.sim.stats.interaction_latencies.append(now - rec.dispatched_at)
        self.sim.notify()
        if not truthy(request.query.get("with_response")):
            return no_content()
        return json_response(self._callback_response(rec, callback))

    def _apply_callback(
        self, rec: InteractionRecord, callback: int, data: dict[str, Any], files: list[Any]
    ) -> None:
        if callback == 4:
            rec.original = self._new_message(rec, data, files)
            rec.ephemeral = is_ephemeral_flags(data.get("flags"))
        elif callback == 5:
            # "Bot is thinking...": an empty loading message, replaced by the first edit/followup.
            rec.original = self._new_message(rec, {"flags": data.get("flags", 0)}, [], loading=True)
            rec.ephemeral = is_ephemeral_flags(data.get("flags"))
        elif callback in (6, 7):
            source = rec.source_message
            rec.original = source
            rec.ephemeral = source is not None and is_ephemeral_flags(source.get("flags"))
            if callback == 7 and source is not None:
                self._edit(rec, source, data)
        elif callback == 8:
            rec.choices = list(data.get("choices") or [])
        elif callback == 9:
            rec.modal = data

    def _callback_response(self, rec: InteractionRecord, callback: int) -> dict[str, Any]:
        interaction: dict[str, Any] = {"id": str(rec.id), "type": rec.kind}
        resource: dict[str, Any] = {"type": callback}
        if rec.original is not None and callback in (4, 5, 7):
            interaction["response_message_id"] = rec.original["id"]
            interaction["response_message_loading"] = callback == 5
            interaction["response_message_ephemeral"] = rec.ephemeral
            resource["message"] = wire_message(rec.original)
        return {"interaction": interaction, "resource": resource}

    def _new_message(
        self,
        rec: InteractionRecord,
        data: dict[str, Any],
        files: list[Any],
        *,
        loading: bool = False,
    ) -> dict[str, Any]:
        meta = {
            "id": str(rec.id),
            "type": rec.kind,
            "user": user_payload(self.state.users[rec.user_id]),
            "authorizing_integration_owners": {"0": str(rec.guild_id)},
        }
        if rec.kind == APPLICATION_COMMAND:
            meta["name"] = rec.name
        elif rec.source_message is not None:
            meta["interacted_message_id"] = rec.source_message["id"]
        message = build_message(
            self.state,
            channel_id=rec.channel_id,
            author=self.state.bot_user,
            body=data,
            msg_type=20 if rec.kind == APPLICATION_COMMAND else 0,
            attachments=attachments_from_files(self.sim, rec.channel_id, files, data),
            webhook_id=self.state.application_id,
            extra={"interaction_metadata": meta},
        )
        if loading:
            message["flags"] |= LOADING
        ephemeral = is_ephemeral_flags(message["flags"])
        self.state.store_message(message, in_channel=not ephemeral)
        if not ephemeral:
            self.sim.dispatch("MESSAGE_CREATE", gateway_message(self.state, message))
        return message

    def _edit(self, rec: InteractionRecord, message: dict[str, Any], body: dict[str, Any]) -> None:
        apply_edit(self.state, message, body)
        rec.updates += 1
        if not is_ephemeral_flags(message.get("flags")):
            self.sim.dispatch("MESSAGE_UPDATE", gateway_message(self.state, message))

    # -- webhook: followups and @original ----------------------------------------------------
    def _record(self, app_id: str, token: str) -> InteractionRecord:
        rec = self.sim.interactions_by_token.get(token)
        if (
            rec is None
            or app_id != str(self.state.application_id)
            or self.sim.clock() - rec.dispatched_at > TOKEN_LIFETIME
            or rec.callback_type is None  # Discord knows no webhook before the first response
        ):
            raise fail(UNKNOWN_WEBHOOK)
        return rec

    def _target(self, rec: InteractionRecord, message_id: str) -> dict[str, Any]:
        if message_id == "@original":
            if rec.original is None or rec.original_deleted:
                raise fail(UNKNOWN_MESSAGE)
            return rec.original
        for message in [rec.original, *rec.followups]:
            if message is not None and message["id"] == message_id:
                return message
        raise fail(UNKNOWN_MESSAGE)

    async def execute(self, request: web.Request, app_id: str, token: str) -> web.Response:
        rec = self._record(app_id, token)
        body, files = await read_body(request)
        body = body if body is not None else {}
        check(validation.validate_message(body, interaction=True))
        original = rec.original
        if (
            rec.callback_type == 5
            and original is not None
            and int(original.get("flags", 0)) & LOADING
            and not rec.followups
        ):
            # The first followup after a deferral fills in the "thinking" message.
            self._edit(rec, original, body)
            message = original
        else:
            message = self._new_message(rec, body, files)
        rec.followups.append(message)
        rec.updates += 1
        self.sim.notify()
        if not truthy(request.query.get("wait")):
            return no_content()
        return json_response(wire_message(message))

    async def get_message(
        self, request: web.Request, app_id: str, token: str, message_id: str
    ) -> web.Response:
        rec = self._record(app_id, token)
        return json_response(wire_message(self._target(rec, message_id)))

    async def edit_message(
        self, request: web.Request, app_id: str, token: str, message_id: str
    ) -> web.Response:
        rec = self._record(app_id, token)
        message = self._target(rec, message_id)
        body, _ = await read_body(request)
        body = body if body is not None else {}
        check(validation.validate_message(body, partial=True, interaction=True))
        self._edit(rec, message, body)
        self.sim.notify()
        return json_response(wire_message(message))

    async def delete_message(
        self, request: web.Request, app_id: str, token: str, message_id: str
    ) -> web.Response:
        rec = self._record(app_id, token)
        message = self._target(rec, message_id)
        self.state.remove_message(int(message["id"]))
        if message is rec.original:
            rec.original_deleted = True
        if not is_ephemeral_flags(message.get("flags")):
            self.sim.dispatch(
                "MESSAGE_DELETE",
                {
                    "id": message["id"],
                    "channel_id": message["channel_id"],
                    "guild_id": message["guild_id"],
                },
            )
        rec.updates += 1
        self.sim.notify()
        return no_content()
