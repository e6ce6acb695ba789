"""From evaluation to coaching in the web app: the report of errors by item and queue
(process errors for the process owner), coaching sessions with the agent's item scores
before and after, and the agent's own coaching history."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from omnikpi.auth.accounts import audit
from omnikpi.errors import UsageError
from omnikpi.qa.coaching import (
    ITEM_CHARS,
    agent_errors,
    agent_item_texts,
    before_after,
    coachable_agents,
    covered_items,
    covered_texts,
    create_session,
    error_report,
    sessions_of,
)
from omnikpi.qa.forms import form_shelf
from omnikpi.store.db import session_scope
from omnikpi.store.models import QaEvaluation
from omnikpi.store.models_qa_coaching import ERROR_KINDS, QaCoachingSession
from omnikpi.web.deps import RowId, ViewDep
from omnikpi.web.limits import LONG_TEXT_CHARS, MAX_INT, NAME_CHARS
from omnikpi.web.routes.qa_access import may_see, require_evaluator, require_reader, visible_to
from omnikpi.web.templating import templates

router = APIRouter(include_in_schema=False)


@router.get("/qa/errors", response_class=HTMLResponse)
def errors_page(request: Request, view: ViewDep,
                kind: Annotated[str, Query(max_length=NAME_CHARS)] = "process") -> Response:
    """Failed items of one kind by item and queue: process errors go to the process owner,
    operator errors to coaching."""
    require_evaluator(view)
    if kind not in ERROR_KINDS:
        raise UsageError(f"kind must be one of {', '.join(ERROR_KINDS)}")
    with session_scope(view.state.database_url) as session:
        rows = error_report(session, visible_to(view), kind)
        return templates.TemplateResponse(request, "qa_errors.html", {
            "filters": None, "rows": rows, "kind": kind, "kinds": ERROR_KINDS})


def _day(raw: str, what: str) -> date | None:
    if not raw.strip():
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise UsageError(f"{what} {raw!r} is not a date (YYYY-MM-DD)") from None


def _subject_id(text: str) -> int | None:
    """The agent chosen (an evaluation's id); ``?subject=``, the form sent with no agent
    to choose, is none chosen (it was a 422: "subject: «» is not a whole number")."""
    if not text.strip():
        return None
    digits = text.strip()  # "²" is a digit to isdigit(), not to int()
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 20 \
            or not 1 <= int(digits) <= MAX_INT:
        raise UsageError(f"subject must be a whole number from 1 to {MAX_INT:,}")
    return int(text)


@router.get("/qa/coaching", response_class=HTMLResponse)
def coaching_page(request: Request, view: ViewDep,
                  subject: Annotated[str, Query(max_length=NAME_CHARS)] = ""
                  ) -> Response:
    """Coaches: the sessions they may see and a new one (``subject``: the agent's newest
    evaluation, whose operator errors are proposed as the items to cover). An agent: their
    own coaching history."""
    principal = require_reader(view)
    visible = visible_to(view)
    with session_scope(view.state.database_url) as session:
        agent = principal.agent_id if principal.role == "agent" else None
        history = sessions_of(session, visible, agent)
        agents = coachable_agents(session, visible) if agent is None else []
        chosen = next((a for a in agents if a.id == _subject_id(subject)), None)
        # by form item (voice/correct_info), as the choices: the shipped forms share keys
        errors = agent_errors(session, visible, chosen) if chosen else {}
        return templates.TemplateResponse(request, "qa_coaching.html", {
            "filters": None, "history": history, "agents": agents, "chosen": chosen,
            "errors": errors, "texts": covered_texts(session, form_shelf(view)),
            "choices": agent_item_texts(session, chosen) if chosen else {},
            "today": date.today(),
            "coach": agent is None,
            "covered": {s.id: covered_items(session, s.id) for s in history}})


@router.post("/qa/coaching")
def create_coaching(view: ViewDep, subject: Annotated[int, Form(ge=1, le=MAX_INT)],
                    held_on: Annotated[str, Form(max_length=NAME_CHARS)],
                    actions: Annotated[str, Form(max_length=LONG_TEXT_CHARS)],
                    follow_up_on: Annotated[str, Form(max_length=NAME_CHARS)] = "",
                    item: Annotated[list[str] | None, Form(max_length=ITEM_CHARS)] = None
                    ) -> Response:
    principal = require_evaluator(view)
    held = _day(held_on, "session date")
    if held is None:
        raise UsageError("give the session's date")
    with session_scope(view.state.database_url) as session:
        agent = session.get(QaEvaluation, subject)
        if agent is None or not may_see(view, agent.tenant, agent.site, agent.agent_id):
            raise HTTPException(404, "no such agent evaluation")
        row = create_session(session, agent, principal.name, held, list(item or []),
                             actions, _day(follow_up_on, "follow-up date"))
        audit(session, principal.name, "qa_coaching", {"session": row.id,
                                                       "agent": row.agent_id})
        return RedirectResponse(f"/qa/coaching/{row.id}", status_code=303)


@router.get("/qa/coaching/{session_id}", response_class=HTMLResponse)
def coaching_session_page(request: Request, view: ViewDep, session_id: RowId) -> Response:
    require_reader(view)
    with session_scope(view.state.database_url) as session:
        coaching = session.get(QaCoachingSession, session_id)
        if coaching is None or not may_see(view, coaching.tenant, coaching.site,
                                            coaching.agent_id):
            raise HTTPException(404, "no such coaching session")
        return templates.TemplateResponse(request, "qa_coaching_session.html", {
            "filters": None, "coaching": coaching, "rows": before_after(session, coaching)})
