"""JSON API: the same rules as the forms, for scripts and tests."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for

from . import admission, bindings
from .errors import ForeignOrigin, Invalid, ProofRequired, UnsupportedMediaType
from .origin import is_foreign
from .rooms import Binding
from .services import services

blueprint = Blueprint("api", __name__)


def _body() -> dict[str, Any]:
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
        name=binding.name,
        alias=binding.alias,
        participant_id=binding.you.id,
        expires_at=int(binding.expires_at * 1000),
        url=url_for("views.room", room_id=binding.room_id, _external=True),
    ), status


@blueprint.post("/api/rooms")
def create() -> tuple[Response, int]:
    body = _body()
    bindings.make_room_for(None, services().registry)
    binding = admission.create_room(
        services(), request.remote_addr, body.get("name"), body.get("alias"), body.get("password")
    )
    return _answer(binding, 201)


@blueprint.post("/api/rooms/<room_id>/join")
def join(room_id: str) -> tuple[Response, int]:
    body = _body()
    bindings.make_room_for(room_id, services().registry)
    try:
        binding = admission.join_room(
            services(), request.remote_addr, room_id, body.get("alias"), body.get("password"), body.get("proof")
        )
    except ProofRequired as refusal:
        # The one refusal with more to say than its code: the challenge to solve.
        return jsonify(refusal.body()), refusal.status
    return _answer(binding, 200)


@blueprint.get("/healthz")
def healthz() -> Response:
    return jsonify(status="ok")
