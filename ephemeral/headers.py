"""Security headers on every response, error pages included."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, request

# No inline script or style anywhere. Media from other hosts is allowed only so
# that a reader can load it on purpose; the client never loads it unasked.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' https:",
        "media-src https:",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ]
)

STATIC_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    # Nothing is worth keeping: no page, no API answer, no asset in any cache.
    "Cache-Control": "no-store, max-age=0",
    "Pragma": "no-cache",
}


def add_security_headers(response: Response) -> Response:
    response.headers.update(STATIC_HEADERS)
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


def register(app: Flask) -> None:
    app.after_request(add_security_headers)


class EveryResponse:
    """WSGI middleware: the static headers on responses Flask never sees.

    Flask-SocketIO answers `/socket.io/` (Engine.IO polling, which carries
    messages) before Flask runs, so `after_request` cannot reach those answers.
    """

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]]) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            present = {name.lower() for name, _ in headers}
            headers = headers + [(name, value) for name, value in STATIC_HEADERS.items() if name.lower() not in present]
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)
