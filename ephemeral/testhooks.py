"""Test-only hooks, registered only when EPHEMERAL_TEST_HOOKS=1: forced failures and counters.

The forced failures carry the submitted text in their exception message, so a
test can prove that no exception text reaches a client or the server's output.
"""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Iterator, Mapping

from flask import Blueprint, Flask, Response, jsonify, request

from . import connect_hold
from .events.acks import Ack, acked
from .extensions import socketio
from .services import services

ENV_FLAG = "EPHEMERAL_TEST_HOOKS"

blueprint = Blueprint("testhooks", __name__)


class ForcedFailure(RuntimeError):
    """Raised on purpose by a test hook; its message holds user text."""


@blueprint.post("/_test/raise")
def raise_in_request() -> Response:
    """A test posts any body; the request fails with an exception naming that body."""
    raise ForcedFailure("forced failure with " + request.get_data(as_text=True))


@blueprint.post("/_test/raise-in-body")
def raise_in_body() -> Response:
    """A test posts any body; the answer's body fails before its first byte, outside Flask, in the WSGI server."""
    text = request.get_data(as_text=True)

    def body() -> Iterator[bytes]:
        raise ForcedFailure("forced failure with " + text)
        yield b""  # a generator: it fails when the server reads it, not here

    return Response(body(), mimetype="text/plain")


@blueprint.get("/_test/stats")
def stats() -> Response:
    """Counters a test may compare before and after an attack."""
    svc = services()
    return jsonify(
        hashes_run=svc.hasher.hashes_run,
        rate_limit_keys={field.name: len(getattr(svc.limits, field.name)) for field in dataclasses.fields(svc.limits)},
        live_rooms=svc.registry.live_rooms(),
        open_sockets=len(socketio.server.eio.sockets),
        frozen_objects=gc.get_freeze_count(),
    )


@blueprint.post("/_test/collect")
def collect() -> Response:
    """A full garbage collection now, as the interpreter would run one."""
    gc.collect()
    return jsonify(ok=True)


@acked
def raise_in_event(payload: object = None, *_extra: object) -> Ack:
    """A test emits `_test_raise`; the handler fails with an exception naming the payload."""
    raise ForcedFailure(f"forced failure with {payload!r}")


def register(app: Flask) -> None:
    """Call after `socketio.init_app`, so the event lands on this app's server only."""
    app.register_blueprint(blueprint)
    socketio.on_event("_test_raise", raise_in_event)
    connect_hold.register(app)


def enabled(environ: Mapping[str, str]) -> bool:
    return environ.get(ENV_FLAG) == "1"
