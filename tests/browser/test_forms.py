"""The create and join forms as a person meets them: a refused form marks the field that was wrong and puts the
cursor there, a password can be looked at before it is sent, the create form is on a phone's first screen, and
the edge of every input can be seen.

Every test drives Debian's Chromium against a real server process, on a 1366x800 desktop and a 390x844 phone.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.support import (
    PASSWORD,
    contrast,
    expect_connected,
    rgb,
    severe_violations,
)
from tests.support.people import Person
from tests.support.server import RunningServer

pytestmark = pytest.mark.browser

NewPage = Callable[..., Page]
DESKTOP: dict[str, Any] = {"viewport": {"width": 1366, "height": 800}}
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 3,
}
DEVICES = {"desktop": DESKTOP, "phone": PHONE}
WRONG = "not the password"
# Python refuses an unassigned code point (category Cn) in an alias; the page's script does not check for
# one, so this alias reaches the server and comes back refused there.
UNASSIGNED_ALIAS = "ann\u0378"


def activate(control: Locator, device: str) -> None:
    """A tap on the phone, a click on the desktop."""
    if device == "phone":
        control.tap()
    else:
        control.click()


def refused(page_errors: list[str], *statuses: int) -> list[str]:
    """page_errors without the console lines for refused forms' statuses, which the tests cause on purpose."""
    return [e for e in page_errors if not any(f"status of {status}" in e for status in statuses)]


def described_by(slot: str) -> re.Pattern[str]:
    return re.compile(rf"(^|\s){re.escape(slot)}(\s|$)")


def expect_marked(page: Page, field: str, words: str) -> None:
    """`field` is marked invalid, and `words` are in its own error slot, which the input names as its description."""
    control = page.locator(f"#{field}")
    expect(control).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#{field}-error")).to_be_visible()
    expect(page.locator(f"#{field}-error")).to_have_text(words)
    expect(control).to_have_attribute("aria-describedby", described_by(f"{field}-error"))
    expect(control).to_have_accessible_description(re.compile(re.escape(words)))


def expect_unmarked(page: Page, field: str) -> None:
    expect(page.locator(f"#{field}")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#{field}-error")).to_be_hidden()


def link_from_ann(server: RunningServer) -> str:
    """The link of a room Ann made elsewhere, through the JSON API from an address of her own, as she sends it.

    These tests are about the forms a guest meets; the landing form is tested on its own pages.
    """
    with contextlib.closing(Person(server.url)) as ann:
        created = ann.create(alias="ann", name="plans", password=PASSWORD)
    assert created.status_code == 201, created.text
    return str(created.json()["url"])


# 1 ----------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("device", DEVICES)
def test_a_wrong_password_keeps_the_alias_and_puts_the_cursor_in_the_marked_password_field(
    device: str, new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    guest = new_page(**DEVICES[device])
    link = link_from_ann(shared_server)

    guest.goto(link)
    guest.fill("#alias", "bob")
    guest.fill("#password", WRONG)
    activate(guest.get_by_role("button", name="Join room"), device)

    expect_marked(guest, "password", "That password is not right for this room.")
    expect(guest.locator("#password")).to_be_focused()
    expect(guest.locator("#password")).to_have_value("")
    expect(guest.locator("#alias")).to_have_value("bob")
    expect_unmarked(guest, "alias")
    # The words are at the field, once: not repeated in a box at the top of the form.
    expect(guest.get_by_text("That password is not right for this room.")).to_have_count(1)
    assert WRONG not in guest.content()

    # Straight back to typing: no click, no tab.
    guest.keyboard.type(PASSWORD)
    guest.keyboard.press("Enter")
    expect(guest).to_have_url(link)
    expect_connected(guest)
    assert refused(page_errors, 403) == []


def test_a_taken_alias_is_marked_at_the_alias_field_and_selected_for_retyping(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    guest = new_page(**DESKTOP)
    link = link_from_ann(shared_server)

    guest.goto(link)
    guest.fill("#alias", "ANN")
    guest.fill("#password", PASSWORD)
    guest.get_by_role("button", name="Join room").click()

    expect_marked(guest, "alias", "Someone in this room already uses that alias.")
    expect(guest.locator("#alias")).to_be_focused()
    expect(guest.locator("#alias")).to_have_value("ANN")
    expect_unmarked(guest, "password")
    expect(guest.locator("#password")).to_have_value("")
    assert PASSWORD not in guest.content()

    # The refused alias is selected, so typing replaces it.
    guest.keyboard.type("bob")
    expect(guest.locator("#alias")).to_have_value("bob")
    guest.keyboard.press("Tab")
    expect(guest.locator("#password")).to_be_focused()
    guest.keyboard.type(PASSWORD)
    guest.keyboard.press("Enter")
    expect_connected(guest)
    assert refused(page_errors, 409) == []


def test_a_landing_form_the_server_refuses_marks_the_field_it_refused(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    page = new_page(**PHONE)
    page.goto(shared_server.url + "/")
    page.fill("#alias", UNASSIGNED_ALIAS)
    page.fill("#name", "plans")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Create room").tap()

    expect_marked(page, "alias", "Alias contains invisible or control characters.")
    expect(page.locator("#alias")).to_be_focused()
    expect(page.locator("#name")).to_have_value("plans")
    expect_unmarked(page, "name")
    expect_unmarked(page, "password")
    assert PASSWORD not in page.content()
    assert refused(page_errors, 400) == []


def test_without_scripts_the_server_marks_every_wrong_field_and_focuses_the_first(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    page = new_page(java_script_enabled=False, **DESKTOP)
    page.goto(shared_server.url + "/")
    page.fill("#alias", "ann")
    page.get_by_role("button", name="Create room").click()

    expect_marked(page, "name", "Room name must not be empty.")
    expect_marked(page, "password", "Password must not be empty.")
    expect(page.locator("#name")).to_be_focused()
    expect(page.locator("#alias")).to_have_value("ann")
    expect_unmarked(page, "alias")
    # Without scripts there is no show-password button, and the field stays a password field.
    expect(page.get_by_role("button", name="Show password")).to_have_count(0)
    expect(page.locator("#password")).to_have_attribute("type", "password")
    assert refused(page_errors, 400) == []


# 2 ----------------------------------------------------------------------------------------------------------------


def caret(page: Page) -> list[int]:
    return page.evaluate("() => [document.activeElement.selectionStart, document.activeElement.selectionEnd]")


def expect_masked(field: Locator, masked: bool) -> None:
    """With the script the field is text masked by CSS: never a password field, which a browser offers to save."""
    expect(field).to_have_attribute("type", "text")
    expect(field).to_have_css("-webkit-text-security", "disc" if masked else "none")


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("where", ["landing", "join"])
def test_every_password_field_has_a_button_that_shows_and_hides_the_password(
    where: str, device: str, new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    page = new_page(**DEVICES[device])
    if where == "join":
        page.goto(link_from_ann(shared_server))
    else:
        page.goto(shared_server.url + "/")
    password = page.locator("#password")
    show = page.get_by_role("button", name="Show password", exact=True)
    hide = page.get_by_role("button", name="Hide password", exact=True)

    expect(show).to_have_attribute("aria-pressed", "false")
    expect(show).to_have_attribute("type", "button")
    expect_masked(password, True)
    box, field = show.bounding_box(), password.bounding_box()
    assert box is not None and box["width"] >= 44 and box["height"] >= 44, f"{box}: a thumb needs 44 px"
    assert field is not None
    assert box["x"] >= field["x"] + field["width"] and abs(box["y"] - field["y"]) < 2, "not beside the field"

    activate(password, device)
    page.keyboard.type("typed secret")
    activate(show, device)
    expect(hide).to_have_attribute("aria-pressed", "true")
    expect_masked(password, False)
    expect(password).to_have_value("typed secret")
    # The press did not take the cursor away from what is being typed.
    expect(password).to_be_focused()
    assert caret(page) == [12, 12]
    page.keyboard.type(" more")
    expect(password).to_have_value("typed secret more")

    activate(hide, device)
    expect(show).to_have_attribute("aria-pressed", "false")
    expect_masked(password, True)
    expect(password).to_be_focused()
    assert caret(page) == [17, 17]

    if device == "desktop":
        # The keyboard reaches the button right after the field; Space toggles, and the focus stays on the button.
        page.keyboard.press("Tab")
        expect(show).to_be_focused()
        page.keyboard.press("Space")
        expect(hide).to_be_focused()
        expect_masked(password, False)
        page.keyboard.press("Enter")
        expect(show).to_be_focused()
        expect_masked(password, True)
    expect(password).to_have_value("typed secret more")
    assert page_errors == []


# 3 ----------------------------------------------------------------------------------------------------------------


def test_on_a_phone_the_create_form_is_on_the_first_screen_and_on_a_desktop_beside_the_intro(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    phone = new_page(**PHONE)
    phone.goto(shared_server.url + "/")
    first_screen = PHONE["viewport"]["height"]
    for control in (
        phone.locator("#alias"),
        phone.locator("#name"),
        phone.locator("#password"),
        phone.get_by_role("button", name="Create room"),
    ):
        box = control.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= first_screen, (
            f"{control} is at {box}, below the first {first_screen} px of a phone"
        )
    assert phone.evaluate("() => window.scrollY") == 0
    expect(phone.get_by_role("heading", name="A private room that forgets")).to_be_in_viewport()
    # Every promise is still on the page, the warning that it is not end-to-end encrypted included.
    promises = phone.locator(".promises li")
    expect(promises).to_have_count(5)
    expect(promises.last).to_contain_text("Not end-to-end encrypted.")

    desktop = new_page(**DESKTOP)
    desktop.goto(shared_server.url + "/")
    title = desktop.get_by_role("heading", name="A private room that forgets").bounding_box()
    form = desktop.locator("#create-form").bounding_box()
    listed = desktop.locator(".promises").bounding_box()
    assert title is not None and form is not None and listed is not None
    # Side by side: the intro and its promises on the left, the form on the right, all on the first screen.
    assert listed["x"] + listed["width"] <= form["x"] and title["x"] + title["width"] <= form["x"], (title, form)
    assert form["y"] < title["y"] + 200 and listed["y"] < form["y"] + form["height"], (title, listed, form)
    button = desktop.get_by_role("button", name="Create room").bounding_box()
    assert button is not None and button["y"] + button["height"] <= DESKTOP["viewport"]["height"]
    assert page_errors == []


# 4 ----------------------------------------------------------------------------------------------------------------

# The input's edge, its own fill, the surface it sits on (the card) and the page behind that.
COLOURS = """(el) => {
    const transparent = (colour) => colour === "transparent" || /^rgba\\(.*,\\s*0\\)$/.test(colour);
    let node = el.parentElement;
    while (node && transparent(getComputedStyle(node).backgroundColor)) node = node.parentElement;
    const style = getComputedStyle(el);
    return {
        edges: [style.borderTopColor, style.borderRightColor, style.borderBottomColor, style.borderLeftColor],
        fill: style.backgroundColor,
        surface: node ? getComputedStyle(node).backgroundColor : "rgb(255, 255, 255)",
        page: getComputedStyle(document.body).backgroundColor,
    };
}"""


def edge_contrasts(page: Page, where: str) -> list[str]:
    """Every input whose edge has less than 3:1 against its fill, the card it sits on or the page."""
    short = []
    for control in page.locator("form input:not([type=hidden])").all():
        found = control.evaluate(COLOURS)
        page_colour = rgb(found["page"])
        surface = rgb(found["surface"], page_colour)
        fill = rgb(found["fill"], surface)
        for edge in {rgb(colour, surface) for colour in found["edges"]}:
            for name, behind in (("its fill", fill), ("the card", surface), ("the page", page_colour)):
                ratio = contrast(edge, behind)
                if ratio < 3:
                    short.append(f"{where} #{control.get_attribute('id')}: {ratio:.2f}:1 against {name} {found}")
    return short


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_input_edge_has_three_to_one_contrast_in_light_and_dark(
    scheme: str, new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    host, guest = new_page(color_scheme=scheme), new_page(color_scheme=scheme)
    host.goto(shared_server.url + "/")
    short = edge_contrasts(host, f"{scheme} landing")
    host.get_by_role("button", name="Create room").click()  # empty: every field is marked wrong
    expect(host.locator("#password")).to_have_attribute("aria-invalid", "true")
    short += edge_contrasts(host, f"{scheme} landing with errors")

    guest.goto(link_from_ann(shared_server))
    short += edge_contrasts(guest, f"{scheme} join")
    assert short == [], "input edges WCAG 1.4.11 cannot see:\n" + "\n".join(short)
    assert page_errors == []


# axe --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_forms_pass_an_axe_audit_with_their_errors_shown_in_light_and_dark(
    scheme: str, new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    host, guest = new_page(color_scheme=scheme), new_page(color_scheme=scheme, **PHONE)
    found: list[str] = []

    host.goto(shared_server.url + "/")
    host.get_by_role("button", name="Create room").click()  # empty: the script marks every field
    expect(host.locator("#alias-error")).to_be_visible()
    found += severe_violations(host, f"{scheme} landing, script's errors")
    host.fill("#alias", UNASSIGNED_ALIAS)
    host.fill("#name", "plans")
    host.fill("#password", PASSWORD)
    host.get_by_role("button", name="Show password").click()
    host.get_by_role("button", name="Create room").click()
    expect(host.locator("#alias")).to_be_focused()
    expect(host.locator("#alias-error")).to_be_visible()
    found += severe_violations(host, f"{scheme} landing, server's error")

    guest.goto(link_from_ann(shared_server))
    guest.fill("#alias", "bob")
    guest.fill("#password", WRONG)
    guest.get_by_role("button", name="Join room").tap()
    expect(guest.locator("#password-error")).to_be_visible()
    found += severe_violations(guest, f"{scheme} join, wrong password")
    guest.locator("#password").fill(WRONG)
    guest.get_by_role("button", name="Show password").tap()
    expect(guest.get_by_role("button", name="Hide password")).to_be_visible()
    found += severe_violations(guest, f"{scheme} join, password shown")
    assert not found, "axe found serious or critical problems:\n" + "\n".join(found)
    assert refused(page_errors, 400, 403) == []
