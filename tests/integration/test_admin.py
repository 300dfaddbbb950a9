"""The operator over real sockets: a report reaches the admin API, and closing a room ends it on every screen.

One server for the module (rooms in memory); then two processes on one Redis,
where a report made through one is listed by the other and a close on one
disconnects a socket held by the other. Most rules are checked in process
(`tests/inprocess/test_reports.py`); the server's output is checked by
`test_privacy.py`, which reports and closes rooms too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.payloads import aliases
from tests.support.people import EVENT_TIMEOUT, Person, Refused, Socket
from tests.support.redis import RedisServer
from tests.support.server import RunningServer, start_server

TOKEN = "operator-token-for-the-admin-tests-" + "0" * 16
ADMIN = {"EPHEMERAL_ADMIN_TOKEN": TOKEN}
BEARER = {"Authorization": f"Bearer {TOKEN}"}
MARK = "zq7admin"
CLOSED = {"reason": "closed", "by": None}


@pytest.fixture(scope="module")
def operated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """One server with an admin token, rooms in memory."""
    running = start_server(tmp_path_factory.mktemp("admin"), "gevent", ADMIN)
    yield running
    running.stop()


def reported_rooms(url: str) -> list[dict[str, Any]]:
    answer = requests.get(f"{url}/api/admin/reports", headers=BEARER, timeout=EVENT_TIMEOUT)
    assert answer.status_code == 200, answer.text
    assert MARK not in answer.text
    rooms: list[dict[str, Any]] = answer.json()["rooms"]
    return rooms


def close(url: str, room_id: str) -> requests.Response:
    return requests.post(f"{url}/api/admin/rooms/{room_id}/close", headers=BEARER, timeout=EVENT_TIMEOUT)


def seated(person: Person, room_id: str, alias: str, url: str | None = None) -> Socket:
    if not person.http.cookies:
        assert person.join(room_id, alias=alias).status_code == 200
    sock = person.connect(room_id, url=url)
    assert sock.wait("welcome")["you"]["alias"] == alias
    return sock


def test_a_reported_room_is_closed_without_being_read(operated: RunningServer, people_at: Callable) -> None:
    """Three people talk; a fourth reports; the operator sees numbers, closes, and the room is gone for all."""
    ann = people_at(operated.url)
    room_id = ann.create(alias=MARK + "ann", name=MARK + "name").json()["room_id"]
    sockets = {MARK + "ann": seated(ann, room_id, MARK + "ann")}
    for alias in (MARK + "bob", MARK + "cleo"):
        person = people_at(operated.url)
        sockets[alias] = seated(person, room_id, alias)
    for sock in sockets.values():
        sock.wait_for("presence", lambda p: len(aliases(p)) == 3)
    assert sockets[MARK + "ann"].send(f"{MARK} a message")["ok"]

    reporter = people_at(operated.url)
    answer = reporter.post_json(f"/api/rooms/{room_id}/report", {"reason": "harassment"})
    assert (answer.status_code, answer.json()) == (202, {"ok": True})
    [found] = [room for room in reported_rooms(operated.url) if room["room_id"] == room_id]
    assert found["reasons"] == {"harassment": 1}
    assert (found["count"], found["participants"]) == (1, 3)

    answer = close(operated.url, room_id)
    assert (answer.status_code, answer.json()) == (200, {"ok": True})
    for sock in sockets.values():
        assert sock.wait("purged") == CLOSED
        assert sock.closed.wait(EVENT_TIMEOUT)
        names = [name for name, _ in sock.log]
        assert "message" not in names[names.index("purged") :]  # nothing after `purged`
    # The old cookie opens neither the page nor a socket; the link says gone; the reports went with the room.
    page = ann.http.get(f"{operated.url}/r/{room_id}", timeout=EVENT_TIMEOUT)
    assert page.status_code == 404
    with pytest.raises(Refused):
        ann.connect(room_id)
    assert [room for room in reported_rooms(operated.url) if room["room_id"] == room_id] == []
    assert close(operated.url, room_id).status_code == 404


def test_a_wrong_token_is_401_and_closes_nothing(operated: RunningServer, people_at: Callable) -> None:
    ann = people_at(operated.url)
    room_id = ann.create().json()["room_id"]
    sock = seated(ann, room_id, "ann")
    for headers in ({}, {"Authorization": f"Bearer {TOKEN[:-1]}x"}, {"Authorization": f"Bearer x{TOKEN}"}):
        answer = requests.post(f"{operated.url}/api/admin/rooms/{room_id}/close", headers=headers, timeout=10)
        assert (answer.status_code, answer.headers["WWW-Authenticate"]) == (401, "Bearer")
    assert sock.send("still here")["ok"]
    assert not sock.closed.is_set()


@pytest.fixture
def two_processes(own_redis: RedisServer, tmp_path: Path) -> Iterator[tuple[RunningServer, RunningServer]]:
    a = start_server(tmp_path, "gevent", {**own_redis.env(), **ADMIN})
    try:
        b = start_server(tmp_path, "gevent", {**own_redis.env(), **ADMIN})
        try:
            yield a, b
        finally:
            b.stop()
    finally:
        a.stop()


def test_on_redis_a_report_through_one_process_is_closed_from_another(two_processes, people_at: Callable) -> None:
    """Reported through A, listed by B; closed on B, the socket held by A hears `purged` and is disconnected."""
    a, b = two_processes
    ann = people_at(a.url)
    room_id = ann.create(alias="ann").json()["room_id"]
    on_a = seated(ann, room_id, "ann", a.url)
    on_b = seated(people_at(b.url), room_id, "bob", b.url)
    assert people_at(a.url).post_json(f"/api/rooms/{room_id}/report", {"reason": "spam"}).status_code == 202
    assert people_at(a.url).post_json(f"/api/rooms/{room_id}/report", {"reason": "threats"}).status_code == 202
    [found] = reported_rooms(b.url)
    assert (found["room_id"], found["reasons"], found["count"], found["participants"]) == (
        room_id,
        {"spam": 1, "threats": 1},
        2,
        2,
    )
    assert close(b.url, room_id).status_code == 200
    for sock in (on_a, on_b):
        assert sock.wait("purged") == CLOSED
        assert sock.closed.wait(EVENT_TIMEOUT)
    assert reported_rooms(a.url) == []
    assert close(a.url, room_id).status_code == 404
