"""A process's subscriptions by room, on a real redis-server: a room is heard from the moment `follow` returns,
and not once its last socket is released, however quickly the two follow each other.

`RoomChannels` runs here with threads instead of green threads (it takes its event and sleep from the caller).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis

from ephemeral.fanout import SharedManager
from ephemeral.room_channels import CHECK_SECONDS, COMMON, RoomChannels, room_channel
from tests.support.process import wait_until
from tests.support.redis import RedisServer, running_redis
from tests.support.relay import relaying

WAIT = 10.0


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with running_redis(tmp_path_factory.mktemp("channels")) as server:
        yield server


class Listening:
    """RoomChannels with its listener on a thread; what it hears, in order, in `heard`."""

    def __init__(
        self, store: RedisServer, listen: bool = True, url: str = "", check_seconds: float = CHECK_SECONDS
    ) -> None:
        self._store = store
        client = redis.Redis.from_url(url or store.url)
        self.channels = RoomChannels(client, threading.Event, time.sleep, check_seconds)
        self.channels.start()
        self.heard: queue.Queue[bytes] = queue.Queue()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._listen, daemon=True)
        if listen:
            self.listen()

    def listen(self) -> None:
        """Start reading what Redis sends: the subscriptions' confirmations among it."""
        self._thread.start()

    def _listen(self) -> None:
        for message in self.channels.messages():
            if self._stopping.is_set():
                return
            self.heard.put(message)

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        self._stopping.set()
        _publish(self._store, COMMON, "stop")  # wakes the listener, which then returns
        self._thread.join(WAIT)
        assert not self._thread.is_alive()


@pytest.fixture
def listening(store: RedisServer) -> Iterator[Callable[..., Listening]]:
    """Start a process's subscriptions (`listen=False`: not yet read); each stops at teardown."""
    started: list[Listening] = []

    def start(listen: bool = True, **options: Any) -> Listening:
        started.append(Listening(store, listen, **options))
        return started[-1]

    yield start
    for process in started:
        process.stop()


def _subscribers(store: RedisServer, channel: str) -> int:
    with store.client() as client:
        return int(dict(client.pubsub_numsub(channel)).get(channel, 0))


def _publish(store: RedisServer, channel: str, text: str) -> None:
    with store.client() as client:
        client.publish(channel, text)


def test_a_room_is_heard_as_soon_as_follow_returns(store, listening):
    process = listening()
    assert process.channels.follow("room-a", "sid-1")
    _publish(store, room_channel("room-a"), "first")  # no wait: the subscription is confirmed
    assert process.heard.get(timeout=WAIT) == b"first"


def test_the_common_channel_is_heard_from_the_start(store, listening):
    process = listening()
    _publish(store, COMMON, "to every process")
    assert process.heard.get(timeout=WAIT) == b"to every process"


def test_a_room_is_heard_while_any_of_its_sockets_is_here(store, listening):
    process = listening()
    assert process.channels.follow("room-b", "sid-1")
    assert process.channels.follow("room-b", "sid-2")
    process.channels.release("sid-1")
    _publish(store, room_channel("room-b"), "still here")
    assert process.heard.get(timeout=WAIT) == b"still here"
    process.channels.release("sid-2")
    wait_until(lambda: _subscribers(store, room_channel("room-b")) == 0, WAIT, "the room is no longer heard")
    assert process.channels.following() == 0


def test_a_room_left_and_joined_again_at_once_is_heard(store, listening):
    process = listening()
    for round_number in range(20):
        assert process.channels.follow("room-c", f"sid-{round_number}")
        process.channels.release(f"sid-{round_number}")  # the unsubscribe is still on its way...
    assert process.channels.follow("room-c", "sid-last")  # ...when the room is followed again
    _publish(store, room_channel("room-c"), "after the churn")
    assert process.heard.get(timeout=WAIT) == b"after the churn"
    assert _subscribers(store, room_channel("room-c")) == 1


def test_other_rooms_are_not_heard(store, listening):
    process = listening()
    assert process.channels.follow("room-d", "sid-1")
    _publish(store, room_channel("room-elsewhere"), "not for this process")
    _publish(store, room_channel("room-d"), "for this process")
    assert process.heard.get(timeout=WAIT) == b"for this process"
    assert process.heard.empty()


def test_every_socket_of_a_room_waits_for_its_subscription(store, listening):
    process = listening(listen=False)  # nothing reads Redis's confirmation yet
    answers: dict[str, bool] = {}
    first = threading.Thread(target=lambda: answers.setdefault("first", process.channels.follow("room-e", "sid-1")))
    first.start()
    wait_until(lambda: _subscribers(store, room_channel("room-e")) == 1, WAIT, "the subscription is sent")
    second = threading.Thread(target=lambda: answers.setdefault("second", process.channels.follow("room-e", "sid-2")))
    second.start()
    second.join(0.5)
    assert second.is_alive(), "the second socket was let in before the room was heard"
    process.listen()
    first.join(WAIT)
    second.join(WAIT)
    assert answers == {"first": True, "second": True}


def test_a_cut_connection_is_made_again_with_every_room_followed(store, listening):
    process = listening()
    assert process.channels.follow("room-f", "sid-1")
    with store.client() as client:
        assert client.client_kill_filter(_type="pubsub") >= 1
    # What is published while the connection is made again is lost (pub/sub keeps nothing): publish until heard.
    wait_until(lambda: _heard_after_publishing(store, process, "room-f"), WAIT, "the room is heard again")
    wait_until(lambda: process.channels.follow("room-g", "sid-2"), WAIT, "a room new since can be followed")
    _publish(store, room_channel("room-g"), "a new room")
    assert _next_other_than(process, b"room-f") == b"a new room"


def test_a_connection_gone_silent_is_made_again_with_every_room_followed(store, listening):
    # The listener reaches Redis through a relay that then forgets the connection, as a NAT forgets an idle one:
    # no reset, no close, nothing more either way. New connections are carried.
    with relaying(store.port) as relay:
        process = listening(url=f"redis://127.0.0.1:{relay.port}/0", check_seconds=0.5)
        assert process.channels.follow("room-h", "sid-1")
        assert relay.forget() == 1
        wait_until(lambda: _heard_after_publishing(store, process, "room-h"), WAIT, "the room is heard again")
        process.stop()  # while the relay still carries its new connection


def test_a_publish_on_a_connection_gone_silent_ends_instead_of_waiting_for_good(store):
    with relaying(store.port) as relay:
        manager = SharedManager(f"redis://127.0.0.1:{relay.port}/0", 2)
        manager.publisher.publish(COMMON, "a connection in the pool")
        assert relay.forget() == 1
        published = threading.Event()

        def publish() -> None:
            manager._publish({"method": "emit", "event": "message", "data": ["hi"], "namespace": "/"})
            published.set()

        threading.Thread(target=publish, daemon=True).start()
        assert published.wait(60), "a publish still waits on a connection nothing answers"


def _heard_after_publishing(store: RedisServer, process: Listening, room_id: str) -> bool:
    _publish(store, room_channel(room_id), room_id)
    try:
        return process.heard.get(timeout=0.2) == room_id.encode()
    except queue.Empty:
        return False


def _next_other_than(process: Listening, repeated: bytes) -> bytes:
    """The next message heard that is not a late copy of `repeated`."""
    while (message := process.heard.get(timeout=WAIT)) == repeated:
        pass
    return message
