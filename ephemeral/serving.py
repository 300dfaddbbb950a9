"""How the production WSGI server runs for each async mode: quiet and WebSocket-safe."""

from __future__ import annotations

from typing import Any

from .logs import RedactedErrorStream


def _gevent_handler_class() -> type:
    from gevent import pywsgi

    class WebSocketClosingHandler(pywsgi.WSGIHandler):  # type: ignore[misc]
        """Ends the TCP connection after a WebSocket session.

        simple-websocket takes over a duplicate of the socket; without this,
        pywsgi goes on reading the client's closing frames as if they were a
        new HTTP request, and clients wait seconds for the close handshake.
        """

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
    return {"log_output": False, "debug": False}


def limit_websocket_frames(eio_server: Any, max_bytes: int) -> None:
    """Make simple-websocket refuse oversized frames while reading them (gevent mode).

    engine.io checks the size only after a whole frame is in memory; eventlet's
    WebSocket already gets the limit from engine.io.
    """
    base = eio_server._async.get("websocket")
    if eio_server.async_mode != "gevent" or base is None:
        return

    class LimitedWebSocket(base):  # type: ignore[misc,valid-type]
        def __init__(self, handler: Any, server: Any) -> None:
            super().__init__(handler, server)
            self.server_args["max_message_size"] = max_bytes

    eio_server._async = {**eio_server._async, "websocket": LimitedWebSocket}
