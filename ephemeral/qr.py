"""QR codes of room links, drawn on the server as SVG: no script, no network call."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(url: str) -> Markup:
    """Inline SVG of `url`. Safe to embed: segno draws paths only, no text or script."""
    code = segno.make(url, error="m")
    return Markup(code.svg_inline(scale=5, border=2, dark="#000", light="#fff", svgclass="qr", lineclass=None))
