"""`wfm reforecast` on the demo's Mar 6 (Europe/Kyiv, +02:00): a forecast's own UTC offsets,
its spacing, its empty AHTs and the queue asked for are honoured or refused, never
silently changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import omnikpi
from omnikpi.cli.main import app
from omnikpi.demo import DEMO_DATA_DIR

runner = CliRunner()
VOICE = {"direction": ["inbound"], "channel": ["voice"]}


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo dataset: nothing is written next to the package's own."""
    folder = tmp_path_factory.mktemp("reforecast") / "data"
    shutil.copytree(DEMO_DATA_DIR, folder)
    return folder


def _kyiv_forecast(path: Path, offset: str = "+02:00") -> Path:
    """Mar 6, 06:00–21:30 local: 50 calls of 300 s per half hour from 08:00 to 19:30, and
    closed (no contacts, no AHT) before and after, each time written with ``offset``."""
    lines = ["interval_start,volume,aht_seconds"]
    for hour in range(6, 22):
        for minute in (0, 30):
            open_ = 8 <= hour < 20
            lines.append(f"2024-03-06T{hour:02d}:{minute:02d}:00{offset},"
                         f"{'50' if open_ else '0'},{'300' if open_ else ''}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _reforecast(data: Path, forecast: Path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(app, ["wfm", "reforecast", "--forecast", str(forecast), "--data",
                                 str(data), "--channel", "voice", "--format", "json", *extra])
    return result.exit_code, result.output


def test_a_forecast_keeps_its_offsets_whatever_the_tz(data: Path, tmp_path: Path) -> None:
    """A +02:00 forecast re-forecast with --tz UTC was read as UTC wall clock (ratio 1.53
    on the tester's day, times relabelled +00:00): the actuals before 12:00 Kyiv are
    compared with the forecast's intervals before 12:00 Kyiv, whichever --tz counts them.
    460 voice calls came 08:00–12:00 against 8 × 50 forecast: ratio 1.15."""
    forecast = _kyiv_forecast(tmp_path / "day.csv")
    rows = omnikpi.report_result(data, metrics=["offered", "handled", "aht"], grain="30min",
                                 tz="Europe/Kyiv", from_="2024-03-06T08:00:00",
                                 to="2024-03-06T12:00:00", where=VOICE).rows
    assert sum(r["offered"] for r in rows) == 460
    work = sum(r["handled"] * r["aht"] for r in rows if r["aht"] is not None)
    handled = sum(r["handled"] for r in rows if r["aht"] is not None)
    for tz, as_of in (("UTC", "2024-03-06T12:00+02:00"), ("UTC", "2024-03-06T10:00Z"),
                      ("Europe/Kyiv", "2024-03-06T12:00")):
        code, output = _reforecast(data, forecast, "--tz", tz, "--as-of", as_of)
        assert code == 0, output
        out = json.loads(output)
        assert out["volume_ratio"] == pytest.approx(460 / 400)
        assert out["aht_ratio"] == pytest.approx(work / (handled * 300))
        by_time = {i["interval_start"]: i for i in out["intervals"]}
        assert next(iter(by_time)) == "2024-03-06T06:00:00+02:00"  # the forecast's times
        assert by_time["2024-03-06T08:00:00+02:00"]["volume"] == 42  # the actuals
        assert by_time["2024-03-06T11:30:00+02:00"]["volume"] == 62
        assert by_time["2024-03-06T12:00:00+02:00"]["volume"] == pytest.approx(57.5)


def test_an_as_of_without_offset_is_a_time_of_tz(data: Path, tmp_path: Path) -> None:
    """--as-of 12:00 with --tz UTC is 14:00 in Kyiv: against a +02:00 forecast that moves
    the cut two hours without a word, so it is refused with the time to give."""
    forecast = _kyiv_forecast(tmp_path / "day.csv")
    code, output = _reforecast(data, forecast, "--tz", "UTC", "--as-of", "2024-03-06T12:00")
    assert code == 2
    assert "give --as-of 2024-03-06T12:00+02:00" in output
    assert "Traceback" not in output


def test_a_forecast_off_the_tz_grid_is_refused(data: Path, tmp_path: Path) -> None:
    """Hours at +05:30 never meet the actuals counted in UTC hours."""
    forecast = _kyiv_forecast(tmp_path / "day.csv", "+05:30")
    hourly = "\n".join(line for line in forecast.read_text().splitlines()
                       if ":30:00" not in line)
    forecast.write_text(hourly + "\n", encoding="utf-8")
    code, output = _reforecast(data, forecast, "--tz", "UTC", "--interval-minutes", "60",
                               "--as-of", "2024-03-06T12:00+05:30")
    assert code == 2
    assert "starts at 00:30 in --tz UTC, off its 60-minute grid" in output


def test_the_forecast_spacing_is_checked(data: Path, tmp_path: Path) -> None:
    """A 30-minute forecast re-forecast as 15-minute intervals halved every number."""
    forecast = _kyiv_forecast(tmp_path / "day.csv")
    code, output = _reforecast(data, forecast, "--tz", "Europe/Kyiv", "--as-of",
                               "2024-03-06T12:00", "--interval-minutes", "15")
    assert code == 2
    assert ("the forecast's intervals are 30 minutes apart, but --interval-minutes is 15: "
            "give --interval-minutes 30") in output


def test_an_unknown_queue_is_refused(data: Path, tmp_path: Path) -> None:
    """--queue nonexist set the rest of the day to 0 and exited 0."""
    forecast = _kyiv_forecast(tmp_path / "day.csv")
    code, output = _reforecast(data, forecast, "--tz", "Europe/Kyiv", "--as-of",
                               "2024-03-06T12:00", "--queue", "nonexist")
    assert code == 2
    assert f"queue 'nonexist' has no contacts in {data}" in output


def test_an_interval_without_aht_keeps_none(data: Path, tmp_path: Path) -> None:
    """The forecast's closed hours (no contacts, aht_seconds empty) came out with
    aht_seconds 1.01: read_forecast's 1.0 stand-in × the AHT ratio."""
    forecast = _kyiv_forecast(tmp_path / "day.csv")
    output_file = tmp_path / "out.csv"
    result = runner.invoke(app, ["wfm", "reforecast", "--forecast", str(forecast), "--data",
                                 str(data), "--channel", "voice", "--tz", "Europe/Kyiv",
                                 "--as-of", "2024-03-06T12:00", "--output", str(output_file)])
    assert result.exit_code == 0, result.output
    lines = output_file.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "interval_start,volume,aht_seconds"
    assert lines[1] == "2024-03-06T06:00:00+02:00,0.0,"  # ended, nobody called
    assert lines[-1] == "2024-03-06T21:30:00+02:00,0.0,"  # to come, closed
    assert sum(line.endswith(",") for line in lines) == 8  # 06:00–07:30 and 20:00–21:30


def test_a_forecast_per_queue_is_reforecast_one_queue_at_a_time(data: Path,
                                                                  tmp_path: Path) -> None:
    """A --by-queue forecast names its queue on every row: --queue picks its rows and its
    actuals; without it, several queues are refused, naming them."""
    day = _kyiv_forecast(tmp_path / "day.csv").read_text().splitlines()
    both = ["queue," + day[0]] + [f"{q},{line}" for q in ("sales", "support") for line in day[1:]]
    forecast = tmp_path / "queues.csv"
    forecast.write_text("\n".join(both) + "\n", encoding="utf-8")
    code, output = _reforecast(data, forecast, "--tz", "Europe/Kyiv", "--as-of",
                               "2024-03-06T12:00")
    assert code == 2 and "(sales, support): re-forecast one at a time with --queue" in output
    code, output = _reforecast(data, forecast, "--tz", "Europe/Kyiv", "--as-of",
                               "2024-03-06T12:00", "--queue", "support")
    assert code == 0, output
    out = json.loads(output)
    rows = omnikpi.report_result(data, metrics=["offered"], grain="30min", tz="Europe/Kyiv",
                                 from_="2024-03-06T08:00:00", to="2024-03-06T12:00:00",
                                 where={**VOICE, "queue": ["support"]}).rows
    assert out["volume_ratio"] == pytest.approx(sum(r["offered"] for r in rows) / 400)
    assert {i["queue"] for i in out["intervals"]} == {"support"}
    assert len(out["intervals"]) == 32


def test_times_outside_the_supported_years_are_refused(data: Path, tmp_path: Path) -> None:
    """Year 1 at +02:00 has no UTC instant: it was an OverflowError traceback."""
    forecast = tmp_path / "y1.csv"
    forecast.write_text("interval_start,volume,aht_seconds\n0001-01-01T00:00+02:00,1,100\n",
                        encoding="utf-8")
    code, output = _reforecast(data, forecast, "--as-of", "2024-03-06T12:00")
    assert code == 2
    assert "line 2: interval_start '0001-01-01T00:00+02:00' is outside the years 1900–2199" \
        in output
    code, output = _reforecast(data, _kyiv_forecast(tmp_path / "day.csv"), "--as-of",
                               "0001-01-01T00:00")
    assert code == 2 and "--as-of '0001-01-01T00:00' is outside the years" in output
