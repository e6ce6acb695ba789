"""`wfm schedule --agents`: a misspelt column and a negative count are said, not
guessed around."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from omnikpi.cli.main import app
from omnikpi.errors import UsageError
from omnikpi.wfm.schedule.inputs import agents_option, read_agents

runner = CliRunner()


def _schedule(tmp_path: Path, agents: str) -> tuple[int, str]:
    plan = tmp_path / "plan.csv"
    plan.write_text("interval_start,agents_required\n2024-03-04T08:00Z,1\n"
                    "2024-03-04T08:30Z,1\n", encoding="utf-8")
    result = runner.invoke(app, ["wfm", "schedule", "--plan", str(plan), "--agents", agents,
                                 "--out", str(tmp_path / "out")])
    return result.exit_code, result.output


def test_an_unknown_agents_column_is_refused(tmp_path: Path) -> None:
    """`days_of` (for days_off) was ignored: the agents were scheduled on their day off."""
    agents = tmp_path / "agents.csv"
    agents.write_text("agent_id,days_of,site\nanna,mon,kyiv\n", encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        read_agents(agents)
    assert str(caught.value) == (
        f"{agents}: unknown column(s) 'days_of'; the columns are agent_id, skills, site, "
        "tenant, days_per_week, min_weekly_hours, max_weekly_hours, available, "
        "available_from, available_to, days_off, preferred_start, preferred_days_off, "
        "cost_per_hour")
    code, output = _schedule(tmp_path, str(agents))
    assert code == 2 and "unknown column(s) 'days_of'" in output


def test_every_known_column_is_read(tmp_path: Path) -> None:
    agents = tmp_path / "agents.csv"
    agents.write_text("agent_id,skills,days_off,available\nanna,a;b,mon,08:00-18:00\n",
                      encoding="utf-8")
    [anna] = read_agents(agents)
    assert (anna.skills, anna.days_off) == (("a", "b"), frozenset({0}))
    assert (anna.available_from_minutes, anna.available_to_minutes) == (480, 1080)


@pytest.mark.parametrize("count", ["-5", "0", " +0 "])
def test_a_count_out_of_range_is_said_as_such(tmp_path: Path, count: str) -> None:
    """`--agents -5` said "agents file not found: -5"."""
    with pytest.raises(UsageError, match=r"--agents must be 1–20,000 or an AGENTS\.csv file"):
        agents_option(count)
    code, output = _schedule(tmp_path, count)
    assert code == 2 and "--agents must be 1–20,000" in output
    assert [a.agent_id for a in agents_option("+2")] == ["agent-001", "agent-002"]
