"""What waits for a connecting socket's CONNECT packet: its first events, and a revocation that came meanwhile.

python-socketio queues the CONNECT packet once the connect handler has
returned, so whatever the handler emits reaches the client before it: the
Python client fired `welcome` before its own `connect`, and a raw client read
events on a connection it had not yet seen accepted. A handler hands such work
to `after_connect`. It runs right after the CONNECT packet is queued, in the
same green thread with nothing in between that could yield, so what the
handler checked still holds and no disconnect or purge can come first; a
refused connection runs none of it.

While the handler waits on the room store, the socket is only "pending" in
python-socketio, and a disconnect does nothing to it: a logout of the same
binding, or a purge or expiry of its room, that landed then left a socket that
finished connecting into the room and read it unseen. Here a disconnect that
meets a pending socket takes it out of its rooms at once and is carried out as
soon as its CONNECT packet is queued, instead of its work: whichever comes
first, the revocation or the end of the connect, the socket does not stay.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, MutableMapping
from typing import Any

from .logs import Safe

_WORK = "ephemeral.after_connect"
# In a connection's environ: the namespaces whose pending connect was revoked.
_REVOKED = "ephemeral.revoked"
log = logging.getLogger("ephemeral")


def after_connect(environ: MutableMapping[str, Any], work: Callable[[], None]) -> None:
    """In a connect handler: run `work` once this connection (its `request.environ`) has its CONNECT packet."""
    environ[_WORK] = work


def run_after_connect(sio_server: Any) -> None:
    """Make `sio_server` run what `after_connect` left, or a revocation that came, once it has sent CONNECT."""
    handle_connect = sio_server._handle_connect
    manager = sio_server.manager

    def handle_connect_then_work(eio_sid: str, namespace: str | None, data: Any) -> None:
        namespace = namespace or "/"
        try:
            handle_connect(eio_sid, namespace, data)
        finally:
            environ = sio_server.environ.get(eio_sid)
            work = environ.pop(_WORK, None) if environ is not None else None
            revoked = _take_revocation(environ, namespace)
        sid = manager.sid_from_eio_sid(eio_sid, namespace)
        if sid is None or not manager.is_connected(sid, namespace):
            return
        if revoked:
            # The disconnect handler runs as for any socket the server closes.
            sio_server.disconnect(sid, namespace=namespace, ignore_queue=True)
            return
        if work is None:
            return
        try:
            work()
        except Exception as error:  # noqa: BLE001 - the connection stands; the failure is logged by kind
            log.error("unhandled %s after connect", Safe(type(error).__qualname__))

    disconnect = sio_server.disconnect

    def disconnect_or_revoke(sid: str, namespace: str | None = None, ignore_queue: bool = False) -> None:
        namespace = namespace or "/"
        if manager.is_pre_connected(sid, namespace):
            _revoke_pending(sio_server, sid, namespace)
            return
        disconnect(sid, namespace=namespace, ignore_queue=ignore_queue)

    sio_server._handle_connect = handle_connect_then_work
    sio_server.disconnect = disconnect_or_revoke


def _revoke_pending(sio_server: Any, sid: str, namespace: str) -> None:
    """A socket of this process still connecting must go: out of its rooms now, disconnected once connected."""
    manager = sio_server.manager
    for room in manager.get_rooms(sid, namespace):
        if room != sid:
            manager.basic_leave_room(sid, namespace, room)
    environ = sio_server.environ.get(manager.eio_sid_from_sid(sid, namespace))
    if environ is not None:  # else its connection is gone already, which the connect handler sees itself
        environ.setdefault(_REVOKED, set()).add(namespace)


def _take_revocation(environ: MutableMapping[str, Any] | None, namespace: str) -> bool:
    """Whether this connection's connect to `namespace` was revoked while pending; forgets it either way."""
    revoked = environ.get(_REVOKED) if environ is not None else None
    if not revoked or namespace not in revoked:
        return False
    revoked.discard(namespace)
    return True
