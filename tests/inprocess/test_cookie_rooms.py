"""One browser's cookie holds up to 16 live rooms: the 17th is refused before bcrypt, and nothing is pushed out.

Pushing the oldest binding out would leave its seat and alias taken with nobody
able to log out of it; refusing says so and keeps every seat its owner's.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask

from ephemeral.bindings import MAX_BINDINGS
from tests.support.inprocess import Answer, Person

Make = Callable[[], Person]


def _hashes(app: Flask) -> int:
    return int(app.extensions["ephemeral"].hasher.hashes_run)


def _in_rooms(people: Make, n: int) -> tuple[Person, list[str]]:
    """A person whose cookie holds `n` live rooms: some created by them, the rest joined (create limit: 10)."""
    person, rooms = people(), []
    for k in range(n):
        if k < 5:
            created = person.create(alias="me", name=f"mine {k}")
            assert created.status_code == 201, created.text
            rooms.append(created.json()["room_id"])
        else:
            room_id = people().create(alias="host").json()["room_id"]
            assert person.join(room_id, alias="me").status_code == 200
            rooms.append(room_id)
    return person, rooms


def _chat_page(person: Person, room_id: str) -> bool:
    page = person.get(f"/r/{room_id}")
    return page.status_code == 200 and 'id="composer"' in page.text


def _csrf(page: Answer) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def test_the_17th_room_is_refused_before_bcrypt_and_every_room_stays(app: Flask, people: Make) -> None:
    me, rooms = _in_rooms(people, MAX_BINDINGS)
    other = people().create(alias="host").json()["room_id"]
    before = _hashes(app)

    created = me.create(alias="me", name="one too many")
    joined = me.join(other, alias="me", password="not even the right one")

    for answer in (created, joined):
        assert answer.status_code == 409, answer.text
        assert answer.json()["error"] == "too_many_rooms"
        assert "16 rooms" in answer.json()["message"]
    assert _hashes(app) == before  # neither password was looked at
    # The cookie kept every room, the first included: each opens its chat page and a socket.
    assert all(_chat_page(me, room_id) for room_id in rooms)
    first = me.connect(rooms[0])
    assert first.wait("welcome")["alias"] == "me"
    # Leaving one makes room for the next; the seat left is free again.
    assert first.call("logout") == {"ok": True}
    assert me.join(other, alias="me").status_code == 200
    assert people().join(rooms[0], alias="me").status_code == 200


def test_dead_rooms_make_room_at_once(people: Make) -> None:
    me, rooms = _in_rooms(people, MAX_BINDINGS)
    assert me.connect(rooms[3]).call("purge")["ok"]
    assert me.create(alias="me", name="in its place").status_code == 201
    assert me.create(alias="me", name="and no more").json()["error"] == "too_many_rooms"


@pytest.mark.parametrize("form", ["create", "join"])
def test_the_forms_say_so_above_the_form_and_keep_the_cookie(app: Flask, people: Make, form: str) -> None:
    me, rooms = _in_rooms(people, MAX_BINDINGS)
    if form == "create":
        path, fields = "/", {"alias": "me", "name": "one too many", "password": "secret"}
    else:
        path, fields = "/r/" + people().create(alias="host").json()["room_id"], {"alias": "me", "password": "secret"}
    answer = Answer(me.http.post(path, data={"csrf_token": _csrf(me.get(path)), **fields}))
    assert answer.status_code == 409
    assert "This browser is in 16 rooms, as many as it can hold. Leave one first." in answer.text
    assert me.connect(rooms[0]).wait("welcome")["alias"] == "me"
