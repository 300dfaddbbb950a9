"""What the client holds and says: identity by participant id, words from the catalog, and a wipe that empties it.

Messages live in a model on the page, drawn one entry (`li[data-id]`) per message;
who is "you" and who came or went is decided by participant id; every word on
screen, an error included, comes from the client's catalog (static/js/strings/en.js).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import (
    Pair,
    create_room_through_api,
    expect_gone,
    expect_message,
    join_room_through_api,
    message,
    pair_up,
    purge,
    send,
)
from tests.support.server import RunningServer

pytestmark = pytest.mark.browser

NewPage = Callable[..., Page]
MAX_CHARS = 4000  # the server's default EPHEMERAL_MAX_MESSAGE_CHARS, which the page carries as data-max-chars
# The catalog's words for the ack codes under test (static/js/strings/en.js).
TOO_LARGE = f"Too long to send: a message can have at most {MAX_CHARS} characters."
INTERNAL = "Something went wrong. Try again."


@pytest.fixture
def pair(new_page: NewPage, shared_server: RunningServer) -> Pair:
    """Ann and Bob in a room made and joined through the JSON API: these tests are about the chat page."""
    return pair_up(new_page, shared_server.url, forms=False)


def test_presence_marks_the_host_and_you_and_says_who_came(pair: Pair, page_errors: list[str]) -> None:
    expect(pair.ann.locator("#presence li")).to_have_text(["ann Host (you)", "bob"])
    expect(pair.bob.locator("#presence li")).to_have_text(["ann Host", "bob (you)"])
    expect(pair.ann.locator("#presence li .host")).to_have_text("Host")
    expect(pair.ann.locator("#messages li.system").filter(has_text=re.compile("^bob joined$"))).to_have_count(1)
    # The server said who Ann is in its welcome; the page marks that participant, by id.
    (welcome,) = pair.ann_socket.events("welcome")
    assert welcome["you"]["alias"] == "ann" and welcome["you"]["role"] == "host"
    assert page_errors == []


def test_mine_is_decided_by_participant_id_not_by_alias(pair: Pair, page_errors: list[str]) -> None:
    (welcome,) = pair.ann_socket.events("welcome")
    ann_id = welcome["you"]["id"]
    # Someone else under Ann's alias (a later Ann, once the alias was free): not Ann's message.
    pair.ann_socket.inject(
        "message", {"id": "not-ann-1", "from": "someone-else", "alias": "ann", "html": "words under her name", "ts": 1}
    )
    expect_message(pair.ann, "words under her name", "ann", mine=False)
    # And her own id under any alias is hers.
    pair.ann_socket.inject(
        "message", {"id": "ann-1", "from": ann_id, "alias": "ann", "html": "her own, by id", "ts": 2}
    )
    expect_message(pair.ann, "her own, by id", "ann", mine=True)

    send(pair.ann, "a real one from ann")
    send(pair.bob, "a real one from bob")
    expect_message(pair.ann, "a real one from ann", "ann", mine=True)
    expect_message(pair.ann, "a real one from bob", "bob", mine=False)
    expect_message(pair.bob, "a real one from ann", "ann", mine=False)
    expect_message(pair.bob, "a real one from bob", "bob", mine=True)
    assert page_errors == []


def test_joined_and_left_are_decided_by_participant_id_not_by_alias(pair: Pair, page_errors: list[str]) -> None:
    (welcome,) = pair.ann_socket.events("welcome")
    ann = welcome["you"]
    # Bob is replaced by another participant who took the alias "bob": the same names, other people.
    newcomer = {"id": "another-bob", "alias": "bob", "role": "member"}
    pair.ann_socket.inject("presence", {"participants": [ann, newcomer]})

    notes = pair.ann.locator("#messages li.system")
    expect(notes.filter(has_text=re.compile("^bob left$"))).to_have_count(1)
    expect(notes.filter(has_text=re.compile("^bob joined$"))).to_have_count(2)  # the real join, then the newcomer
    expect(pair.ann.locator("#presence li")).to_have_text(["ann Host (you)", "bob"])
    assert page_errors == []


def test_a_refused_message_shows_the_catalogs_words_for_the_acks_code_not_the_servers_text(
    pair: Pair, page_errors: list[str]
) -> None:
    expect(pair.ann.locator("#chat")).to_have_attribute("data-max-chars", str(MAX_CHARS))
    # The textarea stops typing at the limit; a page whose limit is stale (or a pasted text) gets past it.
    pair.ann.evaluate("() => document.getElementById('text').removeAttribute('maxlength')")
    too_long = "x" * (MAX_CHARS + 1)
    pair.ann.fill("#text", too_long)
    pair.ann.press("#text", "Enter")

    error = pair.ann.locator("#composer-error")
    expect(error).to_be_visible()
    expect(error).to_have_text(TOO_LARGE)
    (ack,) = pair.ann_socket.acks()
    assert ack["ok"] is False and ack["error"] == "too_large", ack
    assert ack["message"] and ack["message"] not in pair.ann.content(), ack
    # Nothing went out, and the text waits in the composer to be shortened.
    expect(pair.ann.locator("#text")).to_have_value(too_long)
    expect(pair.ann.locator("#messages li.message")).to_have_count(0)

    # The next good message clears the error.
    send(pair.ann, "shorter now")
    expect(error).to_be_hidden()
    expect(message(pair.bob, "shorter now")).to_have_count(1)
    assert page_errors == []


def test_an_error_code_the_client_does_not_know_shows_the_catalogs_internal_words(
    pair: Pair, page_errors: list[str]
) -> None:
    server_words = "A newer server explains this in English"
    # The server takes the message; only its answer is changed on the way to the page.
    pair.ann_socket.edit_ack = lambda ack: {"ok": False, "error": "brand_new_code", "message": server_words}
    pair.ann.fill("#text", "this one is refused on the way back")
    pair.ann.press("#text", "Enter")

    expect(pair.ann.locator("#composer-error")).to_have_text(INTERNAL)
    assert server_words not in pair.ann.content()
    expect(pair.ann.locator("#text")).to_have_value("this one is refused on the way back")
    assert page_errors == []


# Reports the conversation part of the chat page on every change, even the last one before the page moves on
# (to the gone page, or, after a purge, to the gone card in its place).
CONVERSATION_RECORDER = """
addEventListener("DOMContentLoaded", () => {
  const layout = document.querySelector("#chat .layout");
  if (!layout) return;
  const report = () => window.__conversationShows({
    entries: document.querySelectorAll("#messages li").length,
    messages: [...document.querySelectorAll("#messages li.message")].map((item) => item.dataset.id || ""),
    present: document.querySelectorAll("#presence li").length,
    text: document.getElementById("messages")?.textContent ?? "",  // a purged page drops the list itself
  });
  new MutationObserver(report).observe(layout, {childList: true, subtree: true, characterData: true});
});
"""


@pytest.mark.parametrize("how", ["purge", "leave"])
def test_wiping_empties_the_message_list_before_the_page_moves_on(
    new_page: NewPage, shared_server: RunningServer, how: str, page_errors: list[str]
) -> None:
    ann, bob = new_page(), new_page()
    shown: list[dict[str, Any]] = []
    ann.expose_function("__conversationShows", lambda snapshot: shown.append(snapshot))
    ann.add_init_script(CONVERSATION_RECORDER)
    link = create_room_through_api(ann, shared_server.url, "ann", "plans")
    join_room_through_api(bob, link, "bob")
    said = ["ann: the key is under the mat", "bob: the boat leaves at six"]
    send(ann, said[0])
    send(bob, said[1])
    expect(ann.locator("#messages li.message")).to_have_count(2)
    # One entry per message, each under the id the server gave it.
    ids = ann.locator("#messages li.message").evaluate_all("(items) => items.map((item) => item.dataset.id)")
    assert len(set(ids)) == 2 and all(ids), ids

    if how == "purge":
        purge(ann)
    else:
        ann.get_by_role("button", name="Leave").click()
    expect_gone(ann, "purged" if how == "purge" else "logout", *said)

    # The recorder saw both messages on the chat page, then, last of all, an empty one.
    assert any(snapshot["messages"] == ids for snapshot in shown), shown
    last = shown[-1]
    assert (last["entries"], last["messages"], last["present"]) == (0, [], 0), last
    for text in said:
        assert text not in last["text"], f"{text!r} was still on the chat page when it moved on after {how}"
    if how == "leave":
        expect(bob.locator("#messages li.message")).to_have_count(2)  # the room goes on for Bob
    assert page_errors == []


def test_the_list_keeps_its_last_500_entries_dropping_the_oldest_notes_and_messages_alike(
    pair: Pair, page_errors: list[str]
) -> None:
    """A page open for long, or a room flooded with arrivals and departures, keeps a bounded list (model.js)."""
    ann, bob = pair.ann_socket.events("presence")[-1]["participants"]
    # Bob flickers 100 times (200 notes, as a churning binding made before presence was paced), then 320 messages.
    for _ in range(100):
        pair.ann_socket.inject("presence", {"participants": [ann]})
        pair.ann_socket.inject("presence", {"participants": [ann, bob]})
    for n in range(320):
        pair.ann_socket.inject("message", {"id": f"m{n}", "from": bob["id"], "alias": "bob", "html": f"n{n}", "ts": n})
    entries = pair.ann.locator("#messages > li")
    expect(entries.last).to_have_attribute("data-id", "m319")
    expect(entries).to_have_count(500)
    # The oldest went first: the page's first notes and some flicker notes; the messages are all there.
    expect(pair.ann.locator("#messages li.message")).to_have_count(320)
    expect(pair.ann.locator("#messages li.system")).to_have_count(180)
    expect(entries.first).to_have_class("system")
    # A continued run starts afresh at the top: the first message left shows its name and time.
    for n in range(320, 520):
        pair.ann_socket.inject("message", {"id": f"m{n}", "from": bob["id"], "alias": "bob", "html": f"n{n}", "ts": n})
    expect(entries.last).to_have_attribute("data-id", "m519")
    expect(entries).to_have_count(500)
    expect(entries.first).to_have_attribute("data-id", "m20")
    expect(entries.first).not_to_have_class(re.compile(r"\bcontinued\b"))
    assert page_errors == []
