"""docs/protocol.md lists exactly what the code defines: events, error codes, settings."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from ephemeral import errors, protocol
from ephemeral.config import Settings, env_name

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"
CODE = re.compile(r"`([a-z_]+)`")


def table_after(heading: str) -> list[list[str]]:
    """The rows (cells as text) of the first table after a heading, header and rule excluded."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = lines.index(heading)
    rows: list[list[str]] = []
    for line in lines[start + 1 :]:
        if line.startswith("#"):
            break
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip("|").split(" | ")])
        elif rows:
            break
    assert len(rows) > 2, f"no table under {heading!r} in {DOC.name}"
    return rows[2:]


def first_names(heading: str) -> list[str]:
    names = []
    for row in table_after(heading):
        found = re.fullmatch(r"`([^`]+)`", row[0])
        assert found, f"first cell of a row under {heading!r} is not one `name`: {row[0]!r}"
        names.append(found.group(1))
    return names


@pytest.mark.parametrize(
    ("heading", "defined"),
    [
        ("### Server → client", protocol.SERVER_EVENTS),
        ("### Client → server", protocol.CLIENT_EVENTS),
        ("### Error codes", protocol.ERROR_CODES),
    ],
)
def test_each_table_lists_exactly_what_the_protocol_module_defines(heading: str, defined: tuple[str, ...]) -> None:
    listed = first_names(heading)
    assert len(listed) == len(set(listed)), f"listed twice under {heading!r}"
    assert sorted(listed) == sorted(defined)


def test_every_error_code_is_documented_with_its_http_status() -> None:
    rows = table_after("### Error codes")
    statuses = {name: int(row[1]) for name, row in zip(first_names("### Error codes"), rows, strict=True)}
    assert statuses == {kind.code: kind.status for kind in errors.all_kinds()}


def test_every_error_an_event_names_is_a_known_code() -> None:
    for row in table_after("### Client → server"):
        assert set(CODE.findall(row[-1])) <= set(protocol.ERROR_CODES), row


def test_the_configuration_table_lists_every_setting() -> None:
    listed = first_names("## Configuration")
    assert sorted(listed) == sorted(env_name(field.name) for field in dataclasses.fields(Settings))
