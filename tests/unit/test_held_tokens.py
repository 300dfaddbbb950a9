"""Join limits count wrong passwords only: checks in flight hold tokens, and joins behind them wait, bounded.

Threads wait on the limit's own condition; a test never sleeps to wait for one.
"""

from __future__ import annotations

import pytest

from ephemeral.errors import RateLimited
from ephemeral.held_tokens import Holds
from ephemeral.ratelimit import HELD, Limit, TokenBuckets
from tests.support.threads import Outcomes

THREE_PER_MINUTE = Limit(burst=3, per_second=3 / 60)
WAIT = 30.0  # seconds a join may wait: longer than any test runs, so only a settle ends a wait


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def room() -> TokenBuckets:
    return TokenBuckets(THREE_PER_MINUTE, FakeClock())


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


def test_a_class_waits_for_checks_in_flight_and_every_right_password_gets_in(room: TokenBuckets) -> None:
    holds, charges, outcomes = Holds(), [(room, "r")], Outcomes()
    for _ in range(3):
        holds.hold(charges, WAIT)  # three checks in flight hold the whole burst
    for _ in range(3):
        outcomes.run(lambda: holds.hold(charges, WAIT))  # three more wait, as many as the burst
    with pytest.raises(RateLimited):
        holds.hold(charges, WAIT)  # a seventh would only pile up
    for number in range(1, 4):
        holds.settle(charges, spent=False)  # a right password frees its token for the next
        assert outcomes.wait_for(number) == [None] * number
    assert room.level("r") == 3


def test_joins_behind_wrong_passwords_are_refused_once_those_settle(room: TokenBuckets) -> None:
    holds, charges, outcomes = Holds(), [(room, "r")], Outcomes()
    for _ in range(3):
        holds.hold(charges, WAIT)
    outcomes.run(lambda: holds.hold(charges, WAIT))
    for _ in range(3):
        holds.settle(charges, spent=True)
    [refused] = outcomes.wait_for(1)
    assert isinstance(refused, RateLimited)
    assert refused.retry_after == 20


def test_a_join_waits_at_most_its_limit(room: TokenBuckets) -> None:
    holds, charges = Holds(), [(room, "r")]
    for _ in range(3):
        holds.hold(charges, WAIT)
    with pytest.raises(RateLimited) as refused:
        holds.hold(charges, 0.05)  # nothing settles: only the limit ends the wait
    assert refused.value.retry_after == 1
    holds.settle(charges, spent=False)
    holds.hold(charges, WAIT)  # the one that gave up no longer counts as waiting


def test_a_join_holds_every_limit_or_none(room: TokenBuckets) -> None:
    address = TokenBuckets(Limit(burst=1, per_second=1 / 60), FakeClock())
    holds = Holds()
    holds.hold([(address, "a"), (room, "r")], WAIT)
    holds.settle([(address, "a"), (room, "r")], spent=True)
    with pytest.raises(RateLimited) as refused:
        holds.hold([(address, "a"), (room, "r")], WAIT)  # the address has spent its one
    assert refused.value.retry_after == 60
    assert room.level("r") == 2  # the room's token for the refused join was let go
    assert [room.reserve("r") for _ in range(3)] == [0, 0, HELD]


def test_a_join_whose_room_is_all_held_waits_though_its_address_has_tokens(room: TokenBuckets) -> None:
    """A storm from fresh addresses: each address has its whole burst, the room has none to spare."""
    holds, outcomes = Holds(), Outcomes()
    for n in range(3):
        holds.hold([(TokenBuckets(THREE_PER_MINUTE, FakeClock()), f"a{n}"), (room, "r")], WAIT)
    fresh = TokenBuckets(THREE_PER_MINUTE, FakeClock())
    outcomes.run(lambda: holds.hold([(fresh, "new"), (fresh, "other"), (room, "r")], WAIT))
    holds.settle([(room, "r")], spent=True)
    holds.settle([(room, "r")], spent=True)
    holds.settle([(room, "r")], spent=True)  # every check in flight was a wrong password
    [refused] = outcomes.wait_for(1)
    assert isinstance(refused, RateLimited)
    assert room.level("r") == 0  # three wrong passwords, and not one more checked
    assert fresh.level("new") == 3  # the address's token was let go
