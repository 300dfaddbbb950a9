"""Several server processes sharing one Redis hold one conversation, as one process would.

Every test makes rooms of its own, so the processes of a module's deployment serve
them all; a test that stops a process starts its own.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from ephemeral.room_channels import COMMON, room_channel
from tests.support.e2e_shapes import create_body, envelope
from tests.support.payloads import aliases, notice
from tests.support.people import EVENT_TIMEOUT, Person, Refused, Socket
from tests.support.process import wait_until
from tests.support.redis import RedisServer, running_redis
from tests.support.server import RunningServer, start_all, stop_all

Deployment = Callable[..., list[RunningServer]]
SEATS = 50


@dataclass
class Shared:
    """Three gevent processes on one Redis, started once for the module."""

    store: RedisServer
    servers: list[RunningServer]


@contextlib.contextmanager
def three_processes(workdir, env: dict[str, str]) -> Iterator[Shared]:
    with running_redis(workdir) as store:
        servers = start_all(workdir, [("gevent", {**store.env(), **env})] * 3)
        try:
            yield Shared(store, servers)
        finally:
            stop_all(servers)


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> Iterator[Shared]:
    """Default settings, the seats pinned at their default for the seat race."""
    with three_processes(tmp_path_factory.mktemp("shared"), {"EPHEMERAL_MAX_PARTICIPANTS": str(SEATS)}) as deployment:
        yield deployment


@pytest.fixture(scope="module")
def short_lived(tmp_path_factory) -> Iterator[Shared]:
    """Rooms live five seconds: time enough to seat someone on each process on a loaded machine."""
    with three_processes(tmp_path_factory.mktemp("short"), {"EPHEMERAL_ROOM_TTL": "5"}) as deployment:
        yield deployment


@pytest.fixture
def processes(own_redis: RedisServer, tmp_path) -> Iterator[Deployment]:
    """Start n gevent processes on this test's own Redis, for a test that stops one; all stop at teardown."""
    started: list[RunningServer] = []

    def start(n: int, env: dict[str, str] | None = None) -> list[RunningServer]:
        started.extend(start_all(tmp_path, [("gevent", {**own_redis.env(), **(env or {})})] * n))
        return started[-n:]

    yield start
    stop_all(started)


def seat(person: Person, room_id: str, url: str, alias: str) -> Socket:
    """Join (unless already seated) and connect to the process at `url`."""
    if not person.http.cookies:
        assert person.join(room_id, alias=alias).status_code == 200
    sock = person.connect(room_id, url=url)
    assert sock.wait("welcome")["alias"] == alias
    return sock


def test_clients_on_different_processes_share_messages_and_presence(shared, people_at):
    a, b, c = shared.servers
    ann = people_at(a.url)
    room_id = ann.create(alias="ann").json()["room_id"]
    sockets = {
        "ann": seat(ann, room_id, a.url, "ann"),
        "bob": seat(people_at(b.url), room_id, b.url, "bob"),
        "cleo": seat(people_at(c.url), room_id, c.url, "cleo"),
    }
    for sock in sockets.values():
        sock.wait_for("presence", lambda p: aliases(p) == ["ann", "bob", "cleo"])
    for speaker, sock in sockets.items():
        assert sock.send(f"hello from {speaker}")["ok"]
        for listener in sockets.values():
            message = listener.wait("message")
            assert (message["alias"], message["html"]) == (speaker, f"<p>hello from {speaker}</p>")


def _hearing(store: RedisServer, room_id: str) -> int:
    """How many processes are subscribed to the room's channel."""
    with store.client() as client:
        channel = room_channel(room_id)
        return int(dict(client.pubsub_numsub(channel)).get(channel, 0))


def test_a_process_hears_only_the_rooms_it_holds_sockets_in(shared, people_at):
    a, b, _c = shared.servers
    ann = people_at(a.url)
    room_id = ann.create(alias="ann").json()["room_id"]
    ann_socket, bob_socket = seat(ann, room_id, a.url, "ann"), seat(people_at(a.url), room_id, a.url, "bob")
    assert _hearing(shared.store, room_id) == 1  # process a only
    common = ChannelListener(shared.store, COMMON)  # as a process holding no socket of the room hears
    try:
        assert ann_socket.send("only for process a")["ok"]
        assert bob_socket.wait("message")["html"] == "<p>only for process a</p>"
        cleo = people_at(b.url)
        cleo_socket = seat(cleo, room_id, b.url, "cleo")
        assert _hearing(shared.store, room_id) == 2
        assert ann_socket.send("now for b too")["ok"]  # right after cleo's welcome: b hears it
        assert cleo_socket.wait("message")["html"] == "<p>now for b too</p>"
        assert [emit for emit in common.emits(window=0.5) if emit.get("event") == "message"] == []
    finally:
        common.close()
    cleo.close()
    wait_until(lambda: _hearing(shared.store, room_id) == 1, 10, "b stops hearing the room its last socket left")
    ann.close()


def test_a_server_blind_room_is_one_room_on_every_process(shared, people_at):
    """Made on one process, opened, joined and spoken in on another, purged from the second: as one process."""
    a, b, _c = shared.servers
    ann, bob = people_at(a.url), people_at(b.url)
    body = create_body(alias="ann")
    room_id = ann.post_json("/api/rooms", body).json()["room_id"]
    assert bob.http.get(f"{b.url}/api/rooms/{room_id}").json() == {"mode": "e2e", "kdf": body["kdf"]}
    assert bob.post_json(f"/api/rooms/{room_id}/join", {"alias": "bob", "verifier": body["verifier"]}).ok
    sockets = {"ann": ann.connect(room_id, url=a.url), "bob": bob.connect(room_id, url=b.url)}
    welcome = sockets["bob"].wait("welcome")
    assert (welcome["mode"], welcome["kdf"], welcome["name_ct"]) == ("e2e", body["kdf"], body["name_ct"])
    sent = envelope(2)
    assert sockets["ann"].call("message", {"e2e": sent})["ok"]
    for sock in sockets.values():
        assert sock.wait("message")["e2e"] == sent
    assert sockets["bob"].call("purge")["ok"]
    assert notice(sockets["ann"].wait("purged")) == {"reason": "purged", "by": "bob"}
    assert people_at(a.url).http.get(f"{a.url}/api/rooms/{room_id}").status_code == 404


def test_purge_on_one_process_wipes_clients_on_the_others(shared, people_at):
    a, b, c = shared.servers
    ann = people_at(a.url)
    room_id = ann.create(alias="ann").json()["room_id"]
    sockets = [
        seat(ann, room_id, a.url, "ann"),
        seat(people_at(b.url), room_id, b.url, "bob"),
        seat(people_at(c.url), room_id, c.url, "cleo"),
    ]
    assert sockets[0].call("purge")["ok"]
    for sock in sockets:
        assert notice(sock.wait("purged")) == {"reason": "purged", "by": "ann"}
        sock.wait("disconnect")
    for server in (a, b, c):
        assert people_at(server.url).join(room_id, alias="dora").status_code == 404


def test_logout_on_one_process_revokes_the_cookie_on_another(shared, people_at):
    a, b, _c = shared.servers
    ann = people_at(a.url)
    room_id = ann.create(alias="ann").json()["room_id"]
    cookie = ann.cookie_header()
    on_a = ann.connect(room_id)
    on_a.wait("welcome")
    on_b = ann.connect(room_id, url=b.url)
    on_b.wait("welcome")
    assert on_a.call("logout")["ok"]
    on_a.wait("disconnect")
    on_b.wait("disconnect")
    with pytest.raises(Refused, match=r"^unauthorized$"):
        ann.connect(room_id, cookie=cookie, url=b.url)
    # The alias is free again on every process.
    assert people_at(b.url).join(room_id, alias="ann").status_code == 200


class ChannelListener:
    """Counts what the processes publish on a channel, as a third party."""

    def __init__(self, store: RedisServer, channel: str) -> None:
        self._client = store.client()
        self._pubsub = self._client.pubsub()
        self._pubsub.subscribe(channel)
        self._pubsub.get_message(timeout=EVENT_TIMEOUT)  # the subscribe confirmation

    def emits(self, window: float) -> list[dict[str, object]]:
        """Every emit seen until `window` seconds pass without one more message."""
        found = []
        while (message := self._pubsub.get_message(timeout=window)) is not None:
            if message["type"] == "message" and (data := json.loads(message["data"])).get("method") == "emit":
                found.append(data)
        return found

    def purged_events(self, room_id: str, window: float) -> list[dict[str, object]]:
        """Every `purged` emit for `room_id` seen until `window` seconds pass without one more message."""
        return [data for data in self.emits(window) if data.get("event") == "purged" and data.get("room") == room_id]

    def close(self) -> None:
        self._pubsub.close()
        self._client.close()


def test_expiry_fires_once_across_processes(short_lived, people_at):
    servers = short_lived.servers
    ann = people_at(servers[0].url)
    room_id = ann.create(alias="ann").json()["room_id"]
    listener = ChannelListener(short_lived.store, room_channel(room_id))
    try:
        sockets = [seat(ann, room_id, servers[0].url, "ann")]
        sockets += [seat(people_at(s.url), room_id, s.url, f"p{i}") for i, s in enumerate(servers[1:])]
        for sock in sockets:
            assert notice(sock.wait("purged", timeout=15)) == {"reason": "expired", "by": None}
            sock.wait("disconnect")
        # Three reapers tick every 0.25 s; two quiet seconds cover eight ticks each.
        emitted = listener.purged_events(room_id, window=2.0)
    finally:
        listener.close()
    assert len(emitted) == 1, emitted


def test_expiry_is_announced_within_a_second_of_its_time(short_lived, people_at):
    a, b, _c = short_lived.servers
    ann = people_at(a.url)
    room_id = ann.create(alias="ann").json()["room_id"]
    sock = ann.connect(room_id, url=b.url)
    expires_at = sock.wait("welcome")["expires_at"] / 1000
    assert sock.wait("purged", timeout=15)["reason"] == "expired"
    late = time.time() - expires_at
    print(f"expiry announced {late * 1000:.0f} ms after expires_at")
    # The reaper ticks every 0.25 s; the bound is generous for a loaded machine.
    assert -0.05 < late < 1.0 + 1.5


def _join_all(servers: list[RunningServer], room_id: str, aliases: list[str]) -> list[tuple[int, str]]:
    """Every alias joins at once, spread over the processes; returns (status, error code or alias)."""
    start = threading.Barrier(len(aliases))

    def join(i: int) -> tuple[int, str]:
        with contextlib.closing(Person(servers[i % len(servers)].url)) as person:
            start.wait(EVENT_TIMEOUT)
            while True:
                response = person.join(room_id, alias=aliases[i])
                if response.status_code != 429:
                    break
                # The bcrypt queue of one process is full: back off as a real client does.
                time.sleep(0.05)
            return response.status_code, response.json().get("error", aliases[i])

    with ThreadPoolExecutor(len(aliases)) as pool:
        return list(pool.map(join, range(len(aliases))))


def test_sixty_joins_over_three_processes_fill_exactly_the_seats(shared):
    servers = shared.servers
    with contextlib.closing(Person(servers[0].url)) as creator:
        room_id = creator.create(alias="creator").json()["room_id"]
    outcomes = _join_all(servers, room_id, [f"guest{i}" for i in range(60)])
    assert sum(status == 200 for status, _ in outcomes) == SEATS - 1, outcomes  # the creator holds a seat
    assert sorted({outcome for outcome in outcomes if outcome[0] != 200}) == [(409, "room_full")]
    with contextlib.closing(Person(servers[1].url)) as late:
        assert late.join(room_id, alias="late").json()["error"] == "room_full"


def test_one_alias_raced_over_three_processes_is_given_once(shared):
    servers = shared.servers
    with contextlib.closing(Person(servers[0].url)) as creator:
        room_id = creator.create(alias="creator").json()["room_id"]
    outcomes = _join_all(servers, room_id, ["Twin"] * 15 + ["twin"] * 15)
    assert sum(status == 200 for status, _ in outcomes) == 1, outcomes
    assert sorted({outcome for outcome in outcomes if outcome[0] != 200}) == [(409, "alias_taken")]


def test_stopping_one_process_leaves_presence_and_purges_nothing(processes, people_at, own_redis):
    a, b = processes(2)
    ann = people_at(a.url)
    room_id = ann.create(alias="ann").json()["room_id"]
    on_a = seat(ann, room_id, a.url, "ann")
    on_b = seat(people_at(b.url), room_id, b.url, "bob")
    on_a.wait_for("presence", lambda p: aliases(p) == ["ann", "bob"])
    assert b.stop() == 0
    with own_redis.client() as client:
        assert client.zcard("eph:procs") == 1  # B signed off itself; no one had to find it dead
    # Bob is out of presence, nobody was purged.
    on_a.wait_for("presence", lambda p: aliases(p) == ["ann"])
    on_b.wait("disconnect")
    assert on_b.pending("purged") == []
    assert on_a.send("the room lives on")["ok"]
    assert on_a.wait("message")["html"] == "<p>the room lives on</p>"
    assert people_at(a.url).join(room_id, alias="cleo").status_code == 200
