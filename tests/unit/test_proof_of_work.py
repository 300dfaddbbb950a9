"""Proofs of work: a challenge is signed, bound to its room, short-lived, and says how hard it is.

Plain function calls with a fake wall clock; the solver here is the same search
the web client runs with WebCrypto (static/js/proof.js, tested in tests/js).
"""

from __future__ import annotations

import pytest

from ephemeral.errors import ProofInvalid, ProofRequired
from ephemeral.proof_of_work import (
    CHALLENGE_TTL,
    CLOCK_SKEW,
    MAX_PROOF_CHARS,
    BadProof,
    ProofGate,
    ProofOfWork,
    leading_zero_bits,
)
from ephemeral.ratelimit import Limit, TokenBuckets
from ephemeral.storm import StormWatch
from tests.support.proofs import solve, unsolved

SECRET = b"s" * 32
ROOM = "A" * 22
OTHER_ROOM = "B" * 22
BITS = 8
START = 1_700_000_000.0


class FakeClock:
    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def work(clock: FakeClock) -> ProofOfWork:
    return ProofOfWork(SECRET, clock=clock)


@pytest.mark.parametrize(
    ("digest", "bits"),
    [(b"\x80" + bytes(31), 0), (b"\x7f" + bytes(31), 1), (b"\x00\x01" + bytes(30), 15), (bytes(32), 256)],
)
def test_leading_zero_bits(digest: bytes, bits: int) -> None:
    assert leading_zero_bits(digest) == bits


def test_a_solved_challenge_holds_for_its_room(work: ProofOfWork) -> None:
    challenge = work.mint(ROOM, BITS)
    assert challenge.difficulty == BITS
    assert challenge.text.startswith(f"1.{ROOM}.{int(START)}.{int(START) + CHALLENGE_TTL}.{BITS}.")
    solved = work.check(solve(challenge.text, BITS), ROOM, BITS)
    # Remembered until the challenge has expired on every process's clock.
    assert solved.remember == CHALLENGE_TTL + CLOCK_SKEW


def test_each_challenge_is_new(work: ProofOfWork) -> None:
    nonces = {work.check(solve(work.mint(ROOM, 1).text, 1), ROOM, 1).nonce for _ in range(20)}
    assert len(nonces) == 20


def test_a_proof_for_another_room_is_refused(work: ProofOfWork) -> None:
    proof = solve(work.mint(ROOM, BITS).text, BITS)
    with pytest.raises(BadProof, match="another room"):
        work.check(proof, OTHER_ROOM, BITS)


def test_a_challenge_lives_its_ttl_and_no_longer(work: ProofOfWork, clock: FakeClock) -> None:
    proof = solve(work.mint(ROOM, BITS).text, BITS)
    clock.now = START + CHALLENGE_TTL - 0.001
    work.check(proof, ROOM, BITS)
    clock.now = START + CHALLENGE_TTL
    with pytest.raises(BadProof, match="expired"):
        work.check(proof, ROOM, BITS)


def test_a_challenge_from_the_future_is_refused_past_the_allowed_skew(work: ProofOfWork, clock: FakeClock) -> None:
    proof = solve(work.mint(ROOM, BITS).text, BITS)
    clock.now = START - CLOCK_SKEW  # another process, a little behind: still fine
    work.check(proof, ROOM, BITS)
    clock.now = START - CLOCK_SKEW - 1
    with pytest.raises(BadProof, match="expired"):
        work.check(proof, ROOM, BITS)


def test_a_counter_that_does_not_solve_is_refused(work: ProofOfWork) -> None:
    challenge = work.mint(ROOM, BITS).text
    with pytest.raises(BadProof, match="does not solve"):
        work.check(unsolved(challenge, BITS), ROOM, BITS)


def test_an_easier_challenge_than_asked_is_refused_as_too_easy(work: ProofOfWork) -> None:
    proof = solve(work.mint(ROOM, 2).text, 2)
    with pytest.raises(BadProof) as refused:
        work.check(proof, ROOM, BITS)
    assert refused.value.too_easy
    # A harder challenge than asked is fine.
    work.check(solve(work.mint(ROOM, BITS + 2).text, BITS + 2), ROOM, BITS)


def _edit(challenge: str, index: int, value: str) -> str:
    parts = challenge.split(".")
    parts[index] = value
    return ".".join(parts)


@pytest.mark.parametrize(
    ("index", "value"),
    [
        pytest.param(1, OTHER_ROOM, id="room"),
        pytest.param(2, str(int(START) + 60), id="issued"),
        pytest.param(3, str(int(START) + 3600), id="expires-later"),
        pytest.param(4, "1", id="difficulty-lowered"),
        pytest.param(5, "C" * 22, id="nonce"),
        pytest.param(6, "D" * 43, id="mac"),
    ],
)
def test_a_tampered_challenge_is_refused_even_when_solved(work: ProofOfWork, index: int, value: str) -> None:
    tampered = _edit(work.mint(ROOM, BITS).text, index, value)
    with pytest.raises(BadProof, match="not made by this server"):
        work.check(solve(tampered, 1 if index == 4 else BITS), OTHER_ROOM if index == 1 else ROOM, 1)


def test_another_servers_challenge_is_refused(work: ProofOfWork, clock: FakeClock) -> None:
    theirs = ProofOfWork(b"t" * 32, clock=clock).mint(ROOM, BITS)
    with pytest.raises(BadProof, match="not made by this server"):
        work.check(solve(theirs.text, BITS), ROOM, BITS)


@pytest.mark.parametrize(
    "proof",
    [
        pytest.param(None, id="none"),
        pytest.param(12345, id="number"),
        pytest.param(["1.a"], id="list"),
        pytest.param({"proof": "x"}, id="object"),
        pytest.param("", id="empty"),
        pytest.param("garbage", id="garbage"),
        pytest.param("CHALLENGE", id="no-counter"),
        pytest.param("CHALLENGE:", id="empty-counter"),
        pytest.param("CHALLENGE:-1", id="negative-counter"),
        pytest.param("CHALLENGE:1e3", id="exponent-counter"),
        pytest.param("CHALLENGE:١٢", id="arabic-digits"),
        pytest.param("CHALLENGE:1 ", id="trailing-space"),
        pytest.param("CHALLENGE:" + "9" * 21, id="counter-too-long"),
        pytest.param("CHALLENGE:1:2", id="two-counters"),
        pytest.param("CHALLENGE:1\n", id="newline"),
        pytest.param("2" + "CHALLENGE:1"[1:], id="other-version"),
        pytest.param("x" * (MAX_PROOF_CHARS + 1), id="too-long"),
    ],
)
def test_malformed_proofs_are_refused_without_an_exception_of_their_own(work: ProofOfWork, proof: object) -> None:
    challenge = work.mint(ROOM, BITS).text
    if isinstance(proof, str):
        proof = proof.replace("CHALLENGE", challenge[1:] if proof.startswith("2") else challenge)
    with pytest.raises(BadProof, match="not a proof of work"):
        work.check(proof, ROOM, BITS)


# -- the gate: storms decide, the store spends -----------------------------------------------------------------


class Spent:
    """A store's `spend_proof`, recording what it was asked."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, float]] = []

    def __call__(self, challenge_id: str, ttl: float) -> bool:
        fresh = all(challenge_id != seen for seen, _ in self.asked)
        self.asked.append((challenge_id, ttl))
        return fresh


@pytest.fixture
def room_buckets(clock: FakeClock) -> TokenBuckets:
    return TokenBuckets(Limit(burst=4, per_second=4 / 60), clock)


@pytest.fixture
def spent() -> Spent:
    return Spent()


@pytest.fixture
def gate(room_buckets: TokenBuckets, work: ProofOfWork, spent: Spent, clock: FakeClock) -> ProofGate:
    storms = StormWatch(room_buckets, Limit(burst=1000, per_second=1), room_bits=BITS, process_bits=0, clock=clock)
    return ProofGate(storms, work, spent)


def storm(room_buckets: TokenBuckets, room_id: str = ROOM) -> None:
    """More than half the room's wrong-password burst spent."""
    for _ in range(3):
        room_buckets.take(room_id)


@pytest.mark.parametrize("proof", [None, "", "garbage", 7])
def test_outside_a_storm_no_proof_is_asked_for_or_looked_at(gate: ProofGate, spent: Spent, proof: object) -> None:
    assert gate.challenge(ROOM) is None
    gate.check(ROOM, proof)
    assert spent.asked == []


@pytest.mark.parametrize("proof", [None, ""])
def test_in_a_storm_a_join_without_a_proof_gets_a_challenge(gate: ProofGate, room_buckets: TokenBuckets, proof: object):
    storm(room_buckets)
    with pytest.raises(ProofRequired) as refused:
        gate.check(ROOM, proof)
    assert type(refused.value) is ProofRequired
    assert refused.value.status == 428
    assert refused.value.difficulty == BITS
    assert refused.value.challenge.startswith(f"1.{ROOM}.")
    assert refused.value.body()["challenge"] == refused.value.challenge
    # The storm is only this room's.
    assert gate.challenge(OTHER_ROOM) is None
    gate.check(OTHER_ROOM, None)


def test_in_a_storm_a_solved_proof_opens_one_join(gate: ProofGate, room_buckets: TokenBuckets, spent: Spent) -> None:
    storm(room_buckets)
    challenge = gate.challenge(ROOM)
    assert challenge is not None and challenge.difficulty == BITS
    proof = solve(challenge.text, challenge.difficulty)
    gate.check(ROOM, proof)
    assert spent.asked == [(challenge.text.split(".")[5], CHALLENGE_TTL + CLOCK_SKEW)]
    with pytest.raises(ProofInvalid) as replayed:
        gate.check(ROOM, proof)
    assert "already used" in replayed.value.message
    assert replayed.value.status == 428
    assert replayed.value.challenge != challenge.text  # a new one to solve


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda challenge: unsolved(challenge, BITS), id="unsolved"),
        pytest.param(lambda challenge: "nonsense", id="malformed"),
    ],
)
def test_a_bad_proof_is_invalid_and_spends_nothing(gate: ProofGate, room_buckets: TokenBuckets, spent: Spent, make):
    storm(room_buckets)
    challenge = gate.challenge(ROOM)
    assert challenge is not None
    with pytest.raises(ProofInvalid) as refused:
        gate.check(ROOM, make(challenge.text))
    assert refused.value.challenge.startswith(f"1.{ROOM}.")
    assert spent.asked == []


def test_a_proof_for_another_rooms_storm_is_invalid(gate: ProofGate, room_buckets: TokenBuckets) -> None:
    storm(room_buckets, ROOM)
    storm(room_buckets, OTHER_ROOM)
    challenge = gate.challenge(OTHER_ROOM)
    assert challenge is not None
    with pytest.raises(ProofInvalid) as refused:
        gate.check(ROOM, solve(challenge.text, challenge.difficulty))
    assert "another room" in refused.value.message
