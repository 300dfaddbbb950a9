"""Direct sends: a packet goes straight to the connection only when nothing could come before it, and a frame
the kernel cannot take at once never holds up its sender.

Real sockets under gevent (a socketpair); engine.io's own session class with `direct_sends` installed.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import engineio
import engineio.exceptions
import engineio.packet
import engineio.socket
import gevent
import gevent.event
import gevent.socket
import pytest

from ephemeral.direct_sends import SEND_NOW, send_directly
from ephemeral.turns import TurnTakingSocket


def _turn_taking(sock: gevent.socket.socket) -> TurnTakingSocket:
    hub = gevent.get_hub()
    return TurnTakingSocket(sock, gevent.sleep, hub.loop.run_callback, gevent.event.Event, lambda: None, gevent.spawn)


@pytest.fixture
def pair() -> Iterator[tuple[TurnTakingSocket, gevent.socket.socket]]:
    ours, peer = gevent.socket.socketpair()
    ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    peer.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    yield _turn_taking(ours), peer
    ours.close()
    peer.close()


def _read(peer: gevent.socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        data += peer.recv(size - len(data))
    return data


def test_a_frame_the_kernel_takes_is_sent_at_once(pair):
    ours, peer = pair
    assert ours.send_now(b"frame")
    assert _read(peer, 5) == b"frame"


def test_while_another_frame_is_being_sent_nothing_is_sent_now(pair):
    ours, peer = pair
    ours._senders = 1  # a `send` in progress, perhaps with more frames to follow
    assert not ours.send_now(b"later")
    ours._senders = 0
    ours._tail = gevent.event.Event()  # the rest of an earlier frame, still being written
    assert not ours.send_now(b"later")
    ours._tail = None
    assert ours.send_now(b"now")
    assert _read(peer, 3) == b"now"


def test_a_full_kernel_buffer_refuses_without_writing_or_waiting(pair):
    ours, _peer = pair
    raw = ours._sock._sock  # the connection's own socket, as send_now writes to it
    with pytest.raises(BlockingIOError):
        while True:  # a reader that does not read: fill its buffer
            raw.send(b"x" * 4096, socket.MSG_DONTWAIT)
    assert not ours.send_now(b"y")
    assert ours._tail is None  # nothing half-written, no green thread left waiting on the peer


def test_a_frame_taken_in_part_finishes_in_order_and_holds_back_the_next(pair):
    ours, peer = pair
    big = bytes(range(256)) * 4096  # 1 MiB: more than the kernel takes at once
    assert ours.send_now(big)
    assert ours._tail is not None  # the rest is being written by a green thread of its own
    assert not ours.send_now(b"next")  # nothing may start inside it
    received = gevent.spawn(_read, peer, len(big))
    assert received.get(timeout=10) == big
    assert ours._tail is None
    assert ours.send_now(b"next")
    assert _read(peer, 4) == b"next"


@pytest.fixture
def direct() -> Iterator[None]:
    send, poll = engineio.socket.Socket.send, engineio.socket.Socket.poll
    send_directly(engineio.Server(async_mode="gevent"))
    yield
    engineio.socket.Socket.send, engineio.socket.Socket.poll = send, poll  # type: ignore[method-assign]


def _session(upgraded: bool, takes: bool, wait: float = 10.0) -> tuple[engineio.socket.Socket, list[str]]:
    """An engine.io session whose writer's wait for packets times out after about `wait` seconds."""
    server = engineio.Server(async_mode="gevent", monitor_clients=False, ping_interval=wait / 2, ping_timeout=wait / 2)
    session = engineio.socket.Socket(server, "sid")
    session.upgraded, written = upgraded, []

    def send_now(text: str) -> bool:
        if takes:
            written.append(text)
        return takes

    setattr(session, SEND_NOW, send_now)
    return session, written


def _message(text: str) -> engineio.packet.Packet:
    return engineio.packet.Packet(engineio.packet.MESSAGE, data=text)


def test_an_upgraded_session_with_nothing_queued_sends_at_once(direct):
    session, written = _session(upgraded=True, takes=True)
    session.send(_message("a"))
    assert written == ["4a"] and session.queue.qsize() == 0


def test_once_a_packet_is_queued_the_next_follow_it(direct):
    session, written = _session(upgraded=True, takes=False)
    session.send(_message("a"))  # the connection could not take it: queued
    setattr(session, SEND_NOW, lambda text: written.append(text) or True)
    session.send(_message("b"))
    assert written == [] and [p.data for p in (session.queue.get(), session.queue.get())] == ["a", "b"]


def test_a_session_not_yet_upgraded_queues(direct):
    session, written = _session(upgraded=False, takes=True)
    session.send(_message("a"))
    assert written == [] and session.queue.qsize() == 1


def test_the_writer_of_a_session_sent_to_directly_waits_on_past_the_queues_timeout(direct):
    session, _written = _session(upgraded=True, takes=True, wait=0.02)
    writer = gevent.spawn(session.poll)
    gevent.sleep(0.2)  # ten of the queue's timeouts: without the guard the writer gave up and closed the WebSocket
    assert not writer.dead
    session.queue.put(_message("a"))
    assert [p.data for p in writer.get(timeout=10)] == ["a"]


def test_a_closed_or_polling_session_still_gives_up_waiting(direct):
    closed, _ = _session(upgraded=True, takes=True, wait=0.02)
    closed.closed = True
    polling, _ = _session(upgraded=False, takes=True, wait=0.02)
    for session in (closed, polling):
        with pytest.raises(engineio.exceptions.QueueEmpty):
            gevent.spawn(session.poll).get(timeout=10)


def test_every_app_a_process_makes_installs_the_same_methods_once(direct):
    installed = engineio.socket.Socket.send, engineio.socket.Socket.poll
    send_directly(engineio.Server(async_mode="gevent"))
    assert (engineio.socket.Socket.send, engineio.socket.Socket.poll) == installed  # nothing wrapped twice
