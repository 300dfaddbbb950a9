"""Telling rooms what happened: presence, closures, and the sockets that must go."""

from __future__ import annotations

from .. import protocol
from ..extensions import socketio
from ..rooms import Closure, Notices, PresenceChange


def presence(change: PresenceChange | None) -> None:
    if change is not None:
        socketio.emit(protocol.PRESENCE, protocol.presence(change.participants), to=change.room_id)


def closure(closed: Closure) -> None:
    """Tell everyone why the room is gone, then close their sockets on every process."""
    socketio.emit(protocol.PURGED, protocol.purged(closed), to=closed.room_id)
    # After the handler's ack has been queued, so the purger sees both. Our
    # client managers close the room's sockets along with the room.
    socketio.start_background_task(socketio.close_room, closed.room_id, namespace="/")


def notices(found: Notices) -> None:
    for closed in found.closures:
        closure(closed)
    for change in found.presence:
        presence(change)


def close_sockets(sids: list[str]) -> None:
    for sid in sids:
        socketio.server.disconnect(sid, namespace="/")
