"""requirements.lock pins what requirements.txt pins, every pin with its wheels' hashes, and the image installs it."""

from __future__ import annotations

import re

from scripts.lock_requirements import LOCK, REQUIREMENTS, pins
from tests.support.server import ROOT

SHA256 = re.compile(r"--hash=sha256:[0-9a-f]{64}")


def locked() -> dict[str, list[str]]:
    """`name==version` -> its hash options, in the lock's order."""
    entries: dict[str, list[str]] = {}
    for line in LOCK.read_text(encoding="utf-8").replace("\\\n", " ").splitlines():
        if line.strip() and not line.startswith("#"):
            requirement, *options = line.split()
            entries[requirement] = options
    return entries


def test_the_lock_pins_exactly_what_requirements_txt_pins() -> None:
    # A pin changed without `make lock` fails here, before an image build does.
    assert list(locked()) == list(pins(REQUIREMENTS).values())


def test_every_pin_carries_sha256_hashes_and_nothing_else() -> None:
    for requirement, options in locked().items():
        assert options, requirement
        assert all(SHA256.fullmatch(option) for option in options), requirement


def test_the_image_installs_the_lock_with_hashes_required_and_no_source_builds() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    instructions = [line for line in text.replace("\\\n", " ").splitlines() if not line.lstrip().startswith("#")]
    [install] = [line.split() for line in instructions if "pip install" in line]
    assert "--require-hashes" in install
    assert "--only-binary=:all:" in install
    assert install[-2:] == ["-r", "/opt/ephemeral/requirements.lock"]
    assert not [line for line in instructions if "requirements.txt" in line]
