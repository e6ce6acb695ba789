"""Security and caching headers on every answer, as a plain ASGI middleware.

Starlette's ``@app.middleware("http")`` (``BaseHTTPMiddleware``) relays every chunk of a
streamed answer through an extra task and memory stream; with 200 wallboards on the
event stream that relay cost more CPU than computing the snapshots. This middleware only
touches the start of each answer, and streams pass through it untouched.
"""

from __future__ import annotations

import secrets
from collections.abc import MutableMapping
from typing import Any
from urllib.parse import parse_qs

from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Send

from omnikpi.web.i18n import LANGUAGES

LANGUAGE_COOKIE_SECONDS = 365 * 86400


def content_security_policy(nonce: str) -> str:
    """Scripts only from this server or inline with this response's nonce; no plugins,
    frames or foreign form targets. Plotly sets inline styles, so styles may be inline."""
    return "; ".join([
        "default-src 'self'", f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'unsafe-inline'", "img-src 'self' data: blob:",
        "font-src 'self' data:", "connect-src 'self'", "object-src 'none'",
        "base-uri 'self'", "frame-ancestors 'none'", "form-action 'self'",
    ])


def _language_cookie(lang: str) -> str:
    """The ``Set-Cookie`` value that remembers a language chosen with ``?lang=``."""
    carrier = Response()
    carrier.set_cookie("lang", lang, max_age=LANGUAGE_COOKIE_SECONDS, samesite="lax")
    return carrier.headers["set-cookie"]


class SecurityHeaders:
    """Gives each request a CSP nonce (``request.state.csp_nonce``, used by the templates)
    and each answer its Content-Security-Policy, ``no-store`` outside ``/static/`` (pages
    and answers hold someone's data), nosniff, frame and referrer rules, and the language
    cookie when the address chose a language."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive,
                       send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["csp_nonce"] = nonce
        path: str = scope.get("path", "")
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        lang = (query.get("lang") or [None])[-1]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", content_security_policy(nonce))
                if not path.startswith("/static/"):
                    headers.setdefault("Cache-Control", "no-store")
                if lang in LANGUAGES:
                    headers.append("set-cookie", _language_cookie(lang))
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "same-origin")
            await send(message)

        await self.app(scope, receive, with_headers)
