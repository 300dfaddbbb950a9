"""A member of a server-blind room, in Python: what the web page does, for tests that need a client they steer.

The crypto is `ephemeral_client.crypto`, the page's own held to the same vectors;
HTTP goes through a Person (its own cookie jar and loopback address); the socket
is spoken by hand (`Wire`), so a test sees every frame the server sent, exactly as
it came, and can send envelopes no page would.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests
import websocket
from ephemeral_client import crypto

from tests.support.people import EVENT_TIMEOUT, Person

_EVENT = re.compile(r"42(\[.*\])", re.DOTALL)
_ACK = re.compile(r"43(\d+)(\[.*\])", re.DOTALL)


@dataclass(frozen=True)
class RoomKeys:
    """Everything a member knows that the server must not: the password, the link secret and what they make."""

    password: str
    link_secret: bytes
    salt: bytes
    iter: int
    verifier: str
    message_key: bytes = field(repr=False)

    @classmethod
    def derive(cls, password: str, link_secret: bytes, salt: bytes, iter: int = crypto.ITER_MIN) -> RoomKeys:
        keys = crypto.derive_keys(password, salt, iter, link_secret)
        return cls(password, link_secret, salt, iter, keys.verifier, keys.message_key)

    @classmethod
    def new(cls, password: str, iter: int = crypto.ITER_MIN) -> RoomKeys:
        """A creator's: a fresh link secret and salt."""
        return cls.derive(password, crypto.new_link_secret(), crypto.new_salt(), iter)

    def kdf(self) -> dict[str, Any]:
        return {"alg": "pbkdf2-sha256", "iter": self.iter, "salt": crypto.b64url_encode(self.salt)}

    @property
    def fragment(self) -> str:
        """The link's `#k=…`, which a browser never sends to a server."""
        return "#k=" + crypto.b64url_encode(self.link_secret)

    def name_ct(self, name: str) -> str:
        return crypto.seal_name(self.message_key, self.salt, name)


def create(person: Person, alias: str, name: str, keys: RoomKeys) -> requests.Response:
    """`POST /api/rooms` for a server-blind room: no password and no name leave the client."""
    body = {"alias": alias, "mode": "e2e", "kdf": keys.kdf(), "verifier": keys.verifier, "name_ct": keys.name_ct(name)}
    return person.post_json("/api/rooms", body)


def door(person: Person, room_id: str) -> requests.Response:
    """`GET /api/rooms/<id>`: the room's mode and, for a server-blind one, its key parameters."""
    return person.http.get(f"{person.base_url}/api/rooms/{room_id}", timeout=EVENT_TIMEOUT)


def join(person: Person, room_id: str, alias: str, keys: RoomKeys) -> requests.Response:
    return person.post_json(f"/api/rooms/{room_id}/join", {"alias": alias, "verifier": keys.verifier})


def keys_from_door(person: Person, room_id: str, password: str, link_secret: bytes) -> RoomKeys:
    """What a joiner holding the link and the password derives, from the parameters the room gives out."""
    answer = door(person, room_id)
    assert answer.status_code == 200, answer.text
    kdf = answer.json()["kdf"]
    return RoomKeys.derive(password, link_secret, crypto.b64url_decode(kdf["salt"]), kdf["iter"])


class Wire:
    """A Socket.IO connection spoken by hand that keeps every frame the server sent, in order, as text.

    A reader thread answers pings and records; `call` sends an event and waits for its ack.
    """

    def __init__(self, person: Person, room_id: str) -> None:
        self.frames: list[str] = []
        self.closed = threading.Event()
        self._changed = threading.Condition()
        self._next_id = 0
        self.ws = websocket.create_connection(
            person.base_url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket",
            header=[f"Cookie: {person.cookie_header()}"],
            timeout=EVENT_TIMEOUT,
        )
        opened = self.ws.recv()
        assert isinstance(opened, str) and opened.startswith("0{"), opened
        self.frames.append(opened)
        self.ws.settimeout(None)
        threading.Thread(target=self._read, daemon=True).start()
        self.ws.send("40" + json.dumps({"room": room_id}))

    def _read(self) -> None:
        try:
            while True:
                frame = self.ws.recv()
                if not self.ws.connected:
                    return
                if frame == "2":
                    self.ws.send("3")
                with self._changed:
                    self.frames.append(frame if isinstance(frame, str) else frame.decode("latin-1"))
                    self._changed.notify_all()
        except (websocket.WebSocketException, OSError):
            return
        finally:
            self.closed.set()
            with self._changed:
                self._changed.notify_all()

    def events(self, name: str) -> list[Any]:
        """Payloads of every `name` event received so far."""
        with self._changed:
            frames = list(self.frames)
        found = []
        for frame in frames:
            if (match := _EVENT.fullmatch(frame)) is not None:
                event, *args = json.loads(match.group(1))
                if event == name:
                    found.append(args[0] if args else None)
        return found

    def wait_events(self, name: str, count: int, timeout: float = 3 * EVENT_TIMEOUT) -> list[Any]:
        """The first `count` `name` payloads, once that many have arrived."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(found := self.events(name)) < count:
                left = deadline - time.monotonic()
                if left <= 0 or self.closed.is_set():
                    raise AssertionError(f"{len(found)} of {count} {name!r} events; last frames {self.frames[-3:]}")
                self._changed.wait(left)
        return found[:count]

    def call(self, event: str, payload: Any, timeout: float = EVENT_TIMEOUT) -> Any:
        """Emit with an ack id and return the ack's payload."""
        with self._changed:
            self._next_id += 1
            ack_id = str(self._next_id)
        self.ws.send(f"42{ack_id}" + json.dumps([event, payload]))
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for frame in self.frames:
                    if (match := _ACK.fullmatch(frame)) is not None and match.group(1) == ack_id:
                        return json.loads(match.group(2))[0]
                left = deadline - time.monotonic()
                if left <= 0 or self.closed.is_set():
                    raise AssertionError(f"no ack to {event!r}; last frames {self.frames[-3:]}")
                self._changed.wait(left)

    def close(self) -> None:
        self.ws.close()


@dataclass
class Member:
    """One page's worth of a server-blind room: keys, a page-load id (`sid`) and its counter, a wire."""

    person: Person
    room_id: str
    keys: RoomKeys
    wire: Wire
    participant_id: str
    alias: str
    sid: bytes = field(default_factory=crypto.new_sid)
    n: int = 0

    @classmethod
    def connect(cls, person: Person, room_id: str, keys: RoomKeys) -> Member:
        """Open the socket and wait for `welcome`, which says who this member is."""
        wire = Wire(person, room_id)
        [welcome] = wire.wait_events("welcome", 1)
        return cls(person, room_id, keys, wire, welcome["you"]["id"], welcome["you"]["alias"])

    def seal(
        self, text: str, *, room_id: str | None = None, sender: str | None = None, ts: int | None = None
    ) -> dict[str, Any]:
        """The next envelope of this page load; `room_id`, `sender` or `ts` other than its own only to forge one."""
        envelope = crypto.seal_message(
            self.keys.message_key,
            room_id or self.room_id,
            sender or self.participant_id,
            self.sid,
            self.n,
            {"a": self.alias, "t": text, "ts": int(time.time() * 1000) if ts is None else ts},
        )
        self.n += 1
        return envelope

    def send(self, text: str) -> Any:
        """Seal `text` (HTML, as the page's own Markdown would make it, or anything at all) and send it."""
        return self.wire.call("message", {"e2e": self.seal(text)})

    def seal_edit(self, message_id: str, text: str, *, sender: str | None = None) -> dict[str, Any]:
        """The next envelope of this page load (messages and edits share the counter) as the new text of message
        `message_id`; `sender` other than its own only to forge one."""
        envelope = crypto.seal_edit(
            self.keys.message_key,
            self.room_id,
            sender or self.participant_id,
            message_id,
            self.sid,
            self.n,
            {"a": self.alias, "t": text, "ts": int(time.time() * 1000)},
        )
        self.n += 1
        return envelope

    def edit(self, message_id: str, text: str) -> Any:
        """Seal `text` as the new text of this member's message `message_id` and send the `edit`."""
        return self.wire.call("edit", {"id": message_id, "e2e": self.seal_edit(message_id, text)})

    def opened(self, count: int) -> list[dict[str, Any]]:
        """The first `count` messages this member received, opened: `{"a", "t", "ts"}` each."""
        return [
            crypto.open_message(self.keys.message_key, self.room_id, relayed["from"], relayed["e2e"])
            for relayed in self.wire.wait_events("message", count)
        ]

    def opened_edits(self, count: int) -> list[dict[str, Any]]:
        """The first `count` edits this member received, each opened for its message id and the author named."""
        return [
            crypto.open_edit(self.keys.message_key, self.room_id, relayed["from"], relayed["id"], relayed["e2e"])
            for relayed in self.wire.wait_events("edited", count)
        ]

    def close(self) -> None:
        self.wire.close()
