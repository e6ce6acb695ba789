"""A figure against its goal: the configuration's target, else the declaration's."""

from __future__ import annotations

from functools import lru_cache

from omnikpi.config import Config
from omnikpi.formatting import human
from omnikpi.metrics.base import Metric


def judge(config: Config, metric: Metric, value: float | None, queue: str | None = None,
          channel: str | None = None, lang: str = "en") -> tuple[str | None, str | None]:
    """The figure's status (``good`` / ``bad``; None without a goal or a value) and the
    goal as text in ``lang`` (``≥ 80.0 %``, ru/uk ``≥ 80,0 %``), by the metric's
    direction."""
    target = config.target(metric.id, queue, channel)
    if target is None or metric.better is None:
        return None, None
    text = goal_text(target, metric.better, metric.unit, lang)
    if value is None:
        return None, text
    good = value >= target if metric.better == "higher" else value <= target
    return ("good" if good else "bad"), text


@lru_cache(maxsize=4096)
def goal_text(target: float, better: str, unit: str, lang: str) -> str:
    """``≥ 80.0 %``: remembered, because the wallboard judges every queue's figures in
    every language several times a second (Babel's number formatting was a tenth of a
    live snapshot's CPU)."""
    sign = "≥" if better == "higher" else "≤"
    return f"{sign} {human(target, unit, lang)}"
