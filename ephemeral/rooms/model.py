"""What a room store hands out: participants with ids and roles, bindings, and the notices callers announce."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

from .. import fields
from ..errors import Invalid

# A room's rules live in rules.py; the stores and their callers take them from here with the rest.
from .rules import ANYONE as ANYONE
from .rules import BROADCAST as BROADCAST
from .rules import DISAPPEAR_AFTER as DISAPPEAR_AFTER
from .rules import GROUP as GROUP
from .rules import HOSTS as HOSTS
from .rules import KINDS as KINDS
from .rules import PAIR as PAIR
from .rules import PAIR_SEATS as PAIR_SEATS
from .rules import PURGE_POLICIES as PURGE_POLICIES
from .rules import RoomState as RoomState
from .rules import Rules as Rules
from .rules import settle as settle

ROOM_ID_BYTES = 16  # 128 bits
TOKEN_BYTES = 32
# Seconds a room's present people may go without a present host (a dropped connection, a reload) before
# hosting passes on: long enough for a reload or a reconnect, short enough that a room is not left without one.
HOST_GRACE = 30
PARTICIPANT_ID_BYTES = 12  # 96 bits: never guessed, and checked unique per room anyway
HOST = "host"  # the creator, and whoever a host promotes: may kick, lock, promote (`docs/protocol.md`)
MEMBER = "member"
# The words of a host's refused call, the same from either store (all `Invalid`).
OWN_ID = "To leave the room, log out."
NO_SUCH_PARTICIPANT = "Nobody in this room has that id."
NOBODY_TO_TAKE_OVER = "Nobody else is here to take over."
NOT_A_LOCK = "locked must be true or false."
# Why someone holding a room's link may report it to the operator.
REPORT_REASONS = ("spam", "harassment", "threats", "illegal", "other")
# Message actions (reply, edit, unsend, react): the store keeps which participant sent which message id, for the
# last MESSAGES_KEPT messages of a room (the oldest forgotten first), and who reacted to each with what; never text.
MESSAGES_KEPT = 1000
# The reactions anyone may toggle on a kept message, in the order clients show them.
REACTIONS = ("👍", "❤️", "😂", "😮", "😢", "🙏", "👎", "🔥")  # the heart with its emoji presentation (U+FE0F)
# The words of a refused message action, the same from either store.
HOSTS_SEND = "Only a host can send messages in this room."  # `Forbidden`: a member of a broadcast room
NO_REPLY_TARGET = "That message is no longer here to reply to."  # `Invalid`
NOT_YOURS = "You can only change your own messages."  # `Forbidden`: another's, forgotten or unsent
NO_REACTION_TARGET = "That message is no longer here to react to."  # `Invalid`
NOT_A_REACTION = "That reaction is not one of the room's."  # `Invalid`
HISTORY_OFF = "This room does not hand history to newcomers."  # `Forbidden`: the room did not opt in
HISTORY_MAX = 50  # messages one member may hand a newcomer at once
MESSAGE_ID_MAX = 64  # longer than any message id: what a client names is compared, never stored
STANDARD = "standard"  # the server renders and sanitizes messages, and knows the name
E2E = "e2e"  # server-blind: it relays envelopes it cannot open (`ephemeral/e2e.py`)
MODES = (STANDARD, E2E)
_ROOM_ID_SHAPE = re.compile(r"[A-Za-z0-9_-]{22}")


def looks_like_room_id(value: str) -> bool:
    return bool(_ROOM_ID_SHAPE.fullmatch(value))


def new_room_id() -> str:
    return secrets.token_urlsafe(ROOM_ID_BYTES)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_participant_id() -> str:
    return secrets.token_urlsafe(PARTICIPANT_ID_BYTES)


@dataclass(frozen=True, slots=True)
class Participant:
    """A person in a room as everyone sees them. Rules check `id`; people read `alias`."""

    id: str
    alias: str
    role: str


def by_alias(participants: list[Participant]) -> list[Participant]:
    """The order every presence list is shown in."""
    return sorted(participants, key=lambda p: (fields.alias_key(p.alias), p.id))


@dataclass(frozen=True, slots=True)
class Kdf:
    """How a server-blind room's clients derive its keys from the password: public by design."""

    alg: str
    iter: int
    salt: str  # base64url


@dataclass(frozen=True, slots=True)
class Sealed:
    """What the server keeps of a server-blind room instead of its name: the key parameters and the name encrypted."""

    kdf: Kdf
    name_ct: str  # base64url: iv, ciphertext, tag


def stored_name(name: object, sealed: Sealed | None) -> str | None:
    """The name a store keeps: validated in a standard room; none in a server-blind one, which keeps `sealed`."""
    if sealed is None:
        return fields.room_name(name)
    if name is not None:
        raise Invalid("A server-blind room's name is sent encrypted, as name_ct.")
    return None


@dataclass(frozen=True, slots=True)
class Door:
    """What anyone with a room's id learns before joining: its mode and, server-blind, its key parameters."""

    mode: str
    kdf: Kdf | None = None

    @staticmethod
    def of(kdf: Kdf | None) -> Door:
        """Only a server-blind room has key parameters."""
        return Door(E2E, kdf) if kdf else Door(STANDARD)


def mode_of(sealed: Sealed | None) -> str:
    return E2E if sealed else STANDARD


@dataclass(frozen=True, slots=True)
class Binding:
    """A participant's proof of membership, returned by create and join. A server-blind room has no `name`."""

    room_id: str
    token: str
    name: str | None
    you: Participant
    expires_at: float  # wall-clock seconds, for clients
    sealed: Sealed | None
    state: RoomState

    @property
    def alias(self) -> str:
        return self.you.alias

    @property
    def mode(self) -> str:
        return mode_of(self.sealed)


@dataclass(frozen=True, slots=True)
class Seat:
    """What a newly attached socket learns, and whether presence changed."""

    room_id: str
    name: str | None
    you: Participant
    expires_at: float
    participants: list[Participant]
    presence_changed: bool
    sealed: Sealed | None
    state: RoomState

    @property
    def mode(self) -> str:
        return mode_of(self.sealed)


@dataclass(frozen=True, slots=True)
class Speaker:
    """The participant behind a socket, looked up for every event it sends, and the mode of their room."""

    room_id: str
    you: Participant
    mode: str
    kind: str


@dataclass(frozen=True, slots=True)
class Share:
    """A member hands a newcomer the messages their screen shows: to which sockets, and which of them the room
    still keeps as said by the author named (an unsent or forgotten one is not passed on)."""

    room_id: str
    you: Participant  # who shares
    mode: str
    sids: list[str]  # the newcomer's open sockets, on every process
    kept: list[bool]  # per (message id, author id) named, in that order


@dataclass(frozen=True, slots=True)
class Audience:
    """Who gets a file offered now: the sockets of the room but the sender's, on every process."""

    room_id: str
    you: Participant  # who offers it
    mode: str
    sids: list[str]


@dataclass(frozen=True, slots=True)
class Reactions:
    """A kept message's reactions after a toggle: emoji (`REACTIONS` order, none empty) -> who, in reaction order."""

    room_id: str
    message_id: str
    reactions: dict[str, list[str]]


def named_message(message_id: object) -> str | None:
    """The message id a client named, or None for anything that cannot be one (no kept message has it)."""
    if isinstance(message_id, str) and 0 < len(message_id) <= MESSAGE_ID_MAX:
        return message_id
    return None


def in_reaction_order(reactions: dict[str, list[str]]) -> dict[str, list[str]]:
    """Reactions as both stores hand them out: `REACTIONS` order, empty ones left out."""
    return {emoji: list(reactions[emoji]) for emoji in REACTIONS if reactions.get(emoji)}


@dataclass(frozen=True, slots=True)
class PresenceChange:
    """A room's new presence; `left` is the participant id when one socket's close made it (their last)."""

    room_id: str
    participants: list[Participant]
    left: str | None = None


@dataclass(frozen=True, slots=True)
class Departure:
    """A logout: these sockets must be closed; presence may have changed."""

    sids: list[str]
    presence: PresenceChange | None


@dataclass(frozen=True, slots=True)
class Removal:
    """A host kicked someone: their binding is gone; tell their sockets why, close them, tell the room."""

    room_id: str
    who: Participant
    by: Participant
    sids: list[str]  # on every process
    presence: PresenceChange | None


@dataclass(frozen=True, slots=True)
class Report:
    """What the operator sees of a reported room: never a name, an alias or a message."""

    room_id: str
    reasons: dict[str, int]  # reason -> how many reports gave it
    count: int
    age: float  # seconds since the room was made
    participants: int  # bindings, present or not


@dataclass(frozen=True, slots=True)
class Closure:
    """A room that is gone: tell its sockets why, then close them (on every process)."""

    room_id: str
    reason: str  # "purged" | "expired" | "shutdown" | "closed" (by the operator)
    by: Participant | None


@dataclass(frozen=True, slots=True)
class Notices:
    """What a store's upkeep or shutdown found for the caller to announce."""

    closures: list[Closure] = field(default_factory=list)
    presence: list[PresenceChange] = field(default_factory=list)
