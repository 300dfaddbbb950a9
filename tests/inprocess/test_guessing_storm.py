"""A guessing storm, in process: its joins pay a proof of work; outside one nothing changes.

A storm is made the way a botnet makes one, with wrong passwords from several
addresses. The proofs are solved here the way the web client solves them
(tests/unit/test_proof_of_work.py), at a low difficulty so the test stays fast.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from ephemeral import create_app
from ephemeral.ratelimit import WRONG_PASSWORD_PER_ADDRESS, WRONG_PASSWORD_PER_ROOM, Limit
from tests.support.inprocess import Answer, BackgroundTasks, Person
from tests.support.proofs import solve, unsolved

BITS = 6
# More than half the room's wrong-password burst: the room is in a storm.
STORM_GUESSES = int(WRONG_PASSWORD_PER_ROOM.burst) // 2 + 1
PER_ADDRESS = int(WRONG_PASSWORD_PER_ADDRESS.burst)
CHALLENGE = re.compile(r'data-challenge="([^"]+)"\s+data-difficulty="([0-9]+)"')


@pytest.fixture
def make_app(tasks: BackgroundTasks) -> Iterator[Callable[..., Flask]]:
    def make(**settings: object) -> Flask:
        return create_app({"ASYNC_MODE": "threading", "BCRYPT_COST": 4, "PROOF_DIFFICULTY": BITS, **settings}, {})

    yield make
    tasks.run()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def person(app: Flask, tasks: BackgroundTasks) -> Callable[[], Person]:
    return lambda: Person(app, tasks)


def join(person: Person, room_id: str, alias: str, password: str = "secret", **extra: object) -> Answer:
    return person.post_json(f"/api/rooms/{room_id}/join", {"alias": alias, "password": password, **extra})


def guessing_storm(person: Callable[[], Person], room_id: str, guesses: int = STORM_GUESSES) -> None:
    """Wrong passwords from as many addresses as the per-address limit needs."""
    guessers = [person() for _ in range(guesses // PER_ADDRESS + 1)]
    for n in range(guesses):
        assert join(guessers[n % len(guessers)], room_id, "eve", "wrong").status_code == 403


@pytest.fixture
def room_id(person: Callable[[], Person]) -> str:
    return str(person().create(alias="ann", password="secret").json()["room_id"])


def test_outside_a_storm_a_join_is_one_request_and_a_page_carries_no_challenge(
    person: Callable[[], Person], room_id: str
) -> None:
    guessing_storm(person, room_id, STORM_GUESSES - 1)  # half the burst: typos, not a storm
    bob = person()
    page = bob.get(f"/r/{room_id}")
    assert page.status_code == 200
    assert "data-challenge" not in page.text and 'name="proof"' not in page.text
    assert join(bob, room_id, "bob").status_code == 200
    # A proof sent anyway is not looked at.
    assert join(person(), room_id, "cleo", proof="nonsense").status_code == 200


def test_in_a_storm_a_join_pays_a_proof_once(person: Callable[[], Person], room_id: str) -> None:
    guessing_storm(person, room_id)
    bob = person()
    refused = join(bob, room_id, "bob")
    assert refused.status_code == 428
    body = refused.json()
    assert body["error"] == "proof_required" and body["message"]
    assert body["difficulty"] == BITS and body["challenge"].startswith(f"1.{room_id}.")

    proof = solve(body["challenge"], body["difficulty"])
    joined = join(bob, room_id, "bob", proof=proof)
    assert joined.status_code == 200 and joined.json()["alias"] == "bob"

    replayed = join(person(), room_id, "cleo", proof=proof)
    assert replayed.status_code == 428
    assert replayed.json()["error"] == "proof_invalid"
    assert replayed.json()["challenge"] != body["challenge"]  # a new one, to solve instead


@pytest.mark.parametrize(
    "proof",
    [
        pytest.param(lambda challenge: unsolved(challenge, BITS), id="unsolved"),
        pytest.param(lambda challenge: challenge + ":x", id="malformed"),
        pytest.param(lambda challenge: 42, id="not-a-string"),
        pytest.param(lambda challenge: {"proof": challenge}, id="object"),
        pytest.param(lambda challenge: challenge + ":" + "1" * 10_000, id="huge"),
    ],
)
def test_in_a_storm_a_bad_proof_is_a_clear_428(
    person: Callable[[], Person], room_id: str, proof: Callable[[str], object]
) -> None:
    guessing_storm(person, room_id)
    bob = person()
    challenge = join(bob, room_id, "bob").json()["challenge"]
    refused = join(bob, room_id, "bob", proof=proof(challenge))
    assert refused.status_code == 428
    assert refused.json()["error"] == "proof_invalid" and refused.json()["challenge"]


def test_a_proof_for_another_room_opens_nothing(make_app: Callable[..., Flask], tasks: BackgroundTasks) -> None:
    app = make_app(PROOF_DIFFICULTY_PROCESS=0)  # two rooms' storms would make a process storm too

    def person() -> Person:
        return Person(app, tasks)

    room_id = str(person().create(alias="ann", password="secret").json()["room_id"])
    other_room = str(person().create(alias="dan", password="secret").json()["room_id"])
    guessing_storm(person, room_id)
    guessing_storm(person, other_room)
    bob = person()
    theirs = join(bob, other_room, "bob").json()
    refused = join(bob, room_id, "bob", proof=solve(theirs["challenge"], theirs["difficulty"]))
    assert refused.status_code == 428 and refused.json()["error"] == "proof_invalid"
    assert "another room" in refused.json()["message"]


def test_joins_without_a_proof_spend_no_limit(person: Callable[[], Person], room_id: str) -> None:
    guessing_storm(person, room_id)
    eve = person()
    for _ in range(3 * PER_ADDRESS):
        assert join(eve, room_id, "eve", "wrong").status_code == 428
    # Had those taken (or held) a token each, this address would now be refused for a while.
    asked = join(eve, room_id, "eve").json()
    assert join(eve, room_id, "eve", proof=solve(asked["challenge"], asked["difficulty"])).status_code == 200


def test_the_join_form_carries_the_challenge_and_takes_the_proof(person: Callable[[], Person], room_id: str) -> None:
    guessing_storm(person, room_id)
    bob = person()
    page = bob.get(f"/r/{room_id}")
    found = CHALLENGE.search(page.text)
    assert found and found[1].startswith(f"1.{room_id}.") and int(found[2]) == BITS
    assert 'name="proof"' in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    form = {"csrf_token": token[1], "alias": "bob", "password": "secret"}

    # Without the proof (a browser without the page's script): the form again, with a challenge, and words.
    refused = bob.http.post(f"/r/{room_id}", data=form)
    assert refused.status_code == 428
    again = CHALLENGE.search(refused.get_data(as_text=True))
    assert again and again[1] != found[1]
    assert "JavaScript" in refused.get_data(as_text=True)
    assert "secret" not in refused.get_data(as_text=True)

    joined = bob.http.post(f"/r/{room_id}", data={**form, "proof": solve(found[1], int(found[2]))})
    assert joined.status_code == 303


def test_a_wrong_password_in_a_storm_comes_back_with_a_new_challenge(person: Callable[[], Person], room_id: str):
    guessing_storm(person, room_id)
    bob = person()
    page = bob.get(f"/r/{room_id}").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    found = CHALLENGE.search(page)
    assert token and found
    form = {"csrf_token": token[1], "alias": "bob", "password": "typo", "proof": solve(found[1], BITS)}
    refused = bob.http.post(f"/r/{room_id}", data=form)
    assert refused.status_code == 403
    again = CHALLENGE.search(refused.get_data(as_text=True))
    assert again and again[1] != found[1]


def test_a_process_storm_asks_every_room(make_app: Callable[..., Flask], tasks: BackgroundTasks) -> None:
    app = make_app(STORM_LIMIT_PER_PROCESS=Limit(burst=3, per_second=3 / 60), PROOF_DIFFICULTY_PROCESS=BITS + 1)
    stormy = Person(app, tasks).create(alias="ann", password="secret").json()["room_id"]
    calm = Person(app, tasks).create(alias="ann", password="secret").json()["room_id"]
    eve = Person(app, tasks)
    assert [join(eve, stormy, "eve", "wrong").status_code for _ in range(3)] == [403] * 3
    refused = join(Person(app, tasks), calm, "bob")
    assert refused.status_code == 428 and refused.json()["difficulty"] == BITS + 1
