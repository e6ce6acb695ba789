"""A query parameter given twice: joined when it is a list, refused when it is one value.

The routes read ``metrics``, ``by`` and the filters as comma-separated lists, and one
value of everything else; given twice (``metrics=offered&metrics=aht``, as a script
builds a URL from a list), the framework kept the last and the report answered for
``aht`` alone, without a word. Here a list's repeats join as if written with commas
(``metrics=offered,aht``), and a one-value parameter given twice with different values
is a 400 naming it, before any route runs.
"""

from __future__ import annotations

import json
from collections.abc import MutableMapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Receive, Send

LISTS = ("metrics", "by", "channel", "queue", "site", "tenant", "agent_id", "direction")
"""Parameters read as comma-separated lists: their repeats are joined."""

SINGLES = ("grain", "tz", "from", "to", "to_day", "as_of", "engine", "metric", "part",
           "sort", "dir", "format", "limit", "page", "size", "lang")
"""Parameters of one value: repeats with different values are refused."""


def joined_query(query: str) -> tuple[str, str | None]:
    """``query`` with each list's repeats joined (in order, where it first stood), and
    the refusal for a one-value parameter given differently twice (None: none)."""
    pairs = parse_qsl(query, keep_blank_values=True)
    seen: dict[str, list[str]] = {}
    for key, value in pairs:
        seen.setdefault(key, []).append(value)
    for key in SINGLES:
        values = seen.get(key, [])
        if len(set(values)) > 1:
            shown = ", ".join(repr(v[:40]) for v in dict.fromkeys(values))
            return query, f"{key} is given {len(values)} times ({shown}): give it once"
    if not any(len(seen.get(key, [])) > 1 for key in (*LISTS, *SINGLES)):
        return query, None
    out: list[tuple[str, str]] = []
    done: set[str] = set()
    for key, value in pairs:
        if key in LISTS or key in SINGLES:
            if key in done:
                continue
            done.add(key)
            parts = [v for v in seen[key] if v] if key in LISTS else seen[key][:1]
            out.append((key, ",".join(parts)))
        else:
            out.append((key, value))
    return urlencode(out), None


class RepeatedParams:
    """ASGI middleware applying :func:`joined_query` to every HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive,
                       send: Send) -> None:
        raw = scope.get("query_string", b"") if scope["type"] == "http" else b""
        if not raw:
            await self.app(scope, receive, send)
            return
        query, refusal = joined_query(raw.decode("latin-1"))
        if refusal is not None:
            body = json.dumps({"detail": refusal}).encode()
            await send({"type": "http.response.start", "status": 400,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        scope["query_string"] = query.encode("latin-1")
        await self.app(scope, receive, send)
