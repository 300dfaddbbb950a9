"""A guessing storm across two real processes on one Redis, one gevent and one eventlet.

Each process watches its own joins, so each is put under a storm by its own
wrong password (a process storm of one, for the test). A challenge made by one
process is good on the other, and a proof spent on one is spent on both.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.people import Person
from tests.support.proofs import solve
from tests.support.redis import RedisServer
from tests.support.server import RunningServer, start_all, stop_all

STORM = {
    "EPHEMERAL_PROOF_DIFFICULTY": "8",
    "EPHEMERAL_PROOF_DIFFICULTY_PROCESS": "8",
    "EPHEMERAL_STORM_LIMIT_PER_PROCESS": "1/60",  # one wrong password puts a process under a storm
}


def join(person: Person, room_id: str, alias: str, password: str = "secret", proof: str | None = None) -> dict:
    body = {"alias": alias, "password": password, **({"proof": proof} if proof is not None else {})}
    answer = person.post_json(f"/api/rooms/{room_id}/join", body)
    return {"status": answer.status_code, **answer.json()}


@pytest.fixture
def processes(own_redis: RedisServer, tmp_path: Path) -> Iterator[list[RunningServer]]:
    """A gevent and an eventlet process on this test's own Redis, started side by side."""
    env = {**own_redis.env(), **STORM}
    started = start_all(tmp_path, [(mode, env) for mode in ("gevent", "eventlet")])
    yield started
    stop_all(started)


def test_a_proof_is_made_on_one_process_paid_on_another_and_spent_on_both(processes: list[RunningServer]) -> None:
    first, second = processes
    room_id = Person(first.url).create(alias="ann").json()["room_id"]
    # Outside a storm nothing is asked, on either process.
    assert join(Person(second.url), room_id, "bea")["status"] == 200

    for server in (first, second):
        assert join(Person(server.url), room_id, "eve", "wrong")["status"] == 403

    asked = join(Person(first.url), room_id, "bob")
    assert (asked["status"], asked["error"], asked["difficulty"]) == (428, "proof_required", 8)
    proof = solve(asked["challenge"], asked["difficulty"])
    assert join(Person(second.url), room_id, "bob", proof=proof)["status"] == 200

    replayed = join(Person(first.url), room_id, "cleo", proof=proof)
    assert (replayed["status"], replayed["error"]) == (428, "proof_invalid")
    assert "already used" in replayed["message"]
    for server in (first, second):
        assert server.alive()
