"""The real `ephemeral-chat` in a real pseudo-terminal, read through pyte as a person would read the screen.

Every byte the program writes is kept (`raw`) and fed to a pyte screen; waits poll that screen under a
condition the reader thread signals, never a sleep.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import pyte
import pytest

CLIENT = Path(sys.executable).with_name("ephemeral-chat")
WAIT = 30.0
COLUMNS, ROWS = 160, 40
PASSWORD = "correct horse battery staple"
LINK = re.compile(rb"(https?://[^\s\x1b]+/r/[A-Za-z0-9_-]{22}(?:#k=[A-Za-z0-9_-]{43})?)")
# What the client's environment holds besides the test's own: no proxy unless a test names one.
_DROPPED = {"http_proxy", "https_proxy", "no_proxy", "all_proxy", "requests_ca_bundle", "ssl_cert_file"}


def client_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A person's environment with HOME and the XDG directories in `home`, and nothing of the proxies."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in _DROPPED and not k.startswith("XDG_")}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_STATE_HOME=str(home / ".local/state"),
        XDG_RUNTIME_DIR=str(home / "run"),
        TERM="xterm-256color",
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
    )
    env.update(extra or {})
    return env


def _take_terminal() -> None:
    """In the child, after setsid: the pty on its stdout becomes its controlling terminal (/dev/tty)."""
    fcntl.ioctl(1, termios.TIOCSCTTY, 0)


class Terminal:
    """`ephemeral-chat ARGS` on a pty of COLUMNS x ROWS; `stdin_text` given, standard input is a pipe
    carrying it (the password), and the keys come from the terminal."""

    def __init__(
        self,
        args: Sequence[str],
        env: Mapping[str, str],
        cwd: Path,
        *,
        stdin_text: str | None = None,
        size: tuple[int, int] = (COLUMNS, ROWS),
    ) -> None:
        self.home, self.cwd = Path(env["HOME"]), cwd
        columns, rows = size
        self.screen = pyte.Screen(columns, rows)
        self._stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()
        self._changed = threading.Condition()
        self.closed = False
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.master = master
        # prompt_toolkit asks where the cursor is; pyte answers as a terminal would.
        self.screen.write_process_input = self._answer  # type: ignore[method-assign]
        self.process = subprocess.Popen(
            [str(CLIENT), *args],
            stdin=subprocess.PIPE if stdin_text is not None else slave,
            stdout=slave,
            stderr=slave,
            env=dict(env),
            cwd=cwd,
            start_new_session=True,
            preexec_fn=_take_terminal,
        )
        os.close(slave)
        if stdin_text is not None and self.process.stdin is not None:
            self.process.stdin.write(stdin_text.encode())
            self.process.stdin.close()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _answer(self, data: str) -> None:
        os.write(self.master, data.encode())

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO: the program closed its side
                chunk = b""
            with self._changed:
                if not chunk:
                    self.closed = True
                    self._changed.notify_all()
                    return
                self.raw += chunk
                self._stream.feed(chunk)
                self._changed.notify_all()

    # -- reading -------------------------------------------------------------------------------------------

    def text(self) -> str:
        with self._changed:
            return "\n".join(line.rstrip() for line in self.screen.display)

    def wait_until(self, predicate: Callable[[str], bool], what: str, timeout: float = WAIT) -> str:
        """The screen's text once `predicate` holds for it."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                shown = "\n".join(line.rstrip() for line in self.screen.display)
                if predicate(shown):
                    return shown
                left = deadline - time.monotonic()
                if left <= 0 or (self.closed and not predicate(shown)):
                    if self.closed:  # nothing more will come: one last look
                        shown = "\n".join(line.rstrip() for line in self.screen.display)
                        if predicate(shown):
                            return shown
                    raise AssertionError(f"not on the screen: {what}\n--- screen ---\n{shown}")
                self._changed.wait(min(left, 1.0))

    def wait_for(self, *texts: str, timeout: float = WAIT) -> str:
        return self.wait_until(lambda shown: all(t in shown for t in texts), " and ".join(map(repr, texts)), timeout)

    def wait_raw(self, pattern: re.Pattern[bytes], timeout: float = WAIT) -> re.Match[bytes]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while (found := pattern.search(bytes(self.raw))) is None:
                left = deadline - time.monotonic()
                if left <= 0 or self.closed:
                    raise AssertionError(f"never written: {pattern.pattern!r}; got {bytes(self.raw)[-300:]!r}")
                self._changed.wait(min(left, 1.0))
        return found

    def link(self) -> str:
        """The link `create` printed."""
        return self.wait_raw(LINK).group(1).decode()

    def in_chat(self) -> str:
        return self.wait_for("Connected. Nothing here is stored.")

    # -- acting --------------------------------------------------------------------------------------------

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def say(self, line: str) -> None:
        """Type a line and press Enter."""
        self.type(line + "\r")

    def exit_code(self, timeout: float = WAIT) -> int:
        code = self.process.wait(timeout)
        self._reader.join(timeout)
        return code

    def stop(self) -> None:
        """End the program by its PID if it still runs, and close the terminal."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self._reader.join(10)
        os.close(self.master)


class People:
    """Starts `ephemeral-chat` for one new person per call, each with an empty home and working directory of
    their own under `root`; `stop()` ends every one still running, by PID."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.started: list[Terminal] = []

    def __call__(
        self,
        args: Sequence[str],
        *,
        stdin_text: str | None = None,
        env: Mapping[str, str] | None = None,
        size: tuple[int, int] = (COLUMNS, ROWS),
    ) -> Terminal:
        person = self.root / f"person{len(self.started)}"
        (person / "cwd").mkdir(parents=True)
        (person / "home").mkdir()
        term = Terminal(args, client_env(person / "home", env), person / "cwd", stdin_text=stdin_text, size=size)
        self.started.append(term)
        return term

    def stop(self) -> None:
        for term in self.started:
            term.stop()


@contextlib.contextmanager
def people_in(root: Path) -> Iterator[People]:
    """`People` under `root`, every program still running stopped on leaving; fails if the client is not installed."""
    if not CLIENT.exists():
        pytest.fail(f"{CLIENT.name} is not installed: make installs it (pip install -e ./terminal)")
    people = People(root)
    try:
        yield people
    finally:
        people.stop()
