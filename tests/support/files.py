"""Files as a test client sends and receives them (docs/protocol.md, Files): an offer, its pieces, and the file
put back together from what a reader got.

In a server-blind room the server sees only shapes: each piece here is `SEALED_EXTRA` bytes longer than the
file's piece, as a sealed one is, and the name and type are a stand-in of the sealed meta's shape.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable, Iterator
from typing import Any

from ephemeral.file_fields import CHUNK_BYTES, SEALED_EXTRA, chunk_count
from ephemeral.rooms import E2E

# As the page: a reader says how far it is every PROGRESS_EVERY pieces and at the last; a sender keeps at most
# WINDOW pieces ahead of its slowest reader.
PROGRESS_EVERY = 8
WINDOW = 16
SEALED_META = base64.urlsafe_b64encode(bytes(12 + 256 + 16)).rstrip(b"=").decode()


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_file_id() -> str:
    return b64(secrets.token_bytes(16))


def offer_of(mode: str, data: bytes, name: str = "photo.jpg", kind: str = "image/jpeg", **extra: Any) -> dict[str, Any]:
    said = {"e2e": SEALED_META} if mode == E2E else {"name": name, "type": kind}
    return {"id": new_file_id(), "size": len(data), **said, **extra}


def pieces(mode: str, data: bytes) -> Iterator[tuple[int, str]]:
    """Each piece's index and text, as a sender sends them; sealed ones carry a stand-in iv and tag."""
    for index in range(chunk_count(len(data))):
        piece = data[index * CHUNK_BYTES : (index + 1) * CHUNK_BYTES]
        yield index, b64(piece + bytes(SEALED_EXTRA) if mode == E2E else piece)


def piece_bytes(mode: str, text: str) -> bytes:
    """A relayed piece back to the file's bytes."""
    raw = unb64(text)
    return raw[: len(raw) - SEALED_EXTRA] if mode == E2E else raw


def progress_due(index: int, chunks: int) -> bool:
    return (index + 1) % PROGRESS_EVERY == 0 or index + 1 == chunks


class FileActions:
    """What a test socket sends of files; mixed into the real-server and the in-process socket."""

    call: Callable[..., Any]
    wait: Callable[..., Any]

    def offer(self, mode: str, data: bytes, **fields: Any) -> tuple[dict[str, Any], Any]:
        offer = offer_of(mode, data, **fields)
        return offer, self.call("file_offer", offer)

    def chunk(self, file_id: str, index: int, data: str) -> Any:
        return self.call("file_chunk", {"id": file_id, "index": index, "data": data})

    def send_file(self, mode: str, data: bytes, **fields: Any) -> str:
        """Offer `data` and send every piece, each acked before the next; the file's id."""
        offer, ack = self.offer(mode, data, **fields)
        assert ack == {"ok": True, "id": offer["id"], "chunks": chunk_count(len(data))}, ack
        for index, text in pieces(mode, data):
            answer = self.chunk(offer["id"], index, text)
            assert answer == {"ok": True}, answer
        return str(offer["id"])

    def send_paced(self, mode: str, data: bytes, readers: list[str], **fields: Any) -> dict[str, Any]:
        """Offer `data` and send every piece, at most `WINDOW` ahead of the slowest of `readers` (participant ids),
        as a page does; the offer. Only for a socket whose readers say how far they are (`people.Socket`)."""
        offer, ack = self.offer(mode, data, **fields)
        assert ack["ok"], ack
        read = dict.fromkeys(readers, -1)
        for index, text in pieces(mode, data):
            while read and index - min(read.values()) > WINDOW:
                heard = self.wait("file_progress")
                if heard["id"] == offer["id"] and heard["by"] in read:
                    read[heard["by"]] = max(read[heard["by"]], heard["index"])
            answer = self.chunk(offer["id"], index, text)
            assert answer == {"ok": True}, answer
        return offer

    def cancel_file(self, file_id: str) -> Any:
        return self.call("file_cancel", {"id": file_id})


def received(mode: str, offered: dict[str, Any], relayed: list[dict[str, Any]]) -> bytes:
    """The file a reader put together from the `file_chunk` events it got, checked to be whole and in order."""
    mine = sorted((p for p in relayed if p["id"] == offered["id"]), key=lambda p: p["index"])
    assert [p["index"] for p in mine] == list(range(offered["chunks"])), "a piece is missing or came twice"
    return b"".join(piece_bytes(mode, p["data"]) for p in mine)


def traces(mark: str) -> list[bytes]:
    """How the mark looks as bytes and inside base64url text, at each of the three alignments a piece may give it."""
    found = [mark.encode()]
    for shift in range(3):
        text = b64(bytes(shift) + mark.encode())
        found.append(text[(shift * 4 + 2) // 3 + 1 : -2].encode())
    return found
