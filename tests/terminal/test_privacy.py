"""The password never reaches argv and is never echoed; the client writes nothing to disk."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.server import RunningServer
from tests.terminal.support import PASSWORD, Terminal

NewTerminal = Callable[..., Terminal]


@pytest.mark.parametrize("command", ["create", "join"])
def test_a_password_on_the_command_line_is_refused(terminal: NewTerminal, server: RunningServer, command: str) -> None:
    target = server.url if command == "create" else server.url + "/r/" + "A" * 22
    term = terminal([command, target, "--alias", "ann", "--password", PASSWORD])
    term.wait_for("unrecognized arguments: --password")
    assert term.exit_code() == 2


def test_a_typed_password_is_not_echoed_nor_in_argv(terminal: NewTerminal, server: RunningServer) -> None:
    ann = terminal(["create", server.url, "--name", "plans", "--alias", "ann"])
    ann.wait_for("Password:")
    ann.say(PASSWORD)
    ann.in_chat()
    cmdline = Path(f"/proc/{ann.process.pid}/cmdline").read_bytes()
    assert b"ephemeral-chat" in cmdline
    assert PASSWORD.encode() not in cmdline
    assert PASSWORD.encode() not in ann.raw  # getpass: no echo


def every_file(top: Path) -> list[str]:
    return sorted(str(path.relative_to(top)) for path in top.rglob("*"))


@pytest.mark.parametrize("flags", [(), ("--server-blind",)], ids=["standard", "server-blind"])
def test_nothing_is_written_to_home_xdg_or_the_working_directory(
    terminal: NewTerminal, server: RunningServer, flags: tuple[str, ...]
) -> None:
    ann = terminal(["create", server.url, "--name", "plans", "--alias", "ann", *flags])
    ann.wait_for("Password:")
    ann.say(PASSWORD)
    ann.in_chat()
    bob = terminal(["join", ann.link(), "--alias", "bob"], stdin_text=PASSWORD + "\n")
    bob.in_chat()
    ann.say("a line that must be kept nowhere")
    bob.wait_for("a line that must be kept nowhere")
    ann.type("\x1b[A")  # the previous line, from the history in memory
    ann.wait_for("> a line that must be kept nowhere")
    ann.type("\x15")  # and cleared
    for person in (ann, bob):
        person.say("/leave")
        assert person.exit_code() == 0
    for person in (ann, bob):
        assert every_file(person.home) == []
        assert every_file(person.cwd) == []
