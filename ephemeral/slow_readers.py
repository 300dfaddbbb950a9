"""Readers that fall behind a file: dropped from it, so that no process buffers a file for them without bound.

Each process hands a file's pieces to its own sockets (`fanout`: sent here, or come by Redis pub/sub). A
socket that does not read (a stalled phone, a client that never drains) keeps its pieces in its outgoing
queue. Senders keep only a few pieces ahead of their slowest reader (readers say how far they are,
`file_progress`), so a reader that reads falls not this far behind; one that does not: before a piece is
queued, a socket with `READER_BACKLOG` packets already waiting is dropped from that file. It is told
`file_cancel` with reason `slow`, and gets no more of it; the rest of the room goes on, and what one process
holds for a reader stays under `READER_BACKLOG` packets.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import socketio

from . import protocol

READER_BACKLOG = 64
# Readers dropped from files, remembered so that later pieces skip them too; the oldest are forgotten first.
REMEMBERED = 10_000


class SlowReaders:
    def __init__(self, backlog: int = READER_BACKLOG) -> None:
        self._backlog = backlog
        self._dropped: OrderedDict[tuple[str, str, str], None] = OrderedDict()

    def keep(self, manager: Any, piece: object, to: object, namespace: str | None) -> list[str]:
        """The sockets of `to` that get this piece of a file: every one not behind, or on another process."""
        namespace = namespace or "/"
        piece = piece if isinstance(piece, dict) else {}
        readers = [to] if isinstance(to, str) else list(to) if isinstance(to, list | tuple) else []
        kept = []
        for sid in readers:
            key = (sid, str(piece.get("from")), str(piece.get("id")))
            if key in self._dropped:
                continue
            if self._behind(manager, sid, namespace):
                self._drop(key)
                notice = protocol.file_cancel(key[1], key[2], protocol.TOO_SLOW)
                socketio.Manager.emit(manager, protocol.FILE_CANCEL, notice, namespace, to=sid)
                continue
            kept.append(sid)
        return kept

    def _behind(self, manager: Any, sid: str, namespace: str) -> bool:
        eio_sid = manager.eio_sid_from_sid(sid, namespace)
        socket = manager.server.eio.sockets.get(eio_sid) if eio_sid else None
        return socket is not None and socket.queue.qsize() >= self._backlog

    def _drop(self, key: tuple[str, str, str]) -> None:
        self._dropped[key] = None
        while len(self._dropped) > REMEMBERED:
            self._dropped.popitem(last=False)
