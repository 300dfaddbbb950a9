"""Waiting places served in turn by client: one client cannot hold a queue that others need.

The bcrypt gate (hashes waiting for a turn) and the join limits (joins waiting for
a room's next token) keep their waiters here. Each place belongs to a key, a
keyed client address. Keys take turns, one place each per round, in the order
they first queued; a key that has nobody waiting leaves the round and joins it
again at the end. When every place is taken, a newcomer takes the newest place of
the key that holds the most, if that key would still hold at least as many as the
newcomer's; otherwise the newcomer is refused. So one client may use the whole
queue while nobody else needs it, and gives its places up as others arrive.

Not thread-safe: the caller holds its own lock around every call, and wakes its
waiters after `add` (a place it took from someone is marked `evicted`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass


@dataclass(eq=False, slots=True)
class Place:
    """One waiter's place; `evicted` once a newcomer took it (the waiter is then refused)."""

    key: str
    evicted: bool = False


class FairQueue:
    """Places in rounds by key; `head()` is the place to serve next."""

    def __init__(self) -> None:
        self._by_key: dict[str, deque[Place]] = {}
        self._turns: deque[str] = deque()  # keys with a place, the next to be served first
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def held_by(self, key: str) -> int:
        """Places `key` holds now."""
        return len(self._by_key.get(key, ()))

    def head(self) -> Place | None:
        return self._by_key[self._turns[0]][0] if self._turns else None

    def ahead(self, key: str) -> int:
        """Places served before a place `key` would add now, if nobody else came.

        Its new place is served in round n + 1, n being the places `key` holds: every
        key before it in the round serves up to n + 1 places first, every key after
        it up to n. A key not in the round joins it at the end.
        """
        mine = self.held_by(key)
        total, past_key = mine, False
        for other in self._turns:
            if other == key:
                past_key = True
                continue
            total += min(len(self._by_key[other]), mine if past_key else mine + 1)
        return total

    def has_room(self, key: str, capacity: int) -> bool:
        """Whether `add` would queue a place of `key` now, past `capacity` places by taking another's."""
        return self._count < capacity or self._victim(key) is not None

    def add(self, place: Place, capacity: int) -> bool:
        """Queue `place`; when full, take the newest place of the key holding the most. False: refused."""
        if self._count >= capacity:
            victim = self._victim(place.key)
            if victim is None:
                return False
            taken = self._by_key[victim].pop()
            taken.evicted = True
            self._count -= 1  # the victim holds more than one place: its key stays in the round
        queued = self._by_key.get(place.key)
        if queued is None:
            queued = self._by_key[place.key] = deque()
            self._turns.append(place.key)
        queued.append(place)
        self._count += 1
        return True

    def served(self, place: Place) -> None:
        """`place`, the head, takes its turn: its key goes to the end of the round, or leaves it."""
        assert place is self.head()
        key = self._turns.popleft()
        queued = self._by_key[key]
        queued.popleft()
        self._count -= 1
        if queued:
            self._turns.append(key)
        else:
            del self._by_key[key]

    def remove(self, place: Place) -> None:
        """`place` gives up (its deadline, a refusal); nothing happens if it was already taken or served."""
        queued = self._by_key.get(place.key)
        if queued is None or place.evicted:
            return
        try:
            queued.remove(place)
        except ValueError:
            return
        self._count -= 1
        if not queued:
            del self._by_key[place.key]
            self._turns.remove(place.key)

    def _victim(self, key: str) -> str | None:
        """The key holding the most places, if it holds more than `key` would with one more."""
        if not self._by_key:
            return None
        most = max(self._by_key, key=lambda other: len(self._by_key[other]))
        return most if len(self._by_key[most]) > self.held_by(key) + 1 else None
