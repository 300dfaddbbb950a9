"""Socket.IO client managers: local for one process, Redis pub/sub for several, by room (`room_channels`).

Besides that, ours differ in two ways. `close_room` also disconnects the room's sockets, on
every process, after anything emitted to the room before it (one channel keeps
the order). That is how a purge or an expiry reaches sockets on other processes.
And a piece of a file skips a socket that has fallen behind (`slow_readers`),
on the process that holds the socket.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from typing import Any

import redis
import socketio
from redis.backoff import NoBackoff
from redis.retry import Retry

from . import protocol
from .room_channels import COMMON, RoomChannels, room_channel
from .room_routes import current_route
from .rooms.redis_client import REPLY_TIMEOUT_SECONDS, waiting_pool
from .slow_readers import SlowReaders

log = logging.getLogger("ephemeral")


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


class SharedManager(socketio.PubSubManager):  # type: ignore[misc]
    """Python-socketio's pub/sub manager on Redis, by room (`room_channels`). Every process that hears a
    `close_room` runs `_handle_close_room`, and an emit `_handle_emit`, the caller included."""

    def __init__(self, url: str, connections: int) -> None:
        super().__init__(channel=COMMON)
        # A pool that waits for a free connection: every handler that emits publishes on one of its own, and
        # with redis-py's default pool a burst of them failed with "Too many connections".
        self.publisher = redis.Redis(connection_pool=waiting_pool(url, connections))
        self.url = url
        self.channels: RoomChannels | None = None

    def initialize(self) -> None:
        # The subscription holds its connection for good: its own client, apart from the publishers' pool.
        # Its reads wait on their own deadlines (`RoomChannels`); only making the connection is bounded here. No
        # retries inside redis-py: a lost connection reaches `RoomChannels`, which makes the next one itself.
        listener = redis.Redis.from_url(
            self.url, socket_connect_timeout=REPLY_TIMEOUT_SECONDS, retry=Retry(NoBackoff(), 0)
        )
        self.channels = RoomChannels(listener, self.server.eio.create_event, self.server.sleep)
        self.channels.start()  # before the listener runs: nothing published from now on is missed
        super().initialize()

    def follow(self, room_id: str, sid: str) -> bool:
        """This process's socket `sid` is in room `room_id`; False: the room's channel could not be heard."""
        return self.channels is not None and self.channels.follow(room_id, sid)

    def basic_disconnect(self, sid: str, namespace: str, **kwargs: Any) -> None:
        if self.channels is not None:
            self.channels.release(sid)
        super().basic_disconnect(sid, namespace, **kwargs)

    def _publish(self, data: dict[str, Any]) -> None:
        try:
            self.publisher.publish(_channel_of(data), self.json.dumps(data))
        except redis.RedisError:
            log.warning("an event for the other processes was lost: the shared store is out of reach")

    def _listen(self) -> Iterator[bytes]:
        assert self.channels is not None  # initialize() made them
        yield from self.channels.messages()

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


def _channel_of(message: dict[str, Any]) -> str:
    """A room's emits and its closing go on the room's channel; the rest (sockets moved or disconnected, acks for
    another process, emits for no room) on the common one."""
    if message.get("method") == "close_room":
        return room_channel(str(message.get("room")))
    route = current_route()
    return room_channel(route) if route is not None and message.get("method") == "emit" else COMMON


def follow(sio_server: Any, room_id: str, sid: str) -> bool:
    """This process's socket `sid` joined room `room_id`: with several processes, subscribe to the room and wait for
    Redis to confirm it (then nothing said in the room is missed). False: it could not."""
    manager = sio_server.manager
    return manager.follow(room_id, sid) if isinstance(manager, SharedManager) else True


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
