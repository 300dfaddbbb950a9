"""Password hashing: every byte of a long password counts, and the gate refuses a pile-up.

bcrypt runs for real at cost 4. Concurrency is driven with Events only: a test
never sleeps to wait for another thread.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from ephemeral.errors import RateLimited
from ephemeral.passwords import HashGate, PasswordHasher, make_offload
from tests.support.threads import WAIT, HeldOffload, Outcomes

KEY = b"k" * 32


@pytest.fixture
def hasher() -> PasswordHasher:
    return PasswordHasher(KEY, cost=4)


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def test_right_password_verifies(hasher: PasswordHasher) -> None:
    assert hasher.verify("hunter2", hasher.hash("hunter2"))


@pytest.mark.parametrize(
    "wrong",
    [
        pytest.param("hunter3", id="one-char-off"),
        pytest.param("Hunter2", id="case"),
        pytest.param("hunter2 ", id="trailing-space"),
        pytest.param("hunter", id="prefix"),
        pytest.param("hunter22", id="extended"),
    ],
)
def test_wrong_password_fails(hasher: PasswordHasher, wrong: str) -> None:
    assert not hasher.verify(wrong, hasher.hash("hunter2"))


def test_same_password_hashes_differently_each_time(hasher: PasswordHasher) -> None:
    first, second = hasher.hash("hunter2"), hasher.hash("hunter2")
    assert first != second
    assert hasher.verify("hunter2", first)
    assert hasher.verify("hunter2", second)


def test_hash_from_another_key_does_not_verify(hasher: PasswordHasher) -> None:
    other = PasswordHasher(b"j" * 32, cost=4)
    assert not hasher.verify("hunter2", other.hash("hunter2"))


def test_73_byte_password_differs_from_its_72_byte_prefix(hasher: PasswordHasher) -> None:
    long = "a" * 73
    assert _utf8_len(long) == 73
    hashed = hasher.hash(long)
    assert hasher.verify(long, hashed)
    assert not hasher.verify(long[:72], hashed)


LONG_PASSWORDS = [
    pytest.param("x" * 1024, id="ascii"),
    pytest.param("é" * 1024, id="two-byte"),
    pytest.param("😀" * 1024, id="four-byte"),
    pytest.param(("a€😀" * 342)[:1024], id="mixed"),
]


@pytest.mark.parametrize("password", LONG_PASSWORDS)
def test_1024_char_password_hashes_and_verifies(hasher: PasswordHasher, password: str) -> None:
    assert len(password) == 1024
    hashed = hasher.hash(password)
    assert hasher.verify(password, hashed)
    assert not hasher.verify(password[:-1], hashed)


@pytest.mark.parametrize("password", LONG_PASSWORDS)
def test_last_character_of_a_1024_char_password_counts(hasher: PasswordHasher, password: str) -> None:
    changed = password[:-1] + ("Z" if password[-1] != "Z" else "Y")
    assert not hasher.verify(changed, hasher.hash(password))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param("p" * 72 + "A", "p" * 72 + "B", id="ascii-73rd-byte"),
        pytest.param("p" * 72 + "tail-one", "p" * 72 + "tail-two", id="ascii-long-tails"),
        pytest.param("é" * 36 + "A", "é" * 36 + "B", id="two-byte-prefix"),
        pytest.param("😀" * 18 + "x" * 500, "😀" * 18 + "y" * 500, id="four-byte-prefix"),
    ],
)
def test_passwords_equal_in_first_72_bytes_are_different(hasher: PasswordHasher, first: str, second: str) -> None:
    assert first.encode("utf-8")[:72] == second.encode("utf-8")[:72]
    assert first != second
    first_hash, second_hash = hasher.hash(first), hasher.hash(second)
    assert hasher.verify(first, first_hash)
    assert hasher.verify(second, second_hash)
    assert not hasher.verify(first, second_hash)
    assert not hasher.verify(second, first_hash)


def test_hashes_run_counts_every_hash_and_verify(hasher: PasswordHasher) -> None:
    assert hasher.hashes_run == 0
    hashed = hasher.hash("hunter2")
    assert hasher.hashes_run == 1
    hasher.verify("hunter2", hashed)
    hasher.verify("wrong", hashed)
    assert hasher.hashes_run == 3


def test_make_offload_for_unknown_mode_runs_inline() -> None:
    offload = make_offload("none-of-the-above")
    seen: list[int] = []

    def work(a: int, b: int) -> int:
        seen.append(threading.get_ident())
        return a + b

    assert offload(work, 2, 3) == 5
    assert seen == [threading.get_ident()]


# -- the gate ------------------------------------------------------------------


@pytest.fixture
def held() -> Iterator[HeldOffload]:
    offload = HeldOffload()
    yield offload
    offload.release.set()  # never leave a thread parked if an assertion failed


@pytest.fixture
def gated_hasher(held: HeldOffload) -> PasswordHasher:
    """One hash may run and one may wait; the offload holds the running one."""
    return PasswordHasher(KEY, cost=4, offload=held, gate=HashGate(running=1, waiting=1))


def test_gate_refuses_third_concurrent_hash(gated_hasher: PasswordHasher, held: HeldOffload) -> None:
    outcomes = Outcomes()
    threads = [outcomes.run(lambda: gated_hasher.hash("first"))]
    held.wait_entered()  # the first hash holds the only running slot

    # Two more arrive together: one takes the waiting slot, the other is refused.
    threads += [outcomes.run(lambda: gated_hasher.hash("second")) for _ in range(2)]
    [refused] = outcomes.wait_for(1)
    assert isinstance(refused, RateLimited)
    assert refused.retry_after is not None
    assert refused.retry_after >= 1
    assert gated_hasher.hashes_run == 1  # the refused call never reached bcrypt

    held.release.set()
    results = outcomes.wait_for(3)
    for thread in threads:
        thread.join(WAIT)
    hashes = [r for r in results if isinstance(r, bytes)]
    assert len(hashes) == 2
    assert sum(isinstance(r, RateLimited) for r in results) == 1
    assert gated_hasher.hashes_run == 2


def test_gate_admits_again_after_the_queue_drains(gated_hasher: PasswordHasher, held: HeldOffload) -> None:
    outcomes = Outcomes()
    outcomes.run(lambda: gated_hasher.hash("first"))
    held.wait_entered()
    outcomes.run(lambda: gated_hasher.hash("second"))
    outcomes.run(lambda: gated_hasher.hash("third"))
    outcomes.wait_for(1)
    held.release.set()
    outcomes.wait_for(3)

    # Both slots are free again, so a fresh hash runs (and verifies) normally.
    assert gated_hasher.verify("fourth", gated_hasher.hash("fourth"))


def test_gate_refusal_also_applies_to_verify(gated_hasher: PasswordHasher, held: HeldOffload) -> None:
    hashed = PasswordHasher(KEY, cost=4).hash("hunter2")
    outcomes = Outcomes()
    outcomes.run(lambda: gated_hasher.verify("hunter2", hashed))
    held.wait_entered()
    outcomes.run(lambda: gated_hasher.verify("hunter2", hashed))
    outcomes.run(lambda: gated_hasher.verify("hunter2", hashed))
    [refused] = outcomes.wait_for(1)
    assert isinstance(refused, RateLimited)

    held.release.set()
    results = outcomes.wait_for(3)
    assert results.count(True) == 2


def test_gate_releases_its_slot_when_the_work_raises() -> None:
    gate = HashGate(running=1, waiting=0)
    with pytest.raises(ZeroDivisionError), gate:
        _ = 1 / 0
    with gate:  # would raise RateLimited if the failed entrant still counted
        pass
