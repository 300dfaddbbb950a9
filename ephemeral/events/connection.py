"""A socket connects with a room binding and is welcomed; when it closes, presence follows."""

from __future__ import annotations

import logging

from flask import request
from flask_socketio import ConnectionRefusedError, join_room

from .. import bindings, protocol
from ..after_connect import after_connect
from ..errors import EphemeralError, TooManyConnects, TooManySockets, Unauthorized, Unavailable
from ..extensions import socketio
from ..fanout import follow
from ..origin import is_foreign
from ..rooms import RoomStore, Seat
from ..services import services
from . import announce, files, seated

log = logging.getLogger("ephemeral")


@socketio.on("connect")
def on_connect(auth: object = None) -> None:
    """Client connects with `auth: {"room"}` and its cookie; then it gets `welcome`, the room maybe `presence`."""
    room_id = auth.get("room") if isinstance(auth, dict) else None
    token = bindings.token_for(room_id) if isinstance(room_id, str) else None
    if is_foreign(request) or room_id is None or token is None:
        raise ConnectionRefusedError(protocol.REFUSED_UNAUTHORIZED)
    svc, sid = services(), request.sid  # type: ignore[attr-defined]
    if not svc.sockets.take(sid, request.remote_addr):
        raise ConnectionRefusedError(protocol.REFUSED_TOO_MANY_SOCKETS)
    try:
        seat = _seat(svc.registry, room_id, token, sid)
    except BaseException:
        svc.sockets.release(sid)  # a refused socket holds no place
        raise
    seated.remember(request.environ, sid, seat)  # what this socket's messages are charged to, for its life
    welcome = protocol.welcome(seat)

    def greet() -> None:
        # Straight to this process's socket: no round trip through Redis after the CONNECT packet.
        socketio.emit(protocol.WELCOME, welcome, to=sid, ignore_queue=True)
        announce.arrival(svc, seat)  # no app context here: the services go along

    after_connect(request.environ, greet)


def _seat(registry: RoomStore, room_id: str, token: str, sid: str) -> Seat:
    """Attach the socket to its binding's room, or refuse it with the reason its `connect_error` gives."""
    try:
        seat = registry.attach(room_id, token, sid)
        join_room(seat.room_id)
        if not follow(socketio.server, seat.room_id, sid):
            registry.detach(sid)
            raise Unavailable()
        if not registry.exists(seat.room_id):
            # Purged by another process between attach and join_room: its closure missed us.
            registry.detach(sid)
            raise Unauthorized()
        if not _still_open(sid):
            # It closed while the store answered; its disconnect handler never runs for a connecting socket.
            registry.detach(sid)
            raise Unauthorized()
    except TooManySockets:
        raise ConnectionRefusedError(protocol.REFUSED_TOO_MANY_SOCKETS) from None
    except TooManyConnects as error:
        raise ConnectionRefusedError(
            protocol.REFUSED_TOO_MANY_CONNECTS, protocol.retry_after(error.retry_after)
        ) from None
    except Unavailable:
        # The shared store is out of reach for a moment: the client retries and keeps its view.
        raise ConnectionRefusedError(protocol.REFUSED_UNAVAILABLE) from None
    except EphemeralError:
        raise ConnectionRefusedError(protocol.REFUSED_UNAUTHORIZED) from None
    return seat


def _still_open(sid: str) -> bool:
    """Whether the socket's connection is still there (python-socketio forgets a closed one's environ)."""
    server = socketio.server
    eio_sid = server.manager.eio_sid_from_sid(sid, "/")
    return eio_sid is not None and eio_sid in server.environ


@socketio.on("disconnect")
def on_disconnect(*_reason: object) -> None:
    """A socket closed; its places are free, and the room sees `presence` if its participant has no socket left."""
    svc, sid = services(), request.sid  # type: ignore[attr-defined]
    svc.sockets.release(sid)  # first, and whatever the store says: this process's count must not leak
    files.sender_left(sid)
    try:
        announce.presence(svc.registry.detach(sid))
    except Unavailable:
        # The registry keeps the departure and announces it once the store answers.
        log.warning("socket left while the room store was unreachable")
