"""What a client can make the server log over and over is written once per interval, then counted.

The root handler (`logs.CollapsingHandler`) on a private logger, a string stream
and a fake clock: nothing sleeps.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from ephemeral.logs import (
    ENGINEIO_REFUSAL,
    LIBRARY_WITHHELD,
    MAX_KINDS,
    OTHER_KINDS,
    REDACTED,
    REPORT_SECONDS,
    CollapsingHandler,
)
from tests.support.clock import FakeClock

MARKER = "MARKER-51c0"  # stands for an alias, a room id, a message, an address


@dataclass
class Log:
    logger: logging.Logger
    handler: CollapsingHandler
    stream: io.StringIO
    clock: FakeClock

    def lines(self) -> list[str]:
        """Each written line without its time stamp (tracebacks start with a class name or two spaces)."""
        return [line.split(" ", 2)[2] for line in self.stream.getvalue().splitlines() if line[:2].isdigit()]


@pytest.fixture
def log(request: pytest.FixtureRequest) -> Iterator[Log]:
    stream, clock = io.StringIO(), FakeClock()
    handler = CollapsingHandler(stream, clock=clock)
    logger = logging.getLogger(f"ephemeral.tests.log_counts.{request.node.name}")  # our own code's
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    yield Log(logger, handler, stream, clock)
    logger.handlers.clear()


def fail() -> None:
    raise ValueError(MARKER)


def test_a_repeated_error_is_written_once_then_counted(log: Log) -> None:
    for _ in range(1000):
        try:
            fail()
        except ValueError:
            log.logger.exception("message handler error")
    assert log.lines() == ["ERROR " + log.logger.name + ": message handler error"]
    assert log.stream.getvalue().count("ValueError (message withheld)") == 1
    log.clock.now += REPORT_SECONDS
    log.handler.report()
    assert log.lines()[1:] == [f"ERROR {log.logger.name}: message handler error (999 more like it in the last 60 s)"]
    assert MARKER not in log.stream.getvalue()


def test_counted_events_never_get_a_line_of_their_own(log: Log) -> None:
    for _ in range(1000):
        log.handler.count("malformed packets")
    log.handler.report()  # the interval is not over yet
    assert log.lines() == []
    log.clock.now += REPORT_SECONDS + 5
    log.handler.count("malformed packets")  # the first of the next interval writes the last one's count
    assert log.lines() == ["WARNING ephemeral: 1000 malformed packets in the last 65 s"]
    log.handler.close()  # at shutdown, what was counted since is written too
    assert log.lines()[1:] == ["WARNING ephemeral: 1 malformed packets in the last 1 s"]


def test_each_kind_of_line_is_written_and_a_kind_comes_back_after_the_interval(log: Log) -> None:
    log.logger.warning("socket left while the room store was unreachable")
    log.logger.error("socket left while the room store was unreachable")  # another level: another kind
    log.logger.warning("closed %d rooms", 3)
    log.logger.warning("closed %d rooms", 4)  # numbers are kept, so this is another kind too
    log.logger.warning("socket left while the room store was unreachable")
    assert len(log.lines()) == 4
    log.clock.now += REPORT_SECONDS
    log.logger.warning("closed %d rooms", 3)
    assert log.lines()[4:] == [
        f"WARNING {log.logger.name}: socket left while the room store was unreachable"
        " (1 more like it in the last 60 s)",
        f"WARNING {log.logger.name}: closed 3 rooms",
    ]


def test_user_text_in_arguments_stays_withheld_in_the_count(log: Log) -> None:
    for _ in range(3):
        log.logger.warning("joined as %s", MARKER)
    log.handler.close()
    assert MARKER not in log.stream.getvalue()
    assert log.lines()[-1] == f"WARNING {log.logger.name}: joined as {REDACTED} (2 more like it in the last 1 s)"


def test_past_the_kinds_an_interval_may_write_lines_are_only_counted(log: Log) -> None:
    for n in range(MAX_KINDS + 50):
        log.logger.warning("kind %d", n)
    assert len(log.lines()) == MAX_KINDS
    log.handler.close()
    assert log.lines()[-1] == f"WARNING ephemeral: 50 {OTHER_KINDS} in the last 1 s"


@pytest.fixture
def library(log: Log) -> Iterator[logging.Logger]:
    """engine.io's logger, writing through the test's handler for the test's length."""
    logger = logging.getLogger("engineio.server")
    saved = (logger.handlers[:], logger.propagate, logger.level)
    logger.handlers[:], logger.propagate = [log.handler], False
    logger.setLevel(logging.DEBUG)
    yield logger
    logger.handlers[:], logger.propagate = saved[0], saved[1]
    logger.setLevel(saved[2])


def test_engineio_refusals_lose_the_text_the_client_sent(log: Log, library: logging.Logger) -> None:
    once = " (further occurrences of this error will be logged with level INFO)"
    library.error(f"Invalid session {MARKER}\nforged line" + once)
    assert MARKER not in log.stream.getvalue()
    assert log.lines() == [f"ERROR engineio.server: {ENGINEIO_REFUSAL}"]


def test_many_library_lines_in_words_of_their_own_are_one_kind(log: Log, library: logging.Logger) -> None:
    for n in range(50):
        library.error(f"Socket for session {MARKER}-{n} is not connected")
    log.handler.close()
    assert MARKER not in log.stream.getvalue()
    assert log.lines() == [
        f"ERROR engineio.server: {LIBRARY_WITHHELD}",
        f"ERROR engineio.server: {LIBRARY_WITHHELD} (49 more like it in the last 1 s)",
    ]
