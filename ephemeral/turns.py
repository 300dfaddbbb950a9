"""WebSocket reads that take turns, and a turn's writes that leave together (see `websockets.configure_websockets`)."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable
from typing import Any

# Frames a reader may take from a socket before yielding though none of its
# reads filled the buffer: data arriving just as fast as it is read never blocks.
READS_PER_TURN = 16
# Linux: hold a write in the kernel until the connection's turn ends (0 elsewhere: send at once).
_MSG_MORE = getattr(socket, "MSG_MORE", 0)
_MSG_DONTWAIT = getattr(socket, "MSG_DONTWAIT", 0)


def read_or_close(sock: Any, size: int, on_silence: Callable[[], None]) -> bytes:
    """Read from `sock`; a read that times out on a silent peer closes the WebSocket normally first."""
    try:
        data: bytes = sock.recv(size)
    except TimeoutError:
        on_silence()
        raise
    return data


class OneFrameAtATime:
    """A WebSocket whose reader lets every other connection run before taking a frame already waiting."""

    def __init__(self, ws: Any, sleep: Any, close: Callable[[], None] | None = None) -> None:
        self._ws = ws
        self._sleep = sleep
        # Bound once: __getattr__ costs ~0.8 µs a call, and send runs once per recipient.
        self.send = ws.send
        self.close: Callable[[], None] = close or ws.close
        # simple-websocket's queue of frames read but not yet taken. When it is empty
        # the next wait blocks, which lets the others run anyway; None (eventlet): unknown.
        self._backlog: list[Any] | None = getattr(getattr(ws, "ws", None), "input_buffer", None)
        # Blocked for the next frame, with none taken and not yet handed over.
        self.waiting = False

    def wait(self) -> Any:
        # Before taking the frame, not after: a frame taken is handled at once, so
        # the session's state (an upgrade's last packet) never lags its input.
        if self._backlog is None or self._backlog:
            self._sleep(0)
        self.waiting = True
        try:
            return self._ws.wait()
        finally:
            self.waiting = False

    def idle(self) -> bool:
        """Waiting for a frame that has not been read: whatever arrived before has been handled."""
        return self.waiting and not self._backlog

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ws, name)


class TurnTakingSocket:
    """simple-websocket's socket under gevent: reads take turns, a turn's writes leave together."""

    def __init__(self, sock: Any, sleep: Any, run_callback: Any, new_event: Any, on_silence: Any, spawn: Any) -> None:
        self._sock = sock
        self._sleep = sleep
        self._run_callback = run_callback
        self._new_event = new_event
        self._on_silence = on_silence
        self._spawn = spawn
        self._reads = 0
        self._push_due = False
        # Set while a frame's tail is being written, which may wait for the peer.
        self._tail: Any = None
        # Green threads inside `send`, which may be waiting with frames to write in order.
        self._senders = 0
        # Holding data just read while the others take their turn.
        self.yielding = False

    def recv(self, size: int) -> bytes:
        data = read_or_close(self._sock, size, self._on_silence)
        self._reads += 1
        # A full buffer means more is probably waiting, and reading it would not block.
        if len(data) == size or self._reads >= READS_PER_TURN:
            self._reads = 0
            self.yielding = True
            try:
                self._sleep(0)
            finally:
                self.yielding = False
        return data

    def send(self, data: bytes) -> int:
        """Queue a frame in the kernel; it leaves with the others of this turn once the loop moves on.

        One segment per turn instead of one per frame: with TCP_NODELAY each small
        write went through the TCP stack on its own, about a third of the server's
        CPU in a fan-out. Unlike Nagle's algorithm this never waits for an ACK.
        """
        self._senders += 1
        try:
            while self._tail is not None:  # no frame may start inside another
                self._tail.wait()
            sent: int = self._sock.send(data, _MSG_MORE)
            if sent < len(data):  # simple-websocket drops what one send did not take
                self._tail = tail = self._new_event()
                self._write_tail(memoryview(data)[sent:], tail)
        finally:
            self._senders -= 1
        self._push_soon()
        return len(data)

    def send_now(self, data: bytes) -> bool:
        """Queue a frame in the kernel only if that needs no wait, else write nothing and return False.

        No wait: no other frame is being written (by `send`, which may hold more to follow) and the kernel takes
        part of the frame at once; a rest it cannot take yet is written by a green thread of its own, and every
        frame after waits for it. So a reader that does not read never holds up the one sending it a frame.
        """
        if self._senders or self._tail is not None:
            return False
        try:
            sent: int = self._sock._sock.send(data, _MSG_MORE | _MSG_DONTWAIT)
        except OSError:  # nothing taken (full, or gone): the queue's writer will try, wait or find it closed
            return False
        if sent < len(data):
            self._tail = tail = self._new_event()  # before the writing green thread runs: no frame may start meanwhile
            self._spawn(self._write_tail_apart, memoryview(data)[sent:], tail)
        self._push_soon()
        return True

    def _write_tail(self, rest: memoryview, tail: Any) -> None:
        """Write what a send left; `tail`, set meanwhile as `_tail`, holds every other frame back until the end."""
        try:
            self._sock.sendall(rest, _MSG_MORE)
        finally:
            self._tail = None
            tail.set()

    def _write_tail_apart(self, rest: memoryview, tail: Any) -> None:
        """`_write_tail` in a green thread of its own: a connection that broke is left for the reader to find."""
        with contextlib.suppress(OSError):
            self._write_tail(rest, tail)
        self._push_soon()  # the push due when it began may have gone before its end

    def _push_soon(self) -> None:
        if _MSG_MORE and not self._push_due:
            self._push_due = True
            self._run_callback(self._push)

    def _push(self) -> None:
        self._push_due = False
        # Setting TCP_NODELAY (again) sends whatever MSG_MORE held back.
        with contextlib.suppress(OSError):  # closed meanwhile: close pushed it
            self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def close(self) -> None:
        # simple-websocket closes a duplicate of the connection's socket, which
        # does not end the connection: push what is held back (a close frame) first.
        self._push()
        self._sock.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)
