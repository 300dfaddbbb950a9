"""A server's WebSocket frame, written without wsproto: what every message costs once per recipient.

No extension is ever negotiated (`websockets.configure_websockets`), so a server frame is only a header and the
payload, unmasked (RFC 6455 section 5.2); wsproto's general framing cost about 10 µs per frame.
"""

from __future__ import annotations

import struct

TEXT, BINARY = 0x1, 0x2
_FINAL = 0x80
_SHORT, _MEDIUM = 126, 1 << 16


def server_frame(data: str | bytes) -> bytes:
    """One final frame holding `data`: a text frame for str, a binary frame for bytes."""
    if isinstance(data, str):
        payload, first = data.encode(), _FINAL | TEXT
    else:
        payload, first = bytes(data), _FINAL | BINARY
    length = len(payload)
    if length < _SHORT:
        return bytes((first, length)) + payload
    if length < _MEDIUM:
        return struct.pack("!BBH", first, 126, length) + payload
    return struct.pack("!BBQ", first, 127, length) + payload
