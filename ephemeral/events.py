"""Socket.IO handlers and the reaper: validate, call the registry, emit.

Handlers are thin and always answer: an `{"ok": ...}` ack, never an exception.
Alias, message id and time come from the server-side binding, never the payload.
"""

from __future__ import annotations

import functools
import logging
import re
import secrets
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, request
from flask_socketio import ConnectionRefusedError, join_room

from . import bindings, collector, socketio
from .errors import INTERNAL_ACK, EphemeralError, Invalid, RateLimited, TooLarge, Unauthorized, Unavailable
from .logs import Safe
from .origin import is_foreign
from .rooms import Closure, PresenceChange
from .sanitize import clean_message
from .services import services

log = logging.getLogger("ephemeral")

REAP_INTERVAL = 0.25  # seconds; expiry fires well within 1 s of expires_at
_TAG = re.compile(r"<[^>]*>")
_MEDIA = re.compile(r"<(img|video|audio)\b[^>]*\ssrc=")
Ack = dict[str, Any]


def acked(handler: Callable[..., Ack]) -> Callable[..., Ack]:
    """Turn any failure into an `{"ok": false}` ack; nothing reaches the client raw."""

    @functools.wraps(handler)
    def wrapper(*args: Any) -> Ack:
        try:
            return handler(*args)
        except EphemeralError as error:
            return error.ack()
        except Exception as error:  # noqa: BLE001 - the client gets a generic ack
            log.error("unhandled %s in event %s", Safe(type(error).__qualname__), Safe(handler.__name__))
            return dict(INTERNAL_ACK)

    return wrapper


def _has_content(html: str) -> bool:
    return bool(_TAG.sub("", html).strip()) or bool(_MEDIA.search(html))


def announce_presence(change: PresenceChange | None) -> None:
    if change is not None:
        socketio.emit("presence", {"participants": change.participants}, to=change.room_id)


def close_sockets(sids: list[str]) -> None:
    for sid in sids:
        socketio.server.disconnect(sid, namespace="/")


def announce_closure(closure: Closure) -> None:
    """Tell everyone why the room is gone, then close their sockets on every process."""
    socketio.emit("purged", {"reason": closure.reason, "by": closure.by}, to=closure.room_id)
    # After the handler's ack has been queued, so the purger sees both. Our
    # client managers close the room's sockets along with the room.
    socketio.start_background_task(socketio.close_room, closure.room_id, namespace="/")


@socketio.on("connect")
def on_connect(auth: object = None) -> None:
    room_id = auth.get("room") if isinstance(auth, dict) else None
    token = bindings.token_for(room_id) if isinstance(room_id, str) else None
    if is_foreign(request) or room_id is None or token is None:
        raise ConnectionRefusedError("unauthorized")
    registry, sid = services().registry, request.sid  # type: ignore[attr-defined]
    try:
        seat = registry.attach(room_id, token, sid)
        join_room(seat.room_id)
        if not registry.exists(seat.room_id):
            # Purged by another process between attach and join_room: its closure missed us.
            registry.detach(sid)
            raise Unauthorized()
    except Unavailable:
        # The shared store is out of reach for a moment: the client retries and keeps its view.
        raise ConnectionRefusedError("unavailable") from None
    except EphemeralError:
        raise ConnectionRefusedError("unauthorized") from None
    socketio.emit(
        "welcome",
        {
            "room_id": seat.room_id,
            "name": seat.name,
            "alias": seat.alias,
            "participants": seat.participants,
            "expires_at": int(seat.expires_at * 1000),
            "expires_in": max(0.0, seat.expires_at - time.time()),
        },
        to=sid,
    )
    if seat.presence_changed:
        announce_presence(PresenceChange(seat.room_id, seat.participants))


@socketio.on("disconnect")
def on_disconnect(*_reason: object) -> None:
    try:
        announce_presence(services().registry.detach(request.sid))  # type: ignore[attr-defined]
    except Unavailable:
        # The registry keeps the departure and announces it once the store answers.
        log.warning("socket left while the room store was unreachable")


@socketio.on("message")
@acked
def on_message(payload: object = None, *_extra: object) -> Ack:
    svc = services()
    speaker = svc.registry.speaker(request.sid)  # type: ignore[attr-defined]
    if speaker is None:
        raise Unauthorized()
    wait = svc.limits.messages_by_participant.take(speaker.token)
    if wait:
        raise RateLimited("You are sending too fast. Wait a moment.", retry_after=wait)
    text = payload.get("text") if isinstance(payload, dict) else None
    if not isinstance(text, str):
        raise Invalid("A message needs text.")
    if len(text) > svc.settings.max_message_chars:
        raise TooLarge(f"Messages can be at most {svc.settings.max_message_chars} characters.")
    html = clean_message(text)
    if not _has_content(html):
        raise Invalid("That message is empty once unsafe parts are removed.")
    message_id = secrets.token_urlsafe(9)
    socketio.emit(
        "message",
        {"id": message_id, "alias": speaker.alias, "html": html, "ts": int(time.time() * 1000)},
        to=speaker.room_id,
    )
    return {"ok": True, "id": message_id}


@socketio.on("logout")
@acked
def on_logout(*_payload: object) -> Ack:
    departure = services().registry.logout(request.sid)  # type: ignore[attr-defined]
    if departure is None:
        raise Unauthorized()
    announce_presence(departure.presence)
    socketio.start_background_task(close_sockets, departure.sids)
    return {"ok": True}


@socketio.on("purge")
@acked
def on_purge(*_payload: object) -> Ack:
    closure = services().registry.purge(request.sid)  # type: ignore[attr-defined]
    if closure is None:
        raise Unauthorized()
    announce_closure(closure)
    return {"ok": True}


def reap_forever(app: Flask) -> None:
    """Background task: close expired rooms, tend shared presence, forget refilled buckets, collect garbage."""
    while True:
        socketio.sleep(REAP_INTERVAL)
        try:
            with app.app_context():
                svc = services()
                for closure in svc.registry.expire_due():
                    announce_closure(closure)
                for change in svc.registry.tend():
                    announce_presence(change)
                svc.limits.sweep()
            collector.tend()
        except Exception as error:  # noqa: BLE001 - the reaper must never stop
            log.error("reaper failed with %s", Safe(type(error).__qualname__))


def start_reaper(app: Flask) -> None:
    socketio.start_background_task(reap_forever, app)
