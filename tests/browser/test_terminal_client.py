"""Two terminal clients (`ephemeral-chat` in a pty, read through pyte) and a browser in one room of the real
server, standard and server-blind: messages go every way, and a purge from a terminal wipes the browser and
ends the other terminal with its screen cleared."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import expect_connected, expect_message, expect_present, expect_wiped, send
from tests.support.server import RunningServer
from tests.terminal.support import PASSWORD, People, Terminal, people_in

pytestmark = pytest.mark.browser


@pytest.fixture
def terminals(tmp_path: Path) -> Iterator[People]:
    """Each call starts `ephemeral-chat ARGS` for a new person (own home and working directory)."""
    with people_in(tmp_path) as people:
        yield people


def browser_joins(page: Page, link: str, alias: str) -> None:
    """The join form, as a person fills it; a server-blind link is opened as a new page, fragment and all."""
    page.goto("about:blank")
    page.goto(link)
    expect(page.get_by_role("heading", name="Join this room")).to_be_visible()
    page.fill("#alias", alias)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Join room").click()
    expect_connected(page)


def three_in_a_room(terminals: People, page: Page, base: str, flags: tuple[str, ...]) -> tuple[Terminal, Terminal]:
    ann = terminals(["create", base, "--name", "plans", "--alias", "ann", *flags], stdin_text=PASSWORD + "\n")
    ann.in_chat()
    link = ann.link()
    bob = terminals(["join", link, "--alias", "bob"], stdin_text=PASSWORD + "\n")
    bob.in_chat()
    browser_joins(page, link, "carol")
    expect_present(page, "ann", "bob", "carol")
    for term in (ann, bob):
        term.wait_for("3 present")
    return ann, bob


@pytest.mark.parametrize("flags", [(), ("--server-blind",)], ids=["standard", "server-blind"])
def test_two_terminals_and_a_browser_talk_every_way(
    terminals: People,
    new_page: Callable[..., Page],
    shared_server: RunningServer,
    page_errors: list[str],
    flags: tuple[str, ...],
) -> None:
    page = new_page()
    ann, bob = three_in_a_room(terminals, page, shared_server.url, flags)

    ann.say("from **ann** in a terminal")
    expect_message(page, "from ann in a terminal", "ann", mine=False)
    expect(page.locator("#messages li.message .body strong").filter(has_text="ann")).to_have_count(1)
    bob.wait_for("ann: from ann in a terminal")

    send(page, "from *carol* in a browser")
    for term in (ann, bob):
        term.wait_for("carol: from carol in a browser")

    bob.say("from bob, second terminal")
    expect_message(page, "from bob, second terminal", "bob", mine=False)
    ann.wait_for("bob: from bob, second terminal")
    assert page_errors == []


@pytest.mark.parametrize("flags", [(), ("--server-blind",)], ids=["standard", "server-blind"])
def test_a_purge_from_a_terminal_wipes_the_browser_and_ends_the_other_terminal(
    terminals: People,
    new_page: Callable[..., Page],
    shared_server: RunningServer,
    flags: tuple[str, ...],
) -> None:
    page = new_page()
    ann, bob = three_in_a_room(terminals, page, shared_server.url, flags)
    send(page, "carol's secret")
    bob.wait_for("carol's secret")
    bob.say("bob's secret")
    expect_message(page, "bob's secret", "bob", mine=False)

    ann.say("/purge")
    expect_wiped(page, "carol's secret", "bob's secret")
    shown = bob.wait_for("The room was purged by ann. Every message is gone.")
    assert bob.exit_code() == 3
    assert "secret" not in shown
    assert re.search(rb"\x1b\[2J\x1b\[3J\x1b\[H[^\x1b]*The room was purged by ann", bytes(bob.raw))


@pytest.mark.parametrize("flags", [(), ("--server-blind",)], ids=["standard", "server-blind"])
def test_a_terminal_hands_a_browser_the_history_of_a_room_that_chose_it(
    terminals: People,
    new_page: Callable[..., Page],
    shared_server: RunningServer,
    page_errors: list[str],
    flags: tuple[str, ...],
) -> None:
    ann = terminals(["create", shared_server.url, "--alias", "ann", "--name", "plans", "--history", *flags],
                    stdin_text=PASSWORD + "\n")  # fmt: skip
    ann.in_chat()
    ann.say("the meeting is at **nine**")
    ann.wait_for("ann (you): the meeting is at nine")
    page = new_page()
    browser_joins(page, ann.link(), "carol")
    expect(page.locator("#messages li.system").filter(has_text="ann shared 1 earlier message")).to_have_count(1)
    shared = page.locator("#messages li.message").filter(has_text="the meeting is at nine")
    expect(shared).to_have_count(1)
    expect(shared.locator(".body strong")).to_have_text("nine")
    assert page_errors == []


def test_a_terminal_joins_a_room_a_browser_made_in_arabic_and_they_talk(
    terminals: People,
    new_page: Callable[..., Page],
    shared_server: RunningServer,
    page_errors: list[str],
) -> None:
    # The README's walk: Laila's browser speaks Arabic and makes the room with its form; Sam joins from a
    # terminal with the link and the password.
    page = new_page(locale="ar")
    page.goto(shared_server.url + "/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.fill("#alias", "ليلى")
    page.fill("#name", "اجتماع الغد")
    page.fill("#password", PASSWORD)
    page.locator("#create-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/r/[^/]+/share$"))
    link = page.locator("#room-link").input_value()
    page.locator("#enter-room").click()
    expect(page.locator("#status")).to_have_attribute("data-state", "connected")

    sam = terminals(["join", link, "--alias", "Sam"], stdin_text=PASSWORD + "\n")
    sam.in_chat()
    sam.wait_for("اجتماع الغد")
    expect(page.locator("#presence li")).to_have_count(2)
    expect(page.locator("#presence li").filter(has_text="Sam")).to_have_count(1)
    send(page, "مرحبا يا سام، الاجتماع في **التاسعة**")
    sam.wait_for("ليلى: مرحبا يا سام، الاجتماع في التاسعة")
    sam.say("Thanks Laila, see you at nine")
    expect_message(page, "Thanks Laila, see you at nine", "Sam", mine=False)
    assert page_errors == []
