"""How presence in a room ends: a participant logs out, anyone purges, or the process stops."""

from __future__ import annotations

import logging
import os

from flask import Flask, request

from .. import protocol
from ..errors import Unauthorized
from ..extensions import socketio
from ..rooms import Speaker
from ..services import services
from . import announce
from .acks import Ack, participant_event

SHUTDOWN_FLUSH_SECONDS = 0.5
log = logging.getLogger("ephemeral")


@participant_event(protocol.LOGOUT)
def logout(_speaker: Speaker, _payload: object) -> Ack:
    """Client sends `logout`; its binding is destroyed, its sockets close, the room sees `presence`."""
    departure = services().registry.logout(request.sid)  # type: ignore[attr-defined]
    if departure is None:
        raise Unauthorized()  # logged out or purged by another socket meanwhile
    announce.presence(departure.presence)
    socketio.start_background_task(announce.close_sockets, departure.sids)
    return protocol.ok()


@participant_event(protocol.PURGE)
def purge(_speaker: Speaker, _payload: object) -> Ack:
    """Client sends `purge`; every participant gets `purged`, then every socket of the room is closed."""
    closure = services().registry.purge(request.sid)  # type: ignore[attr-defined]
    if closure is None:
        raise Unauthorized()
    announce.closure(closure)
    return protocol.ok()


def shut_down(app: Flask) -> None:
    """SIGTERM/SIGINT: the store lets go of this process's rooms, clients are told, the process exits."""
    with app.app_context():
        notices = services().registry.shutdown()
        announce.notices(notices)
    log.info("shutting down, closed %d rooms", len(notices.closures))
    socketio.sleep(SHUTDOWN_FLUSH_SECONDS)
    logging.shutdown()
    os._exit(0)
