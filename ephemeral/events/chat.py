"""Chat messages: Markdown rendered and sanitized, stamped by the server, relayed and never kept.

In a broadcast room only hosts send. In a server-blind room the server cannot read them: it checks the envelope's
shape (`ephemeral/e2e.py`), stamps it the same way, and relays it untouched.
"""

from __future__ import annotations

import secrets
from typing import Any

from .. import e2e, protocol
from ..errors import Forbidden, Invalid, TooLarge
from ..extensions import socketio
from ..markdown import render_message
from ..rooms import BROADCAST, E2E, HOST, Speaker
from ..sanitize import has_content
from ..services import services
from .acks import Ack, participant_event

MESSAGE_ID_BYTES = 9


@participant_event(protocol.SEND, limit=lambda svc: svc.limits.messages_by_participant)
def send(speaker: Speaker, payload: object) -> Ack:
    """Client sends `message` `{"text"}` (Markdown), or `{"e2e"}` server-blind; the room, sender too, gets `message`."""
    if speaker.kind == BROADCAST and speaker.you.role != HOST:
        raise Forbidden("Only a host can send messages in this room.")
    fields = payload if isinstance(payload, dict) else {}
    if speaker.mode == E2E:
        message = _sealed(speaker, fields)
    elif "e2e" in fields:
        raise Invalid("This room is not server-blind: send text.")
    else:
        message = _rendered(speaker, fields.get("text"))
    socketio.emit(protocol.MESSAGE, message, to=speaker.room_id)
    return protocol.ok(id=message["id"])


def _rendered(speaker: Speaker, text: object) -> protocol.Payload:
    if not isinstance(text, str):
        raise Invalid("A message needs text.")
    limit = services().settings.max_message_chars
    if len(text) > limit:
        raise TooLarge(f"Messages can be at most {limit} characters.")
    html = render_message(text)
    if not has_content(html):
        raise Invalid("That message is empty.")
    return protocol.message(secrets.token_urlsafe(MESSAGE_ID_BYTES), speaker, html)


def _sealed(speaker: Speaker, fields: dict[str, Any]) -> protocol.Payload:
    """Never rendered, never sanitized: only the readers hold the key, and they sanitize what they open."""
    if "text" in fields:
        raise Invalid("This room is server-blind: send the message encrypted, as e2e.")
    envelope = e2e.envelope(fields.get("e2e"))
    return protocol.sealed_message(secrets.token_urlsafe(MESSAGE_ID_BYTES), speaker, envelope)
