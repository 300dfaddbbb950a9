"""CSRF protection for HTML forms: a per-session token plus Fetch Metadata.

Origin cannot be used for forms: with `Referrer-Policy: no-referrer`, Chromium
sends `Origin: null` on same-origin form posts.
"""

from __future__ import annotations

import hmac
import secrets

from flask import Request, session

from .errors import BadCsrf

SESSION_KEY = "csrf"
FIELD = "csrf_token"


def token() -> str:
    value = session.get(SESSION_KEY)
    if not isinstance(value, str):
        value = secrets.token_urlsafe(32)
        session[SESSION_KEY] = value
    return value


def check(request: Request) -> None:
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in ("same-origin", "none"):
        raise BadCsrf()
    expected = session.get(SESSION_KEY)
    sent = request.form.get(FIELD, "")
    if not isinstance(expected, str) or not hmac.compare_digest(expected.encode(), sent.encode("utf-8", "replace")):
        raise BadCsrf()
