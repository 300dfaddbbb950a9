"""Server-blind rooms, in process: every shape the server checks, the relay, the mode refusals, the pages.

The server does no cryptography, so the keys here are random bytes of the right
sizes (`tests/support/e2e_shapes.py`). Every bad shape is a clear 400 `invalid`
(or `too_large`) answer or ack, never a 500 and never a room.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from ephemeral import create_app, e2e, socketio
from ephemeral.events import announce
from ephemeral.views import NEEDS_SCRIPT
from tests.inprocess.conftest import Room, open_room
from tests.support.e2e_shapes import b64url, create_body, envelope, kdf
from tests.support.inprocess import Answer, Person

PEOPLE = Callable[[], Person]
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
RELAYED = {"id", "from", "alias", "ts", "e2e"}
QR_SVG = re.compile(r'<svg[^>]* class="qr"')


def create(person: Person, **changes: Any) -> Answer:
    return person.post_json("/api/rooms", create_body(**changes))


def join(person: Person, room_id: str, **body: Any) -> Answer:
    return person.post_json(f"/api/rooms/{room_id}/join", {"alias": "bob", **body})


def html_escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("'", "&#39;").replace('"', "&#34;")


# -- create ---------------------------------------------------------------------------------------------------------


def test_create_answers_the_mode_and_sealed_name_and_no_name(people: PEOPLE) -> None:
    body = create_body(alias="ann")
    answer = people().post_json("/api/rooms", body)
    assert answer.status_code == 201, answer.text
    found = answer.json()
    assert set(found) == {"room_id", "mode", "name_ct", "alias", "participant_id", "expires_at", "url", "room"}
    assert (found["mode"], found["name_ct"], found["alias"]) == ("e2e", body["name_ct"], "ann")


def test_a_standard_room_says_its_mode(people: PEOPLE) -> None:
    found = people().create(alias="ann", name="Book club").json()
    assert (found["mode"], found["name"]) == ("standard", "Book club")
    assert "name_ct" not in found


NOT_BASE64URL = [
    pytest.param(lambda size: b64url(size) + "=", id="padded"),
    pytest.param(lambda size: "+" + b64url(size)[1:], id="plus"),
    pytest.param(lambda size: "/" + b64url(size)[1:], id="slash"),
    pytest.param(lambda size: b64url(size)[:-2] + " " + b64url(size)[-1], id="space"),
    pytest.param(lambda size: b64url(size) + "\n", id="newline"),
    pytest.param(lambda size: b64url(size)[:-1] + "B" if size % 3 else "!", id="stray-bits"),
    pytest.param(lambda size: b64url(size)[:-1] + "é", id="non-ascii"),
    pytest.param(lambda size: size, id="a-number"),
    pytest.param(lambda size: None, id="null"),
]

BAD_CREATES: list[Any] = [
    pytest.param({"kdf": None}, id="kdf-missing"),
    pytest.param({"kdf": "pbkdf2-sha256"}, id="kdf-not-an-object"),
    pytest.param({"kdf": kdf(extra=1)}, id="kdf-unknown-key"),
    pytest.param({"kdf": {"alg": "pbkdf2-sha256", "iter": 600_000}}, id="kdf-no-salt"),
    pytest.param({"kdf": kdf(alg="PBKDF2-SHA256")}, id="alg-case"),
    pytest.param({"kdf": kdf(alg="argon2id")}, id="alg-other"),
    pytest.param({"kdf": kdf(iter=599_999)}, id="iter-too-few"),
    pytest.param({"kdf": kdf(iter=2_000_001)}, id="iter-too-many"),
    pytest.param({"kdf": kdf(iter=600_000.0)}, id="iter-float"),
    pytest.param({"kdf": kdf(iter="600000")}, id="iter-text"),
    pytest.param({"kdf": kdf(iter=True)}, id="iter-bool"),
    pytest.param({"kdf": kdf(salt=b64url(15))}, id="salt-15-bytes"),
    pytest.param({"kdf": kdf(salt=b64url(17))}, id="salt-17-bytes"),
    pytest.param({"kdf": kdf(salt=b64url(16) + "==")}, id="salt-padded"),
    pytest.param({"verifier": None}, id="verifier-missing"),
    pytest.param({"verifier": b64url(31)}, id="verifier-31-bytes"),
    pytest.param({"verifier": b64url(33)}, id="verifier-33-bytes"),
    pytest.param({"verifier": b64url(32) + "="}, id="verifier-padded"),
    pytest.param({"verifier": "correct horse battery staple horse battery!"}, id="verifier-a-password"),
    pytest.param({"name_ct": None}, id="name-ct-missing"),
    pytest.param({"name_ct": ""}, id="name-ct-empty"),
    pytest.param({"name_ct": b64url(27)}, id="name-ct-too-short"),
    pytest.param({"name_ct": b64url(e2e.NAME_CT_MAX + 1)}, id="name-ct-too-long"),
    pytest.param({"name_ct": b64url(40) + "="}, id="name-ct-padded"),
    pytest.param({"password": "secret"}, id="with-a-password"),
    pytest.param({"name": "Book club"}, id="with-a-name"),
    pytest.param({"mode": "E2E"}, id="mode-case"),
    pytest.param({"mode": "blind"}, id="mode-unknown"),
    pytest.param({"mode": ["e2e"]}, id="mode-a-list"),
    pytest.param({"mode": "standard", "name": "Book club", "password": "secret"}, id="standard-with-keys"),
    pytest.param({"alias": ""}, id="alias-empty"),
]


@pytest.mark.parametrize("changes", BAD_CREATES)
def test_bad_server_blind_creates_are_invalid_and_make_no_room(people: PEOPLE, changes: dict[str, Any]) -> None:
    answer = create(people(), **changes)
    assert (answer.status_code, answer.json()["error"]) == (400, "invalid"), answer.text
    assert answer.json()["message"]
    assert "Set-Cookie" not in answer.headers


@pytest.mark.parametrize("bad", NOT_BASE64URL)
@pytest.mark.parametrize(("field", "size"), [("verifier", 32), ("name_ct", 40), ("salt", 16)])
def test_only_strict_base64url_is_taken(people: PEOPLE, field: str, size: int, bad: Callable[[int], object]) -> None:
    changes = {"kdf": kdf(salt=bad(size))} if field == "salt" else {field: bad(size)}
    answer = create(people(), **changes)
    assert (answer.status_code, answer.json()["error"]) == (400, "invalid"), answer.text


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"kdf": kdf(iter=600_000)}, id="fewest-rounds"),
        pytest.param({"kdf": kdf(iter=2_000_000)}, id="most-rounds"),
        pytest.param({"name_ct": b64url(e2e.NAME_CT_MIN)}, id="shortest-name"),
        pytest.param({"name_ct": b64url(e2e.NAME_CT_MAX)}, id="longest-name"),
    ],
)
def test_the_bounds_are_taken(people: PEOPLE, changes: dict[str, Any]) -> None:
    assert create(people(), **changes).status_code == 201


@pytest.mark.parametrize("field", ["verifier", "kdf", "name_ct"])
def test_a_standard_room_takes_no_keys(people: PEOPLE, field: str) -> None:
    body = {"alias": "ann", "name": "Book club", "password": "secret", field: create_body()[field]}
    answer = people().post_json("/api/rooms", body)
    assert (answer.status_code, answer.json()["error"]) == (400, "invalid")


# -- join and the door ----------------------------------------------------------------------------------------------


@pytest.fixture
def blind(people: PEOPLE) -> dict[str, Any]:
    """A server-blind room ann made: the body she sent, and the room's id."""
    body = create_body(alias="ann")
    answer = people().post_json("/api/rooms", body)
    assert answer.status_code == 201
    return {**body, "room_id": answer.json()["room_id"]}


def test_join_with_the_verifier(people: PEOPLE, blind: dict[str, Any]) -> None:
    answer = join(people(), blind["room_id"], verifier=blind["verifier"])
    assert answer.status_code == 200, answer.text
    assert {key: answer.json()[key] for key in ("mode", "name_ct")} == {"mode": "e2e", "name_ct": blind["name_ct"]}
    assert "name" not in answer.json()


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        pytest.param(lambda room: {"verifier": b64url(32)}, 403, "wrong_password", id="wrong-verifier"),
        pytest.param(lambda room: {"password": "secret"}, 400, "invalid", id="a-password"),
        pytest.param(lambda room: {"password": room["verifier"]}, 400, "invalid", id="the-verifier-as-password"),
        pytest.param(lambda room: {"verifier": room["verifier"], "password": "x"}, 400, "invalid", id="both"),
        pytest.param(lambda room: {}, 400, "invalid", id="neither"),
        pytest.param(lambda room: {"verifier": room["verifier"] + "="}, 400, "invalid", id="padded"),
        pytest.param(lambda room: {"verifier": b64url(31)}, 400, "invalid", id="31-bytes"),
        pytest.param(lambda room: {"verifier": None}, 400, "invalid", id="null"),
        pytest.param(lambda room: {"verifier": room["verifier"], "alias": ""}, 400, "invalid", id="alias-empty"),
    ],
)
def test_bad_joins_of_a_server_blind_room(
    people: PEOPLE, blind: dict[str, Any], body: Callable[[dict[str, Any]], dict[str, Any]], status: int, code: str
) -> None:
    answer = join(people(), blind["room_id"], **body(blind))
    assert (answer.status_code, answer.json()["error"]) == (status, code), answer.text
    assert "Set-Cookie" not in answer.headers


def test_a_verifier_on_a_standard_room_is_invalid(people: PEOPLE) -> None:
    room_id = people().create(alias="ann", password="secret").json()["room_id"]
    answer = join(people(), room_id, verifier=b64url(32))
    assert (answer.status_code, answer.json()["error"]) == (400, "invalid")
    assert join(people(), room_id, password="secret").status_code == 200


def test_a_mode_refusal_costs_no_bcrypt_and_no_budget(app, people: PEOPLE, blind: dict[str, Any]) -> None:
    svc = app.extensions["ephemeral"]
    hashed = svc.hasher.hashes_run
    guesser = people()
    for _ in range(int(svc.settings.wrong_password_limit_per_address.burst) + 2):
        assert join(guesser, blind["room_id"], password="secret").status_code == 400
    assert svc.hasher.hashes_run == hashed
    assert join(guesser, blind["room_id"], verifier=blind["verifier"]).status_code == 200


def test_wrong_verifiers_are_limited_like_wrong_passwords(app, people: PEOPLE, blind: dict[str, Any]) -> None:
    svc = app.extensions["ephemeral"]
    burst = int(svc.settings.wrong_password_limit_per_address.burst)
    guesser, hashed = people(), svc.hasher.hashes_run
    answers = [join(guesser, blind["room_id"], verifier=b64url(32)).status_code for _ in range(burst + 1)]
    assert answers == [403] * burst + [429]
    assert svc.hasher.hashes_run == hashed + burst  # bcrypt checked each verifier it let through


def test_the_door_tells_the_mode_and_key_parameters(people: PEOPLE, blind: dict[str, Any]) -> None:
    answer = people().get(f"/api/rooms/{blind['room_id']}")
    assert answer.status_code == 200
    assert answer.json() == {"mode": "e2e", "kdf": blind["kdf"]}
    standard = people().create().json()["room_id"]
    assert people().get(f"/api/rooms/{standard}").json() == {"mode": "standard"}


@pytest.mark.parametrize("room_id", ["A" * 22, "not-a-room", "purged"])
def test_the_door_answers_a_gone_room_as_the_join_does(people: PEOPLE, any_room: Room, room_id: str) -> None:
    if room_id == "purged":
        room_id = any_room.room_id
        assert any_room.members[0].socket.call("purge")["ok"]
    door = people().get(f"/api/rooms/{room_id}")
    joined = join(people(), room_id, verifier=b64url(32))
    assert (door.status_code, door.json()) == (joined.status_code, joined.json())
    assert door.status_code == 404


# -- welcome and the relay ------------------------------------------------------------------------------------------


def test_welcome_carries_the_key_parameters_and_sealed_name(people: PEOPLE, blind: dict[str, Any]) -> None:
    bob = people()
    assert join(bob, blind["room_id"], verifier=blind["verifier"]).status_code == 200
    welcome = bob.connect(blind["room_id"]).wait("welcome")
    assert (welcome["mode"], welcome["kdf"], welcome["name_ct"]) == ("e2e", blind["kdf"], blind["name_ct"])
    assert "name" not in welcome


def test_welcome_of_a_standard_room_has_its_name_and_no_keys(room: Room) -> None:
    welcome = room.members[1].person.connect(room.room_id).wait("welcome")
    assert (welcome["mode"], welcome["name"]) == ("standard", "test room")
    assert not {"kdf", "name_ct"} & set(welcome)


@pytest.fixture
def blind_room(people: PEOPLE) -> Room:
    return open_room(people, "e2e")


@pytest.mark.parametrize("blocks", [1, 2, (e2e.MAX_CT_BYTES - e2e.TAG_BYTES) // e2e.PAD_BYTES])
def test_the_envelope_is_relayed_exactly_with_the_servers_stamps(blind_room: Room, blocks: int) -> None:
    ann, bob = blind_room.members
    sent = envelope(blocks, n=blocks)
    ack = ann.socket.call("message", {"e2e": sent, "unknown": "ignored"})
    assert ack == {"ok": True, "id": ack["id"]}
    for reader in (ann, bob):
        relayed = reader.socket.wait("message")
        assert set(relayed) == RELAYED
        assert (relayed["id"], relayed["from"], relayed["alias"], relayed["e2e"]) == (ack["id"], ann.id, "ann", sent)
        assert isinstance(relayed["ts"], int)


BAD_ENVELOPES: list[Any] = [
    pytest.param(None, "invalid", id="missing"),
    pytest.param("ciphertext", "invalid", id="text"),
    pytest.param([], "invalid", id="a-list"),
    pytest.param(envelope(html="<b>hi</b>"), "invalid", id="unknown-key"),
    pytest.param({k: v for k, v in envelope().items() if k != "iv"}, "invalid", id="no-iv"),
    pytest.param(envelope(v=2), "invalid", id="v-2"),
    pytest.param(envelope(v=True), "invalid", id="v-true"),
    pytest.param(envelope(v=1.0), "invalid", id="v-float"),
    pytest.param(envelope(v="1"), "invalid", id="v-text"),
    pytest.param(envelope(n=-1), "invalid", id="n-negative"),
    pytest.param(envelope(n=2**53), "invalid", id="n-past-2^53"),
    pytest.param(envelope(n=1.5), "invalid", id="n-float"),
    pytest.param(envelope(n=0.0), "invalid", id="n-float-zero"),
    pytest.param(envelope(n=False), "invalid", id="n-bool"),
    pytest.param(envelope(n="0"), "invalid", id="n-text"),
    pytest.param(envelope(n=None), "invalid", id="n-null"),
    pytest.param(envelope(sid=b64url(7)), "invalid", id="sid-7-bytes"),
    pytest.param(envelope(sid=b64url(9)), "invalid", id="sid-9-bytes"),
    pytest.param(envelope(sid=b64url(8) + "="), "invalid", id="sid-padded"),
    pytest.param(envelope(iv=b64url(11)), "invalid", id="iv-11-bytes"),
    pytest.param(envelope(iv=b64url(13)), "invalid", id="iv-13-bytes"),
    pytest.param(envelope(iv="+" + b64url(12)[1:]), "invalid", id="iv-plus"),
    pytest.param(envelope(ct=""), "invalid", id="ct-empty"),
    pytest.param(envelope(ct=b64url(16)), "invalid", id="ct-only-a-tag"),
    pytest.param(envelope(ct=b64url(256)), "invalid", id="ct-no-tag"),
    pytest.param(envelope(ct=b64url(257 + 16)), "invalid", id="ct-not-padded"),
    pytest.param(envelope(ct=b64url(272) + "="), "invalid", id="ct-padded"),
    pytest.param(envelope(ct=b64url(272)[:-1] + "/"), "invalid", id="ct-slash"),
    pytest.param(envelope(ct=b64url(272)[:100] + " " + b64url(272)[101:]), "invalid", id="ct-space"),
    pytest.param(envelope(ct=b64url(128 * 256 + 16)), "too_large", id="ct-one-block-too-many"),
    pytest.param(envelope(ct="A" * (e2e.chars_for(e2e.MAX_CT_BYTES) + 1)), "too_large", id="ct-text-too-long"),
]


@pytest.mark.parametrize(("sealed", "code"), BAD_ENVELOPES)
def test_bad_envelopes_are_refused_and_relay_nothing(blind_room: Room, sealed: object, code: str) -> None:
    ann, bob = blind_room.members
    ack = ann.socket.call("message", {"e2e": sealed} if sealed is not None else {})
    assert (ack["ok"], ack["error"]) == (False, code), ack
    assert ack["message"]
    assert bob.socket.pending("message") == []
    assert ann.socket.call("message", {"e2e": envelope()})["ok"]


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param({"text": "hello"}, id="text"),
        pytest.param({"text": "hello", "e2e": envelope()}, id="text-and-envelope"),
        pytest.param(None, id="nothing"),
        pytest.param("hello", id="a-string"),
    ],
)
def test_a_server_blind_room_takes_no_text(blind_room: Room, payload: object) -> None:
    ann, bob = blind_room.members
    ack = ann.socket.call("message", payload)
    assert (ack["ok"], ack["error"]) == (False, "invalid")
    assert bob.socket.pending("message") == []


def test_a_standard_room_takes_no_envelope(room: Room) -> None:
    ann, bob = room.members
    for payload in ({"e2e": envelope()}, {"e2e": envelope(), "text": "hello"}):
        ack = ann.socket.call("message", payload)
        assert (ack["ok"], ack["error"]) == (False, "invalid")
    assert bob.socket.pending("message") == []


def test_the_largest_envelope_fits_a_frame_whatever_the_message_limit(tasks) -> None:
    create_app({"ASYNC_MODE": "threading", "BCRYPT_COST": 4, "MAX_MESSAGE_CHARS": 10}, environ={})
    largest = envelope((e2e.MAX_CT_BYTES - e2e.TAG_BYTES) // e2e.PAD_BYTES, n=e2e.N_MAX)
    frame = "421" + json.dumps(["message", {"e2e": largest}], separators=(",", ":"))
    assert len(frame) <= socketio.server.eio.max_http_buffer_size


# -- lifecycle ------------------------------------------------------------------------------------------------------


def test_expiry_closes_a_server_blind_room(app, any_room: Room, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reaper's one tick, with the registry's clock past the room's end."""
    registry = app.extensions["ephemeral"].registry
    ends = app.extensions["ephemeral"].settings.room_ttl + 1
    now = registry._clock
    monkeypatch.setattr(registry, "_clock", lambda: now() + ends)
    with app.app_context():
        announce.notices(registry.upkeep())
    for member in any_room.members:
        assert member.socket.wait("purged") == {"reason": "expired", "by": None}
        assert not member.socket.connected
    assert any_room.members[0].person.get(f"/api/rooms/{any_room.room_id}").status_code == 404


# -- pages ----------------------------------------------------------------------------------------------------------


def test_the_join_page_carries_the_mode_and_key_parameters(people: PEOPLE, blind: dict[str, Any]) -> None:
    page = people().get(f"/r/{blind['room_id']}")
    assert page.status_code == 200
    assert 'data-mode="e2e"' in page.text
    found = re.search(r"data-kdf='([^']*)'", page.text)
    assert found is not None
    assert json.loads(found[1].replace("&#34;", '"')) == blind["kdf"]
    password = re.search(r'<input id="password"[^>]*>', page.text)
    assert password is not None and "name=" not in password[0]  # never posted without the script


def test_the_join_page_of_a_standard_room_posts_its_password(people: PEOPLE) -> None:
    room_id = people().create().json()["room_id"]
    page = people().get(f"/r/{room_id}")
    assert 'data-mode="standard"' in page.text and "data-kdf" not in page.text
    assert re.search(r'<input id="password" name="password"', page.text)


def test_a_form_join_of_a_server_blind_room_needs_the_script(people: PEOPLE, blind: dict[str, Any]) -> None:
    bob = people()
    path = f"/r/{blind['room_id']}"
    token = CSRF.search(bob.get(path).text)
    assert token is not None
    form = {"csrf_token": token[1], "alias": "bob", "password": "secret"}
    answer = Answer(bob.http.post(path, data=form))
    assert answer.status_code == 400
    assert html_escaped(NEEDS_SCRIPT) in answer.text
    assert bob.get(path).text.count('id="join-form"') == 1  # still not in: the join page again


def test_the_form_makes_no_server_blind_room(app, people: PEOPLE) -> None:
    ann = people()
    token = CSRF.search(ann.get("/").text)
    assert token is not None
    form = {"csrf_token": token[1], "alias": "ann", "name": "Book club", "password": "secret", "mode": "e2e"}
    answer = Answer(ann.http.post("/", data=form))
    assert answer.status_code == 400
    assert html_escaped(NEEDS_SCRIPT) in answer.text
    assert app.extensions["ephemeral"].registry.live_rooms() == 0


@pytest.mark.parametrize("page", ["", "/share"])
def test_a_server_blind_rooms_pages_show_no_name_and_draw_no_qr(blind_room: Room, page: str) -> None:
    ann = blind_room.members[0]
    answer = ann.person.get(f"/r/{blind_room.room_id}{page}")
    assert answer.status_code == 200
    assert "None" not in answer.text
    assert not QR_SVG.search(answer.text)  # the link's key is in its fragment: only the page can draw it
    assert 'id="qr-slot"' in answer.text
    assert 'data-mode="e2e"' in answer.text and "data-name-ct=" in answer.text


@pytest.mark.parametrize("page", ["", "/share"])
def test_a_standard_rooms_pages_keep_the_servers_qr(room: Room, page: str) -> None:
    answer = room.members[0].person.get(f"/r/{room.room_id}{page}")
    assert QR_SVG.search(answer.text) and 'id="qr-slot"' not in answer.text
    assert 'data-mode="standard"' in answer.text and "test room" in answer.text
