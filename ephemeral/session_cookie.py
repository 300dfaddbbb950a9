"""The session cookie: `__Host-ephemeral` when served over https, `ephemeral` over plain http.

A browser keeps a `__Host-` cookie only if it is `Secure`, has `Path=/` and no
`Domain`, so no other host under the same domain, and no plain-http page, can
set or overwrite it. Each scheme reads only its own name: the plain cookie is
never accepted over https, nor the `__Host-` one over http.
"""

from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface

SECURE_NAME = "__Host-ephemeral"
PLAIN_NAME = "ephemeral"


def cookie_name(secure: bool) -> str:
    """The session cookie's name for a request that came over https (`secure`) or plain http."""
    return SECURE_NAME if secure else PLAIN_NAME


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, named and marked by the scheme the browser used (directly or via a trusted proxy)."""

    def get_cookie_name(self, app: Flask) -> str:
        return cookie_name(request.is_secure)

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure or bool(app.config["SESSION_COOKIE_SECURE"])

    def get_cookie_domain(self, app: Flask) -> str | None:
        # A Domain would widen the cookie to sibling hosts, and a `__Host-` cookie with one is dropped.
        return None

    def get_cookie_path(self, app: Flask) -> str:
        return "/"
