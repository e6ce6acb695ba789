"""From evaluation to coaching.

Each failed item of an evaluation is the agent's error (*operator*: it goes to coaching) or
the process's (*process*: a script, a tool or a rule made it fail; it goes to the process
owner). A coaching session records the agent, the coach, the items covered, the agreed
actions and a follow-up date.

A covered item is named by its form and key, ``voice/correct_info``, as the export names
it: the shipped voice and text forms use one key for different checks (``correct_info``
is "correct and complete information" on a call, "correct information" in a chat), and
naming it by the key alone pooled the two checks in one before/after row. The form's
key, not its version, so the item is followed across the form's versions. A session saved
before (a bare key, ``correct_info``) covers every form's item of that key, each form's
in a row of its own; so does an item whose form and key together are longer than the
column that stores them (:data:`KEY_CHARS`).

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

ITEM_CHARS = 2 * KEY_CHARS + 1
"""The longest covered item a coach may send: a form's key, "/", an item's key."""


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


def form_item(form_key: str, item_key: str) -> str:
    """An item named by its form and key, as the export names it (``voice/correct_info``):
    the shipped forms use one key for different checks."""
    return f"{form_key}/{item_key}"


def covers(covered: str, form_key: str, item_key: str) -> bool:
    """Whether a covered item as a session stores it covers ``form_key``'s ``item_key``:
    that form's item, or — a bare key (a session saved before items were named by their
    form) — every form's item of that key."""
    return covered in (form_item(form_key, item_key), item_key)


def form_item_texts(session: Session, shelf: str | None = None) -> dict[str, str]:
    """Each form item's (``voice/correct_info``) text, from the newest version of its form
    among the forms seen from ``shelf`` (as :func:`item_texts`)."""
    query = select(QaForm.form_key, QaFormItem.item_key, QaFormItem.text).join(
        QaForm, QaForm.id == QaFormItem.form_id)
    if shelf is not None:
        query = query.where(QaForm.tenant_key.in_(("", shelf)))
    return {form_item(form_key, key): text for form_key, key, text in session.execute(
        query.order_by(QaFormItem.form_id, QaFormItem.position)).tuples()}


def covered_texts(session: Session, shelf: str | None = None) -> dict[str, str]:
    """What a covered item reads as, whether stored by form and key or (before) by key."""
    return {**item_texts(session, shelf), **form_item_texts(session, shelf)}


def agent_item_texts(session: Session, agent: QaEvaluation) -> dict[str, str]:
    """The items a coach may choose for ``agent`` (their newest evaluation), by form and
    key (``voice/correct_info``): those of the forms the agent's evaluations were scored
    with, worded as in the newest of them — a voice agent was offered the chat form's
    items, and voice items in the chat wording; an agent scored with both forms was
    offered one ``correct_info`` for the two forms' different checks."""
    rows = session.execute(
        select(QaForm.form_key, QaFormItem)
        .join(QaEvaluation, QaEvaluation.form_id == QaFormItem.form_id)
        .join(QaForm, QaForm.id == QaFormItem.form_id)
        .where(QaEvaluation.agent_id == agent.agent_id,
               QaEvaluation.tenant.is_(None) if agent.tenant is None
               else QaEvaluation.tenant == agent.tenant,
               QaEvaluation.calibration_id.is_(None))
        .order_by(QaEvaluation.evaluated_at, QaEvaluation.id, QaFormItem.position)
    ).tuples().all()
    texts: dict[str, str] = {}
    for form_key, item in rows:  # later (newer) evaluations' wording wins, first-seen order
        texts[form_item(form_key, item.item_key)] = item.text
    return texts


def agent_errors(session: Session, visible: Visible, agent: QaEvaluation) -> dict[str, int]:
    """The operator errors of ``agent`` (their id in its tenant) per form item, as
    :func:`agent_item_texts` names the items: the coaching page proposes those items."""
    marked = {(k.evaluation_id, k.item_id) for k in session.scalars(
        select(QaErrorKind).where(QaErrorKind.kind == "operator"))}
    form_keys = dict(session.execute(select(QaForm.id, QaForm.form_key)).tuples().all())
    errors: dict[str, int] = defaultdict(int)
    for evaluation, _answer, item, _queue in _scored(session, visible, agent):
        if (evaluation.id, item.id) in marked:
            errors[form_item(form_keys[item.form_id], item.item_key)] += 1
    return dict(errors)


def create_session(session: Session, agent: QaEvaluation, coach: str, held_on: date,
                   items: list[str], actions: str, follow_up_on: date | None
                   ) -> QaCoachingSession:
    """A coaching session with ``agent`` (their newest evaluation gives tenant and site)
    on ``items``: form items (``voice/correct_info``, as :func:`agent_item_texts` offers
    them) or bare keys (every form's item of that key, as sessions were saved before)."""
    check_length("coach", coach, NAME_CHARS)
    check_length("agreed actions", actions, LONG_TEXT_CHARS)
    keys = sorted(set(items))
    for key in keys:
        check_length("item", key, ITEM_CHARS)
    if not keys:
        raise UsageError("choose at least one item the session covered")
    shelf = agent.tenant or ""
    known = {key: key for key in item_texts(session, shelf)}
    known |= {form_item(form_key, key): key for form_key, key in session.execute(
        select(QaForm.form_key, QaFormItem.item_key).join(
            QaForm, QaForm.id == QaFormItem.form_id).where(
            QaForm.tenant_key.in_(("", shelf)))).tuples()}
    unknown = sorted(set(keys) - set(known))
    if unknown:
        raise UsageError(f"unknown checklist item(s): {', '.join(unknown[:5])}")
    # a form item too long for the column is stored by its key: it then covers every
    # form's item of that key, as a session saved before did
    keys = sorted({key if len(key) <= KEY_CHARS else known[key] for key in keys})
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
    form_key: str | None
    """The form of the item; None for a covered key no scored answer of the agent has."""
    item_key: str
    text: str
    """The item's wording in the newest version of its form the agent was scored with."""
    before: float | None
    """Mean item score (0–1) before the session's day; None without evaluations."""
    before_count: int
    after: float | None
    after_count: int

    @property
    def item(self) -> str:
        """The item as the export names it (``voice/correct_info``), or the covered key
        as stored when no answer of the agent has it."""
        return self.item_key if self.form_key is None else form_item(self.form_key,
                                                                     self.item_key)

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


def _moment(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def before_after(session: Session, coaching: QaCoachingSession) -> list[BeforeAfter]:
    """The agent's mean score of each covered item before and after the session: a row
    per form item (``voice/correct_info`` and ``text/correct_info`` apart, each worded as
    its form words it), in the order of the covered items; a covered item the agent has
    no scored answer for is a row without scores."""
    covered = covered_items(session, coaching.id)
    day_start = datetime.combine(coaching.held_on, time(), tzinfo=UTC)
    next_day = day_start + timedelta(days=1)
    # a stored key is a form item or a bare key: the item keys it may name
    candidates = set(covered) | {key.split("/", 1)[1] for key in covered if "/" in key}
    rows = session.execute(
        select(QaEvaluation.evaluated_at, QaForm.id, QaForm.form_key, QaFormItem.item_key,
               QaFormItem.text, QaAnswer.score)
        .join(QaAnswer, QaAnswer.evaluation_id == QaEvaluation.id)
        .join(QaFormItem, QaFormItem.id == QaAnswer.item_id)
        .join(QaForm, QaForm.id == QaFormItem.form_id)
        .where(QaEvaluation.agent_id == coaching.agent_id,
               QaEvaluation.tenant.is_(None) if coaching.tenant is None
               else QaEvaluation.tenant == coaching.tenant,
               QaEvaluation.calibration_id.is_(None), QaAnswer.score.is_not(None),
               QaFormItem.item_key.in_(candidates))).tuples().all()
    scores: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    worded: dict[tuple[str, str], tuple[int, str]] = {}
    for evaluated_at, form_id, form_key, key, text, value in rows:
        if value is None or not any(covers(c, form_key, key) for c in covered):
            continue
        pair = (form_key, key)
        if pair not in worded or form_id > worded[pair][0]:
            worded[pair] = (form_id, text)  # the newest version the agent was scored with
        moment = _moment(evaluated_at)
        if moment < day_start:
            scores[(form_key, key, "before")].append(float(value))
        elif moment >= next_day:
            scores[(form_key, key, "after")].append(float(value))
    texts = covered_texts(session, coaching.tenant or "")

    def mean(values: list[float]) -> float | None:
        return sum(values) / len(values) if values else None

    out: list[BeforeAfter] = []
    for stored in covered:
        pairs = sorted(p for p in worded if covers(stored, *p))
        if not pairs:
            out.append(BeforeAfter(None, stored, texts.get(stored, stored), None, 0, None, 0))
        for form_key, key in pairs:
            if any(r.form_key == form_key and r.item_key == key for r in out):
                continue  # covered twice (by form item and by bare key): one row
            before, after = (scores[(form_key, key, when)] for when in ("before", "after"))
            out.append(BeforeAfter(form_key, key, worded[(form_key, key)][1], mean(before),
                                   len(before), mean(after), len(after)))
    return out


def session_json(session: Session, coaching: QaCoachingSession) -> dict[str, Any]:
    return {"id": coaching.id, "agent_id": coaching.agent_id, "tenant": coaching.tenant,
            "coach": coaching.coach,
            "held_on": coaching.held_on.isoformat(), "actions": coaching.actions,
            "follow_up_on": coaching.follow_up_on.isoformat()
            if coaching.follow_up_on else None,
            "items": [{"item": r.item, "text": r.text, "before": r.before,
                       "before_count": r.before_count, "after": r.after,
                       "after_count": r.after_count}
                      for r in before_after(session, coaching)]}
