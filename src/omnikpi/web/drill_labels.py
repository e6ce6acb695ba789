"""Words for a drill-down row: where it counts, and why it is excluded.

The reason codes come from :mod:`omnikpi.engine.drill` (derived from the conditions of
the metric's own rule); each becomes a sentence in the page's language here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from omnikpi.config import Config
from omnikpi.empty_figures import why_empty
from omnikpi.engine.drill import TIME_COLUMNS, Drill
from omnikpi.metrics.base import Metric
from omnikpi.param_text import param_texts, thresholds_text
from omnikpi.schema.dataset import Dataset

Gettext = Callable[[str], str]

COLUMN_WORDS = {
    "offered": "offered", "answered": "answered", "abandoned": "abandoned",
    "handled": "handled", "blocked": "blocked", "is_transferred": "transferred",
    "unresolved": "still unanswered", "connected": "connected",
    "latest": "the latest evaluation",
    "first_for_contact": "the first survey answer of its contact",
    "surveyed": "with a csat, nps or ces answer", "lead_sold": "sold by as-of",
    "repeated": "repeated", "unresolved_first": "not resolved at the first contact",
    "request": "a customer request", "after_first_reply": "after the first agent reply",
    "dialed": "dialed", "wait_s": "wait", "default_threshold_s": "threshold",
    "score": "score", "survey": "survey", "state": "state", "kind": "kind",
    "cont": "continuous channel", "age_s": "age", "seconds": "seconds",
    "score10": "score (0–10)", "scale_max": "the top of the scale",
    "scale_min": "the bottom of the scale",
}
"""Engine column → the words a supervisor reads (translated by the catalogs)."""

_INVERSE = {"<": "≥", "≤": ">", ">": "≤", "≥": "<", "≠": "="}


def _word(column: str, _: Gettext) -> str:
    return _(COLUMN_WORDS[column]) if column in COLUMN_WORDS else column


def _words(columns: str, _: Gettext) -> str:
    return ", ".join(_word(c.strip(), _) for c in columns.split(",") if c.strip())


def reason_text(code: str | None, _: Gettext) -> str:
    """The sentence for a reason code (``kind|arg|…``)."""
    if not code:
        return ""
    kind, *args = code.split("|")
    if kind == "period":
        return _("outside the period")
    if kind == "outbound":
        return _("an outbound contact: no customer waited for it")
    if kind == "not_handled":
        return _("not handled by the as-of time")
    if kind == "abandoned":  # "not handled by the as-of time" read as "not yet"
        return _("abandoned: nobody handled it")
    if kind == "not_resolved":
        return _("not resolved")
    if kind == "mode":
        return _("not a continuous-channel contact") if args[0] == "continuous" else \
            _("not a discrete-channel contact")
    if kind == "short_abandon":
        return _("short abandon (< %(seconds)s s)") % {"seconds": args[0]}
    if kind == "still_waiting":
        return _("still waiting within the threshold")
    if kind == "is":
        return _word(args[0], _)
    if kind == "not_flag":
        if args[0] in ("first_for_contact", "surveyed"):
            return _("no survey answer for this contact")
        return _("not %(what)s") % {"what": _word(args[0], _)}
    if kind == "no":
        if args[0] == "score":
            return _("no survey answer")
        return _("no %(what)s") % {"what": _word(args[0], _)}
    if kind == "ne":
        return _("%(column)s is not %(value)s") % {"column": _word(args[0], _),
                                                  "value": args[1]}
    if kind == "not_in":
        return _("%(column)s not counted by the rule") % {"column": _word(args[0], _)}
    if kind == "cmp":
        left, sign, right = args
        if "," in right:  # a bound computed from several columns (a scale's top and bottom)
            right_words = _("a bound from %(columns)s") % {"columns": _words(right, _)}
        else:
            right_words = _words(right, _)
        return f"{_words(left, _)} {_INVERSE.get(sign, sign)} {right_words}"
    if kind in ("none", "not"):
        return _("fails the rule on %(columns)s") % {"columns": _words(args[0], _)}
    return _("not counted by the metric's rule")


def counts_in(status: str, reason: str | None, _: Gettext) -> str:
    """The "counts in" cell of a row."""
    if status == "both":
        return _("numerator and denominator")
    if status == "numerator":
        return _("numerator")
    if status == "denominator":
        text = _("denominator")
        return f"{text}; {_('not in the numerator')}: {reason_text(reason, _)}" \
            if reason else text
    return _("excluded because %(reason)s") % {"reason": reason_text(reason, _)}


def shown_params(metric: Metric, params: dict[str, Any], config: Config,
                 dataset: Dataset) -> list[tuple[str, str]]:
    """The parameters a figure was computed with, as ``name=value`` texts a user can give
    back to ``--param`` (:mod:`omnikpi.param_text`)."""
    return param_texts(params, thresholds_text(
        config, dataset.domain("contacts", "channel") or ()))


def column_unit(metric: Metric, source: str, column: str) -> str | None:
    """How a column's values read: instants, durations (seconds) or plain numbers."""
    if column in TIME_COLUMNS:
        return "time"
    if column == "share":  # the fraction of a recorded piece attributed to the row
        return "ratio"
    if column == "seconds" or column.endswith("_s"):
        return "seconds"
    if column in ("__num", "__den"):
        if metric.unit == "money" and column == "__num":
            return None
        # the denominator's unit is its own source's, whichever rows the page lists
        # (sales per hour's logged-in time is seconds beside the sales' rows)
        owner = (metric.denominator_source or metric.source) if column == "__den" else source
        if "agent_time" in owner or owner in ("logged_in_time", "schedule", "chat_sessions",
                                               "chat_busy", "availability"):
            return "seconds"
        if column == "__num" and metric.unit == "seconds":
            return "seconds"
    return None


HEADERS = {
    "contact_id": "contact", "channel": "channel", "queue": "queue", "agent_id": "agent",
    "customer_id": "customer", "arrived_at": "arrived", "first_response_at": "first response",
    "abandoned_at": "abandoned at", "ended_at": "ended", "resolved_at": "resolved",
    "wait_s": "wait", "handle_s": "handle time", "talk_s": "talk time", "hold_s": "hold",
    "acw_s": "after-call work", "threshold_s": "threshold", "site": "site",
    "tenant": "tenant", "topic": "topic", "repeated": "repeated",
    "was_transferred": "transferred", "unresolved_first": "not resolved at first contact",
    "survey": "survey", "score": "score", "scale_min": "scale from", "scale_max": "scale to",
    "answered_at": "answered at", "first_for_contact": "first answer of the contact",
    "surveyed": "survey answered",
    "state": "state", "reason": "reason", "piece_start": "from", "piece_end": "to",
    "seconds": "duration", "share": "share of the recorded time",
    "s_start": "session start", "s_end": "session end",
    "category": "category", "amount": "amount", "period_start": "period start",
    "period_end": "period end", "cost": "cost", "attempt_id": "attempt",
    "campaign": "campaign", "lead_id": "lead", "lead_type": "lead type",
    "dialed_at": "dialed at", "result": "result", "connected": "connected",
    "right_party": "right party", "converted": "converted",
    "first_dialed_at": "first dialed", "lead_sold": "lead sold",
    "first_at": "first attempt",
    "dialed": "dialed", "evaluation_id": "evaluation", "form_id": "form",
    "evaluated_at": "evaluated at", "critical_error": "critical error",
    "latest": "latest evaluation", "item_id": "item", "weight": "weight",
    "item_score": "item score", "session_id": "session", "entered_at": "entered",
    "left_at": "left", "ivr_s": "time in IVR", "menu_path": "menu path", "kind": "kind",
    "activity": "activity", "paid": "paid", "sender": "sender", "ts": "time",
    "request": "customer request", "after_first_reply": "after the first agent reply",
    "response_s": "response time", "dimension": "dimension",
    "duration_s": "recording length", "agent_talk_s": "agent talk",
    "customer_talk_s": "customer talk", "silence_s": "silence",
    "outcome": "outcome", "peak": "most sessions at once", "start": "start", "end": "end",
    "hired_on": "hired on", "left_on": "left on", "leave_type": "leave type",
    "leaver": "left in the month", "month": "month", "first": "the month's first day",
    "next": "the next month's first day", "start_hc": "employed at the month's start",
    "end_hc": "employed at the month's end",
    "longest_silence_s": "longest silence", "overtalk_s": "overtalk",
    "overtalk_count": "overtalks", "longest_agent_monologue_s": "longest agent monologue",
}
"""A drill column's header on the page (translated by the catalogs; the exports keep the
column names of the data model)."""


def header(column: str, _: Gettext) -> str:
    return _(HEADERS[column]) if column in HEADERS else column


def empty_note(found: Drill, tz: str, lang: str) -> str:
    """What the metric counts, when its figure has no value and its declaration says
    (``Metric.when_empty``): "—" over zero rows would not say why ("" otherwise)."""
    if found.as_of_us is None or found.figure.value is not None:
        return ""
    return why_empty(found.metric, found.as_of_us, tz, found.params, lang)

