"""The built-in server against slow and greedy clients: request deadlines, and a bound on connections per client.

A request's line and headers must arrive within `header_timeout` seconds of the
server starting to wait for them (at accept, or after the previous response on a
kept-alive connection), and its body within as long again; past either deadline
the connection is closed unanswered. The deadline is the total, not per read: a
client sending a byte every few seconds never lets a per-read timeout fire. Once
the head is in, a WebSocket or a long poll runs as long as engine.io lets it.

A client (`ratelimit.client_of`: an IPv4 address or an IPv6 /64) may hold
`per_address` connections at once; one more is closed at once, unread and
unanswered. Behind a trusted proxy every connection comes from the proxy, so
the bound is off there and the proxy's own limits apply.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import socket
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .ratelimit import address_key

if TYPE_CHECKING:
    from .config import Settings

HEADER_TIMEOUT = 10
CONNECTIONS_PER_ADDRESS = 1000
# Refused connections are logged as a count, at most once per this many seconds.
REPORT_EVERY = 60.0

_log = logging.getLogger("ephemeral.http")

# Arms a timeout in the calling green thread: raised there, as itself, once `seconds` pass.
StartTimer = Callable[[float], Any]


@dataclass(frozen=True, slots=True)
class Guard:
    header_timeout: float = HEADER_TIMEOUT
    # None: no bound (behind a trusted proxy, every connection is the proxy's).
    per_address: int | None = CONNECTIONS_PER_ADDRESS

    @classmethod
    def from_settings(cls, settings: Settings) -> Guard:
        bound = None if settings.trusted_proxies else settings.max_connections_per_address
        return cls(header_timeout=settings.header_timeout, per_address=bound)


def warn_if_one_client_can_fill(guard: Guard, capacity: int) -> None:
    """At start: say so when one address may hold every connection the descriptor limit leaves."""
    if guard.per_address is not None and guard.per_address >= capacity:
        _log.warning(
            "one client address may hold %d connections, and this process can hold only %d: "
            "raise the open-file limit (nofile) or lower EPHEMERAL_MAX_CONNECTIONS_PER_ADDRESS",
            guard.per_address,
            capacity,
        )


class ConnectionCounts:
    """Open connections per client, keyed by `address_key` (never the address); past `bound`, admit refuses."""

    def __init__(self, bound: int | None, clock: Callable[[], float] = time.monotonic) -> None:
        self._bound = bound
        self._open: dict[str, int] = {}
        self._clock = clock
        self._refused = 0
        self._reported = -REPORT_EVERY

    def admit(self, address: Any) -> str | None:
        """A connection from `address` (a socket address) begins: its key, or None if refused."""
        if self._bound is None:
            return ""
        key = address_key(address[0] if isinstance(address, tuple) and address else str(address))
        held = self._open.get(key, 0)
        if held >= self._bound:
            self._count_refusal()
            return None
        self._open[key] = held + 1
        return key

    def release(self, key: str) -> None:
        """The connection `admit` gave `key` has ended."""
        if not key:
            return
        held = self._open.pop(key, 1) - 1
        if held > 0:
            self._open[key] = held

    def __len__(self) -> int:
        return len(self._open)

    def _count_refusal(self) -> None:
        self._refused += 1
        now = self._clock()
        if now - self._reported >= REPORT_EVERY:
            _log.warning("refused %d connections over the per-address bound", self._refused)
            self._refused, self._reported = 0, now


class LateBody(ConnectionResetError):
    """A request body was not in by its deadline; the connection is shut."""


class _DropLateBodies(logging.Filter):
    """engine.io logs any error reading a polling body as a server error, with a traceback: a late body is none."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], LateBody))


def _quiet_late_bodies() -> None:
    engineio_log = logging.getLogger("engineio.server")
    if not any(isinstance(f, _DropLateBodies) for f in engineio_log.filters):
        engineio_log.addFilter(_DropLateBodies())


class DeadlineReader:
    """A request body's reader that stops, and shuts the connection, once the body is late.

    The servers treat a reset while reading a body as a client gone: Flask
    answers a bare 400 that cannot be sent, engine.io's error is dropped, and
    nothing is logged.
    """

    def __init__(self, rfile: Any, deadline: float, start_timer: StartTimer, on_late: Callable[[], None]) -> None:
        self.inner = rfile
        self._deadline = deadline
        self._start_timer = start_timer
        self._on_late = on_late

    def _within_deadline(self, read: Callable[..., Any], *args: Any) -> Any:
        remaining = self._deadline - time.monotonic()
        if remaining > 0:
            timer = self._start_timer(remaining)
            cancel = timer.cancel
            try:
                return read(*args)
            except BaseException as error:
                if error is not timer:
                    raise
            finally:
                cancel()
        self._on_late()
        raise LateBody(errno.ECONNRESET, "request body too slow")

    def read(self, size: int | None = -1) -> bytes:
        data: bytes = self._within_deadline(self.inner.read, size)
        return data

    def readline(self, size: int | None = -1) -> bytes:
        line: bytes = self._within_deadline(self.inner.readline, size)
        return line

    def readlines(self, hint: int | None = -1) -> list[bytes]:
        lines: list[bytes] = self._within_deadline(self.inner.readlines, hint)
        return lines

    def readinto(self, buffer: Any) -> int:
        count: int = self._within_deadline(self.inner.readinto, buffer)
        return count

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.readline, b"")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def _declares_body(headers: Any) -> bool:
    if headers.get("transfer-encoding"):
        return True
    return (headers.get("content-length") or "0").strip() not in ("", "0")


def _shut(sock: Any) -> None:
    with contextlib.suppress(OSError):  # already gone
        sock.shutdown(socket.SHUT_RDWR)


def _bound_body(handler: Any, sock: Any, timeout: float, start_timer: StartTimer) -> None:
    """The head is in; a body it declares must follow within `timeout` seconds.

    Every read of this request goes through `handler.rfile` (the WSGI input,
    the server's discarding of an unread rest, an upgrade's raw stream), so
    that is what gets the deadline, until the next request begins.
    """
    if not _declares_body(handler.headers):
        return
    # Weak: the handler holds the reader, and a cycle would keep every request's
    # handler, environ and buffers until a full collection.
    handler_ref = weakref.ref(handler)

    def late() -> None:
        current = handler_ref()
        if current is not None:
            current.close_connection = True
        _shut(sock)

    handler.rfile = DeadlineReader(handler.rfile, time.monotonic() + timeout, start_timer, late)


def _unbound(rfile: Any) -> Any:
    return rfile.inner if isinstance(rfile, DeadlineReader) else rfile


def guard_gevent_handler(base: type, guard: Guard) -> type:
    """`base`, a pywsgi handler class, with the header deadline, the body deadline and the per-address bound."""
    from gevent import Timeout

    counts = ConnectionCounts(guard.per_address)
    start_timer: StartTimer = Timeout.start_new
    _quiet_late_bodies()

    class SlowClientHandler(base):  # type: ignore[misc]
        _head: Any = None
        rfile: Any

        def handle(self) -> None:
            key = counts.admit(self.client_address)
            if key is None:
                # Unread: answering would mean reading the request, which is what it costs.
                with contextlib.suppress(OSError):
                    self.rfile.close()
                    self.socket.close()
                return
            try:
                super().handle()
            finally:
                counts.release(key)

        def handle_one_request(self) -> Any:
            self.rfile = _unbound(self.rfile)
            self._head = timer = start_timer(guard.header_timeout)
            try:
                return super().handle_one_request()
            except Timeout as error:
                if error is not timer:
                    raise
                return None  # pywsgi closes the connection
            finally:
                timer.cancel()

        def get_environ(self) -> Any:
            # The head is in: from here a request runs as long as it needs.
            self._head.cancel()
            _bound_body(self, self.socket, guard.header_timeout, start_timer)
            return super().get_environ()

    return SlowClientHandler


def guard_eventlet_protocol(base: type, guard: Guard) -> type:
    """`base`, an eventlet HttpProtocol class, with the header deadline, the body deadline and the per-address bound."""
    import eventlet

    counts = ConnectionCounts(guard.per_address)
    start_timer: StartTimer = eventlet.Timeout
    _quiet_late_bodies()

    class SlowClientProtocol(base):  # type: ignore[misc]
        _head: Any = None
        rfile: Any

        def handle(self) -> None:
            key = counts.admit(self.client_address)
            if key is None:
                self.close_connection = True  # finish() closes it, unread
                return
            try:
                super().handle()
            finally:
                counts.release(key)

        def handle_one_request(self) -> None:
            self.rfile = _unbound(self.rfile)
            self._head = timer = start_timer(guard.header_timeout)
            try:
                super().handle_one_request()
            except eventlet.Timeout as error:
                if error is not timer:
                    raise
                self.close_connection = True
            finally:
                timer.cancel()

        def get_environ(self) -> Any:
            self._head.cancel()
            _bound_body(self, self.connection, guard.header_timeout, start_timer)
            return super().get_environ()

    return SlowClientProtocol
