"""The wire contract in one place: every event name, ack and error code, and every payload.

`docs/protocol.md` is checked against this module by `tests/unit/test_protocol_doc.py`.
"""

from __future__ import annotations

import time
from typing import Any

from . import errors
from .file_fields import Chunk, Offer
from .rooms import (
    E2E,
    STANDARD,
    Closure,
    Door,
    Kdf,
    Participant,
    Reactions,
    Removal,
    Report,
    RoomState,
    Sealed,
    Seat,
    Speaker,
)

Payload = dict[str, Any]

# Server -> client.
WELCOME = "welcome"
PRESENCE = "presence"
MESSAGE = "message"
PURGED = "purged"
ROOM = "room"
# Message actions, to the room: a message's new text, its removal, its reactions; and who is typing.
EDITED = "edited"
UNSENT = "unsent"
REACTIONS = "reactions"
TYPING = "typing"
HISTORY = "history"  # to a newcomer's sockets only
# Files, to the sockets that were in the room when the file was offered: the offer, each piece, a stop.
FILE = "file"
FILE_CHUNK = "file_chunk"
FILE_CANCEL = "file_cancel"
# To the sender's sockets: how far a reader has read a file, so that the sender keeps only a few pieces ahead.
FILE_PROGRESS = "file_progress"
SERVER_EVENTS = (
    WELCOME,
    PRESENCE,
    MESSAGE,
    PURGED,
    ROOM,
    EDITED,
    UNSENT,
    REACTIONS,
    TYPING,
    HISTORY,
    FILE,
    FILE_CHUNK,
    FILE_CANCEL,
    FILE_PROGRESS,
)

# Client -> server; each is acknowledged with `ok()` or an error's ack, but `TYPING`.
SEND = "message"
LOGOUT = "logout"
PURGE = "purge"
# Host control: each refused with `forbidden` from a member.
KICK = "kick"
LOCK = "lock"
PROMOTE = "promote"
STEP_DOWN = "step_down"
# Message actions: only the author edits or unsends; anyone in the room reacts.
EDIT = "edit"
UNSEND = "unsend"
REACT = "react"
# History from peers: a member's screen hands a newcomer what it shows, in a room that chose it.
SHARE_HISTORY = "share_history"
# Files: an offer, then its pieces in order, or the sender's stop (`FILE_CHUNK` and `FILE_CANCEL`, above, go both
# ways); `FILE_PROGRESS` too, never acknowledged, as `TYPING`.
OFFER_FILE = "file_offer"
# `TYPING` (above) goes both ways, and is never acknowledged: an ack would be a round trip per keystroke.
CLIENT_EVENTS = (
    SEND,
    LOGOUT,
    PURGE,
    KICK,
    LOCK,
    PROMOTE,
    STEP_DOWN,
    EDIT,
    UNSEND,
    REACT,
    SHARE_HISTORY,
    OFFER_FILE,
    FILE_CHUNK,
    FILE_CANCEL,
    FILE_PROGRESS,
    TYPING,
)

# Why a file stopped on its way (`file_cancel`): its sender stopped it or left, or this reader fell behind.
CANCELLED = "cancelled"
SENDER_GONE = "gone"
TOO_SLOW = "slow"

# Why a socket is told its room is gone for it (`purged`): a host removed this person.
REMOVED = "removed"

# Why a connection is refused (`connect_error` message).
REFUSED_UNAUTHORIZED = errors.Unauthorized.code
REFUSED_UNAVAILABLE = errors.Unavailable.code
REFUSED_TOO_MANY_SOCKETS = errors.TooManySockets.code
REFUSED_TOO_MANY_CONNECTS = errors.TooManyConnects.code

# Every error code an HTTP answer or an ack may carry.
ERROR_CODES = tuple(sorted({kind.code for kind in errors.all_kinds()}))


def ok(**fields: Any) -> Payload:
    """A successful ack."""
    return {"ok": True, **fields}


def participant(who: Participant) -> Payload:
    return {"id": who.id, "alias": who.alias, "role": who.role}


def participants(present: list[Participant]) -> list[Payload]:
    return [participant(who) for who in present]


def kdf(params: Kdf) -> Payload:
    return {"alg": params.alg, "iter": params.iter, "salt": params.salt}


def door(found: Door) -> Payload:
    """`GET /api/rooms/<id>`: what a joiner needs first, the mode and a server-blind room's key parameters."""
    return {"mode": found.mode, "kdf": kdf(found.kdf)} if found.kdf else {"mode": found.mode}


def named(name: str | None, sealed: Sealed | None) -> Payload:
    """The mode and the room's name, or a server-blind room's name as its clients sealed it (`name_ct`)."""
    return {"mode": E2E, "name_ct": sealed.name_ct} if sealed else {"mode": STANDARD, "name": name}


def welcome(seat: Seat) -> Payload:
    """To a socket that just connected: the room, who it is, who is here, and how long is left.

    A server-blind room's carries its key parameters and sealed name instead of a name.
    """
    keys = {"kdf": kdf(seat.sealed.kdf)} if seat.sealed else {}
    return {
        "room_id": seat.room_id,
        **named(seat.name, seat.sealed),
        **keys,
        "alias": seat.you.alias,
        "you": participant(seat.you),
        "participants": participants(seat.participants),
        "expires_at": int(seat.expires_at * 1000),
        "expires_in": max(0.0, seat.expires_at - time.time()),
        "room": room_state(seat.state),
    }


def room_state(state: RoomState) -> Payload:
    """The room's rules and whether it is locked: in `welcome`, the create and join answers, and the `room` event."""
    rules = {"kind": state.kind, "locked": state.locked, "purge": state.purge, "ttl": state.ttl, "seats": state.seats}
    return {**rules, "disappear": state.disappear, "vanish": state.vanish, "history": state.history}


def presence(present: list[Participant]) -> Payload:
    return {"participants": participants(present)}


def message(message_id: str, speaker: Speaker, body: Payload, reply_to: str | None = None) -> Payload:
    """A message to its room: `body` is `text_body` or `sealed_body`; who said it and when come from the server,
    never from the payload. `reply_to` is there only when the message answers one the room keeps."""
    you = speaker.you
    sent = {"id": message_id, "from": you.id, "alias": you.alias, **body, "ts": _now()}
    return sent if reply_to is None else {**sent, "reply_to": reply_to}


def text_body(html: str) -> Payload:
    """A standard room's message or edit: the sender's Markdown, rendered and cleaned by the server."""
    return {"html": html}


def sealed_body(envelope: Payload) -> Payload:
    """A server-blind room's message or edit: the sender's envelope, relayed as it came."""
    return {"e2e": envelope}


def edited(message_id: str, speaker: Speaker, body: Payload) -> Payload:
    """A message's author replaced its text: the room replaces it too. `from` is the author, as the store found."""
    return {"id": message_id, "from": speaker.you.id, **body, "edited_ts": _now()}


def history(sharer: Participant, messages: list[Payload]) -> Payload:
    """What a member's screen handed a newcomer: who shared (as the store found them, never as sent), and the
    messages the server checked and the room still keeps, oldest first, each shaped as `peer_history` rebuilt it."""
    return {"from": sharer.id, "alias": sharer.alias, "messages": messages}


def file(sender: Participant, offer: Offer) -> Payload:
    """A file offered to the room: who offers it (as the store found them), its id, size and pieces, and its name
    and type (cleaned), or in a server-blind room `e2e`, the two sealed by the sender."""
    said = {"e2e": offer.sealed} if offer.sealed else {"name": offer.name, "type": offer.type}
    sent = {"from": sender.id, "alias": sender.alias, "id": offer.id, "size": offer.size, "chunks": offer.chunks}
    return {**sent, **said, "ts": _now()}


def file_chunk(sender_id: str, chunk: Chunk) -> Payload:
    """One piece of a file, relayed as it came; `from` is the sender the ledger has, never one the payload names."""
    return {"from": sender_id, "id": chunk.file_id, "index": chunk.index, "data": chunk.data}


def file_cancel(sender_id: str, file_id: str, reason: str) -> Payload:
    """A file stops on its way to this reader: `CANCELLED`, `SENDER_GONE` or `TOO_SLOW`."""
    return {"from": sender_id, "id": file_id, "reason": reason}


def file_progress(reader_id: str, file_id: str, index: int) -> Payload:
    """To the sender's sockets: reader `by` has every piece of the file up to `index`, as the reader said."""
    return {"by": reader_id, "id": file_id, "index": index}


def sender_room(room_id: str, participant_id: str) -> str:
    """The Socket.IO room of one participant's sockets: where readers' progress goes."""
    return f"{room_id}/{participant_id}"


def unsent(message_id: str) -> Payload:
    """A message's author took it back: every screen shows a marker in its place."""
    return {"id": message_id}


def reactions(found: Reactions) -> Payload:
    """A message's reactions after someone toggled one: emoji -> participant ids, in the order they reacted."""
    return {"id": found.message_id, "reactions": found.reactions}


def typing(participant_id: str, on: bool) -> Payload:
    return {"from": participant_id, "on": on}


def _now() -> int:
    """Epoch milliseconds, as clients read time."""
    return int(time.time() * 1000)


def retry_after(seconds: int | None) -> Payload:
    """The `data` of a `connect_error` that a later try may pass: whole seconds to wait first."""
    return {"retry_after": seconds or 1}


def _by(who: Participant | None) -> Payload | None:
    return {"id": who.id, "alias": who.alias} if who else None


def purged(closure: Closure) -> Payload:
    return {"reason": closure.reason, "by": _by(closure.by)}


def removed(removal: Removal) -> Payload:
    """To the removed person's sockets only: a `purged` whose `by` is the host who removed them."""
    return {"reason": REMOVED, "by": _by(removal.by)}


def report(found: Report) -> Payload:
    """One reported room as the operator sees it (`GET /api/admin/reports`): numbers only, whole seconds of age."""
    return {
        "room_id": found.room_id,
        "reasons": dict(found.reasons),
        "count": found.count,
        "age": int(found.age),
        "participants": found.participants,
    }
