"""`omnikpi wfm` through the CLI: the contract's JSON, plans, backlog, shrinkage, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from omnikpi.cli.main import app

runner = CliRunner()
BASE = ["--volume", "100", "--interval-minutes", "30", "--aht", "180", "--threshold", "20"]


def test_staff_json_is_the_contract_example() -> None:
    result = runner.invoke(app, ["wfm", "staff", *BASE, "--target-sl", "0.8",
                                 "--shrinkage", "0.3", "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) == {"agents", "positions", "service_level", "asa", "avg_wait", "p_wait",
                        "occupancy", "p_abandon", "p_block"}
    assert (out["agents"], out["positions"]) == (14, 20)
    assert out["service_level"] == pytest.approx(0.888, abs=1e-3)
    assert out["asa"] == pytest.approx(7.84, abs=0.01) and out["asa"] == out["avg_wait"]
    assert out["p_abandon"] is None and out["p_block"] is None


def test_evaluate_erlang_a_and_b() -> None:
    a = json.loads(runner.invoke(app, ["wfm", "evaluate", *BASE, "--agents", "11", "--model",
                                       "erlang_a", "--patience", "120", "--format", "json"]
                                 ).stdout)
    assert 0 < a["p_abandon"] < 0.2 and a["asa"] > a["avg_wait"] * 0.5
    b = json.loads(runner.invoke(app, ["wfm", "evaluate", *BASE, "--agents", "15", "--model",
                                       "erlang_b", "--format", "json"]).stdout)
    assert b["p_block"] == pytest.approx(0.0365, abs=5e-5)


def test_chat_concurrency_divides_agents() -> None:
    single = json.loads(runner.invoke(app, ["wfm", "staff", *BASE, "--target-sl", "0.8",
                                            "--format", "json"]).stdout)
    triple = json.loads(runner.invoke(app, ["wfm", "staff", *BASE, "--target-sl", "0.8",
                                            "--concurrency", "3", "--format", "json"]).stdout)
    assert triple["agents"] == 5  # 14 servers → ⌈14 / 3⌉ agents holding 3 sessions each
    assert triple["agents"] < single["agents"]


def test_plan_from_forecast(tmp_path: Path) -> None:
    forecast = tmp_path / "forecast.csv"
    forecast.write_text("interval_start,volume,aht_seconds\n"
                        "2024-03-04T08:00,100,180\n2024-03-04T08:30,0,180\n"
                        "2024-03-04T09:00,200,180\n")
    args = ["wfm", "plan", "--forecast", str(forecast), "--interval-minutes", "30",
            "--target-sl", "0.8", "--threshold", "20", "--shrinkage", "0.3"]
    rows = json.loads(runner.invoke(app, [*args, "--format", "json"]).stdout)["rows"]
    assert [(r["agents"], r["positions"]) for r in rows] == [(14, 20), (0, 0), (24, 35)]
    # no contacts, no AHT: the plan does not carry a handle time nobody handles
    assert [r["aht_seconds"] for r in rows] == [180.0, None, 180.0]
    html = tmp_path / "plan.html"
    assert runner.invoke(app, [*args, "--format", "html", "--output", str(html)]).exit_code == 0
    assert "Plotly.newPlot" in html.read_text() and "<script src=" not in html.read_text()
    csv_text = runner.invoke(app, [*args, "--format", "csv"]).stdout
    assert csv_text.splitlines()[1].startswith("2024-03-04T08:00,100.0,180.0,14,20")
    assert csv_text.splitlines()[2].startswith("2024-03-04T08:30,0.0,,0,0")
    bad = tmp_path / "bad.csv"
    bad.write_text("interval_start,volume,aht_seconds\n2024-03-04T08:00,-5,180\n")
    failed = runner.invoke(app, ["wfm", "plan", "--forecast", str(bad), "--interval-minutes",
                                 "30", "--target-sl", "0.8", "--threshold", "20"])
    assert failed.exit_code == 2 and "line 2" in failed.output


def test_a_forecast_with_hours_nobody_handled_plans(tmp_path: Path) -> None:
    """A forecast (`wfm forecast`) has intervals with contacts but no AHT (e-mail arriving
    at night, never handled then) and closed intervals with neither: the plan takes the
    forecast's volume-weighted mean AHT for the first — (100 × 180 + 50 × 240) / 150 =
    200 s — and prints "—" for the second in its table (the table crashed, the file was
    refused)."""
    forecast = tmp_path / "forecast.csv"
    forecast.write_text("interval_start,volume,aht_seconds\n"
                        "2024-03-04T08:00,100,180\n2024-03-04T08:30,50,240\n"
                        "2024-03-04T09:00,0.5,\n2024-03-04T09:30,0.0,\n")
    args = ["wfm", "plan", "--forecast", str(forecast), "--interval-minutes", "30",
            "--target-sl", "0.8", "--threshold", "20"]
    rows = json.loads(runner.invoke(app, [*args, "--format", "json"]).stdout)["rows"]
    assert [r["aht_seconds"] for r in rows] == [180.0, 240.0, 200.0, None]
    table = runner.invoke(app, args)
    assert table.exit_code == 0, table.output
    assert "2024-03-04T09:30:00" in table.output or "2024-03-04T09:30" in table.output


def test_numbers_that_cannot_be_meant_are_refused() -> None:
    """A negative threshold, a component given twice: usage errors (exit 2), not a
    service level above answering at once or a share silently replaced; a wait with no
    end (fewer agents than the traffic) is null in JSON, not Infinity."""
    negative = runner.invoke(app, ["wfm", "staff", "--volume", "100", "--interval-minutes",
                                   "30", "--aht", "180", "--threshold", "-5",
                                   "--target-sl", "0.8"])
    assert negative.exit_code == 2 and "threshold" in negative.output
    twice = runner.invoke(app, ["wfm", "shrinkage", "--component", "vacation=0.1",
                                "--component", "vacation=0.2"])
    assert twice.exit_code == 2 and "vacation" in twice.output
    short = runner.invoke(app, ["wfm", "evaluate", *BASE, "--agents", "10", "--format",
                                "json"])
    assert short.exit_code == 0 and "Infinity" not in short.stdout
    assert json.loads(short.stdout)["asa"] is None
    rules = Path(__file__).parent / "schedule_demo" / "rules.toml"
    typo = rules.read_text().replace("[week]", "[week]\nmax_hour = 40", 1)
    assert typo != rules.read_text()
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "rules.toml").write_text(typo)
        (Path(folder) / "plan.csv").write_text(
            "interval_start,agents_required\n2024-03-04T08:00,2\n2024-03-04T08:30,2\n")
        odd = runner.invoke(app, ["wfm", "schedule", "--plan", f"{folder}/plan.csv",
                                  "--agents", "3", "--out", f"{folder}/out", "--rules",
                                  f"{folder}/rules.toml"])
    assert odd.exit_code == 2 and "max_hour" in odd.output  # a typo is not ignored
    day = runner.invoke(app, ["wfm", "backlog", "--volume", "400", "--aht", "360",
                              "--working-hours", "25", "--threshold-hours", "24"])
    assert day.exit_code == 2 and "at most 24" in day.output


def test_a_forecast_planned_on_its_own_grid(tmp_path: Path) -> None:
    """A 30-minute forecast planned with --interval-minutes 15 doubled every interval's
    traffic (26 agents for 14); a start that is not a time, or an interval given twice,
    were taken as they came. Each is a usage error naming the fix or the line."""
    forecast = tmp_path / "forecast.csv"
    forecast.write_text("interval_start,volume,aht_seconds\n"
                        "2024-03-04T08:00,100,180\n2024-03-04T08:30,100,180\n")
    args = ["wfm", "plan", "--forecast", str(forecast), "--target-sl", "0.8",
            "--threshold", "20"]
    wrong = runner.invoke(app, [*args, "--interval-minutes", "15"])
    assert wrong.exit_code == 2 and "--interval-minutes 30" in wrong.output
    assert runner.invoke(app, [*args, "--interval-minutes", "30"]).exit_code == 0
    forecast.write_text("interval_start,volume,aht_seconds\n"
                        "notadate,100,180\n2024-03-04T08:30,1,180\n2024-03-04T08:30,1,180\n")
    bad = runner.invoke(app, [*args, "--interval-minutes", "30"])
    assert bad.exit_code == 2
    assert "line 2" in bad.output and "line 4" in bad.output and "twice" in bad.output


def test_backlog_and_shrinkage() -> None:
    out = json.loads(runner.invoke(app, ["wfm", "backlog", "--volume", "400", "--aht", "360",
                                         "--working-hours", "8", "--threshold-hours", "24",
                                         "--shrinkage", "0.34"]).stdout)
    assert out == {"agents": 6, "positions": 10}
    total = json.loads(runner.invoke(app, ["wfm", "shrinkage", "--component", "vacation=0.10",
                                           "--component", "sickness=0.10", "--component",
                                           "breaks=0.14"]).stdout)
    assert total["total"] == pytest.approx(0.34)


@pytest.mark.parametrize(("numbers", "said"), [
    # one 10-hour e-mail and a 2-hour promise read "2 agents"
    (["--volume", "1", "--aht", "36000", "--working-hours", "8", "--threshold-hours", "2"],
     "one e-mail takes 36000 s to handle, longer than the promise (2 h)"),
    (["--volume", "1", "--aht", "36000", "--working-hours", "8", "--threshold-hours", "48"],
     "longer than the working day (8 h)"),
    # 10⁹ hour-long e-mails a day read 326,797,385,620,916 agents
    (["--volume", "1e9", "--aht", "3600", "--working-hours", "24", "--threshold-hours", "24"],
     "more than 100,000 agents would be needed"),
])
def test_a_backlog_no_staff_can_answer_in_time_is_refused(numbers: list[str],
                                                          said: str) -> None:
    result = runner.invoke(app, ["wfm", "backlog", *numbers])
    assert result.exit_code == 2 and said in " ".join(result.output.split())


def test_bad_usage_exits_2() -> None:
    result = runner.invoke(app, ["wfm", "staff", *BASE, "--target-sl", "0.8", "--model",
                                 "erlang_a"])
    assert result.exit_code == 2 and "--patience" in result.output


@pytest.mark.parametrize("command", [["staff", "--target-sl", "0.8"],
                                     ["evaluate", "--agents", "12"]])
@pytest.mark.parametrize("model", ["erlang_c", "erlang_b"])
def test_a_patience_the_model_cannot_use_is_refused(command: list[str], model: str) -> None:
    """Erlang C and B have no callers who give up: --patience with them was ignored
    without a word (the answer was the model's without it), while --max-abandon with
    them is refused. Now --patience is refused the same way."""
    result = runner.invoke(app, ["wfm", command[0], *BASE, *command[1:], "--model", model,
                                 "--patience", "60"])
    assert result.exit_code == 2, result.output
    assert (f"--patience needs --model erlang_a: {model}'s callers never give up"
            in " ".join(result.output.split()))


def test_forecast_on_too_short_a_history_says_what_it_needs(tmp_path: Path) -> None:
    """One day of history: the backtest cannot hold a day out (it said "--backtest-days
    must be from 1 to -1 here")."""
    (tmp_path / "contacts.csv").write_text(
        "contact_id,channel,queue,arrived_at\n"
        "c1,voice,sales,2024-03-04T09:00:00Z\nc2,voice,sales,2024-03-04T09:10:00Z\n",
        encoding="utf-8")
    result = CliRunner().invoke(app, ["wfm", "forecast", "--data", str(tmp_path)])
    assert result.exit_code == 2
    assert ("a forecast needs at least 3 days of history (the last is held out to choose "
            "the model); this one has 1") in result.output


def test_plan_to_an_asa_target_alone(tmp_path: Path) -> None:
    """`wfm plan --target-asa` as `wfm staff --target-asa` (the staffing page's day plan
    takes it too): 100 calls of 180 s in 30 minutes, ASA ≤ 15 s. 10 Erlangs: 13 agents wait
    P(wait)·180/3 = 0.285·60 = 17.1 s on average, 14 agents 0.174·45 = 7.8 s → 14."""
    forecast = tmp_path / "forecast.csv"
    forecast.write_text("interval_start,volume,aht_seconds\n2024-03-04T08:00,100,180\n"
                        "2024-03-04T08:30,0,\n")
    args = ["wfm", "plan", "--forecast", str(forecast), "--interval-minutes", "30"]
    rows = json.loads(runner.invoke(app, [*args, "--target-asa", "15", "--format", "json"]
                                    ).stdout)["rows"]
    assert [r["agents"] for r in rows] == [14, 0]
    assert rows[0]["asa"] == pytest.approx(7.84, abs=0.01)
    html = tmp_path / "plan.html"
    assert runner.invoke(app, [*args, "--target-asa", "15", "--format", "html", "--output",
                               str(html)]).exit_code == 0
    none = runner.invoke(app, args)
    assert none.exit_code == 2 and "give a target" in none.output
    # an abandonment cap alone is a target (Erlang A, patience 60 s): 12 agents lose 7.6 %
    # of the callers, 13 lose 4.9 %: 13 keep it under 5 %
    capped = json.loads(runner.invoke(app, [*args, "--max-abandon", "0.05", "--model",
                                            "erlang_a", "--patience", "60", "--format",
                                            "json"]).stdout)["rows"]
    assert [r["agents"] for r in capped] == [13, 0]
    assert capped[0]["p_abandon"] <= 0.05
    erlang_c = runner.invoke(app, [*args, "--max-abandon", "0.05"])
    assert erlang_c.exit_code == 2 and "needs --model erlang_a" in erlang_c.output


def test_the_forecast_reads_the_customers_contacts_alone(tmp_path: Path) -> None:
    """An agent's outbound calls are neither volume to staff for nor part of the inbound
    AHT: four days of one inbound call (100 s) and one outbound call (1000 s) at 09:00
    forecast one call of 100 s, not two of 550 s."""
    rows = ["contact_id,channel,direction,queue,arrived_at,accepted_at,first_response_at,"
            "ended_at"]
    for day in range(4, 8):
        at = f"2024-03-0{day}T09:"
        rows += [f"in{day},voice,inbound,sales,{at}00:00Z,{at}00:10Z,{at}00:10Z,{at}01:50Z",
                 f"out{day},voice,outbound,sales,{at}05:00Z,{at}05:00Z,,{at}21:40Z"]
    (tmp_path / "contacts.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["wfm", "forecast", "--data", str(tmp_path), "--format",
                                 "json", "--interval-minutes", "30"])
    assert result.exit_code == 0, result.output
    peak = max(json.loads(result.output)["intervals"], key=lambda r: r["volume"])
    assert peak["volume"] == pytest.approx(1.0)
    assert peak["aht_seconds"] == pytest.approx(100.0)


def test_an_empty_forecast_and_a_nameless_component_are_refused(tmp_path: Path) -> None:
    """A forecast of its header alone made `wfm plan --format csv` write "x" and exit 0; a
    component "=0.1" was counted under an empty name."""
    empty = tmp_path / "empty.csv"
    empty.write_text("interval_start,volume,aht_seconds\n")
    plan = runner.invoke(app, ["wfm", "plan", "--forecast", str(empty), "--interval-minutes",
                               "30", "--target-sl", "0.8", "--threshold", "20", "--format",
                               "csv"])
    assert plan.exit_code == 2 and "no intervals" in plan.output
    nameless = runner.invoke(app, ["wfm", "shrinkage", "--component", "=0.1"])
    assert nameless.exit_code == 2 and "NAME=SHARE" in nameless.output


def test_an_unknown_zone_is_said_before_anything_else() -> None:
    """`wfm forecast --tz Mars/Base` printed the note on counting channels together, then
    the zone's error: the error alone now."""
    from omnikpi.demo import DEMO_DATA_DIR

    result = runner.invoke(app, ["wfm", "forecast", "--data", str(DEMO_DATA_DIR), "--tz",
                                 "Mars/Base"])
    assert result.exit_code == 2 and "unknown time zone 'Mars/Base'" in result.output
    assert "note:" not in result.output


def test_erlang_a_asa_alone_is_refused_by_staff_and_plan(tmp_path: Path) -> None:
    """The audit's `wfm staff … --target-asa 15 --model erlang_a --patience 5` answered 1
    agent with 90.7 % of the callers hanging up; `wfm plan` reached the same search. Both
    now refuse it and say what to add; with `--max-abandon 0.05` beside it the answer is 15
    agents (the reference chain: 14 abandon 5.10 %, 15 abandon 3.22 %)."""
    erlang_a = ["--model", "erlang_a", "--patience", "5"]
    said = ("--target-asa alone cannot staff Erlang A: impatient callers leave the queue "
            "instead of waiting, so a short ASA (of the callers answered) and a low "
            "occupancy are reached by too few agents while most callers hang up: give "
            "--target-sl or --max-abandon as well")
    staffed = runner.invoke(app, ["wfm", "staff", *BASE, "--target-asa", "15", *erlang_a,
                                  "--format", "json"])
    assert staffed.exit_code == 2 and said in " ".join(staffed.output.split())
    occupancy = runner.invoke(app, ["wfm", "staff", *BASE, "--max-occupancy", "0.9",
                                    *erlang_a])
    assert occupancy.exit_code == 2
    assert "--max-occupancy alone cannot staff Erlang A" in occupancy.output
    forecast = tmp_path / "forecast.csv"
    forecast.write_text("interval_start,volume,aht_seconds\n2024-03-04T08:00,100,180\n")
    plan = ["wfm", "plan", "--forecast", str(forecast), "--interval-minutes", "30",
            "--target-asa", "15", *erlang_a, "--format", "json"]
    planned = runner.invoke(app, plan)
    assert planned.exit_code == 2 and said in " ".join(planned.output.split())
    capped = runner.invoke(app, [*plan, "--max-abandon", "0.05"])
    assert capped.exit_code == 0, capped.output
    row = json.loads(capped.stdout)["rows"][0]
    assert row["agents"] == 15
    assert row["p_abandon"] == pytest.approx(0.03221256569284383, abs=1e-9)


def test_a_plan_names_the_interval_no_staffing_serves(tmp_path: Path) -> None:
    """900,000,000 calls of 180 s in 30 minutes are 90 million Erlangs, beyond the
    100,000 agents searched: the error said so without saying which of a year's intervals
    it was. It names the file, the line and the interval's start, as the forecast's other
    errors do (per queue: the file and the queue)."""
    huge = tmp_path / "huge.csv"
    huge.write_text("interval_start,volume,aht_seconds\n"
                    "2024-03-07T08:00:00+02:00,100,180\n"
                    "2024-03-07T08:30:00+02:00,900000000,180\n")
    done = runner.invoke(app, ["wfm", "plan", "--forecast", str(huge), "--interval-minutes",
                               "30", "--target-sl", "0.8", "--format", "csv"])
    assert done.exit_code == 2
    assert f"error: {huge}: line 3: interval_start 2024-03-07T08:30:00+02:00: no staffing " \
        "up to 100,000 agents meets the targets" in " ".join(done.output.split())
    queues = tmp_path / "queues.csv"
    queues.write_text("queue,interval_start,volume,aht_seconds\n"
                      "sales,2024-03-07T08:00,100,180\nsales,2024-03-07T08:30,100,180\n"
                      "help,2024-03-07T08:00,100,180\nhelp,2024-03-07T08:30,900000000,180\n")
    per_queue = runner.invoke(app, ["wfm", "plan", "--forecast", str(queues),
                                    "--interval-minutes", "30", "--target-sl", "0.8"])
    assert per_queue.exit_code == 2
    assert f"error: {queues}, queue help: line 5: interval_start 2024-03-07T08:30: no " \
        "staffing up to 100,000 agents meets the targets" in " ".join(per_queue.output.split())
