"""Files: offered to the room, relayed piece by piece to the sockets that were there, and never kept.

The offer is one store call (`audience`: who may send, and which sockets get it); each piece then goes through
this process's ledger (`transfers`) alone: the next piece of a file this socket sends, within the bounds, held
only while it is handed on. Sockets on other processes get it by Redis pub/sub, which stores nothing. The
sender's page stripped the file's metadata first; in a server-blind room it also sealed name, type and every
piece with the room's key. Readers decide what to show from the bytes, never from the type a sender claims.
"""

from __future__ import annotations

import logging

from .. import file_fields, protocol
from ..errors import EphemeralError, Invalid
from ..extensions import socketio
from ..logs import Safe
from ..room_routes import routed
from ..services import services
from ..transfers import Transfer
from . import bodies, dispatch
from .acks import Ack, client_event, message_budget
from .seated import Seated, seated, seated_event

log = logging.getLogger("ephemeral")


@seated_event(protocol.OFFER_FILE, limit=message_budget)
def offer_file(socket: Seated, payload: object) -> Ack:
    """Client sends `file_offer` `{"id", "size", "name", "type"}` (or `{"id", "size", "e2e"}` server-blind); the
    room's other sockets get `file`, and the sender sends the pieces (`file_chunk`) once the ack says ok."""
    svc = services()
    if not svc.settings.max_file_bytes:
        raise Invalid("This server does not take files.")
    offer = file_fields.offer(socket.mode, bodies.fields(payload), svc.settings.max_file_bytes)
    audience = svc.registry.audience(socket.sid)
    svc.transfers.open(socket.sid, audience.you.id, audience.room_id, offer, audience.sids)
    # Readers' progress comes back to the sockets that offer files, only those, through a room of their own.
    socketio.server.enter_room(socket.sid, protocol.sender_room(socket.room_id, socket.participant_id))
    if audience.sids:
        socketio.emit(protocol.FILE, protocol.file(audience.you, offer), to=audience.sids)
    return protocol.ok(id=offer.id, chunks=offer.chunks)


@client_event(protocol.FILE_CHUNK)
def send_chunk(payload: object) -> Ack:
    """Client sends `file_chunk` `{"id", "index", "data"}`, the next piece of a file it offered; the readers get
    `file_chunk`. `rate_limited` (with `retry_after`): send the same piece again then."""
    socket, transfers = seated(), services().transfers
    chunk = file_fields.chunk(socket.mode, bodies.fields(payload), transfers.sizes(socket.sid))
    with transfers.relaying(socket.sid, chunk) as transfer, routed(socket.room_id):
        if transfer.readers:
            socketio.emit(protocol.FILE_CHUNK, protocol.file_chunk(transfer.sender_id, chunk), to=transfer.readers)
    return protocol.ok()


@client_event(protocol.FILE_CANCEL)
def cancel_file(payload: object) -> Ack:
    """Client sends `file_cancel` `{"id"}` for a file it is sending; its readers get `file_cancel`."""
    socket = seated()
    file_id = file_fields.file_id(bodies.fields(payload).get("id"))
    transfer = services().transfers.cancel(socket.sid, file_id)
    if transfer is None:
        raise Invalid("No file with this id is on its way from you.")
    with routed(socket.room_id):
        _tell_readers(transfer, protocol.CANCELLED)
    return protocol.ok()


@dispatch.on(protocol.FILE_PROGRESS)
def file_progress(payload: object = None, *_extra: object) -> object:
    """Client sends `file_progress` `{"from", "id", "index"}` every few pieces it read; the sender's sockets get
    `file_progress` `{"by", "id", "index"}`, and keep only a few pieces ahead of their slowest reader.

    Never acknowledged, as `typing`: sent often, and an ack would be a round trip for nothing. No store call: it
    goes to the sender's sockets in the reader's own room, whoever `from` names. Dropped when malformed, from a
    socket with no seat, or past the reader's budget.
    """
    try:
        _relay_progress(bodies.fields(payload))
    except EphemeralError:
        pass  # no seat, or a malformed id: nothing to relay, no one to tell
    except Exception as error:  # noqa: BLE001 - a handler never lets an exception reach the client
        log.error("unhandled %s in event file_progress", Safe(type(error).__qualname__))
    return socketio.server.not_handled  # python-socketio sends no ack for an event nobody handled


def _relay_progress(sent: dict[str, object]) -> None:
    socket, sender, index = seated(), sent.get("from"), sent.get("index")
    if not isinstance(sender, str) or not isinstance(index, int) or isinstance(index, bool) or index < 0:
        return
    file_id = file_fields.file_id(sent.get("id"))
    if not services().limits.file_progress_by_participant.take(socket.participant_id):
        notice = protocol.file_progress(socket.participant_id, file_id, index)
        with routed(socket.room_id):
            socketio.emit(protocol.FILE_PROGRESS, notice, to=protocol.sender_room(socket.room_id, sender))


def sender_left(sid: str) -> None:
    """A socket closed: the files it was sending stop, and their readers are told."""
    for transfer in services().transfers.drop_sender(sid):
        _tell_readers(transfer, protocol.SENDER_GONE)


def _tell_readers(transfer: Transfer, reason: str) -> None:
    if transfer.readers:
        notice = protocol.file_cancel(transfer.sender_id, transfer.offer.id, reason)
        socketio.emit(protocol.FILE_CANCEL, notice, to=transfer.readers)
