"""Logging that carries kinds and counts, never people.

Every record is rendered from its format string alone: arguments are replaced
unless they are numbers or marked `Safe`, exception messages are dropped, and
tracebacks keep only file, line and function names. Libraries that print to
stderr on their own (gevent's hub and WSGI server, eventlet) are routed here.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from types import TracebackType
from typing import Any

REDACTED = "<withheld>"
_configured = False


class Safe(str):
    """An argument written by our own code (a kind or a class name), safe to log."""


def _redact(arg: object) -> object:
    if isinstance(arg, (bool, int, float, Safe)):
        return arg
    return REDACTED


def describe_exception(exc_type: type[BaseException] | None, tb: TracebackType | None) -> str:
    """Exception class and frames (file, line, function), without the message or locals."""
    name = exc_type.__qualname__ if exc_type else "unknown"
    frames = [f"  {frame.filename}:{frame.lineno} in {frame.name}" for frame in traceback.extract_tb(tb)]
    return "\n".join([f"{name} (message withheld)", *frames])


class RedactingFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        # Work on a copy: the record may be shared with other handlers.
        clean = logging.makeLogRecord(record.__dict__)
        template = clean.msg if isinstance(clean.msg, str) else type(clean.msg).__name__
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
        return super().format(clean)


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


def configure(level: int = logging.INFO) -> None:
    """Install the redacting handler on the root logger; safe to call more than once."""
    global _configured
    _quiet_green_hubs()
    if _configured:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Request logs would name rooms (in paths) and addresses: off entirely.
    for name in ("werkzeug", "engineio", "engineio.server", "socketio", "socketio.server", "geventwebsocket"):
        logging.getLogger(name).setLevel(logging.ERROR)
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook
    _configured = True
