"""Forecast models, backtest and intraday re-forecast on hand-made series."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import omnikpi
from omnikpi.cli.main import app
from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.wfm.backtest import backtest, choose, forecast_with, score
from omnikpi.wfm.forecast_models import Prediction, Series, dense_series, predict
from omnikpi.wfm.reforecast import Interval, reforecast

D, W = 12, 84  # two-hour intervals: a day, a week (small seasons keep Holt-Winters quick)


def weekly(weeks: int, noise: float = 0.0) -> Series:
    """Two-hour grid: contacts 08:00–20:00 only, weekday × hour pattern, AHT 100 + hour."""
    rng = np.random.default_rng(1)
    starts = pd.date_range("2024-01-01", periods=weeks * W, freq="120min")
    hour = np.asarray(starts.hour, dtype=float)
    pattern = np.where((hour >= 8) & (hour < 20),
                       10.0 + hour + 5 * (starts.weekday == 0), 0.0)
    volume = np.round(pattern * (1 + noise * rng.standard_normal(len(starts))))
    volume = np.clip(volume, 0, None)
    aht = 100.0 + np.asarray(starts.hour, dtype=float)
    return Series(starts, volume, volume.copy(), volume * aht, 120)


def test_dense_grid_fills_empty_intervals_and_ignores_after_midnight_handle_rows() -> None:
    s = dense_series(["2024-01-01T09:00:00+02:00", "2024-01-01T10:30:00+02:00",
                      "2024-01-02T00:00:00+02:00"], [3, 2, 0], [100.0, None, 50.0], 30)
    assert len(s.volume) == 48 and s.volume.sum() == 5  # Jan 2 only had handle time
    assert s.volume[18] == 3 and s.volume[21] == 2 and s.volume[19] == 0
    assert s.handled.sum() == 3 and s.overall_aht() == 100.0


@pytest.mark.parametrize("model", ["profile", "seasonal_naive", "ets", "mstl"])
def test_a_repeating_week_is_forecast_almost_exactly(model: str) -> None:
    history, future = weekly(4).head(3 * W), weekly(4).tail(3 * W)
    got = predict(model, history, W)  # type: ignore[arg-type]
    s = score(future, got)
    assert s.volume_wape is not None and s.volume_wape < 0.02
    assert s.aht_wape is not None and s.aht_wape < 0.02
    closed = future.volume == 0  # 20:00–08:00 nobody calls, and nobody is forecast
    assert np.all(got.volume[closed] == 0)


def test_seasonal_naive_repeats_last_week_and_wape_is_by_hand() -> None:
    s = weekly(3, noise=0.2)
    got = predict("seasonal_naive", s.head(2 * W + D), D)  # two weeks: a week's season
    assert list(got.volume) == list(s.volume[W + D:W + 2 * D])  # Tuesday a week before
    short = predict("seasonal_naive", s.head(W + D), D)  # 8 days: a day's season
    assert list(short.volume) == list(s.volume[W:W + D])  # yesterday, Monday
    actual = Series(s.starts[:2], np.array([10.0, 30.0]), np.array([10.0, 30.0]),
                    np.array([1000.0, 3000.0]), 60)
    guess = Prediction(np.array([12.0, 24.0]), np.array([110.0, 100.0]))
    out = score(actual, guess)
    assert out.volume_wape == pytest.approx((2 + 6) / 40)
    assert out.aht_wape == pytest.approx(10 * 10 / 4000)  # only the first interval is off


def test_auto_chooses_by_backtest_and_forecasts_from_the_next_midnight() -> None:
    noisy = weekly(4, noise=0.1)
    scores = backtest(noisy, 7)
    assert set(scores) == {"profile", "seasonal_naive", "ets", "mstl"}
    result = forecast_with(noisy, "auto", days=2, backtest_days=7)
    assert result.chosen == choose(scores) and result.chosen_aht == choose(scores, "aht")
    assert result.intervals()[0]["interval_start"] == "2024-01-29T00:00:00"
    assert len(result.intervals()) == 2 * D
    fixed = forecast_with(noisy, "seasonal_naive", days=1, backtest_days=7)
    assert list(fixed.scores) == ["seasonal_naive"] and fixed.volume == list(
        noisy.volume[-W:-W + D])


def test_intraday_reforecast_by_hand() -> None:
    day = [Interval(f"2024-01-01T{h:02d}:00", 10.0, 100.0) for h in range(8, 18)]
    actual = {f"2024-01-01T{h:02d}:00": (15.0, 120.0) for h in range(8, 12)}
    out = reforecast(day, actual, "2024-01-01T12:00")
    # 60 actual vs 40 forecast over 08–12: ×1.5; 60 contacts took 7200 s against 6000 s
    assert out.volume_ratio == pytest.approx(1.5) and out.aht_ratio == pytest.approx(1.2)
    assert [i.volume for i in out.intervals] == [15.0] * 10
    assert out.intervals[-1].aht_seconds == pytest.approx(120.0)
    # one call in the first hour against 0.4 forecast: too little to rescale the day
    thin = [Interval(f"2024-01-01T{h:02d}:00", 0.4, 100.0) for h in range(8, 18)]
    early = reforecast(thin, {"2024-01-01T08:00": (1.0, 300.0)}, "2024-01-01T09:00")
    assert early.volume_ratio == 1.0 and early.aht_ratio == 1.0
    assert early.intervals[0].volume == 1.0 and early.intervals[5].volume == 0.4
    # AHT weighted by the contacts handled: 08:00 20 offered, 10 handled at 200 s; 09:00 10
    # offered, 10 handled at 100 s; forecast 100 s → (10·200 + 10·100) / (20·100) = 1.5
    # (weighted by offered: 5000 / 3000 = 1.67)
    two = [Interval(f"2024-01-01T{h:02d}:00", 10.0, 100.0) for h in range(8, 12)]
    mixed = reforecast(two, {"2024-01-01T08:00": (20.0, 200.0), "2024-01-01T09:00": (10.0, 100.0)},
                       "2024-01-01T10:00", 5, {"2024-01-01T08:00": 10.0,
                                               "2024-01-01T09:00": 10.0})
    assert mixed.aht_ratio == pytest.approx(1.5)


def test_reforecast_cli_on_demo_data(tmp_path: Path) -> None:
    """The demo's Mar 6 with a flat forecast of 10 contacts of 100 s per half hour from
    08:00 to 20:00: by 12:00 the actuals set both ratios; intervals before 12:00 are the
    actuals, the rest 10 × the ratio."""
    runner = CliRunner()
    day = tmp_path / "day.csv"
    day.write_text("interval_start,volume,aht_seconds\n" + "".join(
        f"2024-03-06T{h:02d}:{m:02d}:00,10,100\n" for h in range(8, 20) for m in (0, 30)),
        encoding="utf-8")
    result = runner.invoke(app, ["wfm", "reforecast", "--forecast", str(day), "--data",
                                 str(DEMO_DATA_DIR), "--as-of", "2024-03-06T12:00",
                                 "--tz", "Europe/Kyiv", "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    actual = omnikpi.report_result(DEMO_DATA_DIR, metrics=["offered", "aht"], grain="30min",
                                   tz="Europe/Kyiv", from_="2024-03-06T08:00:00",
                                   to="2024-03-06T12:00:00").rows
    offered = sum(r["offered"] for r in actual)
    assert out["volume_ratio"] == pytest.approx(offered / 80)
    # AHT weighted by the contacts it averages: those handled (75 of 460 calls of the day
    # were not, and offered weights gave 1.0024 where handled ones give the truth)
    handled_rows = omnikpi.report_result(
        DEMO_DATA_DIR, metrics=["handled", "aht"], grain="30min", tz="Europe/Kyiv",
        from_="2024-03-06T08:00:00", to="2024-03-06T12:00:00").rows
    work = sum(r["handled"] * r["aht"] for r in handled_rows if r["aht"] is not None)
    handled = sum(r["handled"] for r in handled_rows if r["aht"] is not None)
    assert out["aht_ratio"] == pytest.approx(work / (handled * 100))
    rows = out["intervals"]
    assert rows[0]["volume"] == actual[0]["offered"]
    assert rows[-1]["volume"] == pytest.approx(10 * out["volume_ratio"], abs=1e-4)
    bad = runner.invoke(app, ["wfm", "reforecast", "--forecast", str(day), "--data",
                              str(DEMO_DATA_DIR), "--as-of", "noon"])
    assert bad.exit_code == 2 and "--as-of" in bad.output
    # nan and 1e300 switched the re-forecast off (both ratios 1.0), -3 passed; exit 0
    for odd, words in (("nan", "--min-contacts must be a finite number up to"),
                       ("1e300", "--min-contacts must be a finite number up to"),
                       ("-3", "--min-contacts must be 0 or more, got -3")):
        refused = runner.invoke(app, ["wfm", "reforecast", "--forecast", str(day), "--data",
                                      str(DEMO_DATA_DIR), "--as-of", "2024-03-06T12:00",
                                      "--min-contacts", odd])
        assert refused.exit_code == 2, refused.output
        assert words in " ".join(refused.output.split()), refused.output


def test_every_queue_gets_its_own_models() -> None:
    """--by-queue: each queue backtested and forecast on its own (demo: three days, so
    ets and mstl have too little history and are not scored)."""
    runner = CliRunner()
    base = ["wfm", "forecast", "--data", str(DEMO_DATA_DIR), "--tz", "Europe/Kyiv",
            "--days", "1", "--by-queue"]
    result = runner.invoke(app, [*base, "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    queues = {r["queue"] for r in omnikpi.report_result(
        DEMO_DATA_DIR, metrics=["offered"], by=["queue"]).rows if r["offered"]}
    assert set(out["queues"]) == queues
    for entry in out["queues"].values():
        assert entry["backtest"]["mstl"] == {"volume_wape": None, "aht_wape": None}
        assert entry["chosen"] in ("profile", "seasonal_naive")
    assert len(out["intervals"]) == 48 * len(queues)
    assert {i["queue"] for i in out["intervals"]} == queues
    both = runner.invoke(app, [*base, "--queue", "support"])
    assert both.exit_code == 2 and "--by-queue" in both.output
