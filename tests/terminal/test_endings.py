"""The room's own events end the chat with one clear line, the screen and scrollback wiped: expiry and a
host's removal (a purge: test_chat.py); a file sent to the room is a one-line note."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.support.people import Person
from tests.support.server import RunningServer, running_server
from tests.terminal.support import PASSWORD, Terminal

NewTerminal = Callable[..., Terminal]
WIPED = b"\x1b[2J\x1b[3J\x1b[H"
# Long enough for two people to get in, short enough to wait for.
ROOM_TTL = 5


@pytest.fixture(scope="module")
def short_lived(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with running_server(tmp_path_factory.mktemp("short"), "gevent", {"EPHEMERAL_ROOM_TTL": str(ROOM_TTL)}) as srv:
        yield srv


@pytest.fixture
def host(server: RunningServer) -> Iterator[Person]:
    ann = Person(server.url)
    yield ann
    ann.close()


def test_expiry_ends_the_chat_with_the_countdown_run_out(terminal: NewTerminal, short_lived: RunningServer) -> None:
    ann = terminal(["create", short_lived.url, "--name", "plans", "--alias", "ann"], stdin_text=PASSWORD + "\n")
    ann.wait_for("ends in 0:0")  # the countdown, under ROOM_TTL seconds
    ann.say("soon gone")
    ann.wait_for("ann (you): soon gone")
    shown = ann.wait_for("The room expired. Every message is gone.", timeout=ROOM_TTL + 20)
    assert ann.exit_code() == 3
    assert "soon gone" not in shown
    assert WIPED in ann.raw[ann.raw.rfind(b"soon gone") :]


def test_a_host_removing_someone_ends_their_chat(terminal: NewTerminal, host: Person) -> None:
    made = host.create("ann", "plans", PASSWORD).json()
    socket = host.connect(made["room_id"])
    bob = terminal(["join", made["url"], "--alias", "bob"], stdin_text=PASSWORD + "\n")
    bob.in_chat()
    assert socket.send("before the kick")["ok"]
    bob.wait_for("ann: before the kick")
    [bob_id] = [p["id"] for p in socket.wait_for("presence", lambda p: len(p["participants"]) == 2)["participants"]
                if p["alias"] == "bob"]  # fmt: skip
    assert socket.kick(bob_id)["ok"]
    shown = bob.wait_for("You were removed from the room by ann.")
    assert bob.exit_code() == 3
    assert "before the kick" not in shown
    assert WIPED in bob.raw[bob.raw.rfind(b"before the kick") :]


def test_a_file_sent_to_the_room_is_a_note_and_nothing_is_kept(terminal: NewTerminal, host: Person) -> None:
    made = host.create("ann", "plans", PASSWORD).json()
    socket = host.connect(made["room_id"])
    bob = terminal(["join", made["url"], "--alias", "bob"], stdin_text=PASSWORD + "\n")
    bob.in_chat()
    socket.wait_for("presence", lambda p: len(p["participants"]) == 2)
    _offer, ack = socket.offer("standard", b"file bytes", name="notes.txt", kind="text/plain")
    assert ack["ok"], ack
    bob.wait_for("ann: (a file was sent: open the room in a browser to get it)")
    assert b"notes.txt" not in bob.raw
