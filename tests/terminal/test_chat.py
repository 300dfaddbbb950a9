"""Two terminal clients in one room of the real server, standard and server-blind: they talk, and a purge
from one ends the other with its screen wiped."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.server import RunningServer
from tests.terminal.support import PASSWORD, Terminal

NewTerminal = Callable[..., Terminal]


def create(terminal: NewTerminal, server: RunningServer, *flags: str, alias: str = "ann") -> Terminal:
    ann = terminal(["create", server.url, "--name", "plans", "--alias", alias, *flags], stdin_text=PASSWORD + "\n")
    ann.in_chat()
    return ann


def join(terminal: NewTerminal, link: str, alias: str, password: str = PASSWORD) -> Terminal:
    person = terminal(["join", link, "--alias", alias], stdin_text=password + "\n")
    person.in_chat()
    return person


@pytest.mark.parametrize("flags", [(), ("--server-blind",)], ids=["standard", "server-blind"])
def test_two_terminals_talk_with_formatting_and_see_each_other(
    terminal: NewTerminal, server: RunningServer, flags: tuple[str, ...]
) -> None:
    ann = create(terminal, server, *flags)
    link = ann.link()
    assert ("#k=" in link) == bool(flags)
    bob = join(terminal, link, "bob")
    ann.wait_for("bob joined", "2 present")
    bob.wait_for("plans", "ann ★", "bob (you)")

    ann.say("hello **bob**, see https://example.org/x")
    for person in (ann, bob):
        person.wait_for("ann", "hello bob, see https://example.org/x")
    bob.say("> quoted\n")
    bob.say("- one item")
    for person in (ann, bob):
        person.wait_for("│ quoted", "• one item")
    if flags:
        ann.wait_for("server-blind")


def test_a_purge_from_one_terminal_ends_the_other_with_its_screen_wiped(
    terminal: NewTerminal, server: RunningServer
) -> None:
    ann = create(terminal, server)
    bob = join(terminal, ann.link(), "bob")
    bob.say("a secret line")
    ann.wait_for("a secret line")
    ann.say("/purge")
    for person in (ann, bob):
        shown = person.wait_for("The room was purged by ann. Every message is gone.")
        assert person.exit_code() == 3
        assert "a secret line" not in person.text(), shown
        # The scrollback goes too, after the last frame of the chat.
        assert b"\x1b[2J\x1b[3J\x1b[H" in person.raw[person.raw.rfind(b"a secret line") :]


def test_leave_frees_the_alias_and_the_others_see_it(terminal: NewTerminal, server: RunningServer) -> None:
    ann = create(terminal, server)
    link = ann.link()
    bob = join(terminal, link, "bob")
    ann.wait_for("bob joined")
    bob.say("/leave")
    bob.wait_for("You left the room.")
    assert bob.exit_code() == 0
    ann.wait_for("bob left", "1 present")
    join(terminal, link, "bob")  # the alias is free again
    ann.say("/who")
    ann.wait_for("Present: ann, bob")


def test_a_wrong_password_or_a_cut_link_is_refused_with_words(terminal: NewTerminal, server: RunningServer) -> None:
    ann = create(terminal, server, "--server-blind")
    link = ann.link()
    wrong = terminal(["join", link, "--alias", "eve"], stdin_text="not it\n")
    wrong.wait_for("Wrong password or link.")
    assert wrong.exit_code() == 1
    cut = terminal(["join", link[:-3], "--alias", "eve"], stdin_text=PASSWORD + "\n")
    cut.wait_for("cut short or changed")
    assert cut.exit_code() == 1
    bare = terminal(["join", link.split("#")[0], "--alias", "eve"], stdin_text=PASSWORD + "\n")
    bare.wait_for("lacks its #k= secret")
    assert bare.exit_code() == 1


@pytest.mark.parametrize("flags", [(), ("--server-blind",)], ids=["standard", "server-blind"])
def test_a_room_with_history_hands_a_newcomer_what_the_host_shows(
    terminal: NewTerminal, server: RunningServer, flags: tuple[str, ...]
) -> None:
    ann = create(terminal, server, "--history", *flags)
    ann.say("said **before** bob came")
    ann.wait_for("ann (you): said before bob came")
    bob = join(terminal, ann.link(), "bob")
    bob.wait_for("Shared by ann, not verified by the server: 1 earlier message(s).", "ann: said before bob came")
