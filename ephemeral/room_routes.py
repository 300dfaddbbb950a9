"""The room an emit is made for, so that with several processes on Redis it reaches only the processes holding
that room's sockets (`room_channels`).

An emit names its recipients (a room, a socket, a list of sockets), not the room they are in; the code around it
knows the room. A seated event's emits are for its socket's room (`events/seated.py`); a room's announcements
name theirs (`events/announce.py`). An emit with no route goes to every process, as before.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

_ROUTE: ContextVar[str | None] = ContextVar("ephemeral_route", default=None)


@contextlib.contextmanager
def routed(room_id: str) -> Iterator[None]:
    """Emits made inside are for room `room_id`."""
    token = _ROUTE.set(room_id)
    try:
        yield
    finally:
        _ROUTE.reset(token)


def current_route() -> str | None:
    """The room of the emit being made, or None when it may be for anyone."""
    return _ROUTE.get()
