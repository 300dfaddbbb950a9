"""What a room store hands out: participants with ids and roles, bindings, and the notices callers announce."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

from .. import fields
from ..errors import Invalid

ROOM_ID_BYTES = 16  # 128 bits
TOKEN_BYTES = 32
PARTICIPANT_ID_BYTES = 12  # 96 bits: never guessed, and checked unique per room anyway
HOST = "host"  # the creator; what a host may do comes with room control
MEMBER = "member"
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
    sealed: Sealed | None = None

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
    sealed: Sealed | None = None

    @property
    def mode(self) -> str:
        return mode_of(self.sealed)


@dataclass(frozen=True, slots=True)
class Speaker:
    """The participant behind a socket, looked up for every event it sends, and the mode of their room."""

    room_id: str
    you: Participant
    mode: str


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
class Closure:
    """A room that is gone: tell its sockets why, then close them (on every process)."""

    room_id: str
    reason: str  # "purged" | "expired" | "shutdown"
    by: Participant | None


@dataclass(frozen=True, slots=True)
class Notices:
    """What a store's upkeep or shutdown found for the caller to announce."""

    closures: list[Closure] = field(default_factory=list)
    presence: list[PresenceChange] = field(default_factory=list)
