"""Logging that carries kinds and counts, never people.

Every record is rendered from its format string alone: arguments are replaced
unless they are numbers or marked `Safe`, exception messages are dropped, and
tracebacks keep only file, line and function names. A library's record keeps
even less: its own words are written only when they are a known constant text
(`LIBRARY_TEXTS`), since a library may put what a client sent into the format
string itself (engine.io's "Invalid session <sid>"); otherwise the line says
only which logger wrote at which level. Libraries that print to stderr on their
own (gevent's hub and WSGI server, eventlet, warnings) are routed here.

A client can make the server log the same thing any number of times (a
malformed packet, a broken request), so the root handler writes each kind of
line once per interval and counts its repeats; events that are only ever
counted (`count`) never get a line of their own. Counts are written as one
line each when the interval ends (`report_due`, from the reaper) and when
logging shuts down.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import Any

REDACTED = "<withheld>"
# Records of loggers under this name are our own code's: their format strings are ours.
OUR_LOGGER = "ephemeral"
# How often repeated lines and counted events are summed up in one line each.
REPORT_SECONDS = 60.0
# Kinds of line written in one interval; lines of further kinds are only counted.
MAX_KINDS = 100
_configured = False


class Safe(str):
    """An argument written by our own code (a kind or a class name), safe to log."""


def _redact(arg: object) -> object:
    if isinstance(arg, (bool, int, float, Safe)):
        return arg
    return REDACTED


def _ours(name: str) -> bool:
    return name == OUR_LOGGER or name.startswith(OUR_LOGGER + ".")


# What libraries write in words that hold nothing a client sent: these are kept
# (their arguments still withheld). Any other text from a library is withheld.
LIBRARY_TEXTS = frozenset(
    {
        # python-engineio
        "Cannot send to sid %s",
        "Method %s not supported",
        "Application rejected connection",
        "connect handler error",
        "message handler error",
        "disconnect handler error",
        "post request handler error",
        "service task exception",
        "Unknown receive error",
        # python-socketio
        "%s is not connected to namespace %s",
        "Unknown callback received, ignoring.",
        "Handler error in pubsub listening thread",
        "pubsub listen() exited unexpectedly",
        "Unexpected Error in pubsub listening thread",
        "Cannot publish to redis... retrying",
        "Cannot publish to redis... giving up",
    }
)
LIBRARY_WITHHELD = "a message in the library's own words (withheld)"
# engine.io words some refusals with what the client sent (a session id of its
# own making, an Origin), then says this; the kind is all we keep.
_ENGINEIO_ONCE = " (further occurrences of this error will be logged with level INFO)"
ENGINEIO_REFUSAL = "refused a client's request (details withheld)"
_LONGEST_NAME = 100


def _library_text(msg: object) -> str:
    """The format string a library's record may be written with: a known constant, or a fixed kind."""
    if isinstance(msg, str) and msg in LIBRARY_TEXTS:
        return msg
    if isinstance(msg, str) and msg.endswith(_ENGINEIO_ONCE):
        return ENGINEIO_REFUSAL
    return LIBRARY_WITHHELD


def printable(text: str) -> str:
    """`text` on one line: control, format and separator characters escaped (`\\n`, `\\u2028`, `\\x1b`)."""
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii") for char in text)


def describe_exception(exc_type: type[BaseException] | None, tb: TracebackType | None) -> str:
    """Exception class and frames (file, line, function), without the message or locals."""
    name = exc_type.__qualname__ if exc_type else "unknown"
    frames = [f"  {frame.filename}:{frame.lineno} in {frame.name}" for frame in traceback.extract_tb(tb)]
    return "\n".join([f"{name} (message withheld)", *frames])


# Marks the lines CollapsingHandler writes itself: made of text already cleaned.
_SUMMARY = object()


class RedactingFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return super().format(self.clean(record))

    @staticmethod
    def clean(record: logging.LogRecord) -> logging.LogRecord:
        """A copy of `record` with its message rendered and redacted, and its traceback described."""
        # Work on a copy: the record may be shared with other handlers.
        clean = logging.makeLogRecord(record.__dict__)
        if _ours(record.name) or getattr(record, "ephemeral_summary", None) is _SUMMARY:
            template = clean.msg if isinstance(clean.msg, str) else type(clean.msg).__name__
        else:
            clean.name = printable(str(record.name)[:_LONGEST_NAME])
            template = _library_text(clean.msg)
        args = clean.args if isinstance(clean.args, tuple) else ()
        try:
            clean.msg = template % tuple(_redact(arg) for arg in args) if args else template
        except (TypeError, ValueError):
            clean.msg = template
        clean.args = None
        if clean.exc_info:
            clean.exc_text = describe_exception(clean.exc_info[0], clean.exc_info[2])
            clean.exc_info = None
        clean.stack_info = None
        return clean


Kind = tuple[str, int, str, str]  # logger, level, redacted message, described traceback
OTHER_KINDS = "log lines of other kinds, held back"


class CollapsingHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes a kind of line once per interval; its repeats, and counted events, become one line each at the end."""

    def __init__(self, stream: Any, *, interval: float = REPORT_SECONDS, clock: Callable[[], float] = time.monotonic):
        super().__init__(stream)
        self.setFormatter(RedactingFormatter())
        self._interval = interval
        self._clock = clock
        self._started: float | None = None  # when the interval with something to report began
        self._written: set[Kind] = set()
        self._repeats: dict[Kind, int] = {}
        self._counts: dict[str, int] = {}

    def emit(self, record: logging.LogRecord) -> None:
        # logging.Handler.handle holds self.lock around this call.
        self._report_if_due(False)
        clean = RedactingFormatter.clean(record)
        kind = (clean.name, record.levelno, str(clean.msg), clean.exc_text or "")
        if kind in self._written:
            self._repeats[kind] = self._repeats.get(kind, 0) + 1
        elif len(self._written) >= MAX_KINDS:
            self._add(OTHER_KINDS)
        else:
            self._written.add(kind)
            self._begin()
            super().emit(record)

    def count(self, what: str) -> None:
        """One more `what` (our own words, e.g. "malformed packets"): counted, never written on its own."""
        with self.lock:  # type: ignore[union-attr]
            self._report_if_due(False)
            self._add(what)

    def report(self, force: bool = False) -> None:
        """Write the counts if the interval is over (or now, with `force`), and start afresh."""
        with self.lock:  # type: ignore[union-attr]
            self._report_if_due(force)

    def close(self) -> None:
        """At shutdown (`logging.shutdown`): what was counted is written before the stream goes."""
        self.report(force=True)
        super().close()

    def _begin(self) -> None:
        if self._started is None:
            self._started = self._clock()

    def _add(self, what: str) -> None:
        self._begin()
        self._counts[what] = self._counts.get(what, 0) + 1

    def _report_if_due(self, force: bool) -> None:
        if self._started is None:
            return
        seconds = self._clock() - self._started
        if seconds < self._interval and not force:
            return
        span = max(1, round(seconds))
        for what, n in self._counts.items():
            self._write("ephemeral", logging.WARNING, "%d %s in the last %d s", n, Safe(what), span)
        for (name, level, text, _), n in self._repeats.items():
            self._write(name, level, "%s (%d more like it in the last %d s)", Safe(text), n, span)
        self._started = None
        self._written.clear()
        self._repeats.clear()
        self._counts.clear()

    def _write(self, name: str, level: int, template: str, *args: object) -> None:
        summary = logging.LogRecord(name, level, __file__, 0, template, args, None)
        summary.ephemeral_summary = _SUMMARY
        super().emit(summary)


class RedactedErrorStream:
    """A file-like sink for servers that write raw error text (with request lines)."""

    def __init__(self, name: str) -> None:
        self._log = logging.getLogger(name)

    def write(self, _text: str) -> None:
        self._log.warning("server error (details withheld)")

    def flush(self) -> None:
        pass

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)


def _excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    logging.getLogger("ephemeral").error("uncaught exception\n%s", Safe(describe_exception(exc_type, tb)))


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    _excepthook(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback)


def _quiet_green_hubs() -> None:
    """gevent and eventlet print greenlet crashes, with the WSGI environ, to stderr."""
    if "gevent" in sys.modules:
        import gevent.hub

        def print_exception(_hub: object, _context: object, t: Any, _v: Any, tb: Any) -> None:
            _excepthook(t, _v, tb)

        gevent.hub.Hub.print_exception = print_exception
    if "eventlet" in sys.modules:
        import eventlet.debug

        eventlet.debug.hub_exceptions(False)
        eventlet.debug.tpool_exceptions(False)


_handler: CollapsingHandler | None = None


def count(what: str) -> None:
    """Count an event a client can cause at will (`what` in our own words): never a line of its own."""
    if _handler is not None:
        _handler.count(what)


def report_due() -> None:
    """The reaper's tick: write the counts of an interval that has ended."""
    if _handler is not None:
        _handler.report()


def configure(level: int = logging.INFO) -> None:
    """Install the redacting handler on the root logger; safe to call more than once."""
    global _configured
    _quiet_green_hubs()
    if _configured:
        return
    global _handler
    handler = _handler = CollapsingHandler(sys.stderr)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Request logs would name rooms (in paths) and addresses: off entirely.
    for name in ("werkzeug", "engineio", "engineio.server", "socketio", "socketio.server", "geventwebsocket"):
        logging.getLogger(name).setLevel(logging.ERROR)
    # A library's warnings would reach stderr in their own words; as records they keep only their kind.
    logging.captureWarnings(True)
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook
    _configured = True
