"""How the Redis store writes what it keeps: hashed tokens, participants as JSON, millisecond times."""

from __future__ import annotations

import hashlib
import json

from .. import aliases
from .model import Participant, by_alias


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def seconds(exp_ms: int | str) -> float:
    return int(exp_ms) / 1000


def alias_keys(alias: str) -> str:
    """The alias's look-alike keys as a JSON list, for `seat` and `alias_taken` in lua/common.lua."""
    return json.dumps(sorted(aliases.lookalike_keys(alias)), ensure_ascii=False)


def stored(participant: Participant) -> str:
    return json.dumps({"id": participant.id, "alias": participant.alias, "role": participant.role})


def loaded(raw: str) -> Participant:
    found = json.loads(raw)
    return Participant(found["id"], found["alias"], found["role"])


def present(raw: list[str]) -> list[Participant]:
    return by_alias([loaded(item) for item in raw])
