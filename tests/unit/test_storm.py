"""Guessing storms: when a room or the whole process asks joins for a proof of work, and when it calms down.

Plain function calls with a fake monotonic clock.
"""

from __future__ import annotations

import pytest

from ephemeral.ratelimit import Limit, TokenBuckets
from ephemeral.storm import StormWatch
from tests.support.clock import FakeClock

ROOM = "A" * 22
OTHER_ROOM = "B" * 22
# A room may spend 30 wrong passwords at once, refilled at one every 2 s: a storm past 15 spent.
ROOM_LIMIT = Limit(burst=30, per_second=0.5)
# The process: 5 wrong passwords within 10 s.
PROCESS_LIMIT = Limit(burst=5, per_second=0.5)
ROOM_BITS, PROCESS_BITS = 12, 14


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(500.0)


@pytest.fixture
def rooms(clock: FakeClock) -> TokenBuckets:
    return TokenBuckets(ROOM_LIMIT, clock)


def watch(rooms: TokenBuckets, clock: FakeClock, **options: object) -> StormWatch:
    settings: dict[str, object] = {"room_bits": ROOM_BITS, "process_bits": PROCESS_BITS, "clock": clock, **options}
    return StormWatch(rooms, PROCESS_LIMIT, **settings)  # type: ignore[arg-type]


def guess(rooms: TokenBuckets, times: int, room_id: str = ROOM) -> None:
    """Wrong passwords as admission counts them: one token each from the room's bucket."""
    for _ in range(times):
        assert rooms.take(room_id) == 0


def test_level_reads_a_bucket_without_spending(rooms: TokenBuckets, clock: FakeClock) -> None:
    assert rooms.level(ROOM) == 30
    assert len(rooms) == 0  # an unseen key is not stored by reading it
    guess(rooms, 4)
    assert rooms.level(ROOM) == 26
    assert rooms.level(ROOM) == 26
    clock.advance(2)
    assert rooms.level(ROOM) == 27


def test_a_room_storms_once_more_than_half_its_burst_is_spent(rooms: TokenBuckets, clock: FakeClock) -> None:
    storms = watch(rooms, clock)
    guess(rooms, 15)
    assert storms.difficulty(ROOM) == 0  # exactly half: honest typos stay free
    guess(rooms, 1)
    assert storms.difficulty(ROOM) == ROOM_BITS
    assert storms.difficulty(OTHER_ROOM) == 0


def test_a_room_storm_calms_once_its_bucket_refills_past_half(rooms: TokenBuckets, clock: FakeClock) -> None:
    storms = watch(rooms, clock)
    guess(rooms, 30)
    # From empty to half full at 0.5 tokens a second: 30 s, half the limit's period.
    clock.advance(29.5)
    assert storms.difficulty(ROOM) == ROOM_BITS
    clock.advance(0.5)
    assert storms.difficulty(ROOM) == 0


def test_the_process_storms_at_n_wrong_passwords_within_s_seconds(rooms: TokenBuckets, clock: FakeClock) -> None:
    storms = watch(rooms, clock)
    for _ in range(4):
        storms.wrong_password()
        clock.advance(2)
    assert storms.difficulty(ROOM) == 0
    storms.wrong_password()  # the fifth, 8 s after the first
    assert storms.difficulty(ROOM) == PROCESS_BITS
    assert storms.difficulty(OTHER_ROOM) == PROCESS_BITS  # every room of the process


def test_a_slow_trickle_never_storms(rooms: TokenBuckets, clock: FakeClock) -> None:
    storms = watch(rooms, clock)
    for _ in range(50):
        storms.wrong_password()
        assert storms.difficulty(ROOM) == 0
        clock.advance(2.5)  # five take 10 s: never five within 10 s


def test_a_process_storm_calms_s_seconds_after_the_last_of_n(rooms: TokenBuckets, clock: FakeClock) -> None:
    storms = watch(rooms, clock)
    for _ in range(5):
        storms.wrong_password()
    clock.advance(9.5)
    assert storms.difficulty(ROOM) == PROCESS_BITS
    clock.advance(0.5)
    assert storms.difficulty(ROOM) == 0


def test_the_harder_of_both_storms_is_asked_for(rooms: TokenBuckets, clock: FakeClock) -> None:
    guess(rooms, 16)
    assert watch(rooms, clock).difficulty(ROOM) == ROOM_BITS  # the room's storm alone
    easier_room, harder_room = watch(rooms, clock), watch(rooms, clock, room_bits=20)
    for storms in (easier_room, harder_room):
        for _ in range(5):
            storms.wrong_password()
    assert easier_room.difficulty(ROOM) == PROCESS_BITS
    assert harder_room.difficulty(ROOM) == 20
    assert harder_room.difficulty(OTHER_ROOM) == PROCESS_BITS


def test_zero_bits_turn_proofs_off(rooms: TokenBuckets, clock: FakeClock) -> None:
    storms = watch(rooms, clock, room_bits=0, process_bits=0)
    guess(rooms, 30)
    for _ in range(5):
        storms.wrong_password()
    assert storms.difficulty(ROOM) == 0


def test_the_bcrypt_budget_signal_puts_the_process_under_a_storm(rooms: TokenBuckets, clock: FakeClock) -> None:
    pressure = [False]
    storms = watch(rooms, clock, under_pressure=lambda: pressure[0])
    assert storms.difficulty(ROOM) == 0
    pressure[0] = True
    assert storms.difficulty(ROOM) == PROCESS_BITS
    pressure[0] = False
    assert storms.difficulty(ROOM) == 0
