"""The transport refuses frames far beyond the message limit, and only that socket suffers."""

from __future__ import annotations

import json

import pytest
import websocket

from tests.support.people import raw_socket


def _closed(ws) -> bool:
    """True once the server has closed this WebSocket (reads until the close arrives)."""
    try:
        while True:
            frame = ws.recv()
            if frame in ("", None):
                return True
    except (websocket.WebSocketConnectionClosedException, ConnectionError, OSError):
        return True
    except websocket.WebSocketTimeoutException:
        return False


@pytest.mark.parametrize("size", [1_000_000, 100_000])
def test_oversized_frame_closes_only_the_sender(room, size):
    ann, bob = room.members
    ws = raw_socket(ann.person, room.room_id)
    ws.send("42" + json.dumps(["message", {"text": "x" * size}]))
    assert _closed(ws)
    assert bob.socket.send("bob still talks")["ok"]
    assert ann.socket.wait_for("message", lambda m: m["html"] == "<p>bob still talks</p>")
