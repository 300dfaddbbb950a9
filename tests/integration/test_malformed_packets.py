"""A flood of malformed packets leaves a count in the log, not a line (or a traceback) per packet.

A real server process in each async mode takes 1,000 malformed Engine.IO and
Socket.IO packets over WebSocket and long-polling, and a handler fault forced
twenty times; after it stops, its output holds one line with the count, the
fault once with its repeats counted, and nothing anyone sent.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests

from tests.support.people import EVENT_TIMEOUT, Person, raw_socket
from tests.support.process import HOOKS
from tests.support.server import running_server

MARKER = "MARKER-e04d"  # stands for what a client typed
# Socket.IO packets a client may frame correctly but get wrong inside, and Engine.IO
# frames that are not packets at all. Every one is dropped and counted.
BAD_FRAMES = [
    "42[",  # JSON cut short
    f'42["message",{{"text":"{MARKER}"',
    "42{}",  # an event that is not a list
    "42[]",  # no event name
    f'42[1,"{MARKER}"]',  # a name that is not a string
    "4" + "2" + "[" * 3_000,  # nesting past the JSON decoder's depth
    "49",  # no such Socket.IO packet type
    "44",  # a CONNECT_ERROR, which only servers send
    "",  # an empty frame
    MARKER,  # no such Engine.IO packet type
    "4" + json.dumps({"text": MARKER}),  # an Engine.IO message that is not a Socket.IO packet
    "2" + MARKER * 3,  # a ping carrying a payload
]
BAD_BODIES = [
    b"\xff\xfe42[",  # not UTF-8
    b"b" + MARKER.encode(),  # not base64
    MARKER.encode(),  # no such packet type
    b"\x1e".join([b"3"] * 17),  # more packets than engine.io decodes at once
]
WEBSOCKET_ROUNDS = 75  # 12 x 75 = 900 frames
POLLING_ROUNDS = 25  # 4 x 25 = 100 bodies
MALFORMED = len(BAD_FRAMES) * WEBSOCKET_ROUNDS + len(BAD_BODIES) * POLLING_ROUNDS
FAULTS = 20


def polling_session(person: Person) -> str:
    answer = person.http.get(person.base_url + "/socket.io/?EIO=4&transport=polling", timeout=EVENT_TIMEOUT)
    sid: str = json.loads(answer.text[1:])["sid"]
    return sid


@pytest.mark.parametrize("async_mode", ["gevent", "eventlet"])
def test_a_thousand_malformed_packets_leave_one_count_in_the_log(tmp_path: Path, async_mode: str) -> None:
    assert MALFORMED == 1_000
    with running_server(tmp_path, async_mode, env=HOOKS) as srv:
        ann = Person(srv.url)
        room_id = ann.create(alias=MARKER, name=MARKER).json()["room_id"]
        ws = raw_socket(ann, room_id)
        for _ in range(WEBSOCKET_ROUNDS):
            for frame in BAD_FRAMES:
                ws.send(frame)
        for _ in range(FAULTS):
            ws.send(json.dumps(["_test_raise", MARKER]).join(["42", ""]))  # a handler that fails, as a bug would
        ws.send('42777["message",{"text":"still here"}]')
        while not ws.recv().startswith("43777"):
            pass  # every frame before it has been read: the socket outlived all of them
        ws.close()
        sid = polling_session(ann)
        for _ in range(POLLING_ROUNDS):
            for body in BAD_BODIES:
                answer = ann.http.post(f"{srv.url}/socket.io/?EIO=4&transport=polling&sid={sid}", data=body, timeout=10)
                assert answer.status_code < 500
        bad_sid = ann.http.post(f"{srv.url}/socket.io/?EIO=4&transport=polling&sid={MARKER}", data=b"42[", timeout=10)
        assert bad_sid.status_code == 400
        assert requests.get(srv.url + "/healthz", timeout=10).status_code == 200
        ann.close()
    output = srv.output()
    lines = output[output.index("serving on port") :].splitlines()[1:]
    counts = [line for line in lines if "malformed packets in the last" in line]
    assert len(counts) == 1 and f" {MALFORMED} malformed packets in the last " in counts[0], counts
    faults = [line for line in lines if "unhandled ForcedFailure in event raise_in_event" in line]
    assert len(faults) == 2, faults  # the fault is seen, once, and then counted
    assert re.search(rf"\({FAULTS - 1} more like it in the last \d+ s\)$", faults[1]), faults
    assert len(lines) <= 6, lines  # the fault twice, the count, the refused session, the shutdown
    assert MARKER not in output and room_id not in output and "127.0.0." not in output
    assert "handler error" not in output and "(message withheld)" not in output  # no library traceback
