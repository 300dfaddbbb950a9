"""Work a connect handler leaves for after the CONNECT packet: the socket's first events.

python-socketio queues the CONNECT packet once the connect handler has
returned, so whatever the handler emits reaches the client before it: the
Python client fired `welcome` before its own `connect`, and a raw client read
events on a connection it had not yet seen accepted. A handler hands such work
to `after_connect`. It runs right after the CONNECT packet is queued, in the
same green thread with nothing in between that could yield, so what the
handler checked still holds and no disconnect or purge can come first; a
refused connection runs none of it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, MutableMapping
from typing import Any

from .logs import Safe

_WORK = "ephemeral.after_connect"
log = logging.getLogger("ephemeral")


def after_connect(environ: MutableMapping[str, Any], work: Callable[[], None]) -> None:
    """In a connect handler: run `work` once this connection (its `request.environ`) has its CONNECT packet."""
    environ[_WORK] = work


def run_after_connect(sio_server: Any) -> None:
    """Make `sio_server` run the work `after_connect` left, once it has sent the CONNECT packet."""
    handle_connect = sio_server._handle_connect

    def handle_connect_then_work(eio_sid: str, namespace: str | None, data: Any) -> None:
        try:
            handle_connect(eio_sid, namespace, data)
        finally:
            environ = sio_server.environ.get(eio_sid)
            work = environ.pop(_WORK, None) if environ is not None else None
        namespace = namespace or "/"
        sid = sio_server.manager.sid_from_eio_sid(eio_sid, namespace)
        if work is None or sid is None or not sio_server.manager.is_connected(sid, namespace):
            return
        try:
            work()
        except Exception as error:  # noqa: BLE001 - the connection stands; the failure is logged by kind
            log.error("unhandled %s after connect", Safe(type(error).__qualname__))

    sio_server._handle_connect = handle_connect_then_work
