"""Redis pub/sub by room: each process hears the rooms it holds sockets in, and the one channel every process hears.

python-socketio's Redis manager publishes everything on one channel, so with N processes every message was read
and decoded N times, and the deployment was bound by what one process could read. Here an emit made for a room
(`room_routes.routed`), and a room's closing, go on that room's channel; a process subscribes to it while it
holds a socket of the room (`follow`, from the connect handler; `release` when the socket goes). The rest (an
emit for no room, a socket's disconnect or room change, an ack for another process) goes on the common channel.

Order holds across channels: a process reads them all on one connection, and Redis sends a subscriber its
messages in the order they were published. A socket is welcomed only once its process's subscription to the
room is confirmed, so nothing said in the room after it arrived can pass its process by.
"""

from __future__ import annotations

import collections
import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import Any

import redis

COMMON = "ephemeral"
# Longest a connect waits for its process's subscription to the room; past it the socket is refused `unavailable`.
FOLLOW_WAIT_SECONDS = 5.0
# Seconds between attempts to listen again after the connection to Redis was lost, doubling up to the last.
RETRY_SECONDS = (0.5, 1.0, 2.0, 4.0, 8.0)

log = logging.getLogger("ephemeral")


def room_channel(room_id: str) -> str:
    return f"{COMMON}:room:{room_id}"


class RoomChannels:
    """This process's subscriptions, and the messages they bring (`messages`, for the manager's listener)."""

    def __init__(self, client: redis.Redis, new_event: Callable[[], Any], sleep: Callable[[float], None]) -> None:
        self._client = client
        self._new_event = new_event
        self._sleep = sleep
        self._sockets: dict[str, set[str]] = {}  # room id -> this process's sockets in it
        self._room_of: dict[str, str] = {}  # socket id -> its room
        # channel -> events of follows waiting for its subscription, in the order they subscribed
        self._waiting: dict[bytes, collections.deque[Any]] = collections.defaultdict(collections.deque)
        self._pubsub: Any = None

    def start(self) -> None:
        """Subscribe now (the common channel, and every room followed): what is published from here on is heard."""
        pubsub = self._client.pubsub()  # type: ignore[no-untyped-call]
        pubsub.subscribe(COMMON, *(room_channel(room_id) for room_id in self._sockets))
        self._pubsub = pubsub

    def follow(self, room_id: str, sid: str) -> bool:
        """Socket `sid` of this process is in room `room_id`: hear the room, once it is heard; False if Redis did not
        confirm within FOLLOW_WAIT_SECONDS."""
        self._room_of[sid] = room_id
        sockets = self._sockets.setdefault(room_id, set())
        sockets.add(sid)
        if len(sockets) > 1:
            return True
        if self._pubsub is None:
            return False  # listening again: the new connection subscribes to every room followed
        channel = room_channel(room_id)
        confirmed, waiting = self._new_event(), self._waiting[channel.encode()]
        waiting.append(confirmed)  # before the command: its confirmation may be read while it is sent
        try:
            self._pubsub.subscribe(channel)
        except redis.RedisError:
            waiting.remove(confirmed)
            return False
        return bool(confirmed.wait(FOLLOW_WAIT_SECONDS))

    def release(self, sid: str) -> None:
        """Socket `sid` is gone: the room is no longer heard once this process holds none of its sockets."""
        room_id = self._room_of.pop(sid, None)
        sockets = self._sockets.get(room_id, set()) if room_id else set()
        sockets.discard(sid)
        if room_id and not sockets:
            del self._sockets[room_id]
            if self._pubsub is not None:
                with contextlib.suppress(redis.RedisError):  # a new connection subscribes to the rooms still followed
                    self._pubsub.unsubscribe(room_channel(room_id))

    def following(self) -> int:
        """Rooms this process hears."""
        return len(self._sockets)

    def messages(self) -> Iterator[bytes]:
        """Every message published on a channel heard, in order; the connection is made again when it is lost."""
        failures = 0
        while True:
            try:
                if self._pubsub is None:
                    self.start()
                for message in self._pubsub.listen():
                    failures = 0
                    if message["type"] == "message":
                        yield message["data"]
                    elif message["type"] == "subscribe":
                        self._confirmed(message["channel"])
            except redis.RedisError:
                log.warning("lost the connection to the shared store's messages; listening again")
            self._drop()
            self._sleep(RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)])
            failures += 1

    def _confirmed(self, channel: bytes) -> None:
        waiting = self._waiting.get(channel)
        if waiting:
            waiting.popleft().set()
            if not waiting:
                del self._waiting[channel]

    def _drop(self) -> None:
        old, self._pubsub = self._pubsub, None
        if old is not None:
            with contextlib.suppress(redis.RedisError):
                old.reset()
