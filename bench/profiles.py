"""How big each run is: `full` (make bench), `quick` (make bench-quick, < 60 s), `tiny` (the smoke test)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Each sender stays this far under Ephemeral's 5 messages/s per participant, at
# the top of the ladder: a refused message would fail a step for a limit, not
# for want of capacity, and the floor has no limit.
PER_SENDER = 4.5
P99_LIMIT_MS = 100.0


@dataclass(frozen=True)
class Profile:
    name: str
    repetitions: int
    receivers: tuple[int, ...]
    fanout: dict[str, Any]
    rooms: dict[str, Any]
    connections: dict[str, Any]
    storm: dict[str, Any]
    payloads: dict[str, Any]
    sanitizer_repeat: int
    profile: dict[str, Any] | None
    # Several processes on one Redis: the fan-out at `receivers` against one
    # process in memory and against each number of `processes`; `fanout` overrides.
    scale: dict[str, Any] | None = None
    # The ceiling is a reference, not a target: fan-out against it only at these N.
    ceiling_receivers: tuple[int, ...] = ()
    # Server CPU per message in server-blind rooms against standard ones (bench/blind.py).
    blind: dict[str, Any] | None = None
    # Server CPU per reply, reaction and edit against a plain message, Ephemeral only (bench/actions.py).
    actions: dict[str, Any] | None = None
    # File throughput, a chat beside a transfer and a reader that stops, Ephemeral only (bench/files.py).
    files: dict[str, Any] | None = None
    # Small rooms at a steady rate: server CPU per incoming message against the Node peer (bench/rooms.py).
    small_rooms: dict[str, Any] | None = None
    # Small rooms over several processes on one Redis, each room's sockets on one process (`rooms` a multiple
    # of `processes`), and one more process holding none: against the same rooms on one process in memory.
    scale_rooms: dict[str, Any] | None = None
    # Without its node_modules the Node peer is left out, except where this says it must run.
    node_required: bool = False
    kinds: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {
            "fanout": ("ephemeral", "floor", "ceiling"),
            "rooms": ("ephemeral", "floor", "ceiling"),
            "connections": ("ephemeral", "floor", "ceiling"),
            "payloads": ("ephemeral", "floor"),
            "small_rooms": ("ephemeral", "floor", "node", "ceiling"),
        }
    )


FULL = Profile(
    name="full",
    repetitions=3,
    receivers=(10, 50, 200),
    fanout={
        "ladder": [
            *(1000, 2000, 3000, 4500, 6500, 9000, 13000, 18000, 25000, 35000),
            *(50000, 70000, 95000, 130000, 180000),
        ],
        "fixed_loads": [1000],
        "fixed_seconds": 6.0,
        # N of the latency target; other N measure the fixed load more briefly.
        "target_receivers": 50,
        "fixed_seconds_other": 2.0,
        "step_seconds": 1.2,
        "drain_seconds": 2.0,
        "pause_seconds": 0.3,
        "refine": 2,
        "refine_other": 1,
        "p99_limit_ms": P99_LIMIT_MS,
    },
    rooms={"rooms": 100, "clients_per_room": 5, "per_client_per_s": 1.0, "seconds": 6.0, "drain_seconds": 2.0},
    connections={"sockets": 5000, "per_room": 50, "idle_seconds": 11.0, "concurrency": 64},
    storm={
        # The other room at a light load and at a heavy one; 45 senders keep 10,000
        # deliveries/s in a room of 50 under the 5 messages/s each may send.
        "loads": [
            {"receivers": 40, "senders": 10, "deliveries_per_s": 1000},
            {"receivers": 5, "senders": 45, "deliveries_per_s": 10000},
        ],
        "joins_per_s": 20,
        "seconds": 6.0,
        "drain_seconds": 2.0,
        "bcrypt_cost": 12,
    },
    payloads={"rooms": 25, "per_client_per_s": 2.0, "seconds": 3.0, "drain_seconds": 2.0},
    sanitizer_repeat=300,
    profile={"receivers": 50, "deliveries_per_s": 5000, "seconds": 8.0, "rate_hz": 250},
    kinds={
        "fanout": ("ephemeral", "floor", "node", "ceiling"),
        "rooms": ("ephemeral", "floor", "node"),
        "connections": ("ephemeral", "floor", "node", "ceiling"),
        "payloads": ("ephemeral", "floor", "node"),
        "small_rooms": ("ephemeral", "floor", "node", "ceiling"),
    },
    # 2,000 messages/s, 10,000 deliveries/s; each client at 4 of its 5 messages a second.
    small_rooms={"rooms": 100, "clients_per_room": 5, "per_client_per_s": 4.0, "seconds": 6.0, "drain_seconds": 2.0},
    # 500 messages/s in: what one process carries with room to spare, so the figures are costs, not queues.
    scale_rooms={
        "rooms": 100,
        "clients_per_room": 5,
        "per_client_per_s": 1.0,
        "seconds": 6.0,
        "drain_seconds": 2.0,
        "processes": 4,
        # Then up to 2,000 messages/s, each client under its limit of 5 a second, to each layout's saturation.
        "ladder": [1.25, 1.5, 2.0, 2.5, 3.0, 4.0],
        "p99_limit_ms": P99_LIMIT_MS,
        "pause_seconds": 0.5,
    },
    node_required=True,
    scale={
        "receivers": 50,
        "processes": [1, 2, 3],
        # CPU per message is read at the higher fixed load, where it dwarfs idle costs.
        "fanout": {
            "fixed_loads": [1000, 10000],
            "fixed_seconds": 4.0,
            # Several processes may go past one process's saturation.
            "ladder": [1000, 2000, 4500, 9000, 18000, 35000, 50000, 70000, 95000, 130000, 180000],
            "refine": 2,
        },
    },
    ceiling_receivers=(50,),
    # 100 messages/s, as the payloads scenario: a standard room's 2 KB of Markdown costs about a millisecond.
    blind={"rooms": 25, "per_client_per_s": 2.0, "seconds": 4.0, "rounds": 2, "drain_seconds": 2.0},
    # 150 events/s, each client at 3 of its 5 a second.
    actions={"rooms": 25, "per_client_per_s": 3.0, "seconds": 3.0, "rounds": 3, "drain_seconds": 2.0},
    # 10 MiB (the largest file Ephemeral takes); 5 chat rooms of 2 at 4 messages/s each, under the limit of 5.
    files={
        "file_bytes": 10 * 2**20,
        "readers": [1, 3],
        "rounds": 5,
        "chat_rooms": 5,
        "chat_per_client_per_s": 4.0,
        "chat_seconds": 4.0,
        "slow_readers": 2,
        "slow_file_bytes": 10 * 2**20,
    },
)

QUICK = Profile(
    name="quick",
    repetitions=1,
    receivers=(50,),
    fanout={
        "ladder": [1000, 5000, 12000, 25000],
        "fixed_loads": [1000],
        "fixed_seconds": 2.0,
        "step_seconds": 1.0,
        "drain_seconds": 1.0,
        "pause_seconds": 0.2,
        "refine": 0,
        "stall_tries": 1,
        "p99_limit_ms": P99_LIMIT_MS,
    },
    rooms={"rooms": 20, "clients_per_room": 5, "per_client_per_s": 1.0, "seconds": 2.0, "drain_seconds": 1.0},
    connections={"sockets": 300, "per_room": 50, "idle_seconds": 1.0, "concurrency": 64},
    storm={
        "loads": [{"receivers": 20, "senders": 5, "deliveries_per_s": 500}],
        "joins_per_s": 20,
        "seconds": 1.0,
        "drain_seconds": 1.0,
        "bcrypt_cost": 4,
    },
    payloads={"rooms": 10, "per_client_per_s": 2.0, "seconds": 1.0, "drain_seconds": 1.0, "pause_seconds": 0.2},
    sanitizer_repeat=50,
    profile=None,
    blind={"rooms": 10, "per_client_per_s": 2.0, "seconds": 1.5, "rounds": 1, "drain_seconds": 1.0},
    actions={
        "rooms": 25,
        "per_client_per_s": 3.0,
        "seconds": 1.5,
        "rounds": 3,
        "drain_seconds": 1.0,
        "pause_seconds": 0.3,
    },
    # A reader that stops needs a file larger than what the kernel buffers for it: 10 MiB here too.
    files={
        "file_bytes": 4 * 2**20,
        "readers": [1, 3],
        "rounds": 3,
        "chat_rooms": 5,
        "chat_per_client_per_s": 4.0,
        "chat_seconds": 2.0,
        "slow_readers": 2,
        "slow_file_bytes": 10 * 2**20,
    },
    small_rooms={"rooms": 20, "clients_per_room": 5, "per_client_per_s": 4.0, "seconds": 2.0, "drain_seconds": 1.0},
    scale_rooms={
        "rooms": 20,
        "clients_per_room": 5,
        "per_client_per_s": 1.0,
        "seconds": 2.0,
        "drain_seconds": 1.0,
        "processes": 4,
        "ladder": [2.0, 4.0],
        "p99_limit_ms": P99_LIMIT_MS,
        "pause_seconds": 0.2,
    },
    kinds={
        "fanout": ("ephemeral", "floor"),
        "rooms": ("ephemeral", "floor"),
        "connections": ("ephemeral", "floor"),
        "payloads": ("ephemeral", "floor"),
        # The one scenario with the Node peer and the ceiling in a quick run: a few seconds each.
        "small_rooms": ("ephemeral", "floor", "node", "ceiling"),
    },
)

TINY = Profile(
    name="tiny",
    repetitions=1,
    receivers=(5,),
    fanout={
        "ladder": [200],
        "fixed_loads": [200],
        "fixed_seconds": 0.5,
        "step_seconds": 0.5,
        "drain_seconds": 1.0,
        "pause_seconds": 0.1,
        "refine": 0,
        "stall_tries": 1,
        "p99_limit_ms": P99_LIMIT_MS,
        "settle_seconds": 0.1,
    },
    rooms={"rooms": 3, "clients_per_room": 3, "per_client_per_s": 2.0, "seconds": 0.5, "drain_seconds": 1.0},
    connections={"sockets": 50, "per_room": 10, "idle_seconds": 0.5, "concurrency": 16},
    storm={
        "loads": [{"receivers": 3, "senders": 2, "deliveries_per_s": 50}],
        "joins_per_s": 20,
        "seconds": 0.5,
        "drain_seconds": 1.0,
        "bcrypt_cost": 4,
    },
    payloads={"rooms": 2, "per_client_per_s": 2.0, "seconds": 0.5, "drain_seconds": 1.0, "pause_seconds": 0.1},
    sanitizer_repeat=5,
    scale={"receivers": 5, "processes": [1, 2], "fanout": {}},
    profile=None,
    blind={
        "rooms": 2,
        "per_client_per_s": 2.0,
        "seconds": 0.5,
        "rounds": 1,
        "drain_seconds": 1.0,
        "pause_seconds": 0.1,
        "bodies": ["plain_100"],
    },
    # No wait for a quiet machine: the smoke run only checks that every step is measured.
    actions={
        "rooms": 2,
        "per_client_per_s": 2.0,
        "seconds": 0.5,
        "rounds": 1,
        "drain_seconds": 1.0,
        "pause_seconds": 0.1,
        "wait_for_quiet": False,
    },
    # Seven pieces, the last one short; the one that stops is not dropped from a file this small.
    files={
        "file_bytes": 200_000,
        "readers": [1, 3],
        "rounds": 1,
        "chat_rooms": 1,
        "chat_per_client_per_s": 4.0,
        "chat_seconds": 0.3,
        "slow_readers": 2,
        "slow_file_bytes": 200_000,
        "pause_seconds": 0.1,
        "wait_for_quiet": False,
    },
    small_rooms={"rooms": 2, "clients_per_room": 3, "per_client_per_s": 4.0, "seconds": 0.5, "drain_seconds": 1.0},
    scale_rooms={
        "rooms": 2,
        "clients_per_room": 2,
        "per_client_per_s": 2.0,
        "seconds": 0.5,
        "drain_seconds": 1.0,
        "processes": 2,
        "ladder": [4.0],
        # The smoke test checks the climb, not the figures: a step fails only by losing a message.
        "p99_limit_ms": 10_000.0,
        "pause_seconds": 0.1,
    },
    kinds={
        "fanout": ("ephemeral", "floor", "ceiling"),
        "rooms": ("ephemeral", "floor"),
        "connections": ("ephemeral", "floor"),
        "payloads": ("ephemeral", "floor"),
        "small_rooms": ("ephemeral", "floor", "node", "ceiling"),
    },
)

PROFILES = {p.name: p for p in (FULL, QUICK, TINY)}
