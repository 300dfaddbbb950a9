"""Who is typing: relayed to the room, never acknowledged, never kept, never logged.

A client sends `typing` at most every few seconds while someone types, so an ack would be a round trip per
keystroke for nothing: there is none, even when the client asks for one, and what is refused is dropped
without a word (there is no ack to carry an error).
"""

from __future__ import annotations

import logging

from .. import protocol
from ..errors import EphemeralError
from ..extensions import socketio
from ..logs import Safe
from ..room_routes import routed
from ..rooms import BROADCAST, HOST
from ..services import services
from . import dispatch
from .seated import seated

log = logging.getLogger("ephemeral")


@dispatch.on(protocol.TYPING)
def typing(payload: object = None, *_extra: object) -> object:
    """Client sends `typing` `{"on": true | false}`; the room but this socket gets `typing` `{"from", "on"}`.

    Dropped: a payload without a boolean `on`, a participant over their typing budget, a socket with no live
    binding, and a member of a broadcast room (who cannot send).
    """
    try:
        _relay(payload)
    except EphemeralError:
        pass  # no live binding, or the store out of reach for a moment: nothing to relay, no one to tell
    except Exception as error:  # noqa: BLE001 - a handler never lets an exception reach the client
        log.error("unhandled %s in event typing", Safe(type(error).__qualname__))
    return socketio.server.not_handled  # python-socketio sends no ack for an event nobody handled


def _relay(payload: object) -> None:
    on = payload.get("on") if isinstance(payload, dict) else None
    if not isinstance(on, bool):
        return
    socket = seated()
    svc = services()
    if svc.limits.typing_by_participant.take(socket.participant_id):
        return  # over the budget: charged before the store is asked, so a flood costs no round trip
    speaker = svc.registry.speaker(socket.sid)
    if speaker is None or (speaker.kind == BROADCAST and speaker.you.role != HOST):
        return
    with routed(speaker.room_id):
        socketio.emit(protocol.TYPING, protocol.typing(speaker.you.id, on), to=speaker.room_id, skip_sid=socket.sid)
