"""The audit log page (``/audit``) and its CSV (``/audit.csv``): administrators only.

An administrator asked "who downloaded client A's contacts in March?" or "whose
password was tried from that address?" had ``GET /api/v1/audit`` and its newest 200
entries. The page searches by actor, action and days (inclusive, in the server's zone,
as the dashboard's), a page of 200 at a time, newest first, and downloads what it found —
a download that is itself in the log, since the log holds people's addresses.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from omnikpi.auth.audit_actions import action_label
from omnikpi.auth.audit_search import (
    MAX_PAGE,
    AuditSearch,
    entry_json,
    every_entry,
    find_entries,
    search_of,
    write_csv,
)
from omnikpi.engine.timezones import zone
from omnikpi.errors import UsageError
from omnikpi.store.db import session_scope
from omnikpi.store.models import AuditEntry
from omnikpi.web.audit_trail import record
from omnikpi.web.deps import State
from omnikpi.web.filters import day_window
from omnikpi.web.i18n import choose_language, translator
from omnikpi.web.known_params import REFUSE_UNKNOWN
from omnikpi.web.page_errors import page_message
from omnikpi.web.security import Caller, require_roles
from omnikpi.web.templating import templates

router = APIRouter(include_in_schema=False)

PAGE = 200
"""Entries on one page ("Older entries" shows the next)."""


def _search(state: State, actor: str, action: str, from_day: str, to_day: str,
            before_id: int | None, limit: int) -> AuditSearch:
    """The form's fields as a search: the To day inclusive, days in the server's zone; a
    To day before the From day is the filters' refusal (the search's own named the day
    after the one typed, in English)."""
    start, end = day_window(from_day, to_day)
    return search_of([actor] if actor else (), [action] if action else (),
                     start or None, end or None, state.tz, before_id, limit)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, state: State, principal: Caller,
               actor: str = "", action: str = "",
               from_: Annotated[str, Query(alias="from")] = "", to: str = "",
               before_id: int | None = None) -> Response:
    require_roles(principal, "admin")
    form = {"actor": actor.strip(), "action": action.strip(), "from": from_, "to": to}
    error: str | None = None
    entries: list[dict[str, Any]] = []
    local = zone(state.tz)
    with session_scope(state.database_url) as session:
        actions = list(session.scalars(select(AuditEntry.action).distinct()
                                       .order_by(AuditEntry.action)))
        try:
            # one more than a page says whether an older page exists
            search = _search(state, form["actor"], form["action"], from_, to, before_id,
                             PAGE + 1)
            for found in find_entries(session, search):
                entry = entry_json(found)
                entry["when"] = datetime.fromisoformat(entry["at"]).astimezone(local)
                entries.append(entry)
        except UsageError as exc:
            error = page_message(exc, translator(choose_language(request)))
    query = {k: v for k, v in form.items() if v}
    return templates.TemplateResponse(request, "audit.html", {
        "filters": None, "actions": _choices(actions, translator(choose_language(request))),
        "form": form, "action_label": action_label,
        "error": error, "tz": state.tz, "query": query,
        "entries": entries[:PAGE],
        "older": entries[PAGE - 1]["id"] if len(entries) > PAGE else None,
        "newest": before_id is not None}, status_code=400 if error else 200)


def _choices(actions: list[str], translate: Callable[[str], str]) -> list[dict[str, Any]]:
    """The search's action choices, by their names in the page's language, in that
    language's alphabetical order; an action this version has no name for shows its id
    (after the named ones)."""
    choices = [{"id": a, "label": translate(label) if (label := action_label(a)) else a,
                "named": label is not None} for a in actions]
    return sorted(choices, key=lambda c: (not c["named"], str(c["label"]).casefold()))


@router.get("/audit.csv", dependencies=REFUSE_UNKNOWN)
def audit_csv(request: Request, state: State, principal: Caller,
              actor: str = "", action: str = "",
              from_: Annotated[str, Query(alias="from")] = "", to: str = "") -> Response:
    """Every entry the page's search finds (not only its first page), newest first; a
    page's ``before_id`` (or any parameter the file does not read) is refused, not ignored
    into the whole log."""
    require_roles(principal, "admin")
    search = _search(state, actor.strip(), action.strip(), from_, to, None, MAX_PAGE)
    with session_scope(state.database_url) as session:
        entries = [entry_json(e) for e in every_entry(session, search)]
    out = io.StringIO()
    write_csv(out, entries, "\r\n")
    record(request, state.database_url, principal.name, "export",
           {"what": "audit log", "query": str(request.url.query), "entries": len(entries)})
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'})
