"""One room of the memory store and the rules that act on it alone: seating, roles, handover, reports.

Nothing here locks, hashes or reads a clock: `MemoryRegistry` calls these inside
its critical section and passes the time in.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .. import aliases
from ..connect_limit import ConnectBucket
from ..errors import AliasTaken, Forbidden, Invalid, Locked, RoomFull
from .memory_messages import MessageLog
from .model import (
    HOST,
    MEMBER,
    NO_SUCH_PARTICIPANT,
    NOBODY_TO_TAKE_OVER,
    NOT_A_LOCK,
    OWN_ID,
    PAIR,
    Participant,
    Report,
    RoomState,
    Sealed,
    by_alias,
)


@dataclass(slots=True)
class Member:
    """A binding to a room: who it is, the sockets of this process that carry it, how often it may connect."""

    you: Participant
    token: str
    connects: ConnectBucket
    sids: set[str] = field(default_factory=set)

    @property
    def hosts(self) -> bool:
        return self.you.role == HOST


@dataclass(slots=True)
class Room:
    """A live room: its secret, its rules and state, its bindings in join order, its reports, who said what."""

    room_id: str
    name: str | None  # None in a server-blind room, which keeps `sealed` instead
    password_hash: bytes  # of the password, or of a server-blind room's verifier
    state: RoomState  # its rules and whether it is locked
    made_mono: float
    expires_mono: float
    expires_at: float
    sealed: Sealed | None = None
    members: dict[str, Member] = field(default_factory=dict)  # by token, in the order they joined
    alias_keys: set[str] = field(default_factory=set)  # every member's look-alike keys; no two share one
    issued_ids: set[str] = field(default_factory=set)  # every participant id ever given out here
    hostless_since: float | None = None  # since when people are present and none of them hosts
    reports: dict[str, int] = field(default_factory=dict)  # reason -> count; dies with the room
    messages: MessageLog = field(default_factory=MessageLog)  # ids, authors, reactions: never text

    def present(self) -> list[Participant]:
        return by_alias([m.you for m in self.members.values() if m.sids])

    def all_sids(self) -> list[str]:
        return [sid for m in self.members.values() for sid in m.sids]

    # -- seating ------------------------------------------------------------------

    def admit(self, alias: str) -> None:
        """Whether a person who gave the right password may sit down: `Locked`, `RoomFull`, `AliasTaken`."""
        if self.state.locked:
            raise Locked()
        if len(self.members) >= self.state.seats:
            raise RoomFull()
        if not self.alias_keys.isdisjoint(aliases.lookalike_keys(alias)):
            raise AliasTaken()

    def seat(self, member: Member) -> None:
        """Seats a new binding; the one that fills a pair room locks it."""
        self.issued_ids.add(member.you.id)
        self.members[member.token] = member
        self.alias_keys.update(aliases.lookalike_keys(member.you.alias))
        if self.state.kind == PAIR and len(self.members) >= self.state.seats:
            self.lock(True)

    def remove(self, member: Member, now: float) -> list[str]:
        """Destroys a binding (logout, kick): its alias is free; the last host's role passes on at once."""
        del self.members[member.token]
        self.alias_keys.difference_update(aliases.lookalike_keys(member.you.alias))
        if member.hosts and not any(m.hosts for m in self.members.values()):
            heir = self._earliest(present_only=True) or self._earliest(present_only=False)
            if heir:
                self._make(heir, HOST)
        self.watch_hosts(now)
        return sorted(member.sids)

    # -- room control: `host` is a live binding of this room ------------------------------

    def require_host(self, member: Member) -> Member:
        """The member, if they host here; `Forbidden` otherwise."""
        if not member.hosts:
            raise Forbidden()
        return member

    def kick_target(self, host: Member, participant_id: object) -> Member:
        """The binding of this room with that id, never the host's own: `Invalid` otherwise."""
        target = self.by_id(participant_id)
        if target is host:
            raise Invalid(OWN_ID)
        return target

    def by_id(self, participant_id: object) -> Member:
        for member in self.members.values():
            if isinstance(participant_id, str) and member.you.id == participant_id:
                return member
        raise Invalid(NO_SUCH_PARTICIPANT)

    def lock(self, locked: object) -> RoomState:
        if not isinstance(locked, bool):
            raise Invalid(NOT_A_LOCK)
        self.state = replace(self.state, locked=locked)
        return self.state

    def promote(self, target: Member, now: float) -> None:
        self._make(target, HOST)
        self.watch_hosts(now)

    def step_down(self, host: Member, now: float) -> None:
        """A host becomes a member; without another host present, the earliest-joined other present participant
        becomes one first (an absent co-host does not count: the grace would hand the role straight back)."""
        if not any(m.hosts and m.sids for m in self.members.values() if m is not host):
            heir = self._earliest(present_only=True, besides=host)
            if heir is None:
                raise Invalid(NOBODY_TO_TAKE_OVER)
            self._make(heir, HOST)
        self._make(host, MEMBER)
        self.watch_hosts(now)

    # -- hosts who dropped off -----------------------------------------------------

    def watch_hosts(self, now: float) -> None:
        """Starts the grace clock when people are present and none of them hosts; stops it otherwise."""
        present = [m for m in self.members.values() if m.sids]
        if present and not any(m.hosts for m in present):
            self.hostless_since = now if self.hostless_since is None else self.hostless_since
        else:
            self.hostless_since = None

    def hand_over_if_due(self, now: float, grace: float) -> bool:
        """After `grace` seconds without a present host the earliest-joined present participant becomes one.

        The absent host keeps their role: their connection dropped, they did not leave.
        """
        if self.hostless_since is None or now - self.hostless_since < grace:
            return False
        heir = self._earliest(present_only=True)
        if heir:
            self._make(heir, HOST)
        self.watch_hosts(now)
        return heir is not None

    def _earliest(self, *, present_only: bool, besides: Member | None = None) -> Member | None:
        for member in self.members.values():  # in the order they joined
            if member is not besides and (member.sids or not present_only):
                return member
        return None

    @staticmethod
    def _make(member: Member, role: str) -> None:
        member.you = replace(member.you, role=role)

    # -- reports ----------------------------------------------------------------

    def report(self, reason: str) -> None:
        self.reports[reason] = self.reports.get(reason, 0) + 1

    def summary(self, now: float) -> Report:
        """What the operator sees: counts, age and size, never a name, an alias or a message."""
        reasons = dict(self.reports)
        return Report(self.room_id, reasons, sum(reasons.values()), now - self.made_mono, len(self.members))
