"""Reaching the shared store: authenticated, never persisting rooms to disk, an outage a 503."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import redis

from ..config import REDIS_CONNECTIONS, ConfigError
from ..errors import Unavailable

T = TypeVar("T")


class PersistenceRefused(ConfigError):
    """The Redis server writes to disk; rooms must never outlive its memory."""


# Longest a command waits for a free connection; past it the store counts as out of reach (`unavailable`).
POOL_WAIT_SECONDS = 5.0
# Longest a reply (or a new connection) is waited for, on every connection to Redis that sends commands.
REPLY_TIMEOUT_SECONDS = 10
# A connection idle this long is checked with a PING before use. One a NAT or firewall forgot fails its caller
# after REPLY_TIMEOUT_SECONDS instead of hanging it, and is then replaced.
HEALTH_CHECK_SECONDS = 30


def waiting_pool(url: str, connections: int, **options: Any) -> redis.ConnectionPool:
    """At most `connections` connections to `url` for sending commands; a command that finds them all busy waits
    for one, and a reply is waited for at most REPLY_TIMEOUT_SECONDS.

    redis-py's default pool fails at once with "Too many connections" when every
    connection is taken: under gevent or eventlet each handler waiting on Redis
    holds one, so a burst of messages on a healthy Redis was answered `unavailable`.
    The timeouts are given here, not left to redis-py's defaults, which have changed between versions.
    """
    return redis.BlockingConnectionPool.from_url(
        url,
        max_connections=connections,
        timeout=POOL_WAIT_SECONDS,
        socket_timeout=REPLY_TIMEOUT_SECONDS,
        health_check_interval=HEALTH_CHECK_SECONDS,
        **options,
    )


def connect(url: str, *, allow_persistence: bool, connections: int = REDIS_CONNECTIONS) -> redis.Redis:
    """A client for the shared store; refuses one that persists unless told it may."""
    pool = waiting_pool(url, connections, decode_responses=True)
    client = redis.Redis(connection_pool=pool)
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


# Redis answers that mean "not now" rather than "wrong request": out of memory under
# `noeviction`, a replica after a failover, a cluster resharding or down.
_NOT_NOW = (
    redis.ConnectionError,  # BusyLoadingError (LOADING) and MaxConnectionsError among them
    redis.TimeoutError,
    redis.exceptions.OutOfMemoryError,
    redis.exceptions.ReadOnlyError,
    redis.exceptions.TryAgainError,
    redis.exceptions.ClusterDownError,  # MasterDownError among them
)
# The same, as an error code at the start of a reply redis-py has no class for:
# a script running past its time limit, a failed snapshot refusing writes.
_NOT_NOW_CODES = ("BUSY ", "MISCONF ", "OOM ", "READONLY ", "LOADING ", "MASTERDOWN ", "TRYAGAIN ", "CLUSTERDOWN ")


def store_cannot_take_it_now(error: redis.RedisError) -> bool:
    """Whether `error` says the store is out of reach or full for the moment (a retry may succeed)."""
    if isinstance(error, _NOT_NOW):
        return True
    return isinstance(error, redis.ResponseError) and str(error).startswith(_NOT_NOW_CODES)


@contextmanager
def reachable() -> Iterator[None]:
    """A Redis outage, or a Redis that is full, is a temporary failure (503 / `unavailable`), not a crash."""
    try:
        yield
    except redis.RedisError as error:
        if store_cannot_take_it_now(error):
            raise Unavailable() from None
        raise


def reachable_call(method: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        with reachable():
            return method(*args, **kwargs)

    return wrapper
