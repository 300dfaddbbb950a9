"""Blindness by memory dump: after a conversation in a server-blind room, the real server's whole memory holds no
message, password, room name, link secret or message key, in any encoding; neither does its bcrypt worker's, nor,
when rooms live in Redis, the redis-server's.

The control is a standard room on the same server, talked in at the same time: its marker and name must be
found in the same dump (its name in Redis's too), or the dump is not seeing what it should and the test fails.
"""

from __future__ import annotations

import contextlib
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from ephemeral_client import crypto

from tests.support import e2e_client
from tests.support.e2e_client import Member, RoomKeys, Wire
from tests.support.needles import hidden, spelled
from tests.support.people import Person
from tests.support.process import children_of
from tests.support.redis import running_redis
from tests.support.server import running_server

MESSAGES = 20  # in each room, both ways: each member sends half
# Around each marker: Python keeps a string with a character past U+00FF in UTF-16 and one past U+FFFF in
# UTF-32, so the markers may sit in memory in all three spellings.
NAME = "{} \u2615"
TEXT = "<p>message {}: {} \U0001f642</p>"
# Kernel pages every process maps; reading them says nothing about the process and some refuse a read.
_SKIPPED = ("[vvar]", "[vvar_vclock]", "[vsyscall]")
_REGION = re.compile(r"([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \S+\s*(.*)")


def regions(pid: int) -> Iterator[bytes]:
    """Every mapping of `pid` that a core dump holds, read through /proc/PID/mem (a test may read what it started).

    That is every readable mapping but the read-only ones of files: those hold a library's code and constants,
    the file's own bytes, and are what gcore leaves out too. Anonymous memory, the heap, the stacks and every
    writable mapping are read whole.
    """
    maps = Path(f"/proc/{pid}/maps").read_text().splitlines()
    with open(f"/proc/{pid}/mem", "rb", buffering=0) as memory:
        for line in maps:
            match = _REGION.fullmatch(line)
            assert match, line
            start, end, perms, path = int(match[1], 16), int(match[2], 16), match[3], match[4]
            if perms[0] != "r" or path in _SKIPPED or (path.startswith("/") and perms[1] != "w"):
                continue
            memory.seek(start)
            try:
                yield memory.read(end - start)
            except OSError:  # unmapped between reading the map and the memory: it held nothing any more
                continue


def found_in_memory(pid: int, needles: dict[str, bytes]) -> tuple[set[str], int]:
    """Which needles occur anywhere in `pid`'s memory, and how many bytes were searched."""
    found: set[str] = set()
    searched = 0
    narrowed = {label: _narrowed(needle) for label, needle in needles.items()}
    for data in regions(pid):
        searched += len(data)
        lanes: dict[int, list[bytes]] = {1: [data]}
        for label, needle in needles.items():
            width, key = narrowed[label]
            if label in found:
                continue
            if width not in lanes:
                lanes[width] = [data[offset::width] for offset in range(width)]
            if any(key in lane for lane in lanes[width]) and needle in data:
                found.add(label)
    return found, searched


def _narrowed(needle: bytes) -> tuple[int, bytes]:
    """A needle of ASCII in UTF-16-LE or UTF-32-LE as (2 or 4, the ASCII); any other as (1, itself).

    Memory holds many zeros, and a search for a needle full of zeros crawls through them: the ASCII is looked
    for in every 2nd or 4th byte instead, at each offset, and the needle itself only where it turns up.
    """
    for width, encoding in ((4, "utf-32-le"), (2, "utf-16-le")):
        text = needle[::width]
        if text.isascii() and text.decode("ascii").encode(encoding) == needle:
            return width, text
    return 1, needle


def talk(one: Wire | Member, other: Wire | Member, texts: list[str]) -> None:
    """Alternate senders through `texts`; each one acknowledged before the next."""
    for n, text in enumerate(texts):
        sender = (one, other)[n % 2]
        ack = sender.send(text) if isinstance(sender, Member) else sender.call("message", {"text": text})
        assert ack["ok"] is True, ack


@pytest.mark.parametrize(("async_mode", "store"), [("gevent", "memory"), ("eventlet", "memory"), ("gevent", "redis")])
def test_the_servers_memory_holds_nothing_of_a_server_blind_room(tmp_path: Path, async_mode: str, store: str) -> None:
    blind_marker, blind_name, blind_password = (f"{kind}{secrets.token_hex(8)}" for kind in ("say", "name", "pass"))
    plain_marker, plain_name, plain_password = (f"{kind}{secrets.token_hex(8)}" for kind in ("say", "name", "pass"))
    people: list[Person] = []
    wires: list[Wire | Member] = []
    with contextlib.ExitStack() as stack:
        redis = stack.enter_context(running_redis(tmp_path)) if store == "redis" else None
        srv = stack.enter_context(running_server(tmp_path, async_mode, redis.env() if redis else {}))
        try:
            ann, bob, cat, dan = (Person(srv.url) for _ in range(4))
            people += [ann, bob, cat, dan]

            # The server-blind room: ann creates it, bob has the link and the password.
            keys = RoomKeys.new(blind_password)
            created = e2e_client.create(ann, "ann", NAME.format(blind_name), keys)
            assert created.status_code == 201, created.text
            room_id = created.json()["room_id"]
            bob_keys = e2e_client.keys_from_door(bob, room_id, blind_password, keys.link_secret)
            assert e2e_client.join(bob, room_id, "bob", bob_keys).status_code == 200
            ann_member, bob_member = Member.connect(ann, room_id, keys), Member.connect(bob, room_id, bob_keys)
            wires += [ann_member, bob_member]

            # The control: a standard room on the same server, the same conversation.
            plain_room = cat.create("cat", NAME.format(plain_name), plain_password).json()["room_id"]
            assert dan.join(plain_room, "dan", plain_password).status_code == 200
            cat_wire, dan_wire = Wire(cat, plain_room), Wire(dan, plain_room)
            wires += [cat_wire, dan_wire]
            for wire in (cat_wire, dan_wire):
                wire.wait_events("welcome", 1)

            talk(ann_member, bob_member, [TEXT.format(n, blind_marker) for n in range(MESSAGES)])
            talk(cat_wire, dan_wire, [TEXT.format(n, plain_marker) for n in range(MESSAGES)])
            # Every message reached both members, and did carry the marker.
            for member in (ann_member, bob_member):
                assert all(blind_marker in message["t"] for message in member.opened(MESSAGES))
            for wire in (cat_wire, dan_wire):
                assert all(plain_marker in m["html"] for m in wire.wait_events("message", MESSAGES))

            server_pid = srv.process.pid
            workers = children_of(server_pid)
            assert workers, "bcrypt ran in a worker process; there must be one to search"
            must_not = {
                **hidden("message", blind_marker),
                **hidden("password", blind_password),
                **hidden("room name", blind_name),
                **spelled("link secret", crypto.b64url_encode(keys.link_secret)),
                "link secret (bytes)": keys.link_secret,
                "message key (bytes)": keys.message_key,
            }
            control = {**spelled("control message", plain_marker), **spelled("control room name", plain_name)}
            found, searched = found_in_memory(server_pid, {**must_not, **control})
            for worker in workers:
                found_there, _ = found_in_memory(worker, must_not)
                assert found_there == set(), f"the bcrypt worker holds {sorted(found_there)}"
            if redis:
                found_there, _ = found_in_memory(redis.process.pid, {**must_not, **control})
                leaked = sorted(found_there & must_not.keys())
                assert leaked == [], f"redis-server holds {leaked}"
                named = spelled("control room name", plain_name).keys()
                assert found_there & named, "the dump of redis-server missed the standard room's name"
            assert srv.alive()
        finally:
            for wire in wires:
                wire.close()
            for person in people:
                person.close()

    # The dump sees a room's messages and name when the server holds them...
    assert searched > 10 * 2**20
    assert found & spelled("control message", plain_marker).keys(), f"no standard room message in {searched} bytes"
    assert found & spelled("control room name", plain_name).keys(), f"no standard room name in {searched} bytes"
    # ...and a server-blind room's are nowhere in it.
    assert found & must_not.keys() == set(), f"the server's memory holds {sorted(found & must_not.keys())}"
