"""What a message or an edit says: Markdown rendered and cleaned by the server, or a server-blind room's envelope,
checked for its shape (`ephemeral/e2e.py`) and relayed as it came. Either is decided by the room's mode."""

from __future__ import annotations

from typing import Any

from .. import e2e, protocol
from ..errors import Invalid, TooLarge
from ..markdown import render_message
from ..rooms import E2E
from ..sanitize import has_content
from ..services import services


def fields(payload: object) -> dict[str, Any]:
    """The payload's fields; none when it is not an object."""
    return payload if isinstance(payload, dict) else {}


def body(mode: str, sent: dict[str, Any]) -> protocol.Payload:
    """The `html` of a standard room's text, or the `e2e` envelope of a server-blind room's; `invalid` for the other
    mode's field, `too_large` past the limits."""
    if mode == E2E:
        if "text" in sent:
            raise Invalid("This room is server-blind: send the message encrypted, as e2e.")
        # Never rendered, never sanitized: only the readers hold the key, and they sanitize what they open.
        return protocol.sealed_body(e2e.envelope(sent.get("e2e")))
    if "e2e" in sent:
        raise Invalid("This room is not server-blind: send text.")
    return protocol.text_body(_rendered(sent.get("text")))


def _rendered(text: object) -> str:
    if not isinstance(text, str):
        raise Invalid("A message needs text.")
    limit = services().settings.max_message_chars
    if len(text) > limit:
        raise TooLarge(f"Messages can be at most {limit} characters.")
    html = render_message(text)
    if not has_content(html):
        raise Invalid("That message is empty.")
    return html
