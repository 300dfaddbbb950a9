"""Pings on a timer: an idle socket keeps no green thread asleep through the ping interval.

engine.io starts a green thread per ping that sleeps for the interval, then sends it. A sleeping green thread
holds its saved stack and its own frame stack, about 7 KiB per idle socket (`bench/socket_memory.py`); a timer
holds a callback, and its green thread gets a stack only while the ping is sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import engineio.packet
import engineio.socket


def _later(async_mode: str) -> Callable[..., Any] | None:
    """The mode's `call(seconds, function, *args)` on a timer, or None (threads: leave engine.io's way)."""
    if async_mode == "gevent":
        import gevent

        spawn_later: Callable[..., Any] = gevent.spawn_later
        return spawn_later
    if async_mode == "eventlet":
        import eventlet

        spawn_after: Callable[..., Any] = eventlet.spawn_after
        return spawn_after
    return None


def ping_on_timers(eio_server: Any) -> None:
    """Every engine.io session of this process schedules its next ping on a timer (the process has one mode)."""
    later = _later(eio_server.async_mode)
    if later is None:
        return

    def schedule_ping(session: Any) -> None:
        # As engine.io's: only once the previous ping has been answered.
        if session.last_ping:
            session.last_ping = None
            later(session.server.ping_interval, _ping, session)

    engineio.socket.Socket.schedule_ping = schedule_ping


def _ping(session: Any) -> None:
    """What engine.io's ping thread does once its sleep is over."""
    if not session.closing and not session.closed:
        session.last_ping = time.time()
        session.send(engineio.packet.Packet(engineio.packet.PING))
