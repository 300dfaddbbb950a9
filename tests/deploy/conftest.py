"""The container image, built and run with no registry and no Docker daemon.

debootstrap makes a bare Debian base (python3, python3-venv, python3-pip; kept
in the image store between runs), buildah builds the project's Dockerfile on
it, and `buildah run` starts the image's CMD on the host network.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.server import ROOT, free_port

SUITE = "bookworm"
BASE_PACKAGES = ("python3", "python3-venv", "python3-pip")
DEBOOTSTRAP = ("debootstrap", "--variant=minbase", "--include=" + ",".join(BASE_PACKAGES), SUITE)
# Named after its recipe, so changing the suite or the packages makes a new base.
BASE_IMAGE = "localhost/ephemeral-test-base:{}-{}".format(
    SUITE, hashlib.sha256(" ".join(DEBOOTSTRAP).encode()).hexdigest()[:12]
)
APP_IMAGE = "localhost/ephemeral-test:latest"
TOOLS = ("debootstrap", "tar", "podman", "buildah")
# Behind a TLS-intercepting proxy only the host's CA bundle makes pip's downloads work.
HOST_CERTS = Path("/etc/ssl/certs")
HOST_BUNDLE = HOST_CERTS / "ca-certificates.crt"
# Every run of the image: chroot isolation (podman run's rlimits are refused
# in some sandboxes), the host's network, and /tmp as its only writable place.
RUN_OPTIONS = ("--isolation", "chroot", "--network", "host", "--mount", "type=tmpfs,destination=/tmp")
BUILD_TIMEOUT = 1200
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _require_tools() -> None:
    """Skip locally with the reason; in CI fail, so a green run always built and ran the image."""
    search = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"
    problems = [f"{tool} is not installed" for tool in TOOLS if shutil.which(tool, path=search) is None]
    if os.geteuid() != 0:
        problems.append("it needs root")
    if problems:
        reason = f"container test: {', '.join(problems)} (`make test-deploy` installs the tools)"
        if _in_ci():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)


def run_tool(args: Sequence[str | Path], log: Path, **kwargs: Any) -> str:
    """Run a command with its output appended to `log`; a failure shows the end of it."""
    argv = [str(arg) for arg in args]
    kwargs.setdefault("timeout", BUILD_TIMEOUT)
    started = time.monotonic()
    result = subprocess.run(argv, capture_output=True, text=True, check=False, **kwargs)
    with log.open("a", encoding="utf-8") as sink:
        sink.write(f"$ {' '.join(argv)}\n{result.stdout}{result.stderr}\n({time.monotonic() - started:.1f} s)\n")
    if result.returncode != 0:
        output = (result.stdout + result.stderr)[-4000:]
        raise AssertionError(f"{' '.join(argv[:2])} exited {result.returncode}; see {log}:\n{output}")
    return result.stdout


def _import_debian_base(log: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="ephemeral-base-") as scratch:
        root = Path(scratch) / "root"
        try:
            run_tool([*DEBOOTSTRAP, root], log)
            # The downloaded packages and apt's lists do not belong in a base image.
            tar = subprocess.Popen(
                ["tar", "--numeric-owner", "--exclude=./var/cache/apt/archives/*.deb",
                 "--exclude=./var/lib/apt/lists/*", "-C", root, "-c", "."],
                stdout=subprocess.PIPE,
            )  # fmt: skip
            assert tar.stdout is not None
            with tar.stdout:
                run_tool(["podman", "import", "-", BASE_IMAGE], log, stdin=tar.stdout)
            if tar.wait() != 0:
                # A base from a partial archive must not be cached for later runs.
                subprocess.run(["podman", "rmi", BASE_IMAGE], capture_output=True, check=False)
                raise AssertionError("tar of the Debian root failed")
        finally:
            # debootstrap mounts /proc and /sys inside the root while it works; a
            # run it did not finish may leave them, and they must not be emptied.
            subprocess.run(["rm", "-rf", "--one-file-system", str(root)], check=False)


@pytest.fixture(scope="session")
def deploy_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build logs and the pip configuration lent to the build."""
    _require_tools()
    return tmp_path_factory.mktemp("deploy")


@pytest.fixture(scope="session")
def base_image(deploy_dir: Path) -> str:
    """A Debian base with only python3, python3-venv and python3-pip, made once per machine."""
    exists = subprocess.run(["podman", "image", "exists", BASE_IMAGE], check=False)
    if exists.returncode != 0:
        _import_debian_base(deploy_dir / "base.log")
    return BASE_IMAGE


@pytest.fixture(scope="session")
def app_image(base_image: str, deploy_dir: Path) -> str:
    """The project's Dockerfile built on the Debian base; unchanged layers come from buildah's cache."""
    lend_trust: list[str] = []
    if HOST_BUNDLE.is_file():
        # Lent to the build only, never part of the Dockerfile or the image.
        pip_conf = deploy_dir / "pip.conf"
        pip_conf.write_text(f"[global]\ncert = {HOST_BUNDLE}\n", encoding="utf-8")
        lend_trust = ["--volume", f"{HOST_CERTS}:{HOST_CERTS}:ro", "--volume", f"{pip_conf}:/etc/pip.conf:ro"]
    previous = _image_id(APP_IMAGE)
    # HEALTHCHECK exists only in Docker's image format; buildah drops it from OCI
    # images. Proxy variables, if the host has any, reach RUN by default.
    run_tool(
        ["buildah", "bud", "--isolation", "chroot", "--layers", "--pull=never", "--format", "docker",
         "--build-arg", f"BASE={base_image}", *lend_trust,
         "--tag", APP_IMAGE, "--file", ROOT / "Dockerfile", ROOT],
        deploy_dir / "build.log",
    )  # fmt: skip
    if previous and previous != _image_id(APP_IMAGE):
        # The superseded build and the cached layers only it used: the store keeps one app image.
        subprocess.run(["buildah", "rmi", previous], capture_output=True, check=False, timeout=120)
    return APP_IMAGE


def _image_id(name: str) -> str:
    found = subprocess.run(
        ["podman", "image", "inspect", "--format", "{{.Id}}", name], capture_output=True, text=True, check=False
    )
    return found.stdout.strip() if found.returncode == 0 else ""


@pytest.fixture(scope="session")
def image_config(app_image: str, deploy_dir: Path) -> dict[str, Any]:
    """The image's Docker config: User, Cmd, ExposedPorts, Healthcheck, Env."""
    inspected = json.loads(run_tool(["buildah", "inspect", "--type", "image", app_image], deploy_dir / "inspect.log"))
    config: dict[str, Any] = inspected["Docker"]["config"]
    return config


def _tree(top: Path) -> dict[str, str]:
    """Every entry under `top`: kind, and for files their content's digest."""
    entries: dict[str, str] = {}
    for directory, subdirs, files in os.walk(top):
        for name in subdirs + files:
            path = Path(directory) / name
            relative = str(path.relative_to(top))
            if path.is_symlink():
                entries[relative] = "symlink to " + os.readlink(path)
            elif path.is_dir():
                entries[relative] = "directory"
            elif path.is_file():
                entries[relative] = "file " + hashlib.sha256(path.read_bytes()).hexdigest()
            else:  # overlay records a deletion as a 0/0 character device
                entries[relative] = "deleted or special"
    return entries


class Container:
    """One working container of the image, mounted so its own layer can be read."""

    def __init__(self, image: str, log: Path) -> None:
        self.log = log
        self.name = run_tool(["buildah", "from", "--pull-never", image], log).strip().splitlines()[-1]
        self.process: subprocess.Popen[bytes] | None = None
        self.argv: list[str] = []
        self.port = 0
        self.root = Path()
        self.upper = Path()
        self.baseline: dict[str, str] = {}

    def prepare(self) -> None:
        """Find the container's own layer and record what the runtime alone leaves in it."""
        merged = run_tool(["buildah", "mount", self.name], self.log).strip()
        self.root = Path(merged)
        # Overlay storage: whatever the container writes to its root lands in upperdir.
        for line in Path("/proc/self/mounts").read_text(encoding="utf-8").splitlines():
            _source, target, fstype, options, *_ = line.split()
            if target == merged and fstype == "overlay":
                upper = next(o for o in options.split(",") if o.startswith("upperdir="))
                self.upper = Path(upper.removeprefix("upperdir="))
                break
        else:
            raise AssertionError(f"{merged} is not an overlay mount: the test needs overlay storage")
        # What the runtime itself leaves behind (a copied-up /run) is not the app's doing.
        self.run(["/bin/true"])
        self.baseline = self.written()

    def written(self) -> dict[str, str]:
        """The container's own layer: everything written to its root file system since `buildah from`."""
        return _tree(self.upper)

    def run(self, argv: Sequence[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """Run one more command in the container, as the image's user, and wait for it."""
        options = [f"--env={key}={value}" for key, value in (env or {}).items()]
        return subprocess.run(
            ["buildah", "run", *RUN_OPTIONS, *options, self.name, "--", *argv],
            capture_output=True, text=True, timeout=START_TIMEOUT, check=False,
        )  # fmt: skip

    def start(self, argv: Sequence[str]) -> None:
        """Start `argv` (the image's CMD) on a free loopback port and wait until /healthz answers."""
        self.argv = list(argv)
        for _attempt in range(3):  # another process may take the free port first
            self.port = free_port()
            env = {"EPHEMERAL_HOST": "127.0.0.1", "EPHEMERAL_PORT": str(self.port), "EPHEMERAL_BCRYPT_COST": "4"}
            options = [f"--env={key}={value}" for key, value in env.items()]
            with self.log.open("ab") as sink:
                self.process = subprocess.Popen(
                    ["buildah", "run", *RUN_OPTIONS, *options, self.name, "--", *argv],
                    stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
                )  # fmt: skip
            if self._wait_healthy():
                return
        raise AssertionError(f"the image's CMD did not serve /healthz; see {self.log}")

    def _wait_healthy(self) -> bool:
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return True
            time.sleep(0.05)  # polling for readiness, not synchronising a test
        self.stop_group()
        return False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def app_pid(self) -> int:
        """The server's own process: in buildah's session, with exactly the CMD's arguments."""
        assert self.process is not None
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError):
                pid = int(entry.name)
                argv = (entry / "cmdline").read_bytes().split(b"\0")[:-1]
                if os.getsid(pid) == self.process.pid and [a.decode() for a in argv] == self.argv:
                    return pid
        raise AssertionError(f"no process runs {self.argv}")

    def stop_group(self) -> None:
        """Teardown: end buildah's whole process group if the test left it running."""
        if self.process is None or self.process.poll() is not None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(STOP_TIMEOUT)
                return

    def remove(self) -> None:
        self.stop_group()
        subprocess.run(["buildah", "rm", self.name], capture_output=True, check=False, timeout=60)


@pytest.fixture
def container(app_image: str, deploy_dir: Path) -> Iterator[Container]:
    """A fresh working container of the image, removed afterwards."""
    made = Container(app_image, deploy_dir / "containers.log")
    try:
        made.prepare()
        yield made
    finally:
        made.remove()


@pytest.fixture
def running(container: Container, image_config: dict[str, Any]) -> Container:
    """The container running the image's CMD, answering /healthz."""
    container.start(image_config["Cmd"])
    return container
