"""Same-origin checks for the JSON API and Socket.IO connections."""

from __future__ import annotations

from flask import Request


def own_origin(request: Request) -> str:
    # Behind trusted proxies, ProxyFix has already put the public scheme and host here.
    return f"{request.scheme}://{request.host}"


def is_foreign(request: Request) -> bool:
    """True when a browser says the request comes from another site (or from `null`)."""
    origin = request.headers.get("Origin")
    return origin is not None and origin != own_origin(request)
