"""How the Redis store writes what it keeps and reads its scripts' answers: hashed tokens, JSON, milliseconds."""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

from .. import aliases
from ..errors import (
    AliasTaken,
    Capacity,
    Forbidden,
    Invalid,
    Locked,
    NotFound,
    RoomFull,
    TooManyConnects,
    TooManySockets,
    Unauthorized,
)
from .model import (
    Kdf,
    Participant,
    PresenceChange,
    RoomState,
    Sealed,
    by_alias,
)

_ERRORS = {
    kind.code: kind
    for kind in (NotFound, Unauthorized, Forbidden, Locked, RoomFull, AliasTaken, Capacity, TooManySockets, Invalid)
}


def raise_for(status: str, rest: list[Any] | None = None) -> None:
    """A script's refusal (its status, then maybe a wait) as the store's error; nothing for the other statuses."""
    if status == TooManyConnects.code and rest:
        raise TooManyConnects(retry_after=int(rest[0]))
    error = _ERRORS.get(status)
    if error is not None:
        raise error()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def seconds(exp_ms: int | str) -> float:
    return int(exp_ms) / 1000


def alias_keys(alias: str) -> str:
    """The alias's look-alike keys as a JSON list, for `seat` and `alias_taken` in lua/common.lua."""
    return json.dumps(sorted(aliases.lookalike_keys(alias)), ensure_ascii=False)


def state(raw: list[str | None], limits: RoomState) -> RoomState:
    """A room's state from `state` in lua/common.lua; a room made before rooms had rules has the limits."""
    kind, purge, locked, ttl_ms, seats, disappear, vanish, history = raw
    return RoomState(
        kind or limits.kind,
        purge or limits.purge,
        locked == "1",
        math.ceil(int(ttl_ms) / 1000) if ttl_ms else limits.ttl,
        int(seats) if seats else limits.seats,
        int(disappear) if disappear else 0,
        vanish == "1",
        history == "1",
    )


def stored(participant: Participant) -> str:
    return json.dumps({"id": participant.id, "alias": participant.alias, "role": participant.role})


def loaded(raw: str) -> Participant:
    found = json.loads(raw)
    return Participant(found["id"], found["alias"], found["role"])


def present(raw: list[str]) -> list[Participant]:
    return by_alias([loaded(item) for item in raw])


def changes(raw: list[list[Any]]) -> list[PresenceChange]:
    """Rooms whose presence changed, as lua/common.lua's `forget_process` lists them."""
    return [PresenceChange(room_id, present(people)) for room_id, people in raw]


def sealed_args(sealed: Sealed | None) -> tuple[str, ...]:
    """create.lua's last arguments: a server-blind room's kdf (JSON) and name_ct; none for a standard room."""
    if sealed is None:
        return ()
    kdf = sealed.kdf
    return json.dumps({"alg": kdf.alg, "iter": kdf.iter, "salt": kdf.salt}), sealed.name_ct


def kdf(raw: str) -> Kdf:
    found = json.loads(raw)
    return Kdf(found["alg"], int(found["iter"]), found["salt"])


def titled(raw: list[str | None]) -> tuple[str | None, Sealed | None]:
    """A room's name, or a server-blind room's sealed name and key parameters, from `title` in lua/common.lua."""
    name, kdf_json, name_ct = raw
    if kdf_json is None or name_ct is None:
        return name, None
    return None, Sealed(kdf(kdf_json), name_ct)
