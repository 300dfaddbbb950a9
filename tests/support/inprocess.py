"""The fast layer: the app in this process, Flask's test client and Flask-SocketIO's.

Same shape as `tests.support.people` (Person.create/join/connect, Socket.wait/
call/send), so a handler or view test reads the same in either layer. No
network and no green threads: `create_app` runs in threading mode, and the
background tasks handlers start (closing sockets after a purge or logout) are
queued and run, in order, whenever a test reads events. Transport, privacy
and races stay with the real server.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient
from socketio import packet

from ephemeral import socketio
from ephemeral.events import announce
from ephemeral.services import Services
from tests.support.files import FileActions
from tests.support.message_actions import MessageActions
from tests.support.people import Refused, next_loopback_address


class BackgroundTasks:
    """Stands in for `socketio.start_background_task`: tasks run when a test asks, one after another."""

    def __init__(self) -> None:
        self.queued: deque[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = deque()

    def start(self, target: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self.queued.append((target, args, kwargs))

    def run(self) -> None:
        while self.queued:
            target, args, kwargs = self.queued.popleft()
            target(*args, **kwargs)


class TestClient(SocketIOTestClient):
    """Flask-SocketIO's test client, keeping the reason the server gave for refusing it."""

    refusal: str | None = None

    def connect(self, namespace: str | None = None, query_string: str | None = None, **kwargs: Any) -> None:
        server = self.socketio.server
        send = server._send_packet

        def record(eio_sid: str, pkt: Any) -> None:
            if eio_sid == self.eio_sid and pkt.packet_type == packet.CONNECT_ERROR:
                self.refusal = pkt.data.get("message") if isinstance(pkt.data, dict) else str(pkt.data)
            send(eio_sid, pkt)

        server._send_packet = record
        try:
            super().connect(namespace, query_string, **kwargs)
        finally:
            server._send_packet = send


class Answer:
    """A test response that reads like `requests.Response`."""

    def __init__(self, response: Any) -> None:
        self.status_code: int = response.status_code
        self.headers = response.headers
        self.text: str = response.get_data(as_text=True)
        self._json = response.get_json(silent=True)

    def json(self) -> Any:
        return self._json


class Socket(MessageActions, FileActions):
    """One Socket.IO connection; every event it received waits in arrival order."""

    def __init__(self, client: TestClient, tasks: BackgroundTasks) -> None:
        self.client = client
        self._tasks = tasks
        self._received: list[tuple[str, Any]] = []

    def _collect(self) -> None:
        self._tasks.run()
        # The client's own queue: what arrived before a disconnect is still there to read.
        arrived, self.client.queue[:] = list(self.client.queue), []
        for event in arrived:
            args = event["args"]
            self._received.append((event["name"], args[0] if isinstance(args, list) and args else args))

    def wait(self, event: str) -> Any:
        """The next `event` payload; everything is synchronous, so it is there or never comes."""
        self._collect()
        for index, (name, payload) in enumerate(self._received):
            if name == event:
                del self._received[index]
                return payload
        raise AssertionError(f"no {event!r} event; received {[name for name, _ in self._received]}")

    def wait_for(self, event: str, predicate: Callable[[Any], bool]) -> Any:
        while True:
            payload = self.wait(event)
            if predicate(payload):
                return payload

    def pending(self, event: str) -> list[Any]:
        self._collect()
        found = [payload for name, payload in self._received if name == event]
        self._received = [(name, payload) for name, payload in self._received if name != event]
        return found

    def call(self, event: str, payload: Any = None) -> Any:
        ack = self.client.emit(event, payload if payload is not None else {}, callback=True)
        self._collect()
        return ack

    def send(self, text: Any) -> Any:
        return self.call("message", {"text": text})

    # A host's room control, as in `tests.support.people.Socket`.
    def kick(self, participant_id: str) -> Any:
        return self.call("kick", {"id": participant_id})

    def lock(self, locked: bool = True) -> Any:
        return self.call("lock", {"locked": locked})

    def promote(self, participant_id: str) -> Any:
        return self.call("promote", {"id": participant_id})

    def step_down(self) -> Any:
        return self.call("step_down")

    def typing(self, on: bool = True) -> Any:
        """Sent as a client sends it, with no ack asked; returns what came back, which must be nothing."""
        answer = self.client.emit("typing", {"on": on})
        self._collect()
        return answer

    @property
    def connected(self) -> bool:
        self._tasks.run()
        return bool(self.client.is_connected())


class Person:
    """One browser: a cookie jar and a source address of its own."""

    def __init__(self, app: Flask, tasks: BackgroundTasks) -> None:
        self.app = app
        self.address = next_loopback_address()
        self.http: FlaskClient = app.test_client()
        self.http.environ_base["REMOTE_ADDR"] = self.address
        self._tasks = tasks

    def post_json(self, path: str, body: Any, **kwargs: Any) -> Answer:
        return Answer(self.http.post(path, json=body, **kwargs))

    def post_raw(self, path: str, data: str | bytes, content_type: str, **kwargs: Any) -> Answer:
        return Answer(self.http.post(path, data=data, content_type=content_type, **kwargs))

    def get(self, path: str, **kwargs: Any) -> Answer:
        return Answer(self.http.get(path, **kwargs))

    def post_form(self, path: str, fields: dict[str, str]) -> Answer:
        """Send the form at `path` as its page would, with the CSRF token that page gave this browser."""
        found = re.search(r'name="csrf_token" value="([^"]+)"', self.get(path).text)
        assert found, f"no form with a CSRF token at {path}"
        return Answer(self.http.post(path, data={"csrf_token": found.group(1), **fields}))

    def create(self, alias: str = "ann", name: str = "room", password: str = "secret", **rules: Any) -> Answer:
        """A standard room; `rules` (kind, purge, ttl, seats) go along as sent."""
        return self.post_json("/api/rooms", {"alias": alias, "name": name, "password": password, **rules})

    def join(self, room_id: str, alias: str = "bob", password: str = "secret") -> Answer:
        return self.post_json(f"/api/rooms/{room_id}/join", {"alias": alias, "password": password})

    def connect(self, room_id: str) -> Socket:
        return self.connect_with_auth({"room": room_id})

    def connect_with_auth(self, auth: Any, origin: str | None = None) -> Socket:
        """Connect with any `auth` payload; raises Refused with the server's reason."""
        headers = {"Origin": origin} if origin else None
        client = TestClient(self.app, socketio, flask_test_client=self.http, auth=auth, headers=headers)
        if not client.is_connected():
            raise Refused(client.refusal or "")
        return Socket(client, self._tasks)


def upkeep(app: Flask) -> None:
    """One tick of the reaper (`ephemeral/events/expiry.py`): what the store's upkeep finds is announced."""
    with app.app_context():
        svc: Services = app.extensions["ephemeral"]
        announce.notices(svc.registry.upkeep())
