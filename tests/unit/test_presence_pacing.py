"""Presence pacing: when a room is told that one participant came or went, and when it is not told at all.

Plain function calls with a fake monotonic clock; `flush` plays the part of
`events/announce.py`, reading "the store" (a set of who is present) when a
flush is due.
"""

from __future__ import annotations

import itertools

import pytest

from ephemeral.presence_pacing import PresencePacer
from tests.support.clock import FakeClock

ROOM, OTHER_ROOM = "A" * 22, "B" * 22
ANN, BOB = "ann-id", "bob-id"
INTERVAL, GRACE = 1.0, 1.0


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(500.0)


@pytest.fixture
def pacer(clock: FakeClock) -> PresencePacer:
    return PresencePacer(INTERVAL, GRACE, clock)


class Room:
    """One room as the announcer sees it: who is present in the store, what the room was told, flushes due."""

    def __init__(self, pacer: PresencePacer, clock: FakeClock) -> None:
        self.pacer, self.clock = pacer, clock
        self.present: set[str] = set()
        self.told: list[tuple[float, frozenset[str]]] = []
        self.due: dict[str, float] = {}

    def arrive(self, who: str) -> None:
        self.present.add(who)
        delay = self.pacer.arrived(ROOM, who)
        if delay == 0:
            self.told.append((self.clock.now, frozenset(self.present)))
        elif delay is not None:
            assert who not in self.due
            self.due[who] = self.clock.now + delay

    def leave(self, who: str) -> None:
        self.present.discard(who)
        delay = self.pacer.left(ROOM, who)
        if delay is not None:
            assert who not in self.due
            self.due[who] = self.clock.now + delay

    def run_until(self, until: float) -> None:
        """Move the clock to `until`, running each flush at its time, as the background tasks would."""
        while True:
            due = sorted((at, who) for who, at in self.due.items() if at <= until)
            if not due:
                break
            at, who = due[0]
            self.clock.now = max(self.clock.now, at)
            del self.due[who]
            self.pacer.flushing(ROOM, who)
            if self.pacer.settled(ROOM, who, who in self.present):
                self.told.append((self.clock.now, frozenset(self.present)))
        self.clock.now = max(self.clock.now, until)

    def lines(self) -> list[str]:
        """The "joined"/"left" lines a reader of every update would show, as the web client does."""
        lines, before = [], frozenset[str]()
        for _, now in self.told:
            lines += [f"{who} joined" for who in sorted(now - before)] + [f"{who} left" for who in sorted(before - now)]
            before = now
        return lines


@pytest.fixture
def room(pacer: PresencePacer, clock: FakeClock) -> Room:
    return Room(pacer, clock)


def test_an_arrival_is_told_at_once_and_a_departure_after_the_grace(room: Room, clock: FakeClock) -> None:
    room.arrive(ANN)
    assert room.told == [(500.0, {ANN})]
    clock.advance(10)
    room.leave(ANN)
    room.run_until(510 + GRACE - 0.01)
    assert len(room.told) == 1  # not yet
    room.run_until(520)
    assert room.told[1:] == [(510 + GRACE, frozenset())]
    assert room.lines() == ["ann-id joined", "ann-id left"]


def test_a_thousand_connects_and_closes_cost_the_room_two_updates_per_interval(room: Room, clock: FakeClock) -> None:
    start = clock.now
    for _ in range(1000):
        room.arrive(ANN)
        clock.advance(0.004)
        room.leave(ANN)
        clock.advance(0.004)
        room.run_until(clock.now)
    room.run_until(clock.now + INTERVAL + GRACE)
    elapsed = clock.now - start  # 8 s of churn, and the last flush
    assert len(room.told) <= 2 * (elapsed / INTERVAL + 1)
    assert room.told[-1][1] == frozenset()  # the final state: gone
    times = [at for at, _ in room.told]
    assert all(b - a >= INTERVAL for a, b in itertools.pairwise(times)), times


def test_a_refresh_within_the_grace_tells_the_room_nothing(room: Room, clock: FakeClock) -> None:
    room.arrive(ANN)
    clock.advance(30)
    room.leave(ANN)  # the page unloads
    clock.advance(GRACE / 2)
    room.arrive(ANN)  # and connects again
    room.run_until(clock.now + 5)
    assert room.told == [(500.0, {ANN})]
    assert room.lines() == ["ann-id joined"]


def test_a_reconnect_that_outlasts_the_grace_is_told_as_leaving_and_coming(room: Room, clock: FakeClock) -> None:
    room.arrive(ANN)
    clock.advance(30)
    room.leave(ANN)
    room.run_until(clock.now + GRACE + 0.5)
    room.arrive(ANN)
    room.run_until(clock.now + 5)
    assert room.lines() == ["ann-id joined", "ann-id left", "ann-id joined"]


def test_an_arrival_within_the_interval_waits_for_it_and_carries_the_state_then(room: Room, clock: FakeClock) -> None:
    room.arrive(ANN)
    clock.advance(30)
    room.leave(ANN)
    room.run_until(clock.now + GRACE)  # told: gone
    clock.advance(INTERVAL / 4)
    room.arrive(ANN)  # within the interval of that update: waits
    assert len(room.told) == 2
    room.run_until(clock.now + INTERVAL)
    assert room.told[-1][1] == {ANN}
    times = [at for at, _ in room.told]
    assert times[-1] - times[-2] >= INTERVAL


def test_each_participant_has_a_pace_of_their_own(room: Room, clock: FakeClock) -> None:
    room.arrive(ANN)
    room.arrive(BOB)  # the same instant: a class joining is told at once, one by one
    assert [present for _, present in room.told] == [{ANN}, {ANN, BOB}]


def test_each_room_has_a_pace_of_its_own(pacer: PresencePacer) -> None:
    assert pacer.arrived(ROOM, ANN) == 0
    assert pacer.arrived(OTHER_ROOM, ANN) == 0


def test_a_change_while_a_flush_reads_the_store_gets_a_flush_of_its_own(pacer: PresencePacer, clock: FakeClock) -> None:
    assert pacer.arrived(ROOM, ANN) == 0
    clock.advance(5)
    assert pacer.left(ROOM, ANN) == GRACE
    clock.advance(GRACE)
    pacer.flushing(ROOM, ANN)  # the store is read now; Ann comes back before the answer is used
    again = pacer.arrived(ROOM, ANN)
    assert again is not None and again > 0  # not covered by the read in flight: a flush of its own
    assert pacer.settled(ROOM, ANN, present=False)  # the read saw her gone: tell
    clock.advance(again)
    pacer.flushing(ROOM, ANN)
    assert pacer.settled(ROOM, ANN, present=True)  # and then back


def test_a_flush_that_cannot_read_the_store_tries_again(pacer: PresencePacer, clock: FakeClock) -> None:
    pacer.arrived(ROOM, ANN)
    clock.advance(5)
    pacer.left(ROOM, ANN)
    clock.advance(GRACE)
    pacer.flushing(ROOM, ANN)
    assert pacer.put_off(ROOM, ANN) == INTERVAL
    assert pacer.left(ROOM, ANN) is None  # the retry is due: nothing more to schedule
    clock.advance(INTERVAL)
    pacer.flushing(ROOM, ANN)
    assert pacer.settled(ROOM, ANN, present=False)


def test_paces_are_forgotten_once_they_decide_nothing(pacer: PresencePacer, clock: FakeClock) -> None:
    for n in range(100):
        pacer.arrived(ROOM, f"p{n}")
    assert len(pacer) == 100
    clock.advance(INTERVAL)
    assert len(pacer) == 0
    pacer.left(ROOM, "p1")
    clock.advance(10 * INTERVAL)
    assert len(pacer) == 1  # a flush is still due: its pace stays until it ran
    pacer.flushing(ROOM, "p1")
    pacer.settled(ROOM, "p1", present=False)
    clock.advance(INTERVAL)
    assert len(pacer) == 0
