"""QA forms: weighted checklists with groups, critical items and N/A, versioned; scoring.

A form is written in TOML (see ``qa_forms/``)::

    key = "voice"
    name = "Voice call"
    channel_kind = "voice"        # voice | text | any
    pass_score = 80               # optional: the pass/defective verdict of calibrations
    [[items]]
    group = "Greeting"
    key = "greet"
    text = "Greets by the standard script"
    weight = 2
    critical = false
    allow_na = false

Score of an evaluation = 100 × Σ weight × item score / Σ weight over the items that apply
(N/A items are left out of both sums); an item score is 1 (met), 0 (not met) or between.
A critical item scored below 1 makes the evaluation a critical error: the contact counts
as defective in ``contact_quality`` whatever its score. The form's ``pass_score`` gives the
verdict calibration sessions compare (same verdict as the reference); a report's
``contact_quality`` counts a score below its own ``pass_score`` parameter as defective
(the evaluations in the dataset do not carry their form's pass score).
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from omnikpi.errors import UsageError, read_text
from omnikpi.store.models import QaForm, QaFormItem
from omnikpi.web.limits import KEY_CHARS, LONG_TEXT_CHARS, NAME_CHARS, check_length

CHANNEL_KINDS = ("voice", "text", "any")
MAX_WEIGHT = 1_000_000
"""An item's largest weight (NaN, infinite or astronomic weights made scores NaN)."""


@dataclass(frozen=True)
class ItemSpec:
    group: str
    key: str
    text: str
    weight: float = 1.0
    critical: bool = False
    allow_na: bool = True


@dataclass(frozen=True)
class FormSpec:
    key: str
    name: str
    items: tuple[ItemSpec, ...]
    channel_kind: str = "any"
    pass_score: float | None = None


FORM_KEYS = ("key", "name", "channel_kind", "pass_score", "items")
ITEM_KEYS = ("group", "key", "text", "weight", "critical", "allow_na")
"""What a form file may say: a misspelt key (``critcal = true``, ``pass_scor = 95``) was
ignored, and the item read as not critical or the form as without a pass score."""


def parse_form(data: dict[str, Any], source: str = "form") -> FormSpec:
    _known_keys(data, FORM_KEYS, source)
    if not isinstance(data.get("items", []), list) or not all(
            isinstance(i, dict) for i in data.get("items", [])):
        raise UsageError(f"{source}: items must be [[items]] tables")
    for number, item in enumerate(data.get("items", []), start=1):
        _known_keys(item, ITEM_KEYS, f"{source}: item {number}")
    try:
        items = tuple(_item(i, f"{source}: item {n}")
                      for n, i in enumerate(data.get("items", []), start=1))
        spec = FormSpec(_text(data["key"], f"{source}: key"),
                        _text(data.get("name", data["key"]), f"{source}: name"), items,
                        _text(data.get("channel_kind", "any"), f"{source}: channel_kind"),
                        _number(data["pass_score"], f"{source}: pass_score")
                        if data.get("pass_score") is not None else None)
    except KeyError as exc:
        raise UsageError(f"{source}: every form needs key, and every item group, key and "
                         f"text ({exc})") from exc
    check_form(spec, source)
    return spec


def _item(table: dict[str, Any], where: str) -> ItemSpec:
    return ItemSpec(_text(table["group"], f"{where}'s group"),
                    _text(table["key"], f"{where}'s key"),
                    _text(table["text"], f"{where}'s text"),
                    _number(table.get("weight", 1.0), f"{where}'s weight"),
                    _flag(table.get("critical", False), f"{where}'s critical"),
                    _flag(table.get("allow_na", True), f"{where}'s allow_na"))


def _text(value: Any, what: str) -> str:
    """A text of a form file: ``text = ["x"]`` was stored as the text "['x']"."""
    if not isinstance(value, str):
        raise UsageError(f"{what} is {_as_written(value)}: write a text in quotes")
    return value


def _number(value: Any, what: str) -> float:
    """A number of a form file: ``weight = true`` was read as 1 (a bool is an int)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UsageError(f"{what} is {_as_written(value)}: write a number")
    return float(value)


def _as_written(value: Any) -> str:
    """A value of a form file as TOML writes it (``true``, ``["x"]``), not as Python."""
    return json.dumps(value, ensure_ascii=False, default=str)


def _known_keys(table: dict[str, Any], known: tuple[str, ...], where: str) -> None:
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise UsageError(f"{where}: unknown key(s) {', '.join(unknown)}; the keys are "
                         f"{', '.join(known)}")


def _flag(value: Any, what: str) -> bool:
    """A yes/no of a form file: true/false, or a word of :data:`YES` / :data:`NO` (the web
    form's). ``bool("no")`` is true: ``critical = "no"`` made the item critical."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in YES | NO:
        return value.strip().lower() in YES
    raise UsageError(f"{what} is {value!r}: write true or false")


def check_form(spec: FormSpec, source: str = "form") -> None:
    check_length(f"{source}: key", spec.key, KEY_CHARS)
    check_length(f"{source}: name", spec.name, NAME_CHARS)
    for number, item in enumerate(spec.items, start=1):
        check_length(f"{source}: item {number}'s group", item.group, NAME_CHARS)
        check_length(f"{source}: item {number}'s key", item.key, KEY_CHARS)
        check_length(f"{source}: item {number}'s text", item.text, LONG_TEXT_CHARS)
    for number, item in enumerate(spec.items, start=1):
        _check_filled(item, f"{source}: item {number}")
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", spec.key):
        raise UsageError(f"{source}: key must be lower-case letters, digits, - or _")
    if spec.channel_kind not in CHANNEL_KINDS:
        raise UsageError(f"{source}: channel_kind must be one of {', '.join(CHANNEL_KINDS)}")
    if not spec.name.strip():  # what evaluators and reports choose it by (name = "")
        raise UsageError(f"{source}: a form needs a name")
    if not spec.items:
        raise UsageError(f"{source}: a form needs at least one item")
    keys = [i.key for i in spec.items]
    if len(set(keys)) != len(keys):
        raise UsageError(f"{source}: item keys must be unique")
    if any(not 0 <= i.weight <= MAX_WEIGHT for i in spec.items) or \
            sum(i.weight for i in spec.items) <= 0:
        raise UsageError(f"{source}: weights must be numbers from 0 to {MAX_WEIGHT:,}, "
                         "not all 0")
    if spec.pass_score is not None and not 0 <= spec.pass_score <= 100:
        raise UsageError(f"{source}: pass_score must be a number from 0 to 100")


def _check_filled(item: ItemSpec, where: str) -> None:
    """An item's group, key and text are written: an item of blank key was saved, and its
    answers were then quarantined by the dataset (``qa_items`` without ``item_id``)."""
    blank = [name for name, value in (("group", item.group), ("key", item.key),
                                      ("text", item.text)) if not value.strip()]
    if blank:
        named = f" ({item.key})" if item.key.strip() else ""
        raise UsageError(f"{where}{named} has no {' and no '.join(blank)}: every item needs "
                         "a group, a key and a text")


def load_form_file(path: Path) -> FormSpec:
    try:
        return parse_form(tomllib.loads(read_text(path, "form")), str(path))
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"cannot read the form {path}: {exc}") from exc


def parse_item_lines(text: str) -> tuple[ItemSpec, ...]:
    """Items typed in the web form, one per line: group | key | text | weight |
    critical (yes/no) | N/A allowed (yes/no)."""
    items = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) > 6:
            raise UsageError(f"item line {number}: {len(parts)} fields, at most 6 (group | "
                             "key | text | weight | critical | N/A allowed): a text with "
                             "“|” in it cannot be typed here")
        if len(parts) < 3:
            raise UsageError(f"item line {number}: write group | key | text | weight | "
                             "critical | N/A allowed")
        try:
            weight = float(parts[3]) if len(parts) > 3 and parts[3] else 1.0
        except ValueError:
            raise UsageError(f"item line {number}: weight {parts[3]!r} is not a number"
                             ) from None
        critical = _answer(parts[4], number, "critical") if len(parts) > 4 else False
        allow_na = _answer(parts[5], number, "N/A allowed") if len(parts) > 5 else True
        item = ItemSpec(parts[0], parts[1], parts[2], weight, critical, allow_na)
        _check_filled(item, f"item line {number}")
        items.append(item)
    return tuple(items)


YES = frozenset({"yes", "y", "true", "1", "x", "да", "так"})
NO = frozenset({"no", "n", "false", "0", "", "нет", "ні"})
"""How a form line says yes or no (English, Russian, Ukrainian); anything else is asked
again: "maybe" read as no made a critical item an ordinary one without a word."""


def _answer(text: str, number: int, what: str) -> bool:
    word = text.strip().lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise UsageError(f"item line {number}: {what} is {text!r}: write yes or no")


def save_form(session: Session, spec: FormSpec, author: str,
              tenant: str | None = None) -> QaForm:
    """Store ``spec`` as the next version of its key on ``tenant``'s shelf (None: the
    operator's, every tenant's); older versions stay for the evaluations made with them.
    Versions are numbered per key across shelves, so ``key@vN`` names one form."""
    check_form(spec)
    previous = session.scalar(select(QaForm).where(
        QaForm.form_key == spec.key, QaForm.tenant_key == (tenant or ""))
        .order_by(QaForm.version.desc()).limit(1))
    if previous is not None and _same_form(previous, form_items(session, previous.id), spec):
        return previous  # loading the same file twice made version 2 of an identical form
    latest = session.scalar(select(func.max(QaForm.version)).where(QaForm.form_key == spec.key))
    form = QaForm(form_key=spec.key, version=(latest or 0) + 1, name=spec.name,
                  channel_kind=spec.channel_kind, pass_score=spec.pass_score,
                  created_by=author, tenant_key=tenant or "")
    session.add(form)
    session.flush()
    for position, item in enumerate(spec.items):
        session.add(QaFormItem(form_id=form.id, position=position, group_name=item.group,
                               item_key=item.key, text=item.text, weight=item.weight,
                               critical=item.critical, allow_na=item.allow_na))
    session.flush()
    return form


def _same_form(form: QaForm, items: list[QaFormItem], spec: FormSpec) -> bool:
    """Whether a stored version says exactly what ``spec`` says."""
    stored = [(i.group_name, i.item_key, i.text, float(i.weight), bool(i.critical),
               bool(i.allow_na)) for i in items]
    given = [(i.group, i.key, i.text, float(i.weight), bool(i.critical), bool(i.allow_na))
             for i in spec.items]
    def score(value: float | None) -> float | None:
        return None if value is None else float(value)

    return (form.name, form.channel_kind, score(form.pass_score)) == \
        (spec.name, spec.channel_kind, score(spec.pass_score)) and stored == given


def form_items(session: Session, form_id: int) -> list[QaFormItem]:
    return list(session.scalars(select(QaFormItem).where(QaFormItem.form_id == form_id)
                                .order_by(QaFormItem.position)))


def form_shelf(view: Any) -> str | None:
    """The forms a web viewer sees: every one (an unbounded viewer), else their tenant's
    own and the operator's (a tenant's supervisor once replaced another tenant's form)."""
    return None if view.scope.unbounded else (view.principal.tenant or "")


class NoShelf(UsageError):
    """A form saved by a viewer who has no shelf to save it on (HTTP 403)."""


def writing_shelf(view: Any) -> str | None:
    """The shelf a web viewer saves forms on: the operator's (None) for an unbounded
    viewer, else their tenant's. A supervisor bounded by sites but of no tenant has none:
    the operator's forms are every site's and every tenant's, and such a supervisor's
    "Kyiv voice" once became the voice form of every client."""
    if view.scope.unbounded:
        return None
    if not view.principal.tenant:
        raise NoShelf("a supervisor of sites saves no forms: the operator's forms, used by "
                      "every site and tenant, are saved by an administrator or a supervisor "
                      "of every tenant")
    return str(view.principal.tenant)


def form_visible(form: QaForm, shelf: str | None) -> bool:
    """Whether a form is seen from ``shelf`` (a tenant; '' the operator's staff bounded
    by sites; None an unbounded viewer, who sees every form)."""
    return shelf is None or form.tenant_key in ("", shelf)


def latest_forms(session: Session, shelf: str | None = None) -> list[QaForm]:
    """The newest version of each form seen from ``shelf`` (:func:`form_visible`): a
    tenant's own forms and the operator's."""
    newest = select(QaForm.tenant_key, QaForm.form_key,
                    func.max(QaForm.version).label("v")).group_by(
        QaForm.tenant_key, QaForm.form_key).subquery()
    query = select(QaForm).join(newest, (QaForm.tenant_key == newest.c.tenant_key)
                                & (QaForm.form_key == newest.c.form_key)
                                & (QaForm.version == newest.c.v))
    if shelf is not None:
        query = query.where(QaForm.tenant_key.in_(["", shelf]))
    # a tenant's own form first where it has one of the operator's key
    return list(session.scalars(query.order_by(QaForm.form_key, QaForm.tenant_key.desc())))


def newest_version(session: Session, form: QaForm) -> QaForm:
    """The newest version of ``form`` (its key on its shelf): a sample drawn with v1 is
    evaluated on v2 once the QA lead has revised the checklist."""
    newest = session.scalars(select(QaForm).where(
        QaForm.tenant_key == form.tenant_key, QaForm.form_key == form.form_key)
        .order_by(QaForm.version.desc()).limit(1)).first()
    return newest or form


def passes(score: float, critical_error: bool, pass_score: float | None) -> bool:
    """The verdict on an evaluation: it passes unless a critical item failed or its score
    is below the form's ``pass_score`` (a form without one judges critical errors only).
    Calibration sessions compare this verdict; an evaluation's page shows it."""
    return not (critical_error or (pass_score is not None and score < pass_score))


SHOWN_DECIMALS = 2
"""The decimals an evaluation's score is shown with (``formatting.decimal``)."""


def shown_score(score: float, pass_score: float | None) -> float:
    """The score as an evaluation's page shows it, never rounded across the pass score:
    79.996 against a pass score of 80 read "Failed: the score 80.00 is below the pass
    score 80" — it shows 79.99; a score at the pass score never shows below it."""
    unit = float(10**SHOWN_DECIMALS)
    if pass_score is None:
        return score
    if score < pass_score <= round(score, SHOWN_DECIMALS):
        return math.floor(score * unit) / unit
    if score >= pass_score > round(score, SHOWN_DECIMALS):
        return math.ceil(score * unit) / unit
    return score


def item_words(item: QaFormItem) -> str:
    """An item as the evaluator reads it on the form, for a refusal: its text (cut at 80
    characters), else its key. The key alone ("Item “b” cannot be marked not applicable")
    named something the page never shows."""
    text = " ".join((item.text or item.item_key).split())
    return f"{text[:77]}..." if len(text) > 80 else text


def score(items: list[QaFormItem], answers: dict[int, float | None]) -> tuple[float, bool]:
    """(score 0–100, critical error) of answers by item id; None = not applicable."""
    total = 0.0
    weights = 0.0
    critical = False
    for item in items:
        if item.id not in answers:
            raise UsageError(f"item {item_words(item)!r} has no answer")
        value = answers[item.id]
        if value is None:
            if not item.allow_na:
                raise UsageError(f"item {item_words(item)!r} cannot be N/A")
            continue
        if not 0.0 <= value <= 1.0:
            raise UsageError(f"item {item_words(item)!r}: a score is between 0 and 1")
        total += item.weight * value
        weights += item.weight
        if item.critical and value < 1.0:
            critical = True
    if weights == 0:
        raise UsageError("every item is N/A (or weighs 0): nothing to score")
    return 100.0 * total / weights, critical
