"""Getting into a room (create or join, through the API) and being in it (the socket and the screen)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from prompt_toolkit.input import Input
from prompt_toolkit.output import Output

from . import crypto
from .api import ApiError, Server
from .connection import Connection
from .history import history_of, sharer_for
from .links import Link, share_link
from .model import Chat
from .screen import ChatScreen
from .sealed import SealedRoom, new_room_keys
from .text import inert_line

__all__ = ["ACK_WORDS", "Entered", "create_room", "join_room", "run_chat"]

ACK_WORDS = {
    "rate_limited": "Slow down: the server takes no more just now.",
    "too_large": "That message is too long.",
    "forbidden": "Only a host may do that in this room.",
    "unauthorized": "You are no longer in this room.",
    "invalid": "The server refused that.",
    "timeout": "No answer from the server.",
    "not_yet": "Not in the room yet: try again in a moment.",
    "unavailable": "The server cannot reach its room store just now; try again.",
}
HELP = "Commands: /who (who is here), /purge (wipe the room for everyone), /leave (or Ctrl-D). Enter sends."


@dataclass
class Entered:
    """Someone in a room: the server (holding the session cookie), the room, and a server-blind room's keys."""

    server: Server
    room_id: str
    name: str
    link: str | None = None  # the link to share, after a create
    sealed: SealedRoom | None = field(default=None, repr=False)


def create_room(server: Server, alias: str, name: str, password: str, *, blind: bool, rules: dict[str, Any]) -> Entered:
    """`POST /api/rooms`; a server-blind room sends only the verifier, the key parameters and the sealed name."""
    if not blind:
        answer = server.create({"alias": alias, "name": name, "password": password, **rules})
        room_id = str(answer["room_id"])
        return Entered(server, room_id, str(answer.get("name", name)), share_link(str(answer["url"]), None))
    secret, salt, keys = new_room_keys(password)
    kdf = {"alg": "pbkdf2-sha256", "iter": crypto.ITER_MIN, "salt": crypto.b64url_encode(salt)}
    body = {"alias": alias, "mode": "e2e", "kdf": kdf, "verifier": keys.verifier, "name_ct": ""}
    body["name_ct"] = crypto.seal_name(keys.message_key, salt, " ".join(name.split()))
    answer = server.create({**body, **rules})
    room_id = str(answer["room_id"])
    sealed = SealedRoom(room_id, keys.message_key)
    return Entered(server, room_id, " ".join(name.split()), share_link(str(answer["url"]), secret), sealed)


def join_room(server: Server, link: Link, alias: str, password: str) -> Entered:
    """Join through the API; a server-blind room's keys are derived here and checked on its sealed name."""
    door = server.door(link.room_id)
    if door.get("mode") != "e2e":
        answer = server.join(link.room_id, {"alias": alias, "password": password})
        return Entered(server, link.room_id, str(answer.get("name", "")))
    if link.secret is None:
        raise ApiError("no_secret")
    kdf = door.get("kdf") or {}
    try:
        keys = crypto.derive_keys(password, str(kdf.get("salt")), kdf.get("iter"), link.secret)  # type: ignore[arg-type]
    except crypto.CryptoError as error:
        raise ApiError("wrong_password") from error
    answer = server.join(link.room_id, {"alias": alias, "verifier": keys.verifier})
    try:
        name = crypto.open_name(keys.message_key, str(kdf.get("salt")), str(answer.get("name_ct")))
    except crypto.CryptoError as error:
        raise ApiError("wrong_password") from error  # a verifier the server took, but not this room's key
    return Entered(server, link.room_id, name, None, SealedRoom(link.room_id, keys.message_key))


async def run_chat(entered: Entered, *, input: Input | None = None, output: Output | None = None) -> tuple[str, str]:
    """The chat until it ends: ("left", ""), or the room's ending (model.ENDINGS) and the line that says it."""
    loop = asyncio.get_running_loop()
    chat = Chat(entered.room_id, entered.name, entered.sealed)
    # One thread for the socket's calls: sends go out, and are sealed, in the order they were typed.
    calls = ThreadPoolExecutor(1, thread_name_prefix="ephemeral-calls")
    connection: Connection

    def send_now(text: str) -> None:
        if not chat.you:
            ack: dict[str, Any] = {"ok": False, "error": "not_yet"}
        elif chat.sealed is None:
            ack = connection.call("message", {"text": text})
        else:
            envelope = chat.sealed.seal(text, str(chat.you.get("id")), str(chat.you.get("alias")))
            ack = connection.call("message", {"e2e": envelope})
            if not ack.get("ok"):
                chat.sealed.refused(envelope)
        if not ack.get("ok"):
            loop.call_soon_threadsafe(on_event, "_refused", ack)

    async def send(text: str) -> None:
        await loop.run_in_executor(calls, send_now, text)

    async def command(text: str) -> str | None:
        word = text.split()[0].lower()
        if word in ("/leave", "/quit", "/exit"):
            await loop.run_in_executor(calls, connection.call, "logout", {})
            return "left"
        if word == "/purge":
            ack = await loop.run_in_executor(calls, connection.call, "purge", {})
            if not ack.get("ok"):
                chat.note(ACK_WORDS.get(str(ack.get("error")), ACK_WORDS["invalid"]))
            return None  # the room's `purged` ends the chat
        if word == "/who":
            chat.note("Present: " + ", ".join(chat.present()))
        elif word == "/help":
            chat.note(HELP)
        else:
            chat.note(f"Unknown command {inert_line(word)}. {HELP}")
        return None

    screen = ChatScreen(chat, send, command, input=input, output=output)

    def on_event(name: str, payload: Any) -> None:
        if name == "_refused":
            chat.note(ACK_WORDS.get(str(payload.get("error")), ACK_WORDS["invalid"]))
            screen.app.invalidate()
        else:
            screen.on_event(name, payload)
            if name == "presence":
                hand_on_history()

    def hand_on_history() -> None:
        """Presence showed someone arrive: if this screen is the one chosen, it hands them what it shows."""
        arrivals, chat.arrivals = chat.arrivals, []
        if not chat.rules.get("history"):
            return
        for newcomer in arrivals:
            if newcomer == chat.you.get("id") or sharer_for(chat.participants, newcomer) != chat.you.get("id"):
                continue
            if items := history_of(chat.shareable()):
                loop.run_in_executor(calls, connection.call, "share_history", {"to": newcomer, "messages": items})

    def deliver(name: str, payload: Any) -> None:
        loop.call_soon_threadsafe(on_event, name, payload)

    connection = Connection(entered.server, entered.room_id, deliver)
    await loop.run_in_executor(calls, connection.connect)
    if entered.link:
        chat.note("Share this link: " + inert_line(entered.link))
    try:
        ending = await screen.run()
        return ending, chat.ending_line()
    finally:
        await loop.run_in_executor(calls, connection.close)
        calls.shutdown(wait=False)
