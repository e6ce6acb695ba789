"""Interval forecasting models for volume and AHT on a regular grid of intervals.

Four models, from the planner's classic to two statistical ones (statsmodels):

- ``profile``: the weekday × time-of-day mean of the last weeks (what ``wfm forecast``
  always did, in :mod:`omnikpi.wfm.forecast`);
- ``seasonal_naive``: the same interval one week earlier (one day earlier with less
  than two weeks of history) — the baseline every model must beat;
- ``ets``: Holt-Winters exponential smoothing with an additive weekly season of one
  value per interval of the week (daily with less than three weeks of history; neither
  with less than three days);
- ``mstl``: MSTL decomposition (daily and weekly seasonal components by repeated STL);
  each seasonal component is carried forward by its own last cycle, the rest (trend +
  remainder) by simple exponential smoothing — the recipe statsforecast's ``MSTL``
  model uses.

Every model forecasts the volume and, separately, the AHT series (intervals where
nothing was handled get the training period's overall AHT, so the series has no gaps).
Forecasts are clipped at zero, and an interval of the season (of the week, or of the day)
that never had a contact in the history gets none (closed hours stay closed). The models
see the history as a dense grid: an interval without contacts is a zero, not a missing row.
The grid is the wall clock: on the day the clocks go back the repeated wall time holds the
mean of its two intervals, and the wall time skipped when they go forward is missing —
filled from the same slot of the nearest other weeks (:func:`dense_series`) and left out of
the profile's means.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from omnikpi.errors import DataError, UsageError

Model = Literal["profile", "seasonal_naive", "ets", "mstl"]
MODELS: tuple[Model, ...] = ("profile", "seasonal_naive", "ets", "mstl")


def check_model(name: str) -> None:
    if name != "auto" and name not in MODELS:
        raise UsageError(f"unknown model {name!r}: choose auto, {', '.join(MODELS)}")


@dataclass(frozen=True)
class Series:
    """Volume and handle work per interval on a dense grid (naive local clock times).

    ``handled`` counts the contacts whose handle time is known; ``work_seconds`` is
    their total handle time, so AHT = work / handled where handled > 0.
    """

    starts: pd.DatetimeIndex
    volume: np.ndarray
    handled: np.ndarray
    work_seconds: np.ndarray
    interval_minutes: int
    missing: np.ndarray | None = None
    """True where the wall time did not exist (the hour skipped when the clocks go
    forward): its values are filled in from other weeks, and the profile leaves it out.
    None: nothing missing."""

    @property
    def per_day(self) -> int:
        return 24 * 60 // self.interval_minutes

    @property
    def skipped(self) -> np.ndarray:
        """The ``missing`` mask as booleans (all False when there is none)."""
        if self.missing is None:
            return np.zeros(len(self.volume), dtype=bool)
        return np.asarray(self.missing, dtype=bool)

    def head(self, n: int) -> Series:
        return Series(self.starts[:n], self.volume[:n], self.handled[:n],
                      self.work_seconds[:n], self.interval_minutes,
                      None if self.missing is None else self.missing[:n])

    def tail(self, n: int) -> Series:
        return Series(self.starts[n:], self.volume[n:], self.handled[n:],
                      self.work_seconds[n:], self.interval_minutes,
                      None if self.missing is None else self.missing[n:])

    def overall_aht(self) -> float | None:
        total = float(self.handled.sum())
        return float(self.work_seconds.sum()) / total if total > 0 else None

    def aht(self) -> np.ndarray:
        """AHT per interval, NaN where nothing was handled."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.handled > 0, self.work_seconds / self.handled, np.nan)


def dense_series(starts: list[str], volume: list[float], aht_seconds: list[float | None],
                 interval_minutes: int, tz: str | None = None) -> Series:
    """The grid from the midnight before the first offered contact to the end of the day
    of the last one, zeros where no row.

    Rows are the engine's (``period_start`` ISO with offset, ``offered``, ``aht``); the
    clock is local (the offset is dropped). A day the clocks change has a wall time twice
    or never: the intervals of a repeated wall time are averaged (a slot of the week holds
    one interval's contacts, as on every other week), and a skipped one is missing, filled
    with the mean of the same slot in the nearest ``NEAREST_WEEKS`` other weeks (of the
    same time on other days when no other week has it) rather than a zero. The zone ``tz``
    (the one the rows were counted in) says which wall times repeat or are skipped;
    without it they are read from the rows' offsets: a wall time under two offsets, and
    the wall times jumped over between two rows one interval apart.

    The engine books AHT at each contact's end and offered at its arrival; an interval's
    handle work is taken as offered × AHT (as the profile always did), which differs from
    the true work only by contacts that cross an interval end."""
    if not starts:
        raise DataError("no history to forecast from: the dataset has no offered contacts")
    stamps = [pd.Timestamp(s) for s in starts]
    clock = pd.DatetimeIndex([t.tz_localize(None) if t.tzinfo is not None else t
                              for t in stamps])
    frame = pd.DataFrame({"volume": np.asarray(volume, dtype=float),
                          "aht": np.asarray([np.nan if a is None else a for a in aht_seconds],
                                            dtype=float)}, index=clock)
    frame["handled"] = frame["volume"].where(frame["aht"].notna(), 0.0)
    frame["work"] = (frame["handled"] * frame["aht"]).fillna(0.0)
    summed = frame[["volume", "handled", "work"]].groupby(level=0).sum()
    # a row without offered contacts carries only handle time booked after midnight
    offered = summed.index[summed["volume"] > 0]
    if offered.empty:
        raise DataError("no history to forecast from: the dataset has no offered contacts")
    first = offered.min().normalize()
    last = offered.max().normalize() + pd.Timedelta(days=1)
    summed = summed[(summed.index >= first) & (summed.index < last)]
    grid = pd.date_range(first, last, freq=f"{interval_minutes}min", inclusive="left")
    summed = summed.reindex(grid, fill_value=0.0)
    copies = _copies(stamps, clock, grid, interval_minutes, tz)
    missing = copies == 0
    values = {name: summed[name].to_numpy() / np.maximum(copies, 1)
              for name in ("volume", "handled", "work")}
    _fill_missing(list(values.values()), missing, 24 * 60 // interval_minutes)
    return Series(grid, values["volume"], values["handled"], values["work"],
                  interval_minutes, missing if missing.any() else None)


NEAREST_WEEKS = 4
"""Other weeks whose same slot fills a wall time the clocks skipped (the profile's
default weeks)."""


def _copies(stamps: list[pd.Timestamp], clock: pd.DatetimeIndex, grid: pd.DatetimeIndex,
            interval_minutes: int, tz: str | None) -> np.ndarray:
    """How many intervals of real time each wall-clock slot of ``grid`` is: 1, 2 where the
    clocks went back (the wall time came twice), 0 where they went forward (it never
    came)."""
    step = pd.Timedelta(minutes=interval_minutes)
    position = pd.Series(np.arange(len(grid)), index=grid)
    offsets = [t.utcoffset() for t in stamps]
    # a wall time the rows have under two offsets came twice, whatever the zone says
    seen = pd.Series([str(o) for o in offsets], index=clock).groupby(level=0).nunique()
    seen = seen[seen.index.isin(grid)]
    if tz is not None:
        from omnikpi.engine.timezones import zone

        freq = f"{interval_minutes}min"
        instants = pd.date_range(grid[0] - pd.Timedelta(days=2),
                                 grid[-1] + pd.Timedelta(days=2), freq=freq, tz="UTC")
        walls = instants.tz_convert(zone(tz)).tz_localize(None).floor(freq)
        copies = np.array(pd.Series(1, index=walls).groupby(level=0).sum().reindex(
            grid, fill_value=0), dtype=int)
        at = position[seen.index].to_numpy()
        copies[at] = np.maximum(copies[at], seen.to_numpy())
        return copies
    copies = np.ones(len(grid), dtype=int)
    copies[position[seen.index].to_numpy()] = seen.to_numpy()
    if any(o is None for o in offsets):
        return copies  # times without an offset: nothing says where the clock jumped
    # the clock jumped forward between two rows one interval apart in real time
    utc_ns = np.array([t.value for t in stamps], dtype=np.int64)  # UTC nanoseconds
    order = np.argsort(utc_ns, kind="stable")
    wall_ns = clock.as_unit("ns").asi8[order]
    slot_ns = grid.as_unit("ns").asi8
    jumps = np.flatnonzero((np.diff(utc_ns[order]) == step.value) &
                           (np.diff(wall_ns) > step.value))
    for k in jumps:
        jumped = (slot_ns > wall_ns[k]) & (slot_ns < wall_ns[k + 1])
        copies[jumped & (copies == 1)] = 0
    return copies


def _fill_missing(values: list[np.ndarray], missing: np.ndarray, per_day: int) -> None:
    """Each missing slot of ``values`` (in place) the mean of the same slot of the nearest
    ``NEAREST_WEEKS`` other weeks that have it, else of the nearest other days, else 0."""
    n = len(missing)
    for i in np.flatnonzero(missing):
        for period, nearest in ((7 * per_day, NEAREST_WEEKS), (per_day, NEAREST_WEEKS * 7)):
            others = [j for j in range(int(i) % period, n, period) if not missing[j]]
            if others:
                chosen = sorted(others, key=lambda j: abs(j - int(i)))[:nearest]
                for array in values:
                    array[i] = float(np.mean(array[chosen]))
                break
        else:
            for array in values:
                array[i] = 0.0


@dataclass(frozen=True)
class Prediction:
    volume: np.ndarray
    aht_seconds: np.ndarray
    """NaN where no contact is forecast."""


def _season(series: Series, seasons: int = 2) -> int:
    """Intervals per season: a week with ``seasons`` weeks of history, else a day."""
    week = 7 * series.per_day
    return week if len(series.volume) >= seasons * week else series.per_day


def _repeat_last(values: np.ndarray, period: int, horizon: int) -> np.ndarray:
    last = values[-period:]
    return np.asarray(np.resize(last, horizon), dtype=float)


def _aht_filled(series: Series) -> np.ndarray:
    overall = series.overall_aht()
    filled = np.nan_to_num(series.aht(), nan=overall if overall is not None else 0.0)
    return np.asarray(filled, dtype=float)


def _profile(series: Series, horizon: int, weeks: int) -> Prediction:
    from omnikpi.wfm.forecast import forecast

    kept = ~series.skipped  # a wall time the clocks skipped is no week's zero
    history = pd.DataFrame({"interval_start": [t.isoformat() for t in series.starts[kept]],
                            "volume": series.volume[kept],
                            "aht_seconds": series.aht()[kept]})
    start = (series.starts[-1] + pd.Timedelta(minutes=series.interval_minutes)).to_pydatetime()
    days = -(-horizon // series.per_day)
    out = forecast(history, start, days, series.interval_minutes, weeks)
    aht = out["aht_seconds"].to_numpy(dtype=float, na_value=np.nan)
    return Prediction(out["volume"].to_numpy(dtype=float)[:horizon], aht[:horizon])


def _seasonal_naive(series: Series, horizon: int) -> Prediction:
    period = _season(series)
    volume = _repeat_last(series.volume, period, horizon)
    # the AHT of the same interval a season ago where contacts were handled then
    work = _repeat_last(series.work_seconds, period, horizon)
    handled = _repeat_last(series.handled, period, horizon)
    overall = series.overall_aht()
    with np.errstate(invalid="ignore", divide="ignore"):
        aht = np.where(handled > 0, work / handled,
                       overall if overall is not None else np.nan)
    return Prediction(volume, aht)


def _ets_fit(values: np.ndarray, period: int, horizon: int) -> np.ndarray:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter on flat night intervals
        fitted = ExponentialSmoothing(values, trend=None, seasonal="add",
                                      seasonal_periods=period,
                                      initialization_method="heuristic").fit()
        return np.asarray(fitted.forecast(horizon), dtype=float)


def _mstl_fit(values: np.ndarray, periods: tuple[int, ...], horizon: int) -> np.ndarray:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing
    from statsmodels.tsa.seasonal import MSTL

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        decomposed = MSTL(values, periods=periods).fit()
        seasonal = np.asarray(decomposed.seasonal, dtype=float).reshape(len(values), -1)
        out = np.zeros(horizon)
        for column, period in enumerate(periods):
            out += _repeat_last(seasonal[:, column], period, horizon)
        rest = np.asarray(decomposed.trend + decomposed.resid, dtype=float)
        level = ExponentialSmoothing(rest, trend=None,
                                     initialization_method="estimated").fit()
        total: np.ndarray = out + np.asarray(level.forecast(horizon), dtype=float)
        return total


def _statistical(series: Series, horizon: int, model: Model) -> Prediction:
    period = _season(series, 3)
    if len(series.volume) < 3 * period:  # two seasons to start from, one to fit on
        raise DataError(f"model {model} needs at least three days of history "
                        "(three weeks for a weekly season)")
    if model == "ets":
        def fit(values: np.ndarray) -> np.ndarray:
            return _ets_fit(values, period, horizon)
    else:
        periods = (series.per_day, period) if period != series.per_day else (period,)

        def fit(values: np.ndarray) -> np.ndarray:
            return _mstl_fit(values, periods, horizon)
    volume = np.clip(fit(series.volume), 0.0, None)
    # closed hours stay closed: an interval of the season without any contact in the
    # whole history gets none (the smoothed level would otherwise spill into the night)
    seen = np.zeros(period)
    np.add.at(seen, np.arange(len(series.volume)) % period, series.volume)
    volume[seen[(np.arange(horizon) + len(series.volume)) % period] == 0] = 0.0
    aht = np.clip(fit(_aht_filled(series)), 1.0, None)
    return Prediction(volume, np.where(volume > 0, aht, np.nan))


def predict(model: Model, series: Series, horizon: int, weeks: int = 4) -> Prediction:
    """Volume and AHT for the ``horizon`` intervals after the end of ``series``."""
    if model == "profile":
        return _profile(series, horizon, weeks)
    if model == "seasonal_naive":
        return _seasonal_naive(series, horizon)
    return _statistical(series, horizon, model)
