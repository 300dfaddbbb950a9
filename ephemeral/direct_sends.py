"""Packets written by their sender when the connection takes them at once: no queue and no writer to wake.

engine.io queues every packet for the session's writer green thread, which wakes, waits on the queue with a
timeout (a timer per wake-up) and writes: per delivery, the largest part of what is left of a message's cost
(bench/NOTES.md). Most deliveries find a WebSocket session with nothing queued and room in its kernel buffer:
under gevent those are written at once (`TurnTakingSocket.send_now`). Everything else goes through the queue
as before: a session still polling or upgrading, a frame being written, a reader whose buffer is full. Once a
packet is queued, the next ones follow it there until the writer has taken them all, so order holds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import engineio.exceptions
import engineio.socket

# The session's attribute holding its WebSocket's `send_now(text) -> bool`, while that WebSocket serves it.
SEND_NOW = "ephemeral_send_now"
# engine.io's own, taken once: every app a process makes installs the methods below again.
_ENGINE_POLL = engineio.socket.Socket.poll


def send_directly(eio_server: Any) -> None:
    """Every engine.io session of this process sends this way under gevent (the process has one mode)."""
    if eio_server.async_mode == "gevent":
        engineio.socket.Socket.send = _send
        engineio.socket.Socket.poll = _poll_while_open


def _send(session: Any, pkt: Any) -> None:
    if not session.check_ping_timeout():
        return
    send_now: Callable[[str], bool] | None = session.__dict__.get(SEND_NOW)
    if send_now is None or not session.upgraded or session.queue.qsize() or not send_now(pkt.encode()):
        session.queue.put(pkt)


def _poll_while_open(session: Any) -> Any:
    """engine.io's wait for packets to write, which times out when none came for a ping interval and timeout, and
    then its writer closes the WebSocket: a backstop for a session nobody closed. With every packet sent directly
    the writer may see none for that long, so it waits on while the session is open (closing queues None)."""
    while True:
        try:
            return _ENGINE_POLL(session)
        except engineio.exceptions.QueueEmpty:
            if session.closed or not session.upgraded or SEND_NOW not in session.__dict__:
                raise
