"""Terminal-client fixtures: one real server per module, a fresh home per person, every program stopped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.server import RunningServer, running_server
from tests.terminal.support import People, people_in


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with running_server(tmp_path_factory.mktemp("server"), "gevent") as running:
        yield running


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[People]:
    """Each call starts `ephemeral-chat ARGS` for a new person (own home and working directory)."""
    with people_in(tmp_path) as people:
        yield people
