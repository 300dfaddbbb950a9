"""Client events served straight from python-socketio, with no Flask request or application context per event.

Flask-SocketIO runs every handler in a request context built from the connection's environ: it opens and checks
the session cookie again, binds a URL adapter, and pushes both, 300-430 µs of the ~950 a chat message cost
(bench/NOTES.md). A client event needs none of it: its socket's room and participant were settled at connect
(`seated`), and its handler reads only the services and the socket's id. So client events are registered on
python-socketio's server itself; each runs with its app's services and its socket at hand (`services()`,
`current_sid`). Pushing an app context per event cost more than a context variable set for each, and nothing a
handler reaches needs one.

`connect` and `disconnect` keep Flask-SocketIO's request context: connect reads the cookie and the address.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from contextvars import ContextVar
from typing import Any

from flask import Flask

from ..errors import Unauthorized
from ..services import IN_EVENT

Handler = Callable[..., object]

# name -> handler(payload, *extra), for every process's server (registered by `serve`).
_HANDLERS: dict[str, Handler] = {}
# The socket whose event is being handled: its id and its connection's environ.
_SOCKET: ContextVar[tuple[str, MutableMapping[str, Any]]] = ContextVar("ephemeral_socket")


def on(name: str) -> Callable[[Handler], Handler]:
    """Register `handler(payload, *extra)` for client event `name`; its return value is the ack
    (`server.not_handled` sends none)."""

    def register(handler: Handler) -> Handler:
        _HANDLERS[name] = handler
        return handler

    return register


def current_sid() -> str:
    """The id of the socket whose event is being handled; `Unauthorized` outside one."""
    return _current()[0]


def current_environ() -> MutableMapping[str, Any]:
    """The environ of the connection whose event is being handled (connect leaves the socket's seat in it)."""
    return _current()[1]


def _current() -> tuple[str, MutableMapping[str, Any]]:
    found = _SOCKET.get(None)
    if found is None:
        raise Unauthorized()
    return found


def serve(server: Any, app: Flask) -> None:
    """After `socketio.init_app(app)`: every client event on its new python-socketio server, with `app`'s services."""
    for name, handler in _HANDLERS.items():
        server.on(name, _with_services(server, app, handler), namespace="/")


def _with_services(server: Any, app: Flask, handler: Handler) -> Callable[..., object]:
    def on_event(sid: str, *args: object) -> object:
        environ = server.get_environ(sid)
        if environ is None:  # closed since python-socketio checked it: nobody to answer
            return server.not_handled
        token, services = _SOCKET.set((sid, environ)), IN_EVENT.set(app.extensions["ephemeral"])
        try:
            return handler(*args)
        finally:
            IN_EVENT.reset(services)
            _SOCKET.reset(token)

    on_event.__name__ = handler.__name__
    return on_event
