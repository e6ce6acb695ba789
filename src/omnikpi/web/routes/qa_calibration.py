"""Calibration set-up pages: find contacts by agent, queue and date, tick them, invite
evaluators from the accounts that may see them; the list of sessions a caller may open
(an invited client quality lead included)."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from omnikpi.qa.calibration_setup import find_contacts, invitable, places
from omnikpi.qa.forms import form_shelf, latest_forms
from omnikpi.qa.queries import default_form
from omnikpi.store.db import session_scope
from omnikpi.store.models import QaCalibration
from omnikpi.web.deps import ViewDep
from omnikpi.web.filters import day_window
from omnikpi.web.limits import INSTANT_CHARS, NAME_CHARS
from omnikpi.web.routes.qa_access import may_open, require_evaluator
from omnikpi.web.security import require_roles
from omnikpi.web.templating import templates

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Query(max_length=NAME_CHARS)]
Instant = Annotated[str, Query(max_length=INSTANT_CHARS)]
SHOWN = 50
"""Contacts listed to choose from, newest first (more: the page says to narrow)."""


@router.get("/qa/calibrations/new", response_class=HTMLResponse)
def new_calibration(request: Request, view: ViewDep, agent: Text = "", queue: Text = "",
                    from_: Annotated[str, Query(alias="from", max_length=INSTANT_CHARS)] = "",
                    to: Instant = "") -> Response:
    principal = require_evaluator(view)
    start, end = day_window(from_, to)  # the form's To day is included
    found = find_contacts(view.dataset, agent, queue, start, end, limit=SHOWN + 1)
    more = len(found) > SHOWN
    found = found[:SHOWN]
    with session_scope(view.state.database_url) as session:
        people = [(u.username, u.role) for u in invitable(session, places(found))] \
            if found else []
        channels = Counter(str(row.get("channel") or "") for row in found)
        usual = channels.most_common(1)[0][0] if channels else None
        preselected = default_form(session, usual, form_shelf(view))
        return templates.TemplateResponse(request, "qa_calibration_new.html", {
            "filters": None, "found": found, "people": people,
            "forms": latest_forms(session, form_shelf(view)),
            "preselected": preselected.id if preselected is not None else None,
            "me": principal.name,
            "search": {"agent": agent, "queue": queue, "from": from_, "to": to},
            "more": more, "shown": SHOWN})


@router.get("/qa/calibrations", response_class=HTMLResponse)
def calibrations(request: Request, view: ViewDep) -> Response:
    """The sessions the caller is invited to or may open."""
    principal = view.principal
    require_roles(principal, "admin", "supervisor", "client")
    with session_scope(view.state.database_url) as session:
        rows = [c for c in session.scalars(select(QaCalibration).order_by(
            QaCalibration.id.desc())) if may_open(view, c)]
        return templates.TemplateResponse(request, "qa_calibrations.html", {
            "filters": None, "calibrations": rows, "me": principal.name})
