"""Calibration: how far evaluators agree when they score the same contacts.

For each item: the spread of the evaluators' item scores (mean over contacts of the
population standard deviation across evaluators) and Krippendorff's alpha (interval
level, from the maintained ``krippendorff`` package) over all contacts. For the total
score: alpha over the evaluators × contacts matrix, and each evaluator's mean absolute
difference from the reference evaluator and share of contacts judged the same way
(pass / defective) as the reference. Per evaluator and item: the mean signed deviation
from the reference's item score (``deviations``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import krippendorff
import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from omnikpi.errors import UsageError
from omnikpi.qa.chain_text import chain_ids, chain_text
from omnikpi.qa.forms import passes
from omnikpi.store.models import QaAnswer, QaCalibration, QaEvaluation, QaForm, QaFormItem
from omnikpi.web.limits import MAX_INT


def alpha(matrix: list[list[float | None]]) -> float | None:
    """Krippendorff's alpha (interval) of raters × units; None when undefined (fewer than
    two pairable values, or no variation at all)."""
    data = np.array([[np.nan if v is None else v for v in row] for row in matrix], dtype=float)
    pairable = int(np.sum(np.sum(~np.isnan(data), axis=0) >= 2))
    values = data[~np.isnan(data)]
    if pairable == 0 or values.size < 2 or np.all(values == values[0]):
        return None
    result = float(krippendorff.alpha(reliability_data=data,
                                      level_of_measurement="interval"))
    return None if math.isnan(result) else result


def contacts_text(contact_ids: Iterable[str]) -> str:
    """A session's contacts as its ``contact_ids`` column keeps them: a JSON array. They
    were joined with spaces and split on them, and a contact id with a space ("o 1",
    which the data model allows, ticked on the set-up page) became two contacts that do
    not exist: the session refused to open, its report counted the wrong evaluations."""
    return chain_text(contact_ids)


def evaluators_text(names: Iterable[str]) -> str:
    """A session's evaluators as its ``evaluators`` column keeps them: a JSON array. They
    were joined with spaces, and an account named "anna k" (a name may hold a space)
    became the evaluators "anna" and "k": the session waited for a third evaluator and
    refused anna k's scores."""
    return chain_text(names)


def calibration_evaluators(calibration: QaCalibration) -> list[str]:
    """The evaluators of a session, in order: a JSON array, or (a session made before)
    names separated by spaces. Every reader of the column asks here."""
    return chain_ids(calibration.evaluators)


def calibration_contacts(calibration: QaCalibration) -> list[str]:
    """The contacts of a session, in order: its column holds a JSON array, or (a session
    made before) ids separated by spaces. Every reader of the column asks here."""
    return chain_ids(calibration.contact_ids)


def calibration_report(session: Session, calibration_id: int) -> dict[str, Any]:
    calibration = session.get(QaCalibration, calibration_id) \
        if 0 < calibration_id <= MAX_INT else None
    if calibration is None:
        raise UsageError(f"no calibration session {calibration_id}")
    form = session.get(QaForm, calibration.form_id)
    assert form is not None
    contacts = calibration_contacts(calibration)
    evaluators = calibration_evaluators(calibration)
    items = list(session.scalars(select(QaFormItem).where(
        QaFormItem.form_id == form.id).order_by(QaFormItem.position)))
    latest: dict[tuple[str, str], QaEvaluation] = {}
    for evaluation in session.scalars(select(QaEvaluation).where(
            QaEvaluation.calibration_id == calibration_id).order_by(QaEvaluation.id)):
        latest[(evaluation.evaluator, evaluation.contact_id)] = evaluation
    answers: dict[int, dict[int, float | None]] = defaultdict(dict)
    ids = [e.id for e in latest.values()]
    for answer in session.scalars(select(QaAnswer).where(QaAnswer.evaluation_id.in_(ids))):
        answers[answer.evaluation_id][answer.item_id] = answer.score

    def value(evaluator: str, contact: str, item: QaFormItem | None) -> float | None:
        evaluation = latest.get((evaluator, contact))
        if evaluation is None:
            return None
        return evaluation.score if item is None else answers[evaluation.id].get(item.id)

    item_rows = []
    for item in items:
        matrix = [[value(e, c, item) for c in contacts] for e in evaluators]
        spreads = []
        for column in zip(*matrix, strict=True):
            present = [v for v in column if v is not None]
            if len(present) >= 2:
                spreads.append(float(np.std(present)))
        item_rows.append({"item": item.item_key, "text": item.text, "group": item.group_name,
                          "weight": item.weight, "critical": item.critical,
                          "spread": float(np.mean(spreads)) if spreads else None,
                          "alpha": alpha(matrix)})
    totals = [[value(e, c, None) for c in contacts] for e in evaluators]
    pass_score = form.pass_score

    def verdict(evaluator: str, contact: str) -> bool | None:
        evaluation = latest.get((evaluator, contact))
        if evaluation is None:
            return None
        return passes(evaluation.score, evaluation.critical_error, pass_score)

    versus = []
    for evaluator in evaluators:
        if evaluator == calibration.reference:
            continue
        diffs = [abs(a - b) for a, b in (
            (value(evaluator, c, None), value(calibration.reference, c, None))
            for c in contacts) if a is not None and b is not None]
        same = [verdict(evaluator, c) == verdict(calibration.reference, c) for c in contacts
                if verdict(evaluator, c) is not None
                and verdict(calibration.reference, c) is not None]
        versus.append({"evaluator": evaluator, "contacts": len(diffs),
                       "mean_abs_difference": float(np.mean(diffs)) if diffs else None,
                       "same_verdict": sum(same) / len(same) if same else None})
    deviations = {e: {item.item_key: _deviation(
        [(value(e, c, item), value(calibration.reference, c, item)) for c in contacts])
        for item in items} for e in evaluators if e != calibration.reference}
    done = sum(1 for e in evaluators for c in contacts if (e, c) in latest)
    return {"calibration": calibration.id, "name": calibration.name,
            "form": f"{form.form_key}@v{form.version}", "pass_score": form.pass_score,
            "reference": calibration.reference,
            "evaluators": evaluators, "contacts": contacts,
            "evaluations": done, "expected": len(evaluators) * len(contacts),
            "score_alpha": alpha(totals),
            "scores": {e: {c: value(e, c, None) for c in contacts} for e in evaluators},
            "items": item_rows, "versus_reference": versus, "deviations": deviations}


def is_blind(report: dict[str, Any], me: str) -> bool:
    """Whether ``me``, an invited evaluator, has contacts of the session still to score:
    until then the others' scores and the results are hidden from them, since seen
    before they sway the very scores the session compares."""
    return me in report["evaluators"] and any(
        report["scores"][me][c] is None for c in report["contacts"])


def as_seen_by(report: dict[str, Any], me: str) -> dict[str, Any]:
    """The report as ``me`` may read it: whole, or, while blind, the session's progress
    and their own scores only (which contacts the others have scored, not how). The page
    and the API show the same (the API returned every score to a blind evaluator)."""
    if not is_blind(report, me):
        return {**report, "blind": False}
    hidden = ("score_alpha", "items", "versus_reference", "deviations")
    seen = {key: value for key, value in report.items() if key not in hidden}
    seen["scores"] = {me: report["scores"][me]}
    seen["scored"] = {e: [c for c in report["contacts"] if report["scores"][e][c] is not None]
                      for e in report["evaluators"]}
    return {**seen, "blind": True}


def _deviation(pairs: list[tuple[float | None, float | None]]) -> float | None:
    """Mean signed difference (evaluator − reference) of an item over the contacts both
    scored: above 0 the evaluator is more lenient than the reference, below 0 stricter."""
    both = [a - b for a, b in pairs if a is not None and b is not None]
    return sum(both) / len(both) if both else None
