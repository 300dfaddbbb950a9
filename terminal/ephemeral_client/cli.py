"""`ephemeral-chat create <server>` and `ephemeral-chat join <link>`: the questions, then the chat.

The password is read from the terminal without echo, or from standard input when that is not a terminal,
never from the command line (where shell history and `ps` would keep it). Nothing is written to disk.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import ipaddress
import sys
from contextlib import ExitStack
from typing import TextIO
from urllib.parse import urlsplit

import socketio
from prompt_toolkit.input import create_input

from .api import ApiError, Server
from .links import BadLink, parse_link, server_url
from .session import Entered, create_room, join_room, run_chat
from .text import inert_line

__all__ = ["main"]

# Once the room is gone, what the terminal showed of it goes too: the screen and its scrollback.
WIPE = "\x1b[2J\x1b[3J\x1b[H"
EXIT_LEFT, EXIT_ERROR, EXIT_USAGE, EXIT_ENDED = 0, 1, 2, 3

ERRORS = {
    "wrong_password": "Wrong password or link.",
    "not_found": "This room is gone: it never existed, expired or was purged.",
    "alias_taken": "Someone in the room already uses that alias (or one that looks like it).",
    "locked": "The room is locked: nobody new may join for now.",
    "room_full": "The room is full.",
    "too_many_rooms": "This session already holds too many rooms.",
    "rate_limited": "Too many tries just now; wait a minute and try again.",
    "invalid": "The server refused a field: check the alias, the name and the options.",
    "capacity": "The server holds as many rooms as it may; try later.",
    "unreachable": "The server could not be reached.",
    "no_secret": "This room is server-blind and the link lacks its #k= secret: ask for the whole link.",
    "connect": "The chat connection was refused or could not be opened.",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ephemeral-chat",
        description="Chat in an Ephemeral room from a terminal. The password is asked for (or read from "
        "standard input when it is not a terminal), never taken as an argument.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="make a room and enter it")
    create.add_argument("server", help="the server's address, such as https://chat.example.org")
    create.add_argument("--name", help="the room's name (asked for if missing)")
    create.add_argument("--alias", help="your alias in the room (asked for if missing)")
    create.add_argument("--server-blind", action="store_true", help="end-to-end encrypted: the server sees no text")
    create.add_argument("--lifetime", type=int, metavar="MINUTES", help="how long the room lives")
    create.add_argument(
        "--kind", choices=["group", "pair", "broadcast"], help="pair: two seats; broadcast: hosts speak"
    )
    create.add_argument("--hosts-purge", action="store_true", help="only hosts may purge the room")
    create.add_argument("--seats", type=int, help="how many people the room takes")
    create.add_argument("--disappear", type=int, choices=[30, 300, 3600], help="seconds a message stays on screens")
    create.add_argument("--vanish", action="store_true", help="a leaver's messages vanish from every screen")
    create.add_argument("--history", action="store_true", help="newcomers are handed what the others' screens show")
    join = commands.add_parser("join", help="join a room by its link")
    join.add_argument("link", help="the room's link (a server-blind room's with its #k= part)")
    join.add_argument("--alias", help="your alias in the room (asked for if missing)")
    return parser


def _terminal_in(stack: ExitStack) -> TextIO:
    """The terminal to read the chat's keys from: standard input, or the process's terminal when standard
    input carried the password."""
    if sys.stdin.isatty():
        return sys.stdin
    return stack.enter_context(open("/dev/tty", encoding="utf-8"))


def _ask(question: str, given: str | None, keys: TextIO) -> str:
    if given is not None:
        return given
    sys.stdout.write(question)
    sys.stdout.flush()
    answer = keys.readline()
    return answer.rstrip("\r\n")


def _password(keys: TextIO) -> str:
    if sys.stdin.isatty():
        return getpass.getpass("Password: ")
    line = sys.stdin.readline()
    # Every byte counts, as the server takes it: only the line's end goes.
    return line[:-1] if line.endswith("\n") else line


def _warn_plain_http(server: str) -> None:
    host = urlsplit(server).hostname or ""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if server.startswith("http://") and not loopback:
        print("Warning: plain http: anyone on the way can read this session. Use https://.", file=sys.stderr)


def _rules(arguments: argparse.Namespace) -> dict[str, object]:
    """The room's rules as the API names them; what was not asked for is left to the server's defaults."""
    rules: dict[str, object] = {}
    if arguments.lifetime is not None:
        rules["ttl"] = arguments.lifetime * 60
    if arguments.kind:
        rules["kind"] = arguments.kind
    if arguments.hosts_purge:
        rules["purge"] = "hosts"
    if arguments.seats is not None:
        rules["seats"] = arguments.seats
    if arguments.disappear is not None:
        rules["disappear"] = arguments.disappear
    for flag in ("vanish", "history"):
        if getattr(arguments, flag):
            rules[flag] = True
    return rules


def _enter(arguments: argparse.Namespace, keys: TextIO) -> Entered:
    if arguments.command == "create":
        base = server_url(arguments.server)
        _warn_plain_http(base)
        name = _ask("Room name: ", arguments.name, keys)
        alias = _ask("Your alias: ", arguments.alias, keys)
        password = _password(keys)
        rules = _rules(arguments)
        return create_room(Server(base), alias, name, password, blind=arguments.server_blind, rules=rules)
    link = parse_link(arguments.link)
    _warn_plain_http(link.server)
    alias = _ask("Your alias: ", arguments.alias, keys)
    password = _password(keys)
    return join_room(Server(link.server), link, alias, password)


def _fail(text: str) -> int:
    print(f"ephemeral-chat: {text}", file=sys.stderr)
    return EXIT_ERROR


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    if not sys.stdout.isatty():
        return _fail("the chat needs a terminal for its output")
    with ExitStack() as stack:
        try:
            keys = _terminal_in(stack)
        except OSError:
            return _fail("the chat needs a terminal to read keys from")
        try:
            entered = _enter(arguments, keys)
        except BadLink as error:
            return _fail(str(error))
        except ApiError as error:
            words = ERRORS.get(error.code, f"The server refused: {inert_line(error.code)}.")
            return _fail(words)
        except (EOFError, KeyboardInterrupt):
            return _fail("stopped")
        if entered.link:
            print("Room created. Share this link (with the password, told another way):")
            print(inert_line(entered.link), flush=True)
        try:
            ending, line = asyncio.run(run_chat(entered, input=create_input(keys)))
        except socketio.exceptions.ConnectionError:
            return _fail(ERRORS["connect"])
        except KeyboardInterrupt:
            ending, line = "left", ""
        finally:
            entered.server.close()
    if ending == "left":
        print("You left the room.")
        return EXIT_LEFT
    sys.stdout.write(WIPE)
    print(line)
    return EXIT_ENDED


if __name__ == "__main__":
    sys.exit(main())
