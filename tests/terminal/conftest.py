"""Terminal-client fixtures: one real server per module, a fresh home per person, every program stopped."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from tests.support.server import RunningServer, running_server
from tests.terminal.support import CLIENT, Terminal, client_env


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with running_server(tmp_path_factory.mktemp("server"), "gevent") as running:
        yield running


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Callable[..., Terminal]]:
    """Each call starts `ephemeral-chat ARGS` for a new person (own home and working directory)."""
    if not CLIENT.exists():
        pytest.fail(f"{CLIENT.name} is not installed: make installs it (pip install -e ./terminal)")
    started: list[Terminal] = []

    def start(args: Sequence[str], *, stdin_text: str | None = None, env: Mapping[str, str] | None = None) -> Terminal:
        home = tmp_path / f"person{len(started)}"
        (home / "cwd").mkdir(parents=True)
        (home / "home").mkdir()
        term = Terminal(args, client_env(home / "home", env), home / "cwd", stdin_text=stdin_text)
        started.append(term)
        return term

    yield start
    for term in started:
        term.stop()
