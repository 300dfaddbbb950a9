"""JSON-first packets: the same bytes on the wire as python-socketio's own, without walking JSON data for bytes."""

from __future__ import annotations

from typing import Any

import pytest
from socketio import packet

from ephemeral import create_app, socketio
from ephemeral.packets import JsonFirstPacket

PRESENCE = {"participants": [{"id": f"p{n:07d}", "alias": f"réna {n}", "role": "member"} for n in range(50)]}
SENT = [
    (packet.EVENT, ["message", {"id": "m1", "html": "<p>hi ✓</p>", "ts": 1}], None, None),
    (packet.EVENT, ["presence", PRESENCE], "/", None),
    (packet.ACK, [{"ok": False, "error": "rate_limited", "retry_after": 0.5}], None, 12),
    (packet.EVENT, ["typing", None, [1.5, True, "\u2028"]], "/other", None),
    (packet.CONNECT, {"sid": "abc"}, None, None),
    (packet.CONNECT_ERROR, {"message": "unauthorized"}, "/", None),
    (packet.DISCONNECT, None, None, None),
]


@pytest.mark.parametrize(("kind", "data", "namespace", "ack_id"), SENT)
def test_a_packet_encodes_as_python_socketio_encodes_it(
    kind: int, data: Any, namespace: str | None, ack_id: int | None
) -> None:
    ours = JsonFirstPacket(kind, data=data, namespace=namespace, id=ack_id)
    stock = packet.Packet(kind, data=data, namespace=namespace, id=ack_id)
    assert (ours.packet_type, ours.encode()) == (stock.packet_type, stock.encode())


def test_json_data_is_never_walked_for_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    def walked(_data: Any) -> bool:
        raise AssertionError("walked the data for bytes")

    monkeypatch.setattr(JsonFirstPacket, "data_is_binary", staticmethod(walked))
    assert JsonFirstPacket(packet.EVENT, data=["presence", PRESENCE]).encode().startswith('2["presence",')


def test_bytes_still_make_a_binary_packet_with_attachments() -> None:
    sent = JsonFirstPacket(packet.EVENT, data=["piece", {"bytes": b"\x00\x01"}], namespace="/")
    assert sent.packet_type == packet.BINARY_EVENT
    assert sent.encode() == ['51-["piece",{"bytes":{"_placeholder":true,"num":0}}]', b"\x00\x01"]


def test_data_no_json_can_hold_fails_to_encode_as_before() -> None:
    with pytest.raises(TypeError):
        JsonFirstPacket(packet.EVENT, data=["odd", {1, 2}]).encode()


def test_a_decoded_packet_reads_as_before() -> None:
    text = '2/room,7["message",{"text":"hi"}]'
    ours, stock = JsonFirstPacket(encoded_packet=text), packet.Packet(encoded_packet=text)
    assert (ours.packet_type, ours.namespace, ours.id, ours.data) == (
        stock.packet_type,
        stock.namespace,
        stock.id,
        stock.data,
    )
    assert ours.encode() == stock.encode() == text


def test_the_server_sends_these_packets() -> None:
    create_app({"ASYNC_MODE": "threading", "BCRYPT_COST": 4}, environ={})
    assert socketio.server.packet_class is JsonFirstPacket
