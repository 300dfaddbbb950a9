"""What the chat shows, held in memory only: the room's events turned into entries, people and a deadline.

Pure state: the connection hands it events on the UI's thread, the screen draws it. Nothing here touches the
disk, the network or the terminal.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .history import ACCEPT_SECONDS, sharer_for
from .render import Fragments, render_html
from .sealed import REFUSED, SealedRoom
from .text import inert, inert_line

__all__ = ["ENDINGS", "Chat", "Entry"]

# As the web client: the oldest entries go past this many, from memory and screen.
MAX_ENTRIES = 500
HELP_HINT = "/help lists the commands."
FILE_NOTE = "(a file was sent: open the room in a browser to get it)"
# The reasons a room ends for this client, and the line said once the chat has gone.
ENDINGS = {
    "purged": "The room was purged{by}. Every message is gone.",
    "expired": "The room expired. Every message is gone.",
    "closed": "The server's operator closed the room. Every message is gone.",
    "shutdown": "The server shut down. The room and every message are gone.",
    "removed": "You were removed from the room{by}.",
    "gone": "The room is gone.",
}


@dataclass
class Entry:
    """A message (`html` rendered to `body`) or a note of the client's own (`body` only)."""

    body: Fragments
    alias: str | None = None
    sender: str | None = None
    message_id: str | None = None
    ts: int | None = None
    mine: bool = False
    edited: bool = False
    received: float = 0.0
    shared_by: str | None = None  # handed on by a peer, not verified by the server
    wire: dict[str, Any] | None = None  # the body as it came (`html` or `e2e`), to hand on to a newcomer


@dataclass
class Chat:
    room_id: str
    name: str
    sealed: SealedRoom | None = None
    clock: Callable[[], float] = time.monotonic
    entries: deque[Entry] = field(default_factory=lambda: deque(maxlen=MAX_ENTRIES))
    participants: list[dict[str, Any]] = field(default_factory=list)
    you: dict[str, Any] = field(default_factory=dict)
    rules: dict[str, Any] = field(default_factory=dict)
    deadline: float | None = None
    ended: str | None = None
    ended_by: str = ""
    welcomed: bool = False
    arrivals: list[str] = field(default_factory=list)  # who came since the screen last asked
    _expected_history: tuple[str, float] | None = None  # (from, until)

    # -- what the screen asks ------------------------------------------------------------------------------

    def note(self, text: str) -> None:
        self.entries.append(Entry([("class:note", inert(text))], received=self.clock()))

    def seconds_left(self) -> int | None:
        return None if self.deadline is None else max(0, int(self.deadline - self.clock() + 0.999))

    def present(self) -> list[str]:
        return [inert_line(str(person.get("alias", ""))) for person in self.participants]

    def ending_line(self) -> str:
        by = f" by {self.ended_by}" if self.ended_by else ""
        return ENDINGS.get(self.ended or "gone", ENDINGS["gone"]).format(by=by)

    def forget_due(self) -> bool:
        """Drop the messages a room with disappearing messages no longer shows; True when any went."""
        after = self.rules.get("disappear")
        if not isinstance(after, int) or after <= 0:
            return False
        now, before = self.clock(), len(self.entries)
        kept = [e for e in self.entries if e.message_id is None or now - e.received < after]
        self.entries = deque(kept, maxlen=MAX_ENTRIES)
        return len(kept) != before

    # -- the room's events ---------------------------------------------------------------------------------

    def on_event(self, name: str, payload: Any) -> None:
        if self.ended is not None or not isinstance(payload, dict):
            return
        handler = getattr(self, "_on_" + name, None)
        if handler is not None:
            handler(payload)

    def _on_welcome(self, welcome: dict[str, Any]) -> None:
        self.you = welcome.get("you") or {}
        self.participants = list(welcome.get("participants") or [])
        self.rules = welcome.get("room") or {}
        if isinstance(welcome.get("name"), str):
            self.name = welcome["name"]
        expires_in = welcome.get("expires_in")
        if isinstance(expires_in, int | float):
            self.deadline = self.clock() + expires_in
        self.note(
            "Connected again." if self.welcomed else "Connected. Nothing here is stored. /help lists the commands."
        )
        self.welcomed = True
        sharer = sharer_for(self.participants, str(self.you.get("id"))) if self.rules.get("history") else None
        self._expected_history = (sharer, self.clock() + ACCEPT_SECONDS) if sharer else None

    def _on_presence(self, presence: dict[str, Any]) -> None:
        before = {p.get("id"): p.get("alias") for p in self.participants}
        self.participants = list(presence.get("participants") or [])
        now = {p.get("id"): p.get("alias") for p in self.participants}
        for pid, alias in now.items():
            if pid not in before:
                self.note(f"{inert_line(str(alias))} joined")
                self.arrivals.append(str(pid))
        for pid, alias in before.items():
            if pid not in now:
                self.note(f"{inert_line(str(alias))} left")
        if self.rules.get("vanish") is True:
            kept = [e for e in self.entries if e.sender is None or e.sender in now]
            self.entries = deque(kept, maxlen=MAX_ENTRIES)

    def _on_message(self, message: dict[str, Any]) -> None:
        alias = inert_line(str(message.get("alias", "")))
        if self.sealed is None:
            html = message.get("html")
            wire = {"html": html}
        else:
            wire = {"e2e": message.get("e2e")}
            opened = self.sealed.open(message)
            if opened.missing:
                self.note(f"{opened.missing} message(s) from {alias} never arrived.")
            if opened.refused:
                self.note(REFUSED[opened.refused].format(alias=alias))
                return
            html = opened.html
        if not isinstance(html, str):
            return
        sender = message.get("from")
        ts = message.get("ts")
        self.entries.append(
            Entry(
                render_html(html),
                alias=alias,
                sender=sender if isinstance(sender, str) else None,
                message_id=str(message.get("id")),
                ts=ts if isinstance(ts, int) else None,
                mine=sender == self.you.get("id"),
                received=self.clock(),
                wire=wire,
            )
        )

    def shareable(self) -> list[dict[str, Any]]:
        """The messages this screen got itself, as `share_history` hands them on, oldest first."""
        now = self.clock()
        after = self.rules.get("disappear")
        items = []
        for e in self.entries:
            if e.wire is None or e.shared_by is not None or e.message_id is None or e.sender is None:
                continue
            item: dict[str, Any] = {"id": e.message_id, "from": e.sender, "alias": e.alias, "ts": e.ts, **e.wire}
            if e.edited:
                item["edited"] = True
            if isinstance(after, int) and after > 0:
                item["left"] = max(0, int((after - (now - e.received)) * 1000))
            items.append(item)
        return items

    def _on_history(self, history: dict[str, Any]) -> None:
        """Taken once per welcome, from the member expected, in time; anything else is ignored."""
        expected, self._expected_history = self._expected_history, None
        messages = history.get("messages")
        if expected is None or history.get("from") != expected[0] or self.clock() > expected[1]:
            self._expected_history = expected if expected and self.clock() <= expected[1] else None
            return
        if not isinstance(messages, list):
            return
        by = inert_line(str(history.get("alias", "")))
        self.note(f"Shared by {by}, not verified by the server: {len(messages)} earlier message(s).")
        for item in messages:
            if isinstance(item, dict):
                self._take_shared(item, by)

    def _take_shared(self, item: dict[str, Any], by: str) -> None:
        alias = inert_line(str(item.get("alias", "")))
        html = item.get("html")
        if self.sealed is not None:
            opened = self.sealed.open_shared(item)
            if opened.refused:
                self.note(REFUSED[opened.refused].format(alias=alias))
                return
            html = opened.html
        if not isinstance(html, str) or self._find(item.get("id")) is not None:
            return
        ts = item.get("ts")
        self.entries.append(
            Entry(
                render_html(html),
                alias=alias,
                sender=str(item.get("from")),
                message_id=str(item.get("id")),
                ts=ts if isinstance(ts, int) else None,
                mine=item.get("from") == self.you.get("id"),
                received=self.clock(),
                shared_by=by,
            )
        )

    def _find(self, message_id: object) -> Entry | None:
        return next((e for e in self.entries if e.message_id is not None and e.message_id == message_id), None)

    def _on_edited(self, edited: dict[str, Any]) -> None:
        entry = self._find(edited.get("id"))
        if entry is None or entry.sender != edited.get("from"):
            return
        html = edited.get("html")
        if self.sealed is not None:
            opened = self.sealed.open_edit(edited, entry.sender or "", entry.alias or "")
            if opened.refused:
                self.note("An edit of a message from " + (entry.alias or "") + " was refused.")
                return
            html = opened.html
        if isinstance(html, str):
            entry.body, entry.edited = render_html(html), True
            entry.wire = {"e2e": edited.get("e2e")} if self.sealed is not None else {"html": html}

    def _on_unsent(self, unsent: dict[str, Any]) -> None:
        entry = self._find(unsent.get("id"))
        if entry is not None:
            entry.body, entry.edited, entry.wire = [("class:note", "Message removed")], False, None

    def _on_file(self, offer: dict[str, Any]) -> None:
        self.note(f"{inert_line(str(offer.get('alias', '')))}: {FILE_NOTE}")

    def _on_room(self, state: dict[str, Any]) -> None:
        if state.get("locked") != self.rules.get("locked"):
            self.note("The room is locked: nobody new may join." if state.get("locked") else "The room is open.")
        self.rules = state

    def _on_purged(self, purged: dict[str, Any]) -> None:
        by = purged.get("by")
        self.ended_by = inert_line(str(by.get("alias", ""))) if isinstance(by, dict) else ""
        reason = purged.get("reason")
        self.ended = reason if isinstance(reason, str) and reason in ENDINGS else "gone"
        self.entries.clear()
