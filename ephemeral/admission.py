"""Creating and joining rooms, with abuse limits applied before any bcrypt work and charged by what it did."""

from __future__ import annotations

from collections.abc import Callable

from . import e2e, fields
from .errors import EphemeralError, Invalid, NotFound, RateLimited, WrongPassword
from .hash_gate import BUSY, Attempt, hashing_for
from .held_tokens import Holds
from .ratelimit import TokenBuckets, address_key
from .rooms import E2E, STANDARD, Binding, Rules, Sealed, looks_like_room_id
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


def create_room(
    svc: Services,
    address: str | None,
    name: object,
    alias: object,
    password: object,
    sealed: Sealed | None = None,
    rules: Rules | None = None,
) -> Binding:
    """Every creation that reaches bcrypt counts against the address; one refused before it is refunded.

    With `sealed` (checked by `e2e.sealed`) the room is server-blind, `name` is None and `password` the verifier.
    `rules` are the creator's choices, already checked by `room_rules.rules_from`.
    """
    key = address_key(address)
    charges = [(svc.limits.create_by_address, key)]
    _spend(charges)
    attempt = Attempt(key)
    try:
        with hashing_for(attempt):
            return svc.registry.create(name, alias, password, sealed, rules)
    except EphemeralError:
        if not attempt.hashed:
            _refund(charges)
        raise


# What a join sends to get in, by the mode of room it is for, and the words when the room is of the other mode.
_SECRETS: dict[str, Callable[[object], str]] = {STANDARD: fields.password, E2E: e2e.verifier}
_OTHER_MODE = {
    STANDARD: "This room is server-blind: join with the verifier derived from its password and link.",
    E2E: "This room is not server-blind: join with its password.",
}


def _fits_the_door(svc: Services, room_id: str, alias: object, secret: object, mode: str) -> None:
    """The fields are good and the secret is of the room's kind: a password, or a server-blind room's verifier."""
    fields.alias(alias)  # a bad field is told before a missing room, as the store tells it
    _SECRETS[mode](secret)
    door = svc.registry.door(room_id)
    if door is None:
        raise NotFound()
    if door.mode != mode:
        raise Invalid(_OTHER_MODE[mode])


def join_room(
    svc: Services,
    address: str | None,
    room_id: str,
    alias: object,
    password: object,
    proof: object = None,
    mode: str = STANDARD,
) -> Binding:
    """A wrong password counts against the address and the room; in a guessing storm a proof of work comes first.

    `mode` says what `password` is: a password (`standard`) or a verifier (`e2e`); a
    room of the other mode refuses it as `invalid` before bcrypt.

    Tokens are held while the password is checked. Any other join that reached
    bcrypt and did not let the person in (the alias taken, the room full) counts
    against the address too: knowing a password buys no more bcrypt than guessing.
    """
    if not looks_like_room_id(room_id):
        raise NotFound()
    svc.proofs.check(room_id, proof)  # before any token or bcrypt is spent
    key = address_key(address)
    own = (svc.limits.wrong_password_by_address, key)
    room = (svc.limits.wrong_password_by_room, room_id)
    _holds.hold(own, room, key, svc.settings.bcrypt_wait)
    attempt = Attempt(key)
    joined = wrong = False
    try:
        with hashing_for(attempt):
            _fits_the_door(svc, room_id, alias, password, mode)
            binding = svc.registry.join(room_id, alias, password)
        joined = True
        return binding
    except WrongPassword:
        wrong = True
        svc.storms.wrong_password()
        raise
    finally:
        _holds.settle([(own, bool(attempt.hashed) and not joined), (room, wrong)])


def refusal_before_reading(svc: Services, address: str | None, room_id: str | None) -> RateLimited | None:
    """The 429 `join_room` (for `room_id`) or `create_room` (for None) would give on its limits alone.

    Spends and remembers nothing, and needs no body, session or form: a storm's
    refused attempts are answered before any of them is read (`early_refusal.py`).
    A room whose budget is spent refuses only the joins that could not wait their turn.
    """
    limits, key = svc.limits, address_key(address)
    if room_id is None:
        wait = limits.create_by_address.would_wait(key)
    elif looks_like_room_id(room_id):
        own, room = (limits.wrong_password_by_address, key), (limits.wrong_password_by_room, room_id)
        wait = _holds.would_refuse(own, room, key, svc.settings.bcrypt_wait)
    else:
        return None  # not a room: the app answers 404
    if wait:
        return RateLimited(retry_after=wait)
    wait = svc.hasher.gate.would_refuse(key)
    return RateLimited(BUSY, retry_after=wait) if wait else None
