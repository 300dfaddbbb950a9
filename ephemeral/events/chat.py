"""Chat messages: Markdown rendered and sanitized, stamped by the server, relayed and never kept.

In a broadcast room only hosts send. In a server-blind room the server cannot read them: it checks the envelope's
shape (`ephemeral/e2e.py`), stamps it the same way, and relays it untouched. The store keeps each message's id and
author, never its text, so that its author alone may later edit or unsend it (`events/actions.py`).
"""

from __future__ import annotations

import secrets

from .. import protocol
from ..extensions import socketio
from ..services import services
from . import bodies
from .acks import Ack, message_budget
from .seated import Seated, seated_event

MESSAGE_ID_BYTES = 9


@seated_event(protocol.SEND, limit=message_budget)
def send(socket: Seated, payload: object) -> Ack:
    """Client sends `message` `{"text"}` (Markdown), or `{"e2e"}` server-blind, and maybe `reply_to` (a kept
    message's id); the room, sender too, gets `message`."""
    sent = bodies.fields(payload)
    body = bodies.body(socket.mode, sent)
    message_id, reply_to = secrets.token_urlsafe(MESSAGE_ID_BYTES), sent.get("reply_to")
    # The one store call: the binding, the room's kind, `reply_to`, and the id recorded with its author.
    speaker = services().registry.speak(socket.sid, message_id, reply_to)
    socketio.emit(protocol.MESSAGE, protocol.message(message_id, speaker, body, reply_to), to=speaker.room_id)
    return protocol.ok(id=message_id)
