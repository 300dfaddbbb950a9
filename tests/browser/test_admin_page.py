"""The abuse path in a browser: people report a room from its join page and from its menu; the operator closes it
from `/admin`, whose page never holds the room's name, an alias, a message or (past the form) the token; every
screen of the room is wiped."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import expect_connected, expect_gone, open_room_menu, send, severe_violations
from tests.support.server import RunningServer, running_server

pytestmark = pytest.mark.browser

TOKEN = "a-browser-test-admin-token-" + "7" * 24
NAME, ANN, TEXT = "zq7 plans for the weekend", "zq7ann", "zq7 words nobody else reads"
THANKS = "Thank you: the operator was told."


@pytest.fixture
def operated(tmp_path: Path) -> Iterator[RunningServer]:
    env = {"EPHEMERAL_BCRYPT_COST": "4", "EPHEMERAL_ADMIN_TOKEN": TOKEN}
    with running_server(tmp_path, "gevent", env=env) as server:
        yield server


def report(page: Page, reason: str) -> None:
    """Open "Report this room", pick `reason`, send; the dialog thanks, and will not send the same twice."""
    page.get_by_role("button", name="Report this room").click()
    dialog = page.locator("#report-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Send report").click()
    expect(dialog.locator("#report-unchosen")).to_be_visible()  # no reason yet: nothing sent
    assert severe_violations(page, "the report dialog") == []
    dialog.get_by_label(reason).check()
    dialog.get_by_role("button", name="Send report").click()
    expect(dialog.locator("#report-sent")).to_have_text(THANKS)
    expect(dialog.locator("#report-unchosen")).to_be_hidden()
    expect(dialog.get_by_role("button", name="Send report")).to_be_disabled()
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()


def test_reported_then_closed_by_the_operator_who_never_sees_the_room(
    new_page: Callable[..., Page], operated: RunningServer, page_errors: list[str]
) -> None:
    ann = new_page()
    # Made through the API with the page's own cookies (the forms have tests of their own), then entered.
    made = ann.request.post(f"{operated.url}/api/rooms", data={"alias": ANN, "name": NAME, "password": "secret"})
    room_id = made.json()["room_id"]
    link = f"{operated.url}/r/{room_id}"
    ann.goto(link)
    expect_connected(ann)
    send(ann, TEXT)

    reader = new_page()  # someone who has the link only
    reader.goto(link)
    report(reader, "Harassment")
    open_room_menu(ann)
    report(ann, "Spam")

    operator = new_page()
    operator.goto(operated.url + "/admin")
    operator.fill("#admin-token", TOKEN[:-1] + "x")
    operator.get_by_role("button", name="Show reported rooms").click()
    expect(operator.locator("#admin-status")).to_have_text("That is not the admin token.")
    operator.fill("#admin-token", TOKEN)
    operator.get_by_role("button", name="Show reported rooms").click()
    row = operator.locator("#reported-rows tr")
    expect(row).to_have_count(1)
    expect(row.locator(".room-id")).to_have_text(room_id)
    expect(row.locator(".reasons")).to_contain_text("harassment 1")
    expect(row.locator(".reasons")).to_contain_text("spam 1")
    expect(row.locator(".count")).to_have_text("2")
    expect(row.locator(".participants")).to_have_text("1")
    assert severe_violations(operator, "the admin page") == []
    # The page holds no word of the room, and the token only in the script's variable.
    html = operator.content()
    for text in (NAME, ANN, TEXT, TOKEN):
        assert text not in html
    assert operator.locator("#admin-token").input_value() == ""
    assert TOKEN not in operator.url
    kept = operator.evaluate("() => [localStorage.length, sessionStorage.length, document.cookie]")
    assert kept == [0, 0, ""]

    # Close asks first: keeping the room changes nothing.
    confirm = operator.locator("#close-dialog")
    row.get_by_role("button", name="Close room").click()
    expect(confirm.locator("#close-room")).to_have_text(room_id)
    confirm.get_by_role("button", name="Keep the room").click()
    expect(confirm).to_be_hidden()
    expect(row).to_have_count(1)
    expect_connected(ann)

    row.get_by_role("button", name="Close room").click()
    confirm.get_by_role("button", name="Close for everyone").click()
    expect(operator.locator("#admin-status")).to_contain_text("The room is closed")
    expect(operator.locator("#no-reports")).to_be_visible()
    expect_gone(ann, "closed", NAME, TEXT, ANN)
    expect(ann.locator("#gone")).to_contain_text("operator closed this room")
    # The one console error so far: the browser's own line for the wrong token's 401.
    assert [error for error in page_errors if "status of 401" not in error] == []
    reader.reload()  # a 404 now, which the browser notes in the console too
    expect(reader.locator("#gone")).to_be_visible()
