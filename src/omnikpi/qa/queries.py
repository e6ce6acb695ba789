"""What the QA pages read from the application database, filtered to what the caller may
see. ``visible`` is the caller's :class:`~omnikpi.qa.sight.Sight` (an agent: their own
evaluations only), applied in SQL before any limit; the pages hold no queries of their
own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from omnikpi.auth.scope import Scope
from omnikpi.qa.forms import latest_forms
from omnikpi.qa.sight import Sight
from omnikpi.store.models import (
    QaAnswer,
    QaCalibration,
    QaEvaluation,
    QaForm,
    QaSample,
    QaSampleItem,
)

Visible = Sight


def samples_with_progress(session: Session, visible: Visible,
                          shelf: str | None = None) -> list[dict[str, Any]]:
    """Every sample with its visible items' count and how many are done, newest first
    (a sample whose items are all out of scope is left out, and an empty one of another
    tenant: :func:`sample_visible`). Two grouped queries, not one per sample: a QA team
    makes a sample a day for years."""
    done = case((QaSampleItem.status == "done", 1), else_=0)
    shown = {sample_id: (total, finished) for sample_id, total, finished in session.execute(
        select(QaSampleItem.sample_id, func.count(), func.sum(done))
        .where(visible.clause(QaSampleItem)).group_by(QaSampleItem.sample_id))}
    with_items = set(session.scalars(select(QaSampleItem.sample_id).distinct()))
    out = []
    for sample in session.scalars(select(QaSample).order_by(QaSample.id.desc())):
        if sample.id in shown or (sample.id not in with_items
                                  and own_sample(sample, shelf)):
            total, finished = shown.get(sample.id, (0, 0))
            out.append({"sample": sample, "total": int(total), "done": int(finished or 0)})
    return out


def own_sample(sample: QaSample, shelf: str | None) -> bool:
    """Whether a viewer (``shelf``: :func:`omnikpi.qa.forms.form_shelf`) is an unbounded
    one or of the sample's own tenant: an empty sample is theirs alone. (Whether its
    population is said to them: :func:`population_shown`.)"""
    return shelf is None or (sample.tenant or "") == shelf


def population_shown(sample: QaSample, scope: Scope) -> bool:
    """Whether a viewer of ``scope`` is told the sample's population ("54 of 4,672"): only
    when their scope covers the one it was drawn in, else it counts units they may not see.
    A sample records the tenant it was drawn for, not the sites: one drawn with no tenant
    is the operator's, over every tenant or over some sites, and only an unbounded viewer
    covers it — a Kyiv supervisor read the whole center's units (Lviv's volume) as theirs.
    One of a tenant is covered by a viewer of that tenant not bounded by sites; a viewer
    bounded by sites cannot be shown to cover the sites it was drawn in, and reads the
    items they see, without the "of"."""
    if scope.unbounded:
        return True
    if scope.nothing or scope.agent is not None or scope.sites:
        return False
    return sample.tenant is not None and sample.tenant in scope.tenants


def sample_visible(session: Session, sample: QaSample, visible: Visible,
                   shelf: str | None) -> bool:
    """Whether a viewer may open a sample: one of its items is in their scope, or it is
    an empty sample of theirs. Another tenant's sample page showed its name, evaluator
    and handled-contact count (only its rows were filtered)."""
    has_visible = session.scalar(select(func.count()).select_from(QaSampleItem).where(
        QaSampleItem.sample_id == sample.id, visible.clause(QaSampleItem)))
    if has_visible:
        return True
    has_any = session.scalar(select(func.count()).select_from(QaSampleItem).where(
        QaSampleItem.sample_id == sample.id))
    return not has_any and own_sample(sample, shelf)


def pending_items(session: Session, evaluator: str, visible: Visible,
                  limit: int = 200) -> tuple[list[QaSampleItem], int]:
    """The evaluator's queue: the first ``limit`` pending items given to them or to
    nobody in particular that they may see, and how many there are in all. (The limit
    was taken before the scope: a site supervisor whose first 200 pending items were
    another site's saw an empty queue.)"""
    mine = (QaSampleItem.status == "pending",
            (QaSampleItem.evaluator == evaluator) | QaSampleItem.evaluator.is_(None),
            visible.clause(QaSampleItem))
    count = session.scalar(select(func.count()).select_from(QaSampleItem).where(*mine))
    first = session.scalars(select(QaSampleItem).where(*mine)
                            .order_by(QaSampleItem.id).limit(limit))
    return list(first), int(count or 0)


def recent_evaluations(session: Session, visible: Visible, limit: int = 100,
                       calibrations: bool = False, only_calibrations: bool = False
                       ) -> list[QaEvaluation]:
    """The newest visible evaluations (calibration evaluations only when asked, or only
    they). The scope is applied before the limit: the newest 500 of the whole center, cut
    to an agent's own, left most agents an empty list."""
    query = select(QaEvaluation).where(visible.clause(QaEvaluation)) \
        .order_by(QaEvaluation.id.desc()).limit(limit)
    if only_calibrations:
        query = query.where(QaEvaluation.calibration_id.is_not(None))
    elif not calibrations:
        query = query.where(QaEvaluation.calibration_id.is_(None))
    return list(session.scalars(query))


def pass_scores(session: Session, form_ids: set[int]) -> dict[int, float | None]:
    """Each form's pass score (None: a form without one), by form id."""
    if not form_ids:
        return {}
    return dict(session.execute(select(QaForm.id, QaForm.pass_score).where(
        QaForm.id.in_(sorted(form_ids)))).tuples().all())


def calibration_sessions(session: Session, tenant_visible: Callable[[str | None], bool]
                         ) -> list[QaCalibration]:
    return [c for c in session.scalars(select(QaCalibration).order_by(
        QaCalibration.id.desc())) if tenant_visible(c.tenant)]


def sample_items(session: Session, sample_id: int, visible: Visible) -> list[QaSampleItem]:
    return list(session.scalars(select(QaSampleItem).where(
        QaSampleItem.sample_id == sample_id, visible.clause(QaSampleItem))
        .order_by(QaSampleItem.agent_id, QaSampleItem.id)))


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
