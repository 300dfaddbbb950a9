"""The vendored page modules of server-blind rooms are the pinned releases: each file's sha256 is the recorded one."""

from __future__ import annotations

import hashlib

import pytest

from tests.support.server import ROOT

VENDOR = ROOT / "static" / "js" / "vendor"
# file -> (sha256, its license files); docs/decisions.md and the folder's README record the same.
PINNED = {
    "purify.js": (
        "5e8c53cd086a012531fc754ee6a7ad7a02e8a06fc4dadd805b912e128c3f6c58",
        ("purify.LICENSE", "purify.LICENSE-MPL"),
    ),
    "markdown-it.min.js": (
        "38c70a1e7ca91ab40e2d9e6e60129851a717ed1c7d4acbbdd41bf9503791cf68",
        ("markdown-it.LICENSE",),
    ),
    "qrcode.js": ("ea91d7118a5395289170da848b7c6758b996163bfbccf312591ab65a4911b7c0", ("qrcode.LICENSE",)),
}


@pytest.mark.parametrize("name", sorted(PINNED))
def test_a_vendored_module_is_the_pinned_release_with_its_license(name: str) -> None:
    digest, licenses = PINNED[name]
    assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    assert f"`{name}`" in readme and digest in readme
    for license_file in licenses:
        assert (VENDOR / license_file).read_text(encoding="utf-8").strip()


def test_nothing_else_is_vendored_here() -> None:
    scripts = {path.name for path in VENDOR.iterdir() if path.suffix in {".js", ".mjs"}}
    assert scripts == set(PINNED)


def test_the_decisions_record_the_sanitizer_release_and_hash() -> None:
    decisions = (ROOT / "docs" / "decisions.md").read_text(encoding="utf-8")
    assert "DOMPurify 3.5.0" in decisions and PINNED["purify.js"][0] in decisions
