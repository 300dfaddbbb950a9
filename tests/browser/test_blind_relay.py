"""A malicious server, as a reader's page in a server-blind room sees it: the test sits where the server's frames
reach the page and relays them as a hostile operator could, withholding, reordering, replaying, re-attributing
and moving envelopes that honest members sealed and sent through the real server. The page refuses each one and
says so in the conversation; only what the sender sealed, for this room, in order, is shown.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from ephemeral_client import crypto
from playwright.sync_api import Page, WebSocketRoute, expect

from tests.browser.support import expect_connected, expect_present
from tests.browser.test_e2e_client import join_blind_room
from tests.support import e2e_client
from tests.support.e2e_client import Member, RoomKeys
from tests.support.people import Person
from tests.support.server import RunningServer

pytestmark = pytest.mark.browser

PASSWORD = "relay password"
UNDECRYPTABLE = "A message could not be decrypted"
REPLAYED = "came again, or out of order (a replay)"
WRITTEN_BEFORE = "was refused as a replay: it was written before you joined"
NAMES_SOMEONE_ELSE = "it came as cat's, but names someone else inside"
_MESSAGE = re.compile(r'^42\["message",(.*)\]$', re.DOTALL)


@dataclass
class Relay:
    """Between the real server and the page: passes every frame on, except the `message` events it is told to keep.

    With `keep` on, each message the server sends goes to `kept` instead of the page; `passed` holds the ones
    passed on. `deliver(payload)` hands the page any message, as the server would.
    """

    keep: bool = False
    kept: list[dict[str, Any]] = field(default_factory=list)
    passed: list[dict[str, Any]] = field(default_factory=list)
    routes: list[WebSocketRoute] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.route_web_socket(re.compile(r"/socket\.io/"), self._route)

    def _route(self, socket: WebSocketRoute) -> None:
        server = socket.connect_to_server()

        def from_server(frame: str | bytes) -> None:
            match = _MESSAGE.match(frame) if isinstance(frame, str) else None
            if match:
                (self.kept if self.keep else self.passed).append(json.loads(match.group(1)))
                if self.keep:
                    return
            socket.send(frame)

        server.on_message(from_server)
        self.routes.append(socket)

    def deliver(self, payload: dict[str, Any]) -> None:
        self.routes[-1].send("42" + json.dumps(["message", payload]))


def notes(page: Page, text: str) -> Any:
    return page.locator("#messages li.system").filter(has_text=text)


def bodies(page: Page) -> Callable[[], list[str]]:
    return lambda: page.locator("#messages li.message .body").all_inner_texts()


def wait_kept(page: Page, relay: Relay, count: int) -> list[dict[str, Any]]:
    """The first `count` messages the relay kept back, once the server has sent that many."""
    deadline = time.monotonic() + 10
    while len(relay.kept) < count:
        assert time.monotonic() < deadline, f"the relay kept {len(relay.kept)} of {count}"
        # Playwright hands the relay its frames only while the test is in one of its calls.
        page.wait_for_timeout(10)
    return relay.kept[:count]


def test_a_relay_that_withholds_reorders_replays_reattributes_or_moves_envelopes_is_refused_and_said(
    new_page: Callable[..., Page], shared_server: RunningServer, page_errors: list[str]
) -> None:
    ann, cat = Person(shared_server.url), Person(shared_server.url)
    members: list[Member] = []
    try:
        keys = RoomKeys.new(PASSWORD)
        room_id = e2e_client.create(ann, "ann", "relayed", keys).json()["room_id"]
        assert e2e_client.join(cat, room_id, "cat", keys).status_code == 200
        ann_member, cat_member = Member.connect(ann, room_id, keys), Member.connect(cat, room_id, keys)
        members += [ann_member, cat_member]
        # Another room made with the same password, salt and link secret, so the same key: only its id differs.
        twin_id = e2e_client.create(ann, "ann", "twin", keys).json()["room_id"]
        twin = Member.connect(ann, twin_id, keys)
        members.append(twin)

        bob = new_page()
        relay = Relay()
        relay.attach(bob)
        join_blind_room(bob, f"{shared_server.url}/r/{room_id}{keys.fragment}", "bob", PASSWORD)
        expect_connected(bob)
        expect_present(bob, "ann", "cat", "bob")
        shown = bodies(bob)

        # Honest relaying first: ann's message 0 arrives and is shown.
        assert ann_member.send("m0 honest")["ok"]
        expect(bob.locator("#messages li.message")).to_have_count(1)
        assert shown() == ["m0 honest"]

        # The relay keeps ann's next four and cat's first from the page.
        relay.keep = True
        for n in range(1, 5):
            assert ann_member.send(f"m{n} from ann")["ok"]
        assert cat_member.send("c0 from cat")["ok"]
        m1, m2, m3, m4, c0 = wait_kept(bob, relay, 5)
        [m0] = relay.passed
        relay.keep = False

        # Reordered: m3 before m1 and m2. m3 is shown, with the two before it said missing; they are refused after.
        relay.deliver(m3)
        expect(notes(bob, "2 messages from ann are missing")).to_have_count(1)
        expect(bob.locator("#messages li.message")).to_have_count(2)
        relay.deliver(m1)
        relay.deliver(m2)
        expect(notes(bob, REPLAYED)).to_have_count(2)
        # Replayed: m3 again, and m0 again under a new id.
        relay.deliver(m3)
        relay.deliver({**m0, "id": "replayed-m0"})
        expect(notes(bob, REPLAYED)).to_have_count(4)

        # Re-attributed: ann's m4 said to be cat's (cat's id and alias), then said to be cat's by alias alone.
        relay.deliver({**m4, "id": "forged-1", "from": cat_member.participant_id, "alias": "cat"})
        expect(notes(bob, UNDECRYPTABLE)).to_have_count(1)
        relay.deliver({**m4, "id": "forged-2", "alias": "cat"})
        expect(notes(bob, NAMES_SOMEONE_ELSE)).to_have_count(1)
        # Cat's own message said to be ann's.
        relay.deliver({**c0, "id": "forged-3", "from": ann_member.participant_id, "alias": "ann"})
        expect(notes(bob, UNDECRYPTABLE)).to_have_count(2)

        # Moved: the twin room's message, sealed with the same key, relayed here as ann's; and one that differs
        # from ann's next only in the room it was sealed for.
        assert twin.send("t0 from the twin room")["ok"]
        [moved] = twin.wire.wait_events("message", 1)
        relay.deliver({**moved, "from": ann_member.participant_id})
        relay.deliver({**m4, "id": "moved-2", "e2e": ann_member.seal("sealed for the twin room", room_id=twin_id)})
        expect(notes(bob, UNDECRYPTABLE)).to_have_count(4)
        # Replayed from before bob joined: a message ann sealed in an earlier page load, a minute ago.
        earlier = dataclasses.replace(ann_member, sid=crypto.new_sid(), n=0)
        stale = earlier.seal("said a minute ago", ts=int(time.time() * 1000) - 60_000)
        relay.deliver({**m1, "id": "stale-1", "e2e": stale})
        expect(notes(bob, WRITTEN_BEFORE)).to_have_count(1)

        # None of it shows as a message; the envelopes as sealed still pass, in order.
        relay.deliver(m4)
        relay.deliver(c0)
        expect(bob.locator("#messages li.message")).to_have_count(4)
        assert shown() == ["m0 honest", "m3 from ann", "m4 from ann", "c0 from cat"]
        expect(bob.locator("#messages li.message").filter(has_text="c0 from cat").locator(".alias")).to_have_text("cat")
        expect(bob.locator("#messages")).not_to_contain_text("twin room")
        expect(bob.locator("#messages")).not_to_contain_text("a minute ago")
        assert page_errors == []
    finally:
        for member in members:
            member.close()
        for person in (ann, cat):
            person.close()
