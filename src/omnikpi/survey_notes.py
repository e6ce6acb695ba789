"""What a report of survey metrics says about answers it cannot read as asked.

Three things passed without a word on the command line (``omnikpi validate`` said the
first only): answers of a type no metric reads (``cdsat``, ``esat`` in ``surveys``), a
mean over answers on different scales (1–5 and 0–10 averaged to 4.7, on neither), and a
box larger than a scale allows (``top_box=5`` counted as 4 points of 1–5 while the report
said 5). Each is counted over the report's period, up to its as-of.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from omnikpi.engine.result import ReportResult
from omnikpi.metrics.experience import SMALL_BOX
from omnikpi.schema.hints import SURVEYS_NO_METRIC_READS
from omnikpi.schema.model import Dataset

MEANS = {"csat_mean": "csat", "ces": "ces"}
"""The metrics that average scores, and the survey type each averages."""
BOXES = {"csat": "top_box", "cdsat": "bottom_box"}
"""The metrics that count a box of points, and the parameter that sizes it."""


def survey_notes(dataset: Dataset, result: ReportResult, engine: str,
                 filters: Mapping[str, Sequence[str]] | None,
                 given: Mapping[str, object]) -> list[str]:
    """The notes, in the order above; the box one only for a box the reader gave (the
    default's top point alone on a 2- or 3-point scale is the documented rule). None on
    Spark (the rows are on the cluster), nor for a filtered report: the answers counted
    here are the period's, and whether a filtered report holds them is not known without
    its own query."""
    if not _reads_surveys(result) or engine != "duckdb" or not dataset.has("surveys") \
            or result.window is None or any(filters.values() if filters else ()):
        return []
    window = result.window
    bounds = [f"answered_at <= {int(window.as_of_us)}"]
    if window.from_us is not None:
        bounds.append(f"answered_at >= {int(window.from_us)}")
    if window.to_us is not None:
        bounds.append(f"answered_at < {int(window.to_us)}")
    scales = dataset.con.execute(
        "SELECT lower(survey), scale_min, scale_max, count(*) FROM surveys WHERE "
        + " AND ".join(bounds) + " GROUP BY ALL ORDER BY 1, 2, 3").fetchall()
    notes: list[str] = []
    unread = sum(int(count) for survey, _, _, count in scales if survey in ("cdsat", "esat"))
    if unread:
        notes.append(f"surveys: {unread} answer(s) of the period: {SURVEYS_NO_METRIC_READS}")
    for metric_id, survey in MEANS.items():
        shown = [_scale(lo, hi) for kind, lo, hi, _ in scales if kind == survey]
        if metric_id not in result.metrics or len(shown) < 2:
            continue
        instead = "read csat or cdsat (each answer boxed on its own scale), or " \
            if survey == "csat" else ""
        notes.append(f"{metric_id} averages {survey} answers on {len(shown)} scales "
                     f"({', '.join(shown)}): the mean is on none of them; {instead}report "
                     "each scale's answers apart")
    for metric_id, name in BOXES.items():
        params = result.metrics.get(metric_id, {}).get("params", {})
        if name not in params or not ({f"{metric_id}.{name}", name} & set(given)):
            continue
        box = float(params[name])
        cut = [(lo, hi, _box(box, lo, hi)) for kind, lo, hi, _ in scales
               if kind == "csat" and _box(box, lo, hi) < box]
        if cut:
            where = "; ".join(f"{points:g} point(s) on {_scale(lo, hi)}"
                              for lo, hi, points in cut)
            side = "top" if name == "top_box" else "bottom"
            why = (f"a box of up to {SMALL_BOX} points is at most half its scale, so on 2 "
                   f"or 3 points only the {side} one counts" if box <= SMALL_BOX
                   else "a box never takes the whole scale")
            notes.append(f"{metric_id}: {name} {box:g} counts {where}: {why}")
    return notes


def _reads_surveys(result: ReportResult) -> bool:
    """Whether a metric of the report reads the answers of ``surveys``."""
    from omnikpi.engine.registry import metric_reads
    from omnikpi.errors import OmniKPIError
    from omnikpi.metrics.base import get_metric

    for metric_id in result.metrics:
        try:
            if "surveys" in metric_reads(get_metric(metric_id)):
                return True
        except OmniKPIError:
            continue
    return False


def _box(points: float, lo: float, hi: float) -> float:
    """The points a box of ``points`` counts on the scale lo–hi, as the engine counts them
    (``metrics.experience._box``)."""
    scale_points = hi - lo + 1
    cap = math.floor(scale_points / 2) if points <= SMALL_BOX else scale_points - 1
    return min(points, cap)


def _scale(lo: float, hi: float) -> str:
    return f"{lo:g}–{hi:g}"
