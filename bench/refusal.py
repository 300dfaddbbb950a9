"""What a join refused by a rate limit costs the process: `python -m bench.refusal [N] [--server]`.

In-process and single-threaded: the whole WSGI stack (Engine.IO's middleware,
the security headers, Flask) is called directly with a prepared environ, N times
per path, each request from its own address, against a room whose wrong-password
budget is spent. With `--server`, the same refusals over loopback to a real
server process (one new connection each, as a botnet's), whose CPU is read from
/proc: that adds accepting the connection and parsing HTTP.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.test import EnvironBuilder

from ephemeral import create_app
from ephemeral.ratelimit import Limit

from . import api_client, procs
from .procs import CLOCK_TICKS

Call = Callable[[], tuple[str, list[tuple[str, str]], bytes]]
SPENT_AT_ONCE = Limit(burst=1, per_second=1e-6)  # one wrong guess, then refused for days


def _caller(app: Flask, environ: dict[str, Any], body: bytes, addresses: Iterable[str]) -> Call:
    source = iter(addresses)

    def call() -> tuple[str, list[tuple[str, str]], bytes]:
        answer: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            answer.update(status=status, headers=headers)

        request = {**environ, "wsgi.input": io.BytesIO(body), "REMOTE_ADDR": next(source)}
        content = b"".join(app(request, start_response))
        return answer["status"], answer["headers"], content

    return call


def _addresses() -> Iterable[str]:
    n = 0
    while True:
        n += 1
        yield f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def _environ(path: str, content_type: str, body: bytes, cookie: str = "") -> dict[str, Any]:
    builder = EnvironBuilder(path=path, method="POST", data=body, content_type=content_type)
    environ: dict[str, Any] = builder.get_environ()
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    return environ


def paths(app: Flask) -> dict[str, Call]:
    """A refused API join and a refused form join (with a valid session and CSRF token)."""
    client = app.test_client()
    room_id = client.post("/api/rooms", json={"name": "bench", "alias": "host", "password": "right"}).json["room_id"]
    assert client.post(f"/api/rooms/{room_id}/join", json={"alias": "eve", "password": "wrong"}).status_code == 403
    api_body = json.dumps({"alias": "eve", "password": "wrong guess"}).encode()
    visitor = app.test_client()
    page = visitor.get(f"/r/{room_id}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    cookie = page.headers["Set-Cookie"].split(";", 1)[0]
    assert token is not None
    form_body = f"csrf_token={token.group(1)}&alias=eve&password=wrong+guess".encode()
    form = "application/x-www-form-urlencoded"
    return {
        "api": _caller(
            app, _environ(f"/api/rooms/{room_id}/join", "application/json", api_body), api_body, _addresses()
        ),
        "form": _caller(app, _environ(f"/r/{room_id}", form, form_body, cookie), form_body, _addresses()),
    }


def measure(call: Call, n: int) -> dict[str, Any]:
    status, headers, _ = call()
    assert status.startswith("429"), status
    began_cpu, began = time.process_time(), time.perf_counter()
    for _ in range(n):
        call()
    cpu, wall = time.process_time() - began_cpu, time.perf_counter() - began
    return {
        "n": n,
        "cpu_us": round(cpu / n * 1e6, 1),
        "wall_us": round(wall / n * 1e6, 1),
        "sets_cookie": any(name.lower() == "set-cookie" for name, _ in headers),
    }


def run(n: int) -> dict[str, Any]:
    app = create_app(
        {"ASYNC_MODE": "threading", "BCRYPT_COST": 4, "WRONG_PASSWORD_LIMIT_PER_ROOM": SPENT_AT_ONCE}, environ={}
    )
    return {name: measure(call, n) for name, call in paths(app).items()}


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


async def _server_run(port: int, pid: int, n: int) -> dict[str, Any]:
    addresses = api_client.Addresses(13)
    host = "127.0.0.1"
    room = await api_client.post_json(
        host, port, "/api/rooms", {"name": "bench", "alias": "host", "password": "right"}, addresses.next()
    )
    room_id = room.body["room_id"]
    path, guess = f"/api/rooms/{room_id}/join", {"alias": "eve", "password": "wrong"}
    assert (await api_client.post_json(host, port, path, guess, addresses.next())).status == 403
    statuses: dict[int, int] = {}
    began = _cpu_seconds(pid)
    for _ in range(n):
        answer = await api_client.post_json(host, port, path, guess, addresses.next())
        statuses[answer.status] = statuses.get(answer.status, 0) + 1
    return {"n": n, "server_cpu_us": round((_cpu_seconds(pid) - began) / n * 1e6, 1), "statuses": statuses}


def run_server(n: int) -> dict[str, Any]:
    """N refused joins, one connection each, against a real server whose room allows one wrong guess a day."""
    env = {"EPHEMERAL_WRONG_PASSWORD_LIMIT_PER_ROOM": "1/86400"}
    with tempfile.TemporaryDirectory() as logs, procs.running("ephemeral", Path(logs), env=env) as server:
        return asyncio.run(_server_run(server.port, server.pid, n))


if __name__ == "__main__":
    count = int(next((arg for arg in sys.argv[1:] if arg.isdigit()), 10_000))
    if "--server" in sys.argv:
        print(f"server {run_server(count)}")
    else:
        for name, figures in run(count).items():
            print(f"{name:<5} {figures}")
