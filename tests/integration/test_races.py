"""Faults and races against the real server: purges mid-traffic, full rooms, vanished clients, churn.

Threads start behind a Barrier; what they then race for is checked afterwards
from what every socket recorded, in order, and from what the server still admits.
"""

from __future__ import annotations

import contextlib
import json
import random
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
import websocket

from tests.support.payloads import aliases, notice
from tests.support.people import EVENT_TIMEOUT, Person, Refused, Socket, raw_socket
from tests.support.process import HOOKS, fd_count, rss_kib, stats, wait_until
from tests.support.server import RunningServer, running_server


def assert_quiet(srv: RunningServer) -> None:
    output = srv.output()
    for needle in ("unhandled", "uncaught", "Traceback"):
        assert needle not in output, f"server output has {needle!r}"


# -- purge against everything else ---------------------------------------------------------

ROUNDS = 6
# Seconds; the purge is aimed at the moment of expiry. Setting up a round's rooms
# (joins, five sockets each) must fit well inside it, even on a loaded machine.
TTL = 3
# How each round's five rooms end (30 races in all). Which of purge and expiry comes first is left to the
# machine only in the contested rooms; the other two orders are driven, so each
# end is seen on every run:
# - "expiry first": the purge is sent once a member has read the room's expiry;
# - "purge first": the purge is aimed 1.5 s before expiry; an ack read before the
#   room's earliest possible expiry proves it came first (the clock is the system's
#   monotonic clock, shared with the server), and then it must have succeeded.
KINDS = ("expiry first", "contested", "contested", "contested", "purge first")  # set up in this order
ACTOR_JOIN_TIMEOUT = 30.0  # seconds; each actor's work ends within TTL + 2 * EVENT_TIMEOUT


@dataclass
class Race:
    kind: str
    room_id: str
    created: float
    owner: Person
    members: list[Person]
    sockets: list[Socket]
    aim: float = 0.0
    purge_ack: dict[str, Any] = field(default_factory=dict)
    purge_answered_at: float | None = None
    joined: list[Person] = field(default_factory=list)
    join_statuses: list[int] = field(default_factory=list)
    late_sockets: list[Socket] = field(default_factory=list)


def _set_up_race(srv: RunningServer, rng: random.Random, kind: str) -> Race:
    owner = Person(srv.url)
    created = time.monotonic()  # before the server's: the room expires no earlier than created + TTL
    room_id = owner.create(alias="owner", password="pw").json()["room_id"]
    members = [Person(srv.url) for _ in range(3)]
    for number, member in enumerate(members):
        assert member.join(room_id, alias=f"member{number}", password="pw").status_code == 200
    sockets = [owner.connect(room_id)]
    sockets += [member.connect(room_id) for member in members]
    sockets.append(members[2].connect(room_id))  # a second tab for the one who logs out
    race = Race(kind, room_id, created, owner, members, sockets)
    # Aim the purge at anything from well before expiry to just after it.
    race.aim = created + TTL + (-1.5 if kind == "purge first" else rng.uniform(-0.35, 0.1))
    return race


def _at(moment: float, pause: threading.Event) -> None:
    # Placing an action on the room's clock, not waiting for something to happen.
    pause.wait(max(0.0, moment - time.monotonic()))


def _actors(srv: RunningServer, race: Race, rng: random.Random) -> list[Callable[[threading.Event], None]]:
    owner_socket, talker_a, talker_b, leaver, _second_tab = race.sockets

    def purge(pause: threading.Event) -> None:
        if race.kind == "expiry first":
            talker_a.wait("purged", timeout=TTL + EVENT_TIMEOUT)  # the room's end, as a member reads it
        else:
            _at(race.aim, pause)
        # An ack, or the socket closing under it (the expiry won): whichever comes first.
        ack = owner_socket.emit_or_closed("purge", {})
        race.purge_answered_at = time.monotonic()
        race.purge_ack.update(ack or {})

    def talk(talker: Socket) -> Callable[[threading.Event], None]:
        def run(pause: threading.Event) -> None:
            _at(race.aim - rng.uniform(0.0, 0.15), pause)
            for number in range(60):
                if talker.closed.is_set():
                    return
                try:
                    talker.client.emit("message", {"text": f"racing {number}"}, callback=lambda *_: None)
                except Exception:  # noqa: BLE001 - the socket closed under us: that is the race
                    return
                pause.wait(0.005)  # pacing the talk

        return run

    def log_out(pause: threading.Event) -> None:
        _at(race.aim + rng.uniform(-0.05, 0.05), pause)
        with contextlib.suppress(Exception):  # closed by the purge first
            leaver.call("logout", timeout=5)

    def join(number: int) -> Callable[[threading.Event], None]:
        def run(pause: threading.Event) -> None:
            _at(race.aim + rng.uniform(-0.05, 0.05), pause)
            person = Person(srv.url)
            status = person.join(race.room_id, alias=f"late{number}", password="pw").status_code
            race.join_statuses.append(status)
            if status != 200:
                person.close()
                return
            race.joined.append(person)
            with contextlib.suppress(Refused):  # the room died between join and connect
                race.late_sockets.append(person.connect(race.room_id))

        return run

    return [purge, talk(talker_a), talk(talker_b), log_out, join(0), join(1)]


PURGED = json.dumps({"by": "owner", "reason": "purged"}, sort_keys=True)
EXPIRED = json.dumps({"by": None, "reason": "expired"}, sort_keys=True)


def _check_race(srv: RunningServer, race: Race) -> str:
    """What holds however the race went; returns how the room ended."""
    everyone = race.sockets + race.late_sockets
    for sock in everyone:
        assert sock.closed.wait(10), "a socket of a dead room is still open"
    for sock in everyone:
        names = [name for name, _ in sock.log if name != "ack"]  # the owner's own purge ack may follow `purged`
        if "purged" in names:
            after = names[names.index("purged") + 1 :]
            assert "message" not in after, f"message after purged: {names}"
            assert after == ["disconnect"], names
    reasons = {json.dumps(notice(p), sort_keys=True) for sock in everyone for p in sock.logged("purged")}
    assert len(reasons) <= 1, reasons  # one room, one end
    if race.purge_ack.get("ok"):
        assert reasons == {PURGED}
    elif race.purge_ack:
        assert race.purge_ack.get("error") == "unauthorized"
        assert reasons <= {EXPIRED}
    # No ack at all: the owner's socket closed first, for whichever reason.
    if race.kind == "expiry first":
        assert reasons == {EXPIRED} and not race.purge_ack.get("ok")
    answered = race.purge_answered_at
    if race.kind == "purge first" and answered is not None and answered < race.created + TTL:
        assert race.purge_ack.get("ok") and reasons == {PURGED}, "a purge before expiry did not end the room"
    assert set(race.join_statuses) <= {200, 404}
    # No one is left bound to the dead room: every cookie is refused, the password opens nothing.
    for person in [race.owner, *race.members, *race.joined]:
        with pytest.raises(Refused, match=r"^unauthorized$"):
            person.connect(race.room_id)
    assert Person(srv.url).join(race.room_id, alias="after", password="pw").status_code == 404
    return "purged" if reasons == {PURGED} else "expired"


def _run_actor(actor: Callable[[threading.Event], None], barrier: threading.Barrier, failures: list[str]) -> None:
    try:
        barrier.wait(10)
        actor(threading.Event())
    except BaseException as error:  # noqa: BLE001 - reported by the test, with where it happened
        failures.append("".join(traceback.format_exception(error)))


def test_purge_races_with_joins_messages_logouts_and_expiry(tmp_path):
    """30 rooms, each purged around its expiry while members talk, one logs out and two join.

    Afterwards: no server exception, no message after `purged` on any socket,
    every socket closed, one end per room, and no cookie opens the room again.
    Each round has a room that expires before its purge and one purged well
    before its expiry, driven in that order; the rest are left to the machine.
    """
    rng = random.Random(20_261_122)
    outcomes = {kind: {"purged": 0, "expired": 0} for kind in set(KINDS)}
    joins = {200: 0, 404: 0}
    late_welcomed = 0
    with running_server(tmp_path, env={**HOOKS, "EPHEMERAL_ROOM_TTL": str(TTL)}) as srv:
        for _ in range(ROUNDS):
            races = [_set_up_race(srv, rng, kind) for kind in KINDS]
            actors = [actor for race in races for actor in _actors(srv, race, rng)]
            barrier = threading.Barrier(len(actors))
            failures: list[str] = []
            threads = [threading.Thread(target=_run_actor, args=(actor, barrier, failures)) for actor in actors]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(ACTOR_JOIN_TIMEOUT)
            assert not [thread for thread in threads if thread.is_alive()], "an actor never finished"
            assert not failures, "\n".join(failures)
            for race in races:
                outcomes[race.kind][_check_race(srv, race)] += 1
                for status in race.join_statuses:
                    joins[status] += 1
                late_welcomed += sum(bool(sock.logged("welcome")) for sock in race.late_sockets)
                for person in [race.owner, *race.members, *race.joined]:
                    person.close()
        wait_until(lambda: stats(srv)["live_rooms"] == 0, 10, "every room gone")
        assert srv.alive()
    print(f"\nraces ended by {outcomes}; joins answered {joins}; {late_welcomed} late joiners connected")
    assert outcomes["expiry first"] == {"purged": 0, "expired": ROUNDS}
    assert_quiet(srv)


# -- a full room -------------------------------------------------------------------------

SEATS = 50
JOINERS = 60


def _join_retrying_busy(person: Person, room_id: str, alias: str) -> requests.Response:
    """Join; a 429 from the bcrypt queue (not a wrong-password limit) is retried as told."""
    pause = threading.Event()
    for _ in range(20):
        answer = person.join(room_id, alias=alias, password="pw")
        if answer.status_code != 429:
            return answer
        pause.wait(int(answer.headers["Retry-After"]))  # the server's own back-off
    raise AssertionError("still busy after 20 tries")


@pytest.mark.parametrize("async_mode", ["gevent", "eventlet"])
def test_concurrent_joins_take_exactly_the_free_seats(tmp_path, async_mode):
    """50 seats, 60 people at once: exactly 50 get in, no alias twice.

    The creator takes a seat too, so the creator logs out first: the room then
    has all EPHEMERAL_MAX_PARTICIPANTS=50 seats free, and 60 joins race for them.
    55 distinct aliases are asked for, 5 of them twice in another case, so
    both the seat count and alias uniqueness are decided under the race.
    """
    env = {**HOOKS, "EPHEMERAL_MAX_PARTICIPANTS": str(SEATS)}
    with running_server(tmp_path, async_mode, env) as srv:
        owner = Person(srv.url)
        room_id = owner.create(alias="owner", password="pw").json()["room_id"]
        owner_socket = owner.connect(room_id)
        owner_socket.wait("welcome")
        assert owner_socket.call("logout")["ok"]

        wanted = [f"guest{n:02d}" for n in range(55)] + [f"GUEST{n:02d}" for n in range(5)]
        random.Random(7).shuffle(wanted)
        people = [Person(srv.url) for _ in wanted]
        barrier = threading.Barrier(JOINERS)

        def join(number: int) -> requests.Response:
            barrier.wait(10)
            return _join_retrying_busy(people[number], room_id, wanted[number])

        with ThreadPoolExecutor(JOINERS) as pool:
            answers = list(pool.map(join, range(JOINERS)))

        admitted = [n for n, answer in enumerate(answers) if answer.status_code == 200]
        refused = {answers[n].json()["error"] for n in range(JOINERS) if n not in admitted}
        assert len(admitted) == SEATS
        assert {answers[n].status_code for n in range(JOINERS) if n not in admitted} == {409}
        assert refused <= {"room_full", "alias_taken"}
        seated = [answers[n].json()["alias"] for n in admitted]
        assert len({alias.casefold() for alias in seated}) == SEATS

        sockets = [people[n].connect(room_id) for n in admitted]
        for sock in sockets:
            sock.wait("welcome")
        settled = sockets[-1].wait_for("presence", lambda p: len(aliases(p)) == SEATS)
        assert sorted(aliases(settled), key=str.casefold) == sorted(seated, key=str.casefold)
        # The ones turned away hold nothing; one more stranger finds the room full.
        for n in range(JOINERS):
            if n not in admitted:
                with pytest.raises(Refused, match=r"^unauthorized$"):
                    people[n].connect(room_id)
        late = Person(srv.url).join(room_id, alias="latecomer", password="pw")
        assert (late.status_code, late.json()["error"]) == (409, "room_full")
        for person in people:
            person.close()
        owner.close()
        assert srv.alive()
    assert_quiet(srv)


# -- clients that vanish -----------------------------------------------------------------

PING = {"EPHEMERAL_PING_INTERVAL": "1", "EPHEMERAL_PING_TIMEOUT": "1"}
PER_KIND = 5

HOLDER = r"""
import sys, threading
import socketio

url, room, cookie = sys.argv[1], sys.argv[2], sys.argv[3]
client = socketio.Client(reconnection=False)
welcomed = threading.Event()
client.on("welcome", lambda *_: welcomed.set())
client.connect(url, headers={"Cookie": cookie}, auth={"room": room}, transports=["websocket"], wait_timeout=10)
assert welcomed.wait(10)
print("ready", flush=True)
sys.stdin.read()
"""


class Pongs:
    """Answers the server's pings for a raw member until told to fall silent."""

    def __init__(self, ws: websocket.WebSocket) -> None:
        self.ws = ws
        self.silent = threading.Event()
        ws.settimeout(0.1)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.silent.is_set():
            try:
                if self.ws.recv() == "2":
                    self.ws.send("3")
            except websocket.WebSocketTimeoutException:
                continue
            except (websocket.WebSocketException, OSError):
                return

    def fall_silent(self) -> None:
        """From now on nothing is read or sent; the TCP connection stays open."""
        self.silent.set()
        self.thread.join(5)


def _reset(ws: websocket.WebSocket) -> None:
    """Drop the connection with a TCP reset: no close frame, no FIN."""
    ws.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    ws.sock.close()


@pytest.mark.parametrize("async_mode", ["gevent", "eventlet"])
def test_vanished_clients_leave_presence_and_free_their_descriptors(tmp_path, async_mode):
    """Five members reset their connection, five are SIGKILLed, five fall silent with TCP still open.

    All fifteen leave presence (the silent ones at the 1 s ping timeout), and the
    server's descriptor count returns to where it was before they came.
    """
    with running_server(tmp_path, async_mode, {**HOOKS, **PING}) as srv:
        owner = Person(srv.url)
        room_id = owner.create(alias="owner", password="pw").json()["room_id"]
        watcher = owner.connect(room_id)
        watcher.wait("welcome")
        baseline = fd_count(srv.process.pid)

        def member(alias: str) -> Person:
            person = Person(srv.url)
            assert person.join(room_id, alias=alias, password="pw").status_code == 200
            person.http.close()  # its keep-alive connection would hold a descriptor too
            return person

        # Every raw member answers pings until its moment: slow holder start-ups must not time them out first.
        reset = [Pongs(raw_socket(member(f"reset{n}"), room_id)) for n in range(PER_KIND)]
        silent = [Pongs(raw_socket(member(f"silent{n}"), room_id)) for n in range(PER_KIND)]
        holders = []
        try:
            for number in range(PER_KIND):
                person = member(f"killed{number}")
                holder = subprocess.Popen(
                    [sys.executable, "-c", HOLDER, srv.url, room_id, person.cookie_header()],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                )
                holders.append(holder)
                assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
            everyone = 1 + 3 * PER_KIND
            watcher.wait_for("presence", lambda p: len(aliases(p)) == everyone)
            assert fd_count(srv.process.pid) >= baseline + 3 * PER_KIND

            vanished = time.monotonic()
            for pongs in reset:
                pongs.fall_silent()
                _reset(pongs.ws)
            for holder in holders:
                holder.send_signal(signal.SIGKILL)
            for pongs in silent:
                pongs.fall_silent()  # the TCP connection stays open; no ping is answered
            left = watcher.wait_for("presence", lambda p: aliases(p) == ["owner"], timeout=20)
            gone_after = time.monotonic() - vanished
            assert aliases(left) == ["owner"]
            print(f"\n{async_mode}: presence settled {gone_after:.1f} s after the clients vanished")
            wait_until(lambda: fd_count(srv.process.pid) <= baseline + 2, 20, "descriptors released")
            assert watcher.send("still here")["ok"]
        finally:
            for holder in holders:
                holder.kill()
                holder.wait()
            for pongs in silent + reset:
                pongs.fall_silent()
                if pongs.ws.sock is not None:
                    pongs.ws.sock.close()
        owner.close()
        assert srv.alive()
    assert_quiet(srv)


# -- churn ------------------------------------------------------------------------------

WARM_UP_ROOMS = 2_000
# A count, not a time budget: a loaded machine makes fewer rooms per second, and
# too few rooms would hide a leak. About 70 rooms/s on two cores: about a minute.
CHURN_ROOMS = 3_000
# The bound is per room: RSS growth over a half (1,500 rooms), divided by its rooms.
# A leak of 1 KiB per room shows as 1,024 bytes or more in both halves; the
# allocator's occasional step of a few MiB (seen up to 5) shows in one half only.
GROWTH_BYTES_PER_ROOM = 768
CHURN_DEADLINE = 300.0  # seconds: only a wedged server takes this long
CHURN_WORKERS = 16  # at most the bcrypt queue's 1 running + 16 waiting: no 429 from it
ROOMS_PER_ADDRESS = 10  # the creation burst per address


def _address(block: int) -> str:
    return f"127.{50 + block // 62_500}.{block // 250 % 250}.{1 + block % 250}"


def _room_lifetime(person: Person) -> None:
    """Create a room, say one thing in it, purge it: the whole life of a room, over the wire."""
    created = person.create(alias="a", name="n", password="p")
    assert created.status_code == 201, created.text
    room_id = created.json()["room_id"]
    ws = websocket.create_connection(
        person.base_url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket",
        header=[f"Cookie: {person.cookie_header()}"],
        timeout=10,
    )
    try:
        assert ws.recv().startswith("0{")
        ws.send("40" + json.dumps({"room": room_id}))
        while not ws.recv().startswith('42["welcome"'):
            pass
        ws.send('421["message",{"text":"hello"}]')
        while not ws.recv().startswith('42["message"'):
            pass
        ws.send('422["purge",{}]')
        while not ws.recv().startswith('42["purged"'):
            pass
    finally:
        ws.close()


def _churn(srv: RunningServer, first_block: int, rooms: int, seconds: float) -> int:
    """Room lifetimes from fresh addresses, ten per address, until `rooms` or `seconds`; returns how many."""
    deadline = time.monotonic() + seconds
    done = [0]
    lock = threading.Lock()

    def block(number: int) -> None:
        if time.monotonic() > deadline:
            return
        person = Person(srv.url, address=_address(first_block + number))
        try:
            for _ in range(ROOMS_PER_ADDRESS):
                _room_lifetime(person)
                with lock:
                    done[0] += 1
        finally:
            person.close()

    with ThreadPoolExecutor(CHURN_WORKERS) as pool:
        list(pool.map(block, range(rooms // ROOMS_PER_ADDRESS)))
    return done[0]


def _settled_rss(srv: RunningServer) -> int:
    """RSS once every room is gone and the message-limit keys have been swept."""
    wait_until(lambda: stats(srv)["live_rooms"] == 0, 10, "rooms gone")
    wait_until(lambda: stats(srv)["rate_limit_keys"]["messages_by_participant"] == 0, 15, "message keys swept")
    return rss_kib(srv.process.pid)


def test_memory_returns_after_rooms_are_created_used_and_purged(tmp_path):
    """3,000 rooms come and go, in two halves; RSS does not grow by GROWTH_BYTES_PER_ROOM a room in both.

    The warm-up runs at the same concurrency, so the allocator's high-water mark
    is reached before the baseline is taken.
    """
    with running_server(tmp_path, env=HOOKS) as srv:
        assert _churn(srv, 0, WARM_UP_ROOMS, CHURN_DEADLINE) == WARM_UP_ROOMS
        before = _settled_rss(srv)
        descriptors = fd_count(srv.process.pid)

        started = time.monotonic()
        half, first_block = CHURN_ROOMS // 2, WARM_UP_ROOMS // ROOMS_PER_ADDRESS
        made = _churn(srv, first_block, half, CHURN_DEADLINE)
        middle = _settled_rss(srv)
        made += _churn(srv, first_block + half // ROOMS_PER_ADDRESS, half, CHURN_DEADLINE)
        elapsed = time.monotonic() - started
        after = _settled_rss(srv)
        per_room = [round(grown * 1024 / half) for grown in (middle - before, after - middle)]  # KiB to bytes
        print(
            f"\n{made} rooms in {elapsed:.0f} s ({made / elapsed:.0f}/s); "
            f"RSS {before / 1024:.1f} -> {middle / 1024:.1f} -> {after / 1024:.1f} MiB; "
            f"growth per room by half {per_room} bytes"
        )
        assert made == CHURN_ROOMS, "the server stopped making rooms"
        assert stats(srv)["hashes_run"] == WARM_UP_ROOMS + made
        assert min(per_room) < GROWTH_BYTES_PER_ROOM, f"RSS grew {per_room} bytes per room in both halves"
        assert fd_count(srv.process.pid) <= descriptors + 2
        assert srv.alive()
    assert_quiet(srv)
