"""The per-room wrong-password limit as behaviour, and what it leaves honest joins during a guessing storm.

Every guess comes from an address of its own, so only the room's limit counts.
The limits read a fake clock the test moves; nothing sleeps.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from ephemeral import admission, create_app
from ephemeral.ratelimit import Limit
from tests.support.clock import FakeClock
from tests.support.inprocess import Answer, BackgroundTasks, Person
from tests.support.proofs import solve
from tests.support.threads import WAIT, Outcomes

# The documented default (docs/protocol.md, Abuse limits): burst 30, then 1 per 2 s.
ROOM_BURST = 30
ROOM_REFILL_SECONDS = 2.0
# Outside a storm's proofs: this file is about the limit itself.
NO_PROOFS = {"PROOF_DIFFICULTY": 0, "PROOF_DIFFICULTY_PROCESS": 0}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_app(tasks: BackgroundTasks, clock: FakeClock) -> Iterator[Callable[..., Flask]]:
    def make(**settings: object) -> Flask:
        return create_app({"ASYNC_MODE": "threading", "BCRYPT_COST": 4, **settings}, environ={}, clock=clock)

    yield make
    tasks.run()


def hashes_run(app: Flask) -> int:
    return int(app.extensions["ephemeral"].hasher.hashes_run)


def guess(app: Flask, tasks: BackgroundTasks, room_id: str) -> Answer:
    return Person(app, tasks).join(room_id, alias="eve", password="wrong")


def test_exactly_the_burst_is_checked_then_one_per_refill(
    make_app: Callable[..., Flask], tasks: BackgroundTasks, clock: FakeClock
) -> None:
    # A join may wait at most 1 s: shorter than a refill, so a join the room cannot take is refused at once.
    app = make_app(BCRYPT_WAIT=1, **NO_PROOFS)
    room_id = Person(app, tasks).create(password="right").json()["room_id"]
    before = hashes_run(app)
    assert [guess(app, tasks, room_id).status_code for _ in range(ROOM_BURST)] == [403] * ROOM_BURST
    assert hashes_run(app) == before + ROOM_BURST

    def refused() -> None:
        answer = guess(app, tasks, room_id)
        assert (answer.status_code, answer.headers.get("Retry-After")) == (429, "2")
        assert answer.json()["error"] == "rate_limited"

    refused()
    clock.advance(ROOM_REFILL_SECONDS)
    assert guess(app, tasks, room_id).status_code == 403  # one token refilled: one more is checked
    refused()
    clock.advance(2 * ROOM_REFILL_SECONDS)
    assert [guess(app, tasks, room_id).status_code for _ in range(2)] == [403, 403]
    refused()
    assert hashes_run(app) == before + ROOM_BURST + 3  # nothing refused reached bcrypt
    # The right password is no way around it: the room's budget is spent for every join.
    person = Person(app, tasks)
    assert person.join(room_id, alias="bob", password="right").status_code == 429


def queued_joins(room_id: str) -> Callable[[], int]:
    """Joins of this process waiting for `room_id`'s next token."""
    holds = admission._holds
    return lambda: sum(len(queue) for (_, key), queue in holds._turns.items() if key == room_id)


def test_a_join_the_spent_room_can_take_within_its_wait_waits_for_the_refill(
    make_app: Callable[..., Flask], tasks: BackgroundTasks, clock: FakeClock
) -> None:
    app = make_app(**NO_PROOFS)  # a join may wait 30 s: fifteen refills
    room_id = Person(app, tasks).create(password="right").json()["room_id"]
    for _ in range(ROOM_BURST):
        assert guess(app, tasks, room_id).status_code == 403
    outcomes, bob = Outcomes(), Person(app, tasks)
    outcomes.run(lambda: bob.join(room_id, alias="bob", password="right").status_code)
    waiting = queued_joins(room_id)
    with admission._holds._settled:
        assert admission._holds._settled.wait_for(lambda: waiting() == 1, timeout=WAIT)
    clock.advance(ROOM_REFILL_SECONDS)  # the waiting join looks at the clock again within a second
    assert outcomes.wait_for(1) == [200]


GUESSERS = 3
STORM = {
    "WRONG_PASSWORD_LIMIT_PER_ROOM": Limit(burst=4, per_second=8.0),  # a storm of seconds, not minutes
    "WRONG_PASSWORD_LIMIT_PER_ADDRESS": Limit(burst=1000, per_second=1000.0),  # never what stops the guesser
    "PROOF_DIFFICULTY": 4,
    "PROOF_DIFFICULTY_PROCESS": 0,
}


def paying_join(person: Person, room_id: str, alias: str, password: str) -> Answer:
    """A join as the page makes it in a storm: a 428 is answered once, with the proof it asks for."""
    answer = person.join(room_id, alias=alias, password=password)
    if answer.status_code == 428:
        asked = answer.json()
        body = {"alias": alias, "password": password, "proof": solve(asked["challenge"], asked["difficulty"])}
        answer = person.post_json(f"/api/rooms/{room_id}/join", body)
    return answer


def test_honest_joins_that_pay_the_proof_get_in_while_a_paying_guesser_keeps_the_room_spent(
    tasks: BackgroundTasks,
) -> None:
    """Three addresses guess as fast as the room allows and pay every proof; each honest join still gets in."""
    app = create_app({"ASYNC_MODE": "threading", "BCRYPT_COST": 4, **STORM}, environ={})
    room_id = Person(app, tasks).create(password="right").json()["room_id"]
    buckets = app.extensions["ephemeral"].limits.wrong_password_by_room
    stop, spent, guesses = threading.Event(), threading.Event(), Outcomes()

    def guesser(person: Person) -> Callable[[], object]:
        def run() -> object:
            while not stop.is_set():
                refused = paying_join(person, room_id, "eve", "wrong").status_code == 429
                if refused or buckets.level(room_id) < 1:
                    spent.set()
                if refused:
                    stop.wait(0.01)  # pacing, so the refused guesses leave the CPU to the rest
            return None

        return run

    addresses = [Person(app, tasks) for _ in range(GUESSERS)]
    for person in addresses + addresses:  # two at a time from each address
        guesses.run(guesser(person))
    try:
        assert spent.wait(WAIT), "the guessers never spent the room's budget"
        honest = [paying_join(Person(app, tasks), room_id, f"friend {n}", "right") for n in range(3)]
        assert [answer.status_code for answer in honest] == [200, 200, 200]
    finally:
        stop.set()
        guesses.wait_for(2 * GUESSERS)
