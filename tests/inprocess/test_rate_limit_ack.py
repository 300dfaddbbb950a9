"""A refused message says how long to wait, so the client can say when sending is allowed again."""

from __future__ import annotations

from ephemeral.ratelimit import MESSAGES_PER_PARTICIPANT


def test_a_rate_limited_message_says_when_to_send_again(room):
    ann = room.members[0]
    acks = [ann.socket.send(f"m{i}") for i in range(int(MESSAGES_PER_PARTICIPANT.burst) + 5)]
    limited = [ack for ack in acks if not ack["ok"]]
    assert limited
    for ack in limited:
        assert ack["error"] == "rate_limited"
        assert isinstance(ack["retry_after"], int) and 1 <= ack["retry_after"] <= 60
