"""What a person does in the web client, as Playwright steps; shared by the browser tests and scripts/screenshots.py.

Every helper acts through the page (fill, press, click) and waits on what the
page shows, never on a sleep.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Locator, Page, Playwright, Request, WebSocketRoute, expect

# Playwright cannot download its own browser here; these flags make a root,
# headless, offline Chromium quiet and predictable.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
PASSWORD = "correct horse battery staple"
# A common phone, as Playwright opens one: a touch screen that reports itself as mobile.
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
# The smallest valid PNG: one transparent pixel.
PIXEL_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
MINE = re.compile(r"\bmine\b")


def chromium_path() -> str | None:
    """Debian's Chromium, the only browser available here."""
    return shutil.which("chromium")


def launch_chromium(playwright: Playwright) -> Browser:
    executable = chromium_path()
    if executable is None:
        raise RuntimeError("Chromium is not on PATH (install Debian's chromium: sh scripts/install-system-deps.sh)")
    return playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)


# --- getting in -------------------------------------------------------------------------------------------------


def create_room_to_share_card(
    page: Page, base_url: str, alias: str, name: str, password: str = PASSWORD, *, fresh: bool = True
) -> str:
    """Fill the landing form (loaded anew unless not `fresh`: options already chosen on it) and submit; stops on
    the share card and returns the room link it shows."""
    if fresh:
        page.goto(base_url + "/")
    page.fill("#alias", alias)
    page.fill("#name", name)
    page.fill("#password", password)
    page.get_by_role("button", name="Create room").click()
    expect(page).to_have_url(re.compile(r"/r/[^/]+/share$"))
    link = page.locator("#room-link").input_value()
    assert link.startswith(base_url + "/r/")
    return link


def expect_connected(page: Page) -> None:
    """The chat page says it is connected; until then a message would not go out."""
    expect(page.locator("#chat")).to_be_visible()
    expect(page.locator("#status")).to_have_text("Connected. Nothing here is stored.")


def enter_from_share_card(page: Page, link: str) -> None:
    page.get_by_role("link", name="Enter the room").click()
    expect(page).to_have_url(link)
    expect_connected(page)


def create_room(page: Page, base_url: str, alias: str, name: str, password: str = PASSWORD) -> str:
    """Landing form, share card, into the room; returns the room link."""
    link = create_room_to_share_card(page, base_url, alias, name, password)
    enter_from_share_card(page, link)
    return link


def join_room(page: Page, link: str, alias: str, password: str = PASSWORD) -> None:
    """Open the link, fill the join form, land in the chat."""
    page.goto(link)
    expect(page.get_by_role("heading", name="Join this room")).to_be_visible()
    page.fill("#alias", alias)
    page.fill("#password", password)
    page.get_by_role("button", name="Join room").click()
    expect(page).to_have_url(link)
    expect_connected(page)


# For tests of the chat page itself, which need not type their way in: the forms have tests of their own
# (test_forms.py, test_client.py). The page's own cookie jar makes the requests, as the forms would.


def create_room_through_api(page: Page, base_url: str, alias: str, name: str, password: str = PASSWORD) -> str:
    """Make a room through the JSON API and open it; returns the room link."""
    made = page.request.post(base_url + "/api/rooms", data={"alias": alias, "name": name, "password": password})
    assert made.status == 201, made.text()
    link = str(made.json()["url"])
    page.goto(link)
    expect_connected(page)
    return link


def join_room_through_api(page: Page, link: str, alias: str, password: str = PASSWORD) -> None:
    """Join through the JSON API and open the room."""
    base_url, room_id = link.split("/r/")
    joined = page.request.post(f"{base_url}/api/rooms/{room_id}/join", data={"alias": alias, "password": password})
    assert joined.status == 200, joined.text()
    page.goto(link)
    expect_connected(page)


def expect_present(page: Page, *aliases: str) -> None:
    """The presence list shows exactly these people."""
    expect(page.locator("#presence-count")).to_have_text(str(len(aliases)))
    expect(page.locator("#presence li")).to_have_count(len(aliases))
    for alias in aliases:
        expect(page.locator("#presence li").filter(has_text=re.compile(rf"^{re.escape(alias)}\b"))).to_have_count(1)


# --- talking ----------------------------------------------------------------------------------------------------


def send(page: Page, text: str) -> None:
    """Type `text` and press Enter (on a touch screen, where Enter adds a line, tap Send).

    Returns once the room has echoed the message back to the sender.
    """
    own = page.locator("#messages li.message.mine")
    before = own.count()
    page.fill("#text", text)
    if page.evaluate("() => matchMedia('(pointer: coarse)').matches"):
        page.locator("#send").tap()
    else:
        page.press("#text", "Enter")
    expect(own).to_have_count(before + 1)


def message(page: Page, text: str) -> Locator:
    return page.locator("#messages li.message").filter(has_text=text)


def expect_message(page: Page, text: str, alias: str, mine: bool) -> None:
    """Exactly one message with `text`, from `alias`, marked as one's own only when it is."""
    item = message(page, text)
    expect(item).to_have_count(1)
    expect(item.locator(".alias")).to_have_text(alias)
    if mine:
        expect(item).to_have_class(MINE)
        expect(item.locator(".head .you")).to_have_text("(you)")
    else:
        expect(item).not_to_have_class(MINE)
        expect(item.locator(".head .you")).to_have_count(0)


def message_bodies(page: Page) -> list[str]:
    """The text of every message on the page, top to bottom."""
    return page.locator("#messages li.message .body").all_inner_texts()


# --- getting out ------------------------------------------------------------------------------------------------


def open_room_menu(page: Page) -> None:
    """On a phone the room's actions sit behind Menu; on a wide screen they are already out."""
    if not page.locator("#purge").is_visible():
        page.click("#menu-toggle")
        expect(page.locator("#purge")).to_be_visible()


def purge(page: Page) -> None:
    """Purge, and confirm in the page's own dialog."""
    open_room_menu(page)
    page.click("#purge")
    dialog = page.locator("#purge-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("#purge-confirm").click()


def expect_gone(page: Page, reason: str, *texts: str, timeout_ms: float = TIMEOUT_MS) -> None:
    """On the gone page for `reason` (within `timeout_ms`), with none of `texts` anywhere in the document."""
    expect(page).to_have_url(re.compile(rf"/gone\?reason={reason}$"), timeout=timeout_ms)
    expect(page.locator("#gone")).to_be_visible()
    html = page.content()
    for text in texts:
        assert text not in html, f"{text!r} is still in the page after {reason}"


def expect_wiped(page: Page, *texts: str) -> None:
    expect_gone(page, "purged", *texts)
    expect(page.locator("#gone h1")).to_have_text("This room is gone")
    expect(page.locator("#gone")).to_contain_text("Every message is gone from every screen")


def expect_no_conversation(page: Page, *texts: str) -> None:
    """Whatever page this is, it is not a chat and holds none of `texts`."""
    expect(page.locator("#chat")).to_have_count(0)
    html = page.content()
    for text in texts:
        assert text not in html, f"{text!r} came back"


# --- what the page asks the network for -------------------------------------------------------------------------


def requests_leaving(page: Page, own_origin: str) -> list[str]:
    """Every URL `page` asks any host but `own_origin` for, from now on."""
    seen: list[str] = []

    def record(request: Request) -> None:
        if not request.url.startswith(own_origin + "/") and not request.url.startswith("data:"):
            seen.append(request.url)

    page.on("request", record)
    return seen


# --- two people in a room -------------------------------------------------------------------------------------


@dataclass
class Pair:
    """Ann, who made the room (its host), and Bob, who joined; Ann's socket runs through a tap."""

    link: str
    ann: Page
    bob: Page
    ann_socket: SocketTap


def pair_up(
    new_page: Callable[..., Page], base_url: str, ann_device: Any = None, bob_device: Any = None, *, forms: bool = True
) -> Pair:
    """Ann (in a context made with `ann_device` options) creates a room, Bob joins, both see both.

    Through the landing and join forms; with `forms=False` through the JSON API.
    """
    ann, bob = new_page(**(ann_device or {})), new_page(**(bob_device or {}))
    tap = tap_socket(ann)
    if forms:
        link = create_room(ann, base_url, "ann", "plans")
        join_room(bob, link, "bob")
    else:
        link = create_room_through_api(ann, base_url, "ann", "plans")
        join_room_through_api(bob, link, "bob")
    for page in (ann, bob):
        expect_present(page, "ann", "bob")
    return Pair(link, ann, bob, tap)


# --- what the server tells the page -----------------------------------------------------------------------------

# Socket.IO text packets on the default namespace: 42 is an event, 43<id> an ack.
_EVENT = re.compile(r"^42(\[.*\])$", re.DOTALL)
_ACK = re.compile(r"^43\d+(\[.*\])$", re.DOTALL)


@dataclass
class SocketTap:
    """The page's Socket.IO traffic passes through the test: it reads what the server sent and can add to it."""

    received: list[str] = field(default_factory=list)
    routes: list[WebSocketRoute] = field(default_factory=list)
    # Set by a test to change each ack before the page sees it (what a newer or odder server would answer).
    edit_ack: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    # Set by a test to keep acks from the page until `release()`: a slow server, as the page sees it.
    hold_acks: bool = False
    held: list[str] = field(default_factory=list)
    # Set by a test to cut the page off: its socket closes and every new one is refused until cleared.
    offline: bool = False

    def release(self) -> None:
        """Deliver the held acks, in order, and stop holding."""
        self.hold_acks = False
        while self.held:
            self.routes[-1].send(self.held.pop(0))

    def cut(self) -> None:
        """Go offline: close the page's socket as a dropped network would, and refuse its reconnects."""
        self.offline = True
        self.routes[-1].close()

    def events(self, name: str) -> list[Any]:
        """Payloads of every `name` event the server sent, oldest first."""
        found = []
        for frame in self.received:
            match = _EVENT.match(frame)
            if match:
                event, *payload = json.loads(match.group(1))
                if event == name:
                    found.append(payload[0] if payload else None)
        return found

    def acks(self) -> list[Any]:
        """Every ack the server sent, oldest first."""
        return [json.loads(match.group(1))[0] for frame in self.received if (match := _ACK.match(frame))]

    def inject(self, event: str, payload: Any) -> None:
        """Deliver `event` to the page on its live socket, as if the server had sent it."""
        assert self.routes, "the page has no socket yet"
        self.routes[-1].send("42" + json.dumps([event, payload]))


def tap_socket(page: Page) -> SocketTap:
    """Route the page's Socket.IO WebSockets through a SocketTap; call before the page connects."""
    tap = SocketTap()

    def route(socket: WebSocketRoute) -> None:
        if tap.offline:
            socket.close()
            return
        server = socket.connect_to_server()

        def from_server(frame: str | bytes) -> None:
            if isinstance(frame, str):
                tap.received.append(frame)
                ack = _ACK.match(frame)
                if ack and tap.edit_ack:
                    (body,) = json.loads(ack.group(1))
                    frame = frame[: ack.start(1)] + json.dumps([tap.edit_ack(body)])
                if ack and tap.hold_acks:
                    tap.held.append(frame)
                    return
            socket.send(frame)

        # Handling one direction stops Playwright forwarding it; the page's own frames still go through.
        server.on_message(from_server)
        tap.routes.append(socket)

    page.route_web_socket(re.compile(r"/socket\.io/"), route)
    return tap


# --- keyboard ---------------------------------------------------------------------------------------------------


def tab_to(page: Page, target: Locator, limit: int = 40, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until `target` has focus, as a keyboard user would."""
    key = "Shift+Tab" if backwards else "Tab"
    handle = target.element_handle()
    for _ in range(limit):
        if page.evaluate("(el) => document.activeElement === el", handle):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{limit} presses of {key} never reached {target}")


def focused_outline(page: Page) -> dict[str, Any]:
    """The computed outline of whatever has focus."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            const width = parseFloat(style.outlineWidth);
            return {tag: el.tagName, text: el.textContent, style: style.outlineStyle, width};
        }"""
    )


# --- colour -----------------------------------------------------------------------------------------------------

Colour = tuple[float, float, float]
RGB = re.compile(r"rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+))?\s*\)")


def rgb(colour: str, behind: Colour = (255, 255, 255)) -> Colour:
    """A computed `rgb(...)`/`rgba(...)` colour, composited over `behind` if it is see-through."""
    match = RGB.fullmatch(colour.strip())
    assert match, f"not a computed rgb colour: {colour!r}"
    red, green, blue = (float(match.group(n)) for n in (1, 2, 3))
    alpha = float(match.group(4)) if match.group(4) is not None else 1.0
    return (
        red * alpha + behind[0] * (1 - alpha),
        green * alpha + behind[1] * (1 - alpha),
        blue * alpha + behind[2] * (1 - alpha),
    )


def luminance(colour: Colour) -> float:
    """WCAG 2 relative luminance."""
    linear = [c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in colour]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: Colour, other: Colour) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def hex_colour(value: str) -> Colour:
    """`#rrggbb` as channels."""
    return (int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16))


# --- visibility -------------------------------------------------------------------------------------------------

# Headless Chromium reports every page as visible, whatever is in front (bring_to_front,
# minimised windows and focus emulation leave document.visibilityState alone), so the
# test says "hidden" the way the browser would: the two properties and the event.
_SET_VISIBILITY = """(hidden) => {
    Object.defineProperty(document, "visibilityState", {configurable: true, get: () => hidden ? "hidden" : "visible"});
    Object.defineProperty(document, "hidden", {configurable: true, get: () => hidden});
    document.dispatchEvent(new Event("visibilitychange"));
}"""


def set_hidden(page: Page, hidden: bool) -> None:
    page.evaluate(_SET_VISIBILITY, hidden)
    assert page.evaluate("() => document.visibilityState") == ("hidden" if hidden else "visible")


# --- accessibility ----------------------------------------------------------------------------------------------

AXE = Axe()
SEVERE = ("serious", "critical")


def severe_violations(page: Page, where: str) -> list[str]:
    """axe's serious and critical findings on `page`, one readable line per offending element."""
    found = []
    for violation in AXE.run(page).response["violations"]:
        if violation["impact"] not in SEVERE:
            continue
        for node in violation["nodes"]:
            summary = " ".join(node.get("failureSummary", "").split())
            found.append(
                f"{where}: {violation['id']} ({violation['impact']}) at {node['target']}: {summary} "
                f"[{node['html'][:120]}]"
            )
    return found
