"""Edges of the workforce-planning inputs: a clock-change day in the forecast's history,
values out of range in PLAN.csv, AGENTS.csv and the forecast file, a queue too new for
`wfm forecast --by-queue`, and a mistyped `--channel`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from omnikpi.cli.main import app
from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.errors import UsageError
from omnikpi.wfm.forecast_file import read_forecast_rows
from omnikpi.wfm.forecast_models import Series, dense_series, predict
from omnikpi.wfm.schedule.inputs import read_agents, read_plan
from omnikpi.wfm.schedule.rules import ShiftRules
from omnikpi.wfm.schedule.solver import build_schedule
from omnikpi.wfm.staffing import MAX_INPUT

runner = CliRunner()
KYIV = ZoneInfo("Europe/Kyiv")
WEEKS = (4.0, 6.0, 8.0)
"""Contacts per real half hour in the first, second and third week of the history."""


def _engine_rows(first: datetime, days: int) -> list[dict[str, Any]]:
    """The engine's rows of ``days`` local days from the midnight ``first`` in Kyiv: one per
    real half hour, its start with the offset of the moment, ``WEEKS[w]`` contacts of 200 s
    in week ``w`` — so the clock-change day has 46 or 50 rows."""
    moment = first.replace(tzinfo=KYIV).astimezone(UTC)
    end = (first + timedelta(days=days)).replace(tzinfo=KYIV).astimezone(UTC)
    rows = []
    while moment < end:
        local = moment.astimezone(KYIV)
        week = (local.date() - first.date()).days // 7
        rows.append({"period_start": local.isoformat(), "offered": WEEKS[week], "aht": 200.0})
        moment += timedelta(minutes=30)
    return rows


def _series(rows: list[dict[str, Any]], tz: str | None = "Europe/Kyiv") -> Series:
    return dense_series([str(r["period_start"]) for r in rows],
                        [float(r["offered"]) for r in rows],
                        [float(r["aht"]) for r in rows], 30, tz)


def test_the_hour_the_clocks_skip_is_missing_not_zero() -> None:
    """Kyiv springs forward on Sunday 31 March 2024 (03:00 → 04:00). Three weeks of history
    from Sunday 17 March: 4 contacts per half hour in week 1, 6 in week 2, 8 in week 3. The
    wall times 03:00 and 03:30 of 31 March (day 14: slots 14·48 + 6 and + 7 = 678, 679)
    never came; they were zeros, so Sunday 7 April at 03:00 was forecast 0 by the seasonal
    naive model (a week earlier) and (4 + 6 + 0) / 3 = 3.33 by the profile.

    Now they are missing: filled with the same slot of the other weeks, (4 + 6) / 2 = 5
    (what the seasonal naive model repeats), and left out of the profile's mean:
    (4 + 6) / 2 = 5 at 03:00, while 00:00 is (4 + 6 + 8) / 3 = 6."""
    rows = _engine_rows(datetime(2024, 3, 17), 21)
    assert len(rows) == 21 * 48 - 2
    series = _series(rows)
    assert len(series.volume) == 21 * 48
    assert list(np.flatnonzero(series.skipped)) == [678, 679]
    assert list(series.volume[677:681]) == [8.0, 5.0, 5.0, 8.0]
    assert list(series.aht()[678:680]) == [200.0, 200.0]
    naive = predict("seasonal_naive", series, 48)
    assert list(naive.volume[5:9]) == [8.0, 5.0, 5.0, 8.0]
    assert list(naive.aht_seconds[6:8]) == [200.0, 200.0]
    profile = predict("profile", series, 48)
    assert profile.volume[0] == pytest.approx(6.0)
    assert list(profile.volume[6:8]) == pytest.approx([5.0, 5.0])
    # read from the rows' offsets alone (the staffing page's day plan): the same grid
    inferred = _series(rows, tz=None)
    assert np.array_equal(inferred.volume, series.volume)
    assert np.array_equal(inferred.skipped, series.skipped)


def test_the_hour_the_clocks_repeat_is_averaged_not_summed() -> None:
    """Kyiv falls back on Sunday 27 October 2024 (04:00 → 03:00): the wall times 03:00 and
    03:30 come twice, each time with 8 contacts (week 3). Summed they read 16, so Sunday
    3 November was forecast 16 at 03:00 by the seasonal naive model and the profile gave
    (4 + 6 + 16) / 3 = 8.67. Averaged they are 8 like the rest of the day: the seasonal
    naive forecast is 8 and the profile's Sunday 03:00 (4 + 6 + 8) / 3 = 6."""
    rows = _engine_rows(datetime(2024, 10, 13), 21)
    assert len(rows) == 21 * 48 + 2
    series = _series(rows)
    assert series.missing is None
    day = series.volume[14 * 48:15 * 48]
    assert set(day) == {8.0} and day.sum() == 48 * 8
    naive = predict("seasonal_naive", series, 48)
    assert list(naive.volume[6:8]) == [8.0, 8.0]
    profile = predict("profile", series, 48)
    assert list(profile.volume[6:8]) == pytest.approx([6.0, 6.0])
    assert np.array_equal(_series(rows, tz=None).volume, series.volume)
    # one contact in the second 03:00 alone (none in the first): with the zone, the slot
    # holds their mean (0 + 1) / 2 = 0.5; the offsets alone cannot tell the hour came twice
    sparse = [{"period_start": "2024-10-27T00:00:00+03:00", "offered": 2.0, "aht": 100.0},
              {"period_start": "2024-10-27T03:00:00+02:00", "offered": 1.0, "aht": 100.0}]
    assert _series(sparse).volume[6] == 0.5
    assert _series(sparse, tz=None).volume[6] == 1.0


def _calls(folder: Path, queues: dict[str, tuple[datetime, datetime]],
           every_minutes: int) -> Path:
    """Inbound voice calls of 200 s, one every ``every_minutes``: per queue (first UTC
    moment, end)."""
    lines = ["contact_id,channel,direction,queue,arrived_at,accepted_at,first_response_at,"
             "ended_at"]
    n = 0
    for queue, (first, last) in queues.items():
        moment = first
        while moment < last:
            n += 1
            at = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
            end = (moment + timedelta(seconds=200)).strftime("%Y-%m-%dT%H:%M:%SZ")
            lines.append(f"c{n},voice,inbound,{queue},{at},{at},{at},{end}")
            moment += timedelta(minutes=every_minutes)
    folder.mkdir()
    (folder / "contacts.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_the_forecast_command_reads_the_skipped_hour_with_its_zone(tmp_path: Path) -> None:
    """The audit's case: a call every 6 minutes (5 per half hour) for three weeks from
    Kyiv's midnight of Sunday 17 March (22:00Z the day before) to that of Sunday 7 April
    (21:00Z, at +03:00), through the spring change of 31 March. Sunday 7 April at 03:00 and
    03:30 was forecast 0.0 by the seasonal naive model: it is 5.0, like every other half
    hour of the day (48 × 5 = 240 calls)."""
    data = _calls(tmp_path / "history", {"q": (datetime(2024, 3, 16, 22),
                                               datetime(2024, 4, 6, 21))}, 6)
    result = runner.invoke(app, ["wfm", "forecast", "--data", str(data), "--tz",
                                 "Europe/Kyiv", "--days", "1", "--channel", "voice",
                                 "--model", "seasonal_naive", "--format", "json"])
    assert result.exit_code == 0, result.output
    volume = {i["interval_start"]: i["volume"] for i in json.loads(result.stdout)["intervals"]}
    assert volume["2024-04-07T03:00:00+03:00"] == 5.0
    assert volume["2024-04-07T03:30:00+03:00"] == 5.0
    assert sum(volume.values()) == 240.0


# --- wfm schedule: PLAN.csv and AGENTS.csv ------------------------------------------------

def test_a_requirement_out_of_range_is_refused_naming_its_line(tmp_path: Path) -> None:
    """`inf` gave "cannot convert float NaN to integer" and `1e30` an OR-Tools TypeError,
    both as tracebacks. A requirement is 0 to 100,000 agents (the most `wfm plan` staffs);
    100,000 itself and 2.5 (rounded up to 3) are read."""
    plan = tmp_path / "plan.csv"
    plan.write_text("interval_start,agents_required\n2024-03-04T08:00:00+02:00,inf\n"
                    "2024-03-04T08:30:00+02:00,1e30\n2024-03-04T09:00:00+02:00,100001\n"
                    "2024-03-04T09:30:00+02:00,1\n", encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        read_plan(plan)
    assert str(caught.value) == (
        f"{plan}: line 2: agents_required must be a finite number from 0 to 100,000, got "
        "inf; line 3: agents_required must be a finite number from 0 to 100,000, got 1e30; "
        "line 4: agents_required must be a finite number from 0 to 100,000, got 100001")
    result = runner.invoke(app, ["wfm", "schedule", "--plan", str(plan), "--agents", "2",
                                 "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "line 2: agents_required must be" in result.output
    plan.write_text("interval_start,agents_required\n2024-03-04T08:00:00+02:00,100000\n"
                    "2024-03-04T08:30:00+02:00,2.5\n", encoding="utf-8")
    assert sorted(read_plan(plan).required.values()) == [3, 100_000]


def test_agents_values_out_of_range_are_refused_naming_their_lines(tmp_path: Path) -> None:
    """cost_per_hour nan and inf were tracebacks, 1e300 "no schedule found within 60 s",
    -3 was taken; days_per_week 9 and min_weekly_hours -5 were taken too. Each is refused
    with its line; the edges 0 and 1,000,000, 7 days and 168 hours are read."""
    agents = tmp_path / "agents.csv"
    agents.write_text(
        "agent_id,days_per_week,min_weekly_hours,max_weekly_hours,cost_per_hour\n"
        "a,,,,nan\nb,,,,inf\nc,,,,1e300\nd,,,,-3\ne,9,,,\nf,-1,,,\ng,,-5,,\nh,,,169,\n"
        "i,,40,10,\n", encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        read_agents(agents)
    cost = "cost_per_hour must be a finite number from 0 to 1,000,000, got"
    assert str(caught.value) == (
        f"{agents}: line 2: {cost} nan; line 3: {cost} inf; line 4: {cost} 1e300; "
        f"line 5: {cost} -3; line 6: days_per_week must be from 0 to 7, got 9; "
        "line 7: days_per_week must be from 0 to 7, got -1; "
        "line 8: min_weekly_hours must be from 0 to 168, got -5; "
        "line 9: max_weekly_hours must be from 0 to 168, got 169; "
        "line 10: min_weekly_hours 40 is above max_weekly_hours 10")
    agents.write_text(
        "agent_id,days_per_week,min_weekly_hours,max_weekly_hours,cost_per_hour\n"
        "a,0,0,0,0\nb,7,168,168,1000000\nc,,,,\n", encoding="utf-8")
    a, b, c = read_agents(agents)
    assert (a.days_per_week, a.min_weekly_minutes, a.max_weekly_minutes, a.cost_per_hour) \
        == (0, 0, 0, 0.0)
    assert (b.days_per_week, b.max_weekly_minutes, b.cost_per_hour) == (7, 168 * 60, 1e6)
    assert (c.days_per_week, c.max_weekly_minutes, c.cost_per_hour) == (None, None, 1.0)


def test_an_agent_with_no_days_or_no_hours_gets_no_shift(tmp_path: Path) -> None:
    """days_per_week 0 and max_weekly_hours 0 read as "the rules' value" (`x or rules.x`):
    those agents were scheduled 5 days. A plan of 3 agents 08:00–16:00, Monday 4 to Friday
    8 March, one 8-hour shift start (08:00) and no breaks: only the third agent may work,
    5 shifts, and each of the 16 half hours of the 5 days is 2 agents short:
    2 × 16 × 5 = 160 agent-intervals (with the defect: 15 shifts and none short)."""
    plan = tmp_path / "plan.csv"
    plan.write_text("interval_start,agents_required\n" + "".join(
        f"2024-03-0{d}T{8 + h // 2:02d}:{30 * (h % 2):02d}:00+02:00,3\n"
        for d in range(4, 9) for h in range(16)), encoding="utf-8")
    agents = tmp_path / "agents.csv"
    agents.write_text("agent_id,days_per_week,max_weekly_hours\nnone,0,\nleave,,0\nfull,,\n",
                      encoding="utf-8")
    rules = ShiftRules(shift_minutes=(480,), start_from_minutes=480, start_to_minutes=480,
                       activities=(), time_limit_seconds=20)
    schedule = build_schedule(read_plan(plan), read_agents(agents), rules)
    assert [s.agent.agent_id for s in schedule.shifts] == ["full"] * 5
    assert schedule.under == pytest.approx(160.0)
    assert sorted(schedule.unused_agents) == ["leave", "none"]


def test_the_rules_weekly_minimum_is_not_asked_of_an_agent_with_no_days(
        tmp_path: Path) -> None:
    """A whole week's plan and rules asking 20 hours a week: the agent with 0 days made the
    schedule fail ("the weekly hours allow no number of 8-hour shifts"); the minimum is
    for agents who work. "full" works at least 3 shifts (20 h of 8-hour shifts), "none"
    none."""
    plan = tmp_path / "plan.csv"
    plan.write_text("interval_start,agents_required\n" + "".join(
        f"2024-03-{d:02d}T{8 + h // 2:02d}:{30 * (h % 2):02d}:00+02:00,1\n"
        for d in range(4, 11) for h in range(16)), encoding="utf-8")
    agents = tmp_path / "agents.csv"
    agents.write_text("agent_id,days_per_week\nnone,0\nfull,\n", encoding="utf-8")
    rules = ShiftRules(shift_minutes=(480,), start_from_minutes=480, start_to_minutes=480,
                       activities=(), time_limit_seconds=20, min_weekly_minutes=1200)
    schedule = build_schedule(read_plan(plan), read_agents(agents), rules)
    worked = [s.agent.agent_id for s in schedule.shifts]
    assert set(worked) == {"full"} and 3 <= len(worked) <= 5
    assert schedule.unused_agents == ["none"]


# --- wfm plan: the forecast file ----------------------------------------------------------

def test_a_volume_or_aht_above_the_limit_names_its_line(tmp_path: Path) -> None:
    """2e9 contacts (or a 2e9-second AHT) said "volume must be a finite number up to
    1,000,000,000, got 2000000000.0" without the line, where every other bad line is named.
    1,000,000,000 itself is read (and then found unstaffable, with its line)."""
    forecast = tmp_path / "forecast.csv"
    forecast.write_text("interval_start,volume,aht_seconds\n2024-03-07T08:00:00+02:00,100,180\n"
                        "2024-03-07T08:30:00+02:00,2e9,180\n2024-03-07T09:00:00+02:00,10,2e9\n"
                        "2024-03-07T09:30:00+02:00,1000000000,1000000000\n", encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        read_forecast_rows(forecast)
    assert str(caught.value) == (
        f"{forecast}: line 3: volume must be at most 1,000,000,000, got 2e9; "
        "line 4: aht_seconds must be at most 1,000,000,000, got 2e9")
    result = runner.invoke(app, ["wfm", "plan", "--forecast", str(forecast),
                                 "--interval-minutes", "30", "--target-sl", "0.8"])
    assert result.exit_code == 2
    assert "line 3: volume must be at most 1,000,000,000, got 2e9" in result.output
    forecast.write_text("interval_start,volume,aht_seconds\n"
                        "2024-03-07T09:30:00+02:00,1000000000,1000000000\n", encoding="utf-8")
    [row] = read_forecast_rows(forecast)
    assert (row.volume, row.aht_seconds) == (1e9, 1e9)
    from omnikpi.wfm.forecast_file import MAX_VALUE  # the staffing's limit, line by line

    assert MAX_VALUE == MAX_INPUT


# --- wfm forecast: --by-queue and --channel -----------------------------------------------

def test_a_queue_too_new_to_forecast_is_left_out_with_a_warning(tmp_path: Path) -> None:
    """Queue `old` has 4 days of calls every 10 minutes (3 per half hour), `new` opened 2
    days ago: the whole --by-queue run failed with "a forecast needs at least 3 days …; this
    one has 2", naming no queue. Now `new` is left out with a warning naming it and its 2
    days, and `old` is forecast: 48 half hours of 3.0 (the day before, seasonal naive)."""
    data = _calls(tmp_path / "data", {"old": (datetime(2024, 1, 1), datetime(2024, 1, 5)),
                                      "new": (datetime(2024, 1, 3), datetime(2024, 1, 5))},
                  10)
    out = tmp_path / "forecast.csv"
    args = ["wfm", "forecast", "--data", str(data), "--days", "1", "--by-queue", "--model",
            "seasonal_naive"]
    result = runner.invoke(app, [*args, "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert ("warning: queue new is not forecast: it has 2 day(s) of history; a forecast "
            "needs at least 3") in result.stderr
    rows = pd.read_csv(out)
    assert set(rows["queue"]) == {"old"} and len(rows) == 48
    assert set(rows["volume"]) == {3.0}
    assert rows["interval_start"].iloc[0] == "2024-01-05T00:00:00+00:00"
    # --backtest-days 3 needs 3 + 2 days: `old` has 4, `new` 2 — no queue can be forecast
    none = runner.invoke(app, [*args, "--backtest-days", "3"])
    assert none.exit_code == 2
    assert ("no queue has the history to forecast: queue new has 2 day(s) of history; a "
            "forecast needs at least 3; queue old has 4 day(s) of history; --backtest-days 3 "
            "needs at least 5") in " ".join(none.output.split())


def test_a_mistyped_channel_is_named_with_the_channels_the_data_has() -> None:
    """`--channel vocie` said "demo has no contacts to forecast from"."""
    result = runner.invoke(app, ["wfm", "forecast", "--data", str(DEMO_DATA_DIR), "--channel",
                                 "vocie", "--days", "1"])
    assert result.exit_code == 2
    assert (f"channel 'vocie' has no contacts in {DEMO_DATA_DIR}; its channels: chat, email, "
            "social, voice") in " ".join(result.output.split())
    two = runner.invoke(app, ["wfm", "forecast", "--data", str(DEMO_DATA_DIR), "--channel",
                              "voice,vocie,x", "--days", "1"])
    assert two.exit_code == 2 and "channels 'vocie', 'x' have no contacts" in two.output
    # a channel in another case is the channel (channels are read in lower case)
    upper = runner.invoke(app, ["wfm", "forecast", "--data", str(DEMO_DATA_DIR), "--channel",
                                "Voice", "--days", "1", "--format", "json"])
    assert upper.exit_code == 0, upper.output
    lower = runner.invoke(app, ["wfm", "forecast", "--data", str(DEMO_DATA_DIR), "--channel",
                                "voice", "--days", "1", "--format", "json"])
    assert json.loads(upper.stdout) == json.loads(lower.stdout)
