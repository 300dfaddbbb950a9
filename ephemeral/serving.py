"""How the production WSGI server runs for each async mode: quiet and WebSocket-safe."""

from __future__ import annotations

import contextlib
import logging
import resource
import socket
from typing import Any

from .logs import RedactedErrorStream

# Descriptors kept back from the connection pool for logs, the bcrypt worker
# threads and the listening socket.
RESERVED_DESCRIPTORS = 128
MAX_CONNECTIONS = 100_000


def _send_at_once(sock: Any) -> None:
    """Turn off Nagle's algorithm on a client connection.

    A response or a Socket.IO exchange is several small writes (pywsgi sends
    headers and body separately; an event's broadcast and its ack are two
    frames). With Nagle on, each write after the first waits for the client's
    delayed ACK: 40 ms on Linux, up to 200 ms on Windows, on every request.
    """
    with contextlib.suppress(OSError):  # not a TCP socket: nothing to tune
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def max_connections() -> int:
    """Connections served at once in eventlet mode: as many as descriptors allow.

    eventlet's default pool holds 1024, so 1024 idle connections locked every
    user out; and accepting past the descriptor limit would stop its server.
    """
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return MAX_CONNECTIONS
    return max(64, min(MAX_CONNECTIONS, soft - RESERVED_DESCRIPTORS))


def _eventlet_protocol() -> type:
    from eventlet import wsgi

    class SendAtOnceProtocol(wsgi.HttpProtocol):  # type: ignore[misc]
        def setup(self) -> None:
            _send_at_once(self.request)
            super().setup()

        def log_message(self, format: str, *args: Any) -> None:
            """The standard library writes bad request lines (room ids) and client addresses to stderr."""
            logging.getLogger("ephemeral.http").warning("bad request (details withheld)")

    return SendAtOnceProtocol


def _gevent_handler_class() -> type:
    from gevent import pywsgi

    class WebSocketClosingHandler(pywsgi.WSGIHandler):  # type: ignore[misc]
        """Ends the TCP connection after a WebSocket session.

        simple-websocket takes over a duplicate of the socket; without this,
        pywsgi goes on reading the client's closing frames as if they were a
        new HTTP request, and clients wait seconds for the close handshake.
        """

        def __init__(self, sock: Any, address: Any, server: Any, rfile: Any = None) -> None:
            _send_at_once(sock)
            super().__init__(sock, address, server, rfile)

        def run_application(self) -> None:
            try:
                super().run_application()
            finally:
                if self.environ.get("HTTP_UPGRADE", "").lower() == "websocket":
                    self.close_connection = True

    return WebSocketClosingHandler


def server_options(async_mode: str) -> dict[str, Any]:
    """Keyword arguments for `socketio.run`: no access log, no raw error text."""
    if async_mode == "gevent":
        return {
            "log_output": False,
            "error_log": RedactedErrorStream("ephemeral.http"),
            "handler_class": _gevent_handler_class(),
        }
    # eventlet's debug mode would send tracebacks to clients.
    return {"log_output": False, "debug": False, "protocol": _eventlet_protocol(), "max_size": max_connections()}


def ignore_reserved_client_events(sio_server: Any) -> None:
    """A client EVENT packet named `connect` or `disconnect` is dropped unanswered.

    python-socketio dispatches client events by name, reserved names included:
    a fake `disconnect` would take a reader out of presence while its socket
    still receives the room, and a fake `connect` would attach it to a second room.
    """
    dispatch = sio_server._handle_event
    reserved = frozenset(sio_server.reserved_events)

    def handle_event(eio_sid: str, namespace: str | None, ack_id: int | None, data: Any) -> None:
        if isinstance(data, list) and data and isinstance(data[0], str) and data[0] in reserved:
            return
        dispatch(eio_sid, namespace, ack_id, data)

    sio_server._handle_event = handle_event


# Socket.IO packet types 5 and 6 announce binary attachments to follow.
_BINARY_PACKET_TYPES = ("5", "6")


def refuse_binary_packets(sio_server: Any) -> None:
    """Binary frames, and packets announcing binary attachments, are dropped unparsed.

    The protocol is JSON only. python-socketio keeps every attachment of a
    packet in memory until all it announced (up to 9,999,999,999) have arrived,
    so one socket could make the server hold any amount of memory.
    """
    dispatch = sio_server._handle_eio_message

    def handle_message(eio_sid: str, data: Any) -> None:
        if isinstance(data, str) and data[:1] not in _BINARY_PACKET_TYPES:
            dispatch(eio_sid, data)

    sio_server.eio.on("message", handle_message)


# Frames a reader may take from a socket before yielding though none of its
# reads filled the buffer: data arriving just as fast as it is read never blocks.
READS_PER_TURN = 16
# Linux: hold a write in the kernel until the connection's turn ends (0 elsewhere: send at once).
_MSG_MORE = getattr(socket, "MSG_MORE", 0)


class _OneFrameAtATime:
    """A WebSocket whose reader lets every other connection run before taking a frame already waiting."""

    def __init__(self, ws: Any, sleep: Any) -> None:
        self._ws = ws
        self._sleep = sleep
        # Bound once: __getattr__ costs ~0.8 µs a call, and send runs once per recipient.
        self.send = ws.send
        # simple-websocket's queue of frames read but not yet taken. When it is empty
        # the next wait blocks, which lets the others run anyway; None (eventlet): unknown.
        self._backlog: list[Any] | None = getattr(getattr(ws, "ws", None), "input_buffer", None)

    def wait(self) -> Any:
        frame = self._ws.wait()
        if self._backlog is None or self._backlog:
            self._sleep(0)
        return frame

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ws, name)


class _TurnTakingSocket:
    """simple-websocket's socket under gevent: reads take turns, a turn's writes leave together."""

    def __init__(self, sock: Any, sleep: Any, run_callback: Any, new_event: Any) -> None:
        self._sock = sock
        self._sleep = sleep
        self._run_callback = run_callback
        self._new_event = new_event
        self._reads = 0
        self._push_due = False
        # Set while a frame's tail is being written, which may wait for the peer.
        self._tail: Any = None

    def recv(self, size: int) -> bytes:
        data: bytes = self._sock.recv(size)
        self._reads += 1
        # A full buffer means more is probably waiting, and reading it would not block.
        if len(data) == size or self._reads >= READS_PER_TURN:
            self._reads = 0
            self._sleep(0)
        return data

    def send(self, data: bytes) -> int:
        """Queue a frame in the kernel; it leaves with the others of this turn once the loop moves on.

        One segment per turn instead of one per frame: with TCP_NODELAY each small
        write went through the TCP stack on its own, about a third of the server's
        CPU in a fan-out. Unlike Nagle's algorithm this never waits for an ACK.
        """
        while self._tail is not None:  # no frame may start inside another
            self._tail.wait()
        sent: int = self._sock.send(data, _MSG_MORE)
        if sent < len(data):  # simple-websocket drops what one send did not take
            self._tail = tail = self._new_event()
            try:
                self._sock.sendall(memoryview(data)[sent:], _MSG_MORE)
            finally:
                self._tail = None
                tail.set()
        if _MSG_MORE and not self._push_due:
            self._push_due = True
            self._run_callback(self._push)
        return len(data)

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


def configure_websockets(eio_server: Any, max_frame_bytes: int) -> None:
    """Shape every WebSocket connection: bounded frames, turns taken, silent peers dropped.

    - Frames beyond `max_frame_bytes` are refused while being read. engine.io
      gives eventlet's WebSocket this limit itself, but checks it only after a
      whole frame is in memory under gevent.
    - A connection with more input already waiting yields before it takes it:
      after a frame, when another frame is queued (eventlet: after every
      frame), and, under gevent, after a read that filled the buffer or every
      READS_PER_TURN reads. Green threads switch only when one blocks, and
      reading a socket that still has data never blocks: without this, one
      participant flooding frames keeps the whole server busy until its backlog
      is read and answered (seconds for a 5,000-frame burst). Reading one chunk
      per turn also leaves a flood's backlog in the kernel, which slows the
      sender, instead of in our memory. A connection with nothing more waiting
      blocks on its next read, which yields anyway, so it does not yield twice.
    - Under gevent, a connection's writes are sent together when its turn
      ends (see `_TurnTakingSocket.send`).
    - Under gevent, a peer silent for a ping interval and timeout is dropped, as
      engine.io already arranges for eventlet. Without it, simple-websocket's
      reader waited forever on a peer that went silent without closing: the
      connection kept two descriptors and two green threads for good.
    """
    base = eio_server._async.get("websocket")
    if base is None:
        return
    sleep = eio_server._async["sleep"]

    if eio_server.async_mode == "gevent":
        import simple_websocket

        silence = eio_server.ping_interval + eio_server.ping_timeout

        from gevent import get_hub
        from gevent.event import Event

        class YieldingServer(simple_websocket.Server):  # type: ignore[misc]
            def handshake(self) -> None:
                self.sock.settimeout(silence)
                # simple-websocket's reader reads until the socket is drained.
                self.sock: Any = _TurnTakingSocket(self.sock, sleep, get_hub().loop.run_callback, Event)
                super().handshake()

        class GeventWebSocket(base):  # type: ignore[misc,valid-type]
            def __call__(self, environ: Any, start_response: Any) -> Any:
                # As the base class does for gevent, with the reader and limit above.
                self.ws = YieldingServer(environ, max_message_size=max_frame_bytes, **self.server_args)
                return self.app(self)

        base = GeventWebSocket

    class TurnTakingWebSocket(base):  # type: ignore[misc,valid-type]
        def __init__(self, handler: Any, server: Any) -> None:
            super().__init__(lambda ws: handler(_OneFrameAtATime(ws, sleep)), server)

    eio_server._async = {**eio_server._async, "websocket": TurnTakingWebSocket}
