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

from .logs import Safe

COMMON = "ephemeral"
# Longest a connect waits for its process's subscription to the room; past it the socket is refused `unavailable`.
FOLLOW_WAIT_SECONDS = 5.0
# Seconds between attempts to listen again after the connection to Redis was lost, doubling up to the last.
RETRY_SECONDS = (0.5, 1.0, 2.0, 4.0, 8.0)
# A connection silent this long is asked for a PONG, and counted lost if it stays silent as long again: a NAT or
# firewall that forgets an idle connection tells neither end, and the process would hear nothing from then on.
CHECK_SECONDS = 15.0

log = logging.getLogger("ephemeral")


def room_channel(room_id: str) -> str:
    return f"{COMMON}:room:{room_id}"


class RoomChannels:
    """This process's subscriptions, and the messages they bring (`messages`, for the manager's listener)."""

    def __init__(
        self,
        client: redis.Redis,
        new_event: Callable[[], Any],
        sleep: Callable[[float], None],
        check_seconds: float = CHECK_SECONDS,
    ) -> None:
        self._client = client
        self._check_seconds = check_seconds
        self._new_event = new_event
        self._sleep = sleep
        self._sockets: dict[str, set[str]] = {}  # room id -> this process's sockets in it
        self._room_of: dict[str, str] = {}  # socket id -> its room
        # room id -> set once Redis confirmed this connection's subscription to the room: every socket of the room
        # waits on it, not only the first
        self._heard: dict[str, Any] = {}
        # channel -> the events its subscriptions sent on this connection will set, in the order they were sent
        self._waiting: dict[bytes, collections.deque[Any]] = collections.defaultdict(collections.deque)
        self._pubsub: Any = None

    def start(self) -> None:
        """Subscribe now (the common channel, and every room followed): what is published from here on is heard."""
        self._waiting.clear()  # nothing sent on an earlier connection will be confirmed
        for room_id in self._sockets:
            self._heard[room_id] = self._expect(room_id)
        pubsub = self._client.pubsub()  # type: ignore[no-untyped-call]
        pubsub.subscribe(COMMON, *(room_channel(room_id) for room_id in self._sockets))
        self._pubsub = pubsub

    def follow(self, room_id: str, sid: str) -> bool:
        """Socket `sid` of this process is in room `room_id`: hear the room, once it is heard; False if Redis did not
        confirm within FOLLOW_WAIT_SECONDS."""
        self._room_of[sid] = room_id
        self._sockets.setdefault(room_id, set()).add(sid)
        heard = self._heard.get(room_id) or self._subscribe(room_id)
        return heard is not None and bool(heard.wait(FOLLOW_WAIT_SECONDS))

    def release(self, sid: str) -> None:
        """Socket `sid` is gone: the room is no longer heard once this process holds none of its sockets."""
        room_id = self._room_of.pop(sid, None)
        sockets = self._sockets.get(room_id, set()) if room_id else set()
        sockets.discard(sid)
        if room_id and not sockets:
            del self._sockets[room_id]
            self._heard.pop(room_id, None)
            if self._pubsub is not None:
                # Failing, it leaves a subscription nobody needs; a new connection subscribes to the rooms followed.
                with contextlib.suppress(Exception):
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
                for message in self._until_silent(self._pubsub):
                    failures = 0
                    if message["type"] == "message":
                        yield message["data"]
                    elif message["type"] == "subscribe":
                        self._confirmed(message["channel"])
            except Exception as error:  # noqa: BLE001 - redis-py's, or a green thread's on a broken connection
                log.warning("lost the shared store's messages (%s); listening again", Safe(type(error).__qualname__))
            self._drop()
            self._sleep(RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)])
            failures += 1

    def _until_silent(self, pubsub: Any) -> Iterator[dict[str, Any]]:
        """What `pubsub` receives; raises ConnectionError once a PING it sent after a silence went unanswered."""
        asked = False
        while True:
            message = pubsub.get_message(timeout=self._check_seconds)
            if message is not None:
                asked = False
                yield message
            elif asked:
                raise redis.ConnectionError("no answer to a PING")
            else:
                pubsub.ping()
                asked = True

    def _subscribe(self, room_id: str) -> Any:
        """Subscribe to the room: the event its confirmation sets, or None if the command could not be sent."""
        if self._pubsub is None:
            return None  # listening again: the new connection subscribes to every room followed
        heard = self._heard[room_id] = self._expect(room_id)  # before the command: it may be confirmed meanwhile
        try:
            self._pubsub.subscribe(room_channel(room_id))
        except Exception:  # noqa: BLE001 - a broken connection: the next one subscribes to the rooms followed
            with contextlib.suppress(ValueError):  # gone already if the connection was dropped meanwhile
                self._waiting[room_channel(room_id).encode()].remove(heard)
            if self._heard.get(room_id) is heard:
                del self._heard[room_id]
            return None
        return heard

    def _expect(self, room_id: str) -> Any:
        """A new event, set when the next subscription to the room sent on this connection is confirmed."""
        heard = self._new_event()
        self._waiting[room_channel(room_id).encode()].append(heard)
        return heard

    def _confirmed(self, channel: bytes) -> None:
        waiting = self._waiting.get(channel)
        if waiting:
            waiting.popleft().set()
            if not waiting:
                del self._waiting[channel]

    def _drop(self) -> None:
        """The connection is lost: no room is heard until the next one confirms it (`start`)."""
        self._heard.clear()
        old, self._pubsub = self._pubsub, None
        if old is not None:
            with contextlib.suppress(Exception):
                old.reset()
