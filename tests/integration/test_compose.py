"""compose.redis.yaml keeps Redis private and behind a password, and the guide shows it as it is.

No container engine runs here, so the file is read as `docker compose config`
reads it (its `${…}` values filled in from a `.env`), and its password is tried
on a real redis-server started with the file's own options.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from ephemeral.config import ConfigError
from ephemeral.rooms.redis_client import connect
from tests.support.guide import fenced_block
from tests.support.redis import NO_PERSISTENCE, running_redis
from tests.support.server import ROOT

COMPOSE_REDIS = ROOT / "compose.redis.yaml"
APPS = ("app1", "app2", "app3")
# `${NAME}`, `${NAME:?message}`, `${NAME:-default}`: what compose fills in from .env.
VARIABLE = re.compile(r"\$\{(\w+)(?::?[-?+][^}]*)?\}")


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """`value` with every `${…}` replaced from `env`, as compose does; a name `env` lacks fails the test."""
    if isinstance(value, str):
        return VARIABLE.sub(lambda match: env[match.group(1)], value)
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    return value


@pytest.fixture
def dot_env() -> dict[str, str]:
    """What the file's header tells an operator to write to .env."""
    return {"EPHEMERAL_SECRET_KEY": secrets.token_urlsafe(48), "REDIS_PASSWORD": secrets.token_hex(32)}


@pytest.fixture
def compose(dot_env: dict[str, str]) -> dict[str, Any]:
    loaded: dict[str, Any] = interpolate(yaml.safe_load(COMPOSE_REDIS.read_text(encoding="utf-8")), dot_env)
    return loaded


def test_the_guide_shows_the_file_as_it_is() -> None:
    assert fenced_block("compose-redis", "yaml") == COMPOSE_REDIS.read_text(encoding="utf-8")


def test_redis_publishes_nothing_and_sits_on_an_internal_network_only(compose: dict[str, Any]) -> None:
    services = compose["services"]
    redis_service = services["redis"]
    assert "ports" not in redis_service
    assert "network_mode" not in redis_service
    assert redis_service["networks"] == ["store"]
    assert compose["networks"]["store"]["internal"] is True
    for name in APPS:
        # The apps reach Redis on that network, and publish on the host's loopback only.
        assert "store" in services[name]["networks"]
        assert all(port.startswith("127.0.0.1:") for port in services[name]["ports"])


def test_redis_persists_nothing_and_needs_the_password_in_every_apps_url(
    compose: dict[str, Any], dot_env: dict[str, str]
) -> None:
    command = compose["services"]["redis"]["command"]
    assert any(tuple(command[i : i + 4]) == NO_PERSISTENCE for i in range(len(command))), command
    password = command[command.index("--requirepass") + 1]
    assert password == dot_env["REDIS_PASSWORD"]
    for name in APPS:
        url = urlsplit(compose["services"][name]["environment"]["EPHEMERAL_REDIS_URL"])
        assert (url.hostname, url.port, url.password) == ("redis", 6379, password)


def test_the_apps_url_opens_that_redis_and_nothing_else_does(
    compose: dict[str, Any], dot_env: dict[str, str], tmp_path: Path
) -> None:
    command: list[str] = compose["services"]["redis"]["command"]
    at = command.index("--requirepass")
    # The file's options, the password set once it runs: the readiness check speaks without one.
    with running_redis(tmp_path, *command[1:at], *command[at + 2 :]) as server:
        with server.client() as client:
            client.config_set("requirepass", command[at + 1])
        documented = urlsplit(compose["services"]["app1"]["environment"]["EPHEMERAL_REDIS_URL"])
        here = documented._replace(netloc=f":{documented.password}@127.0.0.1:{server.port}").geturl()
        # What the app does at start: reach Redis and check that it persists nothing.
        with connect(here, allow_persistence=False) as client:
            assert client.ping()
        wrong = documented._replace(netloc=f":{secrets.token_hex(32)}@127.0.0.1:{server.port}").geturl()
        for refused in (server.url, wrong):
            with pytest.raises(ConfigError, match="EPHEMERAL_REDIS_URL"):
                connect(refused, allow_persistence=False)
