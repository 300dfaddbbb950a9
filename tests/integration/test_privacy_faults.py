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
import secrets
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import websocket

from tests.support.people import Person
from tests.support.server import ROOT, RunningServer, start_server

HOOKS = {"EPHEMERAL_TEST_HOOKS": "1"}
GENERIC_ACK = {"ok": False, "error": "internal", "message": "Something went wrong."}
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https:; media-src https:; "
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


def test_a_full_session_leaves_no_marker_on_disk_or_in_output(hooked):
    srv = hooked.server
    kinds = ("alias", "bob", "name", "password", "message", "form", "frame", "wire")
    marks = {kind: marker(kind) for kind in kinds}
    ann, bob = Person(srv.url), Person(srv.url)
    room_id = ann.create(alias=marks["alias"], name=marks["name"], password=marks["password"]).json()["room_id"]
    assert bob.join(room_id, alias=marks["bob"], password=marks["password"]).status_code == 200
    assert bob.join(room_id, alias=marks["bob"], password=marks["password"] + "x").status_code == 403
    assert Person(srv.url).join(room_id, alias=marks["alias"], password=marks["password"]).status_code == 409
    big = json.dumps({"alias": marks["alias"], "name": marks["name"], "password": marks["password"] * 5_000})
    oversized = ann.http.post(srv.url + "/api/rooms", data=big, headers={"Content-Type": "application/json"})
    assert oversized.status_code == 400
    # A file upload in a form post: Werkzeug spools large ones to temporary files.
    upload = {"alias": (None, marks["form"]), "file": ("f.txt", (marks["form"] + "\n") * 1_000)}
    ann.http.post(f"{srv.url}/r/{room_id}", files=upload, timeout=10)
    requests.post(srv.url + "/_test/raise", data=marks["message"].encode(), timeout=10)
    # Request lines the HTTP server itself refuses; its own error reports must not echo them.
    for line in (f"GET /r/{room_id}?{marks['wire']} HTTP/9.9", f"GET /r/{room_id} {marks['wire']} HTTP/1.1"):
        with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as raw:
            raw.sendall(f"{line}\r\nHost: x\r\nUser-Agent: {marks['wire']}\r\n\r\n".encode())
            assert raw.recv(1024)  # an error answer, in whatever form

    ann_socket, bob_socket = ann.connect(room_id), bob.connect(room_id)
    ann_socket.wait("welcome")
    bob_socket.wait("welcome")
    assert ann_socket.send(f"**{marks['message']}** <script>{marks['message']}</script>")["ok"]
    bob_socket.wait_for("message", lambda m: marks["message"] in m["html"])
    assert ann_socket.call("_test_raise", {"text": marks["message"]}) == GENERIC_ACK
    assert not ann_socket.call("message", {"text": marks["message"] * 1_000})["ok"]
    ws = websocket.create_connection(
        srv.url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket",
        header=[f"Cookie: {ann.cookie_header()}"],
        timeout=10,
    )
    ws.recv()
    # Past the frame limit: the server may close the connection before the whole frame is sent.
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        ws.send("42" + json.dumps(["message", {"text": marks["frame"] * 100_000}]))
    ws.close()
    assert bob_socket.call("logout")["ok"]
    assert ann_socket.call("purge")["ok"]
    ann_socket.wait("purged")
    ann.close()
    bob.close()
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
