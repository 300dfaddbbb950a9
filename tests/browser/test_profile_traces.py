"""What a browser keeps on disk: nothing anyone typed, and no offer to save the password.

A persistent Chromium profile goes through the landing form, the join form (a wrong password first), the chat
and closed tabs; then every file of the profile is read as bytes and searched for what was typed. Chromium's own
password-manager log, open in a tab meanwhile, shows whether it ever took a field for a password to save.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect

from tests.browser.support import (
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    chromium_path,
    create_room,
    expect_connected,
    expect_present,
    send,
)
from tests.support.people import Person
from tests.support.server import RunningServer

pytestmark = pytest.mark.browser

PASSWORD_MANAGER_LOG = "chrome://password-manager-internals"
# The log's word for "a password is typed and may be saved": the omnibox key, and the save bubble after it.
OFFERED_FOR_SAVING = "PENDING_PASSWORD_STATE"


def marker(kind: str) -> str:
    """A value no file of a fresh profile can hold by chance; lower case, so case folding cannot hide it."""
    return f"{kind}{secrets.token_hex(6)}"


def files_holding(profile: Path, values: dict[str, str]) -> dict[str, list[str]]:
    """For each kind, the profile's files whose bytes (or name) hold its value in UTF-8 or UTF-16-LE."""
    found: dict[str, list[str]] = {}
    for path in sorted(p for p in profile.rglob("*") if p.is_file()):
        data = path.read_bytes().lower() + str(path.relative_to(profile)).lower().encode()
        for kind, value in values.items():
            if any(value.encode(encoding) in data for encoding in ("utf-8", "utf-16-le")):
                found.setdefault(kind, []).append(str(path.relative_to(profile)))
    return found


@pytest.fixture
def profile_dir(tmp_path: Path) -> Path:
    return tmp_path / "profile"


@pytest.fixture
def persistent(
    browser: Browser, playwright: Playwright, profile_dir: Path, page_errors: list[str]
) -> Iterator[BrowserContext]:
    """A Chromium that writes its profile to disk, like a person's own; `browser` decides skip or fail without one."""
    executable = chromium_path()
    assert executable is not None
    context = playwright.chromium.launch_persistent_context(
        str(profile_dir), executable_path=executable, headless=True, args=CHROMIUM_ARGS
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)

    def watch(page: Page) -> None:
        page.on("pageerror", lambda error: page_errors.append(f"uncaught: {error.message}"))

    context.on("page", watch)
    yield context
    # Closed by the test already, so the profile is whole before it is read; closing twice is harmless.
    context.close()


@pytest.fixture
def outsider(shared_server: RunningServer) -> Iterator[Person]:
    person = Person(shared_server.url)
    yield person
    person.close()


def test_nothing_typed_into_the_forms_or_the_chat_stays_in_the_browser_profile(
    persistent: BrowserContext,
    profile_dir: Path,
    shared_server: RunningServer,
    outsider: Person,
    page_errors: list[str],
) -> None:
    typed = {
        kind: marker(kind)
        for kind in ("hostalias", "roomname", "hostpassword", "guestalias", "wrongpassword", "hostsays", "guestsays")
    }
    # Someone outside the profile makes a room (its name and password reach the profile only as the guest's)...
    theirs = {kind: marker(kind) for kind in ("theirroom", "theirpassword", "theysay")}
    made = outsider.create("carol", theirs["theirroom"], theirs["theirpassword"])
    assert made.status_code == 201, made.text
    their_room = made.json()["room_id"]
    carol = outsider.connect(their_room)

    log = persistent.pages[0] if persistent.pages else persistent.new_page()
    log.goto(PASSWORD_MANAGER_LOG)

    # ...the profile's first tab makes a room through the landing form and talks in it...
    host = persistent.new_page()
    create_room(host, shared_server.url, typed["hostalias"], typed["roomname"], typed["hostpassword"])
    send(host, typed["hostsays"])

    # ...and its second tab joins the outsider's room through the join form, a wrong password first.
    guest = persistent.new_page()
    guest.goto(made.json()["url"])
    guest.fill("#alias", typed["guestalias"])
    guest.fill("#password", typed["wrongpassword"])
    guest.get_by_role("button", name="Show password").click()
    guest.get_by_role("button", name="Join room").click()
    expect(guest.locator("#password-error")).to_be_visible()
    guest.fill("#password", theirs["theirpassword"])
    guest.get_by_role("button", name="Join room").click()
    expect_connected(guest)
    expect_present(guest, "carol", typed["guestalias"])
    send(guest, typed["guestsays"])
    assert carol.wait_for("message", lambda m: m["alias"] == typed["guestalias"])
    carol.send(theirs["theysay"])
    expect(guest.locator("#messages li.message").filter(has_text=theirs["theysay"])).to_have_count(1)

    host.close()
    guest.close()
    offers = log.locator("body").inner_text()
    persistent.close()

    found = files_holding(profile_dir, {**typed, **theirs})
    assert found == {}, f"typed values left in the profile: {found}"
    # The search reads what the browser wrote: the room's address is in its history, as any address is.
    assert files_holding(profile_dir, {"room address": their_room.lower()}), "the profile holds no room address"

    # The password manager looked at both forms and never took a field for a password to offer for saving.
    assert "Form name: create-form" in offers and "Form name: join-form" in offers, offers[:2000]
    assert OFFERED_FOR_SAVING not in offers, "Chromium offered to save a password typed into the forms"
    assert page_errors == []


# Chromium keeps no page sent `no-store` for Back; a browser that does (Safari) fires `pagehide` with `persisted`
# as it puts the page away, and brings it back as it was. The page is told the same here.
PUT_AWAY = "() => window.dispatchEvent(new PageTransitionEvent('pagehide', {persisted: true}))"


@pytest.mark.parametrize("where", ["landing", "join"])
def test_a_form_page_put_away_for_back_keeps_nothing_typed(
    where: str, new_page: Callable[..., Page], shared_server: RunningServer, outsider: Person, page_errors: list[str]
) -> None:
    page = new_page()
    if where == "join":
        made = outsider.create()
        assert made.status_code == 201, made.text
        page.goto(made.json()["url"])
        typed = ["#alias", "#password"]
    else:
        page.goto(shared_server.url + "/")
        typed = ["#alias", "#name", "#password"]
    for field in typed:
        page.fill(field, "typed " + field)
    token = page.locator('input[name="csrf_token"]').input_value()

    page.evaluate(PUT_AWAY)
    for field in typed:
        expect(page.locator(field)).to_have_value("")
    # The form still works when the page comes back: only what a person typed is gone.
    assert token and page.locator('input[name="csrf_token"]').input_value() == token
    assert page_errors == []
