"""The WebSocket transport follows the protocols byte for byte: closing, upgrading, the first packets.

A raw client on a plain socket reads every byte the server sends until the
server ends the connection, and all of it must parse as WebSocket frames: a
silent peer gets a close frame with code 1000 and then the end of the
connection; no session, however it ends, gets an HTTP response written into
it; a session has one WebSocket, and a poll sent after the upgrade packet is
refused, as the Engine.IO protocol's own test suite checks; a connecting
client reads the CONNECT acknowledgement before `welcome`.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import struct
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.conftest import ASYNC_MODES
from tests.support.people import EVENT_TIMEOUT, Person, Socket
from tests.support.server import RunningServer, running_server

# A silent peer is closed after ping interval + timeout: 2 s here.
QUICK_PINGS = {"EPHEMERAL_PING_INTERVAL": "1", "EPHEMERAL_PING_TIMEOUT": "1"}
READ_TIMEOUT = 20.0
TEXT, CLOSE = 0x1, 0x8
NORMAL_CLOSURE = 1000


class NotFrames(AssertionError):
    """Bytes on a WebSocket connection that are not a server's WebSocket frame."""


def split_frames(data: bytes) -> tuple[list[tuple[int, bytes]], int]:
    """The whole server frames at the start of `data` (opcode, payload), and how many bytes they take.

    A server frame is unmasked, has no reserved bits (no extension is
    negotiated) and a known opcode; a control frame is final and short. An HTTP
    status line fails all of that from its first byte.
    """
    found, at = [], 0
    while len(data) - at >= 2:
        first, second = data[at], data[at + 1]
        opcode, length, start = first & 0x0F, second & 0x7F, at + 2
        if first & 0x70 or second & 0x80 or opcode not in (0, 1, 2, 8, 9, 10):
            raise NotFrames(f"not a WebSocket frame at byte {at}: {data[at : at + 60]!r}")
        if opcode >= 8 and (not first & 0x80 or length > 125):
            raise NotFrames(f"not a control frame at byte {at}: {data[at : at + 60]!r}")
        if length >= 126:
            size = 2 if length == 126 else 8
            if len(data) < start + size:
                break
            length = int.from_bytes(data[start : start + size], "big")
            start += size
        if len(data) < start + length:
            break
        found.append((opcode, data[start : start + length]))
        at = start + length
    return found, at


def frames(data: bytes) -> list[tuple[int, bytes]]:
    """Every frame in `data`, which must hold whole frames and nothing else."""
    found, used = split_frames(data)
    if used < len(data):
        raise NotFrames(f"a partial frame or other bytes at the end: {data[used : used + 60]!r}")
    return found


def close_code(frame: tuple[int, bytes]) -> int | None:
    opcode, payload = frame
    assert opcode == CLOSE, frame
    return int.from_bytes(payload[:2], "big") if payload else None


class RawWebSocket:
    """A WebSocket client on a plain socket: it sends what the test says and keeps every byte it receives."""

    def __init__(self, port: int, query: str, headers: Sequence[str] = ()) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=READ_TIMEOUT)
        # As browsers and socket.io clients do: each frame leaves when sent, not held back for an earlier one's ACK.
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        key = base64.b64encode(os.urandom(16)).decode()
        request = [
            f"GET /socket.io/?EIO=4&{query} HTTP/1.1",
            f"Host: 127.0.0.1:{port}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
            *headers,
        ]
        self.sock.sendall(("\r\n".join(request) + "\r\n\r\n").encode())
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = self.sock.recv(4096)
            if not chunk:
                break
            received += chunk
        head, _, self.buffer = received.partition(b"\r\n\r\n")
        self.headers = head.decode("latin-1").split("\r\n")
        self.status = self.headers[0]

    @property
    def accepted(self) -> bool:
        return self.status.startswith("HTTP/1.1 101")

    def _send(self, opcode: int, payload: bytes) -> None:
        mask = os.urandom(4)
        length = len(payload)
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | length) if length < 126 else b""
        if not head:
            head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
        self.sock.sendall(head + mask + bytes(byte ^ mask[n % 4] for n, byte in enumerate(payload)))

    def send_text(self, text: str) -> None:
        self._send(TEXT, text.encode())

    def send_close(self, code: int = NORMAL_CLOSURE) -> None:
        self._send(CLOSE, code.to_bytes(2, "big"))

    def next_text(self) -> str:
        """The next frame, which must be a text frame."""
        while True:
            found, _used = split_frames(self.buffer)
            if found:
                opcode, payload = found[0]
                self.buffer = self.buffer[_first_frame_size(self.buffer) :]
                assert opcode == TEXT, (opcode, payload)
                return payload.decode()
            chunk = self.sock.recv(65536)
            assert chunk, "the server closed the connection"
            self.buffer += chunk

    def read_to_end(self, answer_close: bool) -> tuple[bytes, str]:
        """Every byte until the server ends the connection, and how it ended ("eof" or "reset").

        With `answer_close`, a close frame is answered as clients do; without,
        this peer stays silent whatever arrives.
        """
        data, self.buffer, answered = self.buffer, b"", False
        while True:
            if answer_close and not answered and any(opcode == CLOSE for opcode, _ in split_frames(data)[0]):
                self.send_close()
                answered = True
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:
                return data, "reset"
            if not chunk:
                return data, "eof"
            data += chunk

    def close(self) -> None:
        self.sock.close()


def _first_frame_size(data: bytes) -> int:
    length = data[1] & 0x7F
    extra = 2 if length == 126 else 8 if length == 127 else 0
    if extra:
        length = int.from_bytes(data[2 : 2 + extra], "big")
    return 2 + extra + length


# -- Engine.IO by hand ---------------------------------------------------------------------


def polling_handshake(http: requests.Session, url: str) -> str:
    """Open an Engine.IO session over long-polling; its session id."""
    opened = http.get(f"{url}/socket.io/?EIO=4&transport=polling", timeout=EVENT_TIMEOUT)
    assert opened.status_code == 200 and opened.text.startswith("0{"), opened.text
    sid: str = json.loads(opened.text[1:])["sid"]
    return sid


def poll(http: requests.Session, url: str, sid: str) -> requests.Response:
    return http.get(f"{url}/socket.io/?EIO=4&transport=polling&sid={sid}", timeout=EVENT_TIMEOUT)


def probed(srv: RunningServer, sid: str) -> RawWebSocket:
    """A WebSocket for session `sid` whose probe the server answered: the upgrade is under way."""
    ws = RawWebSocket(srv.port, f"transport=websocket&sid={sid}")
    assert ws.accepted, ws.status
    ws.send_text("2probe")
    assert ws.next_text() == "3probe"
    return ws


def upgraded(srv: RunningServer, sid: str) -> RawWebSocket:
    """Session `sid` upgraded to a WebSocket, and the server seen to have taken the upgrade packet."""
    ws = probed(srv, sid)
    ws.send_text("5")
    # The server starts writing to the WebSocket only once upgraded; first the
    # no-op that the probe queued to end a pending poll.
    assert ws.next_text() == "6"
    return ws


def assert_closed_normally(data: bytes, ending: str) -> list[tuple[int, bytes]]:
    """The server sent frames only, a last close frame with code 1000, then ended the connection."""
    received = frames(data)
    assert received, "no close frame"
    assert close_code(received[-1]) == NORMAL_CLOSURE, received[-1]
    assert all(opcode == TEXT for opcode, _ in received[:-1]), received
    assert ending == "eof", ending
    return received


# -- silence -------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=ASYNC_MODES)
def quick_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server of one async mode that gives up on a silent peer after 2 s."""
    with running_server(tmp_path_factory.mktemp("quick"), request.param, QUICK_PINGS) as srv:
        yield srv


def _fall_silent(ws: RawWebSocket) -> tuple[bytes, str]:
    return ws.read_to_end(answer_close=False)


def test_a_silent_peer_gets_a_normal_close_frame_then_the_end_of_the_connection(quick_server):
    """One session opened on a WebSocket and one upgraded from long-polling stop answering pings."""
    first = RawWebSocket(quick_server.port, "transport=websocket")
    assert first.accepted and first.next_text().startswith("0{")
    http = requests.Session()
    second = upgraded(quick_server, polling_handshake(http, quick_server.url))
    with ThreadPoolExecutor(2) as pool:
        endings = list(pool.map(_fall_silent, [first, second]))
    for ws, (data, ending) in zip([first, second], endings, strict=True):
        received = assert_closed_normally(data, ending)
        assert (TEXT, b"2") in received  # the pings it did not answer
        ws.close()
    http.close()
    assert "Traceback" not in quick_server.output()


# -- however a session ends, nothing but frames ---------------------------------------------


def _member_on_polling(person: Person, room_id: str) -> str:
    """A Socket.IO connection over long-polling, welcomed: its Engine.IO session id."""
    url = person.base_url
    sid = polling_handshake(person.http, url)
    sent = person.http.post(
        f"{url}/socket.io/?EIO=4&transport=polling&sid={sid}",
        data="40" + json.dumps({"room": room_id}),
        headers={"Content-Type": "text/plain;charset=UTF-8"},
        timeout=EVENT_TIMEOUT,
    )
    assert sent.status_code == 200, sent.text
    received = ""
    while '42["welcome"' not in received:
        answer = poll(person.http, url, sid)
        assert answer.status_code == 200, answer.text
        received += answer.text + "\x1e"
    return sid


ENDINGS = ["the client closes", "a purge", "no probe", "a broken probe"]


@pytest.mark.parametrize("ending", ENDINGS)
def test_after_an_upgrade_only_websocket_frames_reach_the_connection(server, people, ending):
    """Upgraded (or upgrading) sessions end every way there is; every byte after the handshake is a frame."""
    ann = people()
    room_id = ann.create(alias="ann").json()["room_id"]
    sid = _member_on_polling(ann, room_id)
    if ending in ("no probe", "a broken probe"):
        ws = RawWebSocket(server.port, f"transport=websocket&sid={sid}")
        assert ws.accepted, ws.status
        ws.send_text("4hello" if ending == "no probe" else "")  # an empty packet made engine.io raise
    else:
        ws = upgraded(server, sid)
        if ending == "a purge":
            ws.send_text('421["purge",{}]')
            texts = [ws.next_text()]
            while texts[-1] != "41":  # the server's DISCONNECT, after which clients close
                texts.append(ws.next_text())
            assert sorted(text[:4] for text in texts) == ["41", '42["', "431["], texts  # purged and the ack
        ws.send_close()
    data, end = ws.read_to_end(answer_close=ending in ("no probe", "a broken probe"))
    assert_closed_normally(data, end)
    ws.close()
    assert server.alive()
    assert "Traceback" not in server.output()


# -- one WebSocket per session, and no poll after the upgrade ----------------------------------


def test_a_second_websocket_during_an_upgrade_is_refused(server):
    http = requests.Session()
    sid = polling_handshake(http, server.url)
    ws = probed(server, sid)
    second = RawWebSocket(server.port, f"transport=websocket&sid={sid}")
    assert second.status.startswith("HTTP/1.1 400"), second.status
    second.close()
    ws.send_text("5")
    assert ws.next_text() == "6"  # the first one completes the upgrade
    ws.close()
    http.close()


@pytest.mark.parametrize("probe_answered", [True, False], ids=["probe answered", "upgrade packet right after"])
def test_after_the_upgrade_packet_a_poll_and_a_second_websocket_are_refused(server, probe_answered):
    """As the Engine.IO protocol test suite does it: nothing waits for the server after the upgrade packet."""
    http = requests.Session()
    sid = polling_handshake(http, server.url)
    ws = RawWebSocket(server.port, f"transport=websocket&sid={sid}")
    ws.send_text("2probe")
    if probe_answered:
        assert ws.next_text() == "3probe"
    ws.send_text("5")
    refused = poll(http, server.url, sid)
    assert refused.status_code == 400, refused.text
    second = RawWebSocket(server.port, f"transport=websocket&sid={sid}")
    assert second.status.startswith("HTTP/1.1 400"), second.status
    second.close()
    if not probe_answered:
        assert ws.next_text() == "3probe"
    assert ws.next_text() == "6"  # the session goes on over its WebSocket
    ws.close()
    http.close()


def test_a_poll_between_the_probe_and_the_upgrade_packet_ends_with_a_noop(server):
    """The protocol's pending poll: answered at once with a no-op, and the upgrade then completes."""
    http = requests.Session()
    sid = polling_handshake(http, server.url)
    ws = probed(server, sid)
    pending = poll(http, server.url, sid)
    assert (pending.status_code, pending.text) == (200, "6")
    ws.send_text("5")
    assert ws.next_text() == "6"
    ws.close()
    http.close()


# -- the first packets a connecting client reads -------------------------------------------------


def test_the_connect_acknowledgement_comes_first_then_welcome(server, people):
    ann = people()
    room_id = ann.create(alias="ann").json()["room_id"]
    ws = RawWebSocket(server.port, "transport=websocket", [f"Cookie: {ann.cookie_header()}"])
    assert ws.next_text().startswith("0{")
    ws.send_text("40" + json.dumps({"room": room_id}))
    assert ws.next_text().startswith('40{"sid":')
    welcome = ws.next_text()
    assert welcome.startswith('42["welcome",'), welcome
    assert json.loads(welcome[2:])[1]["alias"] == "ann"
    ws.close()


def test_the_python_client_fires_connect_before_welcome(server, people):
    """python-socketio handles each packet in arrival order here (see `Socket`)."""
    ann = people()
    room_id = ann.create(alias="ann").json()["room_id"]
    sock = Socket()
    seen: list[str] = []
    echoed = threading.Event()
    sock.client.on("connect", lambda: seen.append("connect"))
    for event in ("welcome", "presence"):
        sock.client.on(event, lambda *_, event=event: seen.append(event))
    sock.client.on("message", lambda *_: (seen.append("message"), echoed.set()))
    sock.client.connect(
        server.url,
        headers={"Cookie": ann.cookie_header()},
        auth={"room": room_id},
        transports=["websocket"],
        wait_timeout=EVENT_TIMEOUT,
    )
    try:
        # Broadcast through the room (and Redis), so it comes after the connect's own presence.
        assert sock.call("message", {"text": "after the greeting"})["ok"]
        assert echoed.wait(EVENT_TIMEOUT)
        assert seen == ["connect", "welcome", "presence", "message"], seen
    finally:
        sock.close()


# -- compression -------------------------------------------------------------------------


def test_an_offer_of_compression_is_declined_and_every_frame_is_plain(server):
    """Browsers offer permessage-deflate; the server negotiates no extension, so frames carry no RSV1 bit and no
    compressed payload (a compression context shared by everyone's messages would leak through frame sizes)."""
    ws = RawWebSocket(
        server.port,
        "transport=websocket",
        ["Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"],
    )
    try:
        assert ws.accepted, ws.status
        assert not [line for line in ws.headers if line.lower().startswith("sec-websocket-extensions")], ws.headers
        assert ws.next_text().startswith('0{"sid":')  # split_frames refuses a frame with a reserved bit set
    finally:
        ws.close()
