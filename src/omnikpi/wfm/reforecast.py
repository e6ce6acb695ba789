"""Intraday re-forecast: scale the rest of today's forecast by how today is going so far.

Method (the "ratio" re-forecast of WFM tools): over today's intervals that have ended,
volume ratio = Σ actual contacts / Σ forecast contacts; every later interval's volume is
multiplied by it. AHT likewise: AHT ratio = actual handle time so far / (actual handled
contacts × their intervals' forecast AHT), i.e. how much longer contacts take than
forecast, applied to the remaining intervals' AHT. A ratio is applied only once
``min_contacts`` (default 20) actual or forecast contacts are behind it (handled contacts
for AHT): one early call against 0.4 forecast would otherwise multiply the day by 2.5.
Intervals already ended keep their actuals. ``as_of`` is the start of the first interval
that has not ended.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Interval:
    interval_start: str
    volume: float
    aht_seconds: float | None


@dataclass(frozen=True)
class Reforecast:
    volume_ratio: float
    aht_ratio: float
    intervals: list[Interval]


def reforecast(forecast: list[Interval], actual: Mapping[str, tuple[float, float | None]],
               as_of: str, min_contacts: float = 20,
               handled_counts: Mapping[str, float] | None = None) -> Reforecast:
    """``forecast`` for the day; ``actual`` maps an interval start to (contacts, AHT) for
    the intervals that ended by ``as_of`` (ISO, same clock as ``interval_start``);
    ``handled_counts`` the contacts handled in each (the AHT's own count: abandoned calls have no
    handle time). Without it the contacts stand in for them."""
    done = [f for f in forecast if f.interval_start < as_of]
    actual_volume = sum(actual.get(f.interval_start, (0.0, None))[0] for f in done)
    forecast_volume = sum(f.volume for f in done)
    enough = max(actual_volume, forecast_volume) >= min_contacts
    volume_ratio = actual_volume / forecast_volume if forecast_volume > 0 and enough else 1.0
    work = expected = handled = 0.0
    for f in done:
        offered, aht = actual.get(f.interval_start, (0.0, None))
        count = offered if handled_counts is None else \
            handled_counts.get(f.interval_start, 0.0)
        if aht is not None and f.aht_seconds is not None and count > 0:
            work += count * aht
            expected += count * f.aht_seconds
            handled += count
    aht_ratio = work / expected if handled >= min_contacts and expected > 0 else 1.0
    out = []
    for f in forecast:
        if f.interval_start < as_of:
            count, aht = actual.get(f.interval_start, (0.0, None))
            out.append(Interval(f.interval_start, count, aht))
        else:
            out.append(Interval(f.interval_start, f.volume * volume_ratio,
                                None if f.aht_seconds is None else f.aht_seconds * aht_ratio))
    return Reforecast(volume_ratio, aht_ratio, out)
