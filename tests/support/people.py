"""Test clients: a Person speaks HTTP from its own loopback address and opens sockets."""

from __future__ import annotations

import itertools
import json
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import requests
import socketio
import websocket
from requests.adapters import HTTPAdapter

from ephemeral.protocol import SERVER_EVENTS
from tests.support.files import FileActions, progress_due
from tests.support.message_actions import MessageActions

EVENT_TIMEOUT = 10.0


def loopback_addresses() -> Iterator[str]:
    """127.0.0.2 ... 127.0.0.254, 127.0.1.2, ...: never 127.0.0.1 (the proxies' own), never the same twice."""
    for n in itertools.count():
        block, host = divmod(n, 253)
        yield f"127.{(block >> 8) & 255}.{block & 255}.{host + 2}"


_addresses = loopback_addresses()


def next_loopback_address() -> str:
    """A loopback address no other Person in this run has, so rate limits stay per test."""
    return next(_addresses)


class _SourceAddressAdapter(HTTPAdapter):
    def __init__(self, source: str) -> None:
        self._source = source
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self._source, 0)
        super().init_poolmanager(*args, **kwargs)


class Refused(Exception):
    """The server refused a socket; the message is what its `connect_error` said."""


class Socket(MessageActions, FileActions):
    """A python-socketio client that records every server event in per-event queues and in one ordered log.

    `log` holds (event, payload) in arrival order, acks of `emit_or_closed` included as
    ("ack", ack); `closed` is set once the socket has disconnected.
    """

    def __init__(self, origin: str | None = None, reconnection: bool = False, ca_file: str | None = None) -> None:
        # The WebSocket client sends Origin: <server> unless told otherwise.
        options: dict[str, Any] = {"origin": origin} if origin else {}
        if ca_file:
            options["sslopt"] = {"ca_certs": ca_file}  # a test proxy's own certificate
        self.client = socketio.Client(
            reconnection=reconnection, reconnection_delay=0.2, reconnection_delay_max=1, websocket_extra_options=options
        )
        self._connect_returned = threading.Event()
        self.log: list[tuple[str, Any]] = []
        self.closed = threading.Event()
        self._files: dict[tuple[str, str], int] = {}  # (from, id) -> pieces, of the files offered to this socket
        self._handle_messages_in_order()
        self.queues: dict[str, queue.Queue[Any]] = {
            name: queue.Queue() for name in (*SERVER_EVENTS, "disconnect", "connect_error")
        }
        for name in SERVER_EVENTS:
            self.client.on(name, self._recorder(name))
        self.client.on("disconnect", self._recorder("disconnect"))
        self.client.on("connect_error", self._recorder("connect_error"))

    def _handle_messages_in_order(self) -> None:
        """Record incoming events in the order they arrived, and never miss the end.

        python-engineio hands every message to a thread of its own, so a test could
        see a `message` after the `purged` the server sent before it: here they run
        on the thread that read them (the handlers only record). A socket.io
        DISCONNECT still gets a thread, as handling it waits for the reading
        thread to end, and that thread first waits for `connect()` to return:
        python-socketio ignores a DISCONNECT that comes before, and the socket
        would stay open, silently, with no `disconnect` event.
        """
        eio = self.client.eio
        spawn = eio.start_background_task
        connect = self.client.connect

        def connect_then_release(*args: Any, **kwargs: Any) -> Any:
            self._connect_returned.clear()
            try:
                return connect(*args, **kwargs)
            finally:
                self._connect_returned.set()

        def once_connected(handle: Any, data: Any) -> None:
            self._connect_returned.wait(EVENT_TIMEOUT)
            handle(data)

        def start_background_task(target: Any, *args: Any, **kwargs: Any) -> Any:
            if target is not eio.handlers.get("message"):
                return spawn(target, *args, **kwargs)
            data = args[0]
            if isinstance(data, str) and data.startswith("1"):  # socket.io packet type 1: DISCONNECT
                return spawn(once_connected, target, data)
            target(data)
            return None

        eio.start_background_task = start_background_task
        self.client.connect = connect_then_release

    def _recorder(self, name: str) -> Any:
        def record(*args: Any) -> None:
            payload = args[0] if args else None
            self.log.append((name, payload))
            self.queues[name].put(payload)
            if name in ("file", "file_chunk"):
                self._read(name, payload)
            if name == "disconnect":
                self.closed.set()

        return record

    def _read(self, name: str, payload: dict[str, Any]) -> None:
        """Say how far this socket has read a file, as a page does (`static/js/files/receive.js`): its sender keeps
        only a few pieces ahead of the slowest reader."""
        key = (payload["from"], payload["id"])
        if name == "file":
            self._files[key] = payload["chunks"]
        elif (chunks := self._files.get(key)) and progress_due(payload["index"], chunks):
            self.client.emit("file_progress", {"from": key[0], "id": key[1], "index": payload["index"]})

    def logged(self, event: str) -> list[Any]:
        """Every `event` payload this socket has received, in order (the queues are left alone)."""
        return [payload for name, payload in self.log if name == event]

    def wait(self, event: str, timeout: float = EVENT_TIMEOUT) -> Any:
        """The next `event` payload; fails the test if none arrives in time."""
        try:
            return self.queues[event].get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no {event!r} event within {timeout} s") from None

    def wait_for(self, event: str, predicate: Any, timeout: float = EVENT_TIMEOUT) -> Any:
        """Skip `event` payloads until one satisfies `predicate`."""
        while True:
            payload = self.wait(event, timeout)
            if predicate(payload):
                return payload

    def pending(self, event: str) -> list[Any]:
        items = []
        while True:
            try:
                items.append(self.queues[event].get_nowait())
            except queue.Empty:
                return items

    def call(self, event: str, payload: Any = None, timeout: float = EVENT_TIMEOUT) -> Any:
        return self.client.call(event, payload if payload is not None else {}, timeout=timeout)

    def send(self, text: Any) -> Any:
        return self.call("message", {"text": text})

    # A host's room control (docs/protocol.md, Room control); each returns the ack.
    def kick(self, participant_id: str) -> Any:
        return self.call("kick", {"id": participant_id})

    def lock(self, locked: bool = True) -> Any:
        return self.call("lock", {"locked": locked})

    def promote(self, participant_id: str) -> Any:
        return self.call("promote", {"id": participant_id})

    def step_down(self) -> Any:
        return self.call("step_down")

    def typing(self, on: bool = True) -> None:
        self.client.emit("typing", {"on": on})

    def emit_or_closed(self, event: str, payload: Any, timeout: float = EVENT_TIMEOUT) -> Any:
        """Emit and wait for the ack, or for the socket to close first (then None): a racing call.

        `call` would wait out its whole timeout for an ack that a closing socket never brings.
        """
        answered = threading.Event()
        acks: list[Any] = []

        def on_ack(*args: Any) -> None:
            acks.append(args[0] if args else None)
            self.log.append(("ack", acks[0]))
            answered.set()

        try:
            self.client.emit(event, payload, callback=on_ack)
        except socketio.exceptions.BadNamespaceError:  # closed before the emit
            return None
        deadline = time.monotonic() + timeout
        while not answered.is_set() and not self.closed.is_set():
            if time.monotonic() > deadline:
                raise AssertionError(f"no ack to {event!r} and no disconnect within {timeout} s")
            answered.wait(0.02)  # wakes on the ack; the disconnect is looked at between waits
        return acks[0] if acks else None

    def close(self) -> None:
        self.client.disconnect()
        self.client.shutdown()  # a client that is reconnecting would retry for ever


class Person:
    """One browser's worth of state: a cookie jar and a loopback source address."""

    def __init__(self, base_url: str, address: str | None = None) -> None:
        self.base_url = base_url
        self.address = address or next_loopback_address()
        self.http = requests.Session()
        adapter = _SourceAddressAdapter(self.address)
        self.http.mount("http://", adapter)
        self.http.mount("https://", adapter)  # through a TLS proxy in front of the server
        self.sockets: list[Socket] = []

    def post_json(self, path: str, body: Any, **kwargs: Any) -> requests.Response:
        return self.http.post(self.base_url + path, json=body, timeout=EVENT_TIMEOUT, **kwargs)

    def create(
        self, alias: str = "ann", name: str = "room", password: str = "secret", **rules: Any
    ) -> requests.Response:
        """A standard room; `rules` (kind, purge, ttl, seats) go along as sent."""
        return self.post_json("/api/rooms", {"alias": alias, "name": name, "password": password, **rules})

    def join(self, room_id: str, alias: str = "bob", password: str = "secret") -> requests.Response:
        return self.post_json(f"/api/rooms/{room_id}/join", {"alias": alias, "password": password})

    def form_token(self, path: str = "/") -> str:
        """The CSRF token of the form on the page at `path`; the session cookie that matches it is kept."""
        page = self.http.get(self.base_url + path, timeout=EVENT_TIMEOUT).text
        match = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert match, f"no form with a CSRF token at {path}"
        return match.group(1)

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)

    def connect(
        self,
        room_id: str,
        headers: dict[str, str] | None = None,
        cookie: str | None = None,
        *,
        url: str | None = None,
        reconnection: bool = False,
    ) -> Socket:
        """Open a socket for `room_id` over WebSocket (to another process at `url`); raises Refused if refused."""
        return self.connect_with_auth({"room": room_id}, headers, cookie, url=url, reconnection=reconnection)

    def connect_with_auth(
        self,
        auth: Any,
        headers: dict[str, str] | None = None,
        cookie: str | None = None,
        origin: str | None = None,
        *,
        url: str | None = None,
        reconnection: bool = False,
    ) -> Socket:
        """Connect with any `auth` payload, optionally claiming another Origin."""
        ca_file = self.http.verify if isinstance(self.http.verify, str) else None
        sock = Socket(origin, reconnection, ca_file)
        try:
            sock.client.connect(
                url or self.base_url,
                headers={"Cookie": self.cookie_header() if cookie is None else cookie, **(headers or {})},
                auth=auth,
                transports=["websocket"],
                wait_timeout=EVENT_TIMEOUT,
            )
        except socketio.exceptions.ConnectionError:
            reasons = sock.pending("connect_error")
            raise Refused(", ".join(str(r.get("message") if isinstance(r, dict) else r) for r in reasons)) from None
        self.sockets.append(sock)
        return sock

    def close(self) -> None:
        for sock in self.sockets:
            sock.close()
        self.http.close()


def raw_socket(person: Person, room_id: str, **options: Any) -> websocket.WebSocket:
    """A member speaking Engine.IO/Socket.IO by hand, connected and welcomed, for frames no client would send.

    `options` go to `websocket.create_connection` (a small receive buffer: `sockopt`)."""
    ws = websocket.create_connection(
        person.base_url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket",
        header=[f"Cookie: {person.cookie_header()}"],
        timeout=EVENT_TIMEOUT,
        **options,
    )
    assert ws.recv().startswith("0{")
    ws.send("40" + json.dumps({"room": room_id}))
    assert (frame := ws.recv()).startswith("40"), frame  # the CONNECT acknowledgement, then `welcome`
    assert (frame := ws.recv()).startswith('42["welcome"'), frame
    return ws


_EVENT_FRAME = re.compile(r"42(\d*)(\[.*)", re.DOTALL)


def raw_events_until(
    ws: websocket.WebSocket, last: Callable[[str, Any], bool], timeout: float = 3 * EVENT_TIMEOUT
) -> list[tuple[str, Any]]:
    """Every frame a raw member reads, as (event, payload), up to and including the first that `last` accepts.

    Sees what the python-socketio client hides: it hands an event named `connect`
    or `disconnect` to its own handlers, never to a catch-all. Pings are answered
    (so a quiet connection stays open until `timeout`); a frame that is not an
    event (an ack, say) is kept whole, as ("frame", text).
    """
    seen: list[tuple[str, Any]] = []
    deadline = time.monotonic() + timeout
    while True:
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s; read {seen[-5:]}")
        frame = ws.recv()
        if frame == "2":
            ws.send("3")
            continue
        event = _EVENT_FRAME.fullmatch(frame) if isinstance(frame, str) else None
        if event is None:
            seen.append(("frame", frame))
        else:
            name, *args = json.loads(event.group(2))
            seen.append((name, args[0] if args else None))
        if last(*seen[-1]):
            return seen
