"""Message actions in the memory store: who sent which message id, and who reacted with what. Never text.

`MessageLog` is one room's record (on `Room.messages`); `MessageRules` holds the store methods of messages
(`speak`, `edit`, `unsend`, `react`, and `share` for history from peers) that `MemoryRegistry` inherits. Each
runs in one critical section of the registry's lock, like every other rule of the memory store.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import Forbidden, Invalid, Unauthorized
from .model import (
    BROADCAST,
    HISTORY_OFF,
    HOSTS_SEND,
    MESSAGES_KEPT,
    NO_REACTION_TARGET,
    NO_REPLY_TARGET,
    NO_SUCH_PARTICIPANT,
    NOT_A_REACTION,
    NOT_YOURS,
    REACTIONS,
    Audience,
    Reactions,
    Share,
    Speaker,
    in_reaction_order,
    mode_of,
    named_message,
)

if TYPE_CHECKING:  # the room holds a `MessageLog`: these only name its types
    from .memory_room import Member, Room
    from .memory_table import RoomTable


@dataclass(slots=True)
class MessageLog:
    """One room's last `MESSAGES_KEPT` message ids, oldest first, with their authors and reactions."""

    authors: OrderedDict[str, str] = field(default_factory=OrderedDict)  # message id -> author's participant id
    reactions: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # message id -> emoji -> who, in order

    def record(self, message_id: str, author: str) -> None:
        """A new message; past `MESSAGES_KEPT` the oldest is forgotten with its reactions."""
        self.authors[message_id] = author
        self.authors.move_to_end(message_id)
        while len(self.authors) > MESSAGES_KEPT:
            oldest, _ = self.authors.popitem(last=False)
            self.reactions.pop(oldest, None)

    def keeps(self, message_id: str | None) -> bool:
        return message_id is not None and message_id in self.authors

    def written_by(self, message_id: str | None, author: str) -> bool:
        return message_id is not None and self.authors.get(message_id) == author

    def forget(self, message_id: str) -> None:
        del self.authors[message_id]
        self.reactions.pop(message_id, None)

    def toggle(self, message_id: str, emoji: str, who: str) -> dict[str, list[str]]:
        """Adds `who` to the message's `emoji` reactors, or takes them out; returns the message's reactions."""
        mine = self.reactions.setdefault(message_id, {})
        people = mine.setdefault(emoji, [])
        if who in people:
            people.remove(who)
        else:
            people.append(who)
        if not people:
            del mine[emoji]
        if not mine:
            del self.reactions[message_id]
        return in_reaction_order(mine)


class MessageRules:
    """The message actions of `MemoryRegistry`, which provides the lock and the table."""

    _lock: threading.Lock
    _table: RoomTable

    def speak(self, sid: str, message_id: str, reply_to: object = None) -> Speaker:
        with self._lock:
            room, member = self._sender(sid)
            if room.state.kind == BROADCAST and not member.hosts:
                raise Forbidden(HOSTS_SEND)
            if reply_to is not None and not room.messages.keeps(named_message(reply_to)):
                raise Invalid(NO_REPLY_TARGET)
            room.messages.record(message_id, member.you.id)
            return _speaker(room, member)

    def edit(self, sid: str, message_id: object) -> Speaker:
        with self._lock:
            room, member = self._author(sid, message_id)
            return _speaker(room, member)

    def unsend(self, sid: str, message_id: object) -> Speaker:
        with self._lock:
            room, member = self._author(sid, message_id)
            room.messages.forget(str(message_id))
            return _speaker(room, member)

    def react(self, sid: str, message_id: object, emoji: object) -> Reactions:
        with self._lock:
            room, member = self._sender(sid)
            if emoji not in REACTIONS:
                raise Invalid(NOT_A_REACTION)
            named = named_message(message_id)
            if named is None or not room.messages.keeps(named):
                raise Invalid(NO_REACTION_TARGET)
            found = room.messages.toggle(named, str(emoji), member.you.id)
            return Reactions(room.room_id, named, found)

    def share(self, sid: str, participant_id: object, said: list[tuple[str, str]]) -> Share:
        with self._lock:
            room, member = self._sender(sid)
            if not room.state.history:
                raise Forbidden(HISTORY_OFF)
            newcomer = room.by_id(participant_id)
            if newcomer is member or not newcomer.sids:
                raise Invalid(NO_SUCH_PARTICIPANT)
            kept = [room.messages.written_by(message_id, author) for message_id, author in said]
            return Share(room.room_id, member.you, mode_of(room.sealed), list(newcomer.sids), kept)

    def audience(self, sid: str) -> Audience:
        with self._lock:
            room, member = self._sender(sid)
            if room.state.kind == BROADCAST and not member.hosts:
                raise Forbidden(HOSTS_SEND)
            sids = [other for other in room.all_sids() if other != sid]
            return Audience(room.room_id, member.you, mode_of(room.sealed), sids)

    # -- helpers; callers hold the lock ----------------------------------------

    def _sender(self, sid: str) -> tuple[Room, Member]:
        found = self._table.member_of(sid)
        if found is None:
            raise Unauthorized()
        return found

    def _author(self, sid: str, message_id: object) -> tuple[Room, Member]:
        """The socket's room and binding, if its participant wrote that kept message: `Forbidden` otherwise."""
        room, member = self._sender(sid)
        if not room.messages.written_by(named_message(message_id), member.you.id):
            raise Forbidden(NOT_YOURS)
        return room, member


def _speaker(room: Room, member: Member) -> Speaker:
    return Speaker(room.room_id, member.you, mode_of(room.sealed), room.state.kind)
