"""Join limits: checks in flight hold tokens; joins behind them, or behind a spent room, wait their turn, bounded.

Threads wait on the limit's own condition; a test never sleeps to wait for one.
Buckets read a fake clock; a waiting join looks at it every few milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ephemeral.errors import RateLimited
from ephemeral.held_tokens import Holds
from ephemeral.ratelimit import HELD, Limit, TokenBuckets
from tests.support.clock import FakeClock
from tests.support.threads import Outcomes

THREE_PER_MINUTE = Limit(burst=3, per_second=3 / 60)  # a token every 20 s
GENEROUS = Limit(burst=100, per_second=1.0)
WAIT = 120.0  # seconds a join may wait: six tokens of the room, and longer than any test runs


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def room(clock: FakeClock) -> TokenBuckets:
    return TokenBuckets(THREE_PER_MINUTE, clock)


@pytest.fixture
def addresses(clock: FakeClock) -> TokenBuckets:
    return TokenBuckets(GENEROUS, clock)


@pytest.fixture
def holds() -> Holds:
    return Holds(recheck=0.005)


def joiner(holds: Holds, addresses: TokenBuckets, room: TokenBuckets) -> Callable[..., Callable[[], object]]:
    """A join from address `who`, as a call for a thread: holds its tokens, then answers `who`."""

    def join(who: str, wait: float = WAIT) -> Callable[[], object]:
        def call() -> object:
            holds.hold((addresses, who), (room, "r"), who, wait)
            return who

        return call

    return join


def test_held_tokens_are_not_spent(room: TokenBuckets) -> None:
    assert [room.reserve("r") for _ in range(4)] == [0, 0, 0, HELD]
    assert room.level("r") == 3  # a storm signal reading the level sees no wrong password yet
    assert room.held("r") == 3  # one that would count checks in flight can
    assert room.would_wait("r") == 0  # nor does the refusal before reading
    room.settle("r", spent=False)
    assert room.reserve("r") == 0


def test_a_settled_wrong_password_spends_its_token(room: TokenBuckets) -> None:
    for _ in range(3):
        assert room.reserve("r") == 0
        room.settle("r", spent=True)
    assert room.level("r") == 0
    assert room.reserve("r") == 20  # nothing held to wait for: refused, one token per 20 s


def test_a_class_waits_for_checks_in_flight_and_every_right_password_gets_in(
    holds: Holds, addresses: TokenBuckets, room: TokenBuckets
) -> None:
    join, outcomes = joiner(holds, addresses, room), Outcomes()
    for n in range(3):
        join(f"in flight {n}")()  # three checks in flight hold the whole burst
    for n in range(3):
        outcomes.run(join(f"waiting {n}"))  # three more wait, as many as the burst
    with pytest.raises(RateLimited):
        join("seventh")()  # a seventh would only pile up
    for number in range(1, 4):
        holds.settle([((room, "r"), False)])  # a right password frees its token for the next
        assert len(outcomes.wait_for(number)) == number
    assert sorted(outcomes.results) == ["waiting 0", "waiting 1", "waiting 2"]
    assert room.level("r") == 3


def test_joins_behind_wrong_passwords_wait_for_the_refill(
    holds: Holds, addresses: TokenBuckets, room: TokenBuckets, clock: FakeClock
) -> None:
    join, outcomes = joiner(holds, addresses, room), Outcomes()
    for n in range(3):
        join(f"guess {n}")()
    outcomes.run(join("bob"))
    for _ in range(3):
        holds.settle([((room, "r"), True)])
    assert room.level("r") == 0  # three wrong passwords, and not one more checked
    clock.advance(19.9)
    assert holds.would_refuse((addresses, "ann"), (room, "r"), "ann", WAIT) == 0  # she too could wait
    clock.advance(0.1)  # the room's next token
    assert outcomes.wait_for(1) == ["bob"]


def test_a_join_whose_turn_comes_after_its_wait_is_refused_at_once(
    holds: Holds, addresses: TokenBuckets, room: TokenBuckets
) -> None:
    join = joiner(holds, addresses, room)
    for n in range(3):
        join(f"guess {n}")()
        holds.settle([((addresses, f"guess {n}"), True), ((room, "r"), True)])
    assert holds.would_refuse((addresses, "bob"), (room, "r"), "bob", 19) == 20
    with pytest.raises(RateLimited) as refused:
        join("bob", 19)()  # the fake clock never moves: only a refusal at once ends the call
    assert refused.value.retry_after == 20
    assert addresses.held("bob") == 0  # its address's token was let go


def test_a_join_waits_at_most_its_limit(holds: Holds, addresses: TokenBuckets, room: TokenBuckets) -> None:
    join = joiner(holds, addresses, room)
    for n in range(3):
        join(f"in flight {n}")()
    with pytest.raises(RateLimited) as refused:
        join("late", 0.05)()  # nothing settles: only the limit ends the wait
    assert refused.value.retry_after == 1
    holds.settle([((room, "r"), False)])
    join("next")()  # the one that gave up no longer counts as waiting


def test_a_join_holds_every_limit_or_none(clock: FakeClock, room: TokenBuckets, holds: Holds) -> None:
    address = TokenBuckets(Limit(burst=1, per_second=1 / 60), clock)
    holds.hold((address, "a"), (room, "r"), "a", WAIT)
    holds.settle([((address, "a"), True), ((room, "r"), True)])
    with pytest.raises(RateLimited) as refused:
        holds.hold((address, "a"), (room, "r"), "a", WAIT)  # the address has spent its one
    assert refused.value.retry_after == 60
    assert room.level("r") == 2 and room.held("r") == 0  # no room token for the refused join
    assert [room.reserve("r") for _ in range(3)] == [0, 0, HELD]


def test_a_join_waiting_for_its_own_checks_in_flight_is_bounded(clock: FakeClock, room: TokenBuckets) -> None:
    """One address's joins beyond its burst wait for its own checks, as many as its burst, and no more."""
    holds, address, outcomes = Holds(recheck=0.005), TokenBuckets(Limit(burst=2, per_second=2 / 60), clock), Outcomes()
    for _ in range(2):
        holds.hold((address, "a"), (room, "r"), "a", WAIT)
    for _ in range(2):
        outcomes.run(lambda: holds.hold((address, "a"), (room, "r"), "a", WAIT))
    with pytest.raises(RateLimited):
        holds.hold((address, "a"), (room, "r"), "a", WAIT)
    holds.settle([((address, "a"), False), ((room, "r"), False)])
    assert outcomes.wait_for(1) == [None]


def test_waiting_joins_take_the_rooms_tokens_in_turn_by_address(
    holds: Holds, addresses: TokenBuckets, room: TokenBuckets, clock: FakeClock
) -> None:
    """A guesser keeping a room's budget spent from one address cannot win every token as it refills."""
    join, outcomes = joiner(holds, addresses, room), Outcomes()
    for _ in range(3):
        join("eve")()
        holds.settle([((addresses, "eve"), True), ((room, "r"), True)])
    for n in range(3):  # eve fills every waiting place
        outcomes.run(join("eve"))
        wait_queued(holds, room, n + 1)
    outcomes.run(join("bob"))  # bob takes the place of eve's newest
    [displaced] = outcomes.wait_for(1)
    assert isinstance(displaced, RateLimited) and displaced.retry_after >= 20
    clock.advance(20)
    assert outcomes.wait_for(2)[1] == "eve"  # eve queued first: her turn comes first
    holds.settle([((addresses, "eve"), True), ((room, "r"), True)])
    clock.advance(20)
    assert outcomes.wait_for(3)[2] == "bob"  # then bob's, before eve's second
    holds.settle([((addresses, "bob"), False), ((room, "r"), False)])
    clock.advance(20)
    assert outcomes.wait_for(4)[3] == "eve"


def wait_queued(holds: Holds, room: TokenBuckets, count: int) -> None:
    """Until `count` joins wait for the room's tokens; on the limit's own condition, never a sleep."""
    with holds._settled:
        queued = lambda: len(holds._turns.get((room, "r")) or ())  # noqa: E731
        assert holds._settled.wait_for(lambda: queued() == count, timeout=10), queued()
