"""Debian's nginx in front of the real server: a site's text, run as one foreground process on loopback ports."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.guide import fenced_block
from tests.support.people import Person
from tests.support.server import RunningServer, free_port, running_server, stop_process

START_TIMEOUT = 10.0

# What Debian's /etc/nginx/nginx.conf puts around every site, with its paths in
# the test's directory. Its `access_log` and `gzip on` stay, so a site has to
# turn them off itself, as it must on a real Debian host. One process
# (`master_process off`): nothing to orphan, nothing switching to another user
# that could not read the temporary directory.
MAIN_CONF = """\
master_process off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/main.error.log;

events {{
    worker_connections 1024;
}}

http {{
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {dir}/main.access.log;
    gzip on;

    include {dir}/site.conf;
}}
"""


def nginx_path() -> str | None:
    # Debian puts it in /usr/sbin, which a user's PATH may lack.
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")


def require(tool: str, path: str | None) -> str:
    """`path`, or skip the test; under CI a missing tool fails instead."""
    if path is not None:
        return path
    reason = f"{tool} is not installed (Debian: apt-get install {tool})"
    if "CI" in os.environ:
        pytest.fail(f"{reason}; the reverse-proxy tests must run in CI", pytrace=False)
    pytest.skip(reason)


def site_from_docs(marker: str = "nginx-site") -> str:
    """The nginx block right after `<!-- marker -->` in the deployment guide."""
    return fenced_block(marker, "nginx")


SITE_ERROR_LOG = "site.error.log"


# The site's name in tests: a name, not an address, since clients send a name (SNI) only for names,
# and the catch-all server refuses every TLS handshake without one it knows.
SITE_NAME = "localhost"


def substitutions(ports: list[int], upstream: str, tls: Path, logs: Path) -> dict[str, str]:
    """What only exists on a real host: its name, ports, the app's address, certificate paths, the log path."""
    http_port, https_port = ports
    return {
        "server_name chat.example.org;": f"server_name {SITE_NAME};",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl;": f"listen 127.0.0.1:{https_port} ssl;",
        "listen 80 default_server;": f"listen 127.0.0.1:{http_port} default_server;",
        "listen 443 ssl default_server;": f"listen 127.0.0.1:{https_port} ssl default_server;",
        "proxy_pass http://127.0.0.1:8000;": f"proxy_pass http://{upstream};",
        "/etc/letsencrypt/live/chat.example.org/fullchain.pem": str(tls / "cert.pem"),
        "/etc/letsencrypt/live/chat.example.org/privkey.pem": str(tls / "key.pem"),
        "/var/log/nginx/ephemeral.error.log": str(logs / SITE_ERROR_LOG),
    }


def self_signed_certificate(directory: Path) -> Path:
    """cert.pem and key.pem for the site's name and 127.0.0.1 in `directory`, which is returned."""
    openssl = require("openssl", shutil.which("openssl"))
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
         "-subj", f"/CN={SITE_NAME}", "-addext", f"subjectAltName=DNS:{SITE_NAME},IP:127.0.0.1",
         "-keyout", str(directory / "key.pem"), "-out", str(directory / "cert.pem")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return directory


def substitute(text: str, replacements: Mapping[str, str]) -> str:
    """Replace each exact string; each must be there, so a changed guide fails loudly instead of going untested."""
    for old, new in replacements.items():
        assert old in text, f"the site no longer contains {old!r}"
        text = text.replace(old, new)
    return text


@dataclass
class RunningNginx:
    process: subprocess.Popen[bytes]
    directory: Path
    ports: list[int]

    def log(self, name: str) -> str:
        """A log file in nginx's directory ('' if nginx never wrote it)."""
        path = self.directory / name
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """SIGTERM is nginx's fast shutdown."""
        stop_process(self.process)


def _listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        return True
    return False


def _wait_listening(nginx: RunningNginx) -> bool:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if nginx.process.poll() is not None:
            return False
        if all(_listening(port) for port in nginx.ports):
            return True
        time.sleep(0.05)  # polling for readiness, not synchronising a test
    return False


def start_nginx(directory: Path, site: Callable[[list[int]], str], port_count: int = 1) -> RunningNginx:
    """Run nginx in the foreground with `site(ports)` as its only site; retries with new ports if one was taken."""
    binary = require("nginx", nginx_path())
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "main.conf").write_text(MAIN_CONF.format(dir=directory), encoding="utf-8")
    for _attempt in range(3):
        ports = [free_port() for _ in range(port_count)]
        (directory / "site.conf").write_text(site(ports), encoding="utf-8")
        with (directory / "stderr.log").open("wb") as sink:
            process = subprocess.Popen(
                # -e: nginx opens its compiled-in error log before reading the configuration.
                [binary, "-p", str(directory), "-c", "main.conf", "-e", "startup.error.log", "-g", "daemon off;"],
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        nginx = RunningNginx(process, directory, ports)
        if _wait_listening(nginx):
            return nginx
        nginx.stop()
        if "Address already in use" not in nginx.log("startup.error.log") + nginx.log("main.error.log"):
            break
    logs = (nginx.log(name) for name in ("stderr.log", "startup.error.log", "main.error.log"))
    raise RuntimeError("nginx did not start:\n" + "".join(logs))


@contextlib.contextmanager
def running_nginx(directory: Path, site: Callable[[list[int]], str], port_count: int = 1) -> Iterator[RunningNginx]:
    nginx = start_nginx(directory, site, port_count)
    try:
        yield nginx
    finally:
        nginx.stop()


@dataclass
class Stack:
    """The app behind the guide's nginx site."""

    app: RunningServer
    nginx: RunningNginx
    cert: Path

    @property
    def url(self) -> str:
        return f"https://{SITE_NAME}:{self.nginx.ports[1]}"

    @property
    def plain_url(self) -> str:
        return f"http://{SITE_NAME}:{self.nginx.ports[0]}"

    def person(self, **kwargs: Any) -> Person:
        """Someone reaching the app through nginx, from their own loopback address."""
        person = Person(self.url, **kwargs)
        # Trust this certificate only; REQUESTS_CA_BUNDLE in the environment would otherwise win.
        person.http.trust_env = False
        person.http.verify = str(self.cert)
        return person


@contextlib.contextmanager
def stack(
    directory: Path, tls: Path, trusted_proxies: str, changes: Mapping[str, str] | None = None
) -> Iterator[Stack]:
    """The real server behind the guide's site, changed only by `substitutions` (and `changes`, each one checked)."""
    site = substitute(site_from_docs(), changes or {})
    with running_server(directory, env={"EPHEMERAL_TRUSTED_PROXIES": trusted_proxies}) as app:
        logs = directory / "nginx"

        def render(ports: list[int]) -> str:
            return substitute(site, substitutions(ports, f"127.0.0.1:{app.port}", tls, logs))

        with running_nginx(logs, render, port_count=2) as nginx:
            yield Stack(app, nginx, tls / "cert.pem")
