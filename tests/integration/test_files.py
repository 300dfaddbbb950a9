"""Files on the real server: a 10 MiB file reaches three readers whole, on two processes, and leaves nothing behind.

The tests run on gevent with memory and eventlet with Redis (`each_mode_and_store_once`: a 10 MiB file takes
seconds through the test clients), in each room mode. With Redis two of the readers are on
a second process on the same Redis (`redis_peer`): the pieces cross by pub/sub. Afterwards no file written since
the test began (under the working directory, the temporary directory, or Redis's data directory) holds any of
the file, nor does the server's output or Redis, and the server's memory has come back down. The handlers'
every case is in `tests/inprocess/test_files.py`; the store's rule in `tests/contract/test_files.py`.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from ephemeral.rooms import E2E
from tests.conftest import each_mode_and_store_once
from tests.integration.test_message_actions import _redis_text, mode, peer, redis_peer
from tests.support.e2e_shapes import create_body
from tests.support.files import b64, received
from tests.support.people import Person, Socket
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


def traces(mark: str) -> list[bytes]:
    """How the mark looks as bytes and inside base64url text, at each of the three alignments a piece may give it."""
    found = [mark.encode()]
    for shift in range(3):
        text = b64(bytes(shift) + mark.encode())
        found.append(text[(shift * 4 + 2) // 3 + 1 : -2].encode())
    return found


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


@each_mode_and_store_once
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


@each_mode_and_store_once
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
