"""A full Redis (`maxmemory` reached under `noeviction`) is a 503 `unavailable`, never a 500 `internal`.

Redis refuses every write with `OOM`; reads and pub/sub still work. So creates,
joins and new sockets are told to try again, rooms already open go on talking,
and service resumes once Redis has room.
"""

from __future__ import annotations

import pytest
import redis

from tests.conftest import ASYNC_MODES
from tests.support.people import Person, Refused
from tests.support.redis import running_redis
from tests.support.server import running_server

UNAVAILABLE = {"error": "unavailable", "message": "The room store cannot be reached or is full. Try again in a moment."}


@pytest.mark.parametrize("async_mode", ASYNC_MODES)
def test_a_full_redis_answers_unavailable_and_open_rooms_go_on(tmp_path, people_at, async_mode):
    with (
        running_redis(tmp_path, "--maxmemory-policy", "noeviction") as store,
        running_server(tmp_path, async_mode, store.env()) as srv,
    ):
        ann: Person = people_at(srv.url)
        room_id = ann.create(alias="ann").json()["room_id"]
        ann_socket = ann.connect(room_id)
        ann_socket.wait("welcome")
        bob: Person = people_at(srv.url)
        assert bob.join(room_id, alias="bob").status_code == 200

        with store.client() as client:
            client.config_set("maxmemory", 1)  # every byte Redis holds is past it now
            with pytest.raises(redis.exceptions.OutOfMemoryError):
                client.set("probe", "x")

        created = people_at(srv.url).create(alias="cy")
        joined = people_at(srv.url).join(room_id, alias="dee")
        for answer in (created, joined):
            assert (answer.status_code, answer.json()) == (503, UNAVAILABLE)
        with pytest.raises(Refused, match=r"^unavailable$"):
            bob.connect(room_id)  # attaching a socket writes to Redis
        sent = ann_socket.send("still here")
        assert sent["ok"] is True, sent  # its id and author are written past the limit: a room's last 1,000 at most
        assert ann_socket.wait("message")["html"] == "<p>still here</p>"
        for action, payload in (("react", {"emoji": "👍"}), ("edit", {"text": "still here!"}), ("unsend", {})):
            assert ann_socket.call(action, {"id": sent["id"], **payload})["ok"] is True, action

        with store.client() as client:
            client.config_set("maxmemory", 0)
        assert bob.connect(room_id).wait("welcome")["alias"] == "bob"
        assert people_at(srv.url).create(alias="cy").status_code == 201
        output = srv.output()
    assert "unhandled" not in output
