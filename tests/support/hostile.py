"""Hypothesis strategies for hostile input, shared by the real-server and in-process suites.

Every JSON value, form body, field and Socket.IO payload a client could send,
with the checks every answer to them must pass.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)
FEW = settings(FUZZ, max_examples=150)  # each example costs a room or a seat

API_ERRORS = {
    "invalid",
    "wrong_password",
    "forbidden",
    "not_found",
    "method_not_allowed",
    "alias_taken",
    "room_full",
    "unsupported_media_type",
    "rate_limited",
    "capacity",
}
ACK_ERRORS = {"invalid", "too_large", "rate_limited"}

# -- strategies -------------------------------------------------------------------

# Every general category, lone surrogates included (hypothesis leaves them out by default).
CATEGORIES = "Lu Ll Lt Lm Lo Mn Mc Me Nd Nl No Pc Pd Ps Pe Pi Pf Po Sm Sc Sk So Zs Zl Zp Cc Cf Cs Co Cn"
ANY_CHARACTER = st.characters(categories=CATEGORIES.split())
SMALL_ATOMS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202e",
    "\u2066",
    "\u200b",
    "\ufeff",
    "\ud800",
    "\udfff",
    "\ud83d",
    "</script>",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "{{ 7*7 }}",
    "{% raw %}",
    "${7*7}",
    "\\",
    '"',
    "'",
    "\U0001f600",
    "\ufb00",
    "\r\n",
    "\u2028",
    "\x85",
    "\x1b[31m",
    "ann",
    "secret",
    "\u0301" * 4001,  # combining marks past the message limit
    "x" * 4001,
    # Markdown: the server renders what a message's text holds.
    "**",
    "`",
    "```",
    "> ",
    "- ",
    "[x](javascript:alert(1))",
    "![x](https://example.invalid/x.png)",
    "<https://example.org>",
    "https://example.org/a_b",
    "> " * 25,
    "*" * 65,
    "[" * 30,
]
# Only for HTTP bodies: a frame this size would (rightly) close a Socket.IO connection.
LARGE_ATOMS = ["\u0301" * 10_000, "x" * 40_000, "\U0001f600" * 9_000]


# Lengths at the field limits: alias 32, room name 64, password 1024, message 4000.
BOUNDARY_LENGTHS = [31, 32, 33, 63, 64, 65, 1023, 1024, 1025, 3999, 4000, 4001]
BOUNDARY_TEXT = st.builds(
    lambda char, n: char * n,
    st.sampled_from(["x", " ", "\u00e9", "\u0301", "\U0001f600"]),
    st.sampled_from(BOUNDARY_LENGTHS),
)


def texts(atoms: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(ANY_CHARACTER, max_size=40),
        st.sampled_from(atoms),
        st.lists(st.one_of(st.sampled_from(atoms), st.text(ANY_CHARACTER, max_size=6)), max_size=4).map("".join),
        BOUNDARY_TEXT,
    )


NO_LEAVES: st.SearchStrategy[Any] = st.nothing()


def json_values(text: st.SearchStrategy[str], leaves: st.SearchStrategy[Any] = NO_LEAVES) -> st.SearchStrategy[Any]:
    keys = st.one_of(st.sampled_from(["alias", "name", "password", "text", "room", "__proto__"]), text)
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True, allow_infinity=True),
        text,
        leaves,
    )
    return st.recursive(
        scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4), max_leaves=8
    )


def wire_size(value: Any) -> int:
    """About how many bytes a value takes in a Socket.IO frame (ASCII-escaped JSON)."""
    if isinstance(value, dict):
        return sum(wire_size(k) + wire_size(v) for k, v in value.items()) + 2
    if isinstance(value, list):
        return sum(wire_size(v) for v in value) + 2
    if isinstance(value, bytes):
        return 40
    return len(json.dumps(value))


# Frames stay well under the transport limit (49 KiB): the oversized ones are tested on their own.
FRAME_BUDGET = 40_000
HTTP_TEXT = texts(SMALL_ATOMS + LARGE_ATOMS)
HTTP_VALUES = json_values(HTTP_TEXT, st.sampled_from([10**400, -(10**99)]))
SOCKET_TEXT = texts(SMALL_ATOMS).filter(lambda text: wire_size(text) < FRAME_BUDGET)
SOCKET_VALUES = json_values(SOCKET_TEXT).filter(lambda v: wire_size(v) < FRAME_BUDGET)
# Binary leaves travel as Socket.IO attachments, which the server drops unanswered.
SOCKET_VALUES_WITH_BINARY = json_values(SOCKET_TEXT, st.binary(max_size=32)).filter(
    lambda v: wire_size(v) < FRAME_BUDGET
)


PLAUSIBLE = {"alias": "ann", "name": "a room", "password": "secret", "text": "hello"}


def one_hostile(names: list[str], hostile: st.SearchStrategy[Any]) -> Any:
    """Every field plausible but one, so that validation gets as far as that field."""

    def build(target: str) -> Any:
        return st.fixed_dictionaries({name: hostile if name == target else st.just(PLAUSIBLE[name]) for name in names})

    return st.sampled_from(names).flatmap(build)


def field_dicts(names: list[str], text: st.SearchStrategy[str], values: st.SearchStrategy[Any]) -> Any:
    """Objects with the expected fields plus stray keys: mostly one hostile field, sometimes any mix."""
    near_miss = st.builds(lambda base, atom: base + atom, st.sampled_from(list(PLAUSIBLE.values())), text)
    hostile = st.one_of(text, near_miss, values)
    field = st.one_of(st.sampled_from(list(PLAUSIBLE.values())), text, values)
    known = st.one_of(
        one_hostile(names, hostile),
        one_hostile(names, hostile),
        st.fixed_dictionaries({}, optional={name: field for name in names}),
    )
    stray = st.dictionaries(st.one_of(st.sampled_from(["id", "ts", "room", "token"]), text), values, max_size=2)
    return st.builds(lambda k, s: {**s, **k}, known, stray)


def bodies(names: list[str], text: st.SearchStrategy[str], values: st.SearchStrategy[Any]) -> Any:
    """Mostly objects with the expected fields; sometimes any JSON value at all."""
    objects = field_dicts(names, text, values)
    return st.one_of(objects, objects, objects, values)


def encoded(values: st.SearchStrategy[Any]) -> st.SearchStrategy[bytes]:
    """JSON as ASCII, as UTF-8, as broken UTF-8 (lone surrogates), or bytes that are not JSON at all."""

    def encode(body: Any, how: str) -> bytes:
        if how == "ascii":
            return json.dumps(body).encode()
        return json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")

    not_json = st.one_of(
        st.binary(max_size=300),
        st.builds(
            lambda head, tail: head + tail, st.sampled_from([b"{", b'{"alias": "', b"\xef\xbb\xbf{"]), st.binary()
        ),
        # Past Python's 4,300-digit limit for integer parsing.
        st.just(b'{"alias": "a", "name": "n", "password": ' + b"9" * 5_000 + b"}"),
    )
    # Mostly JSON that parses, so that the field rules are reached.
    return st.one_of(
        st.builds(encode, values, st.just("ascii")),
        st.builds(encode, values, st.sampled_from(["ascii", "utf-8"])),
        not_json,
    )


JSON_TYPES = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-8",
        "application/json; charset=utf-16",
        "application/JSON",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "",
    ]
)
FORM_TYPES = st.sampled_from(
    [
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=latin-1",
        "multipart/form-data; boundary=x",
        "application/json",
        "text/plain",
    ]
)
ROOM_PATH_TEXT = st.text(ANY_CHARACTER, max_size=60)  # request lines stay far below the server's limit


def assert_ack(ack: Any) -> None:
    assert isinstance(ack, dict), ack
    if ack.get("ok") is True:
        assert set(ack) == {"ok", "id"} and isinstance(ack["id"], str)
    else:
        assert ack.get("ok") is False and set(ack) == {"ok", "error", "message"}, ack
        assert ack["error"] in ACK_ERRORS, ack
