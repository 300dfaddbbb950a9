"""Validation tables, in process: every bad field, body, payload and handshake gets its clear 4xx or ack.

The same rules reach the real server through a representative case each in
`tests/integration/`; here every row of each table runs in milliseconds.
"""

from __future__ import annotations

import pytest

from tests.support.people import Refused


@pytest.mark.parametrize(
    ("alias", "password", "status", "code"),
    [
        ("bob", "wrong", 403, "wrong_password"),
        ("ANN", "secret", 409, "alias_taken"),
        ("\uff41\uff4e\uff4e", "secret", 409, "alias_taken"),  # full-width "ann"
        ("ann ", "secret", 409, "alias_taken"),
        ("", "secret", 400, "invalid"),
        ("a\u200bnn", "secret", 400, "invalid"),
        ("a\u202enn", "secret", 400, "invalid"),
        ("a\x00nn", "secret", 400, "invalid"),
        ("x" * 33, "secret", 400, "invalid"),
        ("bob", "", 400, "invalid"),
        ("bob", "p" * 1025, 400, "invalid"),
    ],
)
def test_join_errors(people, alias, password, status, code):
    room_id = people().create(alias="ann", password="secret").json()["room_id"]
    response = people().join(room_id, alias=alias, password=password)
    assert response.status_code == status
    assert response.json()["error"] == code
    assert response.json()["message"]


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        ('{"alias": "a", "name": "n", "password": "p"}', "text/plain", 415, "unsupported_media_type"),
        ("alias=a&name=n&password=p", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        ("{not json", "application/json", 400, "invalid"),
        ("[1, 2]", "application/json", 400, "invalid"),
        ('"text"', "application/json", 400, "invalid"),
        ("{}", "application/json", 400, "invalid"),
        ('{"alias": 1, "name": "n", "password": "p"}', "application/json", 400, "invalid"),
        ('{"alias": "a", "name": ["n"], "password": "p"}', "application/json", 400, "invalid"),
        ('{"alias": "a", "name": "n", "password": null}', "application/json", 400, "invalid"),
        ('{"alias": "a", "name": "' + "n" * 65 + '", "password": "p"}', "application/json", 400, "invalid"),
        ('{"alias": "\\ud800", "name": "n", "password": "p"}', "application/json", 400, "invalid"),
        # Line and paragraph separators in a room name are refused, not folded into a space.
        ('{"alias": "a", "name": "Book\\u2028club", "password": "p"}', "application/json", 400, "invalid"),
        ('{"alias": "a", "name": "Book\\u2029club", "password": "p"}', "application/json", 400, "invalid"),
        ('{"alias": "a", "name": "Book\\u0085club", "password": "p"}', "application/json", 400, "invalid"),
        ('{"alias": "a", "name": "n", "password": "\\udfff"}', "application/json", 400, "invalid"),
        ('{"alias": "a", "name": "n", "password": "' + "x" * 40_000 + '"}', "application/json", 400, "invalid"),
    ],
)
def test_bad_create_bodies(people, body, content_type, status, code):
    response = people().post_raw("/api/rooms", body.encode(), content_type)
    assert response.status_code == status
    assert response.json()["error"] == code


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://127.0.0.1:1"])
def test_foreign_origin_refused(people, origin):
    ann = people()
    response = ann.post_json("/api/rooms", {"alias": "a", "name": "n", "password": "p"}, headers={"Origin": origin})
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"


@pytest.mark.parametrize("path", ["/", "/healthz", "/r/" + "A" * 22, "/gone", "/nope", "/static/css/app.css"])
def test_security_headers_everywhere(people, path):
    response = people().get(path)
    assert response.headers["Cache-Control"].startswith("no-store")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src


LOOKALIKES = [
    # (alias in the room, alias tried, status, code)
    ("ann", "Ann", 409, "alias_taken"),
    ("Straße", "STRASSE", 409, "alias_taken"),  # casefold
    ("ann", "\U0001d41a\U0001d427\U0001d427", 409, "alias_taken"),  # mathematical bold
    ("ann", "\u24d0\u24dd\u24dd", 409, "alias_taken"),  # circled letters
    ("fish", "\ufb01sh", 409, "alias_taken"),  # fi ligature
    ("José", "Jose\u0301", 409, "alias_taken"),  # decomposed accent
    ("ann", "ann\u00a0", 409, "alias_taken"),  # no-break space, trimmed
    ("ann", "\u3000ann", 409, "alias_taken"),  # ideographic space
    ("ann", "ann\t\n", 409, "alias_taken"),
    ("ann", "ann\x85", 400, "invalid"),  # NEL: refused, not trimmed as white space
    ("ann", "a\x85nn", 400, "invalid"),
    ("a nn", "a  \u2003nn", 409, "alias_taken"),  # inner white space folds to one space
    ("ann", "\u200bann", 400, "invalid"),  # zero-width space
    ("ann", "ann\u200d", 400, "invalid"),  # zero-width joiner
    ("ann", "an\u200cn", 400, "invalid"),  # zero-width non-joiner
    ("ann", "ann\u2060", 400, "invalid"),  # word joiner
    ("ann", "\ufeffann", 400, "invalid"),  # byte-order mark
    ("ann", "a\u00adnn", 400, "invalid"),  # soft hyphen
    ("ann", "ann\u034f", 400, "invalid"),  # combining grapheme joiner
    ("ann", "ann\ufe0f", 400, "invalid"),  # variation selector
    ("ann", "ann\U000e0041", 400, "invalid"),  # tag character
    ("ann", "ann\u2800", 400, "invalid"),  # blank Braille pattern
    ("ann", "ann\u3164", 400, "invalid"),  # Hangul filler
    ("ann", "\u200eann", 400, "invalid"),  # left-to-right mark
    ("ann", "ann\u200f", 400, "invalid"),  # right-to-left mark
    ("ann", "\u061cann", 400, "invalid"),  # Arabic letter mark
    ("ann", "\u2066ann\u2069", 400, "invalid"),  # isolate
    ("ann", "\u202dann\u202c", 400, "invalid"),  # override
    ("ann", "ann\u2028", 400, "invalid"),  # line separator: refused, not trimmed as white space
    ("a nn", "a\u2028nn", 400, "invalid"),  # nor folded into a space
    ("a nn", "a\u2029nn", 400, "invalid"),  # paragraph separator
    ("ann", "\x00ann", 400, "invalid"),
    ("ann", "ann\x00", 400, "invalid"),
    ("ann", "a\x07nn", 400, "invalid"),  # bell
    ("ann", "ann\x1b[0m", 400, "invalid"),  # terminal escape
    ("ann", "ann\x7f", 400, "invalid"),  # delete
    ("ann", "ann\x9b", 400, "invalid"),  # C1 control sequence introducer
    ("ann", "ann\ud800", 400, "invalid"),  # lone surrogate
    ("ann", "ann\U000e0001", 400, "invalid"),  # language tag
    ("ann", "ann\ue000", 200, None),  # private use renders as something: a different alias
    ("alice", "\u0430lice", 409, "alias_taken"),  # Cyrillic a: same UTS #39 skeleton
    ("alice", "\u0391LICE", 409, "alias_taken"),  # Greek capital alpha
    ("bob", "\u0412\u041e\u0412", 409, "alias_taken"),  # Cyrillic capitals
    ("Sam", "Sarn", 409, "alias_taken"),  # m looks like r n
    ("l1", "Il", 409, "alias_taken"),  # capital I and 1 look like l
    ("alice", "alicia", 200, None),
]


@pytest.mark.parametrize(
    ("taken", "tried", "status", "code"), LOOKALIKES, ids=[ascii(tried)[1:-1] for _, tried, _, _ in LOOKALIKES]
)
def test_lookalike_aliases_collide_or_are_refused(people, taken, tried, status, code):
    created = people().create(alias=taken, password="pw")
    assert created.status_code == 201, created.text
    response = people().join(created.json()["room_id"], alias=tried, password="pw")
    assert response.status_code == status, response.text
    if code is not None:
        assert response.json()["error"] == code


BAD_PAYLOADS = [
    None,
    "text",
    42,
    [],
    {"text": None},
    {"text": 5},
    {"text": ["a"]},
    {"txt": "hi"},
    {"text": ""},
    {"text": "   "},
    {"text": "\n\t\r\n "},
]


@pytest.mark.parametrize("payload", BAD_PAYLOADS, ids=[repr(p)[:30] for p in BAD_PAYLOADS])
def test_bad_message_payloads_get_invalid(room, payload):
    ann = room.members[0]
    ack = ann.socket.call("message", payload)
    assert ack["ok"] is False
    assert ack["error"] == "invalid"
    assert ack["message"]
    assert ann.socket.send("still works")["ok"]


# Markup once made these empty; messages are text with Markdown now, so they arrive as typed.
SHOWN_AS_TEXT = [
    ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
    ("<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>"),
    ("![x](http://example.org/x.png)", "<p>![x](http://example.org/x.png)</p>"),
    (">", "<p>&gt;</p>"),
]


@pytest.mark.parametrize(("text", "html"), SHOWN_AS_TEXT, ids=[text for text, _ in SHOWN_AS_TEXT])
def test_messages_that_render_to_nothing_arrive_as_typed(room, text, html):
    ann, bob = room.members
    assert ann.socket.send(text)["ok"]
    assert bob.socket.wait("message")["html"] == html


@pytest.mark.parametrize("auth", [None, {}, {"room": 5}, {"room": "A" * 22}, "room"])
def test_connect_without_binding_is_refused(people, auth):
    ann = people()
    ann.create()
    with pytest.raises(Refused, match=r"^unauthorized$"):
        ann.connect_with_auth(auth)
