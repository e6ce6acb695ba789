"""A simulated dataset carries its chat agents' capacity in a configuration file: the
tables have no capacity, so `report` on a run whose chat agents held 2 sessions measured
chat occupancy against the default 4 (36 % where `simulate compare` said 72 %)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from omnikpi.cli.main import app
from omnikpi.simulate.compare import compare
from omnikpi.simulate.scenario import parse_scenario

CHAT = """
seed = 3
start = "2024-01-01T00:00:00Z"
duration_hours = 24
[[queues]]
name = "webchat"
channel = "chat"
arrivals_per_hour = 30
aht_seconds = 600
patience_seconds = 240
[[agent_groups]]
name = "chat"
count = 3
skills = ["webchat"]
capacity = CAPACITY
shift = "00:00-24:00"
"""


def _occupancy(folder: Path, *config: str) -> float:
    out = CliRunner().invoke(app, ["report", "--data", str(folder), "--metrics",
                                   "chat_occupancy_relative", "--format", "json", *config])
    assert out.exit_code == 0, out.output
    return float(json.loads(out.stdout)["rows"][0]["chat_occupancy_relative"])


def test_a_run_of_two_session_agents_reports_as_the_comparison_does(tmp_path: Path) -> None:
    text = CHAT.replace("CAPACITY", "2")
    (tmp_path / "chat.toml").write_text(text)
    run = CliRunner().invoke(app, ["simulate", "run", "--scenario", str(tmp_path / "chat.toml"),
                                   "--out", str(tmp_path / "out")])
    assert run.exit_code == 0, run.output
    config = tmp_path / "out" / "omnikpi.toml"
    assert "--config" in run.output and config.is_file()
    assert '"chat-01" = 2' in config.read_text()
    compared = compare(parse_scenario(text, "x"), parse_scenario(text, "x"))
    expected = compared.as_json()
    measured = _occupancy(tmp_path / "out", "--config", str(config))
    assert measured == pytest.approx(0.72, abs=0.01)
    assert json.dumps(expected).count("chat_occupancy_relative") > 0
    # without it, the default 4 sessions: half
    assert _occupancy(tmp_path / "out") == pytest.approx(measured / 2)


def test_a_run_at_the_default_capacity_writes_no_configuration(tmp_path: Path) -> None:
    (tmp_path / "chat.toml").write_text(CHAT.replace("CAPACITY", "4"))
    run = CliRunner().invoke(app, ["simulate", "run", "--scenario", str(tmp_path / "chat.toml"),
                                   "--out", str(tmp_path / "out")])
    assert run.exit_code == 0, run.output
    assert not (tmp_path / "out" / "omnikpi.toml").exists() and "--config" not in run.output


def test_a_center_nobody_called_reports_zero_offered(tmp_path: Path) -> None:
    """No arrival: the run wrote no contacts.csv, and `report --metrics offered` on it
    failed naming the missing table where the answer is 0."""
    text = CHAT.replace("CAPACITY", "4").replace("arrivals_per_hour = 30",
                                                 "arrivals_per_hour = 0")
    (tmp_path / "quiet.toml").write_text(text)
    run = CliRunner().invoke(app, ["simulate", "run", "--scenario", str(tmp_path / "quiet.toml"),
                                   "--out", str(tmp_path / "out")])
    assert run.exit_code == 0, run.output
    out = CliRunner().invoke(app, ["report", "--data", str(tmp_path / "out"), "--metrics",
                                   "offered", "--format", "json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["rows"] == [{"offered": 0}]
