"""What the shared store holds, and the Redis servers Ephemeral refuses to use."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from tests.support.people import Person, Refused, Socket
from tests.support.process import wait_until
from tests.support.redis import SHARED_SECRET, RedisServer, running_redis
from tests.support.server import ROOT, RunningServer, start_all, start_server, stop_all

MESSAGE = "zq7marker message that must never be stored"


def _start_refused(env: dict[str, str]) -> list[str]:
    """Run app.py with `env`; it must exit 2 at once. Returns its non-empty output lines."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("EPHEMERAL_")} | env
    result = subprocess.run(
        [sys.executable, str(ROOT / "app.py")], env=full_env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2, result.stdout + result.stderr
    return [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]


@pytest.mark.parametrize(
    "persistence",
    [("--save", "3600 1"), ("--appendonly", "yes")],
    ids=["rdb-snapshots", "append-only-file"],
)
def test_a_redis_that_persists_is_refused(tmp_path, persistence):
    with running_redis(tmp_path, *persistence) as persisting:
        [line] = _start_refused(persisting.env())
        assert "persists to disk" in line
        assert "EPHEMERAL_REDIS_ALLOW_PERSISTENCE" in line
        assert persisting.url not in line


def test_persistence_allowed_deliberately_starts(tmp_path):
    with running_redis(tmp_path, "--save", "3600 1") as persisting:
        server = start_server(tmp_path, env={**persisting.env(), "EPHEMERAL_REDIS_ALLOW_PERSISTENCE": "1"})
        try:
            assert Person(server.url).create().status_code == 201
        finally:
            server.stop()


def test_an_unreachable_redis_stops_the_start_with_one_line(tmp_path):
    with running_redis(tmp_path) as gone:
        env = {**gone.env(), "EPHEMERAL_REDIS_URL": f"redis://:hunter2@127.0.0.1:{gone.port}/0"}
    [line] = _start_refused(env)
    assert "cannot reach the Redis server" in line
    assert "hunter2" not in line


def _token_of(person: Person) -> str:
    """The binding token inside the signed session cookie, as the server reads it."""
    app = Flask(__name__)
    app.secret_key = SHARED_SECRET
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert serializer is not None
    [[_room_id, token]] = serializer.loads(person.http.cookies["ephemeral"])["rooms"]
    return str(token)


def _everything_stored(store: RedisServer) -> dict[str, tuple[str, int]]:
    """Every key, with its value rendered as text and its time to live in ms."""
    stored = {}
    with store.client() as client:
        for key in client.scan_iter("*"):
            kind = client.type(key)
            value = {
                "hash": lambda k: client.hgetall(k),
                "set": lambda k: client.smembers(k),
                "zset": lambda k: client.zrange(k, 0, -1, withscores=True),
                "string": lambda k: client.get(k),
            }[kind](key)
            stored[key] = (repr(value), client.pttl(key))
    return stored


def test_redis_holds_no_message_text_no_token_and_nothing_without_expiry(own_redis, tmp_path):
    server = start_server(tmp_path, env=own_redis.env())
    try:
        _check_stored(own_redis, server)
    finally:
        server.stop()


def _check_stored(store: RedisServer, server: RunningServer) -> None:
    ann, bob = Person(server.url), Person(server.url)
    room_id = ann.create(alias="ann").json()["room_id"]
    assert bob.join(room_id, alias="bob").status_code == 200
    sockets = [ann.connect(room_id), bob.connect(room_id)]
    for sock in sockets:
        sock.wait("welcome")
    assert sockets[0].send(MESSAGE)["ok"]
    assert sockets[1].wait("message")["html"] == f"<p>{MESSAGE}</p>"

    stored = _everything_stored(store)
    text = repr(stored)
    assert "zq7marker" not in text
    for token in (_token_of(ann), _token_of(bob)):
        assert token not in text
    hour_ms = 3600 * 1000
    room_keys = {key: ttl for key, (_value, ttl) in stored.items() if room_id in key}
    # record, members, aliases, online, sockets, issued ids, connects per binding, and of the messages their ids
    # with their authors and their order (no text: checked above)
    assert len(room_keys) == 9, sorted(room_keys)
    assert all(0 < ttl <= hour_ms for ttl in room_keys.values()), room_keys
    # The shared indexes: room expiries, process heartbeats, rooms without a
    # present host and reported rooms (the last two lose a room with the room);
    # every process's socket list expires with its longest-lived room.
    others = {key: ttl for key, (_value, ttl) in stored.items() if room_id not in key}
    assert "eph:expiries" in others
    forever = {"eph:expiries", "eph:procs", "eph:hostless", "eph:reported"}
    assert {key for key, ttl in others.items() if ttl < 0} <= forever, others
    ann.close()
    bob.close()


def test_a_redis_outage_answers_unavailable_and_recovers(tmp_path):
    workdir = tmp_path / "redis"
    workdir.mkdir()
    server = None
    try:
        with running_redis(workdir) as store:
            port = store.port
            server = start_server(tmp_path, env=store.env())
            ann = Person(server.url)
            room_id = ann.create().json()["room_id"]
            sock = ann.connect(room_id)
            sock.wait("welcome")
        # Redis is gone: a clear 503 or `unavailable` ack, never a 500 or a crash.
        assert sock.send("hello")["error"] == "unavailable"
        answer = Person(server.url).create()
        assert (answer.status_code, answer.json()["error"]) == (503, "unavailable")
        assert requests.get(f"{server.url}/r/{room_id}", timeout=10).status_code == 503
        with running_redis(workdir, port=port):
            # A new, empty Redis at the same address: the service works again.
            assert Person(server.url).create().status_code == 201
        assert server.alive()
        assert "Traceback" not in server.output()
    finally:
        if server is not None:
            server.stop()


def test_a_process_stops_when_told_to_while_redis_is_out_of_reach(tmp_path):
    with running_redis(tmp_path) as store:
        servers = start_all(tmp_path, [("gevent", store.env()), ("eventlet", store.env())])
    try:
        for server in servers:  # Redis is gone
            server.process.send_signal(signal.SIGTERM)
        for server in servers:
            assert server.process.wait(30) == 0, server.async_mode
            assert "shutting down with the shared store out of reach" in server.output()
            assert "uncaught exception" not in server.output()
    finally:
        stop_all(servers)


def _connected(person: Person, room_id: str, url: str) -> Socket | None:
    """A welcomed socket, or None while the process cannot hear the room yet (refused `unavailable`)."""
    try:
        sock = person.connect(room_id, url=url)
    except Refused as refused:
        assert str(refused) == "unavailable"
        return None
    sock.wait("welcome")
    return sock


def test_after_an_outage_the_processes_hear_each_other_again(tmp_path):
    workdir = tmp_path / "redis"
    workdir.mkdir()
    with running_redis(workdir) as store:
        port, env = store.port, store.env()
        servers = start_all(tmp_path, [("gevent", env), ("eventlet", env)])
    try:
        with running_redis(workdir, port=port):  # a new, empty Redis at the same address
            ann, bob = Person(servers[0].url), Person(servers[1].url)
            room_id = wait_until(lambda: ann.create(alias="ann").json().get("room_id"), 30, "rooms can be made")
            assert bob.join(room_id, alias="bob").status_code == 200
            ann_socket = wait_until(lambda: _connected(ann, room_id, servers[0].url), 30, "a listens again")
            bob_socket = wait_until(lambda: _connected(bob, room_id, servers[1].url), 30, "b listens again")
            assert ann_socket.send("across again")["ok"]
            assert bob_socket.wait("message")["html"] == "<p>across again</p>"
            assert all(server.alive() for server in servers)
    finally:
        stop_all(servers)


@dataclass
class Lifetimes:
    """Two processes on one Redis: rooms made on `short` live two seconds, rooms made on `hour` an hour."""

    store: RedisServer
    short: RunningServer
    hour: RunningServer


@pytest.fixture(scope="module")
def lifetimes(tmp_path_factory) -> Iterator[Lifetimes]:
    workdir = tmp_path_factory.mktemp("lifetimes")
    with running_redis(workdir) as store:
        two_seconds = {**store.env(), "EPHEMERAL_ROOM_TTL": "2"}
        short, hour = start_all(workdir, [("gevent", two_seconds), ("gevent", store.env())])
        try:
            yield Lifetimes(store, short, hour)
        finally:
            stop_all([short, hour])


@pytest.mark.parametrize("ending", ["purge", "expiry"])
def test_no_trace_of_a_room_is_left_in_redis_after_it_ends(lifetimes, ending):
    """Another room that lives on keeps the process's own keys alive, so only cleanup can remove the id."""
    store, short, hour = lifetimes.store, lifetimes.short, lifetimes.hour
    keeper = Person(hour.url)
    keeper_room = keeper.create(alias="keeper").json()["room_id"]
    keeper.connect(keeper_room, url=short.url).wait("welcome")
    ann = Person(hour.url if ending == "purge" else short.url)
    room_id = ann.create(alias="ann").json()["room_id"]
    sock = ann.connect(room_id, url=short.url)
    sock.wait("welcome")
    assert room_id in repr(_everything_stored(store))
    if ending == "purge":
        assert sock.call("purge")["ok"]
    assert sock.wait("purged", timeout=15)["reason"] == {"purge": "purged", "expiry": "expired"}[ending]
    # Heartbeats prune a process's list of rooms within a second of their end.
    wait_until(lambda: room_id not in repr(_everything_stored(store)), 10, "the room id leaves Redis")
    assert keeper_room in repr(_everything_stored(store))
    keeper.close()
    ann.close()
