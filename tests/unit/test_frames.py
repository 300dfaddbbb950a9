"""A server frame made by `ephemeral.frames` is byte for byte the frame wsproto makes, at every length boundary."""

from __future__ import annotations

import pytest
from wsproto.connection import Connection, ConnectionType
from wsproto.events import BytesMessage, TextMessage

from ephemeral.frames import server_frame

# Bytes of payload: each side of the 7-bit, 16-bit and 64-bit length forms.
LENGTHS = [0, 1, 125, 126, 127, 65535, 65536, 70000]


def _wsproto(message: TextMessage | BytesMessage) -> bytes:
    return Connection(ConnectionType.SERVER).send(message)


@pytest.mark.parametrize("length", LENGTHS)
def test_a_text_frame_is_wsprotos(length):
    text = "x" * length
    assert server_frame(text) == _wsproto(TextMessage(data=text))


def test_a_text_frame_counts_bytes_not_characters():
    text = "é" * 100  # 200 bytes: past the 7-bit length form in bytes, not in characters
    assert server_frame(text) == _wsproto(TextMessage(data=text))


@pytest.mark.parametrize("length", LENGTHS)
def test_a_binary_frame_is_wsprotos(length):
    data = bytes(range(256)) * (length // 256) + bytes(length % 256)
    assert server_frame(data) == _wsproto(BytesMessage(data=data))
