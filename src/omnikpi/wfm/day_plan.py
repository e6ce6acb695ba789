"""A staffing plan for the days after a history: its intervals forecast with the models the
backtest chooses (as ``omnikpi wfm forecast``), then each staffed to the same targets (as
``omnikpi wfm plan``) — the two commands in one call, for the staffing page's day plan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from omnikpi.errors import DataError
from omnikpi.instants import rows_on_clock
from omnikpi.wfm.backtest import Forecast, forecast_with
from omnikpi.wfm.forecast_models import dense_series
from omnikpi.wfm.planning import ForecastInterval, PlannedInterval, plan


@dataclass(frozen=True)
class DayPlan:
    forecast: Forecast
    planned: list[PlannedInterval]
    interval_minutes: int

    @property
    def peak(self) -> PlannedInterval:
        """The interval needing the most agents (the first of equals)."""
        return max(self.planned, key=lambda p: p.result.agents)

    @property
    def contacts(self) -> float:
        return sum(p.volume for p in self.planned)

    @property
    def agent_hours(self) -> float:
        """Hours of agents on the phones the plan asks for (before shrinkage)."""
        return sum(p.result.agents for p in self.planned) * self.interval_minutes / 60

    @property
    def position_hours(self) -> float:
        """Hours of scheduled positions (after shrinkage)."""
        return sum(p.result.positions for p in self.planned) * self.interval_minutes / 60


def plan_days(rows: Sequence[Mapping[str, Any]], interval_minutes: int, days: int,
              target_sl: float | None, threshold_seconds: float, tz: str = "UTC",
              **staffing: Any) -> DayPlan:
    """Forecast ``days`` days after the history ``rows`` (the engine's ``period_start``,
    ``offered`` and ``aht`` per interval, in the zone ``tz``) and staff every interval —
    the intervals of the zone's clock as instants (a clock-change day has 23 or 25 hours).

    An interval forecast with contacts but no AHT (its history handled none) is planned
    with the history's mean AHT; one without contacts needs no AHT and no agents.
    """
    if not any(float(r["offered"] or 0) > 0 for r in rows):
        raise DataError("no history to forecast from: no contact was offered in it")
    series = dense_series([str(r["period_start"]) for r in rows],
                          [float(r["offered"] or 0) for r in rows],
                          [None if r["aht"] is None else float(r["aht"]) for r in rows],
                          interval_minutes, tz)
    forecast = forecast_with(series, "auto", days)
    handled = [(float(r["offered"] or 0), float(r["aht"])) for r in rows
               if r["aht"] is not None and r["offered"]]
    mean_aht = (sum(v * a for v, a in handled) / sum(v for v, _ in handled)) if handled \
        else None
    intervals = []
    for interval in rows_on_clock(forecast.intervals(), tz):
        start, volume, aht = (str(interval["interval_start"]), float(interval["volume"]),
                              interval["aht_seconds"])
        if volume <= 0:
            intervals.append(ForecastInterval(start, 0.0, 1.0))
            continue
        known = aht if aht is not None and aht > 0 else mean_aht
        if known is None:
            raise DataError("no handled contact in the history: its AHT is unknown")
        intervals.append(ForecastInterval(start, volume, known))
    planned = plan(intervals, interval_minutes, target_sl or 0.0, threshold_seconds,
                   **staffing)
    return DayPlan(forecast, planned, interval_minutes)
