"""The site icon: a speech bubble, one small SVG for /favicon.ico and /favicon.svg."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

ICON = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    b'<rect x="2" y="3" width="28" height="21" rx="5" fill="#1d4ed8"/>'
    b'<path d="M9 24v6l7-6z" fill="#1d4ed8"/>'
    b'<path d="M10 11h12M10 16h8" stroke="#fff" stroke-width="2.5" stroke-linecap="round"/>'
    b"</svg>"
)


async def favicon(request: Request) -> Response:
    # Browsers ask /favicon.ico whatever the page says; an SVG answer is shown all the same.
    return Response(
        ICON, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"}
    )
