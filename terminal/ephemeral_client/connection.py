"""The room's Socket.IO connection (docs/protocol.md), over the API's session: its cookie, proxy and CA."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import socketio

from .api import Server

__all__ = ["EVENTS", "Connection"]

# The server's events this client acts on; the rest (typing, file pieces, ...) are not listened to.
EVENTS = ("welcome", "presence", "message", "purged", "room", "edited", "unsent", "file", "history")
ACK_TIMEOUT = 15.0
CONNECT_TIMEOUT = 30.0


class Connection:
    """Hands each server event to `deliver(name, payload)`, in the order they came, on the reading thread;
    `deliver` must only pass it on (to the UI's loop). A lost connection is tried again with the same cookie."""

    def __init__(self, server: Server, room_id: str, deliver: Callable[[str, Any], None]) -> None:
        self.server = server
        self.room_id = room_id
        # handle_sigint off: Ctrl-C is the chat's key, not a signal to the socket.
        self.client = socketio.Client(
            http_session=server.http, reconnection=True, reconnection_delay=1, handle_sigint=False
        )
        self._in_order()
        for name in EVENTS:
            self.client.on(name, self._passer(deliver, name))
        self.client.on("disconnect", lambda *reason: deliver("disconnect", {"reason": str(reason[:1])}))
        self.client.on("connect_error", lambda data=None: deliver("connect_error", data))
        self.client.on("connect", lambda: deliver("connect", {}))

    @staticmethod
    def _passer(deliver: Callable[[str, Any], None], name: str) -> Callable[..., None]:
        def handle(payload: Any = None) -> None:
            deliver(name, payload)

        return handle

    def _in_order(self) -> None:
        """Read events on the thread that read them: python-engineio starts a thread per message, so two
        messages could otherwise be seen the other way round (and a sealed one then refused as a replay).
        A DISCONNECT keeps its own thread, as python-socketio waits there for the reader to end."""
        eio = self.client.eio
        spawn = eio.start_background_task

        def start_background_task(target: Any, *args: Any, **kwargs: Any) -> Any:
            data = args[0] if args else None
            if target is not eio.handlers.get("message") or (isinstance(data, str) and data.startswith("1")):
                return spawn(target, *args, **kwargs)
            target(*args, **kwargs)
            return None

        eio.start_background_task = start_background_task

    def connect(self) -> None:
        """Open the socket; raises socketio.exceptions.ConnectionError when refused or out of reach."""
        self.client.connect(
            self.server.base_url, auth={"room": self.room_id}, transports=["websocket"], wait_timeout=CONNECT_TIMEOUT
        )

    def call(self, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Emit and wait for the ack; `{"ok": false, "error": "timeout"}` when none came."""
        try:
            answer = self.client.call(event, payload, timeout=ACK_TIMEOUT)
        except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError):
            return {"ok": False, "error": "timeout"}
        return answer if isinstance(answer, dict) else {"ok": False, "error": "invalid"}

    def close(self) -> None:
        self.client.disconnect()
