"""Socket.IO packets that find out whether they hold binary data by encoding their JSON once, not by a walk.

python-socketio walks every packet's data in Python to look for bytes, with a list and a lambda per level, and
then encodes it as JSON: a presence update naming 50 participants spent 230 µs in that walk and 100 µs encoding
(bench/NOTES.md). The JSON encoder refuses bytes itself, in C, so the encoding made first answers the question:
when it succeeds the packet holds no binary data, and `encode` reuses it; when it fails the walk decides, as
before. docs/upstream/python-socketio-json-first-packet.patch is the same change for python-socketio itself.
"""

from __future__ import annotations

from typing import Any

import engineio.json
from socketio import packet

_COMPACT = (",", ":")


class JsonFirstPacket(packet.Packet):  # type: ignore[misc]
    """`socketio.packet.Packet`, with a packet built for sending encoded at once (`serializer=` of the server)."""

    def __init__(
        self,
        packet_type: int = packet.EVENT,
        data: Any = None,
        namespace: str | None = None,
        id: int | None = None,  # python-socketio's name
        binary: bool | None = None,
        encoded_packet: Any = None,
    ) -> None:
        self._json: str | None = None
        # Only the stock JSON module is known to refuse bytes; a packet being decoded has no data yet.
        if binary is None and data is not None and encoded_packet is None and self.json is engineio.json:
            try:
                self._json = self.json.dumps(data, separators=_COMPACT)
            except (TypeError, ValueError):
                pass  # bytes somewhere, or data no JSON can hold: the walk and `encode` say which, as before
            else:
                binary = False
        super().__init__(packet_type, data, namespace, id, binary, encoded_packet)

    def encode(self) -> Any:
        if self._json is None:
            return super().encode()
        encoded = str(self.packet_type)
        if self.namespace is not None and self.namespace != "/":
            encoded += self.namespace + ","
        if self.id is not None:
            encoded += str(self.id)
        return encoded + self._json
