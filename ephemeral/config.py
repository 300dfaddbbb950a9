"""Settings, read once from EPHEMERAL_* environment variables."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from .connect_deadline import CONNECT_DEADLINE
from .connect_limit import CONNECTS_PER_BINDING
from .e2e import MAX_FRAME_BYTES
from .file_fields import CHUNK_FRAME_BYTES
from .hash_gate import HASH_BUDGET, HASH_CONCURRENCY, HASH_QUEUE, HASH_WAIT
from .ratelimit import (
    CREATE_PER_ADDRESS,
    MAX_KEYS,
    MESSAGES_PER_PARTICIPANT,
    REPORTS_PER_ADDRESS,
    WRONG_PASSWORD_PER_ADDRESS,
    WRONG_PASSWORD_PER_ROOM,
    Limit,
)
from .rooms.model import HOST_GRACE
from .slow_clients import CONNECTIONS_PER_ADDRESS, HEADER_TIMEOUT
from .socket_limits import SOCKETS_PER_ADDRESS, SOCKETS_PER_BINDING
from .storm import MAX_PROCESS_COUNT, PROCESS_STORM, PROCESS_STORM_BITS, ROOM_STORM_BITS

ASYNC_MODES = ("gevent", "eventlet")
MAX_FILE_BYTES = 10 * 1024 * 1024
# Redis runs one command at a time, so connections beyond what a process keeps busy at once add no throughput:
# a burst of handlers queues for a free one, for microseconds (`rooms.redis_client.waiting_pool`).
REDIS_CONNECTIONS = 32


class ConfigError(ValueError):
    """A setting has a value the service cannot run with; the message names it."""


# Frames beyond `Settings.frame_bytes` are refused by the transport: a maximal message of astral
# characters JSON-escaped as \\uXXXX\\uXXXX, plus envelope.
FRAME_BYTES_PER_CHAR = 12


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 5000
    room_ttl: int = 3600
    secret_key: bytes = field(default=b"", repr=False)  # never in a repr: a traceback or a debug print
    async_mode: str = "gevent"
    max_rooms: int = 10_000
    max_participants: int = 50
    max_message_chars: int = 4000
    # The largest file a person may send; 0: no files.
    max_file_bytes: int = MAX_FILE_BYTES
    bcrypt_cost: int = 12
    trusted_proxies: int = 0
    ping_interval: int = 10
    ping_timeout: int = 10
    redis_url: str = ""
    redis_allow_persistence: bool = False
    # Connections a process's Redis client opens at most (each of two: the room store's and the fan-out's);
    # a command that finds them all busy waits for one (ephemeral/rooms/redis_client.py).
    redis_connections: int = REDIS_CONNECTIONS
    # Abuse limits: self-hosters behind one NAT, or with a public instance, tune them.
    wrong_password_limit_per_address: Limit = WRONG_PASSWORD_PER_ADDRESS
    wrong_password_limit_per_room: Limit = WRONG_PASSWORD_PER_ROOM
    create_limit_per_address: Limit = CREATE_PER_ADDRESS
    message_limit_per_participant: Limit = MESSAGES_PER_PARTICIPANT
    report_limit_per_address: Limit = REPORTS_PER_ADDRESS
    bcrypt_queue: int = HASH_QUEUE
    # The process's bcrypt work (ephemeral/hash_gate.py): CPU-seconds as `N/S`, hashes at once, longest wait.
    bcrypt_budget: Limit = HASH_BUDGET
    bcrypt_threads: int = HASH_CONCURRENCY
    bcrypt_wait: int = HASH_WAIT
    rate_limit_keys: int = MAX_KEYS
    # Sockets one participant may hold (ephemeral/socket_limits.py).
    max_sockets_per_binding: int = SOCKETS_PER_BINDING
    max_sockets_per_address: int = SOCKETS_PER_ADDRESS
    # How often one binding may connect a socket (ephemeral/connect_limit.py).
    connect_limit_per_binding: Limit = CONNECTS_PER_BINDING
    # Seconds an Engine.IO session may go without a Socket.IO connection (ephemeral/connect_deadline.py).
    connect_deadline: int = CONNECT_DEADLINE
    # The built-in server against slow and greedy clients (ephemeral/slow_clients.py).
    header_timeout: int = HEADER_TIMEOUT
    max_connections_per_address: int = CONNECTIONS_PER_ADDRESS
    # Guessing storms (ephemeral/storm.py): zero bits a join's proof of work needs; 0 never asks.
    proof_difficulty: int = ROOM_STORM_BITS
    proof_difficulty_process: int = PROCESS_STORM_BITS
    storm_limit_per_process: Limit = PROCESS_STORM
    # Seconds a room's present people may go without a present host before the earliest joined becomes one.
    host_grace: int = HOST_GRACE
    # The operator's reports page and API (ephemeral/admin.py); unset, they do not exist.
    admin_token: str = field(default="", repr=False)

    @property
    def frame_bytes(self) -> int:
        """The largest frame a socket takes: a maximal message, a server-blind room's largest envelope, or a piece of
        a file. History from peers is packed by the sharer's page to fit one."""
        return max(self.max_message_chars * FRAME_BYTES_PER_CHAR + 1024, MAX_FRAME_BYTES, CHUNK_FRAME_BYTES)

    def __post_init__(self) -> None:
        if self.redis_url and not self.secret_key:
            # Every process must accept the cookies the others signed.
            raise ConfigError("EPHEMERAL_SECRET_KEY must be set with EPHEMERAL_REDIS_URL: processes share cookies")
        if not self.secret_key:
            # A fresh key per process: a restart invalidates every session.
            object.__setattr__(self, "secret_key", secrets.token_bytes(32))


def _integer(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            value = int(raw.strip())
        except ValueError:
            raise ValueError("must be a whole number") from None
        if not low <= value <= high:
            raise ValueError(f"must be between {low} and {high}")
        return value

    return parse


def _secret_key(raw: str) -> bytes:
    key = raw.encode("utf-8")
    if len(key) < 32:
        raise ValueError("must be at least 32 bytes")
    return key


def _async_mode(raw: str) -> str:
    mode = raw.strip().lower()
    if mode not in ASYNC_MODES:
        raise ValueError(f"must be one of {', '.join(ASYNC_MODES)}")
    return mode


def _host(raw: str) -> str:
    host = raw.strip()
    if not host:
        raise ValueError("must not be empty")
    return host


def _redis_url(raw: str) -> str:
    url = raw.strip()
    if not url.startswith(("redis://", "rediss://", "unix://")):
        # Never echo the value: it may carry a password.
        raise ValueError("must start with redis://, rediss:// or unix://")
    return url


def _limit(raw: str) -> Limit:
    """`N/S`: a burst of N, refilled at N per S seconds (`10/60` is ten, then one every six seconds)."""
    count, slash, seconds = raw.strip().partition("/")
    try:
        burst, period = int(count), float(seconds)
    except ValueError:
        raise ValueError("must be N/S: N attempts per S seconds, as in 10/60") from None
    if not slash or not 1 <= burst <= 1_000_000 or not 0.001 <= period <= 86_400:
        raise ValueError("must be N/S with N from 1 to 1000000 and S from 0.001 to 86400 seconds")
    return Limit(burst=burst, per_second=burst / period)


def _storm_limit(raw: str) -> Limit:
    limit = _limit(raw)
    if limit.burst > MAX_PROCESS_COUNT:
        raise ValueError(f"must be N/S with N at most {MAX_PROCESS_COUNT}")
    return limit


def _admin_token(raw: str) -> str:
    token = raw.strip()
    if len(token) < 32:
        # Never echo the value: it is a secret.
        raise ValueError("must be at least 32 characters (make one with: openssl rand -hex 32)")
    return token


def _flag(raw: str) -> bool:
    value = raw.strip().lower()
    if value not in ("0", "1", "true", "false", "yes", "no"):
        raise ValueError("must be 1 or 0")
    return value in ("1", "true", "yes")


_PARSERS: dict[str, Callable[[str], Any]] = {
    "host": _host,
    "port": _integer(0, 65535),
    "room_ttl": _integer(1, 7 * 24 * 3600),
    "secret_key": _secret_key,
    "async_mode": _async_mode,
    "max_rooms": _integer(1, 10_000_000),
    "max_participants": _integer(2, 10_000),
    "max_message_chars": _integer(1, 100_000),
    "max_file_bytes": _integer(0, 1024 * 1024 * 1024),
    "bcrypt_cost": _integer(4, 31),
    "trusted_proxies": _integer(0, 10),
    "ping_interval": _integer(1, 300),
    "ping_timeout": _integer(1, 300),
    "redis_url": _redis_url,
    "redis_allow_persistence": _flag,
    "redis_connections": _integer(1, 10_000),
    "wrong_password_limit_per_address": _limit,
    "wrong_password_limit_per_room": _limit,
    "create_limit_per_address": _limit,
    "message_limit_per_participant": _limit,
    "report_limit_per_address": _limit,
    "bcrypt_queue": _integer(0, 100_000),
    "bcrypt_budget": _limit,
    "bcrypt_threads": _integer(1, 64),
    "bcrypt_wait": _integer(1, 600),
    "rate_limit_keys": _integer(1_000, 10_000_000),
    "max_sockets_per_binding": _integer(1, 1_000),
    "max_sockets_per_address": _integer(1, 1_000_000),
    "connect_limit_per_binding": _limit,
    "connect_deadline": _integer(1, 300),
    "header_timeout": _integer(1, 300),
    "max_connections_per_address": _integer(1, 1_000_000),
    "proof_difficulty": _integer(0, 30),
    "proof_difficulty_process": _integer(0, 30),
    "storm_limit_per_process": _storm_limit,
    "host_grace": _integer(0, 3600),
    "admin_token": _admin_token,
}


def env_name(field: str) -> str:
    return "EPHEMERAL_" + field.upper()


def from_env(environ: Mapping[str, str]) -> Settings:
    """Parse every EPHEMERAL_* variable; a bad value raises ConfigError naming it."""
    values: dict[str, Any] = {}
    for setting in fields(Settings):
        name = env_name(setting.name)
        raw = environ.get(name)
        if raw is None or raw == "":
            continue
        try:
            values[setting.name] = _PARSERS[setting.name](raw)
        except ValueError as error:
            # Our parsers word every reason themselves and never echo the raw
            # value, which may be a secret.
            raise ConfigError(f"{name} {error}") from None
    return Settings(**values)


def with_overrides(settings: Settings, overrides: Mapping[str, Any]) -> Settings:
    """Apply test overrides given by upper-case field name, e.g. {"ROOM_TTL": 2}."""
    return replace(settings, **{key.lower(): value for key, value in overrides.items()})
