"""Numbers as people read them: one formatting for the terminal, the web pages and the
human-facing exports (CSV and JSON keep raw numbers for machines)."""

from __future__ import annotations

from typing import Any


def human(value: Any, unit: str | None) -> str:
    """A metric value in its unit: ratios as %, counts with separators, durations in s,
    min or h by size; ``—`` for no value."""
    if value is None:
        return "—"
    if unit == "ratio":
        # + 0.0 turns a rounding residue of -0.0 (a difference of equal times) into 0.0
        return f"{round(value * 100, 1) + 0.0:.1f} %"
    if unit == "count":
        return f"{int(value):,}"
    if unit == "seconds":
        seconds = float(value)
        if seconds >= 3 * 3600:
            return f"{seconds / 3600:.1f} h"
        if seconds >= 1000:
            return f"{seconds / 60:.1f} min"
        return f"{seconds:.1f} s"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)
