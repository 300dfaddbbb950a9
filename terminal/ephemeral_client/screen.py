"""The full-screen chat (prompt_toolkit): the room's name and countdown, the conversation, who is present,
and a line to type in. Input history lives in memory only; the alternate screen holds everything drawn."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from prompt_toolkit.application import Application
from prompt_toolkit.buffer import Buffer
from prompt_toolkit.data_structures import Point
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.layout import HSplit, Layout, VSplit, Window
from prompt_toolkit.layout.controls import FormattedTextControl
from prompt_toolkit.output import Output
from prompt_toolkit.styles import Style
from prompt_toolkit.widgets import TextArea

from .model import Chat, Entry
from .text import inert_line

__all__ = ["ChatScreen"]

STYLE = Style.from_dict(
    {
        "header": "reverse",
        "note": "italic fg:ansibrightblack",
        "alias": "bold",
        "you": "fg:ansigreen",
        "time": "fg:ansibrightblack",
        "code": "fg:ansicyan",
        "address": "fg:ansibrightblack",
        "quote": "fg:ansibrightblack",
        "people": "fg:ansibrightblack",
    }
)
PEOPLE_WIDTH = 24


def countdown(seconds: int | None) -> str:
    if seconds is None:
        return ""
    hours, rest = divmod(seconds, 3600)
    return f"ends in {hours}:{rest // 60:02}:{rest % 60:02}" if hours else f"ends in {rest // 60}:{rest % 60:02}"


def _entry_lines(entry: Entry) -> StyleAndTextTuples:
    """`HH:MM alias: body`, the body's later lines indented under its first."""
    if entry.alias is None:
        return [("class:note", "— "), *entry.body]
    clock = time.strftime("%H:%M", time.localtime(entry.ts / 1000)) if entry.ts else "--:--"
    head: StyleAndTextTuples = [("class:time", clock + " "), ("class:alias", entry.alias)]
    if entry.mine:
        head.append(("class:you", " (you)"))
    head.append(("", ": "))
    indent = " " * 6
    body: StyleAndTextTuples = []
    for style, text in entry.body:
        body.append((style, text.replace("\n", "\n" + indent)))
    if entry.edited:
        body.append(("class:note", " (edited)"))
    return head + body


class ChatScreen:
    """One chat on the terminal; `run()` returns how it ended: an ending of model.ENDINGS, or "left"."""

    def __init__(
        self,
        chat: Chat,
        send: Callable[[str], Awaitable[None]],
        command: Callable[[str], Awaitable[str | None]],
        *,
        input: Input | None = None,
        output: Output | None = None,
    ) -> None:
        self.chat = chat
        self._send = send
        self._command = command
        self.typed = TextArea(
            prompt="> ", multiline=False, history=InMemoryHistory(), accept_handler=self._accept, wrap_lines=True
        )
        messages = FormattedTextControl(self._conversation, get_cursor_position=self._last_line, show_cursor=False)
        self._scrolled = 0  # lines above the newest that PageUp moved the view by
        self._messages = Window(messages, wrap_lines=True)
        body = VSplit(
            [
                self._messages,
                Window(width=1, char="│", style="class:people"),
                Window(FormattedTextControl(self._people), width=PEOPLE_WIDTH),
            ]
        )
        header = Window(FormattedTextControl(self._header), height=1, style="class:header")
        layout = Layout(HSplit([header, body, Window(height=1, char="─"), self.typed]), focused_element=self.typed)
        keys = KeyBindings()
        keys.add("c-c")(self._leave_key)
        keys.add("c-d")(self._leave_key)
        keys.add("pageup")(lambda event: self._scroll(+1))
        keys.add("pagedown")(lambda event: self._scroll(-1))
        self.app: Application[str] = Application(
            layout=layout, key_bindings=keys, style=STYLE, full_screen=True, input=input, output=output
        )
        self._tasks: set[asyncio.Task[None]] = set()

    # -- drawing -------------------------------------------------------------------------------------------

    def _header(self) -> StyleAndTextTuples:
        mode = " · server-blind" if self.chat.sealed is not None else ""
        left = f" {inert_line(self.chat.name)}{mode}"
        people = f"{len(self.chat.participants)} present"
        return [("class:header", f"{left}   {countdown(self.chat.seconds_left())}   {people} ")]

    def _people(self) -> StyleAndTextTuples:
        lines: StyleAndTextTuples = [("class:people", "Present\n")]
        for person in self.chat.participants:
            alias = inert_line(str(person.get("alias", "")))[: PEOPLE_WIDTH - 4]
            host = " ★" if person.get("role") == "host" else ""
            you = " (you)" if person.get("id") == self.chat.you.get("id") else ""
            lines.append(("", f"{alias}{host}{you}\n"))
        return lines

    def _conversation(self) -> StyleAndTextTuples:
        out: StyleAndTextTuples = []
        for entry in self.chat.entries:
            out.extend(_entry_lines(entry))
            out.append(("", "\n"))
        return out[:-1]

    def _last_line(self) -> Point:
        """Where the view follows: the newest line, or as far above it as PageUp went."""
        last = sum(fragment[1].count("\n") for fragment in self._conversation())
        self._scrolled = min(self._scrolled, last)
        return Point(0, last - self._scrolled)

    def _scroll(self, pages: int) -> None:
        info = self._messages.render_info
        height = info.window_height if info is not None else 10
        self._scrolled = max(0, self._scrolled + pages * max(1, height - 2))

    # -- acting --------------------------------------------------------------------------------------------

    def on_event(self, name: str, payload: object) -> None:
        """A server event, on the UI's loop."""
        if name == "disconnect" and self.chat.ended is None:
            self.chat.note("Connection lost; trying again…")
        elif name == "connect_error" and self.chat.welcomed and self._refused(payload):
            self.chat.ended = "gone"
        else:
            self.chat.on_event(name, payload)
        if self.chat.ended is not None:
            self.exit(self.chat.ended)
        self.app.invalidate()

    @staticmethod
    def _refused(payload: object) -> bool:
        message = payload.get("message") if isinstance(payload, dict) else payload
        return message == "unauthorized"

    def exit(self, result: str) -> None:
        if self.app.is_running and self.app.future is not None and not self.app.future.done():
            self.app.exit(result=result)

    def _spawn(self, work: Awaitable[None]) -> None:
        async def run() -> None:
            await work

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _accept(self, buffer: Buffer) -> bool:
        text = buffer.text
        if not text.strip():
            return False
        if text.startswith("/"):
            self._spawn(self._run_command(text.strip()))
        else:
            self._spawn(self._send(text))
        return False  # the line is emptied

    async def _run_command(self, text: str) -> None:
        ending = await self._command(text)
        if ending is not None:
            self.exit(ending)
        self.app.invalidate()

    def _leave_key(self, event: KeyPressEvent) -> None:
        self._spawn(self._run_command("/leave"))

    async def _tick(self) -> None:
        while True:
            if self.chat.ended is not None:  # it ended before the screen was up
                self.exit(self.chat.ended)
            self.chat.forget_due()
            self.app.invalidate()
            await asyncio.sleep(1)  # the countdown's second

    async def run(self) -> str:
        ticking = asyncio.get_running_loop().create_task(self._tick())
        try:
            return await self.app.run_async()
        finally:
            ticking.cancel()
