"""Message actions: the author edits or unsends a message, anyone in the room reacts to one.

The store decides each atomically from what it keeps of a room's last messages, ids and authors, never text: only
the author may edit or unsend, and only a message the room still keeps (`forbidden` otherwise); a reaction is one
of `REACTIONS` on a kept message (`invalid` otherwise). Each counts against the participant's message budget, as a
message does, and costs one store call. Nothing of it is logged.
"""

from __future__ import annotations

from typing import Any

from .. import protocol
from ..errors import Invalid
from ..extensions import socketio
from ..services import services
from . import bodies
from .acks import Ack, message_budget
from .seated import Seated, seated_event


@seated_event(protocol.EDIT, limit=message_budget)
def edit(socket: Seated, payload: object) -> Ack:
    """Author sends `edit` `{"id", "text"}`, or `{"id", "e2e"}` server-blind; the room, sender too, gets `edited`.

    The new text is checked, rendered and cleaned as a message's is, relayed, and never kept.
    """
    sent = bodies.fields(payload)
    body = bodies.body(socket.mode, sent)
    message_id = _message_id(sent)
    speaker = services().registry.edit(socket.sid, message_id)
    socketio.emit(protocol.EDITED, protocol.edited(message_id, speaker, body), to=speaker.room_id)
    return protocol.ok()


@seated_event(protocol.UNSEND, limit=message_budget)
def unsend(socket: Seated, payload: object) -> Ack:
    """Author sends `unsend` `{"id"}`; the store forgets the id and its reactions, and the room gets `unsent`."""
    message_id = _message_id(bodies.fields(payload))
    speaker = services().registry.unsend(socket.sid, message_id)
    socketio.emit(protocol.UNSENT, protocol.unsent(message_id), to=speaker.room_id)
    return protocol.ok()


@seated_event(protocol.REACT, limit=message_budget)
def react(socket: Seated, payload: object) -> Ack:
    """Anyone in the room sends `react` `{"id", "emoji"}`: their reaction is toggled, and the room gets `reactions`."""
    sent = bodies.fields(payload)
    found = services().registry.react(socket.sid, _message_id(sent), sent.get("emoji"))
    socketio.emit(protocol.REACTIONS, protocol.reactions(found), to=found.room_id)
    return protocol.ok(reactions=found.reactions)


def _message_id(sent: dict[str, Any]) -> str:
    """The id of the message acted on, as sent; whether the room keeps it is the store's to say."""
    message_id = sent.get("id")
    if not isinstance(message_id, str):
        raise Invalid("id must be the id of a message.")
    return message_id
