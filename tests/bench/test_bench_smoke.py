"""The benchmark suite still works: its tiny configuration against real processes.

Not a timed test: nothing here looks at a latency or a rate, only at whether the
suite ran every scenario and wrote the table and the JSON it promises.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.procs import node_peer_missing
from tests.support.redis import redis_server_binary

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = {
    "fanout",
    "rooms",
    "small_rooms",
    "connections",
    "storm",
    "payloads",
    "blind",
    "actions",
    "files",
    "scale",
    "scale_rooms",
    "sanitizer",
    "profile",
}
SECTIONS = (
    "## Targets",
    "## Fan-out",
    "## Many rooms",
    "## Small rooms",
    "## Idle connections",
    "## Join storm",
    "## Server CPU per message by body",
    "## Server-blind rooms: server CPU per message",
    "## Message actions: server CPU per event",
    "## Files through one process",
    "## Several processes on one Redis",
    "## Several processes on one Redis: 2 rooms x 2, each room on one process",
    "## Sanitizer",
)


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    redis_server_binary()  # the scale scenario starts one: skipped without it, failed under CI
    out = tmp_path_factory.mktemp("bench")
    _bench("--profile", "tiny", "--out", str(out), timeout=240)
    return out


def _bench(*arguments: str, timeout: float = 60) -> None:
    """`python -m bench` with `arguments`, which must succeed."""
    completed = subprocess.run(
        [sys.executable, "-m", "bench", *arguments], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]


def test_writes_json_with_every_scenario(tiny_run: Path) -> None:
    data = json.loads((tiny_run / "latest.json").read_text())
    assert {"meta", "params", "summary", "raw", "targets"} <= data.keys()
    assert set(data["summary"]) == SCENARIOS
    assert {"date", "machine", "load_start", "python", "packages", "repetitions"} <= data["meta"].keys()


def test_compares_ephemeral_with_both_baselines(tiny_run: Path) -> None:
    summary = json.loads((tiny_run / "latest.json").read_text())["summary"]
    fanout = summary["fanout"]["5"]
    assert {"ephemeral", "floor", "ceiling", "ratios"} <= fanout.keys()
    assert {"saturation_per_s", "fixed_p99_ms", "loadgen_cpu_at_saturation"} <= fanout["ephemeral"].keys()
    assert {"saturation", "fixed_p99"} <= fanout["ratios"].keys()
    assert {"ephemeral", "floor", "ratios"} <= summary["rooms"].keys()
    assert {"rss_per_socket", "connects_per_s"} <= summary["connections"]["ratios"].keys()
    [storm] = summary["storm"]["loads"].values()  # the tiny profile has one load of the other room
    assert {"calm_p99_ms", "storm_p99_ms", "ratio", "join_statuses"} <= storm.keys()
    assert set(summary["payloads"]["ephemeral"]) == {"plain_100", "formatted_2k", "hostile_4k"}
    assert {"plain_100", "formatted_2k", "hostile_4k", "hostile_variants"} <= summary["sanitizer"].keys()


def test_small_rooms_are_measured_against_every_peer(tiny_run: Path) -> None:
    small = json.loads((tiny_run / "latest.json").read_text())["summary"]["small_rooms"]
    # The Node peer runs where `make bench` installed it; without node_modules it is left out.
    kinds = ["ephemeral", "floor", "ceiling"] + ([] if node_peer_missing() else ["node"])
    assert set(kinds) <= small.keys()
    for kind in kinds:  # every message reached every socket of its room, and its CPU was read
        block = small[kind]
        assert block["lost"] == block["refused"] == 0 and block["delivered"] == block["expected"] > 0, kind
        assert block["server_cpu_us_per_message"] > 0, kind
    rows = [
        row for row in json.loads((tiny_run / "latest.json").read_text())["targets"] if "small rooms" in row["target"]
    ]
    assert len(rows) == 1 and "node socket.io" in rows[0]["goal"]


def test_every_idle_socket_connected(tiny_run: Path) -> None:
    connections = json.loads((tiny_run / "latest.json").read_text())["summary"]["connections"]
    for kind in ("ephemeral", "floor"):
        assert connections[kind]["sockets_min"] == connections[kind]["sockets_wanted"]


def test_storm_joins_were_refused(tiny_run: Path) -> None:
    [storm] = json.loads((tiny_run / "latest.json").read_text())["summary"]["storm"]["loads"].values()
    statuses = storm["join_statuses"]
    assert statuses
    assert set(statuses) <= {"403", "429"}


def test_several_processes_on_one_redis_carry_the_fan_out(tiny_run: Path) -> None:
    data = json.loads((tiny_run / "latest.json").read_text())
    layouts = data["summary"]["scale"]["layouts"]
    assert set(layouts) == {"memory-1", "redis-1", "redis-2"}
    for name, block in layouts.items():
        assert block["saturation_per_s"] > 0, name  # the one ladder step passed: nothing lost
    two = data["raw"]["scale"]["redis-2"][0]
    assert two["steps"] and all(step["lost"] == 0 for step in two["steps"])
    # The room really was spread: each process took some of its sockets.
    assert len(two["sockets_added_by_process"]) == 2
    assert all(added > 0 for added in two["sockets_added_by_process"])
    assert {"store_us_per_message", "process_us_per_message"} <= data["summary"]["scale"]["redis_cost"].keys()


def test_small_rooms_over_several_processes_measure_what_an_idle_process_spends(tiny_run: Path) -> None:
    layouts = json.loads((tiny_run / "latest.json").read_text())["summary"]["scale_rooms"]["layouts"]
    assert set(layouts) == {"memory-1", "redis-2"}
    for name, block in layouts.items():  # every message reached every socket of its room
        assert block["lost"] == block["refused"] == 0 and block["delivered"] == block["expected"] > 0, name
    assert layouts["redis-2"]["idle_process_cpu_us_per_message"] is not None
    assert layouts["redis-2"]["store_cpu_us_per_message"] is not None
    assert layouts["memory-1"]["idle_process_cpu_us_per_message"] is None


def test_small_rooms_over_several_processes_climb_a_ladder_of_rates(tiny_run: Path) -> None:
    data = json.loads((tiny_run / "latest.json").read_text())
    for name, runs in data["raw"]["scale_rooms"].items():
        (step,) = runs[0]["ladder_steps"]  # the tiny ladder's one rate: 4 clients at 4 a second
        assert step["messages_per_s"] == 16.0 and step["delivered"] == step["expected"] > 0, name
        assert "saturation_messages_per_s" in data["summary"]["scale_rooms"]["layouts"][name]
    assert "| saturation, messages/s |" in (tiny_run / "latest.md").read_text()


def test_server_blind_rooms_are_measured_against_standard_ones(tiny_run: Path) -> None:
    data = json.loads((tiny_run / "latest.json").read_text())
    body = data["summary"]["blind"]["bodies"]["plain_100"]
    for kind in ("standard", "e2e"):  # every envelope was taken, relayed, and opened by the other member
        assert body[kind]["lost"] == 0 and body[kind]["refused"] == 0, kind
        assert body[kind]["server_cpu_us_per_message"] > 0, kind
    assert [row["target"] for row in data["targets"] if "server-blind" in row["target"]] == [
        "server CPU per message, server-blind room against standard, plain_100"
    ]


def test_replies_and_reactions_are_measured_against_plain_messages(tiny_run: Path) -> None:
    data = json.loads((tiny_run / "latest.json").read_text())
    steps = data["summary"]["actions"]["steps"]
    assert list(steps) == ["plain", "reply", "react", "edit"]
    for name, step in steps.items():  # every event acked within the budget and relayed to both members
        assert step["acked"] > 0 and step["refused"] == step["unanswered"] == 0, name
        assert step["delivered"] == step["expected"] == 2 * step["acked"], name
        assert step["server_cpu_us_per_event"] > 0, name
    rounds = data["summary"]["actions"]["rounds"]
    for name in ("reply", "react", "edit"):  # each round pairs every action with a plain step just before it
        assert steps[name]["ratio"] is not None and len(steps[name]["ratios"]) == rounds, name
    assert [row["target"] for row in data["targets"] if "against a plain message" in row["target"]] == [
        "server CPU per event, reply against a plain message",
        "server CPU per event, react against a plain message",
    ]


def test_files_go_whole_to_every_reader_that_reads(tiny_run: Path) -> None:
    files = json.loads((tiny_run / "latest.json").read_text())["summary"]["files"]
    assert set(files["throughput"]) == {"1", "3"}
    for readers, block in files["throughput"].items():  # each file timed, measured, and checked piece by piece
        assert block["transfers"] == 1 and block["whole"], readers
        assert block["delivered_mib_per_s"] > 0 and block["server_cpu_ms_per_mib"] > 0, readers
    chat = files["chat"]
    assert chat["refused"] == 0 and chat["transfer"]["files"] >= 1
    assert chat["baseline"]["samples"] > 0 and chat["transfer"]["samples"] > 0
    assert len(chat["ratios"]) == 1
    slow = files["slow"]
    for kind in ("reading", "stopped"):
        assert slow[kind]["steps"] == 1 and slow[kind]["readers_whole"] and slow[kind]["late_intact"], kind
        assert slow[kind]["rss_peak_growth_mb"] is not None, kind
    # A file this small fits in what the kernel and the server's queue hold for the reader that stopped: it gets
    # the whole file once it reads again, as the one that read did.
    assert slow["reading"]["late_pieces"] == slow["stopped"]["late_pieces"] == [slow["chunks"]]
    assert slow["stopped"]["late_cancelled"] == [""]


def test_writes_the_markdown_table(tiny_run: Path) -> None:
    text = (tiny_run / "latest.md").read_text()
    for heading in SECTIONS:
        assert heading in text
    assert "| target | goal | measured | met |" in text
    assert "Ephemeral / floor" in text


def test_render_rebuilds_the_tables_from_the_raw_figures(tiny_run: Path) -> None:
    data = json.loads((tiny_run / "latest.json").read_text())
    original = data["summary"]
    data["summary"] = {name: value for name, value in original.items() if name not in data["raw"]}
    (tiny_run / "latest.json").write_text(json.dumps(data))
    (tiny_run / "latest.md").unlink()
    _bench("--render", "--out", str(tiny_run))
    rendered = json.loads((tiny_run / "latest.json").read_text())
    assert rendered["summary"] == original
    assert "## Several processes on one Redis" in (tiny_run / "latest.md").read_text()


def test_a_scenario_run_alone_is_merged_into_a_whole_run_with_its_date(tiny_run: Path, tmp_path: Path) -> None:
    whole, alone = tmp_path / "whole", tmp_path / "alone"
    shutil.copytree(tiny_run, whole)
    alone.mkdir()
    data = json.loads((tiny_run / "latest.json").read_text())
    for run in data["raw"]["scale_rooms"]["redis-2"]:
        run["lost"] = 7  # marks the later run's figures
    data["raw"] = {"scale_rooms": data["raw"]["scale_rooms"]}
    data["meta"]["date"] = "2031-01-02 03:04 UTC"
    (alone / "latest.json").write_text(json.dumps(data))
    _bench("--render", "--merge", str(alone), "--out", str(whole))
    merged = json.loads((whole / "latest.json").read_text())
    runs = len(data["raw"]["scale_rooms"]["redis-2"])
    assert merged["summary"]["scale_rooms"]["layouts"]["redis-2"]["lost"] == 7 * runs
    assert merged["raw"]["fanout"] == json.loads((tiny_run / "latest.json").read_text())["raw"]["fanout"]
    assert "- `scale_rooms`: from a run of it alone, 2031-01-02 03:04 UTC" in (whole / "latest.md").read_text()
