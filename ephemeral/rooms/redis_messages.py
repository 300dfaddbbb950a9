"""Message actions in the Redis store: who sent which message id, and who reacted with what. Never text.

Each rule is one Lua script (`lua/speak.lua`, `edit.lua`, `unsend.lua`, `react.lua`, `share.lua`, and
`audience.lua` for a file's offer); a message costs one round trip, `speak`, which also answers who spoke.
The keys (`message_keys` in lua/common.lua) expire with the room and go with it.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import Forbidden, Invalid
from . import redis_codec as codec
from .model import (
    E2E,
    HISTORY_OFF,
    HOSTS_SEND,
    MESSAGES_KEPT,
    NO_REACTION_TARGET,
    NO_REPLY_TARGET,
    NO_SUCH_PARTICIPANT,
    NOT_A_REACTION,
    NOT_YOURS,
    REACTIONS,
    STANDARD,
    Audience,
    Reactions,
    Share,
    Speaker,
    in_reaction_order,
    mode_of,
    named_message,
)
from .redis_base import RedisBase
from .redis_client import reachable_call


class RoomMessages(RedisBase):
    """The message actions of `RedisRegistry`."""

    @reachable_call
    def speak(self, sid: str, message_id: str, reply_to: object = None) -> Speaker:
        room_id, hashed = self._entry(sid)
        reply = "" if reply_to is None else "=" + (named_message(reply_to) or "")
        status, *rest = self._run("speak", room_id, hashed, message_id, reply, MESSAGES_KEPT)
        _refuse(status, forbidden=HOSTS_SEND, invalid=NO_REPLY_TARGET)
        participant, kind, mode = rest
        return Speaker(room_id, codec.loaded(participant), E2E if mode == E2E else STANDARD, kind)

    @reachable_call
    def edit(self, sid: str, message_id: object) -> Speaker:
        room_id, hashed = self._entry(sid)
        status, *rest = self._run("edit", room_id, hashed, named_message(message_id) or "")
        _refuse(status, forbidden=NOT_YOURS)
        return self._speaker(room_id, rest)

    @reachable_call
    def unsend(self, sid: str, message_id: object) -> Speaker:
        room_id, hashed = self._entry(sid)
        status, *rest = self._run("unsend", room_id, hashed, named_message(message_id) or "")
        _refuse(status, forbidden=NOT_YOURS)
        return self._speaker(room_id, rest)

    @reachable_call
    def react(self, sid: str, message_id: object, emoji: object) -> Reactions:
        room_id, hashed = self._entry(sid)
        named = named_message(message_id) or ""
        reaction = emoji if isinstance(emoji, str) and emoji in REACTIONS else ""
        status, *rest = self._run("react", room_id, hashed, named, reaction)
        if status == "not_a_reaction":
            raise Invalid(NOT_A_REACTION)
        _refuse(status, invalid=NO_REACTION_TARGET)
        return Reactions(room_id, named, in_reaction_order(json.loads(rest[0])))

    @reachable_call
    def share(self, sid: str, participant_id: object, said: list[tuple[str, str]]) -> Share:
        room_id, hashed = self._entry(sid)
        newcomer = participant_id if isinstance(participant_id, str) else ""
        pairs = [part for message in said for part in message]
        status, *rest = self._run("share", room_id, hashed, newcomer, *pairs)
        _refuse(status, forbidden=HISTORY_OFF, invalid=NO_SUCH_PARTICIPANT)
        participant, title, sids, kept = rest
        you, mode = codec.loaded(participant), mode_of(codec.titled(title)[1])
        return Share(room_id, you, mode, list(sids), [flag == 1 for flag in kept])

    @reachable_call
    def audience(self, sid: str) -> Audience:
        room_id, hashed = self._entry(sid)
        status, *rest = self._run("audience", room_id, hashed, sid)
        _refuse(status, forbidden=HOSTS_SEND)
        participant, title, sids = rest
        return Audience(room_id, codec.loaded(participant), mode_of(codec.titled(title)[1]), list(sids))

    def _speaker(self, room_id: str, rest: list[Any]) -> Speaker:
        """Who spoke, from a script's {participant, title, state}, as `speaker` has it."""
        participant, title, state = rest
        return Speaker(room_id, codec.loaded(participant), mode_of(codec.titled(title)[1]), self._state(state).kind)


def _refuse(status: str, *, forbidden: str | None = None, invalid: str | None = None) -> None:
    """A script's refusal as the store's error, with the words of the rule that refused."""
    if status == Forbidden.code and forbidden:
        raise Forbidden(forbidden)
    if status == Invalid.code and invalid:
        raise Invalid(invalid)
    codec.raise_for(status)
