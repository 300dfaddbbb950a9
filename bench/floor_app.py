"""The floor: a bare Flask-SocketIO relay, served the way Ephemeral is served.

One event, `message`, emitted to the sender's room with an ack; the room is
named in the connect `auth`. No sessions, auth, sanitizing or limits. Same
async mode, Engine.IO settings and WSGI server (simple-websocket, no access
log, WebSocket connections closed after the session) as Ephemeral.

Run: python bench/floor_app.py PORT [gevent|eventlet]
"""

from __future__ import annotations

import sys

ASYNC_MODE = sys.argv[2] if len(sys.argv) > 2 else "gevent"
if ASYNC_MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()
else:
    import eventlet

    eventlet.monkey_patch()

from typing import Any  # noqa: E402

from flask import Flask, jsonify, request  # noqa: E402
from flask_socketio import SocketIO, join_room  # noqa: E402

app = Flask(__name__)
socketio = SocketIO(
    app,
    async_mode=ASYNC_MODE,
    cors_allowed_origins=[],
    max_http_buffer_size=4000 * 12 + 1024,
    ping_interval=10,
    ping_timeout=10,
    logger=False,
    engineio_logger=False,
)
room_of: dict[str, str] = {}


@app.get("/healthz")
def healthz() -> Any:
    return jsonify(status="ok")


@socketio.on("connect")
def on_connect(auth: Any = None) -> None:
    room_of[request.sid] = auth["room"]  # type: ignore[attr-defined]
    join_room(auth["room"])


@socketio.on("disconnect")
def on_disconnect(*_reason: Any) -> None:
    room_of.pop(request.sid, None)  # type: ignore[attr-defined]


@socketio.on("message")
def on_message(payload: Any = None) -> dict[str, bool]:
    socketio.emit("message", payload, to=room_of[request.sid])  # type: ignore[attr-defined]
    return {"ok": True}


def _server_options() -> dict[str, Any]:
    if ASYNC_MODE != "gevent":
        return {"log_output": False, "debug": False}
    from gevent import pywsgi

    class Handler(pywsgi.WSGIHandler):  # type: ignore[misc]
        def run_application(self) -> None:
            try:
                super().run_application()
            finally:
                if self.environ.get("HTTP_UPGRADE", "").lower() == "websocket":
                    self.close_connection = True

    return {"log_output": False, "handler_class": Handler}


if __name__ == "__main__":
    socketio.run(app, host="127.0.0.1", port=int(sys.argv[1]), **_server_options())
