"""Socket.IO client managers: local for one process, Redis pub/sub for several.

Ours differ in two ways. `close_room` also disconnects the room's sockets, on
every process, after anything emitted to the room before it (one channel keeps
the order). That is how a purge or an expiry reaches sockets on other processes.
And a piece of a file skips a socket that has fallen behind (`slow_readers`),
on the process that holds the socket.
"""

from __future__ import annotations

import functools
from typing import Any

import redis
import socketio

from . import protocol
from .rooms.redis_client import waiting_pool
from .slow_readers import SlowReaders

CHANNEL = "ephemeral"


def _disconnect_members(manager: Any, room: str, namespace: str | None) -> None:
    namespace = namespace or "/"
    for sid, _eio_sid in list(manager.get_participants(namespace, room)):
        manager.server.disconnect(sid, namespace=namespace, ignore_queue=True)


class LocalManager(socketio.Manager):  # type: ignore[misc]
    @functools.cached_property
    def slow_readers(self) -> SlowReaders:
        return SlowReaders()

    def close_room(self, room: str, namespace: str | None) -> None:
        _disconnect_members(self, room, namespace)
        super().close_room(room, namespace or "/")

    def emit(self, event: str, data: Any, namespace: str, room: Any = None, to: Any = None, **kwargs: Any) -> None:
        if event == protocol.FILE_CHUNK:
            room, to = None, self.slow_readers.keep(self, data, to or room, namespace)
            if not to:
                return
        super().emit(event, data, namespace, room=room, to=to, **kwargs)


class SharedManager(socketio.RedisManager):  # type: ignore[misc]
    """Every process runs `_handle_close_room` for a `close_room`, and `_handle_emit` for an emit, the caller
    included."""

    def __init__(self, url: str, connections: int) -> None:
        super().__init__(url, channel=CHANNEL)
        self.connections = connections

    def _redis_connect(self) -> None:
        """As python-socketio connects, but with a pool that waits for a free connection when all are busy.

        Every handler that emits publishes on a connection of its own: with redis-py's
        default pool, a burst of them failed with "Too many connections", and
        python-socketio drops what it cannot publish.
        """
        self.redis = redis.Redis(connection_pool=waiting_pool(self.redis_url, self.connections))
        self.pubsub = self.redis.pubsub(ignore_subscribe_messages=True)  # type: ignore[no-untyped-call]
        self.connected = True

    @functools.cached_property
    def slow_readers(self) -> SlowReaders:
        return SlowReaders()

    def _handle_close_room(self, message: dict[str, Any]) -> None:
        _disconnect_members(self, message.get("room", ""), message.get("namespace"))
        super()._handle_close_room(message)

    def _handle_emit(self, message: dict[str, Any]) -> None:
        if message.get("event") == protocol.FILE_CHUNK:
            # Published as the event's argument list: the piece is its one argument.
            data = message.get("data")
            piece = data[0] if isinstance(data, list) and data else data
            readers = self.slow_readers.keep(self, piece, message.get("room"), message.get("namespace"))
            if not readers:
                return
            message = {**message, "room": readers}
        super()._handle_emit(message)


def listen_now(sio_server: Any) -> None:
    """Start the manager (a shared one's subscription to the other processes) now, not at the first connection.

    python-socketio starts it when the first Engine.IO session opens, and what
    another process published before the subscription was lost: the disconnect
    of that very first socket, when its binding logged out on another process.
    """
    if not sio_server.manager_initialized:
        sio_server.manager_initialized = True
        sio_server.manager.initialize()


def client_manager(redis_url: str, connections: int) -> socketio.Manager:
    """This process's manager: a local one, or with `redis_url` one shared with the others (`connections`: its
    pool's size)."""
    if not redis_url:
        return LocalManager()
    return SharedManager(redis_url, connections)
