"""Every test docs/security.md cites exists: no claim rests on a test that was renamed, moved or never written.

A citation is backticked, relative to `tests/`: a file (`integration/test_x.py`,
`js/x.test.mjs`), a test in it (`integration/test_x.py::test_y`, a parametrized
id or a class allowed), a further test of the file cited before it on the same
line (`::test_z`), or a fragment of such a test's name (`…part_of_a_name…`).
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
SECURITY = TESTS.parent / "docs" / "security.md"

_CODE = re.compile(r"`([^`\n]+)`")
_FILE = re.compile(r"(?P<file>(?:\w+/)+(?:test_\w+\.py|[\w.-]+\.test\.mjs))(?:::(?P<test>\S+))?")
_FURTHER = re.compile(r"::(?P<test>\S+)")
_FRAGMENT = re.compile(r"…?(?P<fragment>\w+)…?")


@functools.cache
def _tests_in(path: Path) -> frozenset[str]:
    """The test names a Python test file defines: functions, and Class::method for test classes."""
    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            names.add(node.name)
            names.update(
                f"{node.name}::{item.name}"
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and item.name.startswith("test")
            )
    return frozenset(names)


def _missing_test(path: Path, test: str) -> str | None:
    """Why `test` (maybe with a parametrized id) does not name a test of `path`; None when it does."""
    if path.suffix != ".py":
        return f"{test}: only a Python test file names its tests"
    if re.sub(r"\[.*\]$", "", test) not in _tests_in(path):
        return f"no test {test} in {path.relative_to(TESTS)}"
    return None


def broken_citations(text: str, root: Path = TESTS) -> list[str]:
    """Every citation in `text` that names a file or test missing under `root`, with its line number."""
    broken = []
    for number, line in enumerate(text.splitlines(), 1):
        cited: Path | None = None  # the file a `::test` or a fragment on this line belongs to
        for code in _CODE.findall(line):
            problem = None
            if whole := _FILE.fullmatch(code):
                cited = root / whole["file"]
                if not cited.is_file():
                    problem, cited = f"no file {whole['file']}", None
                elif whole["test"]:
                    problem = _missing_test(cited, whole["test"])
            elif further := _FURTHER.fullmatch(code):
                problem = _missing_test(cited, further["test"]) if cited else "::test with no file before it"
            elif "…" in code and (part := _FRAGMENT.fullmatch(code)):
                if cited is None:
                    problem = "a name fragment with no file before it"
                elif not any(part["fragment"] in name for name in _tests_in(cited)):
                    problem = f"no test named …{part['fragment']}… in {cited.relative_to(root)}"
            if problem:
                broken.append(f"line {number}: `{code}`: {problem}")
    return broken


def test_every_test_the_threat_model_cites_exists():
    assert broken_citations(SECURITY.read_text(encoding="utf-8")) == []


def test_the_threat_model_cites_tests_at_all():
    """A parser that found nothing would pass the test above: it finds the citations of a known row."""
    text = SECURITY.read_text(encoding="utf-8")
    assert len(_FILE.findall(text)) > 50
    assert "`integration/test_lifecycle.py::test_no_message_after_purged`" in text


HERE = Path(__file__).relative_to(TESTS).as_posix()
CASES = {
    "file": (f"`{HERE}`", []),
    "test": (f"`{HERE}::test_every_test_the_threat_model_cites_exists`", []),
    "parametrized id": (f"`{HERE}::test_a_citation_is_checked[gevent-memory]`", []),
    "continuation": (f"`{HERE}::test_every_test_the_threat_model_cites_exists`, `::test_a_citation_is_checked`", []),
    "fragments": (f"`{HERE}` (`…threat_model_cites…`, `…cites_exists`)", []),
    "js file": ("`js/proof.test.mjs`", []),
    "not citations": ("`gevent-redis` in `tests/conftest.py`, `EPHEMERAL_ROOM_TTL`", []),
    "missing file": ("`unit/test_nowhere.py`", ["line 1: `unit/test_nowhere.py`: no file unit/test_nowhere.py"]),
    "test of a missing file": (
        "`unit/test_nowhere.py::test_x`",
        ["line 1: `unit/test_nowhere.py::test_x`: no file unit/test_nowhere.py"],
    ),
    "missing test": (f"`{HERE}::test_renamed`", [f"line 1: `{HERE}::test_renamed`: no test test_renamed in {HERE}"]),
    "missing test with an id": (
        f"`{HERE}::test_renamed[gevent]`",
        [f"line 1: `{HERE}::test_renamed[gevent]`: no test test_renamed[gevent] in {HERE}"],
    ),
    "lone continuation": (
        "`::test_a_citation_is_checked`",
        ["line 1: `::test_a_citation_is_checked`: ::test with no file before it"],
    ),
    "continuation on the next line": (
        f"`{HERE}`\n`::test_a_citation_is_checked`",  # a continuation belongs to its own line's file
        ["line 2: `::test_a_citation_is_checked`: ::test with no file before it"],
    ),
    "continuation of another file": (
        "`unit/test_logs.py`, `::test_a_citation_is_checked`",
        ["line 1: `::test_a_citation_is_checked`: no test test_a_citation_is_checked in unit/test_logs.py"],
    ),
    "missing fragment": (
        f"`{HERE}` (`…never_written…`)",
        [f"line 1: `…never_written…`: no test named …never_written… in {HERE}"],
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_citation_is_checked(case: str) -> None:
    text, broken = CASES[case]
    assert broken_citations(text) == broken
