"""Token buckets: a burst, then whole-second waits; bounded memory; addresses never kept."""

from __future__ import annotations

import hashlib

import pytest

from ephemeral.ratelimit import Limit, TokenBuckets, address_key, client_of
from tests.support.clock import FakeClock

# Binary-exact rates, so refill arithmetic has no rounding to argue about.
BURST_3_HALF_PER_SECOND = Limit(burst=3, per_second=0.5)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def buckets(clock: FakeClock) -> TokenBuckets:
    return TokenBuckets(BURST_3_HALF_PER_SECOND, clock)


@pytest.fixture
def drained(buckets: TokenBuckets) -> TokenBuckets:
    """Key "a" has spent its whole burst at the current instant."""
    assert [buckets.take("a") for _ in range(3)] == [0, 0, 0]
    return buckets


def test_burst_is_allowed(buckets: TokenBuckets) -> None:
    assert [buckets.take("a") for _ in range(3)] == [0, 0, 0]


def test_beyond_burst_is_refused_with_whole_second_wait(drained: TokenBuckets) -> None:
    wait = drained.take("a")
    assert isinstance(wait, int)
    assert wait == 2  # one token at 0.5 per second


@pytest.mark.parametrize(
    ("limit", "expected_wait"),
    [
        pytest.param(Limit(burst=1, per_second=0.5), 2, id="two-seconds"),
        pytest.param(Limit(burst=1, per_second=10 / 60), 6, id="ten-per-minute"),
        pytest.param(Limit(burst=1, per_second=5), 1, id="fast-rate-still-one-second"),
        pytest.param(Limit(burst=1, per_second=0.3), 4, id="rounded-up"),
    ],
)
def test_wait_is_positive_whole_seconds_rounded_up(clock: FakeClock, limit: Limit, expected_wait: int) -> None:
    buckets = TokenBuckets(limit, clock)
    assert buckets.take("a") == 0
    assert buckets.take("a") == expected_wait


def test_keys_have_separate_buckets(drained: TokenBuckets) -> None:
    assert drained.take("a") > 0
    assert drained.take("b") == 0


def test_refills_over_time(drained: TokenBuckets, clock: FakeClock) -> None:
    clock.advance(1.5)
    assert drained.take("a") == 1  # 0.75 of a token: half a second still to go
    clock.advance(0.5)
    assert drained.take("a") == 0
    assert drained.take("a") > 0


def test_refill_stops_at_burst(drained: TokenBuckets, clock: FakeClock) -> None:
    clock.advance(3600)
    assert [drained.take("a") for _ in range(4)] == [0, 0, 0, 2]


def test_refused_attempts_do_not_cost_a_token(drained: TokenBuckets, clock: FakeClock) -> None:
    for _ in range(5):
        drained.take("a")
    clock.advance(2)
    assert drained.take("a") == 0


def test_give_back_refunds_one_token(drained: TokenBuckets) -> None:
    drained.give_back("a")
    assert drained.take("a") == 0
    assert drained.take("a") > 0


def test_give_back_never_exceeds_burst(buckets: TokenBuckets) -> None:
    buckets.take("a")
    for _ in range(5):
        buckets.give_back("a")
    assert [buckets.take("a") for _ in range(4)] == [0, 0, 0, 2]


def test_give_back_for_unknown_key_keeps_nothing(buckets: TokenBuckets) -> None:
    buckets.give_back("never-seen")
    assert len(buckets) == 0


def test_memory_is_bounded_by_max_keys(clock: FakeClock) -> None:
    buckets = TokenBuckets(BURST_3_HALF_PER_SECOND, clock, max_keys=1000)
    for number in range(100_000):
        buckets.take(f"key-{number}")
        assert len(buckets) <= 1000
    assert len(buckets) == 1000


def test_least_recently_used_key_is_dropped_first(clock: FakeClock) -> None:
    buckets = TokenBuckets(Limit(burst=1, per_second=0.5), clock, max_keys=10)
    assert buckets.take("hot") == 0
    for number in range(1000):
        buckets.take(f"cold-{number}")
        assert buckets.take("hot") > 0, number  # kept limited: touched more recently than the cold keys
    assert buckets.take("cold-0") == 0  # long forgotten: a fresh bucket


def test_sweep_drops_refilled_keys_only(buckets: TokenBuckets, clock: FakeClock) -> None:
    buckets.take("old")
    clock.advance(5)
    buckets.take("recent")
    buckets.take("recent")
    clock.advance(2)  # "old" idle 7 s (refill takes 6 s), "recent" idle 2 s

    assert buckets.sweep() == 1
    assert len(buckets) == 1
    # "recent" kept its state: 2 spent, 1 refilled -> 2 left, then refused.
    assert [buckets.take("recent") for _ in range(3)] == [0, 0, 2]


def test_sweep_keeps_everything_before_refill_time(buckets: TokenBuckets, clock: FakeClock) -> None:
    buckets.take("a")
    buckets.take("b")
    clock.advance(5.9)
    assert buckets.sweep() == 0
    assert len(buckets) == 2


def test_sweep_of_empty_buckets(buckets: TokenBuckets) -> None:
    assert buckets.sweep() == 0


ADDRESSES = ["203.0.113.5", "2001:db8::1", "198.51.100.77"]


@pytest.mark.parametrize("address", ADDRESSES)
def test_address_key_is_stable_within_a_process(address: str) -> None:
    assert address_key(address) == address_key(address)


@pytest.mark.parametrize("address", ADDRESSES)
def test_address_key_hides_the_address(address: str) -> None:
    key = address_key(address)
    assert address not in key
    # Not a plain digest either: the address space is small enough to enumerate.
    assert key not in hashlib.sha256(address.encode()).hexdigest()
    assert key not in hashlib.md5(address.encode()).hexdigest()


def test_address_key_differs_per_address() -> None:
    keys = {address_key(address) for address in [*ADDRESSES, "203.0.113.6", None]}
    assert len(keys) == len(ADDRESSES) + 2


def test_address_key_is_short_hex() -> None:
    key = address_key("203.0.113.5")
    assert len(key) == 32
    int(key, 16)


def test_missing_address_shares_one_key() -> None:
    assert address_key(None) == address_key(None)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff"),  # anywhere in one /64
        ("2001:DB8:1:2::1", "2001:db8:1:2:0:0:0:7"),  # however it is written
        ("::ffff:198.51.100.7", "198.51.100.7"),  # IPv4-mapped IPv6 is the IPv4 address
    ],
)
def test_one_client_is_one_key(one: str, other: str) -> None:
    assert address_key(one) == address_key(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("2001:db8:1:2::1", "2001:db8:1:3::1"),  # the next /64 is someone else
        ("198.51.100.7", "198.51.100.8"),  # IPv4 is keyed by the whole address
        ("::ffff:198.51.100.7", "::ffff:198.51.100.8"),
    ],
)
def test_different_clients_are_different_keys(one: str, other: str) -> None:
    assert address_key(one) != address_key(other)


def test_a_client_is_an_ipv4_address_or_an_ipv6_64() -> None:
    assert client_of("203.0.113.5") == "203.0.113.5"
    assert client_of("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    assert client_of("::ffff:203.0.113.5") == "203.0.113.5"
    assert client_of("fe80::1%eth0") == "fe80::/64"
    assert client_of("not an address") == "not an address"
    assert client_of(None) == "unknown"
