"""`omnikpi demo` end to end: real reports on the bundled data, files written, offline page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import omnikpi
from omnikpi.cli.main import app
from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.errors import UsageError


def test_demo_writes_reports_equal_to_the_api(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    by_queue = json.loads((tmp_path / "by_queue.json").read_text())["rows"]
    assert {r["queue"] for r in by_queue} == {"sales", "support", "webchat", "mail", "social"}
    direct = omnikpi.report_result(DEMO_DATA_DIR, metrics=["offered", "service_level"],
                                   by=["queue", "channel"], tz="Europe/Kyiv").rows
    assert [(r["queue"], r["offered"], r["service_level"]) for r in by_queue] == [
        (r["queue"], r["offered"], r["service_level"]) for r in direct]
    assert all(r["offered"] > 100 for r in by_queue)
    page = (tmp_path / "dashboard.html").read_text()
    assert "<script src=" not in page and "Plotly.newPlot" in page  # JS inlined, no CDN
    assert (tmp_path / "agents.csv").read_text().startswith("site,occupancy")


def test_demo_data_is_clean_and_small() -> None:
    dataset = omnikpi.load_dataset(DEMO_DATA_DIR)
    assert dataset.problem_count == 0 and dataset.usable
    assert sum(f.stat().st_size for f in DEMO_DATA_DIR.iterdir()) < 5 * 1024 * 1024


def test_python_api_returns_pandas_and_arrow() -> None:
    frame = omnikpi.report(DEMO_DATA_DIR, metrics=["offered", "asa"], by=["channel"])
    table = omnikpi.report(DEMO_DATA_DIR, metrics=["offered", "asa"], by=["channel"],
                           output="arrow")
    assert list(frame.columns) == ["channel", "offered", "asa"]
    assert table.column_names == ["channel", "offered", "asa"]
    assert table.column("offered").to_pylist() == frame["offered"].tolist()


def test_python_api_filters_like_the_command_line() -> None:
    """``where`` keeps the rows ``--filter`` keeps: the voice row of the cut by channel."""
    by_channel = omnikpi.report(DEMO_DATA_DIR, metrics=["offered", "asa"], by=["channel"])
    voice = omnikpi.report(DEMO_DATA_DIR, metrics=["offered", "asa"],
                           where={"channel": ["voice"]})
    expected = by_channel[by_channel["channel"] == "voice"]
    assert voice["offered"].tolist() == expected["offered"].tolist()
    assert voice["asa"].tolist() == pytest.approx(expected["asa"].tolist())
    with pytest.raises(UsageError, match="colour"):
        omnikpi.report(DEMO_DATA_DIR, metrics=["offered"], where={"colour": ["red"]})


def test_the_shipped_report_definition_runs_as_the_same_options() -> None:
    """``reports/daily-sl.toml`` (the README's and docs/scheduled-reports.md's example):
    the CLI runs it, and its rows equal the same report asked with options."""
    definition = Path(__file__).resolve().parents[2] / "reports" / "daily-sl.toml"
    saved = CliRunner().invoke(app, ["report", "--data", str(DEMO_DATA_DIR), "--definition",
                                     str(definition), "--format", "json"])
    assert saved.exit_code == 0, saved.output
    direct = omnikpi.report_result(
        DEMO_DATA_DIR, metrics=["offered", "service_level", "asa", "abandon_rate"],
        by=["queue"], grain="day", tz="Europe/Kyiv",
        params={"service_level.threshold_seconds": 30}, where={"channel": ["voice"]})
    assert json.loads(saved.output)["rows"] == direct.to_json()["rows"]
    assert {row["queue"] for row in direct.rows} == {"sales", "support"}
