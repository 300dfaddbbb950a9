"""Reaching the shared store: authenticated, never persisting rooms to disk, an outage a 503."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import redis

from ..config import ConfigError
from ..errors import Unavailable

T = TypeVar("T")


class PersistenceRefused(ConfigError):
    """The Redis server writes to disk; rooms must never outlive its memory."""


def connect(url: str, *, allow_persistence: bool) -> redis.Redis:
    """A client for the shared store; refuses one that persists unless told it may."""
    client = redis.Redis.from_url(url, decode_responses=True, socket_timeout=10, health_check_interval=30)
    try:
        client.ping()
        if not allow_persistence:
            check_no_persistence(client)
    except (redis.ConnectionError, redis.TimeoutError):
        # The URL may hold a password: never in the message.
        raise ConfigError("cannot reach the Redis server named by EPHEMERAL_REDIS_URL") from None
    except redis.AuthenticationError:
        raise ConfigError("the Redis server refused the credentials in EPHEMERAL_REDIS_URL") from None
    return client


def check_no_persistence(client: redis.Redis) -> None:
    """Refuse a Redis that saves snapshots or keeps an append-only file."""
    try:
        save = str(client.config_get("save").get("save") or "")
        appendonly = str(client.config_get("appendonly").get("appendonly") or "no")
    except redis.ResponseError:
        raise PersistenceRefused(
            "Redis refused CONFIG GET, so its persistence settings cannot be checked; "
            "set EPHEMERAL_REDIS_ALLOW_PERSISTENCE=1 once you have checked save and appendonly yourself"
        ) from None
    if save.strip() or appendonly == "yes":
        raise PersistenceRefused(
            "Redis persists to disk (save or appendonly is on), so rooms could outlive their hour; "
            'run it with --save "" --appendonly no, or set EPHEMERAL_REDIS_ALLOW_PERSISTENCE=1 deliberately'
        )


@contextmanager
def reachable() -> Iterator[None]:
    """A Redis outage is a temporary failure (503 / `unavailable`), not a crash."""
    try:
        yield
    except (redis.ConnectionError, redis.TimeoutError):
        raise Unavailable() from None


def reachable_call(method: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        with reachable():
            return method(*args, **kwargs)

    return wrapper
