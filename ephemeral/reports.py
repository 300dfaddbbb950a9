"""Reporting a room to the server's operator: anyone holding its link may, a few times per address.

The answer is the same whether or not the room exists (or whether the id could
be one at all), so reporting teaches nothing about rooms: a well-formed report
is `202 {"ok": true}`, and only what the request itself got wrong is refused.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from .api import json_body  # the JSON API's one body check: same origin, JSON object
from .errors import Invalid, RateLimited
from .ratelimit import address_key
from .rooms import REPORT_REASONS, looks_like_room_id
from .services import services

blueprint = Blueprint("reports", __name__)

BAD_REASON = f"reason must be one of: {', '.join(REPORT_REASONS)}."


@blueprint.post("/api/rooms/<room_id>/report")
def report(room_id: str) -> tuple[Response, int]:
    """A report counts against its address first, then reaches the room's reports if the room is alive."""
    reason = json_body().get("reason")
    if not isinstance(reason, str) or reason not in REPORT_REASONS:
        raise Invalid(BAD_REASON)
    svc = services()
    # Charged alike for every room, live or not: the limit must not tell them apart either.
    wait = svc.limits.reports_by_address.take(address_key(request.remote_addr))
    if wait:
        raise RateLimited("Too many reports from your network just now. Try again later.", retry_after=wait)
    if looks_like_room_id(room_id):
        svc.registry.report(room_id, reason)
    return jsonify(ok=True), 202
