"""A query parameter given twice: joined when it is a list, refused when it is one value.

The routes read ``metrics``, ``by`` and the filters as comma-separated lists, and one
value of everything else; given twice (``metrics=offered&metrics=aht``, as a script
builds a URL from a list), the framework kept the last and the report answered for
``aht`` alone, without a word. Here a list's repeats join as if written with commas
(``metrics=offered,aht``), and a one-value parameter given twice with different values
is a 400 naming it, before any route runs: the ``{"detail": …}`` of the API for a
script, and for a page a browser opened (``/?grain=day&grain=hour``) the site's error
page in the page's language (a bare JSON text there left the user without a way on).
"""

from __future__ import annotations

import json
from collections.abc import Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Receive, Send

from omnikpi.web.page_errors import is_page

LISTS = ("metrics", "by", "channel", "queue", "site", "tenant", "agent_id", "direction",
         "topic", "campaign", "lead_type", "boards")
"""Parameters read as comma-separated lists: their repeats are joined."""

SINGLES = ("grain", "tz", "from", "to", "to_day", "as_of", "engine", "metric", "part",
           "sort", "dir", "format", "limit", "page", "size", "lang", "flag", "source",
           "before_id", "title", "definition", "day", "moved", "edit", "kind", "subject",
           "agent", "form_id", "next", "error", "rotate", "board")
"""Parameters of one value: repeats with different values are refused. Every query
parameter a route declares as one value is here or in ``LISTS`` (``flag``, ``source``,
``before_id`` and ``title`` were not: given twice, the last was used without a word);
``tests/web/test_api_consistency.py`` reads the routes to keep it so."""

SINGLES_AT = {"/audit": ("actor", "action"), "/audit.csv": ("actor", "action")}
"""Parameters of one value on some paths only, a list (repeated) on the others: the audit
page's search takes one actor and one action, ``/api/v1/audit`` any number of each."""


def _seen(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {}
    for key, value in pairs:
        seen.setdefault(key, []).append(value)
    return seen


def singles_at(path: str) -> tuple[str, ...]:
    """The one-value parameters of ``path``."""
    return SINGLES + SINGLES_AT.get(path, ())


def repeated_single(query: str, path: str = "") -> tuple[str, list[str]] | None:
    """The first one-value parameter ``query`` gives with different values (at ``path``):
    its name and every value given, in order (None: none)."""
    seen = _seen(parse_qsl(query, keep_blank_values=True))
    for key in singles_at(path):
        values = seen.get(key, [])
        if len(set(values)) > 1:
            return key, values
    return None


def joined_query(query: str, path: str = "") -> tuple[str, str | None]:
    """``query`` (of a request to ``path``) with each list's repeats joined (in order,
    where it first stood), and the refusal for a one-value parameter given differently
    twice (None: none)."""
    pairs = parse_qsl(query, keep_blank_values=True)
    seen = _seen(pairs)
    singles = singles_at(path)
    repeated = repeated_single(query, path)
    if repeated is not None:
        key, values = repeated
        shown = ", ".join(repr(v[:40]) for v in dict.fromkeys(values))
        return query, f"{key} is given {len(values)} times ({shown}): give it once"
    if not any(len(seen.get(key, [])) > 1 for key in (*LISTS, *singles)):
        return query, None
    out: list[tuple[str, str]] = []
    done: set[str] = set()
    for key, value in pairs:
        if key in LISTS or key in singles:
            if key in done:
                continue
            done.add(key)
            parts = [v for v in seen[key] if v] if key in LISTS else seen[key][:1]
            out.append((key, ",".join(parts)))
        else:
            out.append((key, value))
    return urlencode(out), None


PAGE = """{% extends "base.html" %}
{% block title %}OmniKPI — {{ _("Please check the values") }}{% endblock %}
{% block content %}
<div class="error-box" id="error" role="alert">
  <strong>{{ _("Please check the values") }}</strong>
  <p id="error-message">{{ error }}</p>
</div>
{% endblock %}"""
"""The error page (``error.html``'s box) without its filter form: the middleware answers
before any route has read the caller or their data, so the form is not shown (its hint,
"change the values above", would point at nothing)."""


def page_message(key: str, values: list[str], _: Callable[[str], str]) -> str:
    """The refusal as a page says it, in the page's language."""
    shown = ", ".join(v[:40] for v in dict.fromkeys(values))
    return _("The address gives “{name}” more than one value ({values}): keep one of "
             "them.").format(name=key[:40], values=shown)


def error_page(scope: MutableMapping[str, Any], key: str, values: list[str]) -> Response:
    """The site's 400 page for a browser's page address that gives ``key`` twice."""
    from omnikpi.web.i18n import choose_language, template_context, translator
    from omnikpi.web.templating import templates

    request = Request(scope)
    message = page_message(key, values, translator(choose_language(request)))
    page = templates.env.from_string(PAGE)  # base.html, its globals and filters
    return HTMLResponse(page.render({**template_context(request), "request": request,
                                     "filters": None, "error": message}), status_code=400)


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
        path = scope.get("path", "")
        query, refusal = joined_query(raw.decode("latin-1"), path)
        if refusal is not None:
            repeated = repeated_single(raw.decode("latin-1"), path)
            if repeated is not None and is_page(Request(scope)):
                await error_page(scope, *repeated)(scope, receive, send)
                return
            body = json.dumps({"detail": refusal}).encode()
            await send({"type": "http.response.start", "status": 400,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        scope["query_string"] = query.encode("latin-1")
        await self.app(scope, receive, send)
