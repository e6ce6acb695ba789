"""The report as a table in a terminal: every value whole, whatever the width.

``omnikpi report --by channel --grain day`` on the demo is 15 rows of 14 columns. In an
80-column terminal (and whenever the output is piped) rich shrank every column to ``…``:
the table showed no number at all. Now a report that does not fit is shown metrics-as-rows
when that fits, else in parts that repeat the row's cut and period.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from omnikpi.cli import report as report_command
from omnikpi.cli.main import app
from omnikpi.cli.render import _period_texts
from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.formatting import human

runner = CliRunner()
BY_DAY = ["report", "--data", str(DEMO_DATA_DIR), "--by", "channel", "--grain", "day",
          "--tz", "Europe/Kyiv"]


def _table(args: list[str], columns: int, monkeypatch: pytest.MonkeyPatch) -> str:
    """What the command prints in a terminal ``columns`` wide (the CLI's console is made
    once, when the module is imported: its width is set here, not through ``COLUMNS``)."""
    screen = io.StringIO()
    monkeypatch.setattr(report_command, "console",
                        Console(file=screen, width=columns, color_system=None))
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return screen.getvalue()


def _report(args: list[str]) -> dict[str, Any]:
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    return report


@pytest.mark.parametrize("columns", [80, 100, 120, 250])
def test_every_value_is_shown_whole_at_any_width(columns: int,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    text = _table(BY_DAY, columns, monkeypatch)
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= columns
    report = _report(BY_DAY)
    rows, metrics = report["rows"], report["metrics"]
    assert isinstance(rows, list) and isinstance(metrics, dict) and len(rows) == 15
    lines = text.splitlines()
    for row in rows:  # each row's values are on a line of its channel and day
        day = row["period_start"][:10]
        # agent time, which has no channel, is named as the XLSX names it
        channel = row["channel"] or "(not per channel)"
        mine = [line for line in lines if day in line and f" {channel} " in line]
        shown = " ".join(mine)
        for metric, info in metrics.items():
            assert human(row[metric], info["unit"]) in shown, (metric, row)
    parts = len(re.findall(r"OmniKPI report — .*\(\d/\d\)", text))
    # as few as fit ("(not per channel)" widens the channel column: 4 parts at 80)
    assert parts == {80: 4, 100: 3, 120: 2, 250: 0}[columns]


def test_days_are_shown_as_dates_and_hours_with_their_minute(
        monkeypatch: pytest.MonkeyPatch) -> None:
    by_day = _table(BY_DAY, 250, monkeypatch)
    assert "2024-03-04 " in by_day and "T00:00" not in by_day
    hourly = _table(["report", "--data", str(DEMO_DATA_DIR), "--metrics", "offered",
                     "--grain", "hour", "--tz", "Europe/Kyiv",
                     "--from", "2024-03-04T09:00:00+02:00",
                     "--to", "2024-03-04T11:00:00+02:00"], 80, monkeypatch)
    assert "2024-03-04 09:00" in hourly and "2024-03-04 10:00" in hourly
    assert "+02:00" not in hourly


def test_period_texts() -> None:
    assert _period_texts(["2024-03-04T00:00:00+02:00", None], "Europe/Kyiv") == [
        "2024-03-04", "—"]
    assert _period_texts(["2024-03-04T00:00:00+02:00", "2024-03-04T09:30:00+02:00"],
                         "Europe/Kyiv") == ["2024-03-04 00:00", "2024-03-04 09:30"]
    # the second 03:00 of the night the clocks go back, alone: its offset (in the zone)
    assert _period_texts(["2024-10-27T02:00:00+03:00", "2024-10-27T03:00:00+02:00"],
                         "Europe/Kyiv") == ["2024-10-27 02:00", "2024-10-27 03:00 (UTC+02:00)"]
    assert _period_texts(["2024-10-27T03:00:00+02:00"], None) == ["2024-10-27 03:00"]
    # Cairo's clocks jump from 00:00 to 01:00 on 2024-04-26: that day begins at 01:00
    assert _period_texts(["2024-04-25T00:00:00+02:00", "2024-04-26T01:00:00+03:00"],
                         "Africa/Cairo") == ["2024-04-25", "2024-04-26"]
    assert _period_texts(["2024-04-25T01:00:00+02:00"], "Africa/Cairo") == [
        "2024-04-25 01:00"]


def test_a_few_groups_too_wide_for_the_terminal_are_turned(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Five channel groups of the default metrics do not fit 80 columns: metrics as
    rows."""
    text = _table(["report", "--data", str(DEMO_DATA_DIR), "--by", "channel"], 80,
                  monkeypatch)
    assert "…" not in text and max(len(line) for line in text.splitlines()) <= 80
    assert re.search(r"┃ metric +┃ +chat ┃ +email ┃", text)
    assert re.search(r"│ service_level +│ +96\.0 % │ +100\.0 % │", text)


def test_the_catalog_in_a_narrow_terminal_is_one_entry_per_metric(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Six columns in 80 squeezed each formula into a strip a word wide; now each metric
    is an entry: id and name, then its formula and parameters, wrapped at the width."""
    from omnikpi.docs_catalog import catalog_json

    text = _table(["catalog"], 80, monkeypatch)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert all(line == line.rstrip() for line in lines)
    flat = " ".join(line.strip() for line in lines)
    for metric in catalog_json():
        assert any(line.startswith(f"{metric['id']} — {metric['name']} (") for line in lines)
        assert " ".join(metric["formula"].split()) in flat, metric["id"]
    wide = _table(["catalog"], 200, monkeypatch)
    # the contract's columns: id, name, unit, … (the wide table had no name)
    assert re.search(r"┃ id +┃ name +┃ unit +┃ mode +┃ tables +┃ parameters +┃ formula +┃",
                     wide)
    assert "Service level" in wide


@pytest.mark.parametrize("columns", [80, 200])
def test_the_title_of_a_narrow_table_is_whole(columns: int,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """FCR alone on the demo has no value (its windows have not ended): a one-column table
    with no rows, which cut its title into pieces of seven letters ("src/omn", "ikpi/de")."""
    shown = _table(["report", "--data", str(DEMO_DATA_DIR), "--metrics", "fcr"], columns,
                   monkeypatch)
    title = f"OmniKPI report — {DEMO_DATA_DIR.name}"
    assert len(title) + 4 <= columns
    assert title in shown, shown
