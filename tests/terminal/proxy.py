"""A tiny HTTP proxy on 127.0.0.1 for the tests: tunnels CONNECT, forwards absolute-form requests one per
connection, and counts both, so a test sees what went through it."""

from __future__ import annotations

import contextlib
import socket
import threading
from urllib.parse import urlsplit

_HEAD_END = b"\r\n\r\n"


class CountingProxy:
    def __init__(self) -> None:
        self.connects: list[str] = []  # host:port of each tunnel
        self.requests: list[str] = []  # "METHOD path" of each forwarded request
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _track(self, sock: socket.socket) -> socket.socket:
        with self._lock:
            self._sockets.append(sock)
        return sock

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:  # closed
                return
            threading.Thread(target=self._serve, args=(self._track(client),), daemon=True).start()

    @staticmethod
    def _head(sock: socket.socket) -> tuple[bytes, bytes]:
        data = b""
        while _HEAD_END not in data:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed before its head")
            data += chunk
        head, _, rest = data.partition(_HEAD_END)
        return head, rest

    def _serve(self, client: socket.socket) -> None:
        with contextlib.suppress(OSError, ConnectionError, ValueError):
            head, rest = self._head(client)
            method, target, version = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
            if method == "CONNECT":
                self._tunnel(client, target, rest)
            else:
                self._forward(client, head, rest, method, target, version)

    def _tunnel(self, client: socket.socket, target: str, rest: bytes) -> None:
        host, port = target.rsplit(":", 1)
        upstream = self._track(socket.create_connection((host, int(port)), timeout=10))
        upstream.settimeout(None)
        with self._lock:
            self.connects.append(target)
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        if rest:
            upstream.sendall(rest)
        threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()
        self._pipe(client, upstream)

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def _forward(self, client: socket.socket, head: bytes, rest: bytes, method: str, target: str, version: str) -> None:
        parts = urlsplit(target)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = [
            line
            for line in head.split(b"\r\n")[1:]
            if not line.lower().startswith((b"connection:", b"proxy-", b"keep-alive:"))
        ]
        length = next(
            (int(line.split(b":", 1)[1]) for line in headers if line.lower().startswith(b"content-length:")), 0
        )
        while len(rest) < length:
            chunk = client.recv(65536)
            if not chunk:
                break
            rest += chunk
        with self._lock:
            self.requests.append(f"{method} {parts.path}")
        upstream = self._track(socket.create_connection((parts.hostname or "", parts.port or 80), timeout=10))
        request = f"{method} {path} {version}\r\n".encode() + b"\r\n".join([*headers, b"Connection: close"])
        upstream.sendall(request + _HEAD_END + rest)
        answer = b""
        while chunk := upstream.recv(65536):
            answer += chunk
        client.sendall(answer)
        client.close()

    def close(self) -> None:
        self._listener.close()
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.close()
