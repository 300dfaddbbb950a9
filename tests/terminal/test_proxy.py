"""Through the proxy the environment names, for the JSON API and the chat's WebSocket alike; not through
it for a server NO_PROXY names; and https through a CONNECT tunnel to TLS in front of the real server."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.nginx import SITE_NAME, Stack, nginx_path, self_signed_certificate, stack
from tests.support.server import RunningServer
from tests.terminal.proxy import CountingProxy
from tests.terminal.support import PASSWORD, Terminal

NewTerminal = Callable[..., Terminal]


@pytest.fixture
def proxy() -> Iterator[CountingProxy]:
    running = CountingProxy()
    yield running
    running.close()


def talk(terminal: NewTerminal, base: str, env: dict[str, str]) -> None:
    """Ann creates a room at `base`, Bob joins, a line goes from one to the other."""
    ann = terminal(["create", base, "--name", "plans", "--alias", "ann"], stdin_text=PASSWORD + "\n", env=env)
    ann.in_chat()
    bob = terminal(["join", ann.link(), "--alias", "bob"], stdin_text=PASSWORD + "\n", env=env)
    bob.in_chat()
    bob.say("through the proxy")
    ann.wait_for("bob: through the proxy")


def test_http_proxy_carries_the_api_and_the_websocket(
    terminal: NewTerminal, server: RunningServer, proxy: CountingProxy
) -> None:
    talk(terminal, server.url, {"HTTP_PROXY": proxy.url})
    assert "POST /api/rooms" in proxy.requests
    assert any(r.startswith("POST /api/rooms/") and r.endswith("/join") for r in proxy.requests)
    assert proxy.connects.count(f"127.0.0.1:{server.port}") >= 2  # each client's WebSocket, tunnelled


def test_no_proxy_names_the_server_and_nothing_goes_through_the_proxy(
    terminal: NewTerminal, server: RunningServer, proxy: CountingProxy
) -> None:
    talk(terminal, server.url, {"HTTP_PROXY": proxy.url, "NO_PROXY": "127.0.0.1"})
    assert proxy.requests == [] and proxy.connects == []


@pytest.fixture(scope="module")
def tls_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if nginx_path() is None or shutil.which("openssl") is None:
        pytest.skip("nginx and openssl are needed for https (sh scripts/install-system-deps.sh)")
    tls = self_signed_certificate(tmp_path_factory.mktemp("tls"))
    with stack(tmp_path_factory.mktemp("stack"), tls, "1") as running:
        yield running


def test_https_proxy_tunnels_the_api_and_the_websocket_to_tls(
    terminal: NewTerminal, tls_stack: Stack, proxy: CountingProxy
) -> None:
    env = {"HTTPS_PROXY": proxy.url, "REQUESTS_CA_BUNDLE": str(Path(tls_stack.cert))}
    talk(terminal, tls_stack.url, env)
    tunnels = proxy.connects.count(f"{SITE_NAME}:{tls_stack.nginx.ports[1]}")
    assert tunnels >= 4  # the API and the WebSocket, for both people
    assert proxy.requests == []  # nothing in the clear
