"""Files on the real server: a 10 MiB file reaches three readers whole, on two processes, and leaves nothing behind.

The tests run on gevent with memory and eventlet with Redis, a room mode each (a 10 MiB file takes seconds
through the test clients). With Redis two of the readers are on
a second process on the same Redis (`redis_peer`): the pieces cross by pub/sub. Afterwards no file written since
the test began (under the working directory, the temporary directory, or Redis's data directory) holds any of
the file, nor does the server's output or Redis, and the server's memory has come back down. The handlers'
every case is in `tests/inprocess/test_files.py`; the store's rule in `tests/contract/test_files.py`.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis

from ephemeral.rooms import E2E, STANDARD
from tests.conftest import each_mode_and_store_once
from tests.integration.test_message_actions import _redis_text, mode, peer, redis_peer
from tests.support.e2e_shapes import create_body
from tests.support.files import received, traces
from tests.support.people import Person, Socket, raw_events_until, raw_socket
from tests.support.process import rss_kib
from tests.support.server import RunningServer

__all__ = ["mode", "peer", "redis_peer"]  # fixtures shared with the message actions
MIB = 1024 * 1024
BIG = 10 * MIB
# A leaked copy of a 10 MiB file is at least 10 MiB; what Python's allocator keeps of pieces on their way is less.
RSS_SLACK_MIB = 8


def marked_file(size: int) -> tuple[bytes, str]:
    """Random bytes with a mark unique to this run every 64 KiB: found anywhere, it came from this file."""
    mark = "zq7file" + secrets.token_hex(6)
    data = bytearray(secrets.token_bytes(size))
    for at in range(0, size - len(mark), 64 * 1024):
        data[at : at + len(mark)] = mark.encode()
    return bytes(data), mark


@pytest.fixture
def readers(
    mode: str, server: RunningServer, peer: RunningServer, people_at: Callable[[str], Person]
) -> Iterator[tuple[Socket, list[Socket], list[str]]]:
    """Ann and Bob on the server, Cleo and Dan on the peer (the server itself, in memory), in a new room of `mode`."""
    ann = people_at(server.url)
    if mode == E2E:
        body = create_body(alias="ann")
        created = ann.post_json("/api/rooms", body).json()
        secret = {"verifier": body["verifier"]}
    else:
        created = ann.create(alias="ann", name="files", password="secret").json()
        secret = {"password": "secret"}
    room_id = created["room_id"]
    sockets, ids = [ann.connect(room_id)], []
    for alias, url in (("bob", server.url), ("cleo", peer.url), ("dan", peer.url)):
        person = people_at(url)
        joined = person.post_json(f"/api/rooms/{room_id}/join", {"alias": alias, **secret})
        ids.append(joined.json()["participant_id"])
        sockets.append(person.connect(room_id))
    for sock in sockets:
        sock.wait_for("presence", lambda p: len(p["participants"]) == 4)
    yield sockets[0], sockets[1:], ids
    assert sockets[0].call("purge")["ok"]


def written_since(start: float, roots: list[Path]) -> Iterator[Path]:
    for root in roots:
        for folder, dirs, names in os.walk(root):
            dirs[:] = [d for d in dirs if d not in {".git", ".venv", "node_modules"}]
            for name in names:
                path = Path(folder, name)
                try:
                    if path.is_file() and path.stat().st_mtime >= start:
                        yield path
                except OSError:
                    continue


# Each room mode once, each on its own async mode and store: a 10 MiB file takes seconds through the test clients.
@pytest.mark.parametrize(
    ("deployment", "mode"),
    [(("gevent", "memory"), STANDARD), (("eventlet", "redis"), E2E)],
    ids=["standard-gevent-memory", "e2e-eventlet-redis"],
    indirect=["deployment"],
)
def test_a_10_mib_file_reaches_three_readers_whole_and_leaves_nothing(
    mode: str,
    server: RunningServer,
    readers: tuple[Socket, list[Socket], list[str]],
    deployment: tuple[str, dict[str, str]],
) -> None:
    ann, others, ids = readers
    data, mark = marked_file(BIG)
    start = time.time() - 1
    before = rss_kib(server.process.pid)
    ann.send_paced(mode, data, ids, name="big.bin", kind="application/pdf")
    digest = hashlib.sha256(data).hexdigest()
    for reader in others:
        offered = reader.wait("file")
        pieces = [reader.wait("file_chunk") for _ in range(offered["chunks"])]
        assert hashlib.sha256(received(mode, offered, pieces)).hexdigest() == digest
    grown_mib = (rss_kib(server.process.pid) - before) / 1024
    assert grown_mib < RSS_SLACK_MIB + 10, f"the server grew by {grown_mib:.1f} MiB for one file"
    found = traces(mark)
    redis_url = deployment[1].get("EPHEMERAL_REDIS_URL")
    roots = [Path.cwd(), Path(tempfile.gettempdir())]
    if redis_url:
        with redis.Redis.from_url(redis_url, decode_responses=True) as client:
            roots.append(Path(client.config_get("dir")["dir"]))
    for path in written_since(start, roots):
        content = path.read_bytes()
        assert not any(trace in content for trace in found), f"{path.name} holds the file"
    assert not any(trace.decode() in server.output() for trace in found)
    if redis_url:
        held = _redis_text(redis_url)
        assert not any(trace.decode() in held for trace in found)


# Once: what Python keeps of pieces on their way does not depend on the room's mode or the store.
@pytest.mark.parametrize("deployment", [("gevent", "memory")], ids=["gevent-memory"], indirect=True)
@pytest.mark.parametrize("mode", [STANDARD])
def test_the_servers_memory_comes_back_down_after_each_file(
    mode: str, server: RunningServer, readers: tuple[Socket, list[Socket], list[str]]
) -> None:
    ann, others, ids = readers
    sizes = []
    for _ in range(2):
        data, _mark = marked_file(BIG)
        ann.send_paced(mode, data, ids)
        for reader in others:
            offered = reader.wait("file")
            for _ in range(offered["chunks"]):
                reader.wait("file_chunk")
        sizes.append(rss_kib(server.process.pid))
    grown_mib = (sizes[-1] - sizes[0]) / 1024
    assert grown_mib < RSS_SLACK_MIB, f"one more file left {grown_mib:.1f} MiB behind"


ROOMS, SENDERS_PER_ROOM, FILE_BYTES = 4, 5, 64 * 1024
# Two of the files are 6 MiB and go through the room where a reader stops reading: unbounded, its queue alone
# would hold more than 16 MB of their text.
BIG_FILES, BIG_FILE_BYTES = 2, 6 * MIB
Rooms = list[tuple[str, Person, Socket, list[Socket]]]


def send_all_at_once(rooms: Rooms) -> dict[str, tuple[Socket, bytes]]:
    """Every sender of every room sends a file to its room's host at once; file id -> (the host's socket, bytes)."""
    files = {}
    with ThreadPoolExecutor(max_workers=ROOMS * SENDERS_PER_ROOM) as pool:
        jobs = []
        for _, _host, reader, senders in rooms:
            host_id = reader.logged("welcome")[0]["you"]["id"]
            for sender in senders:
                data = secrets.token_bytes(BIG_FILE_BYTES if len(jobs) < BIG_FILES else FILE_BYTES)
                jobs.append((reader, data, pool.submit(sender.send_paced, "standard", data, [host_id])))
        for reader, data, job in jobs:
            files[job.result()["id"]] = (reader, data)
    return files


# What a process may hold for files beyond what it held before (docs/protocol.md, Files): pieces being handed on
# (128 at most), 64 packets per reader that does not read, and what the allocator keeps of them.
FILES_MEMORY_CAP_MIB = 24


@each_mode_and_store_once
def test_twenty_files_at_once_and_a_reader_who_stops_reading_keep_memory_bounded(
    own_server: Callable[..., RunningServer], people_at: Callable[[str], Person]
) -> None:
    # Pings far apart: the reader who stops reading stays connected for the whole test, as its queue would grow.
    server = own_server({"EPHEMERAL_PING_INTERVAL": "60", "EPHEMERAL_PING_TIMEOUT": "120"})
    rooms: Rooms = []
    for number in range(ROOMS):
        host = people_at(server.url)
        room_id = host.create(alias="host", name=f"busy {number}", password="secret").json()["room_id"]
        reader = host.connect(room_id)
        senders = []
        for sender in range(SENDERS_PER_ROOM):
            person = people_at(server.url)
            assert person.join(room_id, alias=f"s{sender}").status_code == 200
            senders.append(person.connect(room_id))
        reader.wait_for("presence", lambda p: len(p["participants"]) == SENDERS_PER_ROOM + 1)
        rooms.append((room_id, host, reader, senders))
    stalled = people_at(server.url)
    assert stalled.join(rooms[0][0], alias="stalled").status_code == 200
    slow = raw_socket(stalled, rooms[0][0], sockopt=((socket.SOL_SOCKET, socket.SO_RCVBUF, 4096),))
    rooms[0][2].wait_for("presence", lambda p: len(p["participants"]) == SENDERS_PER_ROOM + 2)
    baseline = rss_kib(server.process.pid)
    peak = [baseline]
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.05):
            peak[0] = max(peak[0], rss_kib(server.process.pid))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        files = send_all_at_once(rooms)
        for file_id, (reader, data) in files.items():
            offered = next(f for f in reader.logged("file") if f["id"] == file_id)
            while len(mine := [p for p in reader.logged("file_chunk") if p["id"] == file_id]) < offered["chunks"]:
                reader.wait("file_chunk")
            assert received("standard", offered, mine) == data
    finally:
        done.set()
        watcher.join()
    grown_mib = (peak[0] - baseline) / 1024
    assert grown_mib < FILES_MEMORY_CAP_MIB, f"the server grew by {grown_mib:.1f} MiB"
    # The reader who never read was dropped from the files: what waits for it ends with that news.
    dropped = raw_events_until(slow, lambda event, payload: event == "file_cancel")
    assert dropped[-1][1]["reason"] == "slow" and dropped[-1][1]["id"] in files  # it names the file it leaves
    slow.close()
