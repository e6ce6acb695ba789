"""Evaluations: scoring a sampled contact, the agent's acknowledgement or dispute, and the
canonical ``qa_evaluations`` / ``qa_items`` files that feed ``contact_quality`` and
``qa_score`` in every report."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from omnikpi.errors import NotFoundError, UsageError
from omnikpi.instants import stored_utc
from omnikpi.qa.forms import form_items, score
from omnikpi.store.models import QaAnswer, QaEvaluation, QaForm, QaFormItem, QaSampleItem

EXPORT_NAME = "omnikpi-qa.csv"
"""The module's files inside the dataset folder: ``qa_evaluations/omnikpi-qa.csv`` and
``qa_items/omnikpi-qa.csv`` (a dataset may hold its own QA files beside them)."""


class AlreadyEvaluated(UsageError):
    """A sampled contact is evaluated once: a second submit (a double click, the browser's
    back button and send again) names the evaluation it already has."""

    def __init__(self, evaluation_id: int) -> None:
        super().__init__(f"this contact of the sample is already evaluated "
                         f"(evaluation {evaluation_id})")
        self.evaluation_id = evaluation_id


class AlreadyAnswered(UsageError):
    """An agent's answer is final: acknowledging, then disputing (or disputing again)
    flipped the status and overwrote the first answer (HTTP 409)."""

    def __init__(self, status: str) -> None:
        super().__init__(f"this evaluation is already {status}: an agent answers an "
                         "evaluation once")
        self.status = status


def evaluation_of_item(session: Session, sample_item_id: int) -> int | None:
    """The id of the evaluation a sampled contact was given, if any."""
    found = session.scalars(select(QaEvaluation.id).where(
        QaEvaluation.sample_item_id == sample_item_id).order_by(QaEvaluation.id)).first()
    return None if found is None else int(found)


@dataclass(frozen=True)
class Subject:
    """What is evaluated: a contact or a chain, with its agent and place."""

    contact_id: str
    agent_id: str
    chain_id: str | None = None
    tenant: str | None = None
    site: str | None = None


def submit(session: Session, form_id: int, subject: Subject, evaluator: str,
           answers: dict[int, float | None], comment: str = "",
           sample_item_id: int | None = None,
           calibration_id: int | None = None) -> QaEvaluation:
    form = session.get(QaForm, form_id)
    if form is None:
        raise NotFoundError(f"no QA form {form_id}")
    sampled = None
    if sample_item_id is not None:
        # locked until the commit, so that two submits at once cannot both pass this check
        sampled = session.get(QaSampleItem, sample_item_id, with_for_update=True)
        if sampled is not None and sampled.status == "done":
            earlier = evaluation_of_item(session, sample_item_id)
            if earlier is not None:
                raise AlreadyEvaluated(earlier)
    items = form_items(session, form_id)
    value, critical = score(items, answers)
    evaluation = QaEvaluation(
        form_id=form_id, sample_item_id=sample_item_id, calibration_id=calibration_id,
        contact_id=subject.contact_id, chain_id=subject.chain_id, agent_id=subject.agent_id,
        tenant=subject.tenant, site=subject.site, evaluator=evaluator, score=value,
        critical_error=critical, comment=comment)
    session.add(evaluation)
    session.flush()
    for item in items:
        session.add(QaAnswer(evaluation_id=evaluation.id, item_id=item.id,
                             score=answers[item.id]))
    if sampled is not None:
        sampled.status = "done"
    return evaluation


def respond(session: Session, evaluation_id: int, agent_id: str | None, action: str,
            comment: str = "") -> QaEvaluation:
    """The agent acknowledges or disputes an evaluation of their own contact."""
    evaluation = session.get(QaEvaluation, evaluation_id)
    if evaluation is None or (agent_id is not None and evaluation.agent_id != agent_id):
        raise NotFoundError("no such evaluation of yours")
    if evaluation.status != "submitted":
        raise AlreadyAnswered(evaluation.status)
    if action not in ("acknowledge", "dispute"):
        raise UsageError("action must be acknowledge or dispute")
    if action == "dispute" and not comment.strip():
        raise UsageError("say why you dispute the evaluation")
    evaluation.status = "acknowledged" if action == "acknowledge" else "disputed"
    evaluation.agent_comment = comment
    evaluation.answered_at = datetime.now(UTC)
    return evaluation


def _iso(value: datetime) -> str:
    return stored_utc(value).isoformat()


def export_canonical(session: Session, folder: Path) -> tuple[int, int]:
    """Write every evaluation to ``folder``'s qa_evaluations and qa_items tables."""
    rows = session.execute(select(QaEvaluation, QaForm).join(
        QaForm, QaForm.id == QaEvaluation.form_id).order_by(QaEvaluation.id)).all()
    evaluations = folder / "qa_evaluations"
    items_dir = folder / "qa_items"
    evaluations.mkdir(parents=True, exist_ok=True)
    items_dir.mkdir(parents=True, exist_ok=True)
    scratch = evaluations / (EXPORT_NAME + ".tmp")
    item_scratch = items_dir / (EXPORT_NAME + ".tmp")
    try:
        answered = _write_tables(session, rows, scratch, item_scratch)
    finally:  # nothing half written stays beside the tables
        scratch.unlink(missing_ok=True)
        item_scratch.unlink(missing_ok=True)
    return len(rows), answered


def _write_tables(session: Session, rows: Sequence[Row[QaEvaluation, QaForm]],
                  scratch: Path, item_scratch: Path) -> int:
    """Both tables written to their scratch files, then put in place; the answers'
    count."""
    with scratch.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["evaluation_id", "contact_id", "chain_id", "agent_id", "evaluator_id",
                      "form_id", "evaluated_at", "score", "critical_error", "calibration"])
        for evaluation, form in rows:
            out.writerow([f"omnikpi-qa-{evaluation.id}", evaluation.contact_id,
                          evaluation.chain_id or "", evaluation.agent_id,
                          evaluation.evaluator, f"{form.form_key}@v{form.version}",
                          # the score as stored (repr: the shortest exact text): six
                          # decimals wrote 79.9999996 as 80.000000, a failed evaluation
                          # counted passed against a pass score of 80
                          _iso(evaluation.evaluated_at), repr(float(evaluation.score)),
                          str(evaluation.critical_error).lower(),
                          str(evaluation.calibration_id is not None).lower()])
    answers = session.execute(select(QaAnswer, QaFormItem, QaForm.form_key).join(
        QaFormItem, QaFormItem.id == QaAnswer.item_id).join(
        QaForm, QaForm.id == QaFormItem.form_id).order_by(QaAnswer.id)).all()
    with item_scratch.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["evaluation_id", "item_id", "weight", "score", "critical"])
        for answer, item, form_key in answers:
            # an item is its form's: the shipped voice and text forms share keys for
            # different checks (correct_info), and qa_item_score pooled the two in one row.
            # The form's versions share it: a v2 keeps checking what v1 did.
            out.writerow([f"omnikpi-qa-{answer.evaluation_id}", f"{form_key}/{item.item_key}",
                          item.weight,
                          "" if answer.score is None else answer.score,
                          str(item.critical).lower()])
    scratch.replace(scratch.with_name(EXPORT_NAME))
    item_scratch.replace(item_scratch.with_name(EXPORT_NAME))
    return len(answers)
