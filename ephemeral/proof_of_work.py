"""Hashcash-style proofs of work, asked of joins while a guessing storm lasts (`storm.py` says when).

A challenge is stateless and signed with the app's secret:
`1.<room id>.<issued>.<expires>.<difficulty>.<nonce>.<mac>` (times in whole Unix
seconds, the nonce 128 random bits, the mac an HMAC-SHA256 of everything before
it). A proof is `<challenge>:<counter>` whose SHA-256 starts with `difficulty`
zero bits. Checking one costs one HMAC and one SHA-256, before any rate-limit
token or bcrypt is spent; the store remembers each spent challenge until it
expires, so a proof opens one join, on any process.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from .errors import ProofInvalid, ProofRequired
from .ratelimit import Clock
from .storm import StormWatch

VERSION = "1"
# Long enough to solve on a slow phone and send; short enough that spent challenges are soon forgotten.
CHALLENGE_TTL = 120
# Processes on several machines may disagree about the time by this much (seconds).
CLOCK_SKEW = 30
MAX_PROOF_CHARS = 256
_PROOF = re.compile(
    r"(?P<challenge>1\.(?P<room>[A-Za-z0-9_-]{1,64})\.(?P<issued>[0-9]{1,12})\.(?P<expires>[0-9]{1,12})"
    r"\.(?P<difficulty>[0-9]{1,2})\.(?P<nonce>[A-Za-z0-9_-]{22})\.(?P<mac>[A-Za-z0-9_-]{43})):[0-9]{1,20}"
)

SpendProof = Callable[[str, float], bool]


@dataclass(frozen=True, slots=True)
class Challenge:
    text: str
    difficulty: int


@dataclass(frozen=True, slots=True)
class Solved:
    """A proof that holds: its challenge's nonce (spend it once) and how long the store must remember it."""

    nonce: str
    remember: float


class BadProof(Exception):
    """A proof that does not hold; `reason` is the sentence the client gets."""

    def __init__(self, reason: str, *, too_easy: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.too_easy = too_easy


def leading_zero_bits(digest: bytes) -> int:
    value = int.from_bytes(digest, "big")
    return len(digest) * 8 - value.bit_length()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


class ProofOfWork:
    """Mints challenges for a room and checks proofs; knows nothing of storms or stores."""

    def __init__(self, secret: bytes, *, ttl: int = CHALLENGE_TTL, clock: Clock = time.time) -> None:
        # A key of its own, so nothing signed here could pass for a session cookie or the reverse.
        self._key = hmac.new(secret, b"ephemeral proof of work", hashlib.sha256).digest()
        self._ttl = ttl
        self._clock = clock

    def mint(self, room_id: str, difficulty: int) -> Challenge:
        issued = int(self._clock())
        body = f"{VERSION}.{room_id}.{issued}.{issued + self._ttl}.{difficulty}.{_b64(secrets.token_bytes(16))}"
        return Challenge(f"{body}.{self._mac(body)}", difficulty)

    def check(self, proof: object, room_id: str, difficulty: int) -> Solved:
        """The proof's nonce if it holds for `room_id` at `difficulty` bits or more; else BadProof."""
        text = proof if isinstance(proof, str) and len(proof) <= MAX_PROOF_CHARS else ""
        found = _PROOF.fullmatch(text)
        if found is None:
            raise BadProof("That is not a proof of work: send the challenge, a colon and your counter.")
        challenge = found["challenge"]
        body = challenge.rpartition(".")[0]
        if not hmac.compare_digest(found["mac"], self._mac(body)):
            raise BadProof("That challenge was not made by this server.")
        if found["room"] != room_id:
            raise BadProof("That proof of work is for another room.")
        now = self._clock()
        issued, expires = int(found["issued"]), int(found["expires"])
        if not issued - CLOCK_SKEW <= now < expires:
            raise BadProof("That proof of work has expired: solve the new challenge.")
        if int(found["difficulty"]) < difficulty:
            raise BadProof("The room needs a harder proof of work now: solve the new challenge.", too_easy=True)
        if leading_zero_bits(hashlib.sha256(text.encode("ascii")).digest()) < int(found["difficulty"]):
            raise BadProof("That counter does not solve the challenge.")
        return Solved(found["nonce"], expires - now + CLOCK_SKEW)

    def _mac(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode("ascii"), hashlib.sha256).digest())


class ProofGate:
    """The check at the top of a join: nothing outside a storm; in one, a fresh, solved, unspent proof."""

    def __init__(self, storms: StormWatch, work: ProofOfWork, spend: SpendProof) -> None:
        self.storms = storms
        self._work = work
        self._spend = spend

    def challenge(self, room_id: str) -> Challenge | None:
        """What a join page offers to solve ahead of time; None outside a storm."""
        bits = self.storms.difficulty(room_id)
        return self._work.mint(room_id, bits) if bits else None

    def check(self, room_id: str, proof: object) -> None:
        """Raises ProofRequired (none sent, or too easy now) or ProofInvalid, each with a new challenge."""
        bits = self.storms.difficulty(room_id)
        if not bits:
            return  # outside a storm a proof is neither needed nor looked at
        if proof is None or proof == "":
            raise self._refusal(ProofRequired, room_id, bits)
        try:
            solved = self._work.check(proof, room_id, bits)
        except BadProof as bad:
            raise self._refusal(ProofRequired if bad.too_easy else ProofInvalid, room_id, bits, bad.reason) from None
        if not self._spend(solved.nonce, solved.remember):
            raise self._refusal(ProofInvalid, room_id, bits, "That proof of work was already used: solve the new one.")

    def _refusal(self, kind: type[ProofRequired], room_id: str, bits: int, reason: str | None = None) -> ProofRequired:
        fresh = self._work.mint(room_id, bits)
        return kind(fresh.text, fresh.difficulty, reason)
