"""How many sockets one participant may hold: per binding (in the room store) and per client address (here).

A binding's sockets are its tabs; the store refuses one more past
`max_sockets_per_binding`, on every process at once (`RoomStore.attach`). A
client address (`ratelimit.client_of`: an IPv4 address or an IPv6 /64, kept
only as its keyed hash) may hold `max_sockets_per_address` sockets of this
process. Behind a trusted proxy the address is the one the proxy names:
ProxyFix wraps Socket.IO too. Either refusal is `connect_error` with message
`too_many_sockets`.
"""

from __future__ import annotations

import threading

from .ratelimit import address_key

# Tabs of one room in one browser, each with room for the socket a network change
# leaves behind until the ping timeout drops it.
SOCKETS_PER_BINDING = 16
# Hundreds of people behind one corporate NAT, a tab or two each; under the
# per-address connection bound (slow_clients.py), so this clear refusal comes first.
SOCKETS_PER_ADDRESS = 512


class SocketsPerAddress:
    """Open sockets of this process by client address; `take` refuses one past the cap."""

    def __init__(self, cap: int) -> None:
        self._cap = cap
        self._open: dict[str, int] = {}  # address key -> open sockets
        self._owners: dict[str, str] = {}  # sid -> address key
        self._lock = threading.Lock()

    def take(self, sid: str, address: str | None) -> bool:
        """A socket connects from `address`: true if it may stay; then `release(sid)` when it goes."""
        key = address_key(address)
        with self._lock:
            if sid in self._owners:
                return True
            held = self._open.get(key, 0)
            if held >= self._cap:
                return False
            self._open[key] = held + 1
            self._owners[sid] = key
            return True

    def release(self, sid: str) -> None:
        """The socket closed, or was refused after all; a sid that holds nothing is ignored."""
        with self._lock:
            key = self._owners.pop(sid, None)
            if key is None:
                return
            left = self._open[key] - 1
            if left:
                self._open[key] = left
            else:
                del self._open[key]

    def __len__(self) -> int:
        """Addresses holding at least one socket: the memory this takes is bounded by open sockets."""
        return len(self._open)
