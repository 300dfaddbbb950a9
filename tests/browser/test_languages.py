"""The client in ten languages, in Debian's Chromium: the browser's language picks the page's, the switcher
changes it for the browser session (keeping a server-blind link whole), and axe stays clean in each (on every
page in one left-to-right and one right-to-left language, on the landing in the others).

Expected words come from the catalogs, never written here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from ephemeral.languages import LANGUAGES, Language, by_tag
from ephemeral.translations import Catalogs
from tests.browser.support import PASSWORD, expect_connected, message, open_room_menu, send, severe_violations
from tests.browser.test_e2e_client import create_blind_room
from tests.support.server import RunningServer

pytestmark = pytest.mark.browser

NewPage = Callable[..., Page]
CATALOGS = Catalogs(str(Path(__file__).resolve().parents[2] / "translations"), LANGUAGES)


def language(tag: str) -> Language:
    found = by_tag(tag)
    assert found is not None
    return found


def page_words(tag: str, english: str) -> str:
    return CATALOGS.gettext(language(tag)).gettext(english)


def script_words(tag: str, key: str) -> str:
    found = CATALOGS.script_table(language(tag)).get(key)
    assert isinstance(found, str), f"{tag} lacks {key}"
    return found


def expect_language(page: Page, tag: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", tag)
    expect(page.locator("html")).to_have_attribute("dir", language(tag).dir)


def api_room(page: Page, base_url: str, alias: str) -> str:
    """A standard room made through the API by this page's cookie jar, as its script would; its link."""
    room = {"alias": alias, "name": "ضيوف · guests", "password": PASSWORD}
    made = page.request.post(base_url + "/api/rooms", data=room)
    assert made.status == 201, made.text()
    return str(made.json()["url"])


def api_join(page: Page, link: str, alias: str) -> None:
    base_url, room_id = link.split("/r/")
    joined = page.request.post(f"{base_url}/api/rooms/{room_id}/join", data={"alias": alias, "password": PASSWORD})
    assert joined.status == 200, joined.text()


def expect_status_connected(page: Page, tag: str) -> None:
    if tag == "en":
        expect_connected(page)
    else:
        expect(page.locator("#status")).to_have_text(script_words(tag, "status.connected"))


def test_every_language_reads_right_to_its_readers_on_every_page_and_passes_axe_on_its_landing(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    """Each page in each language, in the catalog's words and direction; axe audits each language's landing (what
    differs between languages there: the lang tag, the direction, the words' lengths). Every page in every scheme
    is audited in English (test_client.py), and every page in one more LTR and one RTL language below."""
    found: list[str] = []
    for each in LANGUAGES:
        host, guest = new_page(locale=each.tag), new_page(locale=each.tag)
        host.goto(shared_server.url + "/")
        expect_language(host, each.tag)
        expect(host.locator("#create-title")).to_have_text(page_words(each.tag, "Create a room"))
        found += severe_violations(host, f"{each.code} landing")

        link = api_room(host, shared_server.url, "ليلى")
        guest.goto(link)
        expect_language(guest, each.tag)
        expect(guest.locator("#join-title")).to_have_text(page_words(each.tag, "Join this room"))
        host.goto(link)
        expect_status_connected(host, each.tag)
        guest.goto(shared_server.url + "/gone?reason=purged")
        expect_language(guest, each.tag)
        host.context.close()
        guest.context.close()
    assert not found, "axe found serious or critical problems:\n" + "\n".join(found)
    assert page_errors == []


# A language besides English (audited on every page in test_client.py) that reads left to right, and one that
# reads right to left.
FULLY_AUDITED = ["de", "ar"]


@pytest.mark.parametrize("tag", FULLY_AUDITED)
def test_a_left_to_right_and_a_right_to_left_language_pass_axe_on_every_page(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str], tag: str
) -> None:
    found: list[str] = []
    host, guest = new_page(locale=tag), new_page(locale=tag)
    host.goto(shared_server.url + "/")
    expect_language(host, tag)
    found += severe_violations(host, f"{tag} landing")
    host.locator("#create-form button[type=submit]").click()  # empty: each field says what is wrong
    expect(host.locator("#alias-error")).to_be_visible()
    found += severe_violations(host, f"{tag} landing with errors")

    link = api_room(host, shared_server.url, "ليلى")
    host.goto(link + "/share")
    found += severe_violations(host, f"{tag} share card")
    guest.goto(link)
    expect(guest.locator("#join-title")).to_have_text(page_words(tag, "Join this room"))
    found += severe_violations(guest, f"{tag} join")
    api_join(guest, link, "Sam")
    host.goto(link)
    guest.goto(link)
    for page in (host, guest):
        expect_status_connected(page, tag)
    send(host, "مرحبا **Sam** — 12:30")
    send(guest, "hello ليلى")
    for page in (host, guest):
        expect(page.locator("#messages li.message")).to_have_count(2)
    found += severe_violations(guest, f"{tag} chat")
    guest.goto(shared_server.url + "/gone?reason=purged")
    expect_language(guest, tag)
    found += severe_violations(guest, f"{tag} gone")
    assert not found, "axe found serious or critical problems:\n" + "\n".join(found)
    assert page_errors == []


def test_the_switcher_changes_the_language_for_the_session_and_keeps_a_server_blind_link_whole(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    host = new_page()
    link = create_blind_room(host, shared_server.url, "Tom", "planning")
    host.get_by_role("link", name="Enter the room").click()
    expect_connected(host)

    # A reader whose browser asks for English opens the link, and switches to Arabic before joining.
    guest = new_page(locale="en-US")
    guest.goto(link)
    expect_language(guest, "en")
    guest.locator("#language").select_option("ar")
    guest.locator("form.language-switcher button[type=submit]").first.click()
    expect_language(guest, "ar")
    assert guest.url == link, "the switch lost the link's fragment, and with it the room's key"
    expect(guest.locator("#join-title")).to_have_text(page_words("ar", "Join this room"))
    guest.fill("#alias", "ليلى")
    guest.fill("#password", PASSWORD)
    guest.locator("#join-form button[type=submit]").click()
    expect(guest.locator("#status")).to_have_text(script_words("ar", "status.connected"))

    # They talk: Arabic one side, English the other.
    send(host, "Meet at 6?")
    send(guest, "نعم، الساعة 6")
    expect(message(host, "نعم، الساعة 6")).to_have_count(1)
    expect(message(guest, "Meet at 6?")).to_have_count(1)
    # The countdown is written in the digits this Chromium's Intl gives Arabic, whichever they are.
    countdown = guest.locator("#countdown").text_content() or ""
    digits = set(guest.evaluate("() => new Intl.NumberFormat('ar', {useGrouping: false}).format(1234567890)"))
    assert re.fullmatch(r"\S+:\S\S", countdown) and set(countdown) - {":"} <= digits, (countdown, digits)

    # The choice lasts this browser session: another tab of it is Arabic, a new session is English again.
    again = guest.context.new_page()
    again.goto(shared_server.url + "/")
    expect_language(again, "ar")
    cookies = {cookie["name"]: cookie for cookie in guest.context.cookies()}
    assert cookies["lang"]["value"] == "ar" and cookies["lang"]["expires"] == -1
    assert guest.evaluate("() => [localStorage.length, sessionStorage.length, document.cookie]") == [0, 0, ""]
    fresh = new_page(locale="en-US")
    fresh.goto(shared_server.url + "/")
    expect_language(fresh, "en")
    assert page_errors == []


PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def test_on_a_phone_the_room_menus_switcher_keeps_a_server_blind_room_that_was_opened_in_place(
    new_page: NewPage, shared_server: RunningServer, page_errors: list[str]
) -> None:
    # Made on a phone: the share card and then the chat come in place (the keys stay in this page), so the
    # menu's switcher arrived after the page's first load.
    phone = new_page(**PHONE)
    link = create_blind_room(phone, shared_server.url, "Tom", "planning")
    phone.locator("#enter-room").tap()
    expect_connected(phone)
    expect(phone.locator("#language")).to_be_hidden()  # the header's: a phone's chat has none
    open_room_menu(phone)
    phone.locator("#room-language").select_option("fa")
    phone.locator("#room-menu form.language-switcher button[type=submit]").tap()
    expect_language(phone, "fa")
    assert phone.url == link, "the switch lost the link's fragment, and with it the room's key"
    # As after any reload, the room asks for its password again, and opens with it.
    expect(phone.locator("#unlock")).to_be_visible()
    phone.fill("#unlock-form #password", PASSWORD)
    phone.locator("#unlock-form button[type=submit]").tap()
    expect(phone.locator("#status")).to_have_text(script_words("fa", "status.connected"))
    assert page_errors == []
