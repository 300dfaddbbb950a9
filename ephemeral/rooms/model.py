"""What a room store hands out: participants with ids and roles, bindings, and the notices callers announce."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

from .. import fields

ROOM_ID_BYTES = 16  # 128 bits
TOKEN_BYTES = 32
PARTICIPANT_ID_BYTES = 12  # 96 bits: never guessed, and checked unique per room anyway
HOST = "host"  # the creator; what a host may do comes with room control
MEMBER = "member"
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
class Binding:
    """A participant's proof of membership, returned by create and join."""

    room_id: str
    token: str
    name: str
    you: Participant
    expires_at: float  # wall-clock seconds, for clients

    @property
    def alias(self) -> str:
        return self.you.alias


@dataclass(frozen=True, slots=True)
class Seat:
    """What a newly attached socket learns, and whether presence changed."""

    room_id: str
    name: str
    you: Participant
    expires_at: float
    participants: list[Participant]
    presence_changed: bool


@dataclass(frozen=True, slots=True)
class Speaker:
    """The participant behind a socket, looked up for every event it sends."""

    room_id: str
    you: Participant


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
