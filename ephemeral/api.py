"""JSON API: the same rules as the forms, for scripts and tests."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for

from . import admission, bindings, e2e, protocol, room_rules
from .errors import ForeignOrigin, Invalid, NotFound, ProofRequired, UnsupportedMediaType
from .events import announce
from .origin import is_foreign
from .rooms import E2E, MODES, STANDARD, Binding, Sealed, looks_like_room_id
from .services import services

blueprint = Blueprint("api", __name__)


def json_body() -> dict[str, Any]:
    """A JSON object from a same-origin (or non-browser) client, or a 4xx."""
    if is_foreign(request):
        raise ForeignOrigin()
    if request.mimetype != "application/json":
        raise UnsupportedMediaType()
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        # `silent` only covers ValueError; nesting deeper than the parser's stack is malformed too.
        body = None
    if not isinstance(body, dict):
        raise Invalid("The body must be a JSON object.")
    return body


def _answer(binding: Binding, status: int) -> tuple[Response, int]:
    bindings.remember(binding, services().registry)
    return jsonify(
        room_id=binding.room_id,
        **protocol.named(binding.name, binding.sealed),
        alias=binding.alias,
        participant_id=binding.you.id,
        expires_at=int(binding.expires_at * 1000),
        url=url_for("views.room", room_id=binding.room_id, _external=True),
        room=protocol.room_state(binding.state),
    ), status


# A server-blind room's password and name never reach the server; a standard room has no keys.
_NOT_IN = {STANDARD: ("verifier", "kdf", "name_ct"), E2E: ("password", "name")}


def _room_to_create(body: dict[str, Any]) -> tuple[object, object, Sealed | None]:
    """The name, the secret (password or verifier) and, server-blind, what the room keeps instead of its name."""
    mode = body.get("mode", STANDARD)
    if mode not in MODES:
        raise Invalid('mode must be "standard" or "e2e".')
    if any(key in body for key in _NOT_IN[mode]):
        raise Invalid(f"A {mode} room is created without {', '.join(_NOT_IN[mode])}.")
    if mode == STANDARD:
        return body.get("name"), body.get("password"), None
    return None, e2e.verifier(body.get("verifier")), e2e.sealed(body.get("kdf"), body.get("name_ct"))


def _secret_to_join(body: dict[str, Any]) -> tuple[str, object]:
    """The mode of room the join is for, by what it sends: a password (standard) or a verifier (e2e)."""
    if "verifier" not in body:
        return STANDARD, body.get("password")
    if "password" in body:
        raise Invalid("Join with a password or a verifier, not both.")
    return E2E, body["verifier"]


@blueprint.post("/api/rooms")
def create() -> tuple[Response, int]:
    body = json_body()
    bindings.make_room_for(None, services().registry)
    name, secret, sealed = _room_to_create(body)
    rules = room_rules.rules_from(body, services().settings, minutes=False)
    binding = admission.create_room(services(), request.remote_addr, name, body.get("alias"), secret, sealed, rules)
    return _answer(binding, 201)


@blueprint.get("/api/rooms/<room_id>")
def door(room_id: str) -> Response:
    """Before joining: the room's mode and a server-blind room's key parameters; a gone room as the join tells it."""
    found = services().registry.door(room_id) if looks_like_room_id(room_id) else None
    if found is None:
        raise NotFound()
    return jsonify(protocol.door(found))


@blueprint.post("/api/rooms/<room_id>/join")
def join(room_id: str) -> tuple[Response, int]:
    body = json_body()
    bindings.make_room_for(room_id, services().registry)
    mode, secret = _secret_to_join(body)
    try:
        binding = admission.join_room(
            services(), request.remote_addr, room_id, body.get("alias"), secret, body.get("proof"), mode
        )
    except ProofRequired as refusal:
        # The one refusal with more to say than its code: the challenge to solve.
        return jsonify(refusal.body()), refusal.status
    announce.joined(binding)
    return _answer(binding, 200)


@blueprint.get("/healthz")
def healthz() -> Response:
    return jsonify(status="ok")
