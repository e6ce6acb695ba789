"""`wfm reforecast --as-of` outside the forecast's day gave ratios of 1.0 without a word
(the docs' 2024-03-04T12:00 against the demo's forecast of 7 March), and an --as-of on a
day the data does not hold yet gave a volume ratio of 0.0, silently: the first is refused
naming the forecast's period, the second warned about on stderr."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from omnikpi.cli.main import app
from omnikpi.demo import DEMO_DATA_DIR

runner = CliRunner()


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("newcomer-reforecast") / "data"
    shutil.copytree(DEMO_DATA_DIR, folder)
    return folder


def _forecast(path: Path, day: str) -> Path:
    """``day`` in Kyiv (+02:00), 08:00–19:30: 50 calls of 300 s per half hour."""
    path.write_text("interval_start,volume,aht_seconds\n" + "".join(
        f"{day}T{h:02d}:{m:02d}:00+02:00,50,300\n" for h in range(8, 20) for m in (0, 30)),
        encoding="utf-8")
    return path


def _reforecast(data: Path, forecast: Path, as_of: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["wfm", "reforecast", "--forecast", str(forecast), "--data",
                                 str(data), "--channel", "voice", "--tz", "Europe/Kyiv",
                                 "--as-of", as_of, "--format", "json"])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("as_of", ["2024-03-04T12:00", "2024-03-08T12:00",
                                   "2024-03-07T07:30", "2024-03-07T20:30+02:00"])
def test_an_as_of_outside_the_forecast_is_refused(data: Path, tmp_path: Path,
                                                  as_of: str) -> None:
    code, out, err = _reforecast(data, _forecast(tmp_path / "mar7.csv", "2024-03-07"), as_of)
    assert code == 2, out
    assert (f"--as-of {as_of} is outside the forecast, which runs from "
            "2024-03-07T08:00+02:00 to 2024-03-07T20:00+02:00") in err
    assert out == ""


@pytest.mark.parametrize("as_of", ["2024-03-07T08:00", "2024-03-07T20:00"])
def test_the_forecast_s_own_ends_are_inside(data: Path, tmp_path: Path, as_of: str) -> None:
    code, out, _ = _reforecast(data, _forecast(tmp_path / "mar7.csv", "2024-03-07"), as_of)
    assert code == 0, out


def test_no_contacts_before_as_of_is_warned_about(data: Path, tmp_path: Path) -> None:
    """The demo ends on 6 March: a forecast of the 7th meets no actuals (ratio 0.0)."""
    code, out, err = _reforecast(data, _forecast(tmp_path / "mar7.csv", "2024-03-07"),
                                 "2024-03-07T12:00")
    assert code == 0, err
    assert json.loads(out)["volume_ratio"] == 0.0  # still written: after an outage it is so
    assert "warning:" in err and "has no contacts in the forecast's intervals before " \
        "--as-of 2024-03-07T12:00 (the volume ratio is 0)" in err
    assert "its last contacts are in the interval of 2024-03-06T" in err


def test_a_day_with_actuals_says_nothing(data: Path, tmp_path: Path) -> None:
    code, out, err = _reforecast(data, _forecast(tmp_path / "mar6.csv", "2024-03-06"),
                                 "2024-03-06T12:00")
    assert code == 0, err
    assert json.loads(out)["volume_ratio"] == pytest.approx(460 / 400)
    assert "warning" not in err


def test_the_docs_demo_example_works(data: Path, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/wfm.md: the demo's forecast of 7 March, taken as the one of 6 March."""
    monkeypatch.chdir(tmp_path)
    made = runner.invoke(app, ["wfm", "forecast", "--data", str(data), "--tz", "Europe/Kyiv",
                               "--days", "1", "--channel", "voice", "--output", "today.csv"])
    assert made.exit_code == 0, made.output
    today = Path("today.csv").read_text(encoding="utf-8")
    assert today.splitlines()[1].startswith("2024-03-07T00:00:00+02:00")
    Path("mar6.csv").write_text(today.replace("\n2024-03-07", "\n2024-03-06"),
                                encoding="utf-8")
    code, out, err = _reforecast(data, Path("mar6.csv"), "2024-03-06T12:00")
    assert code == 0, err
    ratios = json.loads(out)
    assert 0.8 < ratios["volume_ratio"] < 1.2 and ratios["volume_ratio"] != 1.0
    assert "warning" not in err
    wfm = (Path(__file__).resolve().parents[2] / "docs" / "wfm.md").read_text(encoding="utf-8")
    assert "sed 's/^2024-03-07/2024-03-06/' today.csv > mar6.csv" in wfm
