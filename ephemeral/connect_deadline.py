"""Engine.IO sessions that hold no Socket.IO connection are closed once their deadline passes.

An Engine.IO session answers pings by itself, so one that never sends the
Socket.IO CONNECT (or was refused, or whose connection ended) stayed for as
long as its client wished, some 60 KiB each: 1,500 of them stayed past 35 s.
Each session is checked `EPHEMERAL_CONNECT_DEADLINE` seconds after it opens,
and again as long after each check it passed. One without a connected
Socket.IO connection at a check, a connect still under way included, is
closed as engine.io closes a silent peer: a CLOSE packet, then the end of its
WebSocket (with a close frame) or of its long-polling session. Either
transport, either async mode: it is one loop over the sessions due, every
CHECK_INTERVAL, so a session goes within a second after its deadline.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from . import logs
from .logs import Safe

# Default deadline, seconds: a browser sends CONNECT within moments of opening its session.
CONNECT_DEADLINE = 10
CHECK_INTERVAL = 1.0
CLOSED = "sessions closed without a Socket.IO connection"
log = logging.getLogger("ephemeral")


class ConnectDeadline:
    """The sessions of one Socket.IO server, each with the time of its next check, in that order."""

    def __init__(self, sio_server: Any, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._server = sio_server
        self._seconds = seconds
        self._clock = clock
        self._due: dict[str, float] = {}  # Engine.IO session id -> its next check; insertion order is time order
        self._checking = False

    def opened(self, eio_sid: str) -> None:
        """A session opened: its first check comes after the deadline, in the loop started with the first one."""
        self.watch(eio_sid)
        if not self._checking:
            self._checking = True
            self._server.start_background_task(self._check_forever)

    def watch(self, eio_sid: str) -> None:
        self._due[eio_sid] = self._clock() + self._seconds

    def ended(self, eio_sid: str) -> None:
        self._due.pop(eio_sid, None)

    def __len__(self) -> int:
        """Sessions watched: open ones, and closed ones not yet forgotten."""
        return len(self._due)

    def check_due(self) -> int:
        """Close each session due for its check that holds no connection; how many were closed."""
        now, closed = self._clock(), 0
        eio = self._server.eio
        while self._due:
            eio_sid, due = next(iter(self._due.items()))
            if due > now:
                break
            del self._due[eio_sid]
            session = eio.sockets.get(eio_sid)
            if session is None or session.closed or session.closing:
                continue
            if self._connected(eio_sid):
                # Later than every check already due: the order holds.
                self._due[eio_sid] = now + self._seconds
                continue
            session.close(wait=False, abort=False, reason=eio.reason.SERVER_DISCONNECT)
            logs.count(CLOSED)
            closed += 1
        return closed

    def _connected(self, eio_sid: str) -> bool:
        manager = self._server.manager
        for namespace in list(manager.get_namespaces()):
            sid = manager.sid_from_eio_sid(eio_sid, namespace)
            if sid is not None and manager.is_connected(sid, namespace):
                return True
        return False

    def _check_forever(self) -> None:
        while True:
            self._server.sleep(CHECK_INTERVAL)
            try:
                self.check_due()
            except Exception as error:  # noqa: BLE001 - the checks must go on
                log.error("session deadline check failed with %s", Safe(type(error).__qualname__))


def close_unconnected_sessions(sio_server: Any, seconds: float) -> ConnectDeadline:
    """Make `sio_server` close its Engine.IO sessions that hold no Socket.IO connection at their deadline."""
    deadline = ConnectDeadline(sio_server, seconds)
    eio = sio_server.eio
    on_open, on_close = eio.handlers["connect"], eio.handlers["disconnect"]

    def open_then_watch(eio_sid: str, environ: Any) -> Any:
        refused = on_open(eio_sid, environ)
        deadline.opened(eio_sid)
        return refused

    def close_then_forget(eio_sid: str, *args: Any) -> Any:
        deadline.ended(eio_sid)
        return on_close(eio_sid, *args)

    eio.on("connect", open_then_watch)
    eio.on("disconnect", close_then_forget)
    return deadline
