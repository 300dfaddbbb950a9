"""A server-blind room's side of the client: keys from the password and the link, sealing what is sent, and
opening and checking what arrives (static/js/e2e/receive.js's rules), before anything is shown."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from . import crypto
from .markdown import to_html

__all__ = ["FUTURE_SKEW_MS", "PAST_SKEW_MS", "Opened", "SealedRoom", "new_room_keys"]

PAST_SKEW_MS = 30_000
FUTURE_SKEW_MS = 120_000
HTML_CHARS_PER_CHAR = 8
MAX_MESSAGE_CHARS = 4000  # the server's default; the longest `t` a reader takes follows from it
MAX_SENDERS = 1000

REFUSED = {
    "undecryptable": "A message from {alias} could not be decrypted.",
    "alias": "A message claiming to be from {alias} was refused: the name inside is someone else's.",
    "order": "A message from {alias} was refused: it was already seen or came out of order.",
    "old": "A message from {alias} was refused: it was written before you joined.",
    "ahead": "A message from {alias} was refused: it is dated in the future.",
    "long": "A message from {alias} was refused: it is too long.",
}


def _now_ms() -> int:
    return int(time.time() * 1000)


def new_room_keys(password: str) -> tuple[bytes, bytes, crypto.Keys]:
    """A creator's link secret, salt and keys."""
    secret, salt = crypto.new_link_secret(), crypto.new_salt()
    return secret, salt, crypto.derive_keys(password, salt, crypto.ITER_MIN, secret)


@dataclass
class Opened:
    """What a relayed envelope held, checked: the HTML to show, or why it was refused."""

    html: str | None
    refused: str | None = None
    missing: int = 0


@dataclass
class SealedRoom:
    """One page load's worth of a server-blind room: the key, a `sid` and its counter, the readers' memory."""

    room_id: str
    message_key: bytes = field(repr=False)
    joined_at: int = field(default_factory=_now_ms)
    sid: bytes = field(default_factory=crypto.new_sid)
    n: int = 0
    _last_seen: dict[str, int] = field(default_factory=dict)

    def seal(self, text: str, sender: str, alias: str) -> dict[str, Any]:
        """The next envelope: `text` as Markdown HTML, as a page would seal it."""
        body = {"a": alias, "t": to_html(text, HTML_CHARS_PER_CHAR * MAX_MESSAGE_CHARS), "ts": _now_ms()}
        envelope = crypto.seal_message(self.message_key, self.room_id, sender, self.sid, self.n, body)
        self.n += 1
        return envelope

    def refused(self, envelope: dict[str, Any]) -> None:
        """The server refused it: its counter is given back, so readers see no gap."""
        if self.n == envelope["n"] + 1:
            self.n = envelope["n"]

    def open(self, relayed: dict[str, Any]) -> Opened:
        """A relayed `message`, opened for the sender the server named and checked as receive.js checks."""
        sender = str(relayed.get("from"))
        try:
            inner = crypto.open_message(self.message_key, self.room_id, sender, relayed.get("e2e"))
        except crypto.CryptoError:
            return Opened(None, "undecryptable")
        return self._checked(relayed, inner)

    def open_shared(self, item: dict[str, Any]) -> Opened:
        """A message handed on by a peer: opened, its inner alias and length checked, not its counter or time
        (it is old by design)."""
        sender, envelope = str(item.get("from")), item.get("e2e")
        try:
            if item.get("edited") is True:  # the edit's envelope, sealed for this message's id
                inner = crypto.open_edit(self.message_key, self.room_id, sender, str(item.get("id")), envelope)
            else:
                inner = crypto.open_message(self.message_key, self.room_id, sender, envelope)
        except crypto.CryptoError:
            return Opened(None, "undecryptable")
        if inner["a"] != item.get("alias"):
            return Opened(None, "alias")
        if len(inner["t"]) > HTML_CHARS_PER_CHAR * MAX_MESSAGE_CHARS:
            return Opened(None, "long")
        return Opened(inner["t"])

    def open_edit(self, edited: dict[str, Any], author: str, alias: str) -> Opened:
        """A relayed `edited` of a message this screen shows, by `author` (`alias`), opened for that message."""
        if edited.get("from") != author:
            return Opened(None, "alias")
        try:
            inner = crypto.open_edit(self.message_key, self.room_id, author, str(edited.get("id")), edited.get("e2e"))
        except crypto.CryptoError:
            return Opened(None, "undecryptable")
        return self._checked({"from": author, "alias": alias, "e2e": edited["e2e"]}, inner)

    def _checked(self, outer: dict[str, Any], inner: dict[str, Any]) -> Opened:
        """The inner alias, the counter, the time, then the length; only a message on time moves the counter."""
        if inner["a"] != outer.get("alias"):
            return Opened(None, "alias")
        envelope = outer["e2e"]
        # A space is in neither a participant id nor base64url: the key is one sender's one page load.
        key = f"{outer.get('from')} {envelope['sid']}"
        last = self._last_seen.get(key)
        if last is not None and envelope["n"] <= last:
            return Opened(None, "order")
        if inner["ts"] < self.joined_at - PAST_SKEW_MS:
            return Opened(None, "old")
        if inner["ts"] > _now_ms() + FUTURE_SKEW_MS:
            return Opened(None, "ahead")
        self._last_seen.pop(key, None)
        self._last_seen[key] = envelope["n"]
        if len(self._last_seen) > MAX_SENDERS:
            del self._last_seen[next(iter(self._last_seen))]
        missing = 0 if last is None else envelope["n"] - last - 1
        if len(inner["t"]) > HTML_CHARS_PER_CHAR * MAX_MESSAGE_CHARS:
            return Opened(None, "long", missing)
        return Opened(inner["t"], None, missing)
