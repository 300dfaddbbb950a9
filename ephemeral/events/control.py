"""Room control by a host: remove someone, lock the room, make a host, step down.

The store checks the socket's role atomically with the change (a member gets
`forbidden` and nothing changes), then the payload's fields (`invalid`). Each
call counts against the participant's message budget: a host cannot flood the
room with lock notes or role changes any faster than with messages.
"""

from __future__ import annotations

from .. import protocol
from ..rooms import Speaker
from ..services import services
from . import announce, dispatch
from .acks import Ack, message_budget, participant_event


def _field(payload: object, name: str) -> object:
    """The payload's field as sent, for the store to check; None when the payload is no object."""
    return payload.get(name) if isinstance(payload, dict) else None


@participant_event(protocol.KICK, limit=message_budget)
def kick(_speaker: Speaker, payload: object) -> Ack:
    """Host sends `kick` `{"id"}`; their sockets get `purged` (`removed`) and close; the room gets `presence`."""
    announce.removal(services().registry.kick(dispatch.current_sid(), _field(payload, "id")))
    return protocol.ok()


@participant_event(protocol.LOCK, limit=message_budget)
def lock(speaker: Speaker, payload: object) -> Ack:
    """Host sends `lock` `{"locked"}`; joins are refused (`locked`) or allowed again, and the room gets `room`."""
    state = services().registry.lock(dispatch.current_sid(), _field(payload, "locked"))
    announce.room(speaker.room_id, state)
    return protocol.ok(room=protocol.room_state(state))


@participant_event(protocol.PROMOTE, limit=message_budget)
def promote(_speaker: Speaker, payload: object) -> Ack:
    """Host sends `promote` `{"id"}`; that participant becomes a host too, and the room gets `presence` at once."""
    announce.at_once(services().registry.promote(dispatch.current_sid(), _field(payload, "id")))
    return protocol.ok()


@participant_event(protocol.STEP_DOWN, limit=message_budget)
def step_down(_speaker: Speaker, _payload: object) -> Ack:
    """Host sends `step_down`; they become a member (with no other host here, one is made), the room gets `presence`."""
    announce.at_once(services().registry.step_down(dispatch.current_sid()))
    return protocol.ok()
