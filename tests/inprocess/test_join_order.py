"""Before the password is right, nothing says who is in a room: not the join page, not the answer to a wrong one.

The store checks the password before the alias and the seats
(`tests/contract/test_join_order.py`); here the same holds for what the API and
the form answer, and the join page a link opens shows the same to everyone
without a binding, whoever and however many are inside.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask

from ephemeral import create_app
from tests.support.inprocess import BackgroundTasks, Person

CSRF = re.compile(r'name="csrf_token" value="[^"]+"')


@pytest.fixture
def small_app(tasks: BackgroundTasks) -> Flask:
    """Rooms of two."""
    return create_app({"ASYNC_MODE": "threading", "BCRYPT_COST": 4, "MAX_PARTICIPANTS": 2}, environ={})


def page_without_its_tokens(text: str, room_id: str) -> str:
    """A page as anyone sees it: its own CSRF token and the room's id taken out."""
    return CSRF.sub('name="csrf_token" value=""', text).replace(room_id, "ROOM")


def test_a_wrong_password_is_answered_alike_whoever_is_in_the_room(small_app: Flask, tasks: BackgroundTasks) -> None:
    def person() -> Person:
        return Person(small_app, tasks)

    room_id = person().create(alias="ann", password="right").json()["room_id"]

    def wrong(alias: str) -> tuple[int, object]:
        answer = person().join(room_id, alias=alias, password="wrong")
        return answer.status_code, answer.json()

    alone = wrong("zed")
    assert alone[0] == 403
    assert wrong("ann") == alone  # the alias is taken
    assert person().join(room_id, alias="ann", password="right").json()["error"] == "alias_taken"
    assert person().join(room_id, alias="bob", password="right").status_code == 200
    assert wrong("zed") == alone  # the room is full
    assert wrong("ann") == alone  # full, and the alias taken
    assert person().join(room_id, alias="zed", password="right").json()["error"] == "room_full"


def form_join(person: Person, room_id: str, alias: str, password: str) -> tuple[int, str]:
    page = person.get(f"/r/{room_id}").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    form = {"csrf_token": token[1], "alias": alias, "password": password}
    answer = person.http.post(f"/r/{room_id}", data=form)
    return answer.status_code, page_without_its_tokens(answer.get_data(as_text=True), room_id)


def test_the_join_form_answers_a_wrong_password_alike_whoever_is_in_the_room(
    small_app: Flask, tasks: BackgroundTasks
) -> None:
    def person() -> Person:
        return Person(small_app, tasks)

    empty = person().create(alias="host", password="right").json()["room_id"]
    baseline = form_join(person(), empty, "ann", "wrong")  # nobody called ann there
    assert baseline[0] == 403

    room_id = person().create(alias="ann", password="right").json()["room_id"]
    assert form_join(person(), room_id, "ann", "wrong") == baseline  # ann is in
    assert person().join(room_id, alias="bob", password="right").status_code == 200
    assert form_join(person(), room_id, "ann", "wrong") == baseline  # and the room is full


def test_the_join_page_shows_no_alias_and_no_count(people: Callable[[], Person]) -> None:
    markers = ["ann-7f3c", "bob-91aa", "cleo-d02e"]
    alone = people().create(alias="host-5b1e", name="quiet", password="right").json()["room_id"]
    busy = people().create(alias=markers[0], name="quiet", password="right").json()["room_id"]
    for alias in markers[1:]:
        joined = people()
        assert joined.join(busy, alias=alias, password="right").status_code == 200
        joined.connect(busy)  # present, not only bound
    pages = {room_id: people().get(f"/r/{room_id}") for room_id in (alone, busy)}
    assert [page.status_code for page in pages.values()] == [200, 200]
    busy_page = pages[busy].text
    assert not any(marker in busy_page for marker in markers)
    assert "host-5b1e" not in pages[alone].text
    # One person or three, the page a stranger gets is the same, byte for byte.
    assert page_without_its_tokens(busy_page, busy) == page_without_its_tokens(pages[alone].text, alone)
