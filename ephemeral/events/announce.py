"""Telling rooms what happened: presence (paced per participant), closures, removals, and the sockets that must go."""

from __future__ import annotations

import logging

from .. import protocol
from ..errors import Unavailable
from ..extensions import socketio
from ..logs import Safe
from ..room_routes import routed
from ..rooms import PAIR, Binding, Closure, Notices, Participant, PresenceChange, Removal, RoomState, Seat
from ..services import Services, services

log = logging.getLogger("ephemeral")


def arrival(svc: Services, seat: Seat) -> None:
    """A socket attached; at its participant's first the room gets `presence`, now or when paced (`presence_pacing`)."""
    if not seat.presence_changed:
        return
    delay = svc.presence.arrived(seat.room_id, seat.you.id)
    if delay == 0:
        _tell(seat.room_id, seat.participants)
    elif delay is not None:
        socketio.start_background_task(_flush, svc, seat.room_id, seat.you.id, delay)


def presence(change: PresenceChange | None) -> None:
    """The room's presence changed: a participant's last socket closing is paced, anything else told now."""
    if change is None:
        return
    if change.left is None:
        _tell(change.room_id, change.participants)
        return
    svc = services()
    delay = svc.presence.left(change.room_id, change.left)
    if delay is not None:
        socketio.start_background_task(_flush, svc, change.room_id, change.left, delay)


def at_once(change: PresenceChange) -> None:
    """A host changed the room (roles, who is in it): the room gets `presence` now, never paced."""
    _tell(change.room_id, change.participants)


def room(room_id: str, state: RoomState) -> None:
    """The room's state changed (locked or unlocked): everyone in it gets `room`."""
    with routed(room_id):
        socketio.emit(protocol.ROOM, protocol.room_state(state), to=room_id)


def joined(binding: Binding) -> None:
    """A join went through: in a pair room it took the second seat and locked the room, so the room gets `room`."""
    if binding.state.kind == PAIR:
        room(binding.room_id, binding.state)


def removal(removed: Removal) -> None:
    """A host removed someone: their sockets, on every process, get `purged` (`removed`) and then close;
    the room, without them, gets `presence` at once."""
    notice = protocol.removed(removed)
    manager = socketio.server.manager
    for sid in removed.sids:
        # One of this process's sockets hears it directly, ahead of its disconnect below; one elsewhere
        # through the queue (the room's channel), which keeps it ahead of the disconnect that follows it there.
        with routed(removed.room_id):
            socketio.emit(protocol.PURGED, notice, to=sid, ignore_queue=bool(manager.is_connected(sid, "/")))
        # Out of the room at once, not when the disconnect below comes: nothing said there reaches them now.
        socketio.server.leave_room(sid, removed.room_id, namespace="/")
    socketio.start_background_task(close_sockets, removed.sids)
    if removed.presence is not None:
        at_once(removed.presence)


def _tell(room_id: str, participants: list[Participant]) -> None:
    with routed(room_id):
        socketio.emit(protocol.PRESENCE, protocol.presence(participants), to=room_id)


def _flush(svc: Services, room_id: str, who: str, delay: float) -> None:
    """Background task: once due, the room gets its presence from the store, if it changed for `who`."""
    socketio.sleep(delay)
    try:
        svc.presence.flushing(room_id, who)
        try:
            participants = svc.registry.presence(room_id)
        except Unavailable:
            socketio.start_background_task(_flush, svc, room_id, who, svc.presence.put_off(room_id, who))
            return
        present = any(participant.id == who for participant in participants)
        # Nobody present is nobody to tell: every socket of a room belongs to someone present.
        if svc.presence.settled(room_id, who, present) and participants:
            _tell(room_id, participants)
    except Exception as error:  # noqa: BLE001 - a background task must not die loudly
        log.error("presence flush failed with %s", Safe(type(error).__qualname__))


def closure(closed: Closure) -> None:
    """Tell everyone why the room is gone, then close their sockets on every process."""
    with routed(closed.room_id):
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
