"""The messages of history from peers, as a member's screen sends them: checked for shape and rebuilt.

A member's screen is not trusted: each message is rebuilt from the fields it may carry, a standard room's `html` is
cleaned again as the server cleans every message (it left the server clean, but came back from a client), and a
server-blind room's envelope is checked for its shape only (its readers open and check it, the server cannot).
Anything else a message carries is dropped. Whether the room keeps each message as said by its author is the store's
to say (`RoomStore.share`); this module reads nothing but the payload.
"""

from __future__ import annotations

from typing import Any

from . import e2e, fields
from .errors import Invalid
from .rooms import E2E, HISTORY_MAX
from .rooms.model import named_message
from .sanitize import clean_message, has_content

TS_MAX = 2**53 - 1
LEFT_MAX_MS = 3_600_000  # the longest disappearing time: what a sharer says is left of a message, at most


def messages(mode: str, value: object) -> list[dict[str, Any]]:
    """Each message of `value` (a list, oldest first, at most `HISTORY_MAX`, no id twice) rebuilt; `Invalid` at the
    first that is not one, `too_large` past the socket's frame limit having been checked before."""
    if not isinstance(value, list):
        raise Invalid("messages must be a list.")
    if len(value) > HISTORY_MAX:
        raise Invalid(f"At most {HISTORY_MAX} messages are shared at once.")
    rebuilt = [_message(mode, item) for item in value]
    if len({message["id"] for message in rebuilt}) < len(rebuilt):
        raise Invalid("A shared message is there twice.")
    return rebuilt


def _message(mode: str, item: object) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise Invalid("A shared message must be an object.")
    message: dict[str, Any] = {
        "id": _id(item.get("id"), "id"),
        "from": _id(item.get("from"), "from"),
        "alias": fields.alias(item.get("alias")),
        "ts": _whole(item.get("ts"), "ts", TS_MAX),
        **(_sealed(item) if mode == E2E else _text(item)),
    }
    if item.get("edited") is not None:
        message["edited"] = _flag(item["edited"])
    if item.get("reply_to") is not None:
        message["reply_to"] = _id(item["reply_to"], "reply_to")
    if item.get("left") is not None:
        message["left"] = _whole(item["left"], "left", LEFT_MAX_MS)
    return message


def _text(item: dict[str, Any]) -> dict[str, Any]:
    if "e2e" in item:
        raise Invalid("This room is not server-blind: share html.")
    html = item.get("html")
    if not isinstance(html, str):
        raise Invalid("A shared message needs its html.")
    cleaned = clean_message(html)
    if not has_content(cleaned):
        raise Invalid("A shared message is empty.")
    return {"html": cleaned}


def _sealed(item: dict[str, Any]) -> dict[str, Any]:
    if "html" in item:
        raise Invalid("This room is server-blind: share the envelopes as they came.")
    return {"e2e": e2e.envelope(item.get("e2e"))}


def _id(value: object, label: str) -> str:
    named = named_message(value)  # participant ids are shorter than message ids: the same bound holds
    if named is None:
        raise Invalid(f"A shared message's {label} must be an id.")
    return named


def _whole(value: object, label: str, most: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= most:
        raise Invalid(f"A shared message's {label} must be a whole number from 0 to {most}.")
    return value


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise Invalid("A shared message's edited must be true or false.")
    return value
