"""Every WebSocket connection, shaped: bounded frames, turns taken, one per session, closed as the protocol says.

`configure_websockets` replaces engine.io's WebSocket class for the running
async mode; its docstring says what each change is for.
"""

from __future__ import annotations

import fcntl
import logging
import sys
import termios
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

from .direct_sends import SEND_NOW
from .gevent_websocket import gevent_websocket
from .logs import Safe
from .turns import OneFrameAtATime, read_or_close

NORMAL_CLOSURE = 1000
# The handshake header with the client's extension offers (RFC 6455 section 9.1), as a WSGI environ key.
_EXTENSIONS_OFFERED = "HTTP_SEC_WEBSOCKET_EXTENSIONS"
# Longest a polling request waits for its session's WebSocket to take what has already arrived.
SETTLE_SECONDS = 1.0
SETTLE_STEP = 0.001

log = logging.getLogger("ephemeral.http")


def _has_unread_input(sock: Any) -> bool:
    """The kernel holds bytes for `sock` that no one has read yet (False once it is closed)."""
    count = bytearray(4)
    try:
        fcntl.ioctl(sock.fileno(), termios.FIONREAD, count)
    except (OSError, ValueError):
        return False
    return int.from_bytes(count, sys.byteorder) > 0


class _NormalCloseOnSilence:
    """eventlet's WebSocket socket: a read that times out sends a normal close frame first.

    eventlet answers any read error with close code 1011 (internal error); a
    peer that stopped answering pings is no error of ours.
    """

    def __init__(self, sock: Any, on_silence: Callable[[], None]) -> None:
        self._sock = sock
        self._on_silence = on_silence
        self.sendall = sock.sendall  # every frame sent: bound once

    def recv(self, size: int) -> bytes:
        return read_or_close(self._sock, size, self._on_silence)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def _eventlet_normal_close(ws: Any) -> Callable[[], None]:
    """Send eventlet's `ws` a close frame with code 1000, unless it has sent one."""

    def close() -> None:
        ws._send_closing_frame(ignore_send_errors=True, close_data=(NORMAL_CLOSURE, ""))

    return close


def configure_websockets(eio_server: Any, max_frame_bytes: int) -> None:
    """Shape every WebSocket connection: bounded frames, turns taken, one per session, silent peers closed.

    - Frames beyond `max_frame_bytes` are refused while being read. engine.io
      gives eventlet's WebSocket this limit itself, but checks it only after a
      whole frame is in memory under gevent.
    - A connection with more input already waiting yields before it takes it:
      before a frame when another is queued (eventlet: before every frame),
      and, under gevent, after a read that filled the buffer or every
      READS_PER_TURN reads. Green threads switch only when one blocks, and
      reading a socket that still has data never blocks: without this, one
      participant flooding frames keeps the whole server busy until its backlog
      is read and answered (seconds for a 5,000-frame burst). Reading one chunk
      per turn also leaves a flood's backlog in the kernel, which slows the
      sender, instead of in our memory. A connection with nothing more waiting
      blocks on its next read, which yields anyway, so it does not yield twice.
    - Under gevent, a connection's writes are sent together when its turn
      ends (see `TurnTakingSocket.send`), and its frames are read by the
      session's own green thread when it waits for the next message:
      simple-websocket's reader thread is never started, which saves a green
      thread per socket and a switch per frame.
    - A peer silent for a ping interval and timeout gets a close frame (1000)
      and its TCP connection is closed. engine.io arranges the read timeout for
      eventlet (which then sent 1011); under gevent simple-websocket's reader
      waited forever on such a peer, holding two descriptors and two green
      threads, and then the timeout added for it dropped the peer without a
      close frame.
    - After a WebSocket session, however it ended, nothing more is written on
      its connection: engine.io answered the upgrade request with an HTTP 200
      once the session was over (a failed upgrade, under gevent, wrote it into
      the live WebSocket), and a handler error with a 500.
    - Frames are never compressed: the extensions a client offers (every
      browser offers permessage-deflate) are not read, so none is negotiated.
      With compression, what one participant sends shares a compression
      context with what others said on the same connection, and the size of
      each encrypted frame would tell an eavesdropper who can also send to the
      room whether a guess matched (as CRIME and BREACH do with cookies). It
      also cost each recipient a zlib compressor of about 300 KB and the CPU to
      compress every message once per recipient.
    - A session has one WebSocket at a time: a second one, while the first is
      upgrading or serving it, is refused with 400. A polling request of a
      session with a WebSocket first waits (up to SETTLE_SECONDS) until that
      WebSocket has handled every frame already received, so a poll sent after
      the upgrade packet meets an upgraded session and gets 400, as the
      Engine.IO protocol has it, whatever order the green threads ran in.
    """
    base = eio_server._async.get("websocket")
    if base is None:
        return
    sleep = eio_server._async["sleep"]
    gevent = eio_server.async_mode == "gevent"
    if gevent:
        base = gevent_websocket(base, eio_server.ping_interval + eio_server.ping_timeout, max_frame_bytes, sleep)
    # The WebSocket serving or upgrading each session, by session id.
    sessions: dict[str, SessionWebSocket] = {}

    class SessionWebSocket(base):  # type: ignore[misc,valid-type]
        def __init__(self, handler: Any, server: Any) -> None:
            super().__init__(self._serve, server)
            self._handler = handler
            # engine.io hands over its socket's bound handler: the socket is the session.
            self._session = getattr(handler, "__self__", None)
            self._reader: OneFrameAtATime | None = None
            self._sock: Any = None
            self._over = False

        def __call__(self, environ: Any, start_response: Any) -> Any:
            environ.pop(_EXTENSIONS_OFFERED, None)  # see "Frames are never compressed" above
            sid = getattr(self._session, "sid", None)
            if sid in sessions:
                return eio_server._bad_request("Another WebSocket serves this session")
            if sid is not None:
                sessions[sid] = self
            try:
                result = super().__call__(environ, start_response)
            finally:
                self._over = True
                if sid is not None and sessions.get(sid) is self:
                    del sessions[sid]
            # engine.io answers a list of packets with an HTTP response of its
            # own; anything else it passes on as the body, and this is empty
            # after a session (eventlet's refused handshake has its 400 body).
            return tuple(result)

        def _serve(self, ws: Any) -> Any:
            """The handshake is done: engine.io's handler runs on `ws`, and its errors cannot become HTTP."""
            normal_close = close = None
            if not gevent:
                normal_close = _eventlet_normal_close(ws)
                ws.socket = _NormalCloseOnSilence(ws.socket, normal_close)

                def close() -> None:  # engine.io's, once the session is over
                    normal_close()
                    ws.close()

            self._sock = self.ws.sock if gevent else ws.socket
            self._reader = reader = OneFrameAtATime(ws, sleep, close)
            if gevent and self._session is not None:
                setattr(self._session, SEND_NOW, self.ws.send_now)  # used once upgraded (`direct_sends`)
            try:
                return self._handler(reader)
            except Exception as error:  # noqa: BLE001 - after a 101, no HTTP answer can be sent
                log.warning("websocket session ended by %s", Safe(type(error).__qualname__))
                if self._session is not None and not self._session.upgraded:
                    self._session.upgrading = False  # as engine.io does for a failed upgrade
                return []
            finally:
                if self._session is not None:
                    self._session.__dict__.pop(SEND_NOW, None)
                if normal_close is not None:
                    normal_close()

        def settle(self) -> None:
            """Return once this WebSocket has handled every frame it had received, or the session is upgraded."""
            deadline = time.monotonic() + SETTLE_SECONDS
            while not self._settled() and time.monotonic() < deadline:
                sleep(SETTLE_STEP)

        def _settled(self) -> bool:
            if self._over or getattr(self._session, "upgraded", True):
                return True
            reader, sock = self._reader, self._sock
            if reader is None or not reader.idle():
                return False
            return not getattr(sock, "yielding", False) and not _has_unread_input(sock)

    handle_request = eio_server.handle_request

    def polls_after_the_websocket(environ: Any, start_response: Any) -> Any:
        if sessions and "HTTP_UPGRADE" not in environ:
            sid = urllib.parse.parse_qs(environ.get("QUERY_STRING", "")).get("sid", [""])[0]
            websocket = sessions.get(sid)
            if websocket is not None:
                websocket.settle()
        return handle_request(environ, start_response)

    eio_server.handle_request = polls_after_the_websocket
    eio_server._async = {**eio_server._async, "websocket": SessionWebSocket}
