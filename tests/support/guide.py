"""Blocks of the deployment guide as an operator would copy them: the tests run what it shows."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from tests.support.server import ROOT

DEPLOYMENT_DOC = ROOT / "docs" / "deployment.md"


def fenced_block(marker: str, language: str, doc: Path = DEPLOYMENT_DOC) -> str:
    """The ```language block right after `<!-- marker -->`; there must be exactly one."""
    text = doc.read_text(encoding="utf-8")
    found = re.findall(rf"<!-- {re.escape(marker)} -->\s*\n```{language}\n(.*?)\n```", text, re.DOTALL)
    wanted = f"exactly one <!-- {marker} --> ```{language} block"
    assert len(found) == 1, f"{doc.name} must hold {wanted}, found {len(found)}"
    return found[0] + "\n"


def compose_from_docs(marker: str = "compose-redis") -> dict[str, Any]:
    """The guide's multi-process compose file, anchors and merge keys resolved."""
    loaded: dict[str, Any] = yaml.safe_load(fenced_block(marker, "yaml"))
    return loaded
