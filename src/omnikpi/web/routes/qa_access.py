"""Who may use the QA pages and what they see: the roles, the caller's scope over
evaluations, and the contacts of a question read from the caller's scoped data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from omnikpi.auth.accounts import Principal
from omnikpi.engine.timezones import to_datetime
from omnikpi.qa.calibration import (
    calibration_contacts,
    calibration_evaluators,
    calibration_report,
    is_blind,
)
from omnikpi.qa.sight import Sight
from omnikpi.qa.store import EVALUATOR_ROLES
from omnikpi.schema.convert import quote
from omnikpi.store.models import QaCalibration, QaEvaluation
from omnikpi.web.deps import View
from omnikpi.web.security import require_roles

EVALUATORS = EVALUATOR_ROLES
"""The roles that evaluate: a sample's queue is for one of them (``qa.store``)."""


def require_evaluator(view: View) -> Principal:
    require_roles(view.principal, *EVALUATORS)
    return view.principal


def require_reader(view: View) -> Principal:
    require_roles(view.principal, *EVALUATORS, "agent")
    return view.principal


def require_evaluation_reader(view: View) -> Principal:
    """Who may open an evaluation or list them: the readers, and a client account, which
    reads its own calibration evaluations (:func:`may_read_evaluation`): an invited
    client scores a session, and was refused the evaluations it had made."""
    require_roles(view.principal, *EVALUATORS, "agent", "client")
    return view.principal


def may_see(view: View, tenant: str | None, site: str | None, agent_id: str) -> bool:
    """Within the caller's tenant and sites; an agent, only their own contacts there
    (agent ids repeat across an outsourcer's clients)."""
    return visible_to(view)(tenant, site, agent_id)


def visible_to(view: View) -> Sight:
    """The caller's sight over QA records (used in SQL by the lists)."""
    principal = view.principal
    return Sight(view.scope, principal.role == "agent", principal.agent_id)


def contact_view(view: View, contact_ids: list[str]) -> dict[str, Any]:
    """The contacts of a question and their messages, from the caller's scoped data."""
    dataset = view.dataset
    marks = ", ".join("?" for _ in contact_ids)
    con = dataset.con
    def records(sql: str) -> list[dict[str, Any]]:
        cursor = con.execute(sql, contact_ids)
        names = [d[0] for d in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    contacts = records(f"SELECT * FROM contacts WHERE contact_id IN ({marks}) "
                       "ORDER BY arrived_at") if dataset.has("contacts") else []
    messages: list[dict[str, Any]] = []
    if dataset.has("messages"):
        columns = dataset.loads["messages"].columns
        text = next((c for c in ("text", "body", "message", "content") if c in columns), None)
        chosen = "contact_id, ts, sender, agent_id" + (f", {quote(text)} AS text" if text
                                                       else ", NULL AS text")
        messages = records(f"SELECT {chosen} FROM messages WHERE contact_id IN ({marks}) "
                           "ORDER BY ts")
    times = ("arrived_at", "accepted_at", "first_response_at", "abandoned_at", "ended_at", "ts")

    def shown(record: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in record.items():
            if value is None or (isinstance(value, float) and value != value):
                out[key] = None
            elif key in times:
                out[key] = to_datetime(int(value)).isoformat(timespec="seconds")
            else:
                out[key] = value
        return out

    return {"contacts": [shown(c) for c in contacts], "messages": [shown(m) for m in messages]}


def may_open(view: View, calibration: QaCalibration) -> bool:
    """An administrator (an unbounded account); an invited client account of the
    session's tenant; a supervisor of its tenant. A bounded account opens it only while
    every one of its contacts is in the account's scope *now* (as scoring one is checked):
    an invitation is checked against the evaluator's scope when the session is made, and
    a supervisor moved to other sites kept reading the old site's session — its contacts,
    every evaluator's scores — because being invited was enough."""
    principal = view.principal
    invited = principal.name in calibration_evaluators(calibration)
    if principal.role == "client":
        if not invited or calibration.tenant != principal.tenant:
            return False
    elif principal.role not in EVALUATORS:
        return False
    scope = view.scope
    if scope.unbounded:
        return True
    return (not scope.tenants or calibration.tenant in scope.tenants) \
        and all_visible(view, calibration_contacts(calibration))


def invited_anywhere(session: Session, principal: Principal) -> bool:
    """Whether a client account is an evaluator of a calibration session of its tenant
    (the only QA it takes part in)."""
    return any(principal.name in calibration_evaluators(c) for c in session.scalars(
        select(QaCalibration).where(QaCalibration.tenant == principal.tenant)))


def may_read_evaluation(view: View, session: Session, evaluation: QaEvaluation,
                        blind: dict[int, bool] | None = None) -> bool:
    """Whether the caller may read an evaluation they may see by its scope. A calibration
    evaluation is an exercise, not the agent's evaluation: its evaluator reads it, and
    whoever opens the session once they are not blind in it — not the agent (who saw
    and disputed calibration scores through the API), not an invited evaluator still
    scoring (who read the reference's answers to the contacts they had yet to score).
    A client account reads calibration evaluations only (those of the sessions it is
    invited to), never its tenant's evaluations of agents.
    ``blind`` remembers each session's verdict over a list of evaluations."""
    principal = view.principal
    if evaluation.calibration_id is None:
        return principal.role != "client"
    if principal.role == "agent":
        return False
    if evaluation.evaluator == principal.name:
        return True
    known = blind if blind is not None else {}
    if evaluation.calibration_id not in known:
        calibration = session.get(QaCalibration, evaluation.calibration_id)
        known[evaluation.calibration_id] = calibration is None or \
            not may_open(view, calibration) or \
            is_blind(calibration_report(session, calibration.id), principal.name)
    return not known[evaluation.calibration_id]


def all_visible(view: View, contact_ids: list[str]) -> bool:
    """Whether every one of the contacts is in the caller's scoped data: a count of their
    ids, not their rows and transcripts (the calibration list asks it of every session)."""
    wanted = sorted(set(contact_ids))
    if not wanted:
        return True
    if not view.dataset.has("contacts"):
        return False
    marks = ", ".join("?" for _ in wanted)
    found = view.dataset.con.execute(
        f"SELECT count(DISTINCT contact_id) FROM contacts WHERE contact_id IN ({marks})",
        wanted).fetchone()
    return found is not None and int(found[0]) == len(wanted)
