"""Solving proofs of work as a script would: the search the web client runs with WebCrypto, in Python."""

from __future__ import annotations

import hashlib
import itertools

from ephemeral.proof_of_work import leading_zero_bits


def zero_bits(proof: str) -> int:
    return leading_zero_bits(hashlib.sha256(proof.encode("ascii")).digest())


def solve(challenge: str, difficulty: int) -> str:
    """The first `<challenge>:<counter>` whose SHA-256 starts with `difficulty` zero bits."""
    return next(proof for n in itertools.count() if zero_bits(proof := f"{challenge}:{n}") >= difficulty)


def unsolved(challenge: str, difficulty: int) -> str:
    """A well-formed proof whose counter does not solve the challenge."""
    return next(proof for n in itertools.count() if zero_bits(proof := f"{challenge}:{n}") < difficulty)
