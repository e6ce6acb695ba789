"""Why a figure has no value, in the words its metric declares.

FCR counts only the questions whose repeat window (168 hours by default) has ended by the
as-of, so a report of the last few days has none, and a column of "—" would read as a
fault. A metric may declare the sentence that says so (``Metric.when_empty``); the
dashboard, the drill-down page and the exports a client receives (PDF, XLSX, scheduled
or downloaded) give it with the request's as-of, in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from omnikpi.engine.result import ReportResult
from omnikpi.engine.timezones import local_datetime
from omnikpi.formatting import fmt_datetime
from omnikpi.metrics.base import Metric, get_metric

AsOfText = Callable[[datetime], str]
"""How the sentence writes the as-of (pages and files: the language's date format)."""


def why_empty(metric: Metric, as_of_us: int, tz: str, params: dict[str, Any],
              lang: str, as_of_text: AsOfText | None = None) -> str:
    """The metric's sentence for a figure without a value, with the as-of (in ``tz``)
    and the parameters it was computed with; "" for a metric that declares none."""
    if not metric.when_empty:
        return ""
    as_of = local_datetime(as_of_us, tz)
    shown = as_of_text(as_of) if as_of_text else fmt_datetime(as_of, lang)
    return metric.when_empty_in(lang, as_of=shown, **params)


def empty_notes(result: ReportResult, lang: str,
                as_of_text: AsOfText | None = None) -> list[tuple[str, str]]:
    """(metric id, sentence) for each metric of the report with no value in any row that
    declares why."""
    if result.window is None:
        return []
    notes = []
    for metric_id, shown in result.metrics.items():
        if any(v is not None for v in result.values.get(metric_id, ())):
            continue
        text = why_empty(get_metric(metric_id), result.window.as_of_us, result.window.tz,
                         shown.get("params", {}), lang, as_of_text)
        if text:
            notes.append((metric_id, text))
    return notes


def has_no_figure(result: ReportResult) -> bool:
    """No figure at all: no row, or counts of 0 and every other figure without a value
    (a total report over no data is one row of 0 and "—")."""
    return not any(bool(v) if shown["unit"] == "count" else v is not None
                   for m, shown in result.metrics.items() for v in result.values[m])
