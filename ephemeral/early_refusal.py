"""Joins and creations a limit refuses anyway, answered before Flask reads anything of them.

Most of a guessing storm is refused attempts. Each used to cost the event loop a
request context, the session cookie, the body or the form, the CSRF check and, on
the form, a whole page. Here the answer is decided from the method, the path and
the client address alone, with a fixed body: the API's JSON, or a page rendered
once at start in each language. Nothing is read but the headers that choose the
page's language, no session opened, no cookie set.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, render_template
from werkzeug.wrappers import Request

from . import languages
from .admission import refusal_before_reading
from .errors import RateLimited
from .hash_gate import BUSY
from .i18n import gettext
from .services import Services

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
STATUS = "429 Too Many Requests"
_API_ROOMS = "/api/rooms"


def target(path: str) -> tuple[bool, str | None] | None:
    """For a POST to a join or create route: (is the API, the room id or None to create); else None."""
    if path == "/":
        return False, None
    if path == _API_ROOMS:
        return True, None
    if path.startswith(_API_ROOMS + "/") and path.endswith("/join"):
        room_id = path[len(_API_ROOMS) + 1 : -len("/join")]
        return (True, room_id) if room_id and "/" not in room_id else None
    if path.startswith("/r/"):
        room_id = path[len("/r/") :]
        return (False, room_id) if room_id and "/" not in room_id else None
    return None


class EarlyRefusal:
    """WSGI middleware inside the proxy fix-up and the security headers, in front of everything else."""

    def __init__(self, wsgi_app: WsgiApp, app: Flask) -> None:
        self.wsgi_app = wsgi_app
        self._services: Services = app.extensions["ephemeral"]
        # Keyed by (the page's language or None for the API, the refusal's words): every answer it can give.
        self._bodies: dict[tuple[str | None, str], tuple[str, bytes]] = {}
        for text in (RateLimited.text, BUSY):
            answer = json.dumps({"error": RateLimited.code, "message": text}).encode()
            self._bodies[None, text] = ("application/json", answer)
            for language in languages.LANGUAGES:
                with app.test_request_context(headers={"Accept-Language": language.tag}):
                    page = render_template("refused.html", message=gettext(text)).encode()
                self._bodies[language.tag, text] = ("text/html; charset=utf-8", page)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "POST":
            found = target(environ.get("PATH_INFO", ""))
            if found is not None:
                api, room_id = found
                refusal = refusal_before_reading(self._services, environ.get("REMOTE_ADDR"), room_id)
                if refusal is not None:
                    language = None if api else languages.for_request(Request(environ)).tag
                    kind, body = self._bodies[language, refusal.message]
                    headers = [("Content-Type", kind), ("Content-Length", str(len(body))), *refusal.headers().items()]
                    start_response(STATUS, headers)
                    return [body]
        return self.wsgi_app(environ, start_response)
