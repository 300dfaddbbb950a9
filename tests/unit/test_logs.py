"""Logs carry kinds and counts, never people: marker strings go in, and must not come out."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from ephemeral.logs import (
    LIBRARY_TEXTS,
    LIBRARY_WITHHELD,
    REDACTED,
    RedactedErrorStream,
    RedactingFormatter,
    Safe,
    describe_exception,
)

MARKER = "MARKER-7f3a"  # stands for an alias, a room id, a message, an address


@dataclass
class Captured:
    logger: logging.Logger
    stream: io.StringIO

    @property
    def text(self) -> str:
        return self.stream.getvalue()


@pytest.fixture
def captured(request: pytest.FixtureRequest) -> Iterator[Captured]:
    """A private logger whose only handler formats with RedactingFormatter into a string."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter())
    logger = logging.getLogger(f"ephemeral.tests.logs.{request.node.name}")  # our own code's
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    yield Captured(logger, stream)
    logger.handlers.clear()


class Leaky:
    """An object whose text is private, like a Participant or a request."""

    def __str__(self) -> str:
        return f"Leaky({MARKER})"

    __repr__ = __str__


class NotSafe(str):
    """A str subclass that is not Safe must still be withheld."""


WITHHELD_ARGS = [
    pytest.param(MARKER, id="str"),
    pytest.param(NotSafe(MARKER), id="str-subclass"),
    pytest.param(MARKER.encode(), id="bytes"),
    pytest.param([MARKER], id="list"),
    pytest.param((MARKER,), id="tuple-arg"),
    pytest.param(Leaky(), id="object"),
    pytest.param(ValueError(MARKER), id="exception"),
]


@pytest.mark.parametrize("arg", WITHHELD_ARGS)
def test_argument_is_withheld(captured: Captured, arg: object) -> None:
    captured.logger.info("joined as %s", arg)
    assert MARKER not in captured.text
    assert f"joined as {REDACTED}" in captured.text


KEPT_ARGS = [
    pytest.param(3, "3", id="int"),
    pytest.param(2.5, "2.5", id="float"),
    pytest.param(True, "True", id="bool"),
    pytest.param(Safe("room_full"), "room_full", id="safe"),
]


@pytest.mark.parametrize(("arg", "shown"), KEPT_ARGS)
def test_numbers_and_safe_values_are_kept(captured: Captured, arg: object, shown: str) -> None:
    captured.logger.info("value %s", arg)
    assert f"value {shown}" in captured.text
    assert REDACTED not in captured.text


def test_mixed_arguments(captured: Captured) -> None:
    captured.logger.warning("%s rooms, kind %s, alias %s, %d left", 4, Safe("purge"), MARKER, 7)
    assert f"4 rooms, kind purge, alias {REDACTED}, 7 left" in captured.text
    assert MARKER not in captured.text


def test_level_and_logger_name_are_shown(captured: Captured) -> None:
    captured.logger.error("reaper closed %d rooms", 2)
    assert f"ERROR {captured.logger.name}: reaper closed 2 rooms" in captured.text


def test_mapping_argument_is_not_interpolated(captured: Captured) -> None:
    captured.logger.info("%(alias)s joined", {"alias": MARKER})
    assert MARKER not in captured.text
    assert "joined" in captured.text


def _render(msg: object, *args: object) -> str:
    """Format a record directly: a logger call with bad arguments would also trip pytest's own handler."""
    record = logging.LogRecord("ephemeral.test", logging.INFO, __file__, 1, msg, args, None)
    return RedactingFormatter().format(record)


@pytest.mark.parametrize(
    ("template", "args"),
    [
        pytest.param("count %d", (MARKER,), id="number-placeholder-for-text"),
        pytest.param("%s and %s", (MARKER,), id="too-few-args"),
        pytest.param("nothing to fill", (MARKER,), id="too-many-args"),
        pytest.param("%(alias)s and %s", (MARKER, 1), id="named-and-positional"),
    ],
)
def test_mismatched_arguments_do_not_crash_or_leak(template: str, args: tuple[object, ...]) -> None:
    text = _render(template, *args)
    assert MARKER not in text
    assert template in text


@pytest.mark.parametrize(
    ("msg", "shown"),
    [
        pytest.param(Leaky(), "Leaky", id="object"),
        pytest.param({"alias": MARKER}, "dict", id="dict"),
        pytest.param(ValueError(MARKER), "ValueError", id="exception"),
        pytest.param(42, "int", id="int"),
    ],
)
def test_non_str_message_is_shown_by_type_name(captured: Captured, msg: object, shown: str) -> None:
    captured.logger.info(msg)
    assert MARKER not in captured.text
    assert shown in captured.text


def test_non_str_message_with_arguments_does_not_crash() -> None:
    text = _render(Leaky(), MARKER)
    assert MARKER not in text
    assert "Leaky" in text


def explode_with_private_message() -> None:
    raise ValueError(f"bad alias {MARKER}")


def call_the_exploder() -> None:
    explode_with_private_message()


def test_exception_keeps_class_and_frames_but_not_message(captured: Captured) -> None:
    try:
        call_the_exploder()
    except ValueError:
        captured.logger.exception("join failed for %s", MARKER)
    text = captured.text
    assert MARKER not in text
    assert "ValueError" in text
    assert "explode_with_private_message" in text
    assert "call_the_exploder" in text
    assert "test_exception_keeps_class_and_frames_but_not_message" in text
    assert "test_logs.py" in text


def test_chained_exception_messages_are_withheld(captured: Captured) -> None:
    try:
        try:
            explode_with_private_message()
        except ValueError as inner:
            raise KeyError(f"room {MARKER}") from inner
    except KeyError:
        captured.logger.error("handler crashed", exc_info=True)
    assert MARKER not in captured.text
    assert "KeyError" in captured.text


def test_exception_info_as_tuple(captured: Captured) -> None:
    try:
        explode_with_private_message()
    except ValueError:
        info = sys.exc_info()
    captured.logger.warning("later", exc_info=info)
    assert MARKER not in captured.text
    assert "ValueError" in captured.text


def test_stack_info_is_dropped(captured: Captured) -> None:
    captured.logger.info("where am I", stack_info=True)
    assert "where am I" in captured.text
    assert "Stack (most recent call last)" not in captured.text


def test_describe_exception_without_details() -> None:
    assert describe_exception(None, None) == "unknown (message withheld)"


# -- raw server error text -----------------------------------------------------


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def error_records(request: pytest.FixtureRequest) -> Iterator[tuple[RedactedErrorStream, list[logging.LogRecord]]]:
    name = f"ephemeral.tests.logs.stream.{request.node.name}"
    logger = logging.getLogger(name)
    handler = Records()
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    yield RedactedErrorStream(name), handler.records
    logger.handlers.clear()


RAW_ERROR_LINE = f'203.0.113.5 - - "GET /r/{MARKER}?alias={MARKER} HTTP/1.1" 500\n'


def _everything_said(records: list[logging.LogRecord]) -> str:
    formatter = logging.Formatter("%(levelname)s %(message)s")
    return "\n".join(formatter.format(record) for record in records)


def test_error_stream_write_does_not_echo_its_input(
    error_records: tuple[RedactedErrorStream, list[logging.LogRecord]],
) -> None:
    stream, records = error_records
    stream.write(RAW_ERROR_LINE)
    assert len(records) == 1
    assert records[0].levelno == logging.WARNING
    said = _everything_said(records)
    assert MARKER not in said
    assert "203.0.113.5" not in said


def test_error_stream_writelines_logs_each_line_without_echo(
    error_records: tuple[RedactedErrorStream, list[logging.LogRecord]],
) -> None:
    stream, records = error_records
    stream.writelines([RAW_ERROR_LINE, f"Traceback: {MARKER}\n"])
    stream.flush()
    assert len(records) == 2
    assert MARKER not in _everything_said(records)


# -- libraries' records --------------------------------------------------------

LIBRARIES = ["engineio.server", "socketio.server", "werkzeug", "geventwebsocket.handler", "redis.connection", "root"]
# What a client can get into a library's own words: a line break and a forged line, and their relatives.
CLIENT_TEXTS = [
    pytest.param(f"{MARKER}\n2030-01-01 00:00:00,000 ERROR ephemeral: forged", id="newline"),
    pytest.param(f"{MARKER}\r\nforged", id="carriage-return"),
    pytest.param(f"{MARKER}\u2028forged", id="line-separator"),
    pytest.param(f"{MARKER}\x85forged", id="next-line"),
    pytest.param(f"\x1b[2K\x1b[1A{MARKER}", id="ansi-escapes"),
    pytest.param(MARKER + "x" * 100_000, id="very-long"),
]


def _library_line(name: str, msg: object, *args: object) -> str:
    record = logging.LogRecord(name, logging.ERROR, "lib.py", 1, msg, args, None)
    return RedactingFormatter().format(record)


@pytest.mark.parametrize("name", LIBRARIES)
@pytest.mark.parametrize("text", CLIENT_TEXTS)
def test_a_librarys_own_words_are_withheld_even_in_its_format_string(name: str, text: str) -> None:
    line = _library_line(name, f"Invalid session {text}")  # formatted before logging, as engine.io does
    assert MARKER not in line and "forged" not in line
    assert line.endswith(f"ERROR {name}: {LIBRARY_WITHHELD}")
    assert "\n" not in line and "\x1b" not in line


@pytest.mark.parametrize("text", CLIENT_TEXTS)
def test_a_librarys_known_words_are_kept_and_its_arguments_withheld(text: str) -> None:
    assert "Cannot send to sid %s" in LIBRARY_TEXTS
    line = _library_line("engineio.server", "Cannot send to sid %s", text)
    assert line.endswith(f"ERROR engineio.server: Cannot send to sid {REDACTED}")
    assert MARKER not in line


def test_a_librarys_arguments_cannot_make_its_text_known() -> None:
    line = _library_line("engineio.server", "%s", "Unknown receive error")
    assert line.endswith(f"ERROR engineio.server: {LIBRARY_WITHHELD}")


def test_a_librarys_non_text_message_is_withheld() -> None:
    assert _library_line("engineio.server", Leaky()).endswith(LIBRARY_WITHHELD)


def test_a_logger_name_is_written_on_one_line() -> None:
    line = _library_line(f"lib.{MARKER}\nforged", "Unknown receive error")
    assert "\n" not in line and f"lib.{MARKER}\\nforged" in line


def test_a_librarys_exception_keeps_class_and_frames_only() -> None:
    try:
        explode_with_private_message()
    except ValueError:
        info = sys.exc_info()
    record = logging.LogRecord("engineio.server", logging.ERROR, "lib.py", 1, "message handler error", None, info)
    text = RedactingFormatter().format(record)
    assert MARKER not in text
    assert "ERROR engineio.server: message handler error\nValueError (message withheld)" in text


def test_our_own_names_are_ours_and_look_alikes_are_not() -> None:
    assert _library_line("ephemeral.http", "bad request %d", 3).endswith("ERROR ephemeral.http: bad request 3")
    assert _library_line("ephemeralx", "bad request %d", 3).endswith(LIBRARY_WITHHELD)
