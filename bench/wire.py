"""A lean WebSocket client speaking Engine.IO v4 / Socket.IO v5 frames directly.

python-socketio's client costs too much per frame to drive a server from one
core, so the load generator uses this: one `asyncio.Protocol` per socket, RFC
6455 framing by hand (server frames are never masked; ours are, with
`websockets`' C mask routine), and Socket.IO packets recognised by their first
characters. A received `message` event is handed to a callback as the raw frame
text, so counting and timing a delivery costs a few string operations.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import struct
from collections.abc import Callable
from typing import Any

try:
    from websockets.speedups import apply_mask
except ImportError:  # pragma: no cover - websockets without its C extension

    def apply_mask(data: bytes, mask: bytes) -> bytes:
        n = len(data)
        key = int.from_bytes((mask * (n // 4 + 1))[:n], "big")
        return (int.from_bytes(data, "big") ^ key).to_bytes(n, "big")


_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OnFrame = Callable[[str], None]


class Refused(Exception):
    """The server refused the WebSocket or the Socket.IO connection."""


def _frame(opcode: int, payload: bytes) -> bytes:
    """A masked client frame (FIN set)."""
    mask = os.urandom(4)
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
    return head + mask + apply_mask(payload, mask)


class WebSocket(asyncio.Protocol):
    """A client WebSocket whose text frames go to `on_text`; pings are answered here."""

    def __init__(self, on_text: OnFrame) -> None:
        self.on_text = on_text
        self.transport: asyncio.Transport | None = None
        self.handshake: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._key = base64.b64encode(os.urandom(16)).decode()
        self._buffer = bytearray()
        self._upgraded = False
        self._fragments: list[bytes] = []

    def request(self, host: str, port: int, path: str, headers: dict[str, str]) -> bytes:
        lines = [
            f"GET {path} HTTP/1.1",
            f"Host: {host}:{port}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {self._key}",
            "Sec-WebSocket-Version: 13",
            *(f"{name}: {value}" for name, value in headers.items()),
        ]
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.handshake.done():
            self.handshake.set_exception(Refused("connection lost during handshake"))
        if not self.closed.done():
            self.closed.set_result(None)

    def data_received(self, data: bytes) -> None:
        buf = self._buffer
        buf += data
        if not self._upgraded:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(buf[:end]).decode("latin-1")
            del buf[: end + 4]
            accept = base64.b64encode(hashlib.sha1((self._key + _GUID).encode()).digest()).decode()
            if not head.startswith("HTTP/1.1 101") or accept not in head:
                self.handshake.set_exception(Refused(head.split("\r\n", 1)[0]))
                assert self.transport is not None
                self.transport.close()
                return
            self._upgraded = True
            self.handshake.set_result(None)
        self._parse(buf)

    def _parse(self, buf: bytearray) -> None:
        pos = 0
        size = len(buf)
        while size - pos >= 2:
            b0 = buf[pos]
            n = buf[pos + 1] & 0x7F
            start = pos + 2
            if n == 126:
                if size - pos < 4:
                    break
                n = (buf[pos + 2] << 8) | buf[pos + 3]
                start = pos + 4
            elif n == 127:
                if size - pos < 10:
                    break
                n = int.from_bytes(buf[pos + 2 : pos + 10], "big")
                start = pos + 10
            end = start + n
            if end > size:
                break
            payload = bytes(buf[start:end])
            pos = end
            opcode = b0 & 0x0F
            if opcode == 0x1 and b0 & 0x80:
                self.on_text(payload.decode())
            elif opcode in (0x1, 0x0):
                self._fragments.append(payload)
                if b0 & 0x80:
                    self.on_text(b"".join(self._fragments).decode())
                    self._fragments.clear()
            elif opcode == 0x9:
                self.send_raw(0xA, payload)
            elif opcode == 0x8:
                self.send_raw(0x8, payload[:2])
                assert self.transport is not None
                self.transport.close()
        if pos:
            del buf[:pos]

    def send_raw(self, opcode: int, payload: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(_frame(opcode, payload))

    def send_text(self, text: str) -> None:
        self.send_raw(0x1, text.encode())

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.send_raw(0x8, struct.pack("!H", 1000))
            self.transport.close()


async def open_websocket(
    ws: WebSocket, host: str, port: int, path: str, headers: dict[str, str] | None = None, timeout: float = 10.0
) -> None:
    """Connect `ws` and complete the opening handshake; frames may arrive before this returns."""
    loop = asyncio.get_running_loop()
    await asyncio.wait_for(loop.create_connection(lambda: ws, host, port), timeout)
    assert ws.transport is not None
    ws.transport.write(ws.request(host, port, path, headers or {}))
    await asyncio.wait_for(ws.handshake, timeout)


class SocketIOClient:
    """One Socket.IO connection (default namespace) over WebSocket, no polling.

    `on_message` gets the raw text of every `message` event frame; acks resolve
    the futures returned by `emit_with_ack` with the raw ack frame text.
    """

    def __init__(self, on_message: OnFrame) -> None:
        self.on_message = on_message
        self.ws: WebSocket | None = None
        self.connected: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.events: dict[str, int] = {}
        self.disconnected = False
        self._auth = "{}"
        self._next_id = 0
        self._acks: dict[int, asyncio.Future[str]] = {}

    async def connect(self, host: str, port: int, auth: Any, cookie: str | None = None, timeout: float = 10.0) -> None:
        self._auth = json.dumps(auth, separators=(",", ":"))
        headers = {"Cookie": cookie} if cookie else {}
        self.ws = WebSocket(self._on_text)
        await open_websocket(self.ws, host, port, "/socket.io/?EIO=4&transport=websocket", headers, timeout)
        self.ws.closed.add_done_callback(self._on_closed)
        await asyncio.wait_for(self.connected, timeout)

    def _on_closed(self, _future: asyncio.Future[None]) -> None:
        self.disconnected = True
        if not self.connected.done():
            self.connected.set_exception(Refused("closed before connect"))
        for future in self._acks.values():
            if not future.done():
                future.set_exception(Refused("closed"))
        self._acks.clear()

    def _on_text(self, text: str) -> None:
        kind = text[:2]
        if kind == "42":
            if text.startswith('42["message"'):
                self.on_message(text)
            else:
                name = text[4 : text.find('"', 4)]
                self.events[name] = self.events.get(name, 0) + 1
        elif kind == "43":
            bracket = text.find("[")
            future = self._acks.pop(int(text[2:bracket]), None)
            if future is not None and not future.done():
                future.set_result(text[bracket:])
        elif text == "2":
            assert self.ws is not None
            self.ws.send_text("3")
        elif kind == "40":
            if not self.connected.done():
                self.connected.set_result(text[2:])
        elif kind == "44":
            if not self.connected.done():
                self.connected.set_exception(Refused(text[2:]))
        elif text[:1] == "0":
            assert self.ws is not None
            self.ws.send_text("40" + self._auth)
        elif kind == "41" or text == "1":
            self.close()

    def emit_with_ack(self, event: str, payload_json: str) -> asyncio.Future[str]:
        """Send `42<id>["event",payload]`; the future gets the ack's argument list text."""
        assert self.ws is not None
        self._next_id += 1
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._acks[self._next_id] = future
        self.ws.send_text(f'42{self._next_id}["{event}",{payload_json}]')
        return future

    def close(self) -> None:
        if self.ws is not None:
            self.ws.close()


class RawClient:
    """A plain WebSocket client for the ceiling relay: every frame is a message."""

    def __init__(self, on_message: OnFrame) -> None:
        self.on_message = on_message
        self.ws: WebSocket | None = None
        self.disconnected = False

    async def connect(self, host: str, port: int, room: str, timeout: float = 10.0) -> None:
        self.ws = WebSocket(self.on_message)
        await open_websocket(self.ws, host, port, "/" + room, {}, timeout)
        self.ws.closed.add_done_callback(lambda _f: setattr(self, "disconnected", True))

    def send(self, text: str) -> None:
        assert self.ws is not None
        self.ws.send_text(text)

    def close(self) -> None:
        if self.ws is not None:
            self.ws.close()
