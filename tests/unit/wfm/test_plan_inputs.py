"""`wfm plan`'s forecast file: one clock, a byte-order mark, a queue column, and a table
written where --output says."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from omnikpi.cli.main import app
from omnikpi.errors import UsageError
from omnikpi.wfm.forecast_file import check_spacing, read_forecast_rows

runner = CliRunner()
PLAN = ["wfm", "plan", "--interval-minutes", "30", "--target-sl", "0.8", "--threshold", "20"]
HEADER = "interval_start,volume,aht_seconds\n"


def _plan(forecast: Path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(app, [*PLAN, "--forecast", str(forecast), *extra])
    assert not isinstance(result.exception, TypeError), result.exception
    return result.exit_code, result.output


def test_times_with_and_without_offset_are_refused_naming_the_line(tmp_path: Path) -> None:
    """A naive 08:00 beside 08:00+02:00 and 06:00Z raised a TypeError in check_spacing
    (a traceback); now the usage error wfm schedule gives, with the lines."""
    forecast = tmp_path / "tzmix.csv"
    forecast.write_text(HEADER + "2024-03-07T08:00,10,180\n2024-03-07T08:00+02:00,10,180\n"
                        "2024-03-07T06:00Z,10,180\n", encoding="utf-8")
    code, output = _plan(forecast)
    assert code == 2
    assert "mix of times with and without a UTC offset" in output
    assert "line 2 (2024-03-07T08:00:00) has none" in output
    assert "line 3 (2024-03-07T08:00:00+02:00) has one" in output


def test_a_plan_file_mixing_offsets_names_the_line_too(tmp_path: Path) -> None:
    """wfm schedule --plan shares the check, and now says where."""
    plan = tmp_path / "plan.csv"
    plan.write_text("interval_start,agents_required\n2024-03-04T08:00Z,2\n"
                    "2024-03-04T08:30,2\n", encoding="utf-8")
    result = runner.invoke(app, ["wfm", "schedule", "--plan", str(plan), "--agents", "3",
                                 "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "line 3 (2024-03-04T08:30:00) has none" in result.output


def test_a_table_goes_to_the_output_file(tmp_path: Path) -> None:
    """--format table --output printed the table and wrote no file."""
    forecast = tmp_path / "forecast.csv"
    forecast.write_text(HEADER + "2024-03-04T08:00,100,180\n2024-03-04T08:30,0,\n",
                        encoding="utf-8")
    table = tmp_path / "plan.txt"
    code, output = _plan(forecast, "--format", "table", "--output", str(table))
    assert code == 0, output
    assert "2024-03-04T08:00" not in output
    text = table.read_text(encoding="utf-8")
    assert "\x1b" not in text  # no colour codes in a file
    lines = text.splitlines()
    assert lines[0].strip() == "Staffing plan — forecast.csv"
    header = next(line for line in lines if "interval_start" in line)
    assert [c.strip() for c in header.strip("┃ ").split("┃")] == [
        "interval_start", "volume", "aht_seconds", "agents", "positions", "service_level",
        "occupancy"]
    first = next(line for line in lines if "2024-03-04T08:00" in line)
    assert [c.strip() for c in first.strip("│ ").split("│")] == [
        "2024-03-04T08:00", "100.0", "180", "14", "14", "88.8%", "71.4%"]
    # Erlang A: its abandonment, which decided the agents, is a column too (it was in
    # csv and json only)
    code, output = _plan(forecast, "--format", "table", "--output", str(table), "--model",
                         "erlang_a", "--patience", "60", "--max-abandon", "0.05")
    assert code == 0, output
    lines = table.read_text(encoding="utf-8").splitlines()
    header = next(line for line in lines if "interval_start" in line)
    assert [c.strip() for c in header.strip("┃ ").split("┃")][-1] == "p_abandon"
    first = next(line for line in lines if "2024-03-04T08:00" in line)
    assert [c.strip() for c in first.strip("│ ").split("│")] == [
        "2024-03-04T08:00", "100.0", "180", "13", "13", "90.9%", "73.1%", "4.9%"]


def test_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    """Excel's "CSV UTF-8" starts with a byte-order mark: the forecast was refused for
    lacking its first column."""
    forecast = tmp_path / "bom.csv"
    forecast.write_bytes(b"\xef\xbb\xbf" + (HEADER + "2024-03-04T08:00,100,180\n").encode())
    code, output = _plan(forecast, "--format", "json")
    assert code == 0, output
    assert [(r["interval_start"], r["agents"]) for r in json.loads(output)["rows"]] == [
        ("2024-03-04T08:00", 14)]


def test_schedule_reads_plan_and_agents_with_a_byte_order_mark(tmp_path: Path) -> None:
    bom = b"\xef\xbb\xbf"
    plan = tmp_path / "plan.csv"
    plan.write_bytes(bom + b"interval_start,agents_required\n2024-03-04T08:00Z,1\n"
                     b"2024-03-04T08:30Z,1\n")
    agents = tmp_path / "agents.csv"
    agents.write_bytes(bom + b"agent_id,site\nanna,kyiv\n")
    result = runner.invoke(app, ["wfm", "schedule", "--plan", str(plan), "--agents",
                                 str(agents), "--out", str(tmp_path / "out"), "--format",
                                 "json", "--time-limit", "20"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert (out["shifts"], out["under"]) == (1, 0.0)
    assert "anna" in (tmp_path / "out" / "shifts.csv").read_text(encoding="utf-8")


def test_a_qa_form_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    """`qa forms` said "Invalid statement (at line 1, column 1)" for a TOML saved with a
    byte-order mark (errors.read_text is shared by every file read by name)."""
    from omnikpi.qa.forms import load_form_file

    form = tmp_path / "form.toml"
    form.write_bytes(b"\xef\xbb\xbf" + b'key = "f"\nname = "F"\npass_score = 80\n'
                     b'[[items]]\ngroup = "A"\nkey = "a"\ntext = "A"\n')
    spec = load_form_file(form)
    assert (spec.key, spec.name, spec.pass_score) == ("f", "F", 80.0)
    assert [i.key for i in spec.items] == ["a"]


def test_a_bad_byte_is_still_named_from_the_file_start(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\xef\xbb\xbf" + HEADER.encode() + b"\xff")
    code, output = _plan(bad)
    assert code == 2 and "is not UTF-8 text (byte 37)" in output


def _two_queues(path: Path) -> Path:
    """sales: 100 calls of 180 s at 08:00 (14 agents for 80/20); support: 200 at 08:00
    (24 agents) and none at 08:30."""
    path.write_text("queue," + HEADER +
                    "sales,2024-03-04T08:00+02:00,100,180\n"
                    "sales,2024-03-04T08:30+02:00,0,\n"
                    "support,2024-03-04T08:00+02:00,200,180\n"
                    "support,2024-03-04T08:30+02:00,0,\n", encoding="utf-8")
    return path


def test_a_forecast_per_queue_is_planned_queue_by_queue(tmp_path: Path) -> None:
    """`wfm forecast --by-queue`'s file was refused: 'interval … is there twice'."""
    forecast = _two_queues(tmp_path / "queues.csv")
    code, output = _plan(forecast, "--format", "json")
    assert code == 0, output
    rows = json.loads(output)["rows"]
    assert [(r["queue"], r["interval_start"], r["agents"]) for r in rows] == [
        ("sales", "2024-03-04T08:00+02:00", 14), ("sales", "2024-03-04T08:30+02:00", 0),
        ("support", "2024-03-04T08:00+02:00", 24), ("support", "2024-03-04T08:30+02:00", 0)]
    code, output = _plan(forecast, "--format", "csv", "--queue", "support")
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0].startswith("queue,interval_start,volume,aht_seconds,agents,positions")
    assert [line.split(",")[:5] for line in lines[1:] if line] == [
        ["support", "2024-03-04T08:00+02:00", "200.0", "180.0", "24"],
        ["support", "2024-03-04T08:30+02:00", "0.0", "", "0"]]
    code, output = _plan(forecast, "--queue", "billing")
    assert code == 2 and "has no rows of queue 'billing'; its queues: sales, support" in output
    chart = tmp_path / "plan.html"
    code, output = _plan(forecast, "--format", "html", "--output", str(chart))
    assert code == 0, output
    html = chart.read_text(encoding="utf-8")
    assert "sales: Volume and agents" in html and "support: Volume and agents" in html


def test_a_plan_of_several_queues_is_scheduled_one_at_a_time(tmp_path: Path) -> None:
    """Its intervals repeat once per queue: say what to do, not 'appears twice'."""
    plan = tmp_path / "plan.csv"
    code, output = _plan(_two_queues(tmp_path / "queues.csv"), "--format", "csv",
                         "--output", str(plan))
    assert code == 0, output
    result = runner.invoke(app, ["wfm", "schedule", "--plan", str(plan), "--agents", "30",
                                 "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "plans several queues (sales, support): schedule one" in result.output


def test_the_chart_breaks_its_lines_over_intervals_without_contacts() -> None:
    """The plan's 100 % service level of a closed night drew a line across the night, as
    if it were served: there is no value to draw there."""
    from omnikpi.cli.wfm_chart import plan_figure

    rows: list[dict[str, object]] = [
        {"interval_start": f"2024-03-04T{h}+02:00", "volume": v, "agents": a,
         "positions": a, "service_level": sl, "occupancy": occ}
        for h, v, a, sl, occ in (("07:30", 0.0, 0, 1.0, 0.0), ("08:00", 100.0, 14, 0.88, 0.71),
                                 ("08:30", 0.0, 0, 1.0, 0.0))]
    figure = plan_figure(rows, 0.8)
    lines = {t.name: list(t.y) for t in figure.data if t.name in ("service level", "occupancy")}
    assert lines == {"service level": [None, 0.88, None], "occupancy": [None, 0.71, None]}
    agents = next(t for t in figure.data if t.name == "agents")
    assert list(agents.y) == [0, 14, 0]  # staffing is drawn all day, zero where closed


def _plan_every(forecast: Path, minutes: str) -> tuple[int, str]:
    result = runner.invoke(app, ["wfm", "plan", "--forecast", str(forecast),
                                 "--interval-minutes", minutes, "--target-sl", "0.8",
                                 "--format", "json"])
    return result.exit_code, " ".join(result.output.split())


def test_a_spacing_of_seven_and_a_half_minutes_is_not_rounded(tmp_path: Path) -> None:
    """08:00, 08:07:30, 08:15 are 450 s = 7.5 minutes apart. The step was rounded to whole
    minutes: the message said 8 and advised --interval-minutes 8, which was then accepted
    and spread each interval's calls over 480 s instead of 450 (traffic 6.25 % low)."""
    forecast = tmp_path / "fc75.csv"
    forecast.write_text(HEADER + "2024-03-04T08:00,100,180\n2024-03-04T08:07:30,100,180\n"
                        "2024-03-04T08:15,100,180\n", encoding="utf-8")
    code, output = _plan_every(forecast, "8")
    assert code == 2
    assert ("the forecast's intervals are 7.5 minutes apart, but --interval-minutes is 8: "
            "give --interval-minutes 7.5") in output
    code, output = _plan_every(forecast, "7.5")
    assert code == 0, output


def test_a_tenth_of_a_minute_is_six_seconds() -> None:
    """0.1 × 60 is 6.000000000000001 in floating point: intervals 6 s apart are the
    spacing --interval-minutes 0.1 asks for, not a different one."""
    start = datetime(2024, 3, 4, 8)
    check_spacing([start + timedelta(seconds=6 * n) for n in range(3)], 0.1)


def test_an_infinite_volume_or_aht_is_named_by_its_line(tmp_path: Path) -> None:
    """``inf ≥ 0`` is true: an infinite volume passed the line check and the staffing
    refused it later, naming no line ("volume must be a finite number … got inf")."""
    forecast = tmp_path / "inf.csv"
    forecast.write_text(HEADER + "2024-03-04T08:00,inf,180\n2024-03-04T08:30,10,inf\n"
                        "2024-03-04T09:00,10,180\n2024-03-04T09:30,-inf,180\n",
                        encoding="utf-8")
    with pytest.raises(UsageError) as refused:
        read_forecast_rows(forecast)
    said = str(refused.value)
    assert [f"line {n}:" in said for n in (2, 3, 4, 5)] == [True, True, False, True]
    assert "line 2: volume 'inf' is not a finite number ≥ 0" in said
    assert "line 3: aht_seconds 'inf' is not a finite number > 0" in said


def test_a_line_of_another_shape_is_named_not_planned(tmp_path: Path) -> None:
    """A line missing its AHT field was planned with the forecast's mean AHT, shown as if
    the file held it; a line with a fourth field lost it; neither was named. A value that
    is no number is named with its column and text (a decimal comma too)."""
    forecast = tmp_path / "shapes.csv"
    forecast.write_text(HEADER + "2024-03-04T08:00,10,180\n2024-03-04T08:30,100\n"
                        "2024-03-04T09:00,100,180,999\n2024-03-04T09:30,abc,180\n"
                        '2024-03-04T10:00,10,"100,5"\n2024-03-04T10:30,10,\n',
                        encoding="utf-8")
    with pytest.raises(UsageError) as refused:
        read_forecast_rows(forecast)
    assert str(refused.value) == (
        f"{forecast}: line 3: 2 field(s) where the header has 3; line 4: 4 field(s) where "
        "the header has 3; line 5: volume 'abc' is not a finite number ≥ 0; line 6: "
        "aht_seconds '100,5' is not a finite number > 0 (leave it empty for the "
        "forecast's mean)")


def test_a_plan_counts_its_intervals_for_the_progress_bar(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """A year of 15-minute intervals (35,136) took a quarter of a minute with nothing on
    the screen: the bar advances once per interval staffed, across queues."""
    from rich.progress import Progress

    import omnikpi.cli.progress as progress_module

    advanced: list[float] = []

    class Counted(Progress):
        def advance(self, task_id: object, advance: float = 1) -> None:
            advanced.append(advance)

    monkeypatch.setattr(progress_module, "Progress", Counted)
    code, output = _plan(_two_queues(tmp_path / "queues.csv"), "--format", "csv")
    assert code == 0, output
    assert len(advanced) == 4  # two queues of two intervals
    assert output.splitlines()[0].startswith("queue,interval_start")  # no blank line first
