"""Test hook (EPHEMERAL_TEST_HOOKS=1 only): connects held between their handler and their CONNECT packet.

A revocation (a logout of the binding, a purge or expiry of the room) that
lands while a socket is still connecting is a race of milliseconds; a test
widens that moment here. `POST /_test/connects/hold` holds every connect whose
handler accepted it, until `POST /_test/connects/release` (or for `seconds`,
if the body gives them); `GET /_test/connects` counts the connects held now
and the disconnects that met a socket still connecting, which python-socketio
would otherwise ignore without a trace.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request

from .extensions import socketio

# However a test ends, a held connect goes on after this long.
HOLD_LIMIT = 30.0

blueprint = Blueprint("connect_hold", __name__)


class ConnectHold:
    """Wraps one Socket.IO server's connect events and disconnects; see the module docstring."""

    def __init__(self, sio_server: Any) -> None:
        self._server = sio_server
        self._release: Any = None  # an event of the async mode while connects are held
        self._pause = 0.0
        self.held = 0
        self.pending_disconnects = 0
        trigger, disconnect = sio_server._trigger_event, sio_server.disconnect

        def trigger_then_hold(event: str, namespace: str, *args: Any) -> Any:
            result = trigger(event, namespace, *args)
            if event == "connect":
                self._hold()
            return result

        def count_then_disconnect(sid: str, namespace: str | None = None, ignore_queue: bool = False) -> None:
            if sio_server.manager.is_pre_connected(sid, namespace or "/"):
                self.pending_disconnects += 1
            disconnect(sid, namespace=namespace, ignore_queue=ignore_queue)

        sio_server._trigger_event = trigger_then_hold
        sio_server.disconnect = count_then_disconnect

    def hold(self, seconds: float) -> None:
        """Hold connects from now on: until `release`, or each for `seconds` if above zero."""
        self.release()
        self._pause = seconds
        if seconds <= 0:
            self._release = self._server.eio.create_event()

    def release(self) -> None:
        released, self._release, self._pause = self._release, None, 0.0
        if released is not None:
            released.set()

    def _hold(self) -> None:
        release, pause = self._release, self._pause
        if release is None and pause <= 0:
            return
        self.held += 1
        try:
            if release is not None:
                release.wait(HOLD_LIMIT)
            else:
                self._server.sleep(pause)
        finally:
            self.held -= 1


def _hold_of_app() -> ConnectHold:
    from flask import current_app

    found: ConnectHold = current_app.extensions["ephemeral.connect_hold"]
    return found


@blueprint.post("/_test/connects/hold")
def hold() -> Response:
    """Body `{"seconds": s}` pauses each connect that long; without it connects wait for a release."""
    body = request.get_json(silent=True)
    seconds = body.get("seconds", 0) if isinstance(body, dict) else 0
    _hold_of_app().hold(float(seconds) if isinstance(seconds, (int, float)) else 0.0)
    return jsonify(ok=True)


@blueprint.post("/_test/connects/release")
def release() -> Response:
    _hold_of_app().release()
    return jsonify(ok=True)


@blueprint.get("/_test/connects")
def counts() -> Response:
    found = _hold_of_app()
    return jsonify(held=found.held, pending_disconnects=found.pending_disconnects)


def register(app: Flask) -> None:
    """Call after `run_after_connect`: the disconnects counted are all of them, revoking or not."""
    app.extensions["ephemeral.connect_hold"] = ConnectHold(socketio.server)
    app.register_blueprint(blueprint)
