"""A room's rules, chosen by its creator and fixed for its life, and the state everyone in it is told."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import Invalid
from ..words import N_

# Room kinds: `pair` has two seats and locks itself once both are taken; in `broadcast` only hosts send.
GROUP, PAIR, BROADCAST = "group", "pair", "broadcast"
KINDS = (GROUP, PAIR, BROADCAST)
PAIR_SEATS = 2
# Who may purge a room.
ANYONE, HOSTS = "anyone", "hosts"
PURGE_POLICIES = (ANYONE, HOSTS)
# Disappearing messages: each message leaves every screen this many seconds after it reached that screen (0: never,
# before the room ends). The clients keep the time; the server only tells them the room's choice.
DISAPPEAR_AFTER = (0, 30, 300, 3600)


@dataclass(frozen=True, slots=True)
class Rules:
    """What a room's creator chose, fixed for its life; None means the server's own limit.

    Checked against the server's limits by `room_rules.rules_from` before a store sees them.
    """

    kind: str = GROUP
    purge: str = ANYONE
    ttl: int | None = None  # seconds, at most the server's room TTL
    seats: int | None = None  # at most the server's participants per room; a pair has two
    disappear: int = 0  # seconds, one of DISAPPEAR_AFTER
    vanish: bool = False  # someone's messages leave every screen when they leave the room
    history: bool = False  # a present member's screen may hand a newcomer the messages it shows


@dataclass(frozen=True, slots=True)
class RoomState:
    """What everyone in a room is told about it (`room` event, `welcome`): its rules and whether it is locked."""

    kind: str
    purge: str
    locked: bool
    ttl: int  # the room's whole lifetime, seconds
    seats: int
    disappear: int = 0  # seconds after a screen shows a message that it leaves that screen; 0 never
    vanish: bool = False  # a leaver's messages leave every screen
    history: bool = False  # history from peers: the server relays what a member shares with a newcomer


def settle(rules: Rules | None, *, ttl: float, max_participants: int) -> RoomState:
    """A new room's state: the creator's rules with None resolved to the store's limits and capped at them.

    `Invalid` for a kind or policy nobody knows, a lifetime under a second, fewer than two seats,
    a pair asked for other than its two seats, or a disappearing time not offered.
    """
    rules = rules or Rules()
    if rules.kind not in KINDS or rules.purge not in PURGE_POLICIES:
        raise Invalid(N_("Unknown room kind or purge policy."))
    if (
        rules.disappear not in DISAPPEAR_AFTER
        or isinstance(rules.disappear, bool)
        or not isinstance(rules.vanish, bool)
        or not isinstance(rules.history, bool)
    ):
        raise Invalid(N_("Unknown disappearing time, or vanish or history is not true or false."))
    lifetime = math.ceil(ttl) if rules.ttl is None else min(_whole(rules.ttl, 1), math.ceil(ttl))
    if rules.kind == PAIR and rules.seats not in (None, PAIR_SEATS):
        raise Invalid(N_("A pair room has two seats."))
    asked = PAIR_SEATS if rules.kind == PAIR else rules.seats
    seats = max_participants if asked is None else min(_whole(asked, PAIR_SEATS), max_participants)
    return RoomState(rules.kind, rules.purge, False, lifetime, seats, rules.disappear, rules.vanish, rules.history)


def _whole(value: object, least: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < least:
        raise Invalid(N_("Must be a whole number of at least %(least)s."), least=least)
    return value
