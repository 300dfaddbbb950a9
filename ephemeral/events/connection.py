"""A socket connects with a room binding and is welcomed; when it closes, presence follows."""

from __future__ import annotations

import logging

from flask import request
from flask_socketio import ConnectionRefusedError, join_room

from .. import bindings, protocol
from ..errors import EphemeralError, Unauthorized, Unavailable
from ..extensions import socketio
from ..origin import is_foreign
from ..rooms import PresenceChange
from ..services import services
from . import announce

log = logging.getLogger("ephemeral")


@socketio.on("connect")
def on_connect(auth: object = None) -> None:
    """Client connects with `auth: {"room"}` and its cookie; it gets `welcome`, the room maybe `presence`."""
    room_id = auth.get("room") if isinstance(auth, dict) else None
    token = bindings.token_for(room_id) if isinstance(room_id, str) else None
    if is_foreign(request) or room_id is None or token is None:
        raise ConnectionRefusedError(protocol.REFUSED_UNAUTHORIZED)
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
        raise ConnectionRefusedError(protocol.REFUSED_UNAVAILABLE) from None
    except EphemeralError:
        raise ConnectionRefusedError(protocol.REFUSED_UNAUTHORIZED) from None
    socketio.emit(protocol.WELCOME, protocol.welcome(seat), to=sid)
    if seat.presence_changed:
        announce.presence(PresenceChange(seat.room_id, seat.participants))


@socketio.on("disconnect")
def on_disconnect(*_reason: object) -> None:
    """A socket closed; the room sees `presence` if its participant has no socket left."""
    try:
        announce.presence(services().registry.detach(request.sid))  # type: ignore[attr-defined]
    except Unavailable:
        # The registry keeps the departure and announces it once the store answers.
        log.warning("socket left while the room store was unreachable")
