"""Room control in the Redis store: a host kicks, locks, promotes, steps down; hosting passes on; the operator's
reports and closing. Each rule is one Lua script (`lua/`), so two processes never both act on a stale room."""

from __future__ import annotations

from ..errors import Invalid
from . import redis_codec as codec
from .model import (
    NO_SUCH_PARTICIPANT,
    NOBODY_TO_TAKE_OVER,
    NOT_A_LOCK,
    OWN_ID,
    Closure,
    PresenceChange,
    Removal,
    Report,
    RoomState,
)
from .redis_base import RedisBase
from .redis_client import reachable_call

# Rooms handed a host per upkeep at most; the rest wait for the next tick (a quarter of a second).
HANDOVER_BATCH = 100
# Longer than any participant id: what a host names is compared, never stored, but need not be huge to fail.
ID_MAX = 64


def _named(participant_id: object) -> str:
    """The id a host named, or '' (no binding has it) for anything that is not a plausible id."""
    return participant_id if isinstance(participant_id, str) and len(participant_id) <= ID_MAX else ""


class RoomControl(RedisBase):
    """The host's and the operator's rules; the caller must be a host of the socket's room (`Forbidden`)."""

    @reachable_call
    def kick(self, sid: str, participant_id: object) -> Removal:
        room_id, hashed = self._entry(sid)
        status, *rest = self._run("kick", room_id, hashed, _named(participant_id))
        if status == "own":
            raise Invalid(OWN_ID)
        _raise_for(status, NO_SUCH_PARTICIPANT)
        by, who, sids, changed, present = rest
        self._forget_sids(sids)
        presence = PresenceChange(room_id, codec.present(present)) if changed else None
        return Removal(room_id, codec.loaded(who), codec.loaded(by), sorted(sids), presence)

    @reachable_call
    def lock(self, sid: str, locked: object) -> RoomState:
        room_id, hashed = self._entry(sid)
        flag = ("1" if locked else "0") if isinstance(locked, bool) else ""
        status, *rest = self._run("lock", room_id, hashed, flag)
        _raise_for(status, NOT_A_LOCK)
        return self._state(rest[0])

    @reachable_call
    def promote(self, sid: str, participant_id: object) -> PresenceChange:
        room_id, hashed = self._entry(sid)
        status, *rest = self._run("promote", room_id, hashed, _named(participant_id))
        _raise_for(status, NO_SUCH_PARTICIPANT)
        return PresenceChange(room_id, codec.present(rest[0]))

    @reachable_call
    def step_down(self, sid: str) -> PresenceChange:
        room_id, hashed = self._entry(sid)
        status, *rest = self._run("step_down", room_id, hashed)
        _raise_for(status, NOBODY_TO_TAKE_OVER)
        return PresenceChange(room_id, codec.present(rest[0]))

    # -- the operator -------------------------------------------------------------

    @reachable_call
    def report(self, room_id: str, reason: str) -> None:
        self._run("report", room_id, reason)

    @reachable_call
    def reports(self) -> list[Report]:
        found = []
        for room_id, pairs, age_ms, bindings in self._run("reports"):
            counts = {reason: int(count) for reason, count in zip(pairs[::2], pairs[1::2], strict=True)}
            found.append(Report(room_id, counts, sum(counts.values()), int(age_ms) / 1000, int(bindings)))
        return sorted(found, key=lambda report: (-report.count, -report.age))  # ties: the oldest room first

    @reachable_call
    def close(self, room_id: str) -> Closure | None:
        if not self._run("close", room_id):
            return None
        self._forget_room(room_id)
        return Closure(room_id, "closed", None)

    # -- hosting ----------------------------------------------------------------

    def _hand_over_due(self) -> list[PresenceChange]:
        """Rooms whose present people went `host_grace` without a present host get one; each on one process."""
        return codec.changes(self._run("hand_over_due", self._host_grace_ms, HANDOVER_BATCH))


def _raise_for(status: str, invalid: str) -> None:
    """A script's refusal as the store's error, `invalid` saying what was wrong with the request."""
    if status == Invalid.code:
        raise Invalid(invalid)
    codec.raise_for(status)
