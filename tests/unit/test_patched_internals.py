"""The dependency internals our transport replaces or leans on are still there, in the shape it assumes.

`ephemeral.serving`, `ephemeral.websockets`, `ephemeral.gevent_websocket`, `ephemeral.turns`, `ephemeral.direct_sends`,
`ephemeral.after_connect`, `ephemeral.pings`, `ephemeral.connect_deadline` and `ephemeral.fanout` subclass, wrap
or call underscore names of python-socketio, python-engineio, simple-websocket, gevent and eventlet.
An upgrade that renames one rarely fails loudly: the feature it carried just stops. Each probe below
checks one internal and is one case of the table; its failure names the package, its installed
version, the internal and the feature that would be lost.
No server starts, and nothing stays patched after its own test.
"""

from __future__ import annotations

import _socket
import contextlib
import importlib
import inspect
import io
import logging
import socket
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.metadata import version
from types import ModuleType, SimpleNamespace
from typing import Any

import engineio
import engineio.exceptions
import engineio.packet
import engineio.socket
import flask
import gevent
import gevent.event
import gevent.pywsgi
import gevent.socket
import pytest
import simple_websocket
import socketio
import socketio.packet
import wsproto
import wsproto.events
from engineio.async_drivers._websocket_wsgi import SimpleWebSocketWSGI
from flask_socketio import SocketIO
from werkzeug.test import EnvironBuilder

with warnings.catch_warnings():
    # eventlet announces its own deprecation on import (EventletDeprecationWarning is a plain Warning).
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    warnings.simplefilter("ignore", DeprecationWarning)
    import eventlet
    import eventlet.green.socket
    import eventlet.wsgi

from ephemeral import (
    after_connect,
    connect_deadline,
    direct_sends,
    fanout,
    gevent_websocket,
    pings,
    serving,
    turns,
    websockets,
)
from ephemeral.room_routes import current_route, routed

MODES = ("gevent", "eventlet")
ADAPTERS = (serving, websockets, gevent_websocket, turns, direct_sends, after_connect, connect_deadline, fanout, pings)
GEVENT, EVENTLET = ("gevent",), ("eventlet",)
ANY = ("any-mode",)  # the internal is the same whichever async mode runs
SIO, EIO, SWS = "python-socketio", "python-engineio", "simple-websocket"

RESERVED = "ignoring reserved client events (a forged `connect` or `disconnect` would reach our handlers)"
BINARY = "refusing binary packets (python-socketio would hold any number of announced attachments)"
WEBSOCKET = "the gevent frame limit, turn-taking and dropping silent peers (configure_websockets would do nothing)"
TURNS = "turn-taking (one flooding socket would hold up every other connection)"
GEVENT_TURNS = "turn-taking, batched writes and dropping silent peers under gevent"
GEVENT_LIMIT = "the frame limit under gevent"
WS_CLOSE = "ending the TCP connection after a WebSocket session"
BATCHED = "batched writes under gevent"
DIRECT = "writing a delivery at once when the connection takes it (gevent), without waking a writer"
READER = "reading in the session's own green thread under gevent (no reader thread per socket)"
PINGS = "pings on timers (a green thread asleep per idle socket)"
FRAMES = "sending frames made without wsproto (ConnectionClosed once closed)"
ONE_PER_SESSION = "one WebSocket per session, and polls that wait for it (the upgrade race)"
NO_HTTP = "keeping HTTP out of a WebSocket's connection after its session"
NORMAL_CLOSE = "a close frame with code 1000 for silent peers and failed upgrades"
AFTER_CONNECT = "`welcome` after the CONNECT packet"
QUIET_BAD_REQUESTS = "keeping bad requests (room ids, addresses) out of stderr"
POOL = "a connection pool sized to the descriptor limit"
ROOM_HERE = "closing a room's sockets when it is purged or expires"
ROOM_EVERYWHERE = "closing a room's sockets on every process"
ROOM_CHANNELS = "hearing only the rooms a process holds sockets in (each process would hear none of the others)"


def lost(dist: str, internal: str, feature: str) -> str:
    return (
        f"{dist} {version(dist)} changed an internal Ephemeral relies on; expected: {internal}. "
        f"Without it Ephemeral silently loses {feature}. "
        f"Adapt {', '.join(m.__name__ for m in ADAPTERS)} to this version, "
        "or pin the last one that works."
    )


@dataclass(frozen=True, slots=True)
class Internal:
    dist: str
    name: str
    feature: str
    modes: tuple[str, ...]
    probe: Callable[[str], bool]


INTERNALS: list[Internal] = []


def internal(dist: str, name: str, feature: str, modes: tuple[str, ...] = MODES) -> Callable[..., Any]:
    """Add the decorated probe to the table: it returns whether `name` still has the shape we use."""

    def register(probe: Callable[[str], bool]) -> Callable[[str], bool]:
        INTERNALS.append(Internal(dist, name, feature, modes, probe))
        return probe

    return register


def _driver(mode: str) -> ModuleType:
    return importlib.import_module(f"engineio.async_drivers.{mode}")


def _binds(func: Any, *args: Any, **kwargs: Any) -> bool:
    """`func` accepts these arguments, passed this way (positionally or by name)."""
    try:
        inspect.signature(func).bind(*args, **kwargs)
    except TypeError:
        return False
    return True


def _named(func: Any, *names: str) -> bool:
    """Each name is a parameter of its own, not swallowed by **kwargs."""
    params = inspect.signature(func).parameters
    return all(name in params and params[name].kind is not inspect.Parameter.VAR_KEYWORD for name in names)


def _ignore(*_args: Any, **_kwargs: Any) -> None:
    return None


# python-socketio and python-engineio: ignore_reserved_client_events, refuse_binary_packets


@internal(SIO, "Server._handle_event(eio_sid, namespace, id, data)", RESERVED)
def handle_event(mode: str) -> bool:
    return _binds(socketio.Server(async_mode=mode)._handle_event, "eio_sid", "/", None, ["event"])


@internal(SIO, "Server.reserved_events naming connect and disconnect", RESERVED)
def reserved_events(mode: str) -> bool:
    return {"connect", "disconnect"} <= set(socketio.Server(async_mode=mode).reserved_events)


@internal(SIO, "Server._handle_eio_message calling the instance's _handle_event with 4 arguments", RESERVED)
def events_dispatch(mode: str) -> bool:
    sio, seen = socketio.Server(async_mode=mode), []
    sio._handle_event = lambda *args: seen.append(args)
    sio._handle_eio_message("eio_sid", '2["connect"]')
    return len(seen) == 1 and len(seen[0]) == 4 and seen[0][0] == "eio_sid" and seen[0][3] == ["connect"]


@internal(SIO, "Server._handle_eio_message(eio_sid, data)", BINARY)
def handle_eio_message(mode: str) -> bool:
    return _binds(socketio.Server(async_mode=mode)._handle_eio_message, "eio_sid", '2["event"]')


@internal(SIO, "Server.eio.handlers['message'] (socketio's dispatcher, replaced by eio.on)", BINARY)
def message_handler(mode: str) -> bool:
    sio = socketio.Server(async_mode=mode)
    before = sio.eio.handlers.get("message")
    sio.eio.on("message", _ignore)
    return before == sio._handle_eio_message and sio.eio.handlers.get("message") is _ignore


@internal(EIO, "the 'message' handler called as (sid, data), binary frames as bytes", BINARY)
def message_arguments(mode: str) -> bool:
    eio, seen = engineio.Server(async_mode=mode, async_handlers=False), []
    eio.on("message", lambda sid, data: seen.append((sid, data)))
    connection = engineio.socket.Socket(eio, "sid")
    connection.receive(engineio.packet.Packet(engineio.packet.MESSAGE, data='2["event"]'))
    connection.receive(engineio.packet.Packet(encoded_packet=b"\x00\x01"))  # a binary frame
    return seen == [("sid", '2["event"]'), ("sid", b"\x00\x01")]


@internal(SIO, "packet.BINARY_EVENT and BINARY_ACK, encoded as a leading '5' and '6'", BINARY, ANY)
def binary_packet_types(_mode: str) -> bool:
    packet = socketio.packet
    expected = (str(packet.BINARY_EVENT), str(packet.BINARY_ACK))
    text = packet.Packet(packet.EVENT, data=["event"]).encode()
    binary = packet.Packet(packet.EVENT, data=["event", b"\x00"]).encode()
    return expected == serving._BINARY_PACKET_TYPES and text[:1] == str(packet.EVENT) and binary[0][:1] == expected[0]


# python-engineio: configure_websockets


@internal(EIO, "Server._async['websocket'] and ['sleep'], Server.async_mode", WEBSOCKET)
def async_table(mode: str) -> bool:
    eio = engineio.Server(async_mode=mode)
    table = eio._async
    return eio.async_mode == mode and inspect.isclass(table.get("websocket")) and callable(table.get("sleep"))


@internal(EIO, "Socket._upgrade_websocket calling server._async['websocket'](handler, server)(environ, ...)", WEBSOCKET)
def websocket_per_upgrade(mode: str) -> bool:
    eio, seen = engineio.Server(async_mode=mode), []

    class Recorder:
        def __init__(self, handler: Any, server: Any) -> None:
            seen.append((handler, server))

        def __call__(self, environ: Any, start_response: Any) -> list[bytes]:
            seen.append((environ, start_response))
            return []

    eio._async = {**eio._async, "websocket": Recorder}
    connection, environ = engineio.socket.Socket(eio, "sid"), {"PATH_INFO": "/socket.io/"}
    connection._upgrade_websocket(environ, _ignore)
    return seen == [(connection._websocket_handler, eio), (environ, _ignore)]


@internal(EIO, "async_drivers.<mode>.WebSocketWSGI(handler, server)", TURNS)
def websocket_init(mode: str) -> bool:
    return _binds(_driver(mode).WebSocketWSGI, _ignore, SimpleNamespace(max_http_buffer_size=1))


@internal(EIO, "Socket._websocket_handler reading with ws.wait() and writing with ws.send() (its source)", TURNS, ANY)
def handler_wait_send(_mode: str) -> bool:
    source = inspect.getsource(engineio.socket.Socket._websocket_handler)
    return "ws.wait()" in source and "ws.send(" in source


@internal(EIO, "Server.ping_interval and Server.ping_timeout, in seconds", "dropping silent peers under gevent", GEVENT)
def ping_settings(mode: str) -> bool:
    eio = engineio.Server(async_mode=mode, ping_interval=25, ping_timeout=20)
    return bool(eio.ping_interval + eio.ping_timeout == 45)


@internal(
    EIO, "async_drivers.gevent.WebSocketWSGI built on SimpleWebSocketWSGI (no gevent-websocket)", WEBSOCKET, GEVENT
)
def gevent_simple_websocket(_mode: str) -> bool:
    return issubclass(_driver("gevent").WebSocketWSGI, SimpleWebSocketWSGI)


@internal(
    EIO, "WebSocketWSGI.app and .server_args (simple-websocket options, max_message_size unset)", GEVENT_LIMIT, GEVENT
)
def gevent_server_args(_mode: str) -> bool:
    wrapper = _driver("gevent").WebSocketWSGI(_ignore, SimpleNamespace())
    ours = set(inspect.signature(simple_websocket.Server).parameters) - {"environ", "max_message_size"}
    return wrapper.app is _ignore and isinstance(wrapper.server_args, dict) and set(wrapper.server_args) <= ours


@internal(EIO, "SimpleWebSocketWSGI.wait, send and close going through .ws", GEVENT_TURNS, GEVENT)
def gevent_wrapper_uses_ws(_mode: str) -> bool:
    calls: list[tuple[Any, ...]] = []

    def receive() -> str:
        calls.append(("receive",))
        return "frame"

    wrapper = _driver("gevent").WebSocketWSGI(_ignore, SimpleNamespace())
    wrapper.ws = SimpleNamespace(
        connected=True,
        send=lambda data: calls.append(("send", data)),
        receive=receive,
        close=lambda: calls.append(("close",)),
    )
    wrapper.send("out")
    frame = wrapper.wait()
    wrapper.close()
    return frame == "frame" and calls == [("send", "out"), ("receive",), ("close",)]


@internal("eventlet", "websocket.WebSocketWSGI(max_frame_length=), which engine.io passes", "the frame limit", EVENTLET)
def eventlet_frame_limit(_mode: str) -> bool:
    wrapper = _driver("eventlet").WebSocketWSGI(_ignore, SimpleNamespace(max_http_buffer_size=4321))
    return bool(wrapper.max_frame_length == 4321)


@internal(EIO, "_websocket_handler timing out eventlet's ws._sock (its source)", "dropping silent peers", EVENTLET)
def eventlet_socket_timeout(_mode: str) -> bool:
    handler = inspect.getsource(engineio.socket.Socket._websocket_handler)
    call = inspect.getsource(_driver("eventlet").WebSocketWSGI.__call__)
    return "'_sock'" in handler and ".settimeout(" in handler and "self._sock =" in call


def _upgrade_request(sid: str | None) -> dict[str, Any]:
    query = "EIO=4&transport=websocket" + (f"&sid={sid}" if sid else "")
    return {
        "REQUEST_METHOD": "GET",
        "QUERY_STRING": query,
        "HTTP_CONNECTION": "Upgrade",
        "HTTP_UPGRADE": "websocket",
        "PATH_INFO": "/socket.io/",
    }


def _answers(eio: Any, environ: dict[str, Any], websocket_answer: Any) -> tuple[Any, list[Any]]:
    """What `eio.handle_request` returns and starts when its WebSocket class answers `websocket_answer`."""
    started: list[Any] = []

    class Answering:
        def __init__(self, handler: Any, server: Any) -> None:
            pass

        def __call__(self, environ: Any, start_response: Any) -> Any:
            return websocket_answer

    eio._async = {**eio._async, "websocket": Answering}
    return eio.handle_request(environ, lambda status, headers: started.append(status)), started


@internal(EIO, "Socket.schedule_ping() on each PONG, and .last_ping, .closing, .closed for the ping it sends", PINGS)
def ping_schedule(mode: str) -> bool:
    session, scheduled = engineio.socket.Socket(engineio.Server(async_mode=mode, monitor_clients=False), "sid"), []
    session.schedule_ping = lambda: scheduled.append(True)  # type: ignore[method-assign]
    session.receive(engineio.packet.Packet(engineio.packet.PONG))
    return scheduled == [True] and hasattr(session, "last_ping") and (session.closing, session.closed) == (False, False)


@internal(EIO, "Server.handle_request passing a tuple from the WebSocket class on as the body, unanswered", NO_HTTP)
def upgrade_answer_passed_on(mode: str) -> bool:
    eio = engineio.Server(async_mode=mode, monitor_clients=False)
    session = eio.sockets["sid"] = engineio.socket.Socket(eio, "sid")
    session.connected = True
    upgrade = _answers(eio, _upgrade_request("sid"), ())
    schedule_ping = engineio.socket.Socket.schedule_ping
    engineio.socket.Socket.schedule_ping = _ignore  # type: ignore[method-assign]
    try:
        connect = _answers(eio, _upgrade_request(None), ())
    finally:
        engineio.socket.Socket.schedule_ping = schedule_ping  # type: ignore[method-assign]
    return upgrade == ((), []) and connect == ((), [])


@internal(
    EIO, "Server.handle_request answering a dict from the WebSocket class (Server._bad_request) as is", ONE_PER_SESSION
)
def upgrade_refusal_answered(mode: str) -> bool:
    eio = engineio.Server(async_mode=mode, monitor_clients=False)
    session = eio.sockets["sid"] = engineio.socket.Socket(eio, "sid")
    session.connected = True
    body, started = _answers(eio, _upgrade_request("sid"), eio._bad_request("refused"))
    return started == ["400 BAD REQUEST"] and body == [b'"refused"']


@internal(
    EIO,
    "the WebSocket class given the socket's bound handler: __self__ with .sid, .upgrading, .upgraded",
    ONE_PER_SESSION,
)
def handler_bound_to_session(mode: str) -> bool:
    eio, seen = engineio.Server(async_mode=mode), []

    class Recorder:
        def __init__(self, handler: Any, server: Any) -> None:
            seen.append(handler.__self__)

        def __call__(self, environ: Any, start_response: Any) -> list[bytes]:
            return []

    eio._async = {**eio._async, "websocket": Recorder}
    session = engineio.socket.Socket(eio, "sid")
    session._upgrade_websocket({}, _ignore)
    return seen == [session] and session.sid == "sid" and (session.upgrading, session.upgraded) == (False, False)


@internal(EIO, "a poll or a WebSocket for an upgraded session refused with 400", ONE_PER_SESSION)
def upgraded_session_refuses_http(mode: str) -> bool:
    eio, started = engineio.Server(async_mode=mode, monitor_clients=False), []
    session = eio.sockets["sid"] = engineio.socket.Socket(eio, "sid")
    session.connected = session.upgraded = True
    poll = {"REQUEST_METHOD": "GET", "QUERY_STRING": "EIO=4&transport=polling&sid=sid"}
    for environ in (poll, _upgrade_request("sid")):
        eio.handle_request(environ, lambda status, headers: started.append(status))
    return started == ["400 BAD REQUEST", "400 BAD REQUEST"]


@internal(SIO, "Server.handle_request calling self.eio.handle_request (the instance's, which we wrap)", ONE_PER_SESSION)
def requests_reach_eio(mode: str) -> bool:
    sio, seen = socketio.Server(async_mode=mode), []
    sio.eio.handle_request = lambda environ, start_response: seen.append(environ)
    sio.handle_request({"probe": True}, _ignore)
    return seen == [{"probe": True}]


# simple-websocket: the gevent WebSocket that configure_websockets builds


class _Socket:
    """A connection that records what simple-websocket does with it; its peer has closed."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def recv(self, size: int) -> bytes:
        self.calls.append(("recv", size))
        return b""

    def send(self, data: bytes) -> int:
        self.calls.append(("send", data))
        return len(data)

    def close(self) -> None:
        self.calls.append(("close",))


def _simple_websocket(sock: Any, log: list[Any]) -> Any:
    """A simple-websocket server on `sock`, its handshake and reader thread replaced by stand-ins that log."""

    class Reader:
        def __init__(self, target: Callable[[], None]) -> None:
            log.append("reader created")
            self.name = "reader"

        def start(self) -> None:
            log.append("reader started")

    class Probe(simple_websocket.Server):  # type: ignore[misc]
        def handshake(self) -> None:
            log.append(("handshake", self.sock))
            self.connected = True

    return Probe({"werkzeug.socket": sock}, max_message_size=1024, thread_class=Reader)


@internal(SWS, "Server(environ, max_message_size=, thread_class=, event_class=, selector_class=)", GEVENT_LIMIT, GEVENT)
def server_options(_mode: str) -> bool:
    options = {"max_message_size": 1, "thread_class": None, "event_class": None, "selector_class": None}
    return _binds(simple_websocket.Server, {}, **options)


@internal(SWS, "Server.handshake() called with .sock set, before the reader thread starts", GEVENT_TURNS, GEVENT)
def handshake_first(_mode: str) -> bool:
    sock, log = _Socket(), list[Any]()
    _simple_websocket(sock, log)
    return log == [("handshake", sock), "reader created", "reader started"]


@internal(SWS, "Base.input_buffer, the list receive() takes frames from", "no needless yield (gevent)", GEVENT)
def input_buffer(_mode: str) -> bool:
    ws = _simple_websocket(_Socket(), [])
    backlog = ws.input_buffer
    backlog.append("frame")
    taken = ws.receive(timeout=0)
    return isinstance(backlog, list) and taken == "frame" and ws.input_buffer is backlog and not backlog


@internal(SWS, "Base._handle_events() after ws.receive_data: whole messages into input_buffer, True to go on", READER)
def handle_events(_mode: str) -> bool:
    ws = _simple_websocket(_Socket(), [])
    ws.ws = _open_wsproto_server()
    mask = b"\x00\x00\x00\x00"
    ws.ws.receive_data(b"\x81\x82" + mask + b"hi" + b"\x81\x81" + mask + b"!")  # two masked text frames
    return ws._handle_events() is True and ws.input_buffer == ["hi", "!"] and isinstance(ws.receive_bytes, int)


@internal(SWS, "Base._handle_events() answering a close frame, then False and .connected False", READER)
def handle_close(_mode: str) -> bool:
    sock = _Socket()
    ws = _simple_websocket(sock, [])
    ws.ws = _open_wsproto_server()
    ws.ws.receive_data(b"\x88\x82\x00\x00\x00\x00\x03\xe8")  # a masked close frame, code 1000
    return ws._handle_events() is False and not ws.connected and sock.calls == [("send", b"\x88\x02\x03\xe8")]


@internal(SWS, "Base.send and Base.close writing each frame with one sock.send(data)", BATCHED, GEVENT)
def writer_send(_mode: str) -> bool:
    sock = _Socket()
    ws = _simple_websocket(sock, [])
    ws.ws = SimpleNamespace(send=lambda _event: b"frame")  # wsproto's connection, already open
    ws.send("text")
    ws.close()
    return sock.calls == [("send", b"frame"), ("send", b"frame")]


@internal(SWS, "Base.close() sending one close frame with code 1000, then .connected False", NORMAL_CLOSE, GEVENT)
def close_frame(_mode: str) -> bool:
    sock = _Socket()
    ws = _simple_websocket(sock, [])
    ws.ws = _open_wsproto_server()
    ws.close()
    return sock.calls == [("send", b"\x88\x02\x03\xe8")] and not ws.connected


@internal(SWS, "Base.connected, close_reason and close_message, and ConnectionClosed(reason, message)", FRAMES, GEVENT)
def send_state(_mode: str) -> bool:
    ws = _simple_websocket(_Socket(), [])
    closed = simple_websocket.ConnectionClosed(ws.close_reason, ws.close_message)
    return ws.connected is True and (closed.reason, closed.message) == (ws.close_reason, ws.close_message)


def _open_wsproto_server() -> Any:
    """wsproto's server side of a connection whose handshake is done, as simple-websocket holds it."""
    client = wsproto.WSConnection(wsproto.ConnectionType.CLIENT)
    server = wsproto.WSConnection(wsproto.ConnectionType.SERVER)
    server.receive_data(client.send(wsproto.events.Request(host="h", target="/")))
    list(server.events())
    server.send(wsproto.events.AcceptConnection())
    return server


class _SilentSocket(_Socket):
    def recv(self, size: int) -> bytes:
        self.calls.append(("recv", size))
        raise TimeoutError("timed out")


@internal(
    SWS, "Base._thread ending on a timeout from sock.recv: closed, .connected False, receive() woken", NORMAL_CLOSE
)
def reader_timeout(_mode: str) -> bool:
    sock = _SilentSocket()
    ws = _simple_websocket(sock, [])
    ws._thread()
    return sock.calls == [("recv", ws.receive_bytes), ("close",)] and not ws.connected and ws.event.is_set()


# gevent: the pywsgi handler class and the turn-taking socket


@internal("gevent", "pywsgi.WSGIServer(handler_class=, log=)", f"TCP_NODELAY and {WS_CLOSE}", GEVENT)
def pywsgi_handler_class(_mode: str) -> bool:
    return _named(gevent.pywsgi.WSGIServer, "handler_class", "log")


@internal("gevent", "pywsgi.WSGIServer(error_log=)", "withholding server error text from stderr", GEVENT)
def pywsgi_error_log(_mode: str) -> bool:
    return _named(gevent.pywsgi.WSGIServer, "error_log")


@internal("gevent", "pywsgi.WSGIHandler(sock, address, server, rfile=None)", "TCP_NODELAY", GEVENT)
def pywsgi_handler_init(_mode: str) -> bool:
    return _binds(gevent.pywsgi.WSGIHandler, "sock", ("127.0.0.1", 1), "server", None)


@internal("gevent", "WSGIHandler.run_application, then close_connection ending keep-alive", WS_CLOSE, GEVENT)
def pywsgi_close_connection(_mode: str) -> bool:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Length", "0")])
        return [b""]

    handler_class = serving._gevent_handler_class()
    server = gevent.pywsgi.WSGIServer(("127.0.0.1", 0), app, log=None, handler_class=handler_class)  # never bound
    client, ours = socket.socketpair()
    with client, ours:
        client.sendall(b"GET /socket.io/ HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
        return handler_class(ours, ("127.0.0.1", 1), server).handle_one_request() is None


@internal("gevent", "get_hub().loop.run_callback and gevent.event.Event", BATCHED, GEVENT)
def hub_run_callback(_mode: str) -> bool:
    event = gevent.event.Event()
    return callable(gevent.get_hub().loop.run_callback) and callable(event.wait) and callable(event.set)


@internal("gevent", "socket.send(data, flags) and socket.sendall(data, flags)", BATCHED, GEVENT)
def socket_send_flags(_mode: str) -> bool:
    sock = gevent.socket.socket
    return _binds(sock.send, sock, b"frame", 0) and _binds(sock.sendall, sock, b"frame", 0)


@internal("gevent", "socket._sock, the OS socket a gevent socket wraps", DIRECT, GEVENT)
def socket_wraps_os_socket(_mode: str) -> bool:
    ours, peer = gevent.socket.socketpair()
    try:
        return isinstance(ours._sock, _socket.socket) and ours._sock.send(b"x", socket.MSG_DONTWAIT) == 1
    finally:
        ours.close()
        peer.close()


@internal(EIO, "Server.send_packet(sid, pkt) calling the session's .send(pkt); .check_ping_timeout(), .queue", DIRECT)
def send_packet_calls_socket_send(mode: str) -> bool:
    eio, sent = engineio.Server(async_mode=mode, monitor_clients=False), []
    session = eio.sockets["sid"] = engineio.socket.Socket(eio, "sid")
    session.send = sent.append  # type: ignore[method-assign]
    pkt = engineio.packet.Packet(engineio.packet.MESSAGE, data="x")
    eio.send_packet("sid", pkt)
    return sent == [pkt] and session.check_ping_timeout() and session.queue.qsize() == 0


@internal(EIO, "Socket.poll() raising QueueEmpty when no packet came in time; the writer taking it as the end", DIRECT)
def poll_times_out(mode: str) -> bool:
    eio = engineio.Server(async_mode=mode, monitor_clients=False, ping_interval=0.01, ping_timeout=0.01)
    session = engineio.socket.Socket(eio, "sid")
    writer = inspect.getsource(engineio.socket.Socket._websocket_handler)
    try:
        session.poll()
    except engineio.exceptions.QueueEmpty:
        return "packets = self.poll()" in writer and "except exceptions.QueueEmpty" in writer
    return False


# eventlet: the HTTP protocol class and the server's options


@internal("eventlet", "wsgi.server(protocol=)", f"TCP_NODELAY and {QUIET_BAD_REQUESTS}", EVENTLET)
def wsgi_protocol(_mode: str) -> bool:
    return _named(eventlet.wsgi.server, "protocol")


@internal("eventlet", "wsgi.server(max_size=)", POOL, EVENTLET)
def wsgi_max_size(_mode: str) -> bool:
    return _named(eventlet.wsgi.server, "max_size")


@internal("eventlet", "wsgi.server(debug=, log_output=, environ=)", "keeping tracebacks and addresses quiet", EVENTLET)
def wsgi_quiet_options(_mode: str) -> bool:
    return _named(eventlet.wsgi.server, "debug", "log_output", "environ")


@internal("eventlet", "HttpProtocol(conn_state, server) setting .request before setup()", "TCP_NODELAY", EVENTLET)
def protocol_request(_mode: str) -> bool:
    options: list[tuple[Any, ...]] = []
    conn = SimpleNamespace(setsockopt=lambda *args: options.append(args), makefile=lambda *_args: io.BytesIO())

    class Probe(serving._eventlet_protocol()):  # type: ignore[misc]
        def handle(self) -> None:
            pass

        def finish(self) -> None:
            pass

    Probe([("127.0.0.1", 1), conn, "idle"], SimpleNamespace(minimum_chunk_size=None, capitalize_response_headers=True))
    return (socket.IPPROTO_TCP, socket.TCP_NODELAY, 1) in options


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@internal(
    "eventlet", "HttpProtocol.log_message(format, *args), where bad requests end up", QUIET_BAD_REQUESTS, EVENTLET
)
def protocol_log_message(_mode: str) -> bool:
    protocol: Any = object.__new__(serving._eventlet_protocol())
    protocol.client_address = ("203.0.113.7", 1)
    records, stderr, logger = _Records(), io.StringIO(), logging.getLogger("ephemeral.http")
    logger.addHandler(records)
    try:
        with contextlib.redirect_stderr(stderr):
            protocol.log_error("code %d, message %s", 400, "Bad request version ('/r/MARKER')")
    finally:
        logger.removeHandler(records)
    printed = stderr.getvalue()
    return records.messages == ["bad request (details withheld)"] and "MARKER" not in printed and "203.0" not in printed


class _EventletPeer:
    """The socket under an eventlet WebSocket: one text frame to read, then a read that times out."""

    def __init__(self) -> None:
        self.incoming = b"\x81\x81\x00\x00\x00\x00x"  # a client's text frame "x" (masked, with a zero mask)
        self.sent: list[bytes] = []

    def recv(self, size: int) -> bytes:
        if not self.incoming:
            raise TimeoutError("timed out")
        data, self.incoming = self.incoming[:size], self.incoming[size:]
        return data

    def sendall(self, data: bytes) -> None:
        self.sent.append(bytes(data))

    def shutdown(self, how: int) -> None:
        pass

    def close(self) -> None:
        pass


@internal(
    "eventlet",
    "RFC6455WebSocket reading with .socket.recv; _send_closing_frame(ignore_send_errors=, close_data=) sent once",
    NORMAL_CLOSE,
    EVENTLET,
)
def eventlet_close_frame(_mode: str) -> bool:
    peer = _EventletPeer()
    ws = eventlet.websocket.RFC6455WebSocket(peer, {}, version=13)
    first = ws.wait()
    ws._send_closing_frame(ignore_send_errors=True, close_data=(1000, ""))
    with contextlib.suppress(TimeoutError):
        ws.wait()  # the timeout: eventlet would send its own close frame (1011) now, had none been sent
    return first == "x" and peer.sent == [b"\x88\x02\x03\xe8"] and ws.websocket_closed


# python-socketio and Flask-SocketIO: after_connect


def _connect(sio: Any, handler: Any, environ: dict[str, Any], auth: Any = None) -> list[Any]:
    """Run a CONNECT for `sio`'s Engine.IO connection "eio": what the handler and the packets did, in order."""
    order: list[Any] = []
    sio._send_packet = lambda eio_sid, pkt: order.append(("packet", pkt.packet_type))
    sio.on("connect", lambda *args: handler(order, *args))
    sio._handle_eio_connect("eio", environ)
    sio._handle_connect("eio", "/", auth)
    return order


@internal(
    SIO, "Server._handle_connect: the connect handler, then the CONNECT packet, then the sid connected", AFTER_CONNECT
)
def connect_packet_after_handler(mode: str) -> bool:
    sio, environ = socketio.Server(async_mode=mode), {"probe": True}

    def handler(order: list[Any], sid: str, seen_environ: Any, auth: Any) -> None:
        order.append(("handler", seen_environ is sio.environ["eio"]))

    order = _connect(sio, handler, environ, {"room": "r"})
    sid = sio.manager.sid_from_eio_sid("eio", "/")
    return order == [("handler", True), ("packet", socketio.packet.CONNECT)] and sio.manager.is_connected(sid, "/")


@internal(SIO, "a refused connect: Server._handle_connect leaving no sid for the Engine.IO connection", AFTER_CONNECT)
def refused_connect_leaves_no_sid(mode: str) -> bool:
    sio = socketio.Server(async_mode=mode)

    def handler(order: list[Any], *_args: Any) -> None:
        raise socketio.exceptions.ConnectionRefusedError("unauthorized")

    order = _connect(sio, handler, {}, {"room": "r"})
    return order == [("packet", socketio.packet.CONNECT_ERROR)] and sio.manager.sid_from_eio_sid("eio", "/") is None


@internal(
    SIO, "Server._handle_eio_message calling the instance's _handle_connect(eio_sid, namespace, data)", AFTER_CONNECT
)
def connect_dispatch(mode: str) -> bool:
    sio, seen = socketio.Server(async_mode=mode), []
    sio._handle_connect = lambda *args: seen.append(args)
    sio._handle_eio_message("eio", '0{"room":"r"}')
    return len(seen) == 1 and seen[0][0] == "eio" and seen[0][1] in (None, "/") and seen[0][2] == {"room": "r"}


@internal("Flask-SocketIO", "the connect handler's request.environ being the server's environ[eio_sid]", AFTER_CONNECT)
def flask_request_environ(mode: str) -> bool:
    app, seen = flask.Flask("probe"), []
    flask_sio = SocketIO(app, async_mode=mode)

    @flask_sio.on("connect")
    def on_connect(auth: Any = None) -> None:
        seen.append(flask.request.environ)

    environ = EnvironBuilder("/socket.io/").get_environ()
    environ["flask.app"] = app
    flask_sio.server._handle_eio_connect("eio", environ)
    flask_sio.server._handle_connect("eio", "/", None)
    return len(seen) == 1 and seen[0] is flask_sio.server.environ["eio"]


@internal(SIO, "Server.emit(ignore_queue=) reaching the manager: a RedisManager emits here, unpublished", AFTER_CONNECT)
def emit_ignore_queue(mode: str) -> bool:
    published: list[Any] = []

    class Recorder(fanout.SharedManager):
        def _publish(self, data: Any) -> None:
            published.append(data)

    sio = socketio.Server(async_mode=mode, client_manager=Recorder("redis://unused", 2))
    sio.emit("welcome", {}, to="sid", ignore_queue=True)
    sio.emit("presence", {}, to="room")
    return _named(socketio.Server.emit, "ignore_queue") and [m["event"] for m in published] == ["presence"]


# python-socketio's managers: fanout.LocalManager and fanout.SharedManager


@internal(SIO, "Server.close_room calling manager.close_room(room, namespace); Manager.close_room", ROOM_HERE)
def manager_close_room(mode: str) -> bool:
    seen = []

    class Recorder(fanout.LocalManager):
        def close_room(self, room: str, namespace: str | None) -> None:
            seen.append((room, namespace))

    socketio.Server(async_mode=mode, client_manager=Recorder()).close_room("room")
    return seen == [("room", "/")] and _binds(socketio.Manager.close_room, "self", "room", "/")


@internal(SIO, "Manager.get_participants(namespace, room) yielding (sid, eio_sid); Manager.server", ROOM_HERE)
def manager_participants(mode: str) -> bool:
    manager = fanout.LocalManager()
    sio = socketio.Server(async_mode=mode, client_manager=manager)
    manager.enter_room("sid", "/", "room", eio_sid="eio_sid")
    return manager.server is sio and list(manager.get_participants("/", "room")) == [("sid", "eio_sid")]


@internal(SIO, "Server.disconnect(sid, namespace=, ignore_queue=)", ROOM_EVERYWHERE, ANY)
def disconnect_ignore_queue(_mode: str) -> bool:
    return _named(socketio.Server.disconnect, "namespace", "ignore_queue")


@internal(
    SIO, "PubSubManager.close_room: _handle_close_room({room, namespace}) here, then publish", ROOM_EVERYWHERE, ANY
)
def pubsub_close_room(_mode: str) -> bool:
    seen = []

    class Recorder(fanout.SharedManager):
        def _publish(self, data: Any) -> None:
            seen.append(("published", data))

        def _handle_close_room(self, message: dict[str, Any]) -> None:
            seen.append(("here", message))

    Recorder("redis://unused", 2).close_room("room", None)
    expected = {"room": "room", "namespace": "/"}
    return [kind for kind, _ in seen] == ["here", "published"] and all(m.items() >= expected.items() for _, m in seen)


@internal(SIO, "PubSubManager._thread passing other processes' close_room to _handle_close_room", ROOM_EVERYWHERE, ANY)
def pubsub_listener(_mode: str) -> bool:
    seen, message = [], {"method": "close_room", "room": "room", "namespace": "/", "host_id": "another process"}

    class Recorder(fanout.SharedManager):
        def _listen(self) -> Iterator[dict[str, Any]]:
            yield message

        def _handle_close_room(self, message: dict[str, Any]) -> None:
            seen.append(message)

    manager = Recorder("redis://unused", 2)
    manager.server = SimpleNamespace(logger=SimpleNamespace(debug=_ignore, error=_ignore, exception=_ignore))
    manager._thread()  # returns once _listen is exhausted
    return seen == [message]


@internal(SIO, "PubSubManager._handle_close_room(message)", ROOM_EVERYWHERE, ANY)
def handle_close_room(_mode: str) -> bool:
    return _binds(socketio.PubSubManager._handle_close_room, "self", {"room": "room", "namespace": "/"})


@internal(SIO, "PubSubManager(channel=), its _publish(data) and _listen() for a backend of our own", ROOM_CHANNELS, ANY)
def pubsub_backend(_mode: str) -> bool:
    hooks = (socketio.PubSubManager._publish, socketio.PubSubManager._listen)
    return _binds(socketio.PubSubManager, channel="c") and _binds(hooks[0], "self", {}) and _binds(hooks[1], "self")


@internal(
    SIO,
    "PubSubManager.emit publishing {'method': 'emit'} from the emitting thread; Manager.disconnect reaching "
    "basic_disconnect(sid, namespace)",
    ROOM_CHANNELS,
    ANY,
)
def pubsub_emit_and_disconnect(_mode: str) -> bool:
    published, released = [], []

    class Recorder(fanout.SharedManager):
        def _publish(self, data: Any) -> None:
            published.append((data.get("method"), current_route()))

        def _handle_emit(self, message: dict[str, Any]) -> None:
            pass

        def basic_disconnect(self, sid: str, namespace: str, **kwargs: Any) -> None:
            released.append(sid)

    manager = Recorder("redis://unused", 2)
    with routed("room"):
        manager.emit("message", {}, namespace="/", room="room")
    manager.disconnect("sid", "/", ignore_queue=True)
    return published == [("emit", "room")] and released == ["sid"]


# python-socketio and python-engineio: after_connect's revocations, connect_deadline, fanout.listen_now

REVOKE = "revoking a socket still connecting (a logout or purge during its connect would leave it reading the room)"
DEADLINE = "closing sessions without a Socket.IO connection at their deadline"
LISTEN = "hearing the other processes from the start (a revocation published before the first connection is lost)"


@internal(SIO, "Manager.is_pre_connected(sid, namespace) while the connect handler runs, is_connected after", REVOKE)
def pending_while_connecting(mode: str) -> bool:
    sio = socketio.Server(async_mode=mode)

    def handler(order: list[Any], sid: str, *_args: Any) -> None:
        order.append((sio.manager.is_pre_connected(sid, "/"), sio.manager.is_connected(sid, "/")))

    order = _connect(sio, handler, {}, {"room": "r"})
    sid = sio.manager.sid_from_eio_sid("eio", "/")
    return (
        order[0] == (True, False) and sio.manager.is_connected(sid, "/") and not sio.manager.is_pre_connected(sid, "/")
    )


@internal(
    SIO, "PubSubManager._handle_disconnect calling the instance's server.disconnect(ignore_queue=True)", REVOKE, ANY
)
def pubsub_disconnect_through_server(_mode: str) -> bool:
    seen: list[Any] = []
    manager = fanout.SharedManager("redis://unused", 2)
    manager.server = SimpleNamespace(disconnect=lambda *args, **kwargs: seen.append((args, kwargs)))
    manager._handle_disconnect({"method": "disconnect", "sid": "sid", "namespace": "/", "host_id": "another"})
    return len(seen) == 1 and "sid" in (*seen[0][0], *seen[0][1].values()) and seen[0][1].get("ignore_queue") is True


@internal(SIO, "Manager.get_rooms(sid, namespace) and basic_leave_room(sid, namespace, room)", REVOKE)
def manager_rooms_of_a_sid(mode: str) -> bool:
    manager = fanout.LocalManager()
    socketio.Server(async_mode=mode, client_manager=manager)
    manager.enter_room("sid", "/", "room", eio_sid="eio_sid")
    found = manager.get_rooms("sid", "/")
    manager.basic_leave_room("sid", "/", "room")
    return found == ["room"] and manager.get_rooms("sid", "/") == [] and manager.get_namespaces() is not None


@internal(
    EIO, "Server.handlers['connect'/'disconnect'] set by Server.on, called (sid, environ) / (sid, reason)", DEADLINE
)
def eio_session_handlers(mode: str) -> bool:
    sio = socketio.Server(async_mode=mode)
    handlers = sio.eio.handlers
    ours = (
        handlers.get("connect") == sio._handle_eio_connect and handlers.get("disconnect") == sio._handle_eio_disconnect
    )
    sio.eio.on("connect", _ignore)
    return ours and sio.eio.handlers["connect"] is _ignore and _binds(sio._handle_eio_disconnect, "eio", "reason")


@internal(EIO, "Server.sockets; Socket.close(wait=, abort=, reason=), .closed and .closing; Server.reason", DEADLINE)
def eio_socket_close(mode: str) -> bool:
    eio = socketio.Server(async_mode=mode).eio
    session = engineio.socket.Socket(eio, "sid")
    return (
        isinstance(eio.sockets, dict)
        and _named(engineio.socket.Socket.close, "wait", "abort", "reason")
        and session.closed is False
        and session.closing is False
        and eio.reason.SERVER_DISCONNECT is not None
    )


@internal(SIO, "Server._handle_eio_connect initializing the manager only while manager_initialized is false", LISTEN)
def manager_initialized_once(mode: str) -> bool:
    started: list[bool] = []

    class Recorder(fanout.LocalManager):
        def initialize(self) -> None:
            started.append(True)

    sio = socketio.Server(async_mode=mode, client_manager=Recorder())
    fanout.listen_now(sio)
    sio._handle_eio_connect("eio", {})
    return started == [True] and sio.manager_initialized is True


@pytest.mark.parametrize(
    ("case", "mode"),
    [pytest.param(case, mode, id=f"{mode}-{case.probe.__name__}") for case in INTERNALS for mode in case.modes],
)
def test_internal_keeps_the_shape_ephemeral_relies_on(case: Internal, mode: str) -> None:
    message = lost(case.dist, case.name, case.feature)
    try:
        holds = case.probe(mode)
    except (AttributeError, KeyError, IndexError, TypeError, ValueError, ImportError) as exc:
        pytest.fail(f"{message}\n({type(exc).__name__}: {exc})")
    assert holds, message


# serving.serve hands serving.server_options to the WSGI server, through Flask-SocketIO's run() under gevent and
# directly under eventlet (whose run() keeps `debug` for itself): (mode, option, feature).
RUN_OPTIONS = [
    ("gevent", "handler_class", f"TCP_NODELAY and {WS_CLOSE}"),
    ("gevent", "error_log", "withholding server error text from stderr"),
    ("gevent", "log", "a silent access log (it names room ids and addresses)"),  # log_output=False arrives as None
    ("eventlet", "protocol", f"TCP_NODELAY and {QUIET_BAD_REQUESTS}"),
    ("eventlet", "max_size", POOL),
    ("eventlet", "log_output", "a silent access log (it names room ids and addresses)"),
    ("eventlet", "debug", "keeping tracebacks out of 500 responses"),
    ("eventlet", "environ", "withholding WebSocket error text (with addresses) from stderr"),
]


@pytest.mark.parametrize(
    ("mode", "option", "feature"), [pytest.param(*row, id=f"{row[0]}-{row[1]}") for row in RUN_OPTIONS]
)
def test_serve_hands_our_option_to_the_wsgi_server(
    mode: str, option: str, feature: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    received: dict[str, Any] = {}

    def server(*_args: Any, **kwargs: Any) -> Any:
        received.update(kwargs)
        return SimpleNamespace(serve_forever=_ignore)

    if mode == "gevent":
        monkeypatch.setattr(gevent.pywsgi, "WSGIServer", server)
    else:
        monkeypatch.setattr(eventlet, "listen", _ignore)
        monkeypatch.setattr(eventlet.wsgi, "server", server)
    options = serving.server_options(mode)
    app = flask.Flask("probe")
    serving.serve(app, SocketIO(app, async_mode=mode), "127.0.0.1", 0, options)
    if mode == "gevent":
        internal = f"SocketIO.run() passing `{option}` on to gevent.pywsgi.WSGIServer"
        dist = "Flask-SocketIO"
    else:
        internal, dist = f"eventlet.wsgi.server taking `{option}`", "eventlet"
    assert received.get(option, "<not passed>") is options.get(option), lost(dist, internal, feature)
