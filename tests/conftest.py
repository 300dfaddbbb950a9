"""Fixtures shared by every test layer: servers, people, rooms."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.people import Person
from tests.support.server import RunningServer, start_server

ASYNC_MODES = ("gevent", "eventlet")


@pytest.fixture(scope="session", params=ASYNC_MODES)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """One shared real server per async mode, default settings but bcrypt cost 4."""
    running = start_server(tmp_path_factory.mktemp("server"), request.param)
    yield running
    running.stop()


@pytest.fixture
def people(server: RunningServer) -> Iterator[Callable[[], Person]]:
    """Make as many independent people (cookie jars, source addresses) as a test needs."""
    made: list[Person] = []

    def make() -> Person:
        person = Person(server.url)
        made.append(person)
        return person

    yield make
    for person in made:
        person.close()


@pytest.fixture
def output_dir(tmp_path: Path) -> Path:
    return tmp_path
