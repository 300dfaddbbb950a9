"""How presence in a room ends: a participant logs out, anyone purges, or the process stops."""

from __future__ import annotations

import logging
import os

from flask import Flask

from .. import protocol
from ..errors import Unauthorized, Unavailable
from ..extensions import socketio
from ..logs import Safe
from ..services import services
from . import announce, dispatch
from .acks import Ack, client_event

SHUTDOWN_FLUSH_SECONDS = 0.5
log = logging.getLogger("ephemeral")


# The store finds the socket's binding itself, atomically with the change: no
# separate speaker lookup, which would cost a second Redis round trip.
@client_event(protocol.LOGOUT)
def logout(_payload: object) -> Ack:
    """Client sends `logout`; its binding is destroyed, its sockets close, the room sees `presence`."""
    departure = services().registry.logout(dispatch.current_sid())
    if departure is None:
        raise Unauthorized()
    announce.presence(departure.presence)
    socketio.start_background_task(announce.close_sockets, departure.sids)
    return protocol.ok()


@client_event(protocol.PURGE)
def purge(_payload: object) -> Ack:
    """Client sends `purge`; every participant gets `purged`, then every socket of the room is closed.

    A member of a room only hosts may purge gets `forbidden` from the store, and nothing changes.
    """
    closure = services().registry.purge(dispatch.current_sid())
    if closure is None:
        raise Unauthorized()
    announce.closure(closure)
    return protocol.ok()


def shut_down(app: Flask) -> None:
    """SIGTERM/SIGINT: the store lets go of this process's rooms, clients are told, the process exits.

    It exits whatever happens on the way: a stop must never wait on a store that does not answer.
    """
    code = 0
    try:
        with app.app_context():
            notices = services().registry.shutdown()
            announce.notices(notices)
        log.info("shutting down, closed %d rooms", len(notices.closures))
    except Unavailable:
        # The other processes take this one's sockets out of presence once its heartbeats stop, as when it dies.
        log.warning("shutting down with the shared store out of reach; other processes will tidy after it")
    except Exception as error:  # noqa: BLE001 - logged by kind, and the process still exits
        log.error("shutting down after %s", Safe(type(error).__qualname__))
        code = 1
    finally:
        socketio.sleep(SHUTDOWN_FLUSH_SECONDS)
        logging.shutdown()
        os._exit(code)
