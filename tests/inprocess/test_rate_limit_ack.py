"""A refused message says how long to wait, so the client can say when sending is allowed again."""

from __future__ import annotations

from ephemeral.ratelimit import MESSAGES_PER_PARTICIPANT
from tests.inprocess.conftest import message_in


def test_a_rate_limited_message_says_when_to_send_again(any_room):
    """The same limit in a server-blind room."""
    ann = any_room.members[0]
    burst = int(MESSAGES_PER_PARTICIPANT.burst)
    acks = [ann.socket.call("message", message_in(any_room.mode, f"m{i}")) for i in range(burst + 5)]
    assert all(ack["ok"] for ack in acks[:burst])
    limited = [ack for ack in acks if not ack["ok"]]
    assert limited
    for ack in limited:
        assert ack["error"] == "rate_limited"
        assert isinstance(ack["retry_after"], int) and 1 <= ack["retry_after"] <= 60
