"""Backtests: forecast the last days of history from the days before them, per model.

WAPE (weighted absolute percentage error) is Σ|actual − forecast| / Σ actual over the
held-out intervals. For AHT the error is weighted by the contacts handled in each
interval: Σ handled·|AHT − AHT̂| / Σ handled·AHT, i.e. the WAPE of the handle work the
AHT forecast implies for the actual contacts. ``auto`` takes the volume forecast of the
model with the smallest volume WAPE and the AHT forecast of the model with the smallest
AHT WAPE (volume follows the calendar, AHT is mostly noise around a slow profile, so the
best model differs); ties go to the simpler model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from omnikpi.errors import DataError, UsageError
from omnikpi.wfm.forecast_models import MODELS, Model, Prediction, Series, check_model, predict


@dataclass(frozen=True)
class Score:
    volume_wape: float | None
    aht_wape: float | None

    def to_json(self) -> dict[str, float | None]:
        return {"volume_wape": self.volume_wape, "aht_wape": self.aht_wape}

    def error(self, of: str) -> float:
        value = self.volume_wape if of == "volume" else self.aht_wape
        return float("inf") if value is None else value


MIN_HISTORY_DAYS = 3
"""Days of history a forecast needs: the backtest holds out at least one and trains the
models on at least two before it."""


class ShortHistory(UsageError):
    """Fewer than ``MIN_HISTORY_DAYS`` days of history ("--backtest-days must be from 1 to
    -1 here" said it before)."""

    def __init__(self, days: int) -> None:
        super().__init__(f"a forecast needs at least {MIN_HISTORY_DAYS} days of history (the "
                         f"last is held out to choose the model); this one has {days}")
        self.days = days


def default_backtest_days(series: Series) -> int:
    """7 days with two weeks of history, else 1 (what ``wfm forecast`` always did)."""
    return 7 if len(series.volume) >= 14 * series.per_day else 1


def score(actual: Series, predicted: Prediction) -> Score:
    total = float(np.abs(actual.volume).sum())
    volume_wape = (float(np.abs(actual.volume - predicted.volume).sum()) / total
                   if total > 0 else None)
    work = float(actual.work_seconds.sum())
    aht_wape: float | None = None
    if work > 0:
        guess = np.nan_to_num(predicted.aht_seconds, nan=0.0)
        aht_wape = float(np.abs(actual.work_seconds - actual.handled * guess).sum()) / work
    return Score(volume_wape, aht_wape)


def backtest(series: Series, days: int, models: tuple[Model, ...] = MODELS,
             weeks: int = 4) -> dict[Model, Score]:
    """Each model's error on the last ``days`` days, trained on everything before."""
    held = days * series.per_day
    have = len(series.volume) // series.per_day
    if have < MIN_HISTORY_DAYS:
        raise ShortHistory(have)
    if days < 1 or held >= len(series.volume) - series.per_day:
        raise UsageError(f"--backtest-days must be from 1 to {have - 2} here "
                         f"(the history has {have} days), got {days}")
    train, test = series.head(len(series.volume) - held), series.tail(
        len(series.volume) - held)
    out: dict[Model, Score] = {}
    for model in models:
        try:
            out[model] = score(test, predict(model, train, held, weeks))
        except DataError:  # too little history for this model: it cannot be chosen
            out[model] = Score(None, None)
    return out


def choose(scores: dict[Model, Score], of: str = "volume") -> Model:
    """The model with the smallest WAPE of ``volume`` or ``aht`` (the first of equals)."""
    return min(scores, key=lambda m: (scores[m].error(of), MODELS.index(m)))


@dataclass(frozen=True)
class Forecast:
    """The forecast of the chosen model and every model's backtest score."""

    scores: dict[Model, Score]
    chosen: Model
    chosen_aht: Model
    backtest_days: int
    starts: list[str]
    volume: list[float]
    aht_seconds: list[float | None]

    def intervals(self) -> list[dict[str, object]]:
        return [{"interval_start": s, "volume": v, "aht_seconds": a}
                for s, v, a in zip(self.starts, self.volume, self.aht_seconds, strict=True)]

    def to_json(self) -> dict[str, object]:
        return {"backtest": {m: s.to_json() for m, s in self.scores.items()},
                "backtest_days": self.backtest_days, "chosen": self.chosen,
                "chosen_aht": self.chosen_aht, "intervals": self.intervals()}


def forecast_with(series: Series, model: str, days: int, backtest_days: int | None = None,
                  weeks: int = 4) -> Forecast:
    """Backtest the models (all for ``auto``, else the one named), then forecast ``days``
    days after the history with the chosen ones, trained on all of it."""
    check_model(model)
    held = default_backtest_days(series) if backtest_days is None else backtest_days
    models = MODELS if model == "auto" else (cast(Model, model),)
    scores = backtest(series, held, models, weeks)
    chosen = choose(scores) if model == "auto" else cast(Model, model)
    chosen_aht = choose(scores, "aht") if model == "auto" else chosen
    horizon = days * series.per_day
    predicted = predict(chosen, series, horizon, weeks)
    if chosen_aht != chosen:
        predicted = Prediction(predicted.volume,
                               predict(chosen_aht, series, horizon, weeks).aht_seconds)
    step = pd.Timedelta(minutes=series.interval_minutes)
    first = series.starts[-1] + step
    starts = [(first + i * step).isoformat() for i in range(horizon)]
    volume = [round(float(v), 4) for v in predicted.volume]
    aht = [None if (not np.isfinite(a) or v == 0) else round(float(a), 2)
           for v, a in zip(predicted.volume, predicted.aht_seconds, strict=True)]
    return Forecast(scores, chosen, chosen_aht, held, starts, volume, aht)
