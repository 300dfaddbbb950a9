"""What the guide's nginx site refuses before the app sees it: unknown names, and one address's excess.

The site runs as in `test_reverse_proxy.py`, its per-address limits lowered
(`LOWERED`, each an exact string that must still be in the guide) so that a
test reaches them with a handful of connections: the limits' numbers are the
guide's to choose, that nginx enforces them is what is tested here.
"""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
from collections.abc import Iterator

import pytest
import websocket

from tests.support.nginx import SITE_ERROR_LOG, SITE_NAME, Stack, self_signed_certificate, stack
from tests.support.people import EVENT_TIMEOUT, Person

CONNECTIONS = 4
BURST = 20
LOWERED = {
    "limit_conn ephemeral_connections 1000;": f"limit_conn ephemeral_connections {CONNECTIONS};",
    "burst=1000": f"burst={BURST}",
    # One request a minute refills the burst: nothing refills it while a test runs.
    "rate=50r/s": "rate=1r/m",
}
UNKNOWN = "evil.example"


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tls = self_signed_certificate(tmp_path_factory.mktemp("tls"))
    with stack(tmp_path_factory.mktemp("limited"), tls, "1", LOWERED) as running:
        yield running


def read_to_end(sock: socket.socket) -> bytes:
    chunks = []
    # A TLS peer that closes without close_notify has still said all it will.
    with contextlib.suppress(ssl.SSLError, ConnectionResetError):
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def ask(port: int, host: str, tls: ssl.SSLContext | None = None, sni: str | None = None) -> bytes:
    """nginx's whole answer to `GET /healthz` with `Host: host`; b"" if it closes without a word."""
    request = f"GET /healthz HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
    with socket.create_connection(("127.0.0.1", port), timeout=EVENT_TIMEOUT) as raw:
        if tls is None:
            raw.sendall(request)
            return read_to_end(raw)
        with tls.wrap_socket(raw, server_hostname=sni) as secured:
            secured.sendall(request)
            return read_to_end(secured)


def any_certificate() -> ssl.SSLContext:
    """A client that accepts whatever certificate: a refused handshake is then nginx's doing alone."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def assert_nobody_written_down(limited: Stack, *people: Person) -> None:
    assert limited.nginx.log("main.access.log") == ""
    assert limited.nginx.log(SITE_ERROR_LOG) == ""
    main_errors = limited.nginx.log("main.error.log")
    assert not [person.address for person in people if person.address in main_errors]


# -- names the site does not serve -------------------------------------------------------


def test_a_host_the_site_does_not_serve_gets_no_answer(limited: Stack) -> None:
    http_port, https_port = limited.nginx.ports
    verified = ssl.create_default_context(cafile=str(limited.cert))
    # The site's own name: a redirect over http, the app over https.
    assert ask(http_port, SITE_NAME).startswith(b"HTTP/1.1 301 ")
    assert ask(https_port, SITE_NAME, verified, SITE_NAME).startswith(b"HTTP/1.1 200 ")
    # Any other name, or the bare address, over either: closed unanswered, no Ephemeral page.
    assert ask(http_port, UNKNOWN) == b""
    assert ask(http_port, "127.0.0.1") == b""
    assert ask(https_port, UNKNOWN, verified, SITE_NAME) == b""


@pytest.mark.parametrize("sni", [UNKNOWN, None], ids=["unknown-name", "no-name"])
def test_a_tls_handshake_for_another_name_or_none_is_refused(limited: Stack, sni: str | None) -> None:
    # No name is what a client that dialled the bare address sends.
    with pytest.raises(ssl.SSLError, match="UNRECOGNIZED_NAME"):
        ask(limited.nginx.ports[1], SITE_NAME, any_certificate(), sni)


# -- one client address's share ----------------------------------------------------------


def held_socket(limited: Stack, person: Person, room_id: str) -> websocket.WebSocket:
    """The person's Socket.IO connection to the room through nginx, from their own address, welcomed."""
    raw = socket.create_connection(
        ("127.0.0.1", limited.nginx.ports[1]), timeout=EVENT_TIMEOUT, source_address=(person.address, 0)
    )
    try:
        secured = ssl.create_default_context(cafile=str(limited.cert)).wrap_socket(raw, server_hostname=SITE_NAME)
        ws = websocket.create_connection(
            limited.url.replace("https", "wss", 1) + "/socket.io/?EIO=4&transport=websocket",
            socket=secured,
            header=[f"Cookie: {person.cookie_header()}"],
            timeout=EVENT_TIMEOUT,
        )
    except BaseException:
        raw.close()
        raise
    assert ws.recv().startswith("0{")
    ws.send("40" + json.dumps({"room": room_id}))
    assert (frame := ws.recv()).startswith("40"), frame
    assert (frame := ws.recv()).startswith('42["welcome"'), frame
    return ws


def test_one_address_holds_its_share_of_connections_and_no_more(limited: Stack) -> None:
    ann, bob = limited.person(), limited.person()
    room_id = ann.create().json()["room_id"]
    held: list[websocket.WebSocket] = []
    try:
        # Each WebSocket is one connection for its whole life: the share's worth all work.
        held.extend(held_socket(limited, ann, room_id) for _ in range(CONNECTIONS))
        with pytest.raises(websocket.WebSocketBadStatusException) as refused:
            held_socket(limited, ann, room_id)
        assert refused.value.status_code == 429
        assert ann.http.get(limited.url + "/healthz", timeout=EVENT_TIMEOUT).status_code == 429
        # Another address is served as before.
        assert bob.http.get(limited.url + "/healthz", timeout=EVENT_TIMEOUT).status_code == 200
    finally:
        for ws in held:
            ws.close()
        ann.close()
    assert_nobody_written_down(limited, ann, bob)


def test_one_address_gets_its_burst_of_requests_then_429(limited: Stack) -> None:
    eve, bob = limited.person(), limited.person()

    def healthz(person: Person) -> int:
        return person.http.get(limited.url + "/healthz", timeout=EVENT_TIMEOUT).status_code

    # One request, then the burst on top of it.
    assert [healthz(eve) for _ in range(BURST + 1)] == [200] * (BURST + 1)
    assert [healthz(eve) for _ in range(2)] == [429, 429]
    assert healthz(bob) == 200
    assert_nobody_written_down(limited, eve, bob)
