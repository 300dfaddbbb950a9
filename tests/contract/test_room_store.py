"""The room store contract: who may join, who is present, and how a room ends.

Every test runs against the memory store and against a real redis-server
(`conftest.py`), as plain function calls with real bcrypt at cost 4. Races run
on real threads; hashers that wait on a Barrier or an Event decide the
interleaving, never a sleep.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import partial

import pytest

from ephemeral.errors import AliasTaken, Capacity, Invalid, NotFound, RoomFull, Unauthorized, WrongPassword
from ephemeral.passwords import PasswordHasher
from ephemeral.rooms import (
    GROUP,
    HOST,
    STANDARD,
    Binding,
    Departure,
    Hasher,
    Participant,
    PresenceChange,
    RoomStore,
    Speaker,
    looks_like_room_id,
)
from tests.contract.conftest import MAX_PARTICIPANTS, MAX_ROOMS, TTL, Clock, MakeRegistry, new_room, title

PASSWORD = "correct horse"
WAIT = 10  # seconds; only a bound so a broken race fails instead of hanging

URL_SAFE_22 = re.compile(r"[A-Za-z0-9_-]{22}")


def aliases(people: list[Participant]) -> list[str]:
    return [person.alias for person in people]


@pytest.fixture
def ann(registry: RoomStore, mode: str) -> Binding:
    """Ann creates "Book club", in each mode (a server-blind room keeps its name sealed)."""
    return new_room(registry, mode, "Book club", "Ann", PASSWORD)


@pytest.fixture
def bob(registry: RoomStore, ann: Binding) -> Binding:
    """Bob joins Ann's room."""
    return registry.join(ann.room_id, "Bob", PASSWORD)


@pytest.fixture
def cleo(registry: RoomStore) -> Binding:
    """Cleo creates a different room."""
    return registry.create("Chess", "Cleo", "another password")


@pytest.fixture
def connected(registry: RoomStore, ann: Binding, bob: Binding) -> dict[str, str]:
    """Ann has two tabs open, Bob one; returns sid -> alias."""
    registry.attach(ann.room_id, ann.token, "ann-1")
    registry.attach(ann.room_id, ann.token, "ann-2")
    registry.attach(bob.room_id, bob.token, "bob-1")
    return {"ann-1": "Ann", "ann-2": "Ann", "bob-1": "Bob"}


# -- create ----------------------------------------------------------------------


def test_create_returns_the_creators_binding(ann: Binding, clock: Clock, mode: str) -> None:
    assert URL_SAFE_22.fullmatch(ann.room_id)
    assert looks_like_room_id(ann.room_id)
    assert len(ann.token) >= 43  # 32 random bytes
    assert (ann.name, ann.sealed, ann.alias, ann.mode) == (*title(mode, "Book club"), "Ann", mode)
    assert ann.expires_at == pytest.approx(clock.wall() + TTL, abs=5)


def test_create_stores_the_validated_name_and_alias(registry: RoomStore) -> None:
    full_width_ann = "\uff21\uff4e\uff4e"
    binding = registry.create("  Book \t  club ", f"  {full_width_ann}   Lee ", PASSWORD)
    assert (binding.name, binding.alias) == ("Book club", "Ann Lee")
    assert registry.authenticate(binding.room_id, binding.token) == binding


def test_same_name_makes_different_rooms(registry: RoomStore) -> None:
    first = registry.create("Book club", "Ann", PASSWORD)
    second = registry.create("Book club", "Ann", PASSWORD)
    assert first.room_id != second.room_id
    assert first.token != second.token
    assert registry.live_rooms() == 2


def test_every_token_is_unique(registry: RoomStore) -> None:
    bindings = [registry.create(f"Room {n}", "Ann", PASSWORD) for n in range(MAX_ROOMS)]
    bindings += [registry.join(bindings[0].room_id, f"Guest {n}", PASSWORD) for n in range(MAX_PARTICIPANTS - 1)]
    tokens = [binding.token for binding in bindings]
    assert len(set(tokens)) == len(tokens)
    assert not {binding.room_id for binding in bindings} & set(tokens)


@pytest.mark.parametrize(
    ("name", "alias", "password"),
    [
        pytest.param("n" * 65, "Ann", PASSWORD, id="name-65-chars"),
        pytest.param("", "Ann", PASSWORD, id="name-empty"),
        pytest.param("Book\u202eclub", "Ann", PASSWORD, id="name-bidi"),
        pytest.param("Book club", "a" * 33, PASSWORD, id="alias-33-chars"),
        pytest.param("Book club", "Ann\x00", PASSWORD, id="alias-nul"),
        pytest.param("Book club", "Ann", "", id="password-empty"),
        pytest.param("Book club", "Ann", "x" * 1025, id="password-too-long"),
    ],
)
def test_create_rejects_invalid_fields_before_hashing(
    registry: RoomStore, hasher: PasswordHasher, name: str, alias: str, password: str
) -> None:
    with pytest.raises(Invalid):
        registry.create(name, alias, password)
    assert hasher.hashes_run == 0
    assert registry.live_rooms() == 0


def test_name_of_64_chars_is_accepted(registry: RoomStore) -> None:
    assert registry.create("n" * 64, "Ann", PASSWORD).name == "n" * 64


def test_capacity_at_max_rooms_refuses_before_hashing(registry: RoomStore, hasher: PasswordHasher) -> None:
    for n in range(MAX_ROOMS):
        registry.create(f"Room {n}", "Ann", PASSWORD)
    hashed_so_far = hasher.hashes_run
    with pytest.raises(Capacity):
        registry.create("One too many", "Ann", PASSWORD)
    assert hasher.hashes_run == hashed_so_far
    assert registry.live_rooms() == MAX_ROOMS


def test_purging_a_room_frees_a_slot(registry: RoomStore) -> None:
    rooms = [registry.create(f"Room {n}", "Ann", PASSWORD) for n in range(MAX_ROOMS)]
    registry.attach(rooms[0].room_id, rooms[0].token, "ann-1")
    registry.purge("ann-1")
    assert registry.create("Fresh", "Ann", PASSWORD).name == "Fresh"


def test_expiring_rooms_frees_their_slots(registry: RoomStore, clock: Clock) -> None:
    for n in range(MAX_ROOMS):
        registry.create(f"Room {n}", "Ann", PASSWORD)
    clock.advance(TTL)
    assert len(registry.upkeep().closures) == MAX_ROOMS
    assert registry.create("Fresh", "Ann", PASSWORD).name == "Fresh"


# -- join -------------------------------------------------------------------------


def test_join_with_right_password(registry: RoomStore, ann: Binding, mode: str) -> None:
    bob = registry.join(ann.room_id, "Bob", PASSWORD)
    assert (bob.room_id, bob.name, bob.sealed, bob.alias) == (ann.room_id, *title(mode, "Book club"), "Bob")
    assert bob.token != ann.token
    assert registry.authenticate(ann.room_id, bob.token) == bob


def test_join_keeps_the_rooms_expiry(registry: RoomStore, ann: Binding, clock: Clock) -> None:
    clock.advance(10)
    room_ends = registry.authenticate(ann.room_id, ann.token).expires_at  # type: ignore[union-attr]
    assert registry.join(ann.room_id, "Bob", PASSWORD).expires_at == room_ends


@pytest.mark.parametrize(
    "wrong",
    [
        pytest.param("correct horsf", id="one-char-off"),
        pytest.param("Correct horse", id="case"),
        pytest.param("correct horse ", id="trailing-space-counts"),
        pytest.param(" correct horse", id="leading-space-counts"),
        pytest.param("another password", id="other-rooms-password"),
    ],
)
def test_wrong_password_raises_and_seats_nobody(registry: RoomStore, ann: Binding, cleo: Binding, wrong: str) -> None:
    with pytest.raises(WrongPassword):
        registry.join(ann.room_id, "Bob", wrong)
    assert registry.join(ann.room_id, "Bob", PASSWORD).alias == "Bob"


@pytest.mark.parametrize(
    "room_id",
    [
        pytest.param("A" * 22, id="well-formed-unknown"),
        pytest.param("not a room", id="malformed"),
        pytest.param("", id="empty"),
    ],
)
def test_join_unknown_room_is_not_found_without_hashing(
    registry: RoomStore, hasher: PasswordHasher, ann: Binding, room_id: str
) -> None:
    hashed_so_far = hasher.hashes_run
    with pytest.raises(NotFound):
        registry.join(room_id, "Bob", PASSWORD)
    assert hasher.hashes_run == hashed_so_far


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        pytest.param("  Bob   Lee ", "Bob Lee", id="trimmed-and-folded"),
        pytest.param("\uff22\uff4f\uff42", "Bob", id="full-width-nfkc"),
        pytest.param("b" * 32, "b" * 32, id="32-chars"),
        pytest.param("Zoë", "Zoë", id="accented"),
    ],
)
def test_join_stores_the_validated_alias(registry: RoomStore, ann: Binding, typed: str, stored: str) -> None:
    binding = registry.join(ann.room_id, typed, PASSWORD)
    assert binding.alias == stored
    registry.attach(ann.room_id, binding.token, "sid")
    assert stored in aliases(registry.presence(ann.room_id))


@pytest.mark.parametrize(
    "alias",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param("b" * 33, id="33-chars"),
        pytest.param("Bob\u200b", id="zero-width-space"),
        pytest.param("\u200dBob", id="zero-width-joiner"),
        pytest.param("Bob\u202e", id="bidi-override"),
        pytest.param("\u2067Bob\u2069", id="bidi-isolate"),
        pytest.param("Bob\x1b", id="control"),
        pytest.param("Bob\x00", id="nul"),
        pytest.param(None, id="not-text"),
    ],
)
def test_join_rejects_invalid_alias_before_hashing(
    registry: RoomStore, hasher: PasswordHasher, ann: Binding, alias: object
) -> None:
    hashed_so_far = hasher.hashes_run
    with pytest.raises(Invalid):
        registry.join(ann.room_id, alias, PASSWORD)
    assert hasher.hashes_run == hashed_so_far


@pytest.mark.parametrize(
    ("taken", "attempt"),
    [
        pytest.param("Ann", "Ann", id="exact"),
        pytest.param("Ann", "ann", id="lower"),
        pytest.param("Ann", " ANN ", id="upper-padded"),
        pytest.param("Ann", "\uff21\uff4e\uff4e", id="full-width"),
        pytest.param("Ann Lee", "ann   lee", id="inner-whitespace"),
        pytest.param("Straße", "STRASSE", id="sharp-s-vs-SS"),
        pytest.param("STRASSE", "straße", id="SS-vs-sharp-s"),
    ],
)
def test_alias_is_unique_case_insensitively(registry: RoomStore, taken: str, attempt: str) -> None:
    room = registry.create("Book club", taken, PASSWORD)
    with pytest.raises(AliasTaken):
        registry.join(room.room_id, attempt, PASSWORD)


def test_same_alias_in_different_rooms_is_fine(registry: RoomStore, ann: Binding, cleo: Binding) -> None:
    assert registry.join(cleo.room_id, "Ann", "another password").alias == "Ann"


def test_alias_is_freed_after_logout(registry: RoomStore, ann: Binding, connected: dict[str, str]) -> None:
    registry.logout("bob-1")
    assert registry.join(ann.room_id, "BOB", PASSWORD).alias == "BOB"


def test_room_full_at_max_participants(registry: RoomStore, ann: Binding) -> None:
    for n in range(MAX_PARTICIPANTS - 1):  # Ann holds the first seat
        registry.join(ann.room_id, f"Guest {n}", PASSWORD)
    with pytest.raises(RoomFull):
        registry.join(ann.room_id, "Late", PASSWORD)


def test_logout_frees_a_seat(registry: RoomStore, ann: Binding) -> None:
    guests = [registry.join(ann.room_id, f"Guest {n}", PASSWORD) for n in range(MAX_PARTICIPANTS - 1)]
    registry.attach(ann.room_id, guests[0].token, "guest-0")
    registry.logout("guest-0")
    assert registry.join(ann.room_id, "Late", PASSWORD).alias == "Late"


# -- authenticate ---------------------------------------------------------------


def test_authenticate_live_binding(registry: RoomStore, ann: Binding, bob: Binding) -> None:
    assert registry.authenticate(ann.room_id, ann.token) == ann
    assert registry.authenticate(bob.room_id, bob.token) == bob


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("", id="empty"),
        pytest.param("x" * 43, id="made-up"),
    ],
)
def test_authenticate_wrong_token(registry: RoomStore, ann: Binding, token: str) -> None:
    assert registry.authenticate(ann.room_id, token) is None


def test_tokens_are_single_room(registry: RoomStore, ann: Binding, cleo: Binding) -> None:
    assert registry.authenticate(cleo.room_id, ann.token) is None
    assert registry.authenticate(ann.room_id, cleo.token) is None
    with pytest.raises(Unauthorized):
        registry.attach(cleo.room_id, ann.token, "ann-1")


def test_authenticate_unknown_room(registry: RoomStore, ann: Binding) -> None:
    assert registry.authenticate("A" * 22, ann.token) is None


# -- attach, detach, presence ---------------------------------------------------


def test_attach_returns_the_seat(registry: RoomStore, ann: Binding, mode: str) -> None:
    seat = registry.attach(ann.room_id, ann.token, "ann-1")
    assert (seat.room_id, seat.name, seat.sealed, seat.you) == (ann.room_id, *title(mode, "Book club"), ann.you)
    assert seat.mode == mode
    assert seat.expires_at == ann.expires_at
    assert aliases(seat.participants) == ["Ann"]
    assert seat.presence_changed


def test_attach_with_unknown_token_is_unauthorized(registry: RoomStore, ann: Binding) -> None:
    with pytest.raises(Unauthorized):
        registry.attach(ann.room_id, "x" * 43, "sid")


def test_joined_but_unconnected_is_not_present(registry: RoomStore, ann: Binding, bob: Binding) -> None:
    assert aliases(registry.presence(ann.room_id)) == []
    registry.attach(bob.room_id, bob.token, "bob-1")
    assert aliases(registry.presence(ann.room_id)) == ["Bob"]


def test_second_socket_of_a_participant_counts_once(registry: RoomStore, ann: Binding) -> None:
    first = registry.attach(ann.room_id, ann.token, "ann-1")
    second = registry.attach(ann.room_id, ann.token, "ann-2")
    assert first.presence_changed
    assert not second.presence_changed
    assert aliases(second.participants) == ["Ann"]
    assert aliases(registry.presence(ann.room_id)) == ["Ann"]


def test_detach_reports_presence_and_who_left_only_when_last_socket_leaves(
    registry: RoomStore, ann: Binding, bob: Binding, connected: dict[str, str]
) -> None:
    assert registry.detach("ann-1") is None
    assert aliases(registry.presence(ann.room_id)) == ["Ann", "Bob"]
    assert registry.detach("ann-2") == PresenceChange(ann.room_id, [bob.you], left=ann.you.id)
    assert registry.detach("bob-1") == PresenceChange(ann.room_id, [], left=bob.you.id)


def test_reattach_after_leaving_changes_presence_again(
    registry: RoomStore, ann: Binding, connected: dict[str, str]
) -> None:
    registry.detach("ann-1")
    registry.detach("ann-2")
    assert registry.attach(ann.room_id, ann.token, "ann-3").presence_changed


@pytest.mark.parametrize("sid", ["never-attached", "ann-1"])
def test_detach_of_unknown_or_already_detached_sid(registry: RoomStore, connected: dict[str, str], sid: str) -> None:
    registry.detach("ann-1")
    assert registry.detach(sid) is None


def test_presence_is_sorted_case_insensitively(registry: RoomStore, ann: Binding) -> None:
    registry.attach(ann.room_id, ann.token, "ann-1")
    for alias in ["dora", "Carl", "bob"]:
        binding = registry.join(ann.room_id, alias, PASSWORD)
        registry.attach(ann.room_id, binding.token, f"{alias}-1")
    assert aliases(registry.presence(ann.room_id)) == ["Ann", "bob", "Carl", "dora"]


def test_presence_of_unknown_room_is_empty(registry: RoomStore) -> None:
    assert aliases(registry.presence("A" * 22)) == []


# -- speaker --------------------------------------------------------------------


def test_speaker_is_the_participant_behind_the_socket(
    registry: RoomStore, ann: Binding, bob: Binding, connected: dict[str, str]
) -> None:
    assert registry.speaker("ann-2") == Speaker(ann.room_id, ann.you, ann.mode, GROUP)
    assert registry.speaker("bob-1") == Speaker(bob.room_id, bob.you, ann.mode, GROUP)


def test_speaker_unknown_or_detached_socket(registry: RoomStore, connected: dict[str, str]) -> None:
    registry.detach("bob-1")
    assert registry.speaker("bob-1") is None
    assert registry.speaker("never-attached") is None


# -- logout ---------------------------------------------------------------------


def test_logout_returns_every_socket_of_the_participant(
    registry: RoomStore, ann: Binding, bob: Binding, connected: dict[str, str]
) -> None:
    departure = registry.logout("ann-2")
    bob_hosts = Participant(bob.you.id, "Bob", HOST)  # Ann was the last host: it passed to Bob at once
    assert departure == Departure(["ann-1", "ann-2"], PresenceChange(ann.room_id, [bob_hosts]))


def test_logout_destroys_the_binding(
    registry: RoomStore, ann: Binding, bob: Binding, connected: dict[str, str]
) -> None:
    registry.logout("ann-1")
    assert registry.authenticate(ann.room_id, ann.token) is None
    assert registry.speaker("ann-1") is None
    assert registry.speaker("ann-2") is None
    assert registry.detach("ann-2") is None
    with pytest.raises(Unauthorized):
        registry.attach(ann.room_id, ann.token, "ann-3")
    assert registry.authenticate(bob.room_id, bob.token) == replace(bob, you=Participant(bob.you.id, "Bob", HOST))
    assert registry.exists(ann.room_id)


def test_logout_of_unknown_socket(registry: RoomStore, connected: dict[str, str]) -> None:
    assert registry.logout("never-attached") is None


# -- purge ------------------------------------------------------------------------


def test_purge_closes_the_room_for_everyone(
    registry: RoomStore, ann: Binding, bob: Binding, connected: dict[str, str]
) -> None:
    closure = registry.purge("bob-1")
    assert closure is not None
    assert (closure.room_id, closure.reason, closure.by) == (ann.room_id, "purged", bob.you)
    assert all(registry.speaker(sid) is None for sid in connected)


def assert_gone(registry: RoomStore, ann: Binding, bob: Binding, sids: list[str]) -> None:
    """Nothing reaches a dead room: no join, no binding, no socket, no speaker, no second ending."""
    with pytest.raises(NotFound):
        registry.join(ann.room_id, "Dora", PASSWORD)
    assert registry.authenticate(ann.room_id, ann.token) is None
    assert registry.authenticate(bob.room_id, bob.token) is None
    with pytest.raises(Unauthorized):
        registry.attach(ann.room_id, bob.token, "bob-late")
    assert not registry.exists(ann.room_id)
    assert registry.presence(ann.room_id) == []
    for sid in sids:
        assert registry.speaker(sid) is None
        assert registry.logout(sid) is None
        assert registry.purge(sid) is None


def test_after_purge_the_room_is_gone(
    registry: RoomStore, ann: Binding, bob: Binding, connected: dict[str, str]
) -> None:
    registry.purge("ann-1")
    assert_gone(registry, ann, bob, list(connected))
    assert all(registry.detach(sid) is None for sid in connected)
    assert registry.live_rooms() == 0


def test_purge_leaves_other_rooms_alone(registry: RoomStore, cleo: Binding, connected: dict[str, str]) -> None:
    registry.attach(cleo.room_id, cleo.token, "cleo-1")
    registry.purge("ann-1")
    assert registry.authenticate(cleo.room_id, cleo.token) == cleo
    assert registry.speaker("cleo-1") == Speaker(cleo.room_id, cleo.you, STANDARD, GROUP)


def test_purge_from_unknown_socket(registry: RoomStore, connected: dict[str, str]) -> None:
    assert registry.purge("never-attached") is None
    assert registry.live_rooms() == 1


# -- expiry -----------------------------------------------------------------------


def test_nothing_expires_before_its_time(registry: RoomStore, clock: Clock, ann: Binding) -> None:
    clock.advance(TTL - 1)
    assert registry.upkeep().closures == []
    assert registry.authenticate(ann.room_id, ann.token).you == ann.you  # type: ignore[union-attr]


@pytest.mark.parametrize("late", [0.0, 0.5, 3600.0], ids=["at-expiry", "half-second-after", "hour-after"])
def test_expire_due_closes_a_room_once(
    registry: RoomStore, clock: Clock, ann: Binding, connected: dict[str, str], late: float
) -> None:
    clock.advance(TTL + late)
    [closure] = registry.upkeep().closures
    assert (closure.room_id, closure.reason, closure.by) == (ann.room_id, "expired", None)
    assert all(registry.speaker(sid) is None for sid in connected)
    assert registry.upkeep().closures == []
    assert registry.live_rooms() == 0


def test_expire_due_closes_only_rooms_whose_time_is_up(registry: RoomStore, clock: Clock, ann: Binding) -> None:
    clock.advance(TTL / 2)
    later = registry.create("Later", "Dora", PASSWORD)
    clock.advance(TTL / 2)
    assert [closure.room_id for closure in registry.upkeep().closures] == [ann.room_id]
    assert registry.authenticate(later.room_id, later.token).you == later.you  # type: ignore[union-attr]


def test_expired_room_is_gone_before_the_reaper_runs(
    registry: RoomStore, clock: Clock, ann: Binding, bob: Binding, connected: dict[str, str]
) -> None:
    clock.advance(TTL)
    assert_gone(registry, ann, bob, list(connected))
    # The reaper still learns about it, so the open sockets get closed.
    [closure] = registry.upkeep().closures
    assert (closure.room_id, closure.reason) == (ann.room_id, "expired")


@pytest.mark.parametrize("store", ["memory"])
def test_shutdown_in_memory_closes_every_room(
    registry: RoomStore, ann: Binding, cleo: Binding, connected: dict[str, str]
) -> None:
    registry.attach(cleo.room_id, cleo.token, "cleo-1")
    notices = registry.shutdown()
    assert sorted((c.room_id, c.reason, c.by) for c in notices.closures) == sorted(
        [(ann.room_id, "shutdown", None), (cleo.room_id, "shutdown", None)]
    )
    assert all(registry.speaker(sid) is None for sid in [*connected, "cleo-1"])
    assert registry.live_rooms() == 0
    assert registry.shutdown().closures == []
    assert registry.upkeep().closures == []


@pytest.mark.parametrize("store", ["redis"])
def test_shutdown_on_redis_leaves_the_rooms_to_other_processes(make_registry: MakeRegistry, mode: str) -> None:
    here, there = make_registry(), make_registry()
    ann = new_room(here, mode, "Book club", "Ann", PASSWORD)
    bob = there.join(ann.room_id, "Bob", PASSWORD)
    here.attach(ann.room_id, ann.token, "ann-1")
    there.attach(ann.room_id, bob.token, "bob-1")
    notices = here.shutdown()
    assert notices.closures == []
    assert [(c.room_id, [p.alias for p in c.participants]) for c in notices.presence] == [(ann.room_id, ["Bob"])]
    assert there.live_rooms() == 1
    assert there.speaker("bob-1") == Speaker(ann.room_id, bob.you, mode, GROUP)
    assert there.authenticate(ann.room_id, ann.token) is not None  # Ann reconnects to another process


# -- races --------------------------------------------------------------------------


def race(calls: list[Callable[[], object]]) -> list[object]:
    """Run every call on its own thread; each outcome is its result or the exception it raised."""
    outcomes: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
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


class RendezvousHasher:
    """Plain-text "hashes"; every racer waits inside verify (or hash) until all have arrived.

    So every joiner has passed the registry's pre-hash checks before any of them takes
    a seat: a check that is not repeated under the lock after hashing lets them all in.
    """

    def __init__(self, parties: int) -> None:
        self.barrier = threading.Barrier(parties, timeout=WAIT)
        self.meet_in_hash = False  # for racing creates

    def hash(self, password: str) -> bytes:
        if self.meet_in_hash:
            self.barrier.wait()
        return password.encode()

    def verify(self, password: str, hashed: bytes) -> bool:
        self.barrier.wait()
        return password.encode() == hashed


def _kinds(outcomes: list[object]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for outcome in outcomes:
        kind = type(outcome).__name__
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def test_sixty_joiners_race_for_fifty_seats(make_registry: MakeRegistry) -> None:
    hasher = RendezvousHasher(parties=60)
    registry = make_registry(hasher=hasher, max_participants=50)
    ann = registry.create("Book club", "Ann", PASSWORD)
    registry.attach(ann.room_id, ann.token, "ann-1")
    registry.logout("ann-1")  # the creator leaves: all 50 seats are free

    outcomes = race([partial(registry.join, ann.room_id, f"Guest {n:02}", PASSWORD) for n in range(60)])

    assert _kinds(outcomes) == {"Binding": 50, "RoomFull": 10}
    seated = [o for o in outcomes if isinstance(o, Binding)]
    assert len({binding.token for binding in seated}) == 50
    for binding in seated:
        assert registry.authenticate(ann.room_id, binding.token) == binding


def test_twenty_joiners_race_for_one_alias(make_registry: MakeRegistry) -> None:
    hasher = RendezvousHasher(parties=20)
    registry = make_registry(hasher=hasher, max_participants=50)
    ann = registry.create("Book club", "Ann", PASSWORD)
    spellings = ["Dana", "dana", "DANA", " Dana ", "\uff24\uff41\uff4e\uff41"]  # last: full-width

    outcomes = race([partial(registry.join, ann.room_id, spellings[n % 5], PASSWORD) for n in range(20)])

    assert _kinds(outcomes) == {"Binding": 1, "AliasTaken": 19}


def test_two_creators_race_for_the_last_room(make_registry: MakeRegistry) -> None:
    hasher = RendezvousHasher(parties=2)
    registry = make_registry(hasher=hasher, max_rooms=1)
    hasher.meet_in_hash = True

    outcomes = race([partial(registry.create, f"Room {n}", "Ann", PASSWORD) for n in range(2)])

    assert _kinds(outcomes) == {"Binding": 1, "Capacity": 1}
    assert registry.live_rooms() == 1


class ParkingHasher:
    """Real bcrypt, but a call from a background thread parks in verify until released."""

    def __init__(self, inner: Hasher) -> None:
        self.inner = inner
        self.parked = threading.Event()
        self.release = threading.Event()

    def hash(self, password: str) -> bytes:
        return self.inner.hash(password)

    def verify(self, password: str, hashed: bytes) -> bool:
        if threading.current_thread() is not threading.main_thread():
            self.parked.set()
            assert self.release.wait(WAIT), "test never released the parked join"
        return self.inner.verify(password, hashed)


@pytest.fixture
def parking(hasher: PasswordHasher) -> Iterator[ParkingHasher]:
    parking = ParkingHasher(hasher)
    yield parking
    parking.release.set()  # never leave a thread parked if an assertion failed


def _nothing(registry: RoomStore, clock: Clock, room: Binding) -> None:
    pass


def _purge_room(registry: RoomStore, clock: Clock, room: Binding) -> None:
    registry.purge("ann-1")


def _expire_room(registry: RoomStore, clock: Clock, room: Binding) -> None:
    clock.advance(TTL)


def _take_alias(registry: RoomStore, clock: Clock, room: Binding) -> None:
    registry.join(room.room_id, "DAVE", PASSWORD)  # one seat still free


def _take_last_seats(registry: RoomStore, clock: Clock, room: Binding) -> None:
    registry.join(room.room_id, "Carl", PASSWORD)
    registry.join(room.room_id, "Erin", PASSWORD)


@pytest.mark.parametrize(
    ("meanwhile", "expected"),
    [
        pytest.param(_nothing, None, id="nothing-happens"),
        pytest.param(_purge_room, NotFound, id="room-purged"),
        pytest.param(_expire_room, NotFound, id="room-expired"),
        pytest.param(_take_alias, AliasTaken, id="alias-taken"),
        pytest.param(_take_last_seats, RoomFull, id="last-seats-taken"),
    ],
)
def test_join_rechecks_the_room_after_hashing(
    make_registry: MakeRegistry,
    parking: ParkingHasher,
    clock: Clock,
    meanwhile: Callable[[RoomStore, Clock, Binding], None],
    expected: type[Exception] | None,
) -> None:
    """Dave's password is checked off the lock; what changed meanwhile decides his seat."""
    registry = make_registry(hasher=parking, max_participants=4)
    ann = registry.create("Book club", "Ann", PASSWORD)
    registry.attach(ann.room_id, ann.token, "ann-1")
    registry.join(ann.room_id, "Bob", PASSWORD)  # two of four seats taken

    outcomes: list[object] = []

    def join_as_dave() -> None:
        try:
            outcomes.append(registry.join(ann.room_id, "Dave", PASSWORD))
        except Exception as error:  # noqa: BLE001 - the outcome is what the test asserts
            outcomes.append(error)

    joiner = threading.Thread(target=join_as_dave, daemon=True)
    joiner.start()
    assert parking.parked.wait(WAIT), "the join never reached the hasher"
    meanwhile(registry, clock, ann)
    parking.release.set()
    joiner.join(WAIT)

    [outcome] = outcomes
    if expected is None:
        assert isinstance(outcome, Binding)
        assert outcome.alias == "Dave"
    else:
        assert isinstance(outcome, expected)
