"""Malformed Engine.IO and Socket.IO packets are dropped and counted, never logged one by one.

python-engineio and python-socketio log a traceback for every packet they
cannot decode (or, for a WebSocket frame, end the connection with one), so a
client sending garbage could fill the server's disk. Here every such packet is
dropped before it can raise and counted in `logs.count`, which writes one line
per interval ("N malformed packets in the last 60 s"). What still raises is a
real fault and is logged, redacted, once per kind and interval.

- Socket.IO: each packet is decoded once, here; one that does not decode, has a
  type a client may not send, or an event that is not a list starting with a
  name is dropped. The rest go to python-socketio's own handlers.
- Engine.IO over WebSocket: a text frame must be a message carrying a Socket.IO
  packet type, or a short control frame (ping, pong, upgrade, noop, close).
  engine.io would JSON-decode anything else, and some frames make it raise;
  such a frame reaches engine.io as a noop.
- Engine.IO long-polling: a POST body engine.io cannot decode is dropped whole,
  as engine.io already does, without its traceback.
"""

from __future__ import annotations

import functools
from typing import Any

import engineio.exceptions
import engineio.socket
from socketio import packet

from . import logs

MALFORMED = "malformed packets"
# Engine.IO control frames a client sends: close, ping, pong, upgrade, noop. None
# carries more than "probe"; a longer one is not a control frame.
_CONTROL_TYPES = frozenset("12356")
_CONTROL_MAX_CHARS = 16
_MESSAGE_TYPE = "4"
_SOCKETIO_TYPES = frozenset("0123456")
_NOOP = "6"


def well_formed_frame(frame: object) -> bool:
    """Whether engine.io can take this WebSocket frame; binary frames and the end of input (None) pass."""
    if not isinstance(frame, str):
        return True
    kind = frame[:1]
    if kind == _MESSAGE_TYPE:
        return frame[1:2] in _SOCKETIO_TYPES
    return kind in _CONTROL_TYPES and len(frame) <= _CONTROL_MAX_CHARS


def _is_event(data: object) -> bool:
    return isinstance(data, list) and bool(data) and isinstance(data[0], str)


def count_malformed_packets(sio_server: Any) -> None:
    """Decode each Socket.IO packet once, dropping and counting malformed ones; guard engine.io's decoding.

    Call before `serving.refuse_binary_packets`, which wraps what this installs.
    """
    decode = sio_server.packet_class
    dispatch = sio_server._handle_eio_message  # python-socketio's own: binary attachments

    def handle_message(eio_sid: str, data: Any) -> None:
        if isinstance(data, bytes):
            dispatch(eio_sid, data)
            return
        try:
            # Not text: engine.io decoded a message as JSON, which no Socket.IO packet is.
            pkt = decode(encoded_packet=data) if isinstance(data, str) else None
        except (ValueError, RecursionError):
            pkt = None
        if pkt is None:
            logs.count(MALFORMED)
            return
        kind = pkt.packet_type
        if kind == packet.CONNECT:
            sio_server._handle_connect(eio_sid, pkt.namespace, pkt.data)
        elif kind == packet.DISCONNECT:
            sio_server._handle_disconnect(eio_sid, pkt.namespace, sio_server.reason.CLIENT_DISCONNECT)
        elif kind == packet.EVENT and _is_event(pkt.data):
            sio_server._handle_event(eio_sid, pkt.namespace, pkt.id, pkt.data)
        elif kind == packet.ACK and isinstance(pkt.data, list):
            sio_server._handle_ack(eio_sid, pkt.namespace, pkt.id, pkt.data)
        elif kind in (packet.BINARY_EVENT, packet.BINARY_ACK):
            dispatch(eio_sid, data)
        else:
            logs.count(MALFORMED)

    sio_server._handle_eio_message = handle_message
    sio_server.eio.on("message", handle_message)
    _guard_engine_sockets()


class _WellFormedFrames:
    """A WebSocket whose `wait` counts the text frames engine.io cannot take, and hands over a noop instead.

    A stand-in rather than nothing: engine.io ignores a noop, and an upgrade that
    waits for its probe takes it as the wrong packet and fails at once, as it
    would have on the frame itself.
    """

    def __init__(self, ws: Any) -> None:
        self._ws = ws
        self.send = ws.send  # bound once: it runs once per recipient of every message

    def wait(self) -> Any:
        frame = self._ws.wait()
        if well_formed_frame(frame):
            return frame
        logs.count(MALFORMED)
        return _NOOP

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ws, name)


def _guard_engine_sockets() -> None:
    """engine.io's socket class, once per process: frames checked, undecodable POST bodies counted."""
    socket_class: Any = engineio.socket.Socket
    if getattr(socket_class, "_counts_malformed", False):
        return
    handle_post_request, websocket_handler = socket_class.handle_post_request, socket_class._websocket_handler

    # `wraps` keeps the originals reachable: the internals probes read engine.io's own source.
    @functools.wraps(handle_post_request)
    def handle_post(self: Any, environ: Any) -> Any:
        try:
            return handle_post_request(self, environ)
        except engineio.exceptions.EngineIOError:
            raise  # engine.io answers 400 and closes the session itself
        except (ValueError, KeyError, RecursionError):
            # Decoding failed before any packet was handled: engine.io would log it and answer 200.
            logs.count(MALFORMED)
            return None

    @functools.wraps(websocket_handler)
    def handle_websocket(self: Any, ws: Any) -> Any:
        return websocket_handler(self, _WellFormedFrames(ws))

    socket_class.handle_post_request = handle_post
    socket_class._websocket_handler = handle_websocket
    socket_class._counts_malformed = True
