"""Hostile HTML in a server-blind room: the server cannot clean what it cannot read, so the readers' pages must.

Raw Python members seal the sanitizer's whole hostile table as the message HTML itself (`t`), unsanitized, as
no page would, and send it through the real server. Two readers joined by link and password: one with the
page's CSP, one without it, where only the page's own sanitizer (vendored DOMPurify) and renderer stand
between a payload and its execution. Nothing runs, nothing is fetched, no CSP violation is reported, every
element left is on the allowlist, and held media loaded by a click run nothing either.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import PIXEL_PNG, expect_connected, message, requests_leaving
from tests.browser.test_client import (
    AUDIT_MESSAGES,
    CSP_REFUSALS,
    MEDIA_SETTLED,
    MEDIA_TAGS,
    PER_SENDER,
    RENDERED_TAGS,
    XSS_VECTORS,
    prove_inline_handlers_run,
)
from tests.browser.test_e2e_client import join_blind_room
from tests.support import e2e_client
from tests.support.e2e_client import Member, RoomKeys
from tests.support.people import Person
from tests.support.server import RunningServer

pytestmark = pytest.mark.browser

PASSWORD = "hostile password"
# What a reader says of a message it did not show (static/js/strings/en.js, e2e.*).
REFUSALS = re.compile("could not be decrypted|missing|refused")


def test_unsanitized_hostile_html_sealed_into_a_server_blind_room_runs_and_fetches_nothing(
    new_page: Callable[..., Page], live_server: RunningServer, page_errors: list[str]
) -> None:
    keys = RoomKeys.new(PASSWORD)
    people: list[Person] = []
    members: list[Member] = []
    try:
        host = Person(live_server.url)
        people.append(host)
        room_id = e2e_client.create(host, "host", "xss", keys).json()["room_id"]
        link = f"{live_server.url}/r/{room_id}{keys.fragment}"

        reader, bare = new_page(), new_page(bypass_csp=True)
        reader.add_init_script(CSP_REFUSALS)
        dialogs: list[str] = []
        for page, alias in ((reader, "reader"), (bare, "bare")):
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            join_blind_room(page, link, alias, PASSWORD)
            expect_connected(page)
        prove_inline_handlers_run(bare)
        leaving = {"reader": requests_leaving(reader, live_server.url), "bare": requests_leaving(bare, live_server.url)}

        # The table as sealed HTML, from members who each send at most PER_SENDER (under the rate limit).
        for start in range(0, len(XSS_VECTORS), PER_SENDER):
            person = Person(live_server.url)
            people.append(person)
            assert e2e_client.join(person, room_id, f"sender{start}", keys).status_code == 200
            sender = Member.connect(person, room_id, keys)
            members.append(sender)
            for n, (name, vector) in enumerate(XSS_VECTORS[start : start + PER_SENDER], start):
                ack = sender.send(f"[{n:03d}] {vector}")
                assert ack["ok"] is True, (name, ack)

        for page in (reader, bare):
            expect(page.locator("#messages li.message")).to_have_count(len(XSS_VECTORS))
            expect(message(page, f"[{len(XSS_VECTORS) - 1:03d}]")).to_be_visible()
            refusals = page.locator("#messages li.system").filter(has_text=REFUSALS)
            expect(refusals).to_have_count(0)  # each was opened, checked and shown
            assert page.evaluate("() => window.__xss") is None
            assert page.evaluate(AUDIT_MESSAGES, RENDERED_TAGS) == []
        assert reader.evaluate("() => window.__refused") == []
        assert leaving == {"reader": [], "bare": []}
        assert dialogs == []

        # Loading every held medium in the bare page runs nothing either.
        bare.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.fulfill(body=PIXEL_PNG))
        placeholders = bare.locator("#messages .media-placeholder")
        held = placeholders.count()
        assert held >= 3  # the table's https media
        for _ in range(held):
            placeholders.first.click()
        expect(placeholders).to_have_count(0)
        assert bare.evaluate(MEDIA_SETTLED) == held
        assert bare.evaluate(AUDIT_MESSAGES, RENDERED_TAGS + MEDIA_TAGS) == []
        assert bare.evaluate("() => window.__xss") is None
        assert dialogs == []
        assert page_errors == []
    finally:
        for member in members:
            member.close()
        for person in people:
            person.close()
