"""The message actions a test socket sends (docs/protocol.md, Message actions), each returning the server's ack.

Mixed into the real-server socket (`people.Socket`) and the in-process one (`inprocess.Socket`), which each give
`call(event, payload)`; `typing`, which has no ack, each sends its own way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class MessageActions:
    call: Callable[..., Any]

    def reply(self, message_id: str, text: str) -> Any:
        return self.call("message", {"text": text, "reply_to": message_id})

    def edit(self, message_id: str, text: str) -> Any:
        return self.call("edit", {"id": message_id, "text": text})

    def unsend(self, message_id: str) -> Any:
        return self.call("unsend", {"id": message_id})

    def react(self, message_id: str, emoji: str) -> Any:
        return self.call("react", {"id": message_id, "emoji": emoji})
