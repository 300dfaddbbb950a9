"""Room control in the store: the creator's rules, hosts who kick, lock, promote and step down,
a room never without a host, and the operator's reports and closing.

Every test runs on the memory store and on a real redis-server (`conftest.py`);
time moves with `clock.advance`, never a sleep. The races of these rules are in
`test_room_control_races.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from ephemeral.errors import AliasTaken, Forbidden, Invalid, Locked, NotFound, RoomFull, Unauthorized, WrongPassword
from ephemeral.passwords import PasswordHasher
from ephemeral.rooms import (
    ANYONE,
    BROADCAST,
    GROUP,
    HOST,
    HOSTS,
    MEMBER,
    PAIR,
    Binding,
    Closure,
    Participant,
    PresenceChange,
    Removal,
    RoomState,
    RoomStore,
    Rules,
    Speaker,
)
from tests.contract.conftest import MAX_PARTICIPANTS, MAX_ROOMS, TTL, Clock, MakeRegistry, new_room

PASSWORD = "correct horse"
GRACE = 10  # seconds of host grace in the tests that move time past it


def as_host(person: Binding) -> Participant:
    return Participant(person.you.id, person.alias, HOST)


def as_member(person: Binding) -> Participant:
    return Participant(person.you.id, person.alias, MEMBER)


def role_of(registry: RoomStore, person: Binding) -> str | None:
    found = registry.authenticate(person.room_id, person.token)
    return found.you.role if found else None


@dataclass(frozen=True)
class Room:
    """Ann hosts; Bob and Cleo joined after her, in that order, each with one socket open."""

    ann: Binding
    bob: Binding
    cleo: Binding

    @property
    def room_id(self) -> str:
        return self.ann.room_id

    @property
    def people(self) -> tuple[Binding, Binding, Binding]:
        return self.ann, self.bob, self.cleo


def open_room(registry: RoomStore, mode: str = "standard", rules: Rules | None = None) -> Room:
    ann = new_room(registry, mode, "Book club", "Ann", PASSWORD, rules)
    bob = registry.join(ann.room_id, "Bob", PASSWORD)
    cleo = registry.join(ann.room_id, "Cleo", PASSWORD)
    for person in (ann, bob, cleo):
        registry.attach(ann.room_id, person.token, f"{person.alias.lower()}-1")
    return Room(ann, bob, cleo)


@pytest.fixture
def room(registry: RoomStore) -> Room:
    return open_room(registry)


def snapshot(registry: RoomStore, room: Room) -> tuple[object, ...]:
    """Everything a refused call must leave as it was: bindings (roles, room state), presence, speakers."""
    return (
        [registry.authenticate(room.room_id, person.token) for person in room.people],
        registry.presence(room.room_id),
        [registry.speaker(sid) for sid in ("ann-1", "bob-1", "cleo-1")],
        registry.exists(room.room_id),
    )


# -- rules at creation ---------------------------------------------------------------


def test_a_room_without_rules_has_the_servers_limits(registry: RoomStore, clock: Clock) -> None:
    ann = registry.create("Book club", "Ann", PASSWORD)
    assert ann.state == RoomState(GROUP, ANYONE, False, int(TTL), MAX_PARTICIPANTS)
    assert ann.expires_at == pytest.approx(clock.wall() + TTL, abs=5)


def test_the_rules_are_in_every_answer(registry: RoomStore, mode: str) -> None:
    rules = Rules(BROADCAST, HOSTS, ttl=30, seats=3, disappear=300, vanish=True, history=True)
    ann = new_room(registry, mode, "News", "Ann", PASSWORD, rules)
    bob = registry.join(ann.room_id, "Bob", PASSWORD)
    chosen = RoomState(BROADCAST, HOSTS, False, 30, 3, disappear=300, vanish=True, history=True)
    seat = registry.attach(ann.room_id, bob.token, "bob-1")
    assert [ann.state, bob.state, seat.state] == [chosen] * 3
    assert registry.authenticate(ann.room_id, ann.token).state == chosen  # type: ignore[union-attr]


def test_rules_beyond_the_servers_limits_are_capped(registry: RoomStore) -> None:
    ann = registry.create("Book club", "Ann", PASSWORD, rules=Rules(ttl=int(TTL) * 10, seats=MAX_PARTICIPANTS + 5))
    assert (ann.state.ttl, ann.state.seats) == (int(TTL), MAX_PARTICIPANTS)


def test_a_pair_room_has_two_seats(registry: RoomStore) -> None:
    assert registry.create("Us", "Ann", PASSWORD, rules=Rules(PAIR)).state == RoomState(PAIR, ANYONE, False, 60, 2)


@pytest.mark.parametrize(
    "rules",
    [
        pytest.param(Rules(kind="party"), id="unknown-kind"),
        pytest.param(Rules(purge="nobody"), id="unknown-policy"),
        pytest.param(Rules(PAIR, seats=3), id="pair-with-three-seats"),
        pytest.param(Rules(ttl=0), id="no-lifetime"),
        pytest.param(Rules(seats=1), id="one-seat"),
        pytest.param(Rules(disappear=45), id="disappear-not-offered"),
        pytest.param(Rules(disappear=True), id="disappear-a-boolean"),  # type: ignore[arg-type]
        pytest.param(Rules(vanish=1), id="vanish-not-a-boolean"),  # type: ignore[arg-type]
        pytest.param(Rules(history="yes"), id="history-not-a-boolean"),  # type: ignore[arg-type]
    ],
)
def test_rules_nobody_could_ask_for_are_invalid_before_hashing(
    registry: RoomStore, hasher: PasswordHasher, rules: Rules
) -> None:
    with pytest.raises(Invalid):
        registry.create("Book club", "Ann", PASSWORD, rules=rules)
    assert hasher.hashes_run == 0
    assert registry.live_rooms() == 0


def test_a_shorter_lifetime_ends_the_room_sooner(registry: RoomStore, clock: Clock) -> None:
    short = registry.create("Quick", "Ann", PASSWORD, rules=Rules(ttl=int(TTL) - 5))
    full = registry.create("Slow", "Ann", PASSWORD)
    assert short.expires_at == pytest.approx(full.expires_at - 5, abs=1)
    clock.advance(TTL - 6)
    assert registry.upkeep().closures == []
    clock.advance(1)
    assert registry.upkeep().closures == [Closure(short.room_id, "expired", None)]
    assert not registry.exists(short.room_id)
    assert registry.exists(full.room_id)


# -- seats ---------------------------------------------------------------------------


def test_seats_count_bindings_not_sockets(registry: RoomStore) -> None:
    ann = registry.create("Book club", "Ann", PASSWORD, rules=Rules(seats=2))
    registry.join(ann.room_id, "Bob", PASSWORD)  # never connects, still holds a seat
    with pytest.raises(RoomFull):
        registry.join(ann.room_id, "Cleo", PASSWORD)


def test_a_seat_freed_by_logout_can_be_taken(registry: RoomStore) -> None:
    ann = registry.create("Book club", "Ann", PASSWORD, rules=Rules(seats=2))
    bob = registry.join(ann.room_id, "Bob", PASSWORD)
    registry.attach(ann.room_id, bob.token, "bob-1")
    registry.logout("bob-1")
    assert registry.join(ann.room_id, "Cleo", PASSWORD).alias == "Cleo"


# -- lock ----------------------------------------------------------------------------


def test_a_host_locks_the_room_and_everyone_in_stays(registry: RoomStore, room: Room) -> None:
    assert registry.lock("ann-1", True) == RoomState(GROUP, ANYONE, True, int(TTL), MAX_PARTICIPANTS)
    assert registry.authenticate(room.room_id, room.bob.token).state.locked  # type: ignore[union-attr]
    assert registry.attach(room.room_id, room.bob.token, "bob-2").state.locked
    assert registry.speaker("cleo-1") is not None


@pytest.mark.parametrize(
    ("password", "refusal"),
    [
        pytest.param(PASSWORD, Locked, id="right-password-is-locked"),
        pytest.param("wrong horse", WrongPassword, id="wrong-password-is-wrong-password"),
    ],
)
def test_a_locked_room_tells_only_people_with_the_password(
    registry: RoomStore, room: Room, password: str, refusal: type[Exception]
) -> None:
    registry.lock("ann-1", True)
    with pytest.raises(refusal):
        registry.join(room.room_id, "Dora", password)


def test_unlocking_lets_people_join_again(registry: RoomStore, room: Room) -> None:
    registry.lock("ann-1", True)
    assert registry.lock("ann-1", True).locked  # idempotent
    assert not registry.lock("ann-1", False).locked
    assert registry.join(room.room_id, "Dora", PASSWORD).alias == "Dora"


def test_locked_is_decided_before_seats_and_aliases(registry: RoomStore, room: Room) -> None:
    registry.join(room.room_id, "Dora", PASSWORD)  # the last seat
    with pytest.raises(RoomFull):
        registry.join(room.room_id, "Bob", PASSWORD)  # full comes before a taken alias
    registry.lock("ann-1", True)
    for alias in ("Bob", "Eve"):
        with pytest.raises(Locked):
            registry.join(room.room_id, alias, PASSWORD)


def test_a_room_where_the_alias_is_taken_but_seats_are_free_says_alias_taken(registry: RoomStore, room: Room) -> None:
    with pytest.raises(AliasTaken):
        registry.join(room.room_id, "bob", PASSWORD)


# -- pair rooms ----------------------------------------------------------------------


def test_the_second_person_in_a_pair_room_locks_it(registry: RoomStore) -> None:
    ann = registry.create("Us", "Ann", PASSWORD, rules=Rules(PAIR))
    assert not ann.state.locked
    bob = registry.join(ann.room_id, "Bob", PASSWORD)
    assert bob.state.locked
    assert registry.authenticate(ann.room_id, ann.token).state.locked  # type: ignore[union-attr]
    with pytest.raises(Locked):
        registry.join(ann.room_id, "Cleo", PASSWORD)
    with pytest.raises(WrongPassword):
        registry.join(ann.room_id, "Cleo", "wrong horse")


def test_an_unlocked_pair_room_still_has_two_seats_and_locks_again(registry: RoomStore) -> None:
    ann = registry.create("Us", "Ann", PASSWORD, rules=Rules(PAIR))
    bob = registry.join(ann.room_id, "Bob", PASSWORD)
    registry.attach(ann.room_id, ann.token, "ann-1")
    registry.attach(ann.room_id, bob.token, "bob-1")
    registry.lock("ann-1", False)
    with pytest.raises(RoomFull):
        registry.join(ann.room_id, "Cleo", PASSWORD)
    registry.logout("bob-1")
    assert registry.join(ann.room_id, "Cleo", PASSWORD).state.locked


# -- kick ----------------------------------------------------------------------------


def test_a_host_kicks_a_member_as_if_they_logged_out(registry: RoomStore, room: Room) -> None:
    registry.attach(room.room_id, room.bob.token, "bob-2")
    removal = registry.kick("ann-1", room.bob.you.id)
    assert removal == Removal(
        room.room_id,
        room.bob.you,
        room.ann.you,
        ["bob-1", "bob-2"],
        PresenceChange(room.room_id, [room.ann.you, room.cleo.you]),
    )
    assert registry.authenticate(room.room_id, room.bob.token) is None
    assert [registry.speaker("bob-1"), registry.speaker("bob-2"), registry.detach("bob-2")] == [None, None, None]
    with pytest.raises(Unauthorized):
        registry.attach(room.room_id, room.bob.token, "bob-3")
    assert registry.presence(room.room_id) == [room.ann.you, room.cleo.you]


def test_a_kicked_person_may_rejoin_as_someone_new_unless_locked(registry: RoomStore, room: Room) -> None:
    registry.kick("ann-1", room.bob.you.id)
    again = registry.join(room.room_id, "BOB", PASSWORD)  # the alias was freed
    assert again.you.id != room.bob.you.id
    registry.attach(room.room_id, again.token, "bob-9")
    registry.kick("ann-1", again.you.id)
    registry.lock("ann-1", True)
    with pytest.raises(Locked):
        registry.join(room.room_id, "Bob", PASSWORD)


def test_a_kicked_person_who_was_not_connected_has_no_sockets_to_close(registry: RoomStore, room: Room) -> None:
    dora = registry.join(room.room_id, "Dora", PASSWORD)
    assert registry.kick("ann-1", dora.you.id) == Removal(room.room_id, dora.you, room.ann.you, [], None)
    assert registry.authenticate(room.room_id, dora.token) is None


def test_a_host_may_kick_another_host_and_the_loser_can_do_nothing_more(registry: RoomStore, room: Room) -> None:
    registry.promote("ann-1", room.bob.you.id)
    assert registry.kick("bob-1", room.ann.you.id).who == room.ann.you
    with pytest.raises(Unauthorized):  # two hosts kicking each other: the second finds itself gone
        registry.kick("ann-1", room.bob.you.id)
    assert role_of(registry, room.bob) == HOST


@pytest.mark.parametrize(
    "target",
    [
        pytest.param(lambda room, other: room.ann.you.id, id="own-id"),
        pytest.param(lambda room, other: "A" * 16, id="unknown-id"),
        pytest.param(lambda room, other: other.you.id, id="someone-of-another-room"),
        pytest.param(lambda room, other: None, id="not-text"),
        pytest.param(lambda room, other: [room.bob.you.id], id="a-list"),
    ],
)
def test_a_host_kicks_only_someone_else_of_the_same_room(
    registry: RoomStore, room: Room, target: Callable[[Room, Binding], object]
) -> None:
    other = registry.create("Chess", "Eve", "another password")
    before = snapshot(registry, room)
    with pytest.raises(Invalid):
        registry.kick("ann-1", target(room, other))  # type: ignore[arg-type]
    assert snapshot(registry, room) == before
    assert registry.authenticate(other.room_id, other.token) == other


@pytest.mark.parametrize("store", ["redis"])
def test_a_kick_closes_the_sockets_on_every_process(make_registry: MakeRegistry) -> None:
    here, there = make_registry(), make_registry()
    ann = here.create("Book club", "Ann", PASSWORD)
    bob = there.join(ann.room_id, "Bob", PASSWORD)
    here.attach(ann.room_id, ann.token, "ann-1")
    here.attach(ann.room_id, bob.token, "bob-here")
    there.attach(ann.room_id, bob.token, "bob-there")
    assert here.kick("ann-1", bob.you.id).sids == ["bob-here", "bob-there"]
    assert there.speaker("bob-there") is None
    assert there.presence(ann.room_id) == [ann.you]


# -- only hosts ----------------------------------------------------------------------

CONTROL_CALLS: dict[str, Callable[[RoomStore, Room], object]] = {  # Bob, a member, on his socket
    "kick-a-member": lambda registry, room: registry.kick("bob-1", room.cleo.you.id),
    "kick-the-host": lambda registry, room: registry.kick("bob-1", room.ann.you.id),
    "kick-nobody": lambda registry, room: registry.kick("bob-1", "A" * 16),
    "lock": lambda registry, room: registry.lock("bob-1", True),
    "unlock": lambda registry, room: registry.lock("bob-1", False),
    "promote-another": lambda registry, room: registry.promote("bob-1", room.cleo.you.id),
    "promote-oneself": lambda registry, room: registry.promote("bob-1", room.bob.you.id),
    "step-down": lambda registry, room: registry.step_down("bob-1"),
}
HOST_CALLS = {**CONTROL_CALLS, "purge-a-hosts-only-room": lambda registry, room: registry.purge("bob-1")}


@pytest.mark.parametrize("call", HOST_CALLS.values(), ids=HOST_CALLS.keys())
def test_a_member_is_refused_every_host_call_and_nothing_changes(
    registry: RoomStore, call: Callable[[RoomStore, Room], object]
) -> None:
    room = open_room(registry, rules=Rules(purge=HOSTS))
    before = snapshot(registry, room)
    with pytest.raises(Forbidden):
        call(registry, room)
    assert snapshot(registry, room) == before
    assert registry.join(room.room_id, "Dora", PASSWORD).alias == "Dora"  # not locked either


@pytest.mark.parametrize("call", CONTROL_CALLS.values(), ids=CONTROL_CALLS.keys())
def test_a_socket_without_a_binding_is_unauthorized(
    registry: RoomStore, room: Room, call: Callable[[RoomStore, Room], object]
) -> None:
    registry.promote("ann-1", room.bob.you.id)
    registry.logout("bob-1")  # a host a moment ago
    with pytest.raises(Unauthorized):
        call(registry, room)


def test_in_a_hosts_only_room_a_host_purges(registry: RoomStore) -> None:
    room = open_room(registry, rules=Rules(purge=HOSTS))
    assert registry.purge("ann-1") == Closure(room.room_id, "purged", room.ann.you)


def test_by_default_anyone_purges(registry: RoomStore, room: Room) -> None:
    assert registry.purge("bob-1") == Closure(room.room_id, "purged", room.bob.you)


def test_the_speaker_carries_the_rooms_kind(registry: RoomStore) -> None:
    room = open_room(registry, rules=Rules(BROADCAST))
    assert registry.speaker("bob-1") == Speaker(room.room_id, room.bob.you, "standard", BROADCAST)


# -- promote and step down -----------------------------------------------------------


def test_a_host_promotes_a_member(registry: RoomStore, room: Room) -> None:
    change = registry.promote("ann-1", room.bob.you.id)
    assert change == PresenceChange(room.room_id, [room.ann.you, as_host(room.bob), room.cleo.you])
    assert registry.speaker("bob-1").you.role == HOST  # type: ignore[union-attr]
    assert registry.lock("bob-1", True).locked  # a host now


def test_promoting_someone_absent_or_a_host_already_is_fine(registry: RoomStore, room: Room) -> None:
    dora = registry.join(room.room_id, "Dora", PASSWORD)
    assert registry.promote("ann-1", dora.you.id).participants == [room.ann.you, room.bob.you, room.cleo.you]
    assert role_of(registry, dora) == HOST
    assert registry.promote("ann-1", room.ann.you.id) == PresenceChange(
        room.room_id, [room.ann.you, room.bob.you, room.cleo.you]
    )


@pytest.mark.parametrize("target", ["A" * 16, None], ids=["unknown-id", "not-text"])
def test_promoting_nobody_is_invalid(registry: RoomStore, room: Room, target: object) -> None:
    before = snapshot(registry, room)
    with pytest.raises(Invalid):
        registry.promote("ann-1", target)  # type: ignore[arg-type]
    assert snapshot(registry, room) == before


def test_a_host_steps_down_while_another_hosts(registry: RoomStore, room: Room) -> None:
    registry.promote("ann-1", room.cleo.you.id)
    change = registry.step_down("ann-1")
    assert change == PresenceChange(room.room_id, [as_member(room.ann), room.bob.you, as_host(room.cleo)])


def test_the_last_host_steps_down_to_the_earliest_joined_other_present(registry: RoomStore, room: Room) -> None:
    registry.detach("bob-1")  # Bob joined first but is away
    change = registry.step_down("ann-1")
    assert change == PresenceChange(room.room_id, [as_member(room.ann), as_host(room.cleo)])
    assert role_of(registry, room.bob) == MEMBER


def test_a_host_whose_co_host_is_away_steps_down_to_someone_present(registry: RoomStore, room: Room) -> None:
    # Counting the away host would leave nobody present hosting, and the grace would hand it straight back.
    registry.promote("ann-1", room.bob.you.id)
    registry.detach("bob-1")
    change = registry.step_down("ann-1")
    assert change == PresenceChange(room.room_id, [as_member(room.ann), as_host(room.cleo)])
    assert role_of(registry, room.bob) == HOST


def test_the_last_host_with_nobody_else_here_cannot_step_down(registry: RoomStore, room: Room) -> None:
    registry.detach("bob-1")
    registry.detach("cleo-1")  # bindings that are away cannot take over
    before = snapshot(registry, room)
    with pytest.raises(Invalid):
        registry.step_down("ann-1")
    assert snapshot(registry, room) == before


# -- a room is never without a host: at once when the last host leaves -----------------


def test_when_the_last_host_logs_out_the_earliest_joined_present_hosts(registry: RoomStore, room: Room) -> None:
    registry.detach("bob-1")
    departure = registry.logout("ann-1")
    assert departure is not None
    assert departure.presence == PresenceChange(room.room_id, [as_host(room.cleo)])
    assert role_of(registry, room.bob) == MEMBER


def test_with_nobody_present_the_earliest_joined_hosts(registry: RoomStore, room: Room) -> None:
    registry.detach("bob-1")
    registry.detach("cleo-1")
    registry.logout("ann-1")
    assert [role_of(registry, room.bob), role_of(registry, room.cleo)] == [HOST, MEMBER]


def test_a_rejoin_counts_as_joining_last(registry: RoomStore, room: Room) -> None:
    registry.logout("bob-1")
    bob = registry.join(room.room_id, "Bob", PASSWORD)
    registry.attach(room.room_id, bob.token, "bob-2")
    registry.logout("ann-1")
    assert [role_of(registry, bob), role_of(registry, room.cleo)] == [MEMBER, HOST]


def test_a_host_leaving_while_another_hosts_hands_nothing_over(registry: RoomStore, room: Room) -> None:
    registry.promote("ann-1", room.cleo.you.id)
    assert registry.logout("ann-1").presence == PresenceChange(  # type: ignore[union-attr]
        room.room_id, [room.bob.you, as_host(room.cleo)]
    )


# -- ... and after a grace when the hosts are only away --------------------------------


@pytest.fixture
def graced(make_registry: MakeRegistry) -> RoomStore:
    return make_registry(host_grace=GRACE)


def test_an_away_host_keeps_the_role_through_the_grace(graced: RoomStore, clock: Clock) -> None:
    room = open_room(graced)
    graced.detach("ann-1")  # a reload, a network change
    clock.advance(GRACE - 1)
    assert graced.upkeep().presence == []
    graced.attach(room.room_id, room.ann.token, "ann-2")
    clock.advance(GRACE * 3)
    assert graced.upkeep().presence == []
    assert [role_of(graced, person) for person in room.people] == [HOST, MEMBER, MEMBER]


def test_after_the_grace_the_earliest_joined_present_hosts_too(graced: RoomStore, clock: Clock) -> None:
    room = open_room(graced)
    graced.detach("ann-1")
    graced.detach("bob-1")
    clock.advance(GRACE)
    assert graced.upkeep().presence == [PresenceChange(room.room_id, [as_host(room.cleo)])]
    assert graced.upkeep().presence == []  # once
    assert role_of(graced, room.ann) == HOST  # the away host did not leave
    assert role_of(graced, room.bob) == MEMBER


def test_the_grace_starts_again_when_a_host_comes_back(graced: RoomStore, clock: Clock) -> None:
    room = open_room(graced)
    graced.detach("ann-1")
    clock.advance(GRACE - 2)
    graced.attach(room.room_id, room.ann.token, "ann-2")
    graced.detach("ann-2")
    clock.advance(GRACE - 2)
    assert graced.upkeep().presence == []
    clock.advance(2)
    assert [c.participants for c in graced.upkeep().presence] == [[as_host(room.bob), room.cleo.you]]


def test_the_grace_counts_only_while_someone_is_here(graced: RoomStore, clock: Clock) -> None:
    room = open_room(graced)
    for sid in ("ann-1", "bob-1", "cleo-1"):
        graced.detach(sid)
    clock.advance(GRACE * 2)  # an empty room needs no host
    assert graced.upkeep().presence == []
    graced.attach(room.room_id, room.cleo.token, "cleo-2")
    clock.advance(GRACE - 1)
    assert graced.upkeep().presence == []
    clock.advance(1)
    assert graced.upkeep().presence == [PresenceChange(room.room_id, [as_host(room.cleo)])]


def test_a_grace_of_zero_hands_over_at_the_next_upkeep(make_registry: MakeRegistry) -> None:
    registry = make_registry(host_grace=0)
    room = open_room(registry)
    registry.detach("ann-1")
    assert registry.upkeep().presence == [PresenceChange(room.room_id, [as_host(room.bob), room.cleo.you])]


# -- reports -------------------------------------------------------------------------


def test_reports_count_reasons_bindings_and_age(registry: RoomStore, room: Room, clock: Clock) -> None:
    for reason in ("spam", "threats", "spam"):
        registry.report(room.room_id, reason)
    registry.join(room.room_id, "Dora", PASSWORD)  # a binding, present or not, counts
    clock.advance(10)
    [report] = registry.reports()
    assert (report.room_id, report.reasons, report.count, report.participants) == (
        room.room_id,
        {"spam": 2, "threats": 1},
        3,
        4,
    )
    assert report.age == pytest.approx(10, abs=2)


def test_the_most_reported_room_comes_first_then_the_oldest(registry: RoomStore, clock: Clock) -> None:
    rooms = []
    for n in range(MAX_ROOMS):
        rooms.append(registry.create(f"Room {n}", "Ann", PASSWORD).room_id)
        clock.advance(1)
    first, second, third = rooms
    for room_id, times in ((third, 1), (second, 2), (first, 1)):
        for _ in range(times):
            registry.report(room_id, "spam")
    assert [report.room_id for report in registry.reports()] == [second, first, third]


def test_an_unknown_room_is_reported_silently(registry: RoomStore, room: Room) -> None:
    assert registry.report("A" * 22, "spam") is None  # type: ignore[func-returns-value]
    assert registry.report("not a room", "other") is None  # type: ignore[func-returns-value]
    assert registry.reports() == []


ENDINGS: dict[str, Callable[[RoomStore, Room, Clock], object]] = {
    "purge": lambda registry, room, clock: registry.purge("bob-1"),
    "close": lambda registry, room, clock: registry.close(room.room_id),
    "expiry": lambda registry, room, clock: clock.advance(TTL),
}


@pytest.mark.parametrize("end", ENDINGS.values(), ids=ENDINGS.keys())
def test_reports_die_with_the_room(
    registry: RoomStore, room: Room, clock: Clock, end: Callable[[RoomStore, Room, Clock], object]
) -> None:
    registry.report(room.room_id, "harassment")
    end(registry, room, clock)
    assert registry.reports() == []  # even before the reaper runs
    registry.upkeep()
    assert registry.reports() == []
    registry.report(room.room_id, "harassment")
    assert registry.reports() == []


# -- the operator closes a room ---------------------------------------------------------


def test_the_operator_closes_a_room_for_everyone(registry: RoomStore, room: Room) -> None:
    other = registry.create("Chess", "Eve", "another password")
    assert registry.close(room.room_id) == Closure(room.room_id, "closed", None)
    assert not registry.exists(room.room_id)
    assert [registry.authenticate(room.room_id, person.token) for person in room.people] == [None] * 3
    assert [registry.speaker(sid) for sid in ("ann-1", "bob-1", "cleo-1")] == [None] * 3
    with pytest.raises(NotFound):
        registry.join(room.room_id, "Dora", PASSWORD)
    assert registry.live_rooms() == 1
    assert registry.exists(other.room_id)


@pytest.mark.parametrize("room_id", ["A" * 22, "not a room"], ids=["unknown", "malformed"])
def test_closing_a_room_that_is_not_there_is_none(registry: RoomStore, room: Room, room_id: str) -> None:
    assert registry.close(room_id) is None
    assert registry.live_rooms() == 1


def test_a_room_closes_once(registry: RoomStore, room: Room, clock: Clock) -> None:
    registry.close(room.room_id)
    assert registry.close(room.room_id) is None
    clock.advance(TTL)
    assert registry.upkeep().closures == []
