"""Reports from anyone with a room's link, and the operator who answers them without reading a room.

The report route answers alike for every room id; the admin routes exist only
with `EPHEMERAL_ADMIN_TOKEN` set, want that token in constant time, and show a
room by its numbers only: id, reasons, count, age, participants.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from ephemeral import admin, create_app
from ephemeral.config import ConfigError, from_env
from ephemeral.ratelimit import REPORTS_PER_ADDRESS
from ephemeral.rooms.model import REPORT_REASONS
from tests.inprocess.conftest import Room, open_room
from tests.support.inprocess import Answer, BackgroundTasks, Person
from tests.support.people import Refused

TOKEN = "operator-token-" + "x" * 40
BEARER = {"Authorization": f"Bearer {TOKEN}"}
REPORT_FIELDS = {"room_id", "reasons", "count", "age", "participants"}
MARK = "zq7report"  # typed by people in the room: never in an admin answer
UNKNOWN_ROOM = "A" * 22  # the shape of a room id, no room


@pytest.fixture
def admin_app(tasks: BackgroundTasks) -> Iterator[Flask]:
    built = create_app({"ASYNC_MODE": "threading", "BCRYPT_COST": 4, "ADMIN_TOKEN": TOKEN}, environ={})
    yield built
    tasks.run()


@pytest.fixture
def visitors(admin_app: Flask, tasks: BackgroundTasks) -> Callable[[], Person]:
    """People of the server with an operator: each its own cookies and address."""
    return lambda: Person(admin_app, tasks)


@pytest.fixture
def operator(visitors: Callable[[], Person]) -> Person:
    return visitors()


def report(person: Person, room_id: str, reason: object = "spam", **kwargs: Any) -> Answer:
    return person.post_json(f"/api/rooms/{room_id}/report", {"reason": reason}, **kwargs)


def listed(operator: Person) -> list[dict[str, Any]]:
    answer = operator.get("/api/admin/reports", headers=BEARER)
    assert answer.status_code == 200, answer.text
    rooms: list[dict[str, Any]] = answer.json()["rooms"]
    return rooms


def close(operator: Person, room_id: str) -> Answer:
    return Answer(operator.http.post(f"/api/admin/rooms/{room_id}/close", headers=BEARER))


def room_with_words(visitors: Callable[[], Person], mode: str = "standard") -> Room:
    """A room of two whose name, aliases and a message carry `MARK` (a server-blind room: its envelope)."""
    if mode != "standard":
        return open_room(visitors, mode)
    ann = visitors()
    created = ann.create(alias=MARK + "ann", name=MARK + "name", password="secret").json()
    room = Room(created["room_id"], "secret", [])
    sock = ann.connect(room.room_id)
    sock.wait("welcome")
    assert sock.send(f"**{MARK}message**")["ok"]
    sock.wait("message")
    return room


# -- reporting ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["live", "unknown", "malformed", "purged"])
def test_a_report_is_answered_alike_for_any_room(visitors, room: Room, target: str) -> None:
    """Live, never made, purged, or not even the shape of a room id: 202 `{"ok": true}`, the same bytes."""
    live = report(visitors(), room.room_id)
    if target == "purged":
        assert room.members[0].socket.call("purge")["ok"]
    room_id = {"live": room.room_id, "unknown": UNKNOWN_ROOM, "malformed": "not a room!", "purged": room.room_id}
    answer = report(visitors(), room_id[target])
    assert (answer.status_code, answer.text) == (live.status_code, live.text) == (202, live.text)
    assert answer.json() == {"ok": True}
    assert sorted(answer.headers.keys()) == sorted(live.headers.keys())


@pytest.fixture
def room(visitors: Callable[[], Person]) -> Room:
    """A standard room of two on the server with an operator."""
    return open_room(visitors, "standard")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"reason": "SPAM"},
        {"reason": "rude"},
        {"reason": ""},
        {"reason": 1},
        {"reason": ["spam"]},
        {"reason": None},
        {"why": "spam"},
    ],
)
def test_a_reason_off_the_list_is_invalid(visitors, room: Room, body: dict[str, Any]) -> None:
    answer = visitors().post_json(f"/api/rooms/{room.room_id}/report", body)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid"


def test_a_report_is_json_from_this_site_only(visitors, room: Room) -> None:
    person = visitors()
    path = f"/api/rooms/{room.room_id}/report"
    assert person.post_raw(path, "reason=spam", "application/x-www-form-urlencoded").status_code == 415
    assert person.post_json(path, ["spam"]).status_code == 400
    for origin in ("https://elsewhere.example", "null"):
        refused = report(person, room.room_id, headers={"Origin": origin})
        assert (refused.status_code, refused.json()["error"]) == (403, "forbidden")
    assert report(person, room.room_id, headers={"Origin": "http://localhost"}).status_code == 202
    assert listed(person)[0]["count"] == 1  # only the same-origin report counted


def test_every_reason_of_the_list_counts(visitors, operator: Person, room: Room) -> None:
    for reason in REPORT_REASONS:
        assert report(visitors(), room.room_id, reason).status_code == 202
    assert report(visitors(), room.room_id, "spam").status_code == 202
    [found] = listed(operator)
    assert found["reasons"] == {**dict.fromkeys(REPORT_REASONS, 1), "spam": 2}
    assert found["count"] == len(REPORT_REASONS) + 1


def test_reports_are_limited_per_address_whatever_the_room(visitors, room: Room, operator: Person) -> None:
    """The burst, spread over a live and an unknown room alike; then 429 with a wait, for that address only."""
    burst = int(REPORTS_PER_ADDRESS.burst)
    reporter = visitors()
    answers = [report(reporter, room.room_id if n % 2 else UNKNOWN_ROOM).status_code for n in range(burst)]
    assert answers == [202] * burst
    for room_id in (room.room_id, UNKNOWN_ROOM, "not a room"):
        refused = report(reporter, room_id)
        assert (refused.status_code, refused.json()["error"]) == (429, "rate_limited")
        assert int(refused.headers["Retry-After"]) >= 1
    assert report(visitors(), room.room_id).status_code == 202  # another address
    assert listed(operator)[0]["count"] == burst // 2 + 1


# -- the admin routes exist only with a token --------------------------------------------------------------------


ADMIN_ROUTES = [("GET", "/admin"), ("GET", "/api/admin/reports"), ("POST", f"/api/admin/rooms/{UNKNOWN_ROOM}/close")]
UNKNOWN_PATHS = {"/admin": "/nimda", "/api/admin/reports": "/api/nimda/reports"}


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
def test_without_a_token_the_admin_routes_are_any_unknown_path(people, method: str, path: str) -> None:
    """No `EPHEMERAL_ADMIN_TOKEN`: status, body and headers as an address that never existed, token or not."""
    person = people()
    unknown = UNKNOWN_PATHS.get(path, path.replace("/admin/", "/nimda/"))
    for headers in ({}, BEARER):
        found = Answer(person.http.open(path, method=method, headers=headers))
        never = Answer(person.http.open(unknown, method=method, headers=headers))
        assert found.status_code == never.status_code == 404
        assert found.text == never.text
        assert dict(found.headers) == dict(never.headers)


def test_with_a_token_the_page_is_there_and_holds_no_room(operator: Person) -> None:
    page = operator.get("/admin")
    assert page.status_code == 200
    assert "/static/js/admin.js" in page.text
    assert not re.search(r"<script(?![^>]*\bsrc=)", page.text)
    assert not re.search(r"\sstyle=", page.text)
    # The token field has no name: a form sent without the script carries nothing.
    [token_input] = re.findall(r"<input[^>]*id=\"admin-token\"[^>]*>", page.text)
    assert "name=" not in token_input


# -- the token ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        TOKEN,
        f"Basic {TOKEN}",
        f"Bearer {TOKEN[:-1]}",
        f"Bearer {TOKEN}x",
        f"Bearer x{TOKEN[1:]}",
        f"Bearer {TOKEN[:-1]}y",
        f"Bearer {TOKEN.upper()}",
        "Bearer " + "é" * 40,
    ],
)
@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES[1:])
def test_without_the_right_token_it_is_401_asking_for_a_bearer(operator, room, method, path, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    path = path.replace(UNKNOWN_ROOM, room.room_id)
    answer = Answer(operator.http.open(path, method=method, headers=headers))
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert answer.json()["error"] == "unauthorized"
    assert answer.headers["Cache-Control"].startswith("no-store")
    assert room.members[0].socket.connected  # nothing was closed


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_the_scheme_is_any_case_and_the_answer_is_never_cached(operator, scheme) -> None:
    answer = operator.get("/api/admin/reports", headers={"Authorization": f"{scheme} {TOKEN}"})
    assert (answer.status_code, answer.json()) == (200, {"rooms": []})
    assert answer.headers["Cache-Control"].startswith("no-store")


@pytest.mark.parametrize(
    "given", [TOKEN, TOKEN[:-1], TOKEN + "x", "x" + TOKEN[1:], TOKEN[:-1] + "y", "", "é" * 40, TOKEN * 2]
)
def test_the_comparison_is_of_digests(given: str) -> None:
    assert admin.token_matches(given, TOKEN) is (given == TOKEN)


@pytest.mark.parametrize("value", ["short", "x" * 31, " " * 40, "\t" + "x" * 31 + " "])
def test_an_admin_token_under_32_characters_is_refused_at_start(value: str) -> None:
    with pytest.raises(ConfigError, match="EPHEMERAL_ADMIN_TOKEN must be at least 32") as refused:
        from_env({"EPHEMERAL_ADMIN_TOKEN": value})
    assert "x" * 31 not in str(refused.value)  # a secret is never echoed


def test_an_empty_admin_token_is_no_admin() -> None:
    assert from_env({"EPHEMERAL_ADMIN_TOKEN": ""}).admin_token == ""


# -- what the operator sees -----------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["standard", "e2e"])
def test_the_operator_sees_numbers_never_a_name_an_alias_or_a_message(visitors, operator, mode) -> None:
    """Room id, reasons, count, age and people; nothing anyone in the room typed, nor a sealed name or key."""
    room = room_with_words(visitors, mode)
    assert report(visitors(), room.room_id, "harassment").status_code == 202
    answer = operator.get("/api/admin/reports", headers=BEARER)
    [found] = answer.json()["rooms"]
    assert set(found) == REPORT_FIELDS
    assert found["room_id"] == room.room_id
    assert found["reasons"] == {"harassment": 1}
    assert found["count"] == 1
    assert isinstance(found["age"], int) and found["age"] >= 0
    assert found["participants"] == (1 if mode == "standard" else 2)
    assert MARK not in answer.text
    for word in ("name", "alias", "html", "text", "kdf", "salt", "verifier", "name_ct", "message"):
        assert f'"{word}"' not in answer.text


def test_most_reported_first(visitors, operator) -> None:
    rooms = [open_room(visitors, "standard").room_id for _ in range(3)]
    for room_id, times in zip(rooms, (1, 3, 2), strict=True):
        for _ in range(times):
            assert report(visitors(), room_id).status_code == 202
    assert [(found["room_id"], found["count"]) for found in listed(operator)] == [
        (rooms[1], 3),
        (rooms[2], 2),
        (rooms[0], 1),
    ]


def test_an_unreported_room_is_not_listed(visitors, operator, room: Room) -> None:
    assert report(visitors(), UNKNOWN_ROOM).status_code == 202
    assert listed(operator) == []


# -- closing --------------------------------------------------------------------------------------------------


def test_a_closed_room_is_gone_for_everyone(visitors, operator, room: Room) -> None:
    """Every socket hears `purged` (`closed`, by nobody) and is disconnected; the link says gone; no seat is left."""
    assert report(visitors(), room.room_id, "threats").status_code == 202
    answer = close(operator, room.room_id)
    assert (answer.status_code, answer.json()) == (200, {"ok": True})
    for member in room.members:
        assert member.socket.wait("purged") == {"reason": "closed", "by": None}
        assert not member.socket.connected
        page = member.person.get(f"/r/{room.room_id}")  # the member's own cookie: its binding died too
        assert page.status_code == 404
        assert "gone" in page.text.lower()
        with pytest.raises(Refused):
            member.person.connect(room.room_id)
    assert visitors().join(room.room_id).status_code == 404
    assert listed(operator) == []
    assert close(operator, room.room_id).status_code == 404  # already gone


@pytest.mark.parametrize("room_id", [UNKNOWN_ROOM, "not-a-room", "A" * 200])
def test_closing_what_is_not_a_room_is_not_found(operator, room: Room, room_id: str) -> None:
    answer = close(operator, room_id)
    assert (answer.status_code, answer.json()["error"]) == (404, "not_found")
    assert room.members[0].socket.connected


def test_an_unreported_room_can_be_closed_too(operator, room: Room) -> None:
    """A complaint may come by mail, with the link: the operator closes by id."""
    assert close(operator, room.room_id).status_code == 200
    assert room.members[1].socket.wait("purged") == {"reason": "closed", "by": None}


@pytest.mark.parametrize("end", ["purge", "close"])
def test_reports_die_with_the_room(visitors, operator, room: Room, end: str) -> None:
    assert report(visitors(), room.room_id).status_code == 202
    assert [found["room_id"] for found in listed(operator)] == [room.room_id]
    if end == "purge":
        assert room.members[1].socket.call("purge")["ok"]
    else:
        assert close(operator, room.room_id).status_code == 200
    assert listed(operator) == []
    assert report(visitors(), room.room_id).status_code == 202  # a late report brings nothing back
    assert listed(operator) == []


# -- the report control on the room's pages ---------------------------------------------------------------------


def _control(html: str) -> dict[str, Any]:
    """The report control's endpoint, reasons and button in a page (the page's module wires it: browser tests)."""
    url = re.search(r'id="report-dialog"[^>]*data-url="([^"]+)"', html, re.S)
    return {
        "url": url and url.group(1),
        "reasons": re.findall(r'name="reason" value="([a-z]+)"', html),
        "button": 'id="report-open"' in html,
    }


def test_the_join_page_and_the_chat_menu_offer_a_report(visitors, room: Room) -> None:
    expected = {"url": f"/api/rooms/{room.room_id}/report", "reasons": list(REPORT_REASONS), "button": True}
    assert _control(visitors().get(f"/r/{room.room_id}").text) == expected
    chat = room.members[0].person.get(f"/r/{room.room_id}").text
    assert 'id="chat"' in chat
    assert _control(chat) == expected
    menu = chat.split('id="room-menu"', 1)[1]
    assert menu.index('id="report-open"') < menu.index('id="messages"')  # inside the room's menu
