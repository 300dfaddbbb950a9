"""The server's room and seat limits as the JSON API answers them.

Both stores keep the limits atomically (`tests/contract/test_room_store.py`);
here a full room answers 409 `room_full` and a full server 503 `capacity`.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from ephemeral import create_app
from tests.support.inprocess import BackgroundTasks, Person


def people_of(tasks: BackgroundTasks, **limits: int) -> Callable[[], Person]:
    """People of a fresh app with these limits (`MAX_PARTICIPANTS=2`, say)."""
    app: Flask = create_app({"ASYNC_MODE": "threading", "BCRYPT_COST": 4, **limits}, environ={})
    return lambda: Person(app, tasks)


def test_room_full(tasks: BackgroundTasks) -> None:
    people = people_of(tasks, MAX_PARTICIPANTS=2)
    room_id = people().create().json()["room_id"]
    assert people().join(room_id, alias="b").status_code == 200
    response = people().join(room_id, alias="c")
    assert response.status_code == 409
    assert response.json()["error"] == "room_full"


def test_capacity(tasks: BackgroundTasks) -> None:
    person = people_of(tasks, MAX_ROOMS=2)()
    assert person.create(name="a").status_code == 201
    assert person.create(name="b").status_code == 201
    response = person.create(name="c")
    assert response.status_code == 503
    assert response.json()["error"] == "capacity"
