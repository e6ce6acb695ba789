"""What the QA pages read from the application database, filtered to what the caller may
see. ``visible(tenant, site, agent_id)`` is the caller's scope (an agent: their own
evaluations only); the pages hold no queries of their own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from omnikpi.qa.forms import latest_forms
from omnikpi.store.models import (
    QaAnswer,
    QaCalibration,
    QaEvaluation,
    QaForm,
    QaSample,
    QaSampleItem,
)

Visible = Callable[[str | None, str | None, str | None], bool]


def samples_with_progress(session: Session, visible: Visible) -> list[dict[str, Any]]:
    """Every sample with its visible items' count and how many are done, newest first
    (a sample whose items are all out of scope is left out)."""
    out = []
    for sample in session.scalars(select(QaSample).order_by(QaSample.id.desc())):
        items = session.scalars(select(QaSampleItem).where(
            QaSampleItem.sample_id == sample.id)).all()
        mine = [i for i in items if visible(i.tenant, i.site, i.agent_id)]
        if mine or not items:
            out.append({"sample": sample, "total": len(mine),
                        "done": sum(i.status == "done" for i in mine)})
    return out


def pending_items(session: Session, evaluator: str, visible: Visible,
                  limit: int = 200) -> tuple[list[QaSampleItem], int]:
    """The evaluator's queue: the first ``limit`` pending items given to them or to
    nobody in particular that they may see, and how many there are in all. (The limit
    was taken before the scope: a site supervisor whose first 200 pending items were
    another site's saw an empty queue.)"""
    pending = session.scalars(select(QaSampleItem).where(
        QaSampleItem.status == "pending",
        (QaSampleItem.evaluator == evaluator) | QaSampleItem.evaluator.is_(None))
        .order_by(QaSampleItem.id))
    mine = [i for i in pending if visible(i.tenant, i.site, i.agent_id)]
    return mine[:limit], len(mine)


def recent_evaluations(session: Session, visible: Visible, limit: int = 100,
                       calibrations: bool = False) -> list[QaEvaluation]:
    """The newest visible evaluations (calibration evaluations only when asked)."""
    query = select(QaEvaluation).order_by(QaEvaluation.id.desc()).limit(limit * 5)
    if not calibrations:
        query = query.where(QaEvaluation.calibration_id.is_(None))
    return [e for e in session.scalars(query)
            if visible(e.tenant, e.site, e.agent_id)][:limit]


def calibration_sessions(session: Session, tenant_visible: Callable[[str | None], bool]
                         ) -> list[QaCalibration]:
    return [c for c in session.scalars(select(QaCalibration).order_by(
        QaCalibration.id.desc())) if tenant_visible(c.tenant)]


def sample_items(session: Session, sample_id: int, visible: Visible) -> list[QaSampleItem]:
    return [i for i in session.scalars(select(QaSampleItem).where(
        QaSampleItem.sample_id == sample_id).order_by(QaSampleItem.agent_id, QaSampleItem.id))
        if visible(i.tenant, i.site, i.agent_id)]


def answers_of(session: Session, evaluation_id: int) -> dict[int, float | None]:
    """An evaluation's answers by form item id (None: not applicable)."""
    return {a.item_id: a.score for a in session.scalars(
        select(QaAnswer).where(QaAnswer.evaluation_id == evaluation_id))}


def default_form(session: Session, channel: str | None,
                 shelf: str | None = None) -> QaForm | None:
    """The newest form seen from ``shelf`` for the contact's kind of channel (voice or
    text), else any."""
    kind = "voice" if (channel or "").lower() in ("voice", "video", "callback") else "text"
    forms = latest_forms(session, shelf)
    return next((f for f in forms if f.channel_kind == kind), None) or \
        next((f for f in forms if f.channel_kind == "any"), None) or \
        (forms[0] if forms else None)


def scored_in_calibration(session: Session, calibration_id: int, evaluator: str,
                          contact_id: str) -> bool:
    """Whether ``evaluator`` scored ``contact_id`` in the session already: a second score,
    given after seeing the others', silently replaced the first and moved alpha."""
    return session.scalar(select(QaEvaluation.id).where(
        QaEvaluation.calibration_id == calibration_id, QaEvaluation.evaluator == evaluator,
        QaEvaluation.contact_id == contact_id).limit(1)) is not None
