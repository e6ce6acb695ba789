"""The terminal table of `omnikpi report --by channel` showed agent time, which belongs to
no channel (occupancy), as a row of channel "—" with offered 0, unexplained; the XLSX and
PDF name it "(not per channel)" (omnikpi.no_value), and so does the terminal now — in
the wide table and in the metrics-as-rows one."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from typer.testing import CliRunner

from omnikpi.cli import report as report_command
from omnikpi.cli.main import app
from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.no_value import no_value_label

runner = CliRunner()


def _shown(args: list[str], columns: int, monkeypatch: pytest.MonkeyPatch) -> str:
    screen = io.StringIO()
    monkeypatch.setattr(report_command, "console",
                        Console(file=screen, width=columns, color_system=None))
    result = runner.invoke(app, ["report", "--data", str(DEMO_DATA_DIR), *args])
    assert result.exit_code == 0, result.output
    return screen.getvalue()


@pytest.mark.parametrize("columns", [120, 40])  # wide; metrics as rows
def test_agent_time_is_not_per_channel(columns: int, monkeypatch: pytest.MonkeyPatch) -> None:
    label = no_value_label("channel")
    assert label == "(not per channel)"
    text = _shown(["--metrics", "offered,occupancy", "--by", "channel"], columns,
                  monkeypatch)
    assert label in text, text
    if columns == 120:
        row = next(line for line in text.splitlines() if label in line)
        assert " 0 " in row and "%" in row  # offered 0, the agents' occupancy
        assert "│ — " not in text  # no nameless row left


def test_a_metric_without_value_is_still_a_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only a cut's missing value is named; a metric with no value stays "—"."""
    text = _shown(["--metrics", "offered,occupancy", "--by", "channel"], 120, monkeypatch)
    email = next(line for line in text.splitlines() if "│ email" in line)
    assert email.rstrip(" │").endswith("—")
