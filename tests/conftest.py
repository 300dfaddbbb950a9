"""Fixtures shared by every test layer: servers, people, rooms."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.people import Person
from tests.support.redis import RedisServer, running_redis
from tests.support.server import RunningServer, start_server, stop_all

ASYNC_MODES = ("gevent", "eventlet")
# The contract runs against every async mode with rooms in memory, and once more
# per mode with rooms in Redis (the shared backend of a multi-process deployment).
DEPLOYMENTS = [("gevent", "memory"), ("eventlet", "memory"), ("gevent", "redis"), ("eventlet", "redis")]
# Each async mode once and each store once: for real-server tests whose claim rests on the process, its async
# mode and its store, but not on which mode is paired with which store. A test that takes these two says why in
# its docstring; the others run on all four.
EACH_MODE_AND_STORE_ONCE = [("gevent", "memory"), ("eventlet", "redis")]
each_mode_and_store_once = pytest.mark.parametrize(
    "deployment", EACH_MODE_AND_STORE_ONCE, ids=["-".join(d) for d in EACH_MODE_AND_STORE_ONCE], indirect=True
)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One real redis-server for the session, without persistence; the store contract flushes it."""
    with running_redis(tmp_path_factory.mktemp("redis")) as running:
        yield running


@pytest.fixture(scope="session")
def shared_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """The redis-server behind the shared servers of the Redis deployments; nothing flushes it."""
    with running_redis(tmp_path_factory.mktemp("shared-redis")) as running:
        yield running


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of this test's own, for tests that count what is in it."""
    with running_redis(tmp_path) as running:
        yield running


@pytest.fixture(scope="session", params=DEPLOYMENTS, ids=["-".join(d) for d in DEPLOYMENTS])
def deployment(request: pytest.FixtureRequest) -> Iterator[tuple[str, dict[str, str]]]:
    """An async mode and the environment that picks the room backend."""
    async_mode, backend = request.param
    env = request.getfixturevalue("shared_redis").env() if backend == "redis" else {}
    yield async_mode, env


@pytest.fixture(scope="session")
def server(deployment: tuple[str, dict[str, str]], tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """One shared real server per deployment, default settings but bcrypt cost 4."""
    async_mode, env = deployment
    running = start_server(tmp_path_factory.mktemp("server"), async_mode, env)
    yield running
    running.stop()


@pytest.fixture
def own_server(deployment: tuple[str, dict[str, str]], tmp_path: Path) -> Iterator[Callable[..., RunningServer]]:
    """Start servers of this deployment with extra settings; all stop at teardown.

    With Redis they share a redis-server of this test's own, empty at the first start:
    the session's shared server and its Redis are never touched.
    """
    async_mode, base_env = deployment
    started: list[RunningServer] = []
    with contextlib.ExitStack() as stack:
        own_redis: list[RedisServer] = []

        def start(env: dict[str, str] | None = None) -> RunningServer:
            backend = {}
            if base_env:
                if not own_redis:
                    own_redis.append(stack.enter_context(running_redis(tmp_path)))
                backend = own_redis[0].env()
            running = start_server(tmp_path, async_mode, {**base_env, **backend, **(env or {})})
            started.append(running)
            return running

        yield start
        stop_all(started)


@pytest.fixture
def people_at() -> Iterator[Callable[[str], Person]]:
    """Make independent people (cookie jars, source addresses) for any address; all closed afterwards."""
    made: list[Person] = []

    def make(url: str) -> Person:
        person = Person(url)
        made.append(person)
        return person

    yield make
    for person in made:
        person.close()


@pytest.fixture
def people(server: RunningServer, people_at: Callable[[str], Person]) -> Callable[[], Person]:
    """Make as many independent people as a test needs, for the test's server."""
    return lambda: people_at(server.url)


@pytest.fixture
def output_dir(tmp_path: Path) -> Path:
    return tmp_path
