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
    threshold_seconds: dict[str, float] = field(default_factory=dict)
    """The same as numbers: channel (or ``queue NAME``) → seconds."""
    data_first_us: int | None = None
    """The data's first instant (None: unknown, or no table with instants)."""


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

    @property
    def tz(self) -> str | None:
        """The zone the periods are in (None: not known to the caller)."""
        return self.window.tz if self.window is not None else None

    @cached_property
    def rows(self) -> list[dict[str, Any]]:
        """One dict per row, as in ``omnikpi report --format json``."""
        return [dict(zip(self.columns, row, strict=True))
                for row in zip(*(self.values[c] for c in self.columns), strict=True)]

    def to_json(self) -> dict[str, Any]:
        return {"rows": self.rows, "metrics": self.metrics}

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({c: self._series(c) for c in self.columns}, columns=self.columns)

    def _series(self, column: str) -> pd.Series:
        """A metric column is numbers even with no value in it: an all-null ratio was an
        object column (NaN-free None) and a count of an empty report one too, so a frame's
        dtypes, its arithmetic and a concat of days depended on the data."""
        values = self.values[column]
        if column in self.metrics and all(v is None for v in values):
            count = self.metrics[column].get("unit") == "count"
            return pd.Series(values, dtype="int64" if count and not values else "float64")
        return pd.Series(values, dtype=object if not values else None)


RATIO_DECIMALS = 12
"""A share within noise of a number of 12 decimal places is that number: a sum of float
seconds is off in its last bits, and an agent who kept to the schedule read adherence
1.0000000000000002 and shrinkage −1.3e-16 on the bundled demo (milliseconds in its
times): 41 of its 63 agent-days."""
SIGNIFICANT_DIGITS = 12
"""Every other figure (seconds, points, per hour) within noise of a number of 12
significant digits is that number, for the same reason: an AHT of 300.00000000000006."""
NOISE = 1e-14
"""How far from its short form a figure may be for the difference to be the noise of a
float sum (about 45 units in the last place of a double near 1; a sum of a million
pieces is off by far less). A figure farther away is a figure of its own and kept: 2/3
stays 0.6666666666666666, not 0.666666666667."""
_EXACT_POWERS = 22
"""10**22 is the largest power of ten a double holds exactly."""


def without_summation_noise(numbers: np.ndarray, ratio: bool) -> np.ndarray:
    """``numbers`` with the noise of float sums taken away (vectorised; NaN stays NaN):
    a value within :data:`NOISE` of its :data:`RATIO_DECIMALS` (a share) or
    :data:`SIGNIFICANT_DIGITS` (any other figure) form becomes the double nearest that
    form — an exact integer divided by an exact power of ten, rounded once."""
    size = np.abs(numbers)
    if ratio:
        rounded = np.round(numbers, RATIO_DECIMALS)
        near = np.abs(rounded - numbers) <= NOISE * np.maximum(size, 1.0)
        # + 0.0: a negative zero (−1.3e-16 snapped) reads 0, not -0.0, in JSON and CSV
        return np.where(near, rounded, numbers) + 0.0
    usable = np.isfinite(numbers) & (size > 0)
    magnitude = np.floor(np.log10(np.where(usable, size, 1.0)))
    shift = (SIGNIFICANT_DIGITS - 1 - magnitude).astype(np.int64)
    usable &= np.abs(shift) <= _EXACT_POWERS
    shift = np.where(usable, shift, 0)
    power = 10.0 ** np.abs(shift)
    with np.errstate(over="ignore", invalid="ignore"):
        rounded = np.where(shift >= 0, np.rint(numbers * power) / power,
                           np.rint(numbers / power) * power)
        near = usable & (np.abs(rounded - numbers) <= NOISE * size)
    return np.where(near, rounded, numbers)


def _metric_values(column: pd.Series, count: bool,
                   ratio: bool = False) -> list[int | float | None]:
    """A metric's values for the rows: None for no value (null, NaN), counts as integers,
    other figures without the noise of float sums (:func:`without_summation_noise`).

    Converted as whole columns (the rows of a long report are many thousands of values).
    """
    numbers = column.to_numpy(dtype="float64", na_value=np.nan)
    missing = np.isnan(numbers)
    anything_missing = bool(missing.any())
    if anything_missing:
        numbers = np.where(missing, 0.0, numbers)
    values: list[int | float | None] = (
        numbers.astype(np.int64) if count
        else without_summation_noise(numbers, ratio)).tolist()
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


def _hours_given(window: ReportWindow | None) -> bool:
    """Whether the request gave the period a per-hour rate divides by (--from and --to,
    within the data's records: before its first record or past its last, nothing is
    known)."""
    return window is not None and window.from_us is not None and \
        window.to_us is not None and window.from_us < min(window.to_us, window.as_of_us) \
        and (window.data_first_us is None or window.to_us > window.data_first_us)


def _metric_meta(request: MetricRequest, window: ReportWindow | None) -> dict[str, Any]:
    """A metric's unit and the parameters it ran with. A ``threshold_seconds`` left to
    the configuration is the one threshold every channel and queue of the report has when
    they share it (a voice report: 20, as the contract's example reads); when they differ
    it stays null and ``thresholds`` gives each (channel, or ``queue NAME`` → seconds) —
    a script read null and could not tell which thresholds were used."""
    params = {k: v for k, v in request.params.items()
              if any(p.name == k and p.settable for p in request.metric.params)}
    meta: dict[str, Any] = {"unit": request.metric.unit, "params": params}
    if "threshold_seconds" in params and params["threshold_seconds"] is None and window \
            and window.threshold_seconds:
        values = set(window.threshold_seconds.values())
        if len(values) == 1:
            params["threshold_seconds"] = values.pop()
        else:
            meta["thresholds"] = dict(window.threshold_seconds)
    return meta


def shape(
    frame: pd.DataFrame, requests: list[MetricRequest], by: list[str], grain: str, tz: str,
    dataset: Dataset, window: ReportWindow | None = None,
) -> ReportResult:
    keys = table_keys(requests)
    frame = frame.sort_values([*by, *keys, KEY], na_position="last", kind="stable")
    ids = [r.metric.id for r in requests]
    counts = {r.metric.id for r in requests if r.metric.is_count}
    ratios = {r.metric.id for r in requests if r.metric.unit == "ratio"}
    values: dict[str, list[Any]] = {
        d: [None if pd.isna(v) else v for v in frame[d].tolist()] for d in [*by, *keys]
    }
    if grain != "total":
        values["period_start"] = [label(grain, tz, int(k)) for k in frame[KEY].tolist()]
    for metric_id in ids:
        values[metric_id] = _metric_values(frame[metric_id], metric_id in counts,
                                           metric_id in ratios)
    if frame.empty and grain == "total" and not by and not keys:
        values = {m: [v] for m, v in empty_period_row({m: m in counts for m in ids}).items()}
        for r in requests:
            if r.metric.per_period_hours and _hours_given(window):
                # a rate over the window's clock hours: none of its work is 0 an hour
                values[r.metric.id] = [0.0]
    columns = [*by, *keys, *(["period_start"] if grain != "total" else []), *ids]
    meta = {r.metric.id: _metric_meta(r, window) for r in requests}
    return ReportResult(values, meta, [*by, *keys], grain, dataset.quarantined, columns,
                        window)
