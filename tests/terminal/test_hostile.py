"""Terminal escapes from the room are shown inert: the title stays, no hostile byte reaches the terminal, and
the visible text is there. Sent by a client the test steers, as a plain message and in a server-blind
room's sealed name and HTML (which no server cleaned); aliases with them are refused by the server."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.support.e2e_client import Member, RoomKeys, create
from tests.support.people import Person
from tests.support.server import RunningServer
from tests.terminal.support import PASSWORD, Terminal

NewTerminal = Callable[..., Terminal]

ESCAPES = (
    "\x1b]0;osc0-title\x07"  # window and icon title
    "\x1b]2;osc2-title\x1b\\"  # window title, ended by ST
    "\x1b]52;c;Y2xpcGJvYXJk\x07"  # write to the clipboard
    "\x1b[9999;9999H"  # move the cursor
    "\x1b[4242A"  # and up
    "\x1bc"  # reset the terminal
    "\x07"  # bell
    "\x9b31m"  # C1 CSI
    "\u202eevil\u202c\u2066iso\u2069"  # bidi override and isolate
)
# None of these may reach the terminal (as UTF-8 where they are characters).
FORBIDDEN = [
    b"\x1b]",
    b"\x1b\\",
    b"\x07",
    b"\x1bc",
    b"\x1b[9999;9999H",
    b"\x1b[4242A",
    "\x9b".encode(),
    *(c.encode() for c in "\u202e\u202c\u2066\u2069"),
]


@pytest.fixture
def people(server: RunningServer) -> Iterator[list[Person]]:
    made: list[Person] = []
    yield made
    for person in made:
        person.close()


def assert_inert(term: Terminal) -> None:
    assert term.screen.title == "" and term.screen.icon_name == "", term.screen.title
    raw = bytes(term.raw)
    for bad in FORBIDDEN:
        assert bad not in raw, f"{bad!r} reached the terminal"


def test_a_plain_message_with_escapes_is_shown_inert(
    terminal: NewTerminal, server: RunningServer, people: list[Person]
) -> None:
    ann = Person(server.url)
    people.append(ann)
    assert ann.create("ann\x1b]0;x\x07", "plans", PASSWORD).status_code == 400  # aliases: the server refuses
    made = ann.create("ann", "plans", PASSWORD).json()
    socket = ann.connect(made["room_id"])
    bob = terminal(["join", made["url"], "--alias", "bob"], stdin_text=PASSWORD + "\n")
    bob.in_chat()
    assert socket.send(f"start-mark {ESCAPES} end-mark")["ok"]
    shown = bob.wait_for("start-mark", "end-mark")
    assert_inert(bob)
    assert "osc0-title" in shown and "]52;c;Y2xpcGJvYXJk" in shown and "evil" in shown
    assert "^[" not in shown and "<9b>" not in shown  # not even drawn as control pictures


def test_a_server_blind_room_name_and_sealed_html_with_escapes_are_shown_inert(
    terminal: NewTerminal, server: RunningServer, people: list[Person]
) -> None:
    ann = Person(server.url)
    people.append(ann)
    keys = RoomKeys.new(PASSWORD)
    made = create(ann, "ann", f"name-mark{ESCAPES}", keys).json()
    member = Member.connect(ann, made["room_id"], keys)
    bob = terminal(["join", made["url"] + keys.fragment, "--alias", "bob"], stdin_text=PASSWORD + "\n")
    bob.in_chat()
    bob.wait_for("name-mark")  # the header
    html = (
        f"<p>start-mark {ESCAPES} &#27;]0;entity-title&#7; &#x9b;2J</p>"
        f'<p><a href="https://example.org/{ESCAPES}">link-mark</a>'
        f'<img src="https://example.org/i.png{ESCAPES}" alt="alt-mark{ESCAPES}"></p>'
        "<p>end-mark</p>"
    )
    assert member.send(html)["ok"]
    shown = bob.wait_for("start-mark", "end-mark")
    assert_inert(bob)
    for visible in ("name-mark]0;osc0-title", "entity-title", "link-mark", "alt-mark", "<https://example.org/", "evil"):
        assert visible in shown
    assert "^[" not in shown and "<9b>" not in shown
    member.close()
