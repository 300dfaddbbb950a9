"""Under gevent, the WebSocket engine.io serves each session with: simple-websocket's server, reading in the
session's own green thread, with turns taken, frames made here, and a normal close for silent peers.

`websockets.configure_websockets` says what each change is for.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from .frames import server_frame
from .turns import TurnTakingSocket


def gevent_websocket(base: Any, silence: float, max_frame_bytes: int, sleep: Any) -> Any:
    """engine.io's gevent WebSocket class `base`, shaped: silent peers closed after `silence` seconds, frames over
    `max_frame_bytes` refused while read, `sleep` to take turns."""
    import simple_websocket
    from gevent import get_hub, spawn
    from gevent.event import Event
    from wsproto.connection import ConnectionState
    from wsproto.utilities import LocalProtocolError

    ended = (ConnectionState.CLOSED, ConnectionState.REMOTE_CLOSING)
    run_callback = get_hub().loop.run_callback

    class NoReaderThread:
        """simple-websocket's reader thread, never started: the session's green thread reads (`receive`)."""

        def __init__(self, target: Callable[[], None]) -> None:
            self.name = "reader"

        def start(self) -> None:
            pass

    class YieldingServer(simple_websocket.Server):  # type: ignore[misc]
        def handshake(self) -> None:
            self.sock.settimeout(silence)
            self.sock: Any = TurnTakingSocket(self.sock, sleep, run_callback, Event, self.close_normally, spawn)
            self.finished = False
            super().handshake()

        def receive(self, timeout: float | None = None) -> Any:
            """The next message, read from the socket by the calling green thread when none is waiting.

            As simple-websocket's reader thread read, parsed and answered control frames, but in the green thread
            that handles the message: no thread per socket and no switch per frame.
            """
            while self.connected and not self.input_buffer:
                self._read()
            if self.input_buffer:
                return self.input_buffer.pop(0)
            self.finish()
            raise simple_websocket.ConnectionClosed(self.close_reason, self.close_message)

        def _read(self) -> None:
            try:
                data = self.sock.recv(self.receive_bytes)
                if not data:
                    raise OSError("end of stream")
                self.ws.receive_data(data)
                self.connected = self._handle_events()
            except (OSError, LocalProtocolError):
                self.connected = False

        def finish(self) -> None:
            """The connection is over: close our socket once (the reader thread closed it as it ended)."""
            if not self.finished:
                self.finished = True
                self.sock.close()

        def drain_then_finish(self) -> None:
            """After a close frame nobody reads an answer to: read on until the peer answers or goes, then finish,
            as the reader thread did (closing at once could reset a connection with unread input)."""
            while self.ws.state not in ended and not self.finished:
                with contextlib.suppress(OSError, LocalProtocolError):
                    data = self.sock.recv(self.receive_bytes)
                    if data:
                        self.ws.receive_data(data)
                        self._handle_events()
                        continue
                break
            self.finish()

        def send(self, data: Any) -> None:
            """As simple-websocket sends, with the frame made here instead of by wsproto."""
            if not self.connected:
                raise simple_websocket.ConnectionClosed(self.close_reason, self.close_message)
            self.sock.send(server_frame(data))

        def send_now(self, data: str) -> bool:
            """Send `data` if the socket takes it without a wait (`TurnTakingSocket.send_now`); False: not sent."""
            return self.connected and self.sock.send_now(server_frame(data))  # type: ignore[no-any-return]

        def close_normally(self) -> None:
            """Send a close frame with code 1000, unless one has been sent or received."""
            if self.connected:
                with contextlib.suppress(OSError, simple_websocket.ConnectionClosed, LocalProtocolError):
                    self.close()

    class GeventWebSocket(base):  # type: ignore[misc]
        def __call__(self, environ: Any, start_response: Any) -> Any:
            # As the base class does for gevent, with the reader and limit above.
            options = {**self.server_args, "thread_class": NoReaderThread}
            self.ws = ws = YieldingServer(environ, max_message_size=max_frame_bytes, **options)
            try:
                return self.app(self)
            finally:
                # A failed upgrade returns with the WebSocket still open.
                ws.close_normally()
                if not ws.finished:
                    spawn(ws.drain_then_finish)

    return GeventWebSocket
