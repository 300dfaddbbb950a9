"""Each Engine.IO session is checked at its deadline and as long after each check: kept while it holds a
Socket.IO connection, closed with a CLOSE packet otherwise. Real python-socketio and engine.io objects, no
network; the clock is moved by hand."""

from __future__ import annotations

import engineio.packet
import engineio.socket
import pytest
import socketio

from ephemeral.connect_deadline import ConnectDeadline
from tests.support.clock import FakeClock

DEADLINE = 10.0


@pytest.fixture
def sio() -> socketio.Server:
    return socketio.Server(async_mode="threading")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def deadline(sio: socketio.Server, clock: FakeClock) -> ConnectDeadline:
    return ConnectDeadline(sio, DEADLINE, clock)


def opened(sio: socketio.Server, deadline: ConnectDeadline, eio_sid: str) -> engineio.socket.Socket:
    """An Engine.IO session as engine.io opens one, watched from now."""
    session = engineio.socket.Socket(sio.eio, eio_sid)
    sio.eio.sockets[eio_sid] = session
    sio._handle_eio_connect(eio_sid, {})
    deadline.watch(eio_sid)
    return session


def sent_close(session: engineio.socket.Socket) -> bool:
    packets = []
    while not session.queue.empty():
        packets.append(session.queue.get_nowait())
    return any(p is not None and p.packet_type == engineio.packet.CLOSE for p in packets)


def test_a_session_that_never_connects_is_closed_at_its_deadline_and_not_before(sio, clock, deadline):
    quiet = opened(sio, deadline, "quiet")
    clock.advance(DEADLINE - 0.5)
    assert deadline.check_due() == 0 and not quiet.closed
    clock.advance(0.5)
    assert deadline.check_due() == 1
    assert quiet.closed and sent_close(quiet)
    assert len(deadline) == 0


def test_a_connected_session_is_checked_again_and_closed_once_its_connection_has_ended(sio, clock, deadline):
    tab = opened(sio, deadline, "tab")
    sid = sio.manager.connect("tab", "/")
    for _ in range(3):
        clock.advance(DEADLINE)
        assert deadline.check_due() == 0 and not tab.closed
    sio.manager.disconnect(sid, "/")  # its socket closed; the Engine.IO session stays
    clock.advance(DEADLINE)
    assert deadline.check_due() == 1 and tab.closed


def test_a_connect_still_under_way_at_the_check_counts_as_no_connection(sio, clock, deadline):
    slow = opened(sio, deadline, "slow")
    sio.manager.pre_connect("slow", "/")
    clock.advance(DEADLINE)
    assert deadline.check_due() == 1 and slow.closed


def test_each_session_is_checked_at_its_own_time_and_one_that_ended_is_forgotten(sio, clock, deadline):
    early = opened(sio, deadline, "early")
    clock.advance(DEADLINE / 2)
    late = opened(sio, deadline, "late")
    gone = opened(sio, deadline, "gone")
    deadline.ended("gone")  # engine.io closed it: the disconnect handler forgets it
    assert len(deadline) == 2
    clock.advance(DEADLINE / 2)
    assert deadline.check_due() == 1 and early.closed and not late.closed
    clock.advance(DEADLINE / 2)
    assert deadline.check_due() == 1 and late.closed and not gone.closed
    assert len(deadline) == 0


def test_a_session_closed_meanwhile_is_not_closed_again(sio, clock, deadline):
    left = opened(sio, deadline, "left")
    left.close(wait=False, abort=True)  # as engine.io does when the client goes
    clock.advance(DEADLINE)
    assert deadline.check_due() == 0 and len(deadline) == 0
