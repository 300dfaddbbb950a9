"""Creating and joining rooms, with abuse limits applied before any bcrypt work."""

from __future__ import annotations

from .errors import EphemeralError, NotFound, RateLimited, WrongPassword
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


def create_room(svc: Services, address: str | None, name: object, alias: object, password: object) -> Binding:
    """Every successful creation counts against the address; failures are refunded."""
    charges = [(svc.limits.create_by_address, address_key(address))]
    _spend(charges)
    try:
        return svc.registry.create(name, alias, password)
    except EphemeralError:
        _refund(charges)
        raise


def join_room(svc: Services, address: str | None, room_id: str, alias: object, password: object) -> Binding:
    """Only wrong passwords count against the address and the room."""
    if not looks_like_room_id(room_id):
        raise NotFound()
    charges = [
        (svc.limits.wrong_password_by_address, address_key(address)),
        (svc.limits.wrong_password_by_room, room_id),
    ]
    _spend(charges)
    try:
        binding = svc.registry.join(room_id, alias, password)
    except WrongPassword:
        raise
    except EphemeralError:
        _refund(charges)
        raise
    _refund(charges)
    return binding
