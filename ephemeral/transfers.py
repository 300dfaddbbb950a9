"""The files on their way through this process: who sends them, to which sockets, how far they are.

A file is relayed piece by piece to the sockets that were in the room when it was offered, and nothing of it
is kept: a piece is held only while it is handed to those sockets (`relaying`), never written anywhere. The
ledger keeps the rest bounded: files at once per sender, per room and per process, and the bytes being
relayed per sender, per room and per process. Past a bound the sender is told to retry (`rate_limited`,
`retry_after`); the client waits and sends the same piece or offer again. Pieces come in order, each once.
A file that hears nothing for `IDLE_SECONDS` is dropped, as are a sender's files when their socket closes.

This process knows only the files its own sockets send: a room's sockets on other processes get the pieces by
Redis pub/sub, which stores nothing.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from .errors import Invalid, RateLimited
from .file_fields import CHUNK_BYTES, Chunk, Offer

FILES_PER_SENDER = 3
FILES_PER_ROOM = 8
FILES_PER_PROCESS = 32
# Bytes being relayed at once: a few pieces per sender, a few senders per room.
HELD_PER_SENDER = 4 * (CHUNK_BYTES + 1024)
HELD_PER_ROOM = 4 * HELD_PER_SENDER
HELD_PER_PROCESS = 32 * HELD_PER_SENDER
IDLE_SECONDS = 60.0
RETRY_AFTER = 1

BUSY = "Too many files are on their way. Try again in a moment."


@dataclass(slots=True)
class Transfer:
    """One file on its way: from which socket (and participant), in which room, to which sockets."""

    sender: str
    sender_id: str
    room_id: str
    offer: Offer
    readers: list[str]
    next_index: int = 0
    touched: float = field(default=0.0)

    @property
    def done(self) -> bool:
        return self.next_index >= self.offer.chunks


@dataclass(frozen=True, slots=True)
class Caps:
    per_sender: int = FILES_PER_SENDER
    per_room: int = FILES_PER_ROOM
    per_process: int = FILES_PER_PROCESS
    held_per_sender: int = HELD_PER_SENDER
    held_per_room: int = HELD_PER_ROOM
    held_per_process: int = HELD_PER_PROCESS
    idle_seconds: float = IDLE_SECONDS


class Transfers:
    """The ledger. Thread-safe: handlers of one socket may run at once (gevent, eventlet, threads)."""

    def __init__(self, caps: Caps = Caps(), clock: Callable[[], float] = time.monotonic) -> None:
        self._caps = caps
        self._clock = clock
        self._lock = threading.Lock()
        self._files: dict[tuple[str, str], Transfer] = {}  # (sender sid, file id) -> transfer
        self._held: dict[tuple[str, str], int] = {}  # ("sender", sid) or ("room", id) -> bytes being relayed
        self._held_total = 0

    def open(self, sender: str, sender_id: str, room_id: str, offer: Offer, readers: list[str]) -> Transfer:
        """Start a file: `invalid` if this socket already sends one with that id, `rate_limited` past a bound."""
        with self._lock:
            self._drop_idle()
            if (sender, offer.id) in self._files:
                raise Invalid("A file with this id is already on its way.")
            files = list(self._files.values())
            caps = self._caps
            if (
                len(files) >= caps.per_process
                or sum(t.room_id == room_id for t in files) >= caps.per_room
                or sum(t.sender == sender for t in files) >= caps.per_sender
            ):
                raise RateLimited(BUSY, retry_after=RETRY_AFTER)
            transfer = Transfer(sender, sender_id, room_id, offer, list(readers), touched=self._clock())
            self._files[(sender, offer.id)] = transfer
            return transfer

    def sizes(self, sender: str) -> dict[str, int]:
        """The sizes of the files this socket is sending, by id: what its next piece is checked against."""
        with self._lock:
            return {file_id: t.offer.size for (sid, file_id), t in self._files.items() if sid == sender}

    @contextlib.contextmanager
    def relaying(self, sender: str, chunk: Chunk) -> Iterator[Transfer]:
        """Hold `chunk` while the caller relays it: `invalid` unless it is the next piece of a file this socket
        sends, `rate_limited` (nothing taken: send it again) past a bound of bytes held. The file is finished,
        and forgotten, once its last piece is through."""
        with self._lock:
            transfer = self._files.get((sender, chunk.file_id))
            if transfer is None:
                raise Invalid("No file with this id is on its way from you.")
            if chunk.index != transfer.next_index:
                raise Invalid(f"The next chunk of this file is {transfer.next_index}.")
            if self._over_held(transfer, chunk.size):
                raise RateLimited(BUSY, retry_after=RETRY_AFTER)
            transfer.next_index += 1
            transfer.touched = self._clock()
            if transfer.done:
                del self._files[(sender, chunk.file_id)]
            self._hold(transfer, chunk.size)
        try:
            yield transfer
        finally:
            with self._lock:
                self._hold(transfer, -chunk.size)

    def cancel(self, sender: str, file_id: str) -> Transfer | None:
        """The sender stops a file; the transfer, or None if no such file is on its way."""
        with self._lock:
            return self._files.pop((sender, file_id), None)

    def drop_sender(self, sender: str) -> list[Transfer]:
        """A socket closed: its files stop. Returns them, so that their readers can be told."""
        with self._lock:
            gone = [key for key in self._files if key[0] == sender]
            return [self._files.pop(key) for key in gone]

    def held(self) -> int:
        """Bytes being relayed in this process right now."""
        with self._lock:
            return self._held_total

    def __len__(self) -> int:
        with self._lock:
            return len(self._files)

    # -- callers hold the lock -------------------------------------------------

    def _over_held(self, transfer: Transfer, size: int) -> bool:
        caps = self._caps
        return (
            self._held.get(("sender", transfer.sender), 0) + size > caps.held_per_sender
            or self._held.get(("room", transfer.room_id), 0) + size > caps.held_per_room
            or self._held_total + size > caps.held_per_process
        )

    def _hold(self, transfer: Transfer, size: int) -> None:
        for key in (("sender", transfer.sender), ("room", transfer.room_id)):
            left = self._held.get(key, 0) + size
            if left:
                self._held[key] = left
            else:
                self._held.pop(key, None)
        self._held_total += size

    def _drop_idle(self) -> None:
        """Files whose sender went quiet (a page that hung, a tab put to sleep) stop holding their places."""
        oldest = self._clock() - self._caps.idle_seconds
        for key in [key for key, t in self._files.items() if t.touched < oldest]:
            del self._files[key]
