"""The web client as a person meets it: share card, presence, order, purge, leave, expiry, refresh, unread count.

Every test drives Debian's Chromium against a real server process and asserts
on what is on the screen (text, URL, title, focus, clipboard), not on internals.
"""

from __future__ import annotations

import queue
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Dialog, Locator, Page, expect

from tests.browser.support import (
    PASSWORD,
    PIXEL_PNG,
    create_room,
    create_room_to_share_card,
    enter_from_share_card,
    expect_connected,
    expect_gone,
    expect_message,
    expect_no_conversation,
    expect_present,
    expect_wiped,
    focused_outline,
    join_room,
    message,
    purge,
    requests_leaving,
    send,
    set_hidden,
    severe_violations,
    tab_to,
)
from tests.support.people import Person
from tests.support.server import RunningServer, running_server
from tests.unit.test_sanitize import HOSTILE

pytestmark = pytest.mark.browser

NewPage = Callable[..., Page]


def only_expected_404s(page_errors: list[str], *urls: str) -> list[str]:
    """page_errors without the 404s of dead room URLs a test visits on purpose."""
    return [e for e in page_errors if not ("status of 404" in e and e.endswith(urls))]


@dataclass
class Trio:
    link: str
    ann: Page
    bob: Page
    cat: Page

    @property
    def pages(self) -> tuple[Page, Page, Page]:
        return (self.ann, self.bob, self.cat)


@pytest.fixture
def trio(new_page: NewPage, shared_server: RunningServer) -> Trio:
    """Ann creates a room through the landing form; Bob and Cat join by its link, each in a separate context."""
    ann, bob, cat = new_page(), new_page(), new_page()
    link = create_room(ann, shared_server.url, "ann", "plans")
    join_room(bob, link, "bob")
    join_room(cat, link, "cat")
    # A socket that connects later gets no history: everyone is connected before anyone speaks.
    for page in (ann, bob, cat):
        expect(page.locator("#presence-count")).to_have_text("3")
    return Trio(link, ann, bob, cat)


# 1 ----------------------------------------------------------------------------------------------------------------


def test_share_card_shows_link_and_qr_and_copies_the_link_without_the_password(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    link = create_room_to_share_card(page, shared_server.url, "ann", "plans", PASSWORD)

    expect(page.get_by_role("heading", name="Your room is ready")).to_be_visible()
    expect(page.locator(".room-title")).to_have_text("plans")
    expect(page.locator("#room-link")).to_be_visible()
    expect(page.locator("#room-link")).to_have_value(re.compile(r"^http://127\.0\.0\.1:\d+/r/[A-Za-z0-9_-]{22}$"))
    qr = page.locator("svg.qr")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box is not None and box["width"] >= 120 and box["height"] >= 120, box
    expect(page.locator(".qr-figure figcaption")).to_contain_text("The password is not in the code")
    # The expiry shows in the reader's own clock, with the minutes left.
    expect(page.locator("#expires")).to_have_text(re.compile(r"\d{1,2}:\d{2}.*\(in 60 minutes\)"))
    assert PASSWORD not in page.content()

    expect(page.locator("#copy-status")).to_have_text("")
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator("#copy-status")).to_have_text("Link copied. Now send the password another way.")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == link
    assert PASSWORD not in copied
    for word in PASSWORD.split():
        assert word not in copied

    enter_from_share_card(page, link)
    assert page_errors == []


# 2 ----------------------------------------------------------------------------------------------------------------


def test_three_people_see_each_other_and_every_message_in_the_order_sent(trio: Trio, page_errors: list[str]) -> None:
    for page, me in ((trio.ann, "ann"), (trio.bob, "bob"), (trio.cat, "cat")):
        expect_present(page, "ann", "bob", "cat")
        # Ann made the room, so every list gives her the host badge; each page marks its own person as "you".
        expected = [alias + " Host" * (alias == "ann") + " (you)" * (alias == me) for alias in ("ann", "bob", "cat")]
        expect(page.locator("#presence li")).to_have_text(expected)
        expect(page.locator("#me")).to_have_text(me)

    said = [
        ("ann", "first from ann"),
        ("bob", "bob replies second"),
        ("cat", "cat chimes in third"),
        ("ann", "ann again, fourth"),
        ("cat", "cat once more, fifth"),
        ("bob", "bob closes, sixth"),
    ]
    speakers = {"ann": trio.ann, "bob": trio.bob, "cat": trio.cat}
    for alias, text in said:
        send(speakers[alias], text)

    texts = [text for _, text in said]
    for reader, page in speakers.items():
        expect(page.locator("#messages li.message .body")).to_have_text(texts)
        expect(page.locator("#messages li.message .alias")).to_have_text([alias for alias, _ in said])
        for alias, text in said:
            expect_message(page, text, alias, mine=alias == reader)
        expect(page.locator("#messages li.mine")).to_have_count(2)
    assert page_errors == []


# 3 ----------------------------------------------------------------------------------------------------------------


def test_a_purge_wipes_all_three_screens_and_back_brings_nothing_back(trio: Trio, page_errors: list[str]) -> None:
    said = ["ann: the key is under the mat", "bob: the boat leaves at six", "cat: bring the map"]
    for page, text in zip(trio.pages, said, strict=True):
        send(page, text)
    for page in trio.pages:
        expect(page.locator("#messages li.message")).to_have_count(3)

    purge(trio.bob)

    for page in trio.pages:
        expect_wiped(page, *said)
        expect(page.locator("#gone")).to_have_attribute("data-reason", "purged")
    for page in trio.pages:
        page.go_back()
        expect(page.locator("body")).to_be_visible()
        expect_no_conversation(page, *said)
    assert only_expected_404s(page_errors, trio.link, trio.link + "/share") == []


# 4 ----------------------------------------------------------------------------------------------------------------


def test_leave_wipes_the_screen_back_shows_nothing_and_the_link_asks_to_join_again(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    ann, bob = new_page(), new_page()
    link = create_room(ann, shared_server.url, "ann", "plans")
    join_room(bob, link, "bob")
    send(ann, "ann: meet by the fountain")
    send(bob, "bob: which fountain")
    expect(ann.locator("#messages li.message")).to_have_count(2)
    said = ("meet by the fountain", "which fountain")

    ann.get_by_role("button", name="Leave").click()

    expect_gone(ann, "logout", *said)
    expect(ann.get_by_role("heading", name="You left the room")).to_be_visible()
    expect(ann.locator("#gone")).to_contain_text("Your view was wiped; the room goes on without you.")
    # The room goes on for Bob, who is told.
    expect_present(bob, "bob")
    expect(bob.locator("#messages li.system").filter(has_text="ann left")).to_have_count(1)

    ann.go_back()
    expect(ann.locator("body")).to_be_visible()
    expect_no_conversation(ann, *said)

    ann.goto(link)
    expect(ann.get_by_role("heading", name="Join this room")).to_be_visible()
    expect(ann.locator("#join-form")).to_be_visible()
    expect_no_conversation(ann, *said)
    assert page_errors == []


# 5 ----------------------------------------------------------------------------------------------------------------

SHORT_TTL = 15  # seconds
# Records every text the countdown shows, even one that lasts a few milliseconds before the page moves on.
COUNTDOWN_RECORDER = """
addEventListener("DOMContentLoaded", () => {
  const clock = document.getElementById("countdown");
  if (!clock) return;
  const report = () => window.__countdownShows(clock.textContent);
  report();
  new MutationObserver(report).observe(clock, {childList: true, characterData: true, subtree: true});
});
"""


def test_at_the_end_of_its_time_the_room_counts_down_to_zero_and_wipes_every_screen(
    new_page: NewPage, tmp_path: Path, page_errors: list[str]
) -> None:
    # Long enough for two pages to load and a message to cross on a loaded machine; the wait for the end is longer.
    with running_server(tmp_path, "gevent", env={"EPHEMERAL_ROOM_TTL": str(SHORT_TTL)}) as server:
        ann, bob = new_page(), new_page()
        shown: dict[str, list[str]] = {"ann": [], "bob": []}
        for alias, page in (("ann", ann), ("bob", bob)):
            page.expose_function("__countdownShows", lambda text, seen=shown[alias]: seen.append(text))
            page.add_init_script(COUNTDOWN_RECORDER)
        # A short life leaves no time for typing: the room is made and joined through the JSON API
        # with each browser's own cookie jar; the forms are covered by the other tests.
        made = ann.request.post(server.url + "/api/rooms", data={"alias": "ann", "name": "brief", "password": PASSWORD})
        assert made.status == 201, made.text()
        room = made.json()
        joined = bob.request.post(
            f"{server.url}/api/rooms/{room['room_id']}/join", data={"alias": "bob", "password": PASSWORD}
        )
        assert joined.status == 200, joined.text()
        for page in (ann, bob):
            page.goto(room["url"])
        for page in (ann, bob):
            expect_present(page, "ann", "bob")
        send(ann, "ann: quick, before it goes")
        expect(message(bob, "quick, before it goes")).to_have_count(1)

        for page in (ann, bob):
            warning = page.get_by_role("alert").filter(has_text="Less than 1 minute left")
            expect(warning).to_be_visible()
            expect(warning).to_have_id("expiry-warning")

        for page in (ann, bob):
            expect_gone(page, "expired", "quick, before it goes", timeout_ms=(SHORT_TTL + 30) * 1000)
            expect(page.get_by_role("heading", name="This room is gone")).to_be_visible()
            expect(page.locator("#gone")).to_contain_text("reached the end of its time")
        for alias, texts in shown.items():
            seconds = [int(m) * 60 + int(s) for m, s in (t.split(":") for t in texts if t != "--:--")]
            assert seconds, f"{alias}'s countdown never showed a time"
            assert seconds[-1] == 0, f"{alias}'s countdown stopped at {texts[-1]}: {texts}"
            assert seconds == sorted(seconds, reverse=True), f"{alias}'s countdown went back up: {texts}"
            assert seconds[0] <= SHORT_TTL
        dead = ann.goto(room["url"])
        assert dead is not None and dead.status == 404
    assert only_expected_404s(page_errors, room["url"]) == []


# 6 ----------------------------------------------------------------------------------------------------------------


def test_a_refresh_keeps_you_in_the_room_with_an_empty_view_that_says_why(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    ann, bob = new_page(), new_page()
    link = create_room(ann, shared_server.url, "ann", "plans")
    join_room(bob, link, "bob")
    send(ann, "said before the refresh")
    send(bob, "bob also spoke before")
    expect(ann.locator("#messages li.message")).to_have_count(2)

    dialogs: list[str] = []

    def answer(dialog: Dialog) -> None:
        dialogs.append(dialog.type)
        dialog.accept()

    ann.on("dialog", answer)
    ann.reload()

    # Having typed, the person is asked before the page (and its conversation) goes away.
    assert dialogs == ["beforeunload"]
    expect(ann).to_have_url(link)
    expect(ann.locator("#chat")).to_be_visible()
    expect(ann.locator("#status")).to_have_text("Connected. Nothing here is stored.")
    expect(ann.locator("#messages li.message")).to_have_count(0)
    expect(ann.locator("#messages li.system").first).to_have_text(
        "You refreshed the page: it starts empty, because no message is stored anywhere."
    )
    html = ann.content()
    for earlier in ("said before the refresh", "bob also spoke before"):
        assert earlier not in html
    expect_present(ann, "ann", "bob")

    send(ann, "and after the refresh")
    expect_message(ann, "and after the refresh", "ann", mine=True)
    expect_message(bob, "and after the refresh", "ann", mine=False)
    send(bob, "bob hears you")
    expect_message(ann, "bob hears you", "bob", mine=False)
    assert page_errors == []


# 9 ----------------------------------------------------------------------------------------------------------------


def test_a_hidden_tab_counts_unread_messages_in_its_title_without_their_text(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    ann, bob = new_page(), new_page()
    link = create_room(ann, shared_server.url, "ann", "plans")
    join_room(bob, link, "bob")
    expect(ann).to_have_title("Ephemeral")

    send(bob, "seen while looking")
    expect(message(ann, "seen while looking")).to_have_count(1)
    expect(ann).to_have_title("Ephemeral")

    set_hidden(ann, True)
    send(bob, "secret plans for friday")
    expect(message(ann, "secret plans for friday")).to_have_count(1)
    expect(ann).to_have_title("(1) Ephemeral")
    send(bob, "second secret")
    expect(ann).to_have_title("(2) Ephemeral")
    # One's own messages in another tab are not news to anyone; the counter is per page.
    expect(bob).to_have_title("Ephemeral")
    assert "secret" not in ann.title()

    set_hidden(ann, False)
    expect(ann).to_have_title("Ephemeral")
    send(bob, "back in view")
    expect(message(ann, "back in view")).to_have_count(1)
    expect(ann).to_have_title("Ephemeral")
    assert page_errors == []


# 8 ----------------------------------------------------------------------------------------------------------------

# The sanitizer's own hostile table (tests/unit/test_sanitize.py), each payload rewritten to leave
# a mark in the page instead of opening an alert; any dialog still counts as execution.
XSS_VECTORS = [(param.id, param.values[0].replace("alert(1)", "window.__xss=1")) for param in HOSTILE]
# That table now arrives as text; these are Markdown's own ways to a link or a medium.
XSS_VECTORS += [
    ("md-javascript-link", "[x](javascript:window.__xss=1)"),
    ("md-javascript-autolink", "<javascript:window.__xss=1>"),
    ("md-data-link", "[x](data:text/html,<script>window.__xss=1</script>)"),
    ("md-image", "![a](https://example.invalid/md-a.png)"),
    ("md-image-title", '![a](https://example.invalid/md-b.png "t onerror=window.__xss=1")'),
    ("md-image-in-javascript-link", "[![a](https://example.invalid/md-c.png)](javascript:window.__xss=1)"),
    ("md-image-http", "![a](http://example.invalid/md-d.png)"),
]
PER_SENDER = 15  # under the burst of 20 messages per participant, so nobody is rate limited
# Inline code the CSP refused would not set the mark, but it would be reported here.
CSP_REFUSALS = """
window.__refused = [];
addEventListener("securitypolicyviolation", (e) => window.__refused.push(`${e.violatedDirective} ${e.blockedURI}`));
"""
# What a message may consist of once rendered: the sanitizer's tags plus the client's own wrapping.
RENDERED_TAGS = sorted(
    {"b", "strong", "i", "em", "u", "s", "del", "ins", "mark", "small", "sub", "sup", "code", "pre", "kbd"}
    | {"blockquote", "q", "br", "p", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "span", "a"}
    | {"div", "time", "button"}
)
MEDIA_TAGS = ["img", "video", "audio"]
# Everything in the message list that could run code or leave the page, as the page's own DOM has it.
AUDIT_MESSAGES = """(allowed) => {
    const found = [];
    for (const el of document.querySelectorAll("#messages *")) {
        // The client's own controls beside a message's body (its actions, a reply's quote, the reactions) are
        // built by the page with textContent: the body, where a message's markup goes, is never one of them.
        if (el.closest("#messages > li.message > :is(.message-toggle, .message-menu, .quote, .foot)")) continue;
        const tag = el.localName;
        if (!allowed.includes(tag)) found.push(`element <${tag}>`);
        // The client's own entry for a message carries its id, sender, time, colour and the id it replies to;
        // nothing inside a message may.
        const entry = el.matches("#messages > li.message");
        for (const attr of el.attributes) {
            const own = ["data-id", "data-from", "data-ts", "data-who", "data-reply-to", "tabindex"];
            if (entry && own.includes(attr.name)) continue;
            if (!["class", "href", "rel", "target", "datetime", "type", "title", "src", "alt", "controls"]
                .includes(attr.name)) found.push(`<${tag} ${attr.name}="${attr.value}">`);
        }
        const url = el.getAttribute("href") ?? el.getAttribute("src");
        if (url !== null && !/^(https:|http:|mailto:)/i.test(url)) found.push(`<${tag}> pointing to ${url}`);
        if (el.hasAttribute("src") && !/^https:/i.test(el.getAttribute("src"))) found.push(`<${tag} src=${url}>`);
        if (tag === "a" && (el.rel !== "noopener noreferrer nofollow" || el.target !== "_blank"))
            found.push(`<a rel="${el.rel}" target="${el.target}">`);
    }
    return found;
}"""
# Resolves once every media element in the list has loaded or failed, whichever comes first.
MEDIA_SETTLED = """() => Promise.all([...document.querySelectorAll("#messages :is(img, video, audio)")].map(
    (el) => (el.localName === "img" ? el.complete : el.readyState > 0 || el.error)
        ? true
        : new Promise((done) => { for (const e of ["load", "loadedmetadata", "error"]) el.addEventListener(e, done); })
)).then((all) => all.length)"""
# Messages are text with Markdown: the server renders it (ephemeral/markdown.py).
FORMATTED = (
    "**bold words** _leaning words_ `x = 1`\n\n"
    "> quoted words\n\n"
    "- first item\n- second item\n\n"
    "[a link](https://example.org/page)"
)


def prove_inline_handlers_run(page: Page) -> None:
    """In a page without CSP an injected handler does run: so a payload that got through would be caught."""
    page.evaluate(
        """() => {
            const probe = document.createElement("div");
            probe.id = "probe";
            probe.innerHTML = '<img src="" alt="" onerror="window.__xss = 1; this.dataset.ran = 1">';
            document.body.append(probe);
        }"""
    )
    expect(page.locator("#probe img[data-ran]")).to_have_count(1)
    assert page.evaluate("() => window.__xss") == 1
    page.evaluate("() => { document.getElementById('probe').remove(); delete window.__xss; }")


def test_hostile_messages_run_nothing_in_the_readers_page_and_formatting_still_renders(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    writer = new_page()
    # Two readers: one with the page's CSP, and one without it (bypass_csp), so that there only
    # the sanitizer and the renderer stand between a payload and its execution.
    reader, bare = new_page(), new_page(bypass_csp=True)
    reader.add_init_script(CSP_REFUSALS)
    dialogs: list[str] = []
    for page in (writer, reader, bare):
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    link = create_room(writer, shared_server.url, "writer", "xss")
    join_room(reader, link, "reader")
    join_room(bare, link, "bare")
    prove_inline_handlers_run(bare)
    leaving = {"reader": requests_leaving(reader, shared_server.url), "bare": requests_leaving(bare, shared_server.url)}

    send(writer, FORMATTED)
    # The table goes through the real server from socket clients spread over several participants,
    # each message emitted without waiting for the previous ack; every ack is checked below.
    room_id = link.rsplit("/", 1)[1]
    people: list[Person] = []
    acks: queue.Queue[tuple[str, object]] = queue.Queue()
    try:
        for start in range(0, len(XSS_VECTORS), PER_SENDER):
            person = Person(shared_server.url)
            people.append(person)
            assert person.join(room_id, f"sender{start}", PASSWORD).status_code == 200
            socket = person.connect(room_id)
            for n, (name, vector) in enumerate(XSS_VECTORS[start : start + PER_SENDER], start):
                socket.client.emit(
                    "message", {"text": f"[{n:03d}] {vector}"}, callback=lambda ack, name=name: acks.put((name, ack))
                )
        for _ in XSS_VECTORS:
            name, ack = acks.get(timeout=10)
            assert isinstance(ack, dict) and ack.get("ok") is True, (name, ack)
    finally:
        for person in people:
            person.close()

    for page in (reader, bare):
        expect(page.locator("#messages li.message")).to_have_count(len(XSS_VECTORS) + 1)
        expect(message(page, f"[{len(XSS_VECTORS) - 1:03d}]")).to_be_visible()
        assert page.evaluate("() => window.__xss") is None
        assert page.evaluate(AUDIT_MESSAGES, RENDERED_TAGS) == []
    assert reader.evaluate("() => window.__refused") == []
    assert leaving == {"reader": [], "bare": []}
    assert dialogs == []

    # Loading every held medium in the bare page runs nothing either.
    bare.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.fulfill(body=PIXEL_PNG))
    placeholders = bare.locator("#messages .media-placeholder")
    held = placeholders.count()
    assert held >= 3  # the Markdown images with https sources
    for _ in range(held):
        placeholders.first.click()
    expect(placeholders).to_have_count(0)
    assert bare.evaluate(MEDIA_SETTLED) == held
    assert bare.evaluate(AUDIT_MESSAGES, RENDERED_TAGS + MEDIA_TAGS) == []
    assert bare.evaluate("() => window.__xss") is None
    assert dialogs == []

    # Formatting is what the tags are for: it shows as formatting, not as markup.
    for page in (writer, reader, bare):
        body = message(page, "bold words").locator(".body")
        expect(body.locator("strong")).to_have_text("bold words")
        expect(body.locator("strong")).to_have_css("font-weight", "700")
        expect(body.locator("em")).to_have_text("leaning words")
        expect(body.locator("em")).to_have_css("font-style", "italic")
        expect(body.locator("code")).to_have_text("x = 1")
        expect(body.locator("code")).to_have_css("font-family", re.compile("monospace"))
        expect(body.locator("blockquote")).to_have_text("quoted words")
        expect(body.locator("ul > li")).to_have_text(["first item", "second item"])
        expect(body.locator("ul > li").first).to_have_css("display", "list-item")
        expect(body.get_by_role("link", name="a link")).to_have_attribute("href", "https://example.org/page")
        expect(body.locator("a")).to_have_attribute("rel", "noopener noreferrer nofollow")
        expect(body.locator("a")).to_have_attribute("target", "_blank")
        expect(body).not_to_contain_text("<")
    assert page_errors == []


# 10 ---------------------------------------------------------------------------------------------------------------


def expect_focus_ring(page: Page, control: Locator) -> None:
    """`control` has the focus and draws a visible outline around itself."""
    expect(control).to_be_focused()
    outline = focused_outline(page)
    assert outline["style"] != "none" and outline["width"] >= 2, f"no visible focus indicator: {outline}"


def test_keyboard_alone_creates_enters_joins_sends_and_purges(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    ann, bob = new_page(), new_page()

    ann.goto(shared_server.url + "/")
    tab_to(ann, ann.locator("#alias"))
    ann.keyboard.type("ann")
    ann.keyboard.press("Tab")
    expect(ann.locator("#name")).to_be_focused()
    ann.keyboard.type("typed room")
    ann.keyboard.press("Tab")
    expect(ann.locator("#password")).to_be_focused()
    ann.keyboard.type(PASSWORD)
    ann.keyboard.press("Tab")
    expect_focus_ring(ann, ann.get_by_role("button", name="Show password"))
    ann.keyboard.press("Tab")
    expect_focus_ring(ann, ann.get_by_role("switch", name="Server-blind (end-to-end encrypted)"))
    ann.keyboard.press("Tab")
    expect_focus_ring(ann, ann.locator("#room-options summary"))  # folded: the defaults are today's room
    ann.keyboard.press("Tab")
    expect_focus_ring(ann, ann.get_by_role("button", name="Create room"))
    ann.keyboard.press("Enter")

    expect(ann).to_have_url(re.compile(r"/r/[^/]+/share$"))
    link = ann.locator("#room-link").input_value()
    tab_to(ann, ann.get_by_role("link", name="Enter the room"))
    expect_focus_ring(ann, ann.get_by_role("link", name="Enter the room"))
    ann.keyboard.press("Enter")
    expect(ann).to_have_url(link)
    expect_connected(ann)

    bob.goto(link)  # what typing the link into the address bar does
    tab_to(bob, bob.locator("#alias"))
    bob.keyboard.type("bob")
    tab_to(bob, bob.locator("#password"))
    bob.keyboard.type(PASSWORD)
    bob.keyboard.press("Enter")
    expect(bob).to_have_url(link)
    expect_connected(bob)
    expect_present(ann, "ann", "bob")

    tab_to(ann, ann.locator("#text"))
    ann.keyboard.type("typed without a mouse")
    ann.keyboard.press("Enter")
    expect_message(ann, "typed without a mouse", "ann", mine=True)
    expect_message(bob, "typed without a mouse", "ann", mine=False)
    tab_to(bob, bob.locator("#text"))
    bob.keyboard.type("same here")
    bob.keyboard.press("Enter")
    expect_message(ann, "same here", "bob", mine=False)

    tab_to(ann, ann.locator("#purge"), backwards=True)
    expect_focus_ring(ann, ann.get_by_role("button", name="Purge room for everyone"))
    ann.keyboard.press("Enter")
    # The dialog opens on the safe choice; purging takes one more deliberate step.
    expect(ann.locator("#purge-cancel")).to_be_focused()
    ann.keyboard.press("Tab")
    expect_focus_ring(ann, ann.get_by_role("button", name="Purge for everyone"))
    ann.keyboard.press("Enter")
    for page in (ann, bob):
        expect_wiped(page, "typed without a mouse", "same here")
    assert page_errors == []


# 11 ---------------------------------------------------------------------------------------------------------------

BACKGROUND_LUMINANCE = """() => {
    const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number);
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}"""


def test_every_page_passes_an_axe_audit_in_light_and_dark(
    new_page: NewPage, tmp_path: Path, page_errors: list[str]
) -> None:
    # Four minutes to live, so the chat page also shows its expiry warning while audited.
    with running_server(tmp_path, "gevent", env={"EPHEMERAL_ROOM_TTL": "240"}) as server:
        found: list[str] = []
        for scheme in ("light", "dark"):
            host, guest = new_page(color_scheme=scheme), new_page(color_scheme=scheme)
            host.goto(server.url + "/")
            luminance = host.evaluate(BACKGROUND_LUMINANCE)
            assert luminance > 0.8 if scheme == "light" else luminance < 0.2, (scheme, luminance)
            found += severe_violations(host, f"{scheme} landing")
            host.get_by_role("button", name="Create room").click()  # empty: every field says what is wrong
            expect(host.locator("#alias-error")).to_be_visible()
            found += severe_violations(host, f"{scheme} landing with errors")

            link = create_room_to_share_card(host, server.url, "ann", "audit")
            found += severe_violations(host, f"{scheme} share card")
            enter_from_share_card(host, link)

            guest.goto(link)
            found += severe_violations(guest, f"{scheme} join")
            guest.fill("#alias", "bob")
            guest.fill("#password", "not the password")
            guest.get_by_role("button", name="Join room").click()
            expect(guest.locator("#password-error")).to_be_visible()
            found += severe_violations(guest, f"{scheme} join with error")
            join_room(guest, link, "bob")

            send(host, FORMATTED)
            send(guest, "a picture: ![](https://example.invalid/cat.png) and plain text")
            send(host, "plain words from ann")
            for page, who in ((host, "ann"), (guest, "bob")):
                expect(page.locator("#messages li.message")).to_have_count(3)
                expect(page.locator("#expiry-warning")).to_be_visible()
                found += severe_violations(page, f"{scheme} chat ({who})")
            host.locator("#invite").click()
            expect(host.locator("#invite-dialog svg.qr")).to_be_visible()
            found += severe_violations(host, f"{scheme} chat, invite open")
            host.locator("#invite-close").click()
            host.locator("#purge").click()
            expect(host.locator("#purge-dialog")).to_be_visible()
            found += severe_violations(host, f"{scheme} chat, purge dialog open")
            host.locator("#purge-cancel").click()

            purge(host)
            expect_gone(guest, "purged")
            found += severe_violations(guest, f"{scheme} gone")
        assert not found, "axe found serious or critical problems:\n" + "\n".join(found)
    # The wrong password's 403 is part of the audit; nothing else may complain.
    assert [e for e in page_errors if "status of 403" not in e] == []
    assert len(page_errors) == 2


# 12 ---------------------------------------------------------------------------------------------------------------

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
# Long unbroken words are what push a phone layout sideways.
ROOM_NAME = "Plans for friday-night-at-the-lakeside-cabin"
LONG_ALIAS = "bob-with-a-rather-long-alias-xyz"
LONG_WORD = "https://example.org/" + "a-very-long-path-segment" * 6


def expect_no_sideways_scroll(page: Page, where: str) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, f"{where} scrolls sideways on a 360 px phone: {width} px wide"


def expect_thumb_sized(page: Page, selector: str) -> None:
    control = page.locator(selector)
    expect(control).to_be_visible()
    box = control.bounding_box()
    assert box is not None and box["height"] >= 40, f"{selector} is {box} on a phone; a thumb needs 40 px"


def test_on_a_phone_nothing_scrolls_sideways_and_the_controls_fit_a_thumb(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    phone, friend = new_page(**PHONE), new_page()
    phone.goto(shared_server.url + "/")
    expect_no_sideways_scroll(phone, "the landing page")
    phone.fill("#alias", "ann")
    phone.fill("#name", ROOM_NAME)
    phone.fill("#password", PASSWORD)
    phone.get_by_role("button", name="Create room").tap()
    expect(phone).to_have_url(re.compile(r"/share$"))
    link = phone.locator("#room-link").input_value()
    expect(phone.locator("svg.qr")).to_be_visible()
    expect_no_sideways_scroll(phone, "the share card")
    phone.get_by_role("link", name="Enter the room").tap()
    expect_connected(phone)
    join_room(friend, link, LONG_ALIAS)
    expect_present(phone, "ann", LONG_ALIAS)
    # On the first screen, unscrolled, on the phone and on the friend's 1280x720 desktop alike: the room,
    # its time, the conversation and the composer; the way out is on screen too, behind Menu on the phone.
    for page in (phone, friend):
        for selector in ("#room-name", "#countdown", "#messages", "#text", "#send"):
            expect(page.locator(selector)).to_be_in_viewport()
    for selector in ("#logout", "#purge"):
        expect(friend.locator(selector)).to_be_in_viewport()
    expect(phone.locator("#menu-toggle")).to_be_in_viewport()

    send(friend, f"look at {LONG_WORD} and tell me")
    expect(message(phone, "tell me")).to_be_visible()
    for selector in ("#text", "#send", "#menu-toggle", "#people-toggle", "#format-toggle"):
        expect_thumb_sized(phone, selector)
    phone.locator("#text").tap()
    phone.keyboard.type("sent with a tap")
    phone.locator("#send").tap()
    expect_message(phone, "sent with a tap", "ann", mine=True)
    expect_message(friend, "sent with a tap", "ann", mine=False)
    expect(phone.locator("#text")).to_have_value("")
    phone.locator("#menu-toggle").tap()
    for selector in ("#invite", "#logout", "#purge"):
        expect_thumb_sized(phone, selector)
    phone.locator("#invite").tap()
    expect(phone.locator("#copy-link")).to_be_visible()
    expect_no_sideways_scroll(phone, "the chat page")
    assert page_errors == []
