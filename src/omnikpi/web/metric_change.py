"""How a metric's value changed against another: the dashboard's trend against the
previous period, the what-if page's change against the baseline."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal

from omnikpi.formatting import count, decimal, duration, half_up, human, whole_seconds
from omnikpi.metrics.base import Metric


def change(value: Any, before: Any, metric: Metric, lang: str,
           target: float | None = None) -> dict[str, Any] | None:
    """``value`` against ``before`` (the previous period's, the baseline's): an arrow, the
    size in the metric's unit (percentage points for a ratio), and whether the change is
    better or worse by the metric's declared direction (``same`` for a metric without
    one, such as the contacts offered, and for a metric judged only past its ``target`` —
    the goal in force, else the declared one — when both figures are within it)."""
    if not isinstance(value, (int, float)) or not isinstance(before, (int, float)):
        return None
    delta = value - before
    # the difference of the figures as the page shows them: 77.4 % → 73.0 % is −4.4 pp
    # (−4.3 from 0.77351 − 0.73049 said two figures differed by what they do not)
    shown_delta = float(_shown(value, metric.unit) - _shown(before, metric.unit))
    shown, text = _size(abs(shown_delta), metric.unit, lang)
    if not shown:  # a difference smaller than the figures show is no change
        delta = 0.0
    arrow = "▲" if delta > 0 else "▼" if delta < 0 else "="
    sign = "+" if delta > 0 else "−" if delta < 0 else "±"
    goal = target if target is not None else metric.target
    within = metric.better_past_target_only and goal is not None and all(
        (v <= goal if metric.better == "lower" else v >= goal) for v in (value, before))
    if delta == 0 or metric.better is None or within:
        verdict = "same"
    else:
        verdict = "better" if (delta > 0) == (metric.better == "higher") else "worse"
    return {"arrow": arrow, "text": f"{sign}{text}", "verdict": verdict,
            "points": metric.unit == "ratio",
            "delta": delta, "previous": human(before, metric.unit, lang)}


def spread(half_width: float, metric: Metric, lang: str) -> str | None:
    """The half-width of a difference's interval as the change itself is written (a
    ratio's in percentage points, without the unit's word): the ``1.2`` of
    ``+3.1 ± 1.2 pp``; None when it rounds to nothing (``± 0`` said nothing)."""
    shown, text = _size(abs(half_width), metric.unit, lang)
    return text if shown else None


def _shown(value: float, unit: str) -> Decimal:
    """``value`` rounded as its figure is shown (a ratio's percent to one decimal, whole
    seconds, a whole count, else two decimals), in the unit :func:`_size` takes."""
    if unit == "ratio":
        return half_up(value, 1, 100) / 100
    if unit == "seconds":
        return Decimal(whole_seconds(value))
    return half_up(value, 0 if unit == "count" else 2)


def _size(size: float, unit: str, lang: str) -> tuple[Decimal, str]:
    """A non-negative difference as the figures are shown (a ratio in percentage points
    to one decimal, as formatting.percent; whole seconds; a whole count) and its text."""
    if unit == "ratio":
        shown = half_up(size, 1, 100)
        return shown, format_decimal(shown, "#,##0.0", locale=lang)
    if unit == "seconds":
        return Decimal(whole_seconds(size)), duration(size)
    if unit == "count":
        return half_up(size, 0), count(size, lang)
    return half_up(size, 2), decimal(size, lang)
