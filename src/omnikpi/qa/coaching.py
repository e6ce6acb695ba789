"""From evaluation to coaching.

Each failed item of an evaluation is the agent's error (*operator*: it goes to coaching) or
the process's (*process*: a script, a tool or a rule made it fail; it goes to the process
owner). A coaching session records the agent, the coach, the items covered (by item key,
so they follow the item across form versions), the agreed actions and a follow-up date.

Before and after: the agent's mean score per covered item over their evaluations (never
calibration ones) dated before the session's day, and after it; the session's own day
counts for neither, so an evaluation that prompted the session is never "after" it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from omnikpi.errors import UsageError
from omnikpi.qa.queries import Visible
from omnikpi.store.models import QaAnswer, QaEvaluation, QaForm, QaFormItem, QaSampleItem
from omnikpi.store.models_qa_coaching import (
    ERROR_KINDS,
    QaCoachingItem,
    QaCoachingSession,
    QaErrorKind,
)
from omnikpi.web.limits import KEY_CHARS, LONG_TEXT_CHARS, NAME_CHARS, check_length


def save_error_kinds(session: Session, evaluation: QaEvaluation,
                     kinds: dict[int, str]) -> None:
    """Mark each failed item (score below 1) of ``evaluation`` with its error kind; an
    item without a kind given is the operator's (the usual case)."""
    for answer in session.scalars(select(QaAnswer).where(
            QaAnswer.evaluation_id == evaluation.id)):
        if answer.score is None or answer.score >= 1.0:
            continue
        kind = kinds.get(answer.item_id, "operator")
        if kind not in ERROR_KINDS:
            raise UsageError(f"an error is one of {', '.join(ERROR_KINDS)}, not {kind!r}")
        session.add(QaErrorKind(evaluation_id=evaluation.id, item_id=answer.item_id,
                                kind=kind))


def error_kinds_of(session: Session, evaluation_id: int) -> dict[int, str]:
    """An evaluation's failed items by form item id → operator or process."""
    return {k.item_id: k.kind for k in session.scalars(select(QaErrorKind).where(
        QaErrorKind.evaluation_id == evaluation_id))}


@dataclass(frozen=True)
class ErrorCount:
    item_key: str
    text: str
    queue: str | None
    errors: int
    evaluations: int
    """Evaluations in which the item was scored (not N/A) for that queue."""

    @property
    def share(self) -> float:
        return self.errors / self.evaluations if self.evaluations else 0.0


def _scored(session: Session, visible: Visible, agent: QaEvaluation | None = None
            ) -> list[tuple[QaEvaluation, QaAnswer, QaFormItem, str | None]]:
    """Every visible non-calibration answer that was scored, with its item and queue (of
    ``agent``'s id in its tenant only, when given)."""
    query = (select(QaEvaluation, QaAnswer, QaFormItem, QaSampleItem.queue)
             .join(QaAnswer, QaAnswer.evaluation_id == QaEvaluation.id)
             .join(QaFormItem, QaFormItem.id == QaAnswer.item_id)
             .outerjoin(QaSampleItem, QaSampleItem.id == QaEvaluation.sample_item_id)
             .where(QaEvaluation.calibration_id.is_(None), QaAnswer.score.is_not(None)))
    if agent is not None:
        query = query.where(QaEvaluation.agent_id == agent.agent_id,
                            QaEvaluation.tenant.is_(None) if agent.tenant is None
                            else QaEvaluation.tenant == agent.tenant)
    query = query.where(visible.clause(QaEvaluation))
    return [(e, a, i, q) for e, a, i, q in session.execute(query).all()]


def error_report(session: Session, visible: Visible, kind: str = "process",
                 agent: QaEvaluation | None = None) -> list[ErrorCount]:
    """Errors of one kind by item and queue, most frequent first (for the process owner:
    ``process``; for coaching: ``operator`` of one agent — ``agent``, their newest
    evaluation: their id in its tenant, as the items offered and the before/after are)."""
    if kind not in ERROR_KINDS:
        raise UsageError(f"an error is one of {', '.join(ERROR_KINDS)}, not {kind!r}")
    scored = _scored(session, visible, agent)
    marked = {(k.evaluation_id, k.item_id) for k in session.scalars(
        select(QaErrorKind).where(QaErrorKind.kind == kind))}
    # an item is its key and its wording: two forms (voice, text) may use one key for two
    # different checks, and each row must read as the evaluator scored it
    errors: dict[tuple[str, str, str | None], int] = defaultdict(int)
    seen: dict[tuple[str, str, str | None], int] = defaultdict(int)
    for evaluation, _answer, item, queue in scored:
        key = (item.item_key, item.text, queue)
        seen[key] += 1
        errors[key] += (evaluation.id, item.id) in marked
    rows = [ErrorCount(k, text, q, errors[(k, text, q)], seen[(k, text, q)])
            for (k, text, q) in seen if errors[(k, text, q)]]
    return sorted(rows, key=lambda r: (-r.errors, r.item_key, r.queue or "", r.text))


def coachable_agents(session: Session, visible: Visible) -> list[QaEvaluation]:
    """The newest visible evaluation of each evaluated agent in each tenant: ids repeat
    across an outsourcer's clients, and an agent evaluated for two was offered for one
    only, with the other's errors proposed."""
    newest: dict[tuple[str, str], QaEvaluation] = {}
    for evaluation in session.scalars(select(QaEvaluation).where(
            QaEvaluation.calibration_id.is_(None), visible.clause(QaEvaluation))
            .order_by(QaEvaluation.id)):
        newest[(evaluation.agent_id, evaluation.tenant or "")] = evaluation
    return [newest[a] for a in sorted(newest)]


def item_texts(session: Session, shelf: str | None = None) -> dict[str, str]:
    """Each item key's text, from the newest form version that has it — among the forms
    seen from ``shelf`` (a tenant's own and the operator's; None: every form). A
    tenant's private wording labelled another tenant's coaching sessions."""
    query = select(QaFormItem).join(QaForm, QaForm.id == QaFormItem.form_id)
    if shelf is not None:
        query = query.where(QaForm.tenant_key.in_(("", shelf)))
    return {i.item_key: i.text for i in session.scalars(
        query.order_by(QaFormItem.form_id, QaFormItem.position))}


def agent_item_texts(session: Session, agent: QaEvaluation) -> dict[str, str]:
    """The items a coach may choose for ``agent`` (their newest evaluation): those of the
    forms the agent's evaluations were scored with, worded as in the newest of them — a
    voice agent was offered the chat form's items, and voice items in the chat wording."""
    rows = session.scalars(
        select(QaFormItem)
        .join(QaEvaluation, QaEvaluation.form_id == QaFormItem.form_id)
        .where(QaEvaluation.agent_id == agent.agent_id,
               QaEvaluation.tenant.is_(None) if agent.tenant is None
               else QaEvaluation.tenant == agent.tenant,
               QaEvaluation.calibration_id.is_(None))
        .order_by(QaEvaluation.evaluated_at, QaEvaluation.id, QaFormItem.position)).all()
    texts: dict[str, str] = {}
    for item in rows:  # later (newer) evaluations' wording wins, first-seen order kept
        texts[item.item_key] = item.text
    return texts


def create_session(session: Session, agent: QaEvaluation, coach: str, held_on: date,
                   items: list[str], actions: str, follow_up_on: date | None
                   ) -> QaCoachingSession:
    """A coaching session with ``agent`` (their newest evaluation gives tenant and site)."""
    check_length("coach", coach, NAME_CHARS)
    check_length("agreed actions", actions, LONG_TEXT_CHARS)
    keys = sorted(set(items))
    for key in keys:
        check_length("item", key, KEY_CHARS)
    if not keys:
        raise UsageError("choose at least one item the session covered")
    unknown = sorted(set(keys) - set(item_texts(session, agent.tenant or "")))
    if unknown:
        raise UsageError(f"unknown checklist item(s): {', '.join(unknown[:5])}")
    if not actions.strip():
        raise UsageError("write the actions agreed with the agent")
    if follow_up_on is not None and follow_up_on < held_on:
        raise UsageError("the follow-up date cannot be before the session")
    row = QaCoachingSession(agent_id=agent.agent_id, tenant=agent.tenant, site=agent.site,
                            coach=coach, held_on=held_on, actions=actions.strip(),
                            follow_up_on=follow_up_on)
    session.add(row)
    session.flush()
    for key in keys:
        session.add(QaCoachingItem(session_id=row.id, item_key=key))
    session.flush()
    return row


def sessions_of(session: Session, visible: Visible, agent_id: str | None = None
                ) -> list[QaCoachingSession]:
    """Visible coaching sessions, newest first (one agent's when ``agent_id``)."""
    query = select(QaCoachingSession).order_by(QaCoachingSession.held_on.desc(),
                                               QaCoachingSession.id.desc())
    if agent_id is not None:
        query = query.where(QaCoachingSession.agent_id == agent_id)
    return list(session.scalars(query.where(visible.clause(QaCoachingSession))))


def covered_items(session: Session, session_id: int) -> list[str]:
    return list(session.scalars(select(QaCoachingItem.item_key).where(
        QaCoachingItem.session_id == session_id).order_by(QaCoachingItem.item_key)))


@dataclass(frozen=True)
class BeforeAfter:
    item_key: str
    text: str
    before: float | None
    """Mean item score (0–1) before the session's day; None without evaluations."""
    before_count: int
    after: float | None
    after_count: int

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


def _moment(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def before_after(session: Session, coaching: QaCoachingSession) -> list[BeforeAfter]:
    """The agent's mean score of each covered item before and after the session."""
    keys = covered_items(session, coaching.id)
    day_start = datetime.combine(coaching.held_on, time(), tzinfo=UTC)
    next_day = day_start + timedelta(days=1)
    scores: dict[tuple[str, str], list[float]] = defaultdict(list)
    rows = session.execute(
        select(QaEvaluation.evaluated_at, QaFormItem.item_key, QaAnswer.score)
        .join(QaAnswer, QaAnswer.evaluation_id == QaEvaluation.id)
        .join(QaFormItem, QaFormItem.id == QaAnswer.item_id)
        .where(QaEvaluation.agent_id == coaching.agent_id,
               QaEvaluation.tenant.is_(None) if coaching.tenant is None
               else QaEvaluation.tenant == coaching.tenant,
               QaEvaluation.calibration_id.is_(None), QaAnswer.score.is_not(None),
               QaFormItem.item_key.in_(keys))).all()
    for evaluated_at, key, value in rows:
        if value is None:
            continue
        moment = _moment(evaluated_at)
        if moment < day_start:
            scores[(key, "before")].append(float(value))
        elif moment >= next_day:
            scores[(key, "after")].append(float(value))
    texts = item_texts(session, coaching.tenant or "")

    def mean(values: list[float]) -> float | None:
        return sum(values) / len(values) if values else None

    return [BeforeAfter(k, texts.get(k, k), mean(scores[(k, "before")]),
                        len(scores[(k, "before")]), mean(scores[(k, "after")]),
                        len(scores[(k, "after")])) for k in keys]


def session_json(session: Session, coaching: QaCoachingSession) -> dict[str, Any]:
    return {"id": coaching.id, "agent_id": coaching.agent_id, "coach": coaching.coach,
            "held_on": coaching.held_on.isoformat(), "actions": coaching.actions,
            "follow_up_on": coaching.follow_up_on.isoformat()
            if coaching.follow_up_on else None,
            "items": [{"item": r.item_key, "before": r.before, "before_count": r.before_count,
                       "after": r.after, "after_count": r.after_count}
                      for r in before_after(session, coaching)]}
