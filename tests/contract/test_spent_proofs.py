"""Spent proofs of work: a challenge opens one join, in memory and across processes on Redis, until it expires.

Runs against both stores (`conftest.py`). Concurrent spends run on real threads
released together by a Barrier; nothing sleeps.
"""

from __future__ import annotations

import threading

import pytest

from ephemeral.rooms import RoomStore, memory
from tests.contract.conftest import Clock, MakeRegistry

TTL = 150.0
WAIT = 10  # seconds; only a bound so a broken race fails instead of hanging


def test_a_challenge_is_spent_once(registry: RoomStore) -> None:
    assert registry.spend_proof("nonce-a", TTL) is True
    assert registry.spend_proof("nonce-a", TTL) is False
    assert registry.spend_proof("nonce-a", TTL) is False
    assert registry.spend_proof("nonce-b", TTL) is True


def test_every_process_sees_the_spend(make_registry: MakeRegistry, store: str) -> None:
    """Two registries are two processes on Redis; in memory each process has its own (and only its own) rooms."""
    first, second = make_registry(), make_registry()
    assert first.spend_proof("nonce-a", TTL) is True
    assert second.spend_proof("nonce-a", TTL) is (store == "memory")


def test_a_spent_challenge_is_forgotten_when_it_expires(registry: RoomStore, clock: Clock) -> None:
    assert registry.spend_proof("nonce-a", TTL) is True
    assert registry.spend_proof("nonce-b", 2 * TTL) is True
    clock.advance(TTL - 1)
    assert registry.spend_proof("nonce-a", TTL) is False
    clock.advance(2)
    # Past its time nobody can present that challenge any more; remembering it would only cost memory.
    assert registry.spend_proof("nonce-a", TTL) is True
    assert registry.spend_proof("nonce-b", TTL) is False


def test_of_concurrent_spends_exactly_one_wins(make_registry: MakeRegistry, store: str) -> None:
    # On Redis each thread is its own process; in memory they share the one registry.
    registries = [make_registry() for _ in range(8)] if store == "redis" else [make_registry()] * 8
    start = threading.Barrier(len(registries))
    won: list[bool] = []

    def spend(registry: RoomStore) -> None:
        start.wait(WAIT)
        won.append(registry.spend_proof("contested", TTL))

    threads = [threading.Thread(target=spend, args=(registry,)) for registry in registries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert sorted(won) == [False] * 7 + [True]


@pytest.mark.parametrize("store", ["memory"])
def test_memory_keeps_a_bounded_number_of_spent_proofs(registry: RoomStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the cap the oldest go first: they are the nearest to expiring, and a replay still pays every limit."""
    monkeypatch.setattr(memory, "MAX_SPENT_PROOFS", 3)
    for nonce in ("a", "b", "c", "d"):
        assert registry.spend_proof(nonce, TTL) is True
    assert [registry.spend_proof(nonce, TTL) for nonce in ("b", "c", "d")] == [False] * 3
    assert registry.spend_proof("a", TTL) is True
