"""The forecast backtest on the real Anonymous Bank month (August 1999, 30-minute
intervals, Israel time): train on the first three weeks (Aug 1–21), forecast the last
ten days (Aug 22–31). The numbers are the ones in docs/wfm.md and bench/RESULTS.md
(`bench/bench_forecast.py`); they were computed once and are held tightly here."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from omnikpi.cli.main import app

from ...conftest import ANONYMOUS_BANK as RAW
from ...conftest import REPO

EXPECTED = {  # model: (volume WAPE, AHT WAPE)
    "profile": (0.3680, 0.3040),
    "seasonal_naive": (0.2463, 0.3419),
    "ets": (0.3058, 0.3008),
    "mstl": (0.2333, 0.3465),
}


@pytest.fixture(scope="module")
def forecast(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    out = tmp_path_factory.mktemp("bank")
    runner = CliRunner()
    imported = runner.invoke(app, ["import", "csv", str(RAW), "--mapping",
                                   str(REPO / "mappings" / "anonymous_bank.toml"),
                                   "--out", str(out)])
    assert imported.exit_code == 0, imported.output
    result = runner.invoke(app, ["wfm", "forecast", "--data", str(out), "--tz",
                                 "Asia/Jerusalem", "--backtest-days", "10", "--days", "1",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    parsed: dict[str, object] = json.loads(result.stdout)
    return parsed


def test_backtest_numbers_on_the_real_month(forecast: dict[str, object]) -> None:
    scores = forecast["backtest"]
    assert isinstance(scores, dict) and set(scores) == set(EXPECTED)
    for model, (volume_wape, aht_wape) in EXPECTED.items():
        assert scores[model]["volume_wape"] == pytest.approx(volume_wape, abs=5e-4), model
        assert scores[model]["aht_wape"] == pytest.approx(aht_wape, abs=5e-4), model
    assert forecast["chosen"] == "mstl" and forecast["chosen_aht"] == "ets"
    assert forecast["backtest_days"] == 10
    # the goal of issue 25: the chosen model beats the profile average by ≥ 10 % (volume)
    chosen, profile = scores["mstl"]["volume_wape"], scores["profile"]["volume_wape"]
    assert chosen <= 0.9 * profile


def test_forecast_is_the_next_day_with_the_bank_closed_at_night(
        forecast: dict[str, object]) -> None:
    intervals = forecast["intervals"]
    assert isinstance(intervals, list) and len(intervals) == 48
    # local time with its offset (Israel's summer time): a schedule made from it lands
    # where the bank's clock says
    assert intervals[0]["interval_start"] == "1999-09-01T00:00:00+03:00"
    by_time = {i["interval_start"][11:16]: i for i in intervals}
    assert by_time["03:00"]["volume"] == 0 and by_time["03:00"]["aht_seconds"] is None
    day = sum(i["volume"] for i in intervals)
    assert 1000 < day < 1700  # Wednesdays of August: 1,788, 1,721, 1,169, 1,215 offered
    assert all(i["aht_seconds"] is None or 60 < i["aht_seconds"] < 600 for i in intervals)
