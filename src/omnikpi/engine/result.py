"""A computed report: its rows, and the shaping of the engine's frame into them."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from omnikpi.engine.compile import MetricRequest, table_keys
from omnikpi.engine.grains import label
from omnikpi.engine.sources import KEY
from omnikpi.schema.dataset import Dataset


@dataclass(frozen=True)
class ReportWindow:
    """What a report was computed over, for the header of a human-facing export."""

    tz: str
    from_us: int | None
    """Window start (inclusive, µs since the epoch); None: from the first record."""
    to_us: int | None
    """Window end (exclusive); None: up to the as-of instant."""
    as_of_us: int
    """The as-of instant actually used (the data's latest event when none was given)."""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    thresholds: str = ""
    """The service-level thresholds a ``threshold_seconds`` left to the configuration
    stood for in this run, per channel and queue ("chat 60, voice 20"; ``param_text``)."""


@dataclass
class ReportResult:
    values: dict[str, list[Any]]
    """Each output column's values, in row order (None: no value)."""
    metrics: dict[str, dict[str, Any]]
    by: list[str]
    grain: str
    quarantined: int
    columns: list[str] = field(default_factory=list)
    window: ReportWindow | None = None
    """Zone, period, as-of and filters of the request (None: not known to the caller)."""

    @cached_property
    def rows(self) -> list[dict[str, Any]]:
        """One dict per row, as in ``omnikpi report --format json``."""
        return [dict(zip(self.columns, row, strict=True))
                for row in zip(*(self.values[c] for c in self.columns), strict=True)]

    def to_json(self) -> dict[str, Any]:
        return {"rows": self.rows, "metrics": self.metrics}

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({c: pd.Series(self.values[c], dtype=object if not self.values[c]
                                          else None) for c in self.columns},
                            columns=self.columns)


def _metric_values(column: pd.Series, count: bool) -> list[int | float | None]:
    """A metric's values for the rows: None for no value (null, NaN), counts as integers.

    Converted as whole columns (the rows of a long report are many thousands of values).
    """
    numbers = column.to_numpy(dtype="float64", na_value=np.nan)
    missing = np.isnan(numbers)
    anything_missing = bool(missing.any())
    if anything_missing:
        numbers = np.where(missing, 0.0, numbers)
    values: list[int | float | None] = (
        numbers.astype(np.int64) if count else numbers).tolist()
    if anything_missing:
        for i in np.flatnonzero(missing).tolist():
            values[i] = None
    return values


def empty_period_row(metrics: dict[str, bool]) -> dict[str, Any]:
    """The one row of a total report over a period with nothing in it (``metrics`` maps
    each id to whether it is a count): counts 0, every other figure without a value — not
    an empty table, which read as missing data (a filter value no row holds, a future
    window)."""
    return {m: 0 if is_count else None for m, is_count in metrics.items()}


def shape(
    frame: pd.DataFrame, requests: list[MetricRequest], by: list[str], grain: str, tz: str,
    dataset: Dataset, window: ReportWindow | None = None,
) -> ReportResult:
    keys = table_keys(requests)
    frame = frame.sort_values([*by, *keys, KEY], na_position="last", kind="stable")
    ids = [r.metric.id for r in requests]
    counts = {r.metric.id for r in requests if r.metric.is_count}
    values: dict[str, list[Any]] = {
        d: [None if pd.isna(v) else v for v in frame[d].tolist()] for d in [*by, *keys]
    }
    if grain != "total":
        values["period_start"] = [label(grain, tz, int(k)) for k in frame[KEY].tolist()]
    for metric_id in ids:
        values[metric_id] = _metric_values(frame[metric_id], metric_id in counts)
    if frame.empty and grain == "total" and not by and not keys:
        values = {m: [v] for m, v in empty_period_row({m: m in counts for m in ids}).items()}
    columns = [*by, *keys, *(["period_start"] if grain != "total" else []), *ids]
    meta = {
        r.metric.id: {
            "unit": r.metric.unit,
            "params": {k: v for k, v in r.params.items()
                       if any(p.name == k and p.settable for p in r.metric.params)},
        }
        for r in requests
    }
    return ReportResult(values, meta, [*by, *keys], grain, dataset.quarantined, columns,
                        window)
