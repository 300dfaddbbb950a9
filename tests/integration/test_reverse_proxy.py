"""The nginx site in docs/deployment.md, in front of the real server, as an operator would run it.

The site runs verbatim except for what only exists on a real host, each an
exact string that must still be in the guide (`substitutions` below):
- its name chat.example.org becomes localhost, a name that resolves here;
- its ports 80 and 443 become free loopback ports, and the app's port 8000 the
  test server's;
- the Let's Encrypt certificate and key become a self-signed pair for localhost;
- its error log path moves into the test's directory (the level stays).
The limits test alone also lowers the per-address limits, to reach them.
"""

from __future__ import annotations

import queue
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio
from playwright.sync_api import Browser, Page, WebSocket, expect, sync_playwright

from ephemeral.config import from_env
from ephemeral.ratelimit import WRONG_PASSWORD_PER_ADDRESS
from tests.browser.support import (
    PASSWORD,
    TIMEOUT_MS,
    chromium_path,
    create_room,
    expect_message,
    join_room,
    launch_chromium,
    send,
)
from tests.support.nginx import SITE_ERROR_LOG, SITE_NAME, Stack, require, self_signed_certificate, stack
from tests.support.people import EVENT_TIMEOUT, Person

WRONG_BURST = int(WRONG_PASSWORD_PER_ADDRESS.burst)
FROM_ANN = "ann says the ferry leaves at six"
FROM_BOB = "bob answers: meet at the north pier"
# The longest message, each character JSON-escaped to 12 bytes: the largest body a polling client sends.
LONGEST = "\U0001f600" * from_env({}).max_message_chars


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def trusted(tmp_path_factory: pytest.TempPathFactory, tls: Path) -> Iterator[Stack]:
    with stack(tmp_path_factory.mktemp("trusted"), tls, "1") as running:
        yield running


@pytest.fixture(scope="module")
def untrusted(tmp_path_factory: pytest.TempPathFactory, tls: Path) -> Iterator[Stack]:
    with stack(tmp_path_factory.mktemp("untrusted"), tls, "0") as running:
        yield running


def wrong_join(person: Person, room_id: str, headers: dict[str, str] | None = None) -> int:
    answer = person.post_json(f"/api/rooms/{room_id}/join", {"alias": "eve", "password": "wrong"}, headers=headers)
    return answer.status_code


# -- what the app learns from the proxy --------------------------------------------------


def test_the_app_sees_the_public_scheme_and_host_whatever_the_client_claims(trusted):
    ann = trusted.person()
    # A client's own forwarding headers: nginx replaces them, or the app would believe them.
    claims = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"}
    created = ann.post_json("/api/rooms", {"alias": "ann", "name": "n", "password": "p"}, headers=claims)
    assert created.status_code == 201
    assert created.json()["url"].startswith(trusted.url + "/r/")
    assert created.headers["Set-Cookie"].startswith("__Host-ephemeral=")
    assert "Secure" in created.headers["Set-Cookie"]
    assert created.headers["Strict-Transport-Security"].startswith("max-age=")

    plain = requests.get(trusted.plain_url + "/r/abc?x=1", allow_redirects=False, timeout=EVENT_TIMEOUT)
    assert plain.status_code == 301
    assert plain.headers["Location"] == f"https://{SITE_NAME}/r/abc?x=1"


def test_behind_the_trusted_proxy_each_client_address_has_its_own_budget(trusted):
    room_id = trusted.person().create(password="right").json()["room_id"]
    eve, bob = trusted.person(), trusted.person()
    assert [wrong_join(eve, room_id) for _ in range(WRONG_BURST)] == [403] * WRONG_BURST
    assert wrong_join(eve, room_id) == 429
    # nginx appends Eve's real address to whatever she claims; only the right-most entry counts.
    assert wrong_join(eve, room_id, headers={"X-Forwarded-For": "198.51.100.7"}) == 429
    assert wrong_join(bob, room_id) == 403


def test_behind_an_untrusted_proxy_every_client_shares_the_proxys_budget(untrusted):
    room_id = untrusted.person().create(password="right").json()["room_id"]
    eve, bob = untrusted.person(), untrusted.person()
    assert [wrong_join(eve, room_id) for _ in range(WRONG_BURST)] == [403] * WRONG_BURST
    assert wrong_join(bob, room_id) == 429
    # Straight to the app, from the address nginx uses, claiming to be someone else: the same spent budget.
    beside_nginx = Person(untrusted.app.url, address="127.0.0.1")
    assert wrong_join(beside_nginx, room_id, headers={"X-Forwarded-For": "198.51.100.7"}) == 429


# -- long-polling ------------------------------------------------------------------------


def test_long_polling_carries_the_longest_message_both_ways(trusted):
    """Socket.IO clients without WebSocket poll; their largest body must fit `client_max_body_size`."""
    ann = trusted.person()
    room_id = ann.create().json()["room_id"]
    received: queue.Queue[Any] = queue.Queue()
    client = socketio.Client(reconnection=False, http_session=ann.http)
    client.on("welcome", lambda payload: received.put(("welcome", payload)))
    client.on("message", lambda payload: received.put(("message", payload)))
    client.connect(trusted.url, auth={"room": room_id}, transports=["polling"], wait_timeout=EVENT_TIMEOUT)
    try:
        assert client.transport() == "polling"
        assert received.get(timeout=EVENT_TIMEOUT)[0] == "welcome"
        assert client.call("message", {"text": LONGEST}, timeout=EVENT_TIMEOUT)["ok"] is True
        kind, payload = received.get(timeout=EVENT_TIMEOUT)
        assert kind == "message"
        assert payload["html"] == f"<p>{LONGEST}</p>"
    finally:
        client.disconnect()


# -- what the proxy writes down ----------------------------------------------------------


def test_the_proxy_writes_down_no_visitor(trusted):
    eve = trusted.person()
    # nginx refuses this itself and, at its default error_log level, would log Eve's address.
    too_large = eve.http.post(trusted.url + "/api/rooms", data=b"x" * 100_000, timeout=EVENT_TIMEOUT)
    assert too_large.status_code == 413
    # One nginx process handles requests in turn: once this is answered, every earlier one is logged.
    assert trusted.person().http.get(trusted.url + "/healthz", timeout=EVENT_TIMEOUT).status_code == 200

    assert trusted.nginx.log("main.access.log") == ""
    assert trusted.nginx.log(SITE_ERROR_LOG) == ""
    assert eve.address not in trusted.nginx.log("main.error.log")


# -- a real browser ----------------------------------------------------------------------


@dataclass
class Observed:
    """A page and the text of every WebSocket frame it sent or received, by socket URL."""

    page: Page
    frames: dict[str, list[str]]

    def frames_through(self, url: str) -> list[str]:
        return [frame for socket_url, frames in self.frames.items() if socket_url.startswith(url) for frame in frames]


def observe(browser: Browser) -> Observed:
    """A new person: own browser context (cookie jar), every WebSocket frame recorded."""
    # The certificate is self-signed; nothing else about TLS is relaxed.
    context = browser.new_context(ignore_https_errors=True, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    observed = Observed(context.new_page(), {})

    def on_websocket(ws: WebSocket) -> None:
        frames = observed.frames.setdefault(ws.url, [])
        ws.on("framesent", lambda payload: frames.append(str(payload)))
        ws.on("framereceived", lambda payload: frames.append(str(payload)))

    observed.page.on("websocket", on_websocket)
    return observed


def with_own_chromium(scenario: Callable[[Browser], None]) -> None:
    """Run `scenario` against a Chromium of its own, on a thread of its own.

    Playwright's sync API allows one instance per thread, and the browser
    tests' session-wide one may already hold the main thread.
    """
    require("chromium", chromium_path())

    def run() -> None:
        with sync_playwright() as driver:
            browser = launch_chromium(driver)
            try:
                scenario(browser)
            finally:
                browser.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(run).result()


@pytest.mark.browser
def test_two_browsers_chat_through_nginx_over_websocket(trusted):
    expect.set_options(timeout=TIMEOUT_MS)  # as the browser tests do: a loaded machine is slow

    def chat(browser: Browser) -> None:
        ann, bob = observe(browser), observe(browser)
        link = create_room(ann.page, trusted.url, "ann", "ferry", PASSWORD)
        join_room(bob.page, link, "bob", PASSWORD)
        expect(ann.page.locator("#presence-count")).to_have_text("2")

        send(ann.page, FROM_ANN)
        expect_message(bob.page, FROM_ANN, "ann", mine=False)
        send(bob.page, FROM_BOB)
        expect_message(ann.page, FROM_BOB, "bob", mine=False)

        # Both messages crossed, both ways, WebSockets opened on nginx's port (a client that fell
        # back to long-polling would chat just as well and show no frames).
        through_nginx = trusted.url.replace("https://", "wss://", 1) + "/socket.io/"
        for person, said, heard in ((ann, FROM_ANN, FROM_BOB), (bob, FROM_BOB, FROM_ANN)):
            frames = person.frames_through(through_nginx)
            assert any(said in frame for frame in frames), frames
            assert any(heard in frame for frame in frames), frames

    with_own_chromium(chat)
