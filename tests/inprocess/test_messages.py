"""A message's handler, in process: the size limit and the flood limit.

Moved here from the real-server suite (`tests/integration/test_sockets.py`): none of it depends on the
transport, the async mode or the store, and the same handlers run here.
"""

from __future__ import annotations


def test_too_large(room):
    ann = room.members[0]
    ack = ann.socket.send("x" * 4001)
    assert ack == {"ok": False, "error": "too_large", "message": ack["message"]}
    assert ann.socket.send("x" * 4000)["ok"]


def test_message_flood_is_rate_limited(room):
    """One sender's flood is refused past the limit; another sender's budget is untouched."""
    ann, bob = room.members
    acks = [ann.socket.send(f"m{i}") for i in range(60)]
    assert acks[0]["ok"]
    limited = [ack for ack in acks if not ack["ok"]]
    assert limited, "a flood must be limited"
    assert all(ack["error"] == "rate_limited" for ack in limited)
    assert bob.socket.send("bob is unaffected")["ok"]
