"""What every part of the Redis store shares: the client, the limits, the scripts, and this process's sockets."""

from __future__ import annotations

import secrets
import threading
from pathlib import Path
from typing import Any

import redis

from ..connect_limit import CONNECTS_PER_BINDING, lua_args
from ..errors import Unauthorized
from ..ratelimit import Limit
from . import redis_codec as codec
from .model import ANYONE, GROUP, HOST_GRACE, PresenceChange, RoomState
from .store import Hasher

LUA = Path(__file__).with_name("lua")
# Helpers every script starts with, in this order; not scripts themselves.
SHARED = ("common", "common_messages")


class RedisBase:
    """The state of one process's view of the shared store; `RedisRegistry` is the `RoomStore` built on it."""

    def __init__(
        self,
        client: redis.Redis,
        hasher: Hasher,
        *,
        ttl: float,
        max_rooms: int,
        max_participants: int,
        max_sockets_per_binding: int,
        connect_limit: Limit = CONNECTS_PER_BINDING,
        host_grace: float = HOST_GRACE,
    ):
        self._client, self._hasher = client, hasher
        self._ttl_ms = int(ttl * 1000)
        self._max_rooms = max_rooms
        self._max_participants = max_participants
        self._max_sockets = max_sockets_per_binding
        self._connects = lua_args(connect_limit)
        self._host_grace_ms = int(host_grace * 1000)
        # What a room made before rooms had rules is: this server's limits.
        self._limits = RoomState(GROUP, ANYONE, False, self._ttl_ms // 1000, max_participants)
        self._process = secrets.token_hex(8)
        self._sockets: dict[str, tuple[str, str]] = {}  # sid -> (room id, token hash); never the token
        self._lock = threading.Lock()  # guards _sockets; never held across Redis calls
        self._next_beat = 0.0
        self._left = False
        self._departures: list[tuple[str, str]] = []  # (room id, sid) left while Redis was away
        self._pending: list[PresenceChange] = []  # found outside upkeep(), announced by it
        common = "\n".join((LUA / f"{name}.lua").read_text(encoding="utf-8") for name in SHARED)
        self._scripts = {
            path.stem: client.register_script(_with_common(common, path.read_text(encoding="utf-8")))
            for path in LUA.glob("*.lua")
            if path.stem not in SHARED
        }

    def _run(self, name: str, *args: str | int) -> Any:
        return self._scripts[name](args=list(args))

    def _entry(self, sid: str) -> tuple[str, str]:
        """The room id and token hash behind one of this process's sockets; `Unauthorized` for another."""
        entry = self._sockets.get(sid)
        if entry is None:
            raise Unauthorized()
        return entry

    def _state(self, raw: list[str | None]) -> RoomState:
        return codec.state(raw, self._limits)

    def _forget_sids(self, sids: list[str]) -> None:
        with self._lock:
            for sid in sids:
                self._sockets.pop(sid, None)

    def _forget_room(self, room_id: str) -> None:
        with self._lock:
            for sid in [sid for sid, entry in self._sockets.items() if entry[0] == room_id]:
                del self._sockets[sid]


def _with_common(common: str, source: str) -> str:
    """The script with the shared functions before it; a shebang (`#!lua flags=...`) must stay its first line."""
    if source.startswith("#!"):
        shebang, _, body = source.partition("\n")
        return f"{shebang}\n{common}\n{body}"
    return f"{common}\n{source}"
