"""Privacy when things go wrong: forced internal errors, files on disk, and headers on every answer.

A server started with EPHEMERAL_TEST_HOOKS=1 offers `POST /_test/raise`, the
Socket.IO event `_test_raise` (both fail with the submitted text in the
exception message) and `GET /_test/stats`. Markers are made at run time, so
this file's own source never contains them.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import websocket

from tests.support.people import Person, raw_events_until, raw_socket
from tests.support.server import ROOT, RunningServer, start_server

HOOKS = {"EPHEMERAL_TEST_HOOKS": "1"}
GENERIC_ACK = {"ok": False, "error": "internal", "message": "Something went wrong."}
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: blob:; media-src https:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; object-src 'none'"
)
SKIPPED_DIRS = {".venv", ".git"}


def marker(kind: str) -> str:
    return f"zq{secrets.token_hex(6)}{kind}"


@dataclass
class Hooked:
    server: RunningServer
    tmpdir: Path


@pytest.fixture(scope="module", params=["gevent", "eventlet"])
def hooked(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hooked]:
    """A server with the test hooks on and a TMPDIR of its own."""
    tmpdir = tmp_path_factory.mktemp("server-tmpdir")
    server = start_server(tmp_path_factory.mktemp("hooked"), request.param, {**HOOKS, "TMPDIR": str(tmpdir)})
    yield Hooked(server, tmpdir)
    server.stop()


def _no_ack_after_barrier(sock, event: str, payload: object) -> bool:
    """Emit `event`; True if no ack came back by the time a later message has made the round trip."""
    acked = threading.Event()
    sock.client.emit(event, payload, callback=lambda *_: acked.set())
    assert sock.send("barrier")["ok"]
    sock.wait_for("message", lambda m: m["html"] == "<p>barrier</p>")
    return not acked.wait(0.5)


# -- the hooks exist only when asked for ---------------------------------------------


def test_hooks_are_off_by_default(people, server):
    person = people()
    assert person.http.post(server.url + "/_test/raise", data="x", timeout=10).status_code == 404
    assert person.http.get(server.url + "/_test/stats", timeout=10).status_code == 404
    sock = person.connect(person.create().json()["room_id"])
    sock.wait("welcome")
    assert _no_ack_after_barrier(sock, "_test_raise", {"text": "x"})


def test_stats_count_hashes_limits_and_rooms(hooked):
    srv = hooked.server
    stats = lambda: requests.get(srv.url + "/_test/stats", timeout=10).json()  # noqa: E731
    first = stats()
    assert set(first) == {"hashes_run", "rate_limit_keys", "live_rooms", "open_sockets", "frozen_objects"}
    assert set(first["rate_limit_keys"]) == {
        "wrong_password_by_address",
        "wrong_password_by_room",
        "create_by_address",
        "messages_by_participant",
        "reports_by_address",
        "typing_by_participant",
        "file_progress_by_participant",
    }
    room_id = Person(srv.url).create().json()["room_id"]
    assert Person(srv.url).join(room_id, password="wrong").status_code == 403
    second = stats()
    assert second["hashes_run"] == first["hashes_run"] + 2
    assert second["live_rooms"] == first["live_rooms"] + 1
    grew = {name: second["rate_limit_keys"][name] - count for name, count in first["rate_limit_keys"].items()}
    assert grew == {
        "wrong_password_by_address": 1,
        "wrong_password_by_room": 1,
        "create_by_address": 1,
        "messages_by_participant": 0,
        "reports_by_address": 0,
        "typing_by_participant": 0,
        "file_progress_by_participant": 0,
    }


# -- forced internal errors are generic and quiet -------------------------------------


def test_forced_request_error_is_a_bare_500(hooked):
    srv = hooked.server
    secret = marker("request")
    response = requests.post(srv.url + "/_test/raise", data=secret.encode(), timeout=10)
    assert response.status_code == 500
    assert secret not in response.text and "ForcedFailure" not in response.text
    assert "Something went wrong" in response.text
    assert srv.alive()
    assert requests.get(srv.url + "/healthz", timeout=10).status_code == 200
    assert secret not in srv.output()
    assert "unhandled ForcedFailure in a request" in srv.output()  # the failure was logged, as a kind


def test_forced_event_error_is_a_generic_ack(hooked):
    srv = hooked.server
    secret = marker("event")
    ann, bob = Person(srv.url), Person(srv.url)
    room_id = ann.create(alias="ann").json()["room_id"]
    assert bob.join(room_id, alias="bob").status_code == 200
    ann_socket, bob_socket = ann.connect(room_id), bob.connect(room_id)
    ann_socket.wait("welcome")
    bob_socket.wait("welcome")
    for payload in ({"text": secret}, secret, [secret]):
        assert ann_socket.call("_test_raise", payload) == GENERIC_ACK
    assert ann_socket.send("after the failure")["ok"]  # the failing socket goes on
    assert bob_socket.wait_for("message", lambda m: m["html"] == "<p>after the failure</p>")["alias"] == "ann"
    assert secret not in srv.output()
    assert "unhandled ForcedFailure in event raise_in_event" in srv.output()
    ann.close()
    bob.close()


# -- nothing reaches the disk --------------------------------------------------------


def _files_containing(root: Path, needles: list[bytes]) -> list[str]:
    found = []
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = [d for d in subdirs if d not in SKIPPED_DIRS]
        for name in files:
            path = Path(directory, name)
            try:
                content = path.read_bytes()
            except OSError:
                continue  # vanished (another process's temporary file) or unreadable
            found += [f"{path}: {needle.decode()}" for needle in needles if needle in content]
    return found


# Werkzeug spools a file part past 500 KiB to a temporary file. The body limit (32 KiB) refuses such
# an upload before any part is parsed: 400, where a parsed form without its CSRF token would get 403.
SPOOLED_BYTES = 600 * 1024
REFUSED_LINE = re.compile(rb"^HTTP/1\.[01] (4\d\d|505) |Error code: (4\d\d|505)\b")


def _multipart(boundary: str, content: str) -> Iterator[bytes]:
    """A file upload sent in chunks, with no Content-Length: the limit must act while reading."""
    yield f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="f.txt"\r\n\r\n'.encode()
    data = content.encode()
    for start in range(0, len(data), 64 * 1024):
        yield data[start : start + 64 * 1024]
    yield f"\r\n--{boundary}--\r\n".encode()


def _raw_ack(ws: websocket.WebSocket, number: int) -> Any:
    """The ack to a raw member's event `number`; whatever the room sent before it is passed over."""
    prefix = f"43{number}["
    frame = raw_events_until(ws, lambda name, text: name == "frame" and text.startswith(prefix))[-1][1]
    return json.loads(frame[len(prefix) - 1 :])[0]


def _closed_by_server(ws: websocket.WebSocket) -> bool:
    """After a frame past the limit: True once the server ends the connection, False if it acks the next event."""
    with contextlib.suppress(BrokenPipeError, ConnectionResetError, websocket.WebSocketConnectionClosedException):
        ws.send("423" + json.dumps(["message", {"text": "after the big frame"}]))
    try:
        ended = raw_events_until(ws, lambda name, text: name == "frame" and (text == "" or text.startswith("433[")))
    except (websocket.WebSocketConnectionClosedException, ConnectionError):
        return True
    return ended[-1][1] == ""  # websocket-client reads a close frame as ""


def test_a_full_session_leaves_no_marker_on_disk_or_in_output(hooked):
    """Every marker reaches the code it stands for, shown by its answer, and none is written anywhere."""
    srv = hooked.server
    kinds = ("alias", "bob", "name", "password", "message", "form", "upload", "frame", "badframe", "bigframe", "wire")
    marks = {kind: marker(kind) for kind in kinds}
    ann, bob, carol = Person(srv.url), Person(srv.url), Person(srv.url)
    room_id = ann.create(alias=marks["alias"], name=marks["name"], password=marks["password"]).json()["room_id"]
    assert bob.join(room_id, alias=marks["bob"], password=marks["password"]).status_code == 200
    assert bob.join(room_id, alias=marks["bob"], password=marks["password"] + "x").status_code == 403
    assert Person(srv.url).join(room_id, alias=marks["alias"], password=marks["password"]).status_code == 409
    big = json.dumps({"alias": marks["alias"], "name": marks["name"], "password": marks["password"] * 5_000})
    oversized = ann.http.post(srv.url + "/api/rooms", data=big, headers={"Content-Type": "application/json"})
    assert oversized.status_code == 400
    # A form post with a file in it, under the body limit: parsed (the file part in memory), and carol is in.
    join_path = f"/r/{room_id}"
    form = {
        "csrf_token": (None, carol.form_token(join_path)),
        "alias": (None, marks["form"]),
        "password": (None, marks["password"]),
        "file": ("f.txt", (marks["form"] + "\n") * 1_000),
    }
    joined = carol.http.post(srv.url + join_path, files=form, allow_redirects=False, timeout=10)
    assert joined.status_code == 303, joined.status_code
    # An upload Werkzeug would spool to disk: refused at the body limit, with its length told and without.
    spooled = (marks["upload"] + "\n") * (SPOOLED_BYTES // len(marks["upload"]))
    told = carol.http.post(srv.url + join_path, files={"file": ("f.txt", spooled)}, timeout=10)
    chunked = carol.http.post(
        srv.url + join_path,
        data=_multipart("b0undary", spooled),
        headers={"Content-Type": "multipart/form-data; boundary=b0undary"},
        timeout=10,
    )
    # gevent marks a chunked body as ended, so the limit acts while it is read; eventlet does not, and
    # Werkzeug then reads no body at all: an empty form, without its token.
    unread = 400 if srv.async_mode == "gevent" else 403
    assert (told.status_code, chunked.status_code) == (400, unread)
    assert requests.post(srv.url + "/_test/raise", data=marks["message"].encode(), timeout=10).status_code == 500
    # Request lines the HTTP server itself refuses; its own error reports must not echo them.
    for line in (f"GET /r/{room_id}?{marks['wire']} HTTP/9.9", f"GET /r/{room_id} {marks['wire']} HTTP/1.1"):
        with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as raw:
            raw.sendall(f"{line}\r\nHost: x\r\nUser-Agent: {marks['wire']}\r\n\r\n".encode())
            # Refused by the HTTP server: a status line, or (eventlet, to a version it does not speak) a bare page.
            assert REFUSED_LINE.search(raw.recv(1024))

    ann_socket, bob_socket = ann.connect(room_id), bob.connect(room_id)
    ann_socket.wait("welcome")
    bob_socket.wait("welcome")
    assert ann_socket.send(f"**{marks['message']}** <script>{marks['message']}</script>")["ok"]
    bob_socket.wait_for("message", lambda m: marks["message"] in m["html"])
    assert ann_socket.call("_test_raise", {"text": marks["message"]}) == GENERIC_ACK
    assert ann_socket.call("message", {"text": marks["message"] * 1_000})["error"] == "too_large"
    # carol's raw frames: one the room reads, one dropped as malformed, one past the frame limit.
    ws = raw_socket(carol, room_id)
    ws.send("421" + json.dumps(["message", {"text": marks["frame"]}]))
    assert _raw_ack(ws, 1)["ok"]
    assert bob_socket.wait_for("message", lambda m: marks["frame"] in m["html"])["alias"] == marks["form"]
    ws.send('42["message",{"text":"' + marks["badframe"] + '"')  # JSON cut short
    ws.send("422" + json.dumps(["message", {"text": "after the bad frame"}]))
    assert _raw_ack(ws, 2)["ok"]  # the bad frame was read, and the socket outlived it
    # Past the frame limit: the server may close the connection before the whole frame is sent.
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        ws.send("42" + json.dumps(["message", {"text": marks["bigframe"] * 100_000}]))
    assert _closed_by_server(ws), "a frame past the limit left the connection open"
    ws.close()
    assert bob_socket.call("logout")["ok"]
    assert ann_socket.call("purge")["ok"]
    ann_socket.wait("purged")
    for person in (ann, bob, carol):
        person.close()
    assert srv.alive()

    needles = [value.encode() for value in marks.values()] + [room_id.encode()]
    assert _files_containing(ROOT, needles) == []
    assert _files_containing(hooked.tmpdir, needles) == []
    output = srv.output()
    assert [value for value in (*marks.values(), room_id) if value in output] == []


# -- security headers on every answer --------------------------------------------------


def _polling_handshake(srv: RunningServer) -> str:
    response = requests.get(srv.url + "/socket.io/?EIO=4&transport=polling", timeout=10)
    return json.loads(response.text[1:])["sid"]


def _polling_refusal(srv: RunningServer) -> requests.Response:
    """The answer that carries events: here the refusal of a connect without a binding."""
    url = f"{srv.url}/socket.io/?EIO=4&transport=polling&sid={_polling_handshake(srv)}"
    assert requests.post(url, data="40", timeout=10).status_code == 200
    response = requests.get(url, timeout=10)
    assert "unauthorized" in response.text
    return response


def _rate_limited(srv: RunningServer) -> requests.Response:
    person = Person(srv.url)
    for _ in range(20):
        response = person.create()
        if response.status_code == 429:
            return response
    raise AssertionError("room creation was never limited")


def _static_file() -> str:
    return "/" + next(str(p.relative_to(ROOT)) for p in sorted((ROOT / "static").rglob("*")) if p.is_file())


HEADER_CASES: dict[str, tuple[Callable[[RunningServer], requests.Response], int]] = {
    "400 api": (
        lambda s: requests.post(
            s.url + "/api/rooms", data="{", headers={"Content-Type": "application/json"}, timeout=10
        ),
        400,
    ),
    "400 oversized api": (
        lambda s: requests.post(
            s.url + "/api/rooms", data=b"x" * 40_000, headers={"Content-Type": "application/json"}, timeout=10
        ),
        400,
    ),
    "400 oversized form": (lambda s: requests.post(s.url + "/", data={"alias": "x" * 40_000}, timeout=10), 400),
    "403 origin": (
        lambda s: requests.post(s.url + "/api/rooms", json={}, headers={"Origin": "https://evil.example"}, timeout=10),
        403,
    ),
    "403 csrf": (lambda s: requests.post(s.url + "/", data={"alias": "a"}, timeout=10), 403),
    "404 page": (lambda s: requests.get(s.url + "/nowhere", timeout=10), 404),
    "404 room": (lambda s: requests.get(s.url + "/r/" + "Q" * 22, timeout=10), 404),
    "404 api": (
        lambda s: requests.post(
            s.url + "/api/rooms/" + "Q" * 22 + "/join", json={"alias": "a", "password": "b"}, timeout=10
        ),
        404,
    ),
    "405": (lambda s: requests.delete(s.url + "/api/rooms", timeout=10), 405),
    "415": (lambda s: requests.post(s.url + "/api/rooms", data="{}", timeout=10), 415),
    "429": (_rate_limited, 429),
    "500": (lambda s: requests.post(s.url + "/_test/raise", data="x", timeout=10), 500),
    "static": (lambda s: requests.get(s.url + _static_file(), timeout=10), 200),
    "healthz": (lambda s: requests.get(s.url + "/healthz", timeout=10), 200),
    "polling handshake": (lambda s: requests.get(s.url + "/socket.io/?EIO=4&transport=polling", timeout=10), 200),
    "polling post": (
        lambda s: requests.post(
            f"{s.url}/socket.io/?EIO=4&transport=polling&sid={_polling_handshake(s)}", data="40", timeout=10
        ),
        200,
    ),
    "polling get": (_polling_refusal, 200),
    "polling bad sid": (
        lambda s: requests.get(s.url + "/socket.io/?EIO=4&transport=polling&sid=nope", timeout=10),
        400,
    ),
    "polling old protocol": (lambda s: requests.get(s.url + "/socket.io/?EIO=3&transport=polling", timeout=10), 400),
}


@pytest.mark.parametrize("case", HEADER_CASES)
def test_security_headers_on_every_answer(hooked, case):
    send, status = HEADER_CASES[case]
    response = send(hooked.server)
    assert response.status_code == status
    headers = response.headers
    assert headers["Cache-Control"].split(",")[0].strip() == "no-store"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Content-Security-Policy"] == CSP
