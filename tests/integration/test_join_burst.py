"""A class opening the same link at once: every right password gets in, waiting its turn rather than refused.

bcrypt runs one hash at a time, so 50 joins at once queue behind each other.
The cost here (8, ~20 ms a hash) makes the queue real: all 50 arrive together
while the first hashes run, as they would at cost 12 over two seconds.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.people import Person
from tests.support.server import running_server

CLASS_SIZE = 50
ANSWER_TIMEOUT = 90.0  # seconds; a bound so a stuck server fails the test instead of hanging it


@pytest.mark.parametrize("async_mode", ["gevent", "eventlet"])
def test_fifty_people_joining_at_once_all_get_in(tmp_path, async_mode):
    # The teacher and the class of 50: one more than the default room holds.
    env = {"EPHEMERAL_BCRYPT_COST": "8", "EPHEMERAL_MAX_PARTICIPANTS": str(CLASS_SIZE + 1)}
    with running_server(tmp_path, async_mode, env) as srv:
        room_id = Person(srv.url).create(alias="teacher", password="class of 2027").json()["room_id"]
        students = [Person(srv.url) for _ in range(CLASS_SIZE)]
        together = threading.Barrier(CLASS_SIZE)

        def join(n: int) -> tuple[int, str | None]:
            together.wait(ANSWER_TIMEOUT)  # everyone clicks the link at the same moment
            body = {"alias": f"student {n}", "password": "class of 2027"}
            answer = students[n].http.post(f"{srv.url}/api/rooms/{room_id}/join", json=body, timeout=ANSWER_TIMEOUT)
            return answer.status_code, answer.json().get("participant_id")

        with ThreadPoolExecutor(CLASS_SIZE) as pool:
            answers = list(pool.map(join, range(CLASS_SIZE)))
        assert [status for status, _ in answers] == [200] * CLASS_SIZE
        assert len({participant for _, participant in answers}) == CLASS_SIZE  # fifty seats, one each
        # Each one is really in: the last one's cookie opens the room.
        socket = students[-1].connect(room_id)
        assert [p["alias"] for p in socket.wait("welcome")["participants"]] == [f"student {CLASS_SIZE - 1}"]
        assert srv.alive()
    assert "unhandled" not in srv.output()
