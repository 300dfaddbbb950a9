"""Error codes: the one place that maps a failure to an HTTP status and an ack body."""

from __future__ import annotations

from typing import Any, ClassVar

from .words import N_


class EphemeralError(Exception):
    """A failure the client is told about. Subclasses fix the code and status."""

    code: ClassVar[str] = "internal"
    status: ClassVar[int] = 500
    text: ClassVar[str] = N_("Something went wrong.")

    def __init__(self, text: str | None = None, *, retry_after: int | None = None, **params: object) -> None:
        super().__init__(self.code)
        # `words` is the English with `%(name)s` slots, as the catalogs hold it; a page translates it.
        self.words = text or self.text
        self.params = params
        self.message = self.words % params if params else self.words
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        """The JSON error body of the HTTP API."""
        return {"error": self.code, "message": self.message}

    def ack(self) -> dict[str, Any]:
        """The acknowledgement a Socket.IO handler returns; a wait in seconds rides along as `retry_after`."""
        ack: dict[str, Any] = {"ok": False, "error": self.code, "message": self.message}
        if self.retry_after:
            ack["retry_after"] = self.retry_after
        return ack

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)} if self.retry_after else {}


class Invalid(EphemeralError):
    code, status, text = "invalid", 400, N_("The request is missing a field or has one that is not allowed.")


class WrongPassword(EphemeralError):
    code, status, text = "wrong_password", 403, N_("That password is not right for this room.")


class ForeignOrigin(EphemeralError):
    code, status, text = "forbidden", 403, N_("Requests from other sites are not accepted.")


class BadCsrf(EphemeralError):
    code, status, text = "forbidden", 403, N_("The form expired. Reload the page and try again.")


class Forbidden(EphemeralError):
    """A participant asked for what their role or the room's rules do not allow (a member kicking, purging
    a hosts-only room, sending in a broadcast room)."""

    code, status, text = "forbidden", 403, N_("Only a host of this room can do that.")


class Locked(EphemeralError):
    """A join with the right password to a room a host locked; decided after the password check."""

    code, status, text = "locked", 423, N_("This room is locked: nobody new can join it right now.")


class Unauthorized(EphemeralError):
    code, status, text = "unauthorized", 401, N_("You are not in this room.")


class TokenRequired(Unauthorized):
    """An operator's call (`ephemeral/admin.py`) without the admin token, or with another: the same answer."""

    text = N_("This needs the server's admin token.")

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class NotFound(EphemeralError):
    code, status, text = "not_found", 404, N_("This room does not exist, has expired, or was purged.")


class AliasTaken(EphemeralError):
    code, status, text = "alias_taken", 409, N_("Someone in this room already uses that alias.")


class RoomFull(EphemeralError):
    code, status, text = "room_full", 409, N_("This room is full.")


class TooManyRooms(EphemeralError):
    """A create or join that would give one browser's cookie more live rooms than it holds (`bindings.MAX_BINDINGS`)."""

    code, status = "too_many_rooms", 409
    text = N_("This browser is in as many rooms as it can hold. Leave one first.")


class TooLarge(EphemeralError):
    code, status, text = "too_large", 413, N_("That message is too long.")


class UnsupportedMediaType(EphemeralError):
    code, status, text = "unsupported_media_type", 415, N_("Send the body as application/json.")


class RateLimited(EphemeralError):
    code, status, text = "rate_limited", 429, N_("Too many attempts. Wait a moment and try again.")


class ProofRequired(EphemeralError):
    """A join under a guessing storm: the answer carries the challenge to solve (`docs/protocol.md`)."""

    code, status = "proof_required", 428
    text = N_("Many wrong passwords were tried here just now: solve the challenge and join again with the proof.")

    def __init__(self, challenge: str, difficulty: int, text: str | None = None) -> None:
        super().__init__(text)
        self.challenge = challenge
        self.difficulty = difficulty

    def body(self) -> dict[str, Any]:
        return {**super().body(), "challenge": self.challenge, "difficulty": self.difficulty}


class ProofInvalid(ProofRequired):
    """A proof that is wrong, expired, used or for another room; 428 too, so a page knows to solve again."""

    code = "proof_invalid"
    text = N_("That proof of work is wrong, expired, for another room or already used: solve the new challenge.")


class TooManySockets(EphemeralError):
    """A socket refused at connect: its binding, or its client address, has as many open as allowed."""

    code, status = "too_many_sockets", 429
    text = N_("Too many connections are open from this browser or network. Close a tab, then try again.")


class TooManyConnects(EphemeralError):
    """A socket refused at connect: its binding connected too often just now (`connect_limit.py`)."""

    code, status = "too_many_connects", 429
    text = N_("This browser connected to the room too often just now. It will try again by itself shortly.")


class MethodNotAllowed(EphemeralError):
    code, status, text = "method_not_allowed", 405, N_("That method is not allowed here.")


class Capacity(EphemeralError):
    code, status, text = "capacity", 503, N_("The server is at capacity. Try again later.")


class Unavailable(EphemeralError):
    code, status, text = "unavailable", 503, N_("The room store cannot be reached or is full. Try again in a moment.")


INTERNAL_ACK: dict[str, Any] = EphemeralError().ack()


def all_kinds() -> list[type[EphemeralError]]:
    """Every kind of error a client may be told about, `internal` included."""
    found, pending = [], [EphemeralError]
    while pending:
        kind = pending.pop()
        found.append(kind)
        pending += kind.__subclasses__()
    return found
