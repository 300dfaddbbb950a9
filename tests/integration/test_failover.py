"""One process of three dies mid-conversation: the room lives on in Redis and its people come back.

The processes sit behind the guide's nginx site with its `upstream` block
(docs/deployment.md, "Several processes"), changed only as the reverse-proxy
test changes it: its name, loopback ports, a self-signed certificate, the log path. They
run with the environment of the guide's compose file, pointed at the test's Redis.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import requests

from tests.support.guide import compose_from_docs
from tests.support.nginx import (
    SITE_NAME,
    running_nginx,
    self_signed_certificate,
    site_from_docs,
    substitute,
    substitutions,
)
from tests.support.payloads import aliases
from tests.support.process import HOOKS
from tests.support.redis import NO_PERSISTENCE, RedisServer
from tests.support.server import RunningServer, start_all, stop_all

UPSTREAM_PORTS = ("8001", "8002", "8003")
# The default ping timeout: presence must have dropped a dead process's sockets by then.
PING_TIMEOUT = 10.0
# Generous: a client retries on its own schedule, slower on a loaded machine.
RECONNECT_TIMEOUT = 30.0


def upstream_site(servers: list[RunningServer], ports: list[int], tls: Path, logs: Path) -> str:
    upstream = site_from_docs("nginx-upstream")
    for documented, server in zip(UPSTREAM_PORTS, servers, strict=True):
        upstream = substitute(upstream, {f"127.0.0.1:{documented} ": f"127.0.0.1:{server.port} "})
    return upstream + "\n" + substitute(site_from_docs(), substitutions(ports, "ephemeral", tls, logs))


def compose_environment(redis: RedisServer) -> dict[str, str]:
    """An app service's environment in the guide's compose file, with this test's Redis URL and key."""
    documented = compose_from_docs()["services"]["app1"]["environment"]
    return {**{name: str(value) for name, value in documented.items()}, **redis.env()}


def test_the_guides_compose_file_is_the_arrangement_tested_here():
    services = compose_from_docs()["services"]
    command = services["redis"]["command"]
    assert any(tuple(command[i : i + 4]) == NO_PERSISTENCE for i in range(len(command))), command
    apps = [services[name] for name in ("app1", "app2", "app3")]
    # One environment for all (a shared key and Redis), each published on loopback at an upstream port.
    assert all(app["environment"] == apps[0]["environment"] for app in apps)
    # Behind the one nginx the tests run, as the failover test runs them.
    assert {"EPHEMERAL_REDIS_URL", "EPHEMERAL_SECRET_KEY", "EPHEMERAL_TRUSTED_PROXIES"} <= apps[0]["environment"].keys()
    published = [app["ports"][0].rsplit(":", 1)[0] for app in apps]
    assert published == [f"127.0.0.1:{port}" for port in UPSTREAM_PORTS]


def open_sockets(server: RunningServer) -> int:
    return int(requests.get(server.url + "/_test/stats", timeout=10).json()["open_sockets"])


def test_kill_one_process_its_clients_reconnect_and_presence_heals(own_redis, tmp_path, people_at):
    env = {**compose_environment(own_redis), **HOOKS}
    servers = start_all(tmp_path, [("gevent", env)] * len(UPSTREAM_PORTS))
    tls = self_signed_certificate(tmp_path)

    try:

        def render(ports: list[int]) -> str:
            return upstream_site(servers, ports, tls, tmp_path / "nginx")

        with running_nginx(tmp_path / "nginx", render, port_count=2) as nginx:
            public = f"https://{SITE_NAME}:{nginx.ports[1]}"
            ann = people_at(public)
            ann.http.trust_env = False
            ann.http.verify = str(tls / "cert.pem")
            room_id = ann.create(alias="ann").json()["room_id"]
            # Ann comes through nginx and reconnects as a browser would.
            via_proxy = ann.connect(room_id, reconnection=True)
            via_proxy.wait("welcome")
            [victim] = [server for server in servers if open_sockets(server) == 1]
            survivor = next(server for server in servers if server is not victim)
            bob = people_at(survivor.url)
            assert bob.join(room_id, alias="bob").status_code == 200
            on_survivor = bob.connect(room_id)
            on_survivor.wait("welcome")
            # Cleo sits on the victim directly and will never come back.
            cleo = people_at(victim.url)
            assert cleo.join(room_id, alias="cleo").status_code == 200
            cleo.connect(room_id).wait("welcome")
            on_survivor.wait_for("presence", lambda p: aliases(p) == ["ann", "bob", "cleo"])
            victim.process.send_signal(signal.SIGKILL)
            victim.process.wait(10)
            killed = time.monotonic()

            # Presence drops cleo, whose process died, within the ping timeout.
            dropped = on_survivor.wait_for("presence", lambda p: "cleo" not in aliases(p), timeout=PING_TIMEOUT)
            print(f"presence dropped the dead process's sockets {time.monotonic() - killed:.1f} s after the kill")
            # Ann comes back through nginx to another process: same room, same alias.
            assert via_proxy.wait("welcome", timeout=RECONNECT_TIMEOUT)["room_id"] == room_id
            if aliases(dropped) != ["ann", "bob"]:  # the drop came before ann was back
                on_survivor.wait_for("presence", lambda p: aliases(p) == ["ann", "bob"], timeout=RECONNECT_TIMEOUT)
            assert via_proxy.send("still here")["ok"]
            assert on_survivor.wait("message")["html"] == "<p>still here</p>"
            assert bob.join(room_id, alias="dora").status_code == 200  # the room lives on
    finally:
        stop_all(servers)
