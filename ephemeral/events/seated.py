"""What a socket's connect settles for its life: its room, its participant, its room's mode; and the decorator of the
events that charge the participant's budget before their one store call.

A socket belongs to one binding, so to one participant of one room, from its connect to its close, and a room's
mode never changes: the connect handler keeps them in the connection's environ on this process (as
`after_connect` keeps its work there). A message is then charged against its participant's budget, and checked
against its room's mode, before the one store call that records it: a refused message records nothing, and a
message still costs one round trip to the store. Role and alias can change; they come back from that store call.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from ..errors import Unauthorized
from ..room_routes import routed
from ..rooms import Seat
from ..services import services
from . import dispatch
from .acks import Ack, LimitOf, charge, client_event

_KEY = "ephemeral.seated"


@dataclass(frozen=True, slots=True)
class Seated:
    """The socket an event came on, as its connect left it."""

    sid: str
    room_id: str
    participant_id: str
    mode: str


SeatedHandler = Callable[[Seated, object], Ack]


def remember(environ: MutableMapping[str, Any], sid: str, seat: Seat) -> None:
    """In the connect handler, once the socket has its seat: what its events will be charged to."""
    environ[_KEY] = Seated(sid, seat.room_id, seat.you.id, seat.mode)


def seated() -> Seated:
    """The socket of the event being handled; `Unauthorized` if its connect left nothing (or left it for another
    socket of the same connection, which has since gone)."""
    found = dispatch.current_environ().get(_KEY)
    if not isinstance(found, Seated) or found.sid != dispatch.current_sid():
        raise Unauthorized()
    return found


def seated_event(name: str, *, limit: LimitOf) -> Callable[[SeatedHandler], SeatedHandler]:
    """Register `handler(socket, payload)` for client event `name`, acked as `client_event` does.

    The socket's participant is charged against `limit(services)` first (`rate_limited`), with no store call; the
    handler then makes its one store call, which checks the binding is still alive (`unauthorized`).
    """

    def register(handler: SeatedHandler) -> SeatedHandler:
        @functools.wraps(handler)
        def charged(payload: object) -> Ack:
            socket = seated()
            charge(limit(services()), socket.participant_id)
            with routed(socket.room_id):  # what it emits is for its room: only that room's processes hear it
                return handler(socket, payload)

        client_event(name)(charged)
        return handler

    return register
