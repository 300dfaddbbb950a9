"""A room's link, read and made: `<server>/r/<room id>`, and for a server-blind room `#k=<secret>` after it,
exactly as the browser's share card shows it. The fragment never goes to the server."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from . import crypto

__all__ = ["BadLink", "Link", "parse_link", "server_url", "share_link"]

_ROOM_ID = re.compile(r"[A-Za-z0-9_-]{22}")
_FRAGMENT = re.compile(r"k=([A-Za-z0-9_-]{43})")


class BadLink(ValueError):
    """Not a room link this client can open; the message says why, in words for people."""


@dataclass(frozen=True)
class Link:
    server: str  # scheme://host[:port], no path
    room_id: str
    secret: bytes | None = field(default=None, repr=False)  # a server-blind room's link secret


def server_url(text: str) -> str:
    """`scheme://host[:port]` of a server address given by a person; http(s) only."""
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BadLink("give the server's address with its scheme, such as https://chat.example.org")
    return f"{parts.scheme}://{parts.netloc}"


def parse_link(text: str) -> Link:
    """The server, room id and (server-blind) link secret of a room link."""
    parts = urlsplit(text.strip())
    server = server_url(text)
    match = re.fullmatch(r"/r/([^/]*)/?", parts.path)
    if match is None or not _ROOM_ID.fullmatch(match.group(1)):
        raise BadLink("this is not a room link: it should look like https://host/r/<room id>")
    if not parts.fragment:
        return Link(server, match.group(1))
    secret = _FRAGMENT.fullmatch(parts.fragment)
    if secret is None:
        raise BadLink("the link's #k= part is cut short or changed: ask for the whole link again")
    return Link(server, match.group(1), crypto.b64url_decode(secret.group(1)))


def share_link(room_url: str, secret: bytes | None) -> str:
    """The link to give people: the server's link to the room, and a server-blind room's secret after `#k=`."""
    return room_url if secret is None else f"{room_url}#k={crypto.b64url_encode(secret)}"
