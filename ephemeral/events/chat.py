"""Chat messages: Markdown rendered and sanitized, stamped by the server, relayed and never kept."""

from __future__ import annotations

import secrets

from .. import protocol
from ..errors import Invalid, TooLarge
from ..extensions import socketio
from ..markdown import render_message
from ..rooms import Speaker
from ..sanitize import has_content
from ..services import services
from .acks import Ack, participant_event

MESSAGE_ID_BYTES = 9


@participant_event(protocol.SEND, limit=lambda svc: svc.limits.messages_by_participant)
def send(speaker: Speaker, payload: object) -> Ack:
    """Client sends `message` `{"text"}` (Markdown); everyone in the room, the sender too, gets `message`."""
    text = payload.get("text") if isinstance(payload, dict) else None
    if not isinstance(text, str):
        raise Invalid("A message needs text.")
    limit = services().settings.max_message_chars
    if len(text) > limit:
        raise TooLarge(f"Messages can be at most {limit} characters.")
    html = render_message(text)
    if not has_content(html):
        raise Invalid("That message is empty.")
    message_id = secrets.token_urlsafe(MESSAGE_ID_BYTES)
    socketio.emit(protocol.MESSAGE, protocol.message(message_id, speaker, html), to=speaker.room_id)
    return protocol.ok(id=message_id)
