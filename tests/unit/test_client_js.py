"""The client's pure modules (message model, string catalog) under Node's own test runner: tests/js/*.test.mjs."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ephemeral import protocol

ROOT = Path(__file__).resolve().parents[2]
NODE_TESTS = ROOT / "tests" / "js"


def test_node_tests_for_the_client_pass() -> None:
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        # Not a skip: without Node the client's model and catalog would go untested unnoticed.
        pytest.fail("node is not on PATH: install Debian's nodejs package (apt-get install nodejs)", pytrace=False)
    assert sorted(NODE_TESTS.glob("*.test.mjs")), f"no *.test.mjs files in {NODE_TESTS}"
    run = subprocess.run(
        [node, "--test", "tests/js/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, f"node --test tests/js/ exited {run.returncode}\n{run.stdout}\n{run.stderr}"


def test_the_catalog_has_words_for_every_error_code_the_server_defines() -> None:
    english = (ROOT / "static" / "js" / "strings" / "en.js").read_text(encoding="utf-8")
    worded = set(re.findall(r'"error\.([a-z_]+)"', english))
    assert set(protocol.ERROR_CODES) <= worded
