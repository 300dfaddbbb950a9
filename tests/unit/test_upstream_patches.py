"""Each patch in docs/upstream applies to the library version we pin, and its own tests fail before it and pass after.

The patch is applied with `git apply` to a copy of the installed package laid out as the library's repository
is (`src/<package>`), and the tests it adds run in a child pytest against that copy. When an upgrade makes a
patch stop applying, or its tests pass on the stock library, the change has landed or moved: the local
override it stands for can go (docs/upstream/README.md).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UPSTREAM = Path(__file__).resolve().parents[2] / "docs" / "upstream"
# Each patch, and the package it changes.
PATCHES = {"python-socketio-json-first-packet.patch": "socketio"}


def _added_tests(patch: Path) -> list[str]:
    return [line[len("+++ b/") :] for line in patch.read_text().splitlines() if line.startswith("+++ b/tests/")]


def _checkout(tmp_path: Path, package: str) -> Path:
    """A copy of the installed `package` as `<tree>/src/<package>`, with an empty pytest configuration."""
    spec = importlib.util.find_spec(package)
    assert spec is not None and spec.submodule_search_locations
    tree = tmp_path / "tree"
    shutil.copytree(spec.submodule_search_locations[0], tree / "src" / package, ignore=shutil.ignore_patterns("*.pyc"))
    (tree / "pytest.ini").write_text("[pytest]\n")
    return tree


def _run(tree: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=tree, env=env, capture_output=True, text=True, timeout=120, check=False)


def _pytest(tree: Path, tests: list[str]) -> subprocess.CompletedProcess[str]:
    # The tests import the package from the copy, ahead of the installed one.
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    return _run(tree, sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests, env=env)


def test_every_patch_is_listed() -> None:
    assert sorted(path.name for path in UPSTREAM.glob("*.patch")) == sorted(PATCHES)


@pytest.mark.parametrize(("name", "package"), sorted(PATCHES.items()))
def test_the_patch_applies_and_its_tests_need_it(tmp_path: Path, name: str, package: str) -> None:
    patch = UPSTREAM / name
    tree = _checkout(tmp_path, package)
    tests = _added_tests(patch)
    assert tests, "a patch brings its own tests"
    # The tests alone, on the stock library: they must fail, or they test nothing the patch does.
    assert _run(tree, "git", "apply", "--include=tests/*", str(patch)).returncode == 0
    before = _pytest(tree, tests)
    assert before.returncode == 1, before.stdout[-2000:]
    applied = _run(tree, "git", "apply", "--exclude=tests/*", str(patch))
    assert applied.returncode == 0, applied.stderr
    after = _pytest(tree, tests)
    assert after.returncode == 0, after.stdout[-2000:]
