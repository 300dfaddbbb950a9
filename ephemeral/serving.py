"""How the production WSGI server runs for each async mode: quiet and WebSocket-safe."""

from __future__ import annotations

import contextlib
import logging
import resource
import socket
from typing import Any

from .logs import RedactedErrorStream
from .slow_clients import Guard, guard_eventlet_protocol, guard_gevent_handler

# Descriptors kept back from the connection pool for logs, the bcrypt worker
# threads and the listening socket.
RESERVED_DESCRIPTORS = 128
MAX_CONNECTIONS = 100_000
# A connection's request reader, and its buffer, live as long as the connection:
# an idle WebSocket keeps one it never reads through again (it reads a duplicate
# of the socket). The servers' default is io.DEFAULT_BUFFER_SIZE, 8 KiB; a head
# or body longer than this only takes a few more reads.
READ_BUFFER_BYTES = 1024


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
        rbufsize = READ_BUFFER_BYTES

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
            if rfile is None:  # pywsgi's own would be sock.makefile("rb", -1)
                rfile = sock.makefile("rb", READ_BUFFER_BYTES)
            super().__init__(sock, address, server, rfile)

        def run_application(self) -> None:
            try:
                super().run_application()
            finally:
                if self.environ.get("HTTP_UPGRADE", "").lower() == "websocket":
                    self.close_connection = True

    return WebSocketClosingHandler


def server_options(async_mode: str, guard: Guard | None = None) -> dict[str, Any]:
    """Keyword arguments for the WSGI server (`serve`): no access log, no raw error text, slow clients bounded."""
    guard = guard or Guard()
    if async_mode == "gevent":
        return {
            "log_output": False,
            "error_log": RedactedErrorStream("ephemeral.http"),
            "handler_class": guard_gevent_handler(_gevent_handler_class(), guard),
        }
    # eventlet's debug mode (its default) answers an exception that escapes the app with its traceback.
    protocol = guard_eventlet_protocol(_eventlet_protocol(), guard)
    # eventlet's WebSocket writes its errors, naming the client's address, to `wsgi.errors` (stderr by default).
    errors = {"wsgi.errors": RedactedErrorStream("ephemeral.http")}
    return {"log_output": False, "debug": False, "protocol": protocol, "max_size": max_connections(), "environ": errors}


def serve(app: Any, sio: Any, host: str, port: int, options: dict[str, Any]) -> None:
    """Serve `app` until the process ends, the WSGI server given `options` (`server_options`) in full.

    Under gevent this is Flask-SocketIO's `run`. Under eventlet, `run` keeps
    `debug` for itself and starts `eventlet.wsgi.server` without it, that is
    with tracebacks in 500 answers, so the server is started here the way `run`
    would, with every option passed on.
    """
    if sio.server.eio.async_mode != "eventlet":
        sio.run(app, host=host, port=port, **options)
        return
    import eventlet
    import eventlet.green.socket
    import eventlet.wsgi

    addresses = eventlet.green.socket.getaddrinfo(host, port)
    if not addresses:
        raise RuntimeError("the host name does not resolve to an address")
    family, address = addresses[0][0], addresses[0][4]
    eventlet.wsgi.server(eventlet.listen(address, family), app, **options)


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
