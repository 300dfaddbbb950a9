"""A TCP relay on loopback that can go silent the way a NAT or firewall forgets an idle connection.

`forget()` keeps every open connection open but stops carrying its bytes either way, with no reset, so neither
end learns anything; connections made afterwards are carried as usual. A close by either end still goes through
(that lets Redis drop the old subscription once the client gives up on it).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

from tests.support.server import free_port


class Relay:
    def __init__(self, target_port: int) -> None:
        self.port = free_port()
        self._target_port = target_port
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._lock = threading.Lock()
        self._carried: list[tuple[socket.socket, socket.socket, threading.Event]] = []
        self._closing = False
        threading.Thread(target=self._accept, daemon=True).start()

    def forget(self) -> int:
        """Stop carrying every connection open now; returns how many there were."""
        with self._lock:
            for _client, _upstream, forgotten in self._carried:
                forgotten.set()
            return len(self._carried)

    def close(self) -> None:
        with self._lock:
            self._closing = True
            ends = [end for pair in self._carried for end in pair[:2]]
        for end in [self._listener, *ends]:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked on it; close alone does not
            with contextlib.suppress(OSError):
                end.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _address = self._listener.accept()
            except OSError:  # closed
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self._target_port))
            except OSError:  # the target is down: so is this connection
                client.close()
                continue
            forgotten = threading.Event()
            with self._lock:
                if self._closing:
                    client.close()
                    upstream.close()
                    return
                self._carried.append((client, upstream, forgotten))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(source, sink, forgotten), daemon=True).start()


def _pump(source: socket.socket, sink: socket.socket, forgotten: threading.Event) -> None:
    """Carry bytes from `source` to `sink` until either closes; once forgotten, read them and drop them."""
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            if not forgotten.is_set():
                sink.sendall(data)
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_WR)


@contextlib.contextmanager
def relaying(target_port: int) -> Iterator[Relay]:
    relay = Relay(target_port)
    try:
        yield relay
    finally:
        relay.close()
