"""A creator's choices for a new room (kind, purge policy, lifetime, seats, disappearing messages, vanish on
leave, history from peers), checked against the server's limits.

One parser for both ways in: the JSON API sends integers and booleans, `ttl` in
seconds; the create form sends text, `lifetime` in minutes, and `vanish` and
`history` as a checkbox does. Anything absent (or, in the form, empty) is the default: a group
room anyone may purge, with the server's lifetime and seats, whose messages stay
until it ends. Everything else that is not allowed is `invalid`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .config import Settings
from .errors import Invalid
from .rooms import ANYONE, DISAPPEAR_AFTER, GROUP, KINDS, PAIR, PAIR_SEATS, PURGE_POLICIES, Rules
from .words import N_

MIN_SEATS = 2
# Form fields are whole numbers written plainly: no sign, no point, no exponent, no space.
_DIGITS = re.compile(r"[0-9]{1,9}")


def rules_from(values: Mapping[str, object], settings: Settings, *, minutes: bool) -> Rules:
    """The rules in a create request; `minutes` reads the create form (text, `lifetime` in minutes), else the API.

    Raises `Invalid` naming the field: a kind or policy not on the list, a
    lifetime longer than the server's (`EPHEMERAL_ROOM_TTL`) or under one unit,
    seats outside 2 to `EPHEMERAL_MAX_PARTICIPANTS`, a pair with other than two
    seats, a disappearing time not in `DISAPPEAR_AFTER`, and any value of the
    wrong type (`true` and `1.0` are not integers, `1` is not a boolean).
    """
    kind = _choice(values, "kind", KINDS, GROUP, form=minutes)
    purge = _choice(values, "purge", PURGE_POLICIES, ANYONE, form=minutes)
    ttl = _lifetime(values, settings.room_ttl, form=minutes)
    seats = _whole(values, "seats", form=minutes)
    if seats is not None and not MIN_SEATS <= seats <= settings.max_participants:
        raise Invalid(N_("seats must be from %(least)s to %(most)s."), least=MIN_SEATS, most=settings.max_participants)
    if kind == PAIR:
        if seats not in (None, PAIR_SEATS):
            raise Invalid(N_("A pair room has %(seats)s seats."), seats=PAIR_SEATS)
        seats = PAIR_SEATS
    disappear = _whole(values, "disappear", form=minutes) or 0
    if disappear not in DISAPPEAR_AFTER:
        offered = ", ".join(map(str, DISAPPEAR_AFTER))
        raise Invalid(N_("disappear must be one of: %(allowed)s seconds."), allowed=offered)
    vanish, history = _switch(values, "vanish", form=minutes), _switch(values, "history", form=minutes)
    return Rules(kind, purge, ttl, seats, disappear, vanish, history)


def _given(values: Mapping[str, object], name: str, *, form: bool) -> object:
    """The field's value, or None when it is absent (JSON null, or an empty form field)."""
    value = values.get(name)
    return None if form and value == "" else value


def _choice(values: Mapping[str, object], name: str, allowed: tuple[str, ...], default: str, *, form: bool) -> str:
    value = _given(values, name, form=form)
    if value is None:
        return default
    if not isinstance(value, str) or value not in allowed:
        raise Invalid(N_("%(name)s must be one of: %(allowed)s."), name=name, allowed=", ".join(allowed))
    return value


def _whole(values: Mapping[str, object], name: str, *, form: bool) -> int | None:
    """A whole number: a JSON integer from the API, digits from the form; None when absent."""
    value = _given(values, name, form=form)
    if value is None:
        return None
    if form and isinstance(value, str) and _DIGITS.fullmatch(value):
        return int(value)
    # bool is an int to Python, never to a person writing JSON.
    if not form and isinstance(value, int) and not isinstance(value, bool):
        return value
    raise Invalid(N_("%(name)s must be a whole number."), name=name)


def _switch(values: Mapping[str, object], name: str, *, form: bool) -> bool:
    """On or off: a JSON boolean from the API; from the form a checkbox, sent as "on" only when ticked."""
    value = _given(values, name, form=form)
    if value is None:
        return False
    if isinstance(value, bool) and not form:
        return value
    if form and value == "on":
        return True
    raise Invalid(N_("%(name)s must be true or false."), name=name)


def _lifetime(values: Mapping[str, object], room_ttl: int, *, form: bool) -> int | None:
    """Seconds: `ttl` from the API, `lifetime` in minutes from the form; at most the server's lifetime."""
    name, unit = ("lifetime", 60) if form else ("ttl", 1)
    amount = _whole(values, name, form=form)
    if amount is None:
        return None
    longest = room_ttl // unit
    if not 1 <= amount <= longest:
        if not longest:
            raise Invalid(N_("%(name)s is not offered here."), name=name)
        if form:
            raise Invalid(N_("lifetime must be from 1 to %(longest)s minutes."), longest=longest)
        raise Invalid(N_("ttl must be from 1 to %(longest)s seconds."), longest=longest)
    return amount * unit
