"""Someone who knows a room's password cannot buy unlimited bcrypt with it, nor keep others' hashes waiting.

A join with the right password that still fails (the alias is taken, the room is
full) ran bcrypt and used to cost its address nothing, so one address could keep
bcrypt busy for every room of the process. Every attempt that reaches bcrypt now
counts against its address unless it lets the person in; and hashes wait their
turn by address, so the places one address holds in the queue go to others first.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

import ephemeral
from ephemeral import create_app
from ephemeral.hashing import BcryptInThread
from ephemeral.ratelimit import address_key
from tests.support.clock import FakeClock
from tests.support.inprocess import BackgroundTasks, Person
from tests.support.threads import WAIT, Outcomes

# The documented default (docs/protocol.md, Abuse limits): 10 at once, then one per 6 s.
ADDRESS_BURST = 10
ADDRESS_REFILL_SECONDS = 6
CREATE_BURST = 10


@pytest.fixture
def make_app(tasks: BackgroundTasks) -> Iterator[Callable[..., Flask]]:
    def make(**settings: object) -> Flask:
        return create_app({"ASYNC_MODE": "threading", "BCRYPT_COST": 4, **settings}, environ={})

    yield make
    tasks.run()


def hashes_run(app: Flask) -> int:
    return int(app.extensions["ephemeral"].hasher.hashes_run)


@pytest.mark.parametrize("refusal", ["alias_taken", "room_full"])
def test_right_password_refusals_count_against_the_address(
    make_app: Callable[..., Flask], tasks: BackgroundTasks, refusal: str
) -> None:
    app = make_app(MAX_PARTICIPANTS=2)
    room_id = Person(app, tasks).create(alias="ann", password="secret").json()["room_id"]
    if refusal == "room_full":
        assert Person(app, tasks).join(room_id, alias="bob", password="secret").status_code == 200
    alias = "ann" if refusal == "alias_taken" else "mallory"
    mallory = Person(app, tasks)
    before = hashes_run(app)
    answers = [mallory.join(room_id, alias=alias, password="secret") for _ in range(ADDRESS_BURST)]
    assert [(a.status_code, a.json()["error"]) for a in answers] == [(409, refusal)] * ADDRESS_BURST
    assert hashes_run(app) == before + ADDRESS_BURST

    refused = mallory.join(room_id, alias=alias, password="secret")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == str(ADDRESS_REFILL_SECONDS)
    assert hashes_run(app) == before + ADDRESS_BURST  # refused before bcrypt
    # Someone else, from another address, is not held to mallory's budget.
    assert Person(app, tasks).join(room_id, alias=alias, password="secret").status_code == 409


def test_joins_that_get_in_or_never_reach_bcrypt_cost_the_address_nothing(
    make_app: Callable[..., Flask], tasks: BackgroundTasks
) -> None:
    app = make_app(MAX_PARTICIPANTS=3 * ADDRESS_BURST)
    room_id = Person(app, tasks).create(alias="ann", password="secret").json()["room_id"]
    school = Person(app, tasks)  # a class behind one address: each right password lets someone in
    for n in range(2 * ADDRESS_BURST):
        assert school.join(room_id, alias=f"student {n}", password="secret").status_code == 200
    for _ in range(2 * ADDRESS_BURST):  # refused for the alias field, before any hash
        assert school.join(room_id, alias="", password="secret").status_code == 400
    taken = [school.join(room_id, alias="ann", password="secret").status_code for _ in range(ADDRESS_BURST)]
    assert taken == [409] * ADDRESS_BURST  # the whole budget is still there for mistakes


class HeldBcrypt(BcryptInThread):
    """bcrypt that, once `hold` is cleared, parks every hash until the test sets it again."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.open.set()
        self.entered = threading.Semaphore(0)

    def hash(self, secret: bytes, cost: int) -> tuple[bytes, float]:
        self._park()
        return super().hash(secret, cost)

    def check(self, secret: bytes, hashed: bytes) -> tuple[bool, float]:
        self._park()
        return super().check(secret, hashed)

    def _park(self) -> None:
        if not self.open.is_set():
            self.entered.release()
            assert self.open.wait(WAIT), "the test never let the held hash go"


@pytest.fixture
def held_bcrypt(monkeypatch: pytest.MonkeyPatch) -> Iterator[HeldBcrypt]:
    held = HeldBcrypt()
    monkeypatch.setattr(ephemeral, "bcrypt_for", lambda async_mode: held)
    yield held
    held.open.set()


def test_a_creation_refused_after_its_hash_counts_against_the_address(
    tasks: BackgroundTasks, held_bcrypt: HeldBcrypt
) -> None:
    """Two creations race for the last room: both pass the count before hashing, the second loses after it."""
    # The limits read a clock that stands still, so a level read is what was spent.
    app = create_app({"ASYNC_MODE": "threading", "BCRYPT_COST": 4, "MAX_ROOMS": 1}, environ={}, clock=FakeClock())
    gate = app.extensions["ephemeral"].hasher.gate
    first, second, outcomes = Person(app, tasks), Person(app, tasks), Outcomes()
    held_bcrypt.open.clear()
    outcomes.run(lambda: first.create(alias="ann").status_code)
    assert held_bcrypt.entered.acquire(timeout=WAIT)
    outcomes.run(lambda: second.create(alias="bob").status_code)
    with gate._changed:  # the second waits for the gate's only slot, its room count already passed
        assert gate._changed.wait_for(lambda: gate.waiting() == 1, timeout=WAIT)
    held_bcrypt.open.set()
    assert sorted(outcomes.wait_for(2)) == [201, 503]
    creations = app.extensions["ephemeral"].limits.create_by_address
    assert creations.level(address_key(second.address)) == CREATE_BURST - 1
    assert second.create(alias="bob").status_code == 503  # refused before hashing: free
    assert creations.level(address_key(second.address)) == CREATE_BURST - 1


QUEUE = 4
ATTEMPTS = 2 * ADDRESS_BURST
HONEST = 3


def test_one_address_holding_the_bcrypt_queue_does_not_keep_others_from_creating(
    make_app: Callable[..., Flask], tasks: BackgroundTasks, held_bcrypt: HeldBcrypt
) -> None:
    """The attack as reported: many right-password joins with a taken alias from one address, then creations."""
    app = make_app(BCRYPT_QUEUE=QUEUE)
    room_id = Person(app, tasks).create(alias="ann", password="secret").json()["room_id"]
    held_bcrypt.open.clear()
    mallory = Person(app, tasks)
    outcomes = Outcomes()

    def attempt(who: str, call: Callable[[], Any]) -> Callable[[], tuple[str, int]]:
        return lambda: (who, call().status_code)

    for _ in range(ATTEMPTS):
        outcomes.run(attempt("mallory", lambda: mallory.join(room_id, alias="ann", password="secret")))
    held_bcrypt.entered.acquire(timeout=WAIT)  # one of them is hashing; QUEUE more wait their turn
    # The rest are refused: by the gate's full queue, or by their address's limit.
    refused_at_once = ATTEMPTS - 1 - QUEUE
    assert outcomes.wait_for(refused_at_once) == [("mallory", 429)] * refused_at_once

    for n in range(HONEST):
        creator = Person(app, tasks)
        outcomes.run(attempt("honest", lambda creator=creator, n=n: creator.create(alias=f"host {n}")))
    # Each creation takes the place of one of mallory's waiting hashes, which is refused; none is refused itself.
    settled = outcomes.wait_for(refused_at_once + HONEST)
    assert ("honest", 429) not in settled
    held_bcrypt.open.set()
    everything = outcomes.wait_for(ATTEMPTS + HONEST)
    assert sorted(status for who, status in everything if who == "honest") == [201] * HONEST
    assert sorted(status for who, status in everything if who == "mallory") == [409] * (1 + QUEUE - HONEST) + [429] * (
        ATTEMPTS - 1 - QUEUE + HONEST
    )
