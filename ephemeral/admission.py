"""Creating and joining rooms, with abuse limits applied before any bcrypt work."""

from __future__ import annotations

from .errors import EphemeralError, NotFound, RateLimited, WrongPassword
from .hash_gate import BUSY
from .held_tokens import Holds
from .ratelimit import TokenBuckets, address_key
from .rooms import Binding, looks_like_room_id
from .services import Services


def _spend(charges: list[tuple[TokenBuckets, str]]) -> None:
    """Take one token from every bucket or from none; raise 429 with the longest wait."""
    taken: list[tuple[TokenBuckets, str]] = []
    for buckets, key in charges:
        wait = buckets.take(key)
        if wait:
            _refund(taken)
            raise RateLimited(retry_after=wait)
        taken.append((buckets, key))


def _refund(charges: list[tuple[TokenBuckets, str]]) -> None:
    for buckets, key in charges:
        buckets.give_back(key)


# Every join of this process holds and settles its tokens here (tokens of different apps never meet).
_holds = Holds()


def create_room(svc: Services, address: str | None, name: object, alias: object, password: object) -> Binding:
    """Every successful creation counts against the address; failures are refunded."""
    charges = [(svc.limits.create_by_address, address_key(address))]
    _spend(charges)
    try:
        return svc.registry.create(name, alias, password)
    except EphemeralError:
        _refund(charges)
        raise


def join_room(
    svc: Services, address: str | None, room_id: str, alias: object, password: object, proof: object = None
) -> Binding:
    """Only wrong passwords count against the address and the room; in a guessing storm a proof of work comes first.

    Tokens are held while the password is checked and spent only if it was wrong.
    """
    if not looks_like_room_id(room_id):
        raise NotFound()
    svc.proofs.check(room_id, proof)  # before any token or bcrypt is spent
    charges = [
        (svc.limits.wrong_password_by_address, address_key(address)),
        (svc.limits.wrong_password_by_room, room_id),
    ]
    _holds.hold(charges, svc.settings.bcrypt_wait)
    wrong = False
    try:
        return svc.registry.join(room_id, alias, password)
    except WrongPassword:
        wrong = True
        svc.storms.wrong_password()
        raise
    finally:
        _holds.settle(charges, spent=wrong)


def refusal_before_reading(svc: Services, address: str | None, room_id: str | None) -> RateLimited | None:
    """The 429 `join_room` (for `room_id`) or `create_room` (for None) would give on its limits alone.

    Spends and remembers nothing, and needs no body, session or form: a storm's
    refused attempts are answered before any of them is read (`early_refusal.py`).
    The room's bucket comes first: a distributed guesser empties it, not an address's.
    """
    limits = svc.limits
    if room_id is None:
        wait = limits.create_by_address.would_wait(address_key(address))
    elif looks_like_room_id(room_id):
        wait = limits.wrong_password_by_room.would_wait(room_id)
        wait = wait or limits.wrong_password_by_address.would_wait(address_key(address))
    else:
        return None  # not a room: the app answers 404
    if wait:
        return RateLimited(retry_after=wait)
    wait = svc.hasher.gate.would_refuse()
    return RateLimited(BUSY, retry_after=wait) if wait else None
