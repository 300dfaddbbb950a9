"""Bursts on a healthy Redis: every message is answered `ok` or `rate_limited`, never `unavailable`, and every `ok`
reaches the room.

Real server processes on a real redis-server, in both async modes. Each handler waiting on Redis holds one of
its process's connections, so many at once used to exhaust redis-py's pool and fail as if the store were down.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from ephemeral.ratelimit import MESSAGES_PER_PARTICIPANT
from tests.support.people import EVENT_TIMEOUT, Person, Socket
from tests.support.process import wait_until
from tests.support.redis import RedisServer, running_redis
from tests.support.server import RunningServer, running_server

MODES = ["gevent", "eventlet"]
# Few connections per client and many sockets sending at once: handlers must queue for a connection.
FEW_CONNECTIONS = 2
SENDERS = 24
EACH = 3  # within every sender's burst: all of them are due `ok`
BURST = int(MESSAGES_PER_PARTICIPANT.burst)


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with running_redis(tmp_path_factory.mktemp("bursts")) as server:
        yield server


@contextlib.contextmanager
def _serve(tmp_path: Path, mode: str, redis_server: RedisServer, **env: str) -> Iterator[RunningServer]:
    settings = {**redis_server.env(), "EPHEMERAL_BCRYPT_COST": "4", "EPHEMERAL_MAX_CONNECTIONS_PER_ADDRESS": "1000"}
    with running_server(tmp_path, mode, {**settings, **env}) as server:
        yield server
        assert server.alive()


def _room_of(url: str, size: int) -> list[Socket]:
    """`size` people in one room, each with a socket that has been welcomed."""
    host = Person(url)
    room_id = host.create(alias="p0").json()["room_id"]
    people = [host] + [Person(url) for _ in range(size - 1)]
    for number, person in enumerate(people[1:], start=1):
        assert person.join(room_id, alias=f"p{number}").status_code == 200
    sockets = [person.connect(room_id) for person in people]
    for sock in sockets:
        sock.wait("welcome")
    return sockets


def _answer(ack: object) -> str:
    if not isinstance(ack, dict):
        return repr(ack)
    return "ok" if ack.get("ok") else str(ack.get("error"))


def _send_at_once(senders: list[Socket], each: int) -> Counter[str]:
    """Every sender emits `each` messages as fast as it can, all starting together; the acks, counted by answer."""
    answers: Counter[str] = Counter()
    lock, everyone = threading.Lock(), threading.Barrier(len(senders))
    all_in = threading.Event()

    def on_ack(ack: object) -> None:
        with lock:
            answers[_answer(ack)] += 1
            if answers.total() == len(senders) * each:
                all_in.set()

    def burst(sock: Socket) -> None:
        everyone.wait(EVENT_TIMEOUT)
        for number in range(each):
            sock.client.emit("message", {"text": f"burst {number}"}, callback=on_ack)

    threads = [threading.Thread(target=burst, args=(sock,)) for sock in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all_in.wait(60), f"acks missing: {answers}"
    return answers


def _messages_seen(sock: Socket) -> int:
    return sum(1 for event, _payload in sock.log if event == "message")


@pytest.mark.parametrize("mode", MODES)
def test_one_participants_burst_is_only_ok_or_rate_limited(tmp_path, redis_server, mode):
    with _serve(tmp_path, mode, redis_server) as server:
        sender, reader = _room_of(server.url, 2)
        answers = _send_at_once([sender], 200)
        assert set(answers) == {"ok", "rate_limited"}, answers
        assert answers["ok"] >= BURST
        wait_until(lambda: _messages_seen(reader) == answers["ok"], 10, "every ok message reaches the room")


@pytest.mark.parametrize("mode", MODES)
def test_many_sockets_sending_at_once_wait_for_a_connection(tmp_path, redis_server, mode):
    with _serve(tmp_path, mode, redis_server, EPHEMERAL_REDIS_CONNECTIONS=str(FEW_CONNECTIONS)) as server:
        sockets = _room_of(server.url, SENDERS)
        answers = _send_at_once(sockets, EACH)
        assert answers == {"ok": SENDERS * EACH}
        for sock in sockets:
            wait_until(lambda sock=sock: _messages_seen(sock) == SENDERS * EACH, 10, "every message reaches everyone")
