"""The image runs Ephemeral as its Dockerfile promises: unprivileged, read-only, stopping cleanly."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
import requests

from scripts.lock_requirements import REQUIREMENTS, normalized, pins
from tests.support.payloads import aliases, notice
from tests.support.people import Person
from tests.support.process import children_of
from tests.support.server import free_port

# The first run on a machine makes the Debian base (debootstrap) before building.
pytestmark = pytest.mark.timeout(1800)

APP = "/opt/ephemeral/app.py"
PORT = "5000"
STOP_BOUND = 2.0  # seconds from SIGTERM to exit: the deployment contract
PURGED_BY_SHUTDOWN = {"reason": "shutdown", "by": None}


def test_image_config_declares_user_command_port_and_healthcheck(image_config):
    user, _, group = image_config["User"].partition(":")
    assert user.isdigit() and int(user) != 0, "USER must be a numeric non-root id"
    assert group.isdigit() and int(group) != 0
    command = image_config["Cmd"]
    assert isinstance(command, list) and command[-1] == APP, "CMD must be exec form running app.py"
    assert not image_config.get("Entrypoint")
    assert list(image_config["ExposedPorts"]) == [f"{PORT}/tcp"]
    env = dict(item.split("=", 1) for item in image_config["Env"])
    assert env["EPHEMERAL_HOST"] == "0.0.0.0"
    assert env["EPHEMERAL_PORT"] == PORT
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"
    probe = image_config["Healthcheck"]["Test"]
    assert probe[0] == "CMD", "exec form: the image has no shell guarantee for a probe"
    assert "urllib" in probe[-1] and "/healthz" in probe[-1]
    assert "curl" not in " ".join(probe)


def test_every_module_is_byte_compiled_in_the_image(container):
    # Otherwise every start on a read-only root would compile everything again.
    sources = [
        *(container.root / "opt/ephemeral/ephemeral").rglob("*.py"),
        *(container.root / "opt/venv/lib").glob("python3*/site-packages/**/*.py"),
    ]
    assert len(sources) > 100
    uncompiled = [
        str(source.relative_to(container.root))
        for source in sources
        if not any((source.parent / "__pycache__").glob(source.stem + ".*.pyc"))
    ]
    assert uncompiled == []


def test_the_image_holds_exactly_the_locked_packages(container):
    """What pip installed with --require-hashes: requirements.txt's pins (= requirements.lock's), nothing else."""
    listing = (
        "import importlib.metadata as m; print(*(d.metadata['Name'] + '==' + d.version for d in m.distributions()))"
    )
    listed = container.run(["/opt/venv/bin/python3", "-c", listing])
    assert listed.returncode == 0, listed.stderr
    installed = {
        normalized(name): version for name, _, version in (item.partition("==") for item in listed.stdout.split())
    }
    for tool in ("pip", "setuptools"):  # the venv's own
        installed.pop(tool, None)
    pinned = {name: pin.partition("==")[2] for name, pin in pins(REQUIREMENTS).items()}
    assert installed == pinned


def test_healthcheck_passes_while_serving_and_fails_without_a_server(running, image_config):
    probe = image_config["Healthcheck"]["Test"][1:]
    healthy = running.run(probe, {"EPHEMERAL_PORT": str(running.port)})
    assert healthy.returncode == 0, healthy.stderr
    unhealthy = running.run(probe, {"EPHEMERAL_PORT": str(free_port())})
    assert unhealthy.returncode != 0


def test_server_process_runs_as_the_image_user(running, image_config):
    status = Path(f"/proc/{running.app_pid()}/status").read_text(encoding="utf-8")
    fields = dict(line.split(":", 1) for line in status.splitlines())
    uids = {int(uid) for uid in fields["Uid"].split()}  # real, effective, saved, filesystem
    gids = {int(gid) for gid in fields["Gid"].split()}
    user, _, group = image_config["User"].partition(":")
    assert uids == {int(user)}
    assert gids == {int(group)}
    assert 0 not in uids | gids
    assert fields["CapEff"].strip() == "0" * 16, "a non-root process holds no capabilities"


def test_two_people_talk_then_sigterm_purges_and_exits_within_two_seconds(running):
    health = requests.get(running.url + "/healthz", timeout=10)
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}

    ann, bob = Person(running.url), Person(running.url)
    try:
        created = ann.create(alias="ann", name="deployed", password="secret")
        assert created.status_code == 201, created.text
        room_id = created.json()["room_id"]
        ann_socket = ann.connect(room_id)
        ann_socket.wait("welcome")
        assert bob.join(room_id, alias="bob", password="secret").status_code == 200
        bob_socket = bob.connect(room_id)
        assert aliases(bob_socket.wait("welcome")) == ["ann", "bob"]

        assert ann_socket.send("hello from the container")["ok"] is True
        heard = bob_socket.wait_for("message", lambda m: m["alias"] == "ann")
        assert heard["html"] == "<p>hello from the container</p>"

        pid = running.app_pid()
        commands = [Path(f"/proc/{child}/cmdline").read_bytes() for child in children_of(pid)]
        # bcrypt ran in its worker process, not in a thread of the server
        assert [b"hash_worker.py" in command for command in commands] == [True]
        signalled = time.monotonic()
        os.kill(pid, signal.SIGTERM)
        exit_code = running.process.wait(timeout=30)
        elapsed = time.monotonic() - signalled
        print(f"SIGTERM to exit: {elapsed:.3f} s")
        assert exit_code == 0
        assert elapsed < STOP_BOUND
        assert notice(ann_socket.wait("purged", timeout=30)) == PURGED_BY_SHUTDOWN
        assert notice(bob_socket.wait("purged", timeout=30)) == PURGED_BY_SHUTDOWN
    finally:
        ann.close()
        bob.close()


def test_serving_writes_nothing_to_the_root_file_system(running):
    ann = Person(running.url)
    try:
        room_id = ann.create(alias="ann", name="deployed", password="secret").json()["room_id"]
        sock = ann.connect(room_id)
        sock.wait("welcome")
        assert sock.send("nothing of this reaches a disk")["ok"] is True
        sock.wait("message")
        os.kill(running.app_pid(), signal.SIGTERM)
        assert running.process.wait(timeout=30) == 0
    finally:
        ann.close()
    # Compared with a run of /bin/true in the same container: only /tmp (a tmpfs) was writable.
    assert running.written() == running.baseline


def test_the_write_check_sees_writes_to_the_root_and_not_to_tmp(container):
    wrote = container.run(["/bin/sh", "-c", "echo x > /var/tmp/probe && echo y > /tmp/scratch"])
    assert wrote.returncode == 0, wrote.stderr
    changed = {path for path, kind in container.written().items() if container.baseline.get(path) != kind}
    assert changed == {"var/tmp/probe", "var/tmp", "var"}
