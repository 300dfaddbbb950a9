"""Turns every failure into a clear 4xx (or a bare 500) without leaking details."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from .errors import EphemeralError, Invalid, MethodNotAllowed, NotFound
from .i18n import gettext
from .logs import Safe
from .views import gone_page
from .words import N_

log = logging.getLogger("ephemeral")


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _respond(status: int, code: str, message: str, headers: dict[str, str] | None = None, **params: object) -> Response:
    """The API's English `message`; a page's words in the reader's language, slots filled after translation."""
    if _wants_json():
        response = jsonify(error=code, message=message % params if params else message)
    else:
        words = gettext(message) % params if params else gettext(message)
        response = Response(render_template("error.html", status=status, message=words, here="/"), mimetype="text/html")
    response.status_code = status
    response.headers.update(headers or {})
    return response


def _ephemeral_error(error: EphemeralError) -> Response:
    if isinstance(error, NotFound) and not _wants_json():
        return gone_page()
    return _respond(error.status, error.code, error.words, error.headers(), **error.params)


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    if status == 404:
        if _wants_json() or request.path.startswith("/r/"):
            return _ephemeral_error(NotFound())
        return _respond(404, "not_found", N_("There is nothing at this address."))
    if status in (400, 413):
        # Malformed or oversized bodies are the client's mistake: 400 `invalid`.
        return _respond(400, Invalid.code, Invalid.text)
    if status == 405:
        return _ephemeral_error(MethodNotAllowed())
    if 400 <= status < 500:  # any other refusal by Flask or Werkzeug keeps its status
        return _respond(status, Invalid.code, Invalid.text)
    return _unexpected(error)


def _unexpected(error: Exception) -> Response:
    log.error("unhandled %s in a request", Safe(type(error).__qualname__))
    internal = EphemeralError()
    return _respond(internal.status, internal.code, internal.message)


def _undecodable(error: UnicodeDecodeError) -> Response:
    """A query or form that is not UTF-8 (Werkzeug decodes it strictly when it is read): the client's mistake."""
    return _respond(400, Invalid.code, Invalid.text)


def register(app: Flask) -> None:
    app.register_error_handler(EphemeralError, _ephemeral_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(UnicodeDecodeError, _undecodable)
    app.register_error_handler(Exception, _unexpected)
