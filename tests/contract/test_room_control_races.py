"""Room control under races: two hosts, a host and a sender, a host and a joiner act on one room at once.

On Redis every actor is a registry of its own, as every Ephemeral process is, on
one redis-server; in memory they are threads on the one registry. The tests
assert what must hold whatever the interleaving, never when anything happened,
and repeat each race so that many interleavings are tried. Where one
interleaving matters most (a join whose password check is in flight when the
room locks), a parked hasher forces it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import partial

import pytest

from ephemeral.errors import Locked, RoomFull, Unauthorized
from ephemeral.passwords import PasswordHasher
from ephemeral.rooms import (
    GROUP,
    HOST,
    MEMBER,
    STANDARD,
    Binding,
    Notices,
    PresenceChange,
    Removal,
    RoomState,
    RoomStore,
    Speaker,
)
from tests.contract.conftest import TTL, Clock, MakeRegistry
from tests.contract.test_room_store import ParkingHasher
from tests.support.redis import RedisServer
from tests.support.threads import Outcomes

PASSWORD = "correct horse"
ROUNDS = 12
JOINERS = 4
SEATS = 8
GRACE = 30  # seconds; the Redis tests age the room's hostless stamp past it
WAIT = 10  # seconds; only a bound so a broken race fails instead of hanging


@pytest.fixture
def processes(store: str, make_registry: MakeRegistry) -> tuple[RoomStore, RoomStore]:
    """Two processes on one Redis; in memory, the one process twice."""
    here = make_registry(max_rooms=ROUNDS + 1, max_participants=SEATS)
    there = make_registry(max_rooms=ROUNDS + 1, max_participants=SEATS) if store == "redis" else here
    return here, there


@pytest.fixture
def redis_only(store: str) -> None:
    if store != "redis":
        pytest.skip("the memory store is one process: nothing is shared, no process of it can die alone")


def at_once(*calls: Callable[[], object]) -> list[object]:
    """Start every call on its own thread at one barrier; each outcome is its result or the exception it raised."""
    start = threading.Barrier(len(calls), timeout=WAIT)
    outcomes: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        start.wait()
        try:
            outcomes[index] = call()
        except Exception as error:  # noqa: BLE001 - the outcome is what the test asserts
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(i, call), daemon=True) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert not any(thread.is_alive() for thread in threads), "a racer never finished"
    return outcomes


def roles(registry: RoomStore, *bindings: Binding) -> dict[str, str]:
    """The role of every binding that is still alive, by alias."""
    alive = [registry.authenticate(binding.room_id, binding.token) for binding in bindings]
    return {found.alias: found.you.role for found in alive if found is not None}


def send(registry: RoomStore, sid: str, seen: list[Speaker | None]) -> None:
    """Messages on a socket until one is refused: each looks up its speaker first, as the `message` handler does."""
    deadline = time.monotonic() + WAIT  # a bound, not a wait: the kick ends the loop
    while time.monotonic() < deadline:
        seen.append(registry.speaker(sid))
        if seen[-1] is None:
            return


def come_in(registry: RoomStore, room_id: str, alias: str, sid: str, joined: list[Binding]) -> None:
    """Join with the password, then connect."""
    joined.append(registry.join(room_id, alias, PASSWORD))
    registry.attach(room_id, joined[-1].token, sid)


def test_two_hosts_kicking_each_other_leave_exactly_one(processes: tuple[RoomStore, RoomStore]) -> None:
    here, there = processes
    for n in range(ROUNDS):
        ann = here.create("Book club", "Ann", PASSWORD)
        bob = there.join(ann.room_id, "Bob", PASSWORD)
        here.attach(ann.room_id, ann.token, f"ann-{n}")
        there.attach(ann.room_id, bob.token, f"bob-{n}")
        here.promote(f"ann-{n}", bob.you.id)

        outcomes = at_once(partial(here.kick, f"ann-{n}", bob.you.id), partial(there.kick, f"bob-{n}", ann.you.id))

        [removal] = [outcome for outcome in outcomes if isinstance(outcome, Removal)]
        assert sum(isinstance(outcome, Unauthorized) for outcome in outcomes) == 1, outcomes
        survivor, kicked = (ann, bob) if removal.by.id == ann.you.id else (bob, ann)
        assert removal.who.id == kicked.you.id
        assert roles(here, ann, bob) == {survivor.alias: HOST}
        assert [person.id for person in there.presence(ann.room_id)] == [survivor.you.id]


def test_a_kick_racing_messages_leaves_no_half_removed_binding(processes: tuple[RoomStore, RoomStore]) -> None:
    """Bob sends on and on (each message looks up its speaker) while Ann kicks him from another process."""
    here, there = processes
    for n in range(ROUNDS):
        ann = here.create("Book club", "Ann", PASSWORD)
        bob = there.join(ann.room_id, "Bob", PASSWORD)
        here.attach(ann.room_id, ann.token, f"ann-{n}")
        there.attach(ann.room_id, bob.token, f"bob-{n}")
        seen: list[Speaker | None] = []

        removal, _ = at_once(partial(here.kick, f"ann-{n}", bob.you.id), partial(send, there, f"bob-{n}", seen))

        assert isinstance(removal, Removal) and removal.sids == [f"bob-{n}"]
        *before, after = seen
        assert after is None, "Bob still spoke once the kick was done"
        assert all(speaker == Speaker(ann.room_id, bob.you, STANDARD, GROUP) for speaker in before)
        assert there.speaker(f"bob-{n}") is None
        assert there.detach(f"bob-{n}") is None  # his socket already left with him: no second departure
        assert there.authenticate(ann.room_id, bob.token) is None
        with pytest.raises(Unauthorized):
            there.attach(ann.room_id, bob.token, f"bob-{n}-again")
        assert here.presence(ann.room_id) == [ann.you]
        assert there.join(ann.room_id, "Bob", PASSWORD).you.id != bob.you.id  # his alias is free, his id gone


def test_a_lock_racing_joins_never_seats_anyone_after_it(processes: tuple[RoomStore, RoomStore]) -> None:
    here, there = processes
    for n in range(ROUNDS):
        ann = here.create("Book club", "Ann", PASSWORD)
        here.attach(ann.room_id, ann.token, f"ann-{n}")
        joins = [partial(there.join, ann.room_id, f"Guest {g}", PASSWORD) for g in range(JOINERS)]

        state, *outcomes = at_once(partial(here.lock, f"ann-{n}", True), *joins)

        assert isinstance(state, RoomState) and state.locked
        seated = [outcome for outcome in outcomes if isinstance(outcome, Binding)]
        assert len(seated) + sum(isinstance(outcome, Locked) for outcome in outcomes) == JOINERS, outcomes
        assert not any(binding.state.locked for binding in seated)  # each was seated in an unlocked room
        with pytest.raises(Locked):
            there.join(ann.room_id, "Late", PASSWORD)
        here.lock(f"ann-{n}", False)  # the seats left are exactly the ones nobody took: no refused join holds one
        free = SEATS - 1 - len(seated)
        for seat in range(free):
            there.join(ann.room_id, f"Filler {seat}", PASSWORD)
        with pytest.raises(RoomFull):
            there.join(ann.room_id, "One too many", PASSWORD)


def test_a_join_whose_password_check_spans_the_lock_is_refused(
    store: str, make_registry: MakeRegistry, hasher: PasswordHasher
) -> None:
    """The lock lands while Dave's password is being checked on another process: he is `Locked`, not seated."""
    parking = ParkingHasher(hasher)
    there = make_registry(hasher=parking)
    here = make_registry() if store == "redis" else there
    outcomes = Outcomes()
    try:
        ann = here.create("Book club", "Ann", PASSWORD)
        here.attach(ann.room_id, ann.token, "ann-1")
        outcomes.run(partial(there.join, ann.room_id, "Dave", PASSWORD))
        assert parking.parked.wait(WAIT), "the join never reached the hasher"
        here.lock("ann-1", True)
    finally:
        parking.release.set()
    [outcome] = outcomes.wait_for(1)
    assert isinstance(outcome, Locked)
    here.lock("ann-1", False)
    assert there.join(ann.room_id, "Dave", PASSWORD).alias == "Dave"  # unlocked, he gets in


def test_the_last_host_leaving_while_others_come_leaves_exactly_one_host(
    processes: tuple[RoomStore, RoomStore],
) -> None:
    """Ann, the only host, logs out while Bob connects and Cleo joins and connects, on another process."""
    here, there = processes
    for n in range(ROUNDS):
        ann = here.create("Book club", "Ann", PASSWORD)
        bob = there.join(ann.room_id, "Bob", PASSWORD)
        here.attach(ann.room_id, ann.token, f"ann-{n}")
        cleo: list[Binding] = []

        at_once(
            partial(here.logout, f"ann-{n}"),
            partial(there.attach, ann.room_id, bob.token, f"bob-{n}"),
            partial(come_in, there, ann.room_id, "Cleo", f"cleo-{n}", cleo),
        )

        found = roles(there, ann, bob, *cleo)
        assert set(found) == {"Bob", "Cleo"}
        assert sorted(found.values()) == [HOST, MEMBER], found


def test_two_hosts_stepping_down_at_once_never_leave_the_room_without_one(
    processes: tuple[RoomStore, RoomStore],
) -> None:
    here, there = processes
    for n in range(ROUNDS):
        ann = here.create("Book club", "Ann", PASSWORD)
        bob = there.join(ann.room_id, "Bob", PASSWORD)
        cleo = there.join(ann.room_id, "Cleo", PASSWORD)
        here.attach(ann.room_id, ann.token, f"ann-{n}")
        there.attach(ann.room_id, bob.token, f"bob-{n}")
        there.attach(ann.room_id, cleo.token, f"cleo-{n}")
        here.promote(f"ann-{n}", bob.you.id)

        at_once(partial(here.step_down, f"ann-{n}"), partial(there.step_down, f"bob-{n}"))

        assert HOST in roles(here, ann, bob, cleo).values()


def test_a_dead_processs_host_hands_over_after_the_grace_once(
    redis_only: None, make_registry: MakeRegistry, clock: Clock, redis_server: RedisServer
) -> None:
    """Ann hosts on a process that dies; Bob, on a live one, becomes host once the grace has run, and only once."""
    doomed = make_registry(host_grace=GRACE)
    ann = doomed.create("Book club", "Ann", PASSWORD)
    bob = doomed.join(ann.room_id, "Bob", PASSWORD)
    cleo = doomed.join(ann.room_id, "Cleo", PASSWORD)
    doomed.attach(ann.room_id, ann.token, "ann-1")
    with redis_server.client() as client:
        # Every process so far last beat long ago: dead, as after a crash.
        client.zadd("eph:procs", dict.fromkeys(client.zrange("eph:procs", 0, -1), 0))
    survivor, other = make_registry(host_grace=GRACE), make_registry(host_grace=GRACE)
    survivor.attach(ann.room_id, bob.token, "bob-1")  # its first heartbeat finds the dead one: Ann is gone
    other.attach(ann.room_id, cleo.token, "cleo-1")
    assert [person.alias for person in survivor.presence(ann.room_id)] == ["Bob", "Cleo"]
    survivor.upkeep()
    other.upkeep()
    assert roles(survivor, ann, bob, cleo) == {"Ann": HOST, "Bob": MEMBER, "Cleo": MEMBER}  # within the grace

    clock.advance(GRACE + 1)
    handed = [change for notices in at_once(survivor.upkeep, other.upkeep) for change in _presence(notices)]

    [change] = handed  # one process claims it and announces it
    assert {person.alias: person.role for person in change.participants} == {"Bob": HOST, "Cleo": MEMBER}
    # Bob joined before Cleo; Ann keeps her role: she did not leave, her process died.
    assert roles(survivor, ann, bob, cleo) == {"Ann": HOST, "Bob": HOST, "Cleo": MEMBER}
    clock.advance(GRACE + 1)
    assert _presence(survivor.upkeep()) == _presence(other.upkeep()) == []


def _presence(notices: object) -> list[PresenceChange]:
    assert isinstance(notices, Notices), notices
    return notices.presence


# -- what every process shares of a room ends with it --------------------------------------

ENDINGS: dict[str, Callable[[RoomStore, Clock], object]] = {
    "purge": lambda registry, clock: registry.purge("bob-1"),
    "close": lambda registry, clock: registry.close(registry.speaker("bob-1").room_id),  # type: ignore[union-attr]
    "expiry": lambda registry, clock: clock.advance(TTL),
}


@pytest.mark.parametrize("end", ENDINGS.values(), ids=ENDINGS.keys())
def test_a_room_that_ends_leaves_nothing_in_the_shared_indexes(
    redis_only: None,
    registry: RoomStore,
    clock: Clock,
    redis_server: RedisServer,
    end: Callable[[RoomStore, Clock], object],
) -> None:
    """The shared indexes never expire as a whole: a room's end takes out its hostless stamp and its reports."""
    ann = registry.create("Book club", "Ann", PASSWORD)
    bob = registry.join(ann.room_id, "Bob", PASSWORD)
    registry.attach(ann.room_id, ann.token, "ann-1")
    registry.attach(ann.room_id, bob.token, "bob-1")
    registry.detach("ann-1")  # Bob is here without a host: the room is stamped
    registry.report(ann.room_id, "spam")
    with redis_server.client() as client:
        assert client.zscore("eph:hostless", ann.room_id) is not None
        assert client.zscore("eph:reported", ann.room_id) == 1
        room_left = client.pttl(f"eph:room:{ann.room_id}")
        assert 0 < client.pttl(f"eph:room:{ann.room_id}:reports") <= room_left  # read second: never longer

        end(registry, clock)
        registry.upkeep()

        assert client.keys(f"eph:room:{ann.room_id}*") == []
        assert client.zscore("eph:hostless", ann.room_id) is None
        assert client.zscore("eph:reported", ann.room_id) is None
