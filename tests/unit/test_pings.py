"""Pings on a timer: between pings an idle session holds no green thread of its own, and the ping still goes out."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import engineio
import engineio.packet
import engineio.socket
import gevent
import greenlet
import pytest

from ephemeral.pings import ping_on_timers

INTERVAL = 0.05


@pytest.fixture
def timed_pings() -> Iterator[None]:
    """`ping_on_timers` for a gevent server, undone afterwards (it patches engine.io's session class)."""
    original = engineio.socket.Socket.schedule_ping
    ping_on_timers(engineio.Server(async_mode="gevent"))
    yield
    engineio.socket.Socket.schedule_ping = original  # type: ignore[method-assign]


def _waiting_green_threads() -> int:
    """Green threads started and not finished: each holds a saved stack."""
    return sum(1 for g in gc.get_objects() if isinstance(g, greenlet.greenlet) and g.gr_frame is not None)


def _session() -> tuple[engineio.socket.Socket, list[engineio.packet.Packet]]:
    server = engineio.Server(async_mode="gevent", ping_interval=INTERVAL, monitor_clients=False)
    session, sent = engineio.socket.Socket(server, "sid"), []
    session.send = sent.append  # type: ignore[method-assign]
    return session, sent


def test_a_scheduled_ping_holds_no_green_thread_and_is_sent_after_the_interval(timed_pings):
    session, sent = _session()
    gevent.sleep(0)  # the hub is running, and counted
    waiting = _waiting_green_threads()
    session.schedule_ping()
    gevent.sleep(0)  # a green thread started for the ping would now be asleep in it
    assert _waiting_green_threads() == waiting
    assert sent == []
    gevent.sleep(INTERVAL * 4)
    assert [packet.packet_type for packet in sent] == [engineio.packet.PING]
    assert session.last_ping is not None


def test_a_closed_session_is_not_pinged(timed_pings):
    session, sent = _session()
    session.schedule_ping()
    session.closed = True
    gevent.sleep(INTERVAL * 4)
    assert sent == []
