"""The operator's page and API: reported rooms by their numbers, and closing one, never reading it.

Registered only when `EPHEMERAL_ADMIN_TOKEN` is set; otherwise every route here
is the plain 404 of any unknown address. Each API call carries the token in an
`Authorization: Bearer` header, compared in constant time. What the operator
sees of a room is its id, the reasons it was reported for and how often, its
age and how many people are bound to it: never a name, an alias or a message.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Blueprint, Response, jsonify, render_template, request

from . import logs, protocol
from .errors import NotFound, TokenRequired
from .events import announce
from .rooms import looks_like_room_id
from .services import services

blueprint = Blueprint("admin", __name__)

# Counted, never a line of its own: how many rooms the operator ended, and how many calls had no good token.
CLOSED = "rooms closed by the operator"
REFUSED = "admin calls refused for their token"


def token_matches(given: str, configured: str) -> bool:
    """Whether `given` is the operator's token, in time that depends on neither its bytes nor its length.

    Both sides are hashed first, so `compare_digest` always meets two 32-byte
    digests: how far a guess matches, and how long it is, cost the same.
    """
    ours = hashlib.sha256(configured.encode("utf-8")).digest()
    theirs = hashlib.sha256(given.encode("utf-8", "replace")).digest()
    return hmac.compare_digest(theirs, ours)


def _bearer(header: str) -> str | None:
    """The token of an `Authorization: Bearer <token>` header; None when there is none."""
    scheme, _, token = header.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def _check_token() -> None:
    """401 (`WWW-Authenticate: Bearer`) unless the request carries the operator's token."""
    given = _bearer(request.headers.get("Authorization", ""))
    if given is None or not token_matches(given, services().settings.admin_token):
        logs.count(REFUSED)
        raise TokenRequired()


@blueprint.get("/admin")
def page() -> Response:
    """The page asks for the token and keeps it in the script only; it holds nothing of any room."""
    return Response(render_template("admin.html"), mimetype="text/html")


@blueprint.get("/api/admin/reports")
def reports() -> Response:
    """Every live reported room, most reported first."""
    _check_token()
    return jsonify(rooms=[protocol.report(found) for found in services().registry.reports()])


@blueprint.post("/api/admin/rooms/<room_id>/close")
def close(room_id: str) -> Response:
    """The operator ends a room: everyone in it gets `purged` (reason `closed`), then every socket closes."""
    _check_token()
    closure = services().registry.close(room_id) if looks_like_room_id(room_id) else None
    if closure is None:
        raise NotFound()
    announce.closure(closure)
    logs.count(CLOSED)
    return jsonify(ok=True)
