"""Forecasting from history: the weekday × interval profile, its backtest, and the CLI."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from omnikpi.cli.main import app
from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.wfm.forecast import backtest, forecast


def history(weeks: int) -> pd.DataFrame:
    """Mondays get 10 contacts at 09:00 and 20 at 09:30; every other day 5 and 5."""
    rows = []
    start = datetime(2024, 1, 1)  # a Monday
    for day in range(weeks * 7):
        d = start + timedelta(days=day)
        monday = d.weekday() == 0
        rows.append(((d + timedelta(hours=9)).isoformat(), 10 if monday else 5, 100.0))
        rows.append(((d + timedelta(hours=9, minutes=30)).isoformat(), 20 if monday else 5,
                     200.0))
    return pd.DataFrame(rows, columns=["interval_start", "volume", "aht_seconds"])


def test_weekday_profile_is_reproduced_exactly() -> None:
    out = forecast(history(4), datetime(2024, 1, 29), days=2, interval_minutes=30)
    by_time = dict(zip(out["interval_start"], zip(out["volume"], out["aht_seconds"],
                                                  strict=True), strict=True))
    assert by_time["2024-01-29T09:00:00"] == (10.0, 100.0)   # Monday
    assert by_time["2024-01-29T09:30:00"] == (20.0, 200.0)
    assert by_time["2024-01-30T09:00:00"] == (5.0, 100.0)    # Tuesday
    assert by_time["2024-01-30T03:00:00"][0] == 0.0          # never any contact at 03:00
    assert len(out) == 96


def test_backtest_of_a_perfect_profile_has_no_error() -> None:
    check = backtest(history(4), interval_minutes=30)
    assert check.held_out_days == 7
    assert check.volume_wape == pytest.approx(0.0) and check.aht_wape == pytest.approx(0.0)


def test_forecast_cli_on_demo_data_feeds_the_plan(tmp_path: Path) -> None:
    runner = CliRunner()
    target = tmp_path / "forecast.csv"
    result = runner.invoke(app, ["wfm", "forecast", "--data", str(DEMO_DATA_DIR), "--tz",
                                 "Europe/Kyiv", "--days", "1", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert "WAPE" in result.stderr
    forecast_rows = pd.read_csv(target)
    assert len(forecast_rows) == 48 and forecast_rows["volume"].sum() > 500
    plan = runner.invoke(app, ["wfm", "plan", "--forecast", str(target), "--interval-minutes",
                               "30", "--target-sl", "0.8", "--threshold", "20", "--format",
                               "json"])
    assert plan.exit_code == 0, plan.output
    # Kyiv's local time with its offset, kept by the plan and the schedule: a shift the
    # planner puts at 09:00 Kyiv is 07:00Z in shifts.csv (written without an offset, it
    # was read as 09:00 UTC, two hours late)
    assert forecast_rows["interval_start"][0] == "2024-03-07T00:00:00+02:00"
    planned = tmp_path / "plan.csv"
    assert runner.invoke(app, ["wfm", "plan", "--forecast", str(target), "--interval-minutes",
                               "30", "--target-sl", "0.8", "--threshold", "20", "--format",
                               "csv", "--output", str(planned)]).exit_code == 0
    scheduled = runner.invoke(app, ["wfm", "schedule", "--plan", str(planned), "--agents",
                                    "20", "--out", str(tmp_path / "shifts"),
                                    "--time-limit", "5"])
    assert scheduled.exit_code == 0, scheduled.output
    starts = pd.read_csv(tmp_path / "shifts" / "shifts.csv")["start"]
    assert all(s.endswith("+02:00") for s in starts), list(starts)[:3]
    assert {s[11:16] for s in starts} <= {f"{h:02d}:{m:02d}" for h in range(7, 13)
                                          for m in (0, 30)}


def test_a_forecast_of_one_channel_and_a_note_when_channels_mix(tmp_path: Path) -> None:
    """The demo has voice, chat, e-mail and social: the forecast of them all says on stderr
    that they are counted together (a plan would staff e-mail as calls); --channel voice
    forecasts the calls alone — fewer contacts at 08:00 than all channels together."""
    runner = CliRunner()
    every, voice = tmp_path / "every.csv", tmp_path / "voice.csv"
    mixed = runner.invoke(app, ["wfm", "forecast", "--data", str(DEMO_DATA_DIR), "--tz",
                                "Europe/Kyiv", "--days", "1", "--output", str(every)])
    assert mixed.exit_code == 0 and "--channel voice" in mixed.stderr
    alone = runner.invoke(app, ["wfm", "forecast", "--data", str(DEMO_DATA_DIR), "--tz",
                                "Europe/Kyiv", "--days", "1", "--channel", "voice",
                                "--output", str(voice)])
    assert alone.exit_code == 0 and "--channel voice" not in alone.stderr
    at_eight = {name: pd.read_csv(path).set_index("interval_start").loc[
        "2024-03-07T08:00:00+02:00", "volume"] for name, path in (("every", every),
                                                                   ("voice", voice))}
    assert 0 < at_eight["voice"] < at_eight["every"]


def _steady_calls(folder: Path, first_utc: datetime, days: int = 8) -> Path:
    """A call every 3 minutes, day and night (10 per half hour), each talked 180 s."""
    from omnikpi.schema.tables import TABLES

    columns = list(TABLES["contacts"].column_names)
    rows = []
    moment, n = first_utc, 0
    while moment < first_utc + timedelta(days=days):
        n += 1
        iso = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        row = dict.fromkeys(columns, "")
        row.update(contact_id=f"c{n}", channel="voice", direction="inbound", queue="q",
                   arrived_at=iso, blocked="false", accepted_at=iso, first_response_at=iso,
                   agent_id="a",
                   ended_at=(moment + timedelta(seconds=180)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                   transferred="false")
        rows.append(row)
        moment += timedelta(minutes=3)
    folder.mkdir()
    pd.DataFrame(rows, columns=columns).to_csv(folder / "contacts.csv", index=False)
    return folder


@pytest.mark.parametrize(("first_utc", "day", "hours"), [
    (datetime(2024, 3, 22, 22), "2024-03-31", 23),   # Kyiv springs forward 03:00 → 04:00
    (datetime(2024, 10, 18, 21), "2024-10-27", 25),  # and falls back 04:00 → 03:00
])
def test_a_clock_change_day_is_forecast_on_its_real_hours(
        tmp_path: Path, first_utc: datetime, day: str, hours: int) -> None:
    """The forecast's slots are of the wall clock; its intervals are instants. With one
    offset per wall time the spring day held 03:00 and 03:30 (= 04:00+03:00 and
    04:30+03:00, so `wfm plan` refused the file as twice the same interval) and the autumn
    day lost its repeated hour: 480 calls forecast for a day of 500, an hour unstaffed."""
    data = _steady_calls(tmp_path / "history", first_utc)
    target = tmp_path / "forecast.csv"
    runner = CliRunner()
    result = runner.invoke(app, ["wfm", "forecast", "--data", str(data), "--tz",
                                 "Europe/Kyiv", "--days", "1", "--channel", "voice",
                                 "--model", "profile", "--output", str(target)])
    assert result.exit_code == 0, result.output
    rows = pd.read_csv(target)
    assert rows["interval_start"].str.startswith(day).all()
    assert len(rows) == hours * 2 and rows["volume"].sum() == pytest.approx(hours * 20)
    instants = pd.to_datetime(rows["interval_start"], utc=True)
    assert instants.is_monotonic_increasing and instants.is_unique
    assert (instants.diff().dropna() == pd.Timedelta(minutes=30)).all()
    plan = runner.invoke(app, ["wfm", "plan", "--forecast", str(target), "--interval-minutes",
                               "30", "--target-sl", "0.8", "--format", "json"])
    assert plan.exit_code == 0, plan.output
    assert len(json.loads(plan.stdout)["rows"]) == hours * 2


def test_the_staffing_pages_day_plan_staffs_the_repeated_hour() -> None:
    """The web day plan (forecast + plan in one call) reads the same clock: the autumn
    day's plan has 50 half hours, the repeated 03:00 and 03:30 each staffed twice."""
    from omnikpi.wfm.day_plan import plan_days

    start = datetime(2024, 10, 19)  # 8 days of local half hours before Kyiv falls back
    rows = [{"period_start": (start + timedelta(minutes=30 * i)).isoformat() + "+03:00",
             "offered": 10.0, "aht": 180.0} for i in range(8 * 48)]
    plan = plan_days(rows, 30, 1, 0.8, 20.0, "Europe/Kyiv")
    starts = [p.interval_start for p in plan.planned]
    assert len(starts) == 50 and plan.contacts == pytest.approx(500.0)
    assert starts.count("2024-10-27T03:00:00+03:00") == 1
    assert starts.count("2024-10-27T03:00:00+02:00") == 1
    assert all(p.result.agents == plan.planned[0].result.agents for p in plan.planned)
