"""Security headers on every response, error pages included."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

# No inline script or style anywhere. Media from other hosts is allowed only so
# that a reader can load it on purpose; the client never loads it unasked.
# `blob:` images are the files people send, made in the page from bytes it
# checked are an image (never SVG), and revoked when the conversation goes.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' https: blob:",
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


HSTS = ("Strict-Transport-Security", "max-age=31536000")
_OURS = frozenset(name.lower() for name in (*STATIC_HEADERS, HSTS[0]))


class SecurityHeaders:
    """WSGI middleware: the headers above on every answer, ours or a library's.

    It wraps Flask-SocketIO's middleware too, because Engine.IO answers
    `/socket.io/` (polling carries messages) before Flask runs. Our values
    replace any a library set (Flask's static files say `no-cache`).
    """

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]]) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        ours = list(STATIC_HEADERS.items())
        if environ.get("wsgi.url_scheme") == "https":  # after ProxyFix, when a proxy is trusted
            ours.append(HSTS)

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            kept = [(name, value) for name, value in headers if name.lower() not in _OURS]
            return start_response(status, kept + ours, exc_info)

        return self.wsgi_app(environ, start)
