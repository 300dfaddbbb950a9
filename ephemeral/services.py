"""The per-app collaborators that handlers share, stored on the Flask app."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field

from flask import current_app

from .config import Settings
from .passwords import PasswordHasher
from .presence_pacing import PresencePacer
from .proof_of_work import ProofGate
from .ratelimit import TokenBuckets
from .rooms import RoomStore
from .socket_limits import SocketsPerAddress
from .storm import StormWatch
from .transfers import Transfers


@dataclass(frozen=True, slots=True)
class Limits:
    wrong_password_by_address: TokenBuckets
    wrong_password_by_room: TokenBuckets
    create_by_address: TokenBuckets
    messages_by_participant: TokenBuckets
    reports_by_address: TokenBuckets
    typing_by_participant: TokenBuckets
    file_progress_by_participant: TokenBuckets

    def sweep(self) -> int:
        return sum(
            buckets.sweep()
            for buckets in (
                self.wrong_password_by_address,
                self.wrong_password_by_room,
                self.create_by_address,
                self.messages_by_participant,
                self.reports_by_address,
                self.typing_by_participant,
                self.file_progress_by_participant,
            )
        )


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    registry: RoomStore
    hasher: PasswordHasher
    limits: Limits
    storms: StormWatch
    proofs: ProofGate
    sockets: SocketsPerAddress
    # Last, with its default: how often rooms hear about one participant (events/announce.py).
    presence: PresencePacer = field(default_factory=PresencePacer)
    # The files on their way through this process (events/files.py).
    transfers: Transfers = field(default_factory=Transfers)


# The services of the app whose client event is being handled: `events.dispatch` pushes no app context.
IN_EVENT: ContextVar[Services] = ContextVar("ephemeral_services")


def services() -> Services:
    found: Services | None = IN_EVENT.get(None)
    if found is None:
        found = current_app.extensions["ephemeral"]
    return found
