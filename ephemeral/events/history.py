"""History from peers: in a room that chose it, a member's screen hands a newcomer the messages it still shows.

The server stores none of it. It rebuilds each message from the fields it may carry (`peer_history`), passes on
only those the room still keeps as said by the author named (so an unsent message never comes back, and nobody's
words are made up in someone else's name), and relays them to the newcomer's sockets alone, marked as shared by
whom the store says. Readers show them as shared and not verified by the server. It draws on the message budget.
"""

from __future__ import annotations

from .. import peer_history, protocol
from ..extensions import socketio
from ..services import services
from . import bodies
from .acks import Ack, message_budget
from .seated import Seated, seated_event


@seated_event(protocol.SHARE_HISTORY, limit=message_budget)
def share_history(socket: Seated, payload: object) -> Ack:
    """Client sends `share_history` `{"to": a newcomer's participant id, "messages": [...]}`; the newcomer's sockets
    get `history` (unless none was passed on), and the ack says how many messages were `shared`."""
    sent = bodies.fields(payload)
    offered = peer_history.messages(socket.mode, sent.get("messages"))
    share = services().registry.share(socket.sid, sent.get("to"), [(m["id"], m["from"]) for m in offered])
    passed = [message for message, kept in zip(offered, share.kept, strict=True) if kept]
    if passed:  # nothing left to hand on: the newcomer hears nothing, and may still be handed history
        notice = protocol.history(share.you, passed)
        for sid in share.sids:
            socketio.emit(protocol.HISTORY, notice, to=sid)
    return protocol.ok(shared=len(passed))
