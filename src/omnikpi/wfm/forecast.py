"""Interval forecasts of volume and AHT from history: the weekday × time-of-day profile.

Contact volumes repeat by weekday and time of day far more than they trend over a few
weeks, so the classic planner's model is the mean of the same weekday and interval over
recent weeks (falling back to the same interval on any day when a weekday has no
history). The backtest holds out the most recent days, forecasts them from the rest, and
reports the weighted absolute percentage error (WAPE) — the error measure planners use
because it does not explode on near-empty night intervals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from omnikpi.errors import DataError, UsageError

HISTORY_FILTER = {"direction": ["inbound"]}
"""The contacts a forecast learns from: the customers'. An agent's outbound calls and
e-mails are not volume to staff for, and their handle times would blend into the AHT."""
MAX_DAYS = 366
"""Days one forecast covers (``--days 100000`` once wrote 4.8 million rows to year 2297)."""
MAX_WEEKS = 520
"""Weeks of history in the profile (``--weeks 2147483648`` overflowed pandas' timedelta)."""


def check_span(days: int, weeks: int) -> None:
    if not 1 <= days <= MAX_DAYS:
        raise UsageError(f"--days must be from 1 to {MAX_DAYS}, got {days}")
    if not 1 <= weeks <= MAX_WEEKS:
        raise UsageError(f"--weeks must be from 1 to {MAX_WEEKS}, got {weeks}")


@dataclass(frozen=True)
class Backtest:
    held_out_days: int
    volume_wape: float | None
    aht_wape: float | None


def _profile(history: pd.DataFrame, weeks: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    h = history.copy()
    h["start"] = pd.to_datetime(h["interval_start"].map(lambda s: datetime.fromisoformat(s)
                                                        .replace(tzinfo=None)))
    last = h["start"].max()
    h = h[h["start"] > last - pd.Timedelta(weeks=weeks)]
    h["weekday"] = h["start"].dt.weekday
    h["slot"] = h["start"].dt.strftime("%H:%M")
    h["work"] = h["volume"] * h["aht_seconds"].fillna(0)
    h["volume_handled"] = h["volume"].where(h["aht_seconds"].notna(), 0)
    by_weekday = h.groupby(["weekday", "slot"]).agg(volume=("volume", "mean"),
                                                    work=("work", "sum"),
                                                    handled=("volume_handled", "sum"))
    by_slot = h.groupby("slot").agg(volume=("volume", "mean"), work=("work", "sum"),
                                    handled=("volume_handled", "sum"))
    return by_weekday, by_slot


def forecast(history: pd.DataFrame, start: datetime, days: int, interval_minutes: int,
             weeks: int = 4) -> pd.DataFrame:
    """Rows ``interval_start, volume, aht_seconds`` for ``days`` days from ``start``.

    ``history`` has one row per interval: ``interval_start`` (ISO, local time of the
    reporting zone), ``volume`` and ``aht_seconds`` (null where nothing was handled).
    """
    check_span(days, weeks)
    if history.empty:
        raise DataError("no history to forecast from: the dataset has no offered contacts")
    weekday_frame, slot_frame = _profile(history, weeks)
    by_weekday = _lookup(weekday_frame)
    by_slot = _lookup(slot_frame)
    handled_total = sum(v[2] for v in by_slot.values())
    overall_aht = (sum(v[1] for v in by_slot.values()) / handled_total
                   if handled_total > 0 else None)
    rows: list[tuple[str, float, float | None]] = []
    for step in range(days * 24 * 60 // interval_minutes):
        moment = start + timedelta(minutes=step * interval_minutes)
        slot = moment.strftime("%H:%M")
        source = by_weekday.get((moment.weekday(), slot)) or by_slot.get(slot)
        if source is None:
            rows.append((moment.isoformat(), 0.0, None))
            continue
        volume, work, handled = source
        # contacts arrive at hours when none are handled (e-mail at night): the overall AHT
        aht = work / handled if handled > 0 else (overall_aht if volume > 0 else None)
        rows.append((moment.isoformat(), volume, aht))
    return pd.DataFrame(rows, columns=["interval_start", "volume", "aht_seconds"])


def _lookup(frame: pd.DataFrame) -> dict[object, tuple[float, float, float]]:
    """Profile rows by key: (mean volume, Σ volume × AHT, Σ volume)."""
    values = frame[["volume", "work", "handled"]].to_numpy(dtype=float)
    return {key: (v[0], v[1], v[2]) for key, v in zip(frame.index, values, strict=True)}


def _wape(actual: np.ndarray, predicted: np.ndarray) -> float | None:
    total = np.abs(actual).sum()
    return None if total == 0 else float(np.abs(actual - predicted).sum() / total)


def backtest(history: pd.DataFrame, interval_minutes: int, weeks: int = 4) -> Backtest:
    """Forecast the most recent days (7 if there are 14 days of history, else 1) from
    the days before them and measure the error."""
    check_span(1, weeks)
    starts = history["interval_start"].map(
        lambda s: datetime.fromisoformat(s).replace(tzinfo=None))
    days = sorted({s.date() for s in starts})
    held = 7 if len(days) >= 14 else 1
    if len(days) <= held:
        return Backtest(held, None, None)
    cut = datetime.combine(days[-held], datetime.min.time())
    train = history[starts < cut]
    test = history[starts >= cut]
    predicted = forecast(train, cut, held, interval_minutes, weeks)
    predicted["interval_start"] = predicted["interval_start"].map(lambda s: s[:16])
    actual = test.assign(interval_start=test["interval_start"].map(
        lambda s: datetime.fromisoformat(s).replace(tzinfo=None).isoformat()[:16]))
    merged = predicted.merge(actual, on="interval_start", how="left", suffixes=("_p", ""))
    merged["volume"] = merged["volume"].fillna(0)
    volume_wape = _wape(merged["volume"].to_numpy(), merged["volume_p"].to_numpy())
    both = merged.dropna(subset=["aht_seconds", "aht_seconds_p"])
    weights = both["volume"].to_numpy()
    aht_wape = None if weights.sum() == 0 else float(
        (np.abs(both["aht_seconds"] - both["aht_seconds_p"]) * weights).sum()
        / (both["aht_seconds"] * weights).sum())
    return Backtest(held, volume_wape, aht_wape)
