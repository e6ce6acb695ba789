"""`simulate compare --replications N`: each figure's mean over N seeds and the paired
difference's 95 % interval, checked against the plain comparisons of those seeds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scipy import stats
from typer.testing import CliRunner

from omnikpi.cli.main import app
from omnikpi.errors import UsageError
from omnikpi.simulate import load_scenario
from omnikpi.simulate.compare import compare
from omnikpi.simulate.replications import interval, replicate
from omnikpi.simulate.scenario import Scenario

ROOT = Path(__file__).resolve().parents[3]
ERLANG_C = ROOT / "scenarios" / "erlang_c.toml"


def _short(count: int) -> Scenario:
    """Erlang C's queue for 3 hours on ``count`` agents (8 Erlangs)."""
    scenario = load_scenario(ERLANG_C)
    groups = [scenario.agent_groups[0].model_copy(update={"count": count})]
    return scenario.model_copy(update={"duration_hours": 3, "agent_groups": groups})


def test_the_interval_by_hand() -> None:
    """1, 2, 3: mean 2, s = 1, t(0.975, 2) = 4.302653 → 2 ± 4.302653 / √3 = 2 ± 2.484138."""
    found = interval([1.0, None, 2.0, 3.0])
    assert found is not None
    assert (found.mean, found.runs) == (2.0, 3)
    assert found.low == pytest.approx(2 - 2.484138, abs=1e-6)
    assert found.high == pytest.approx(2 + 2.484138, abs=1e-6)
    single = interval([None, 5.0])
    assert single is not None and (single.mean, single.low, single.high) == (5.0, None, None)
    assert interval([None, None]) is None


def test_replications_are_the_seeds_plain_comparisons_summed_up() -> None:
    """Three seeds of 10 against 11 agents: the means, intervals and the paired
    difference are those of the three plain comparisons, computed here with scipy."""
    baseline, whatif = _short(10), _short(11)
    found = replicate(baseline, whatif, 3, seed=40).as_json()
    plain = [compare(baseline, whatif, seed).as_json() for seed in (40, 41, 42)]
    assert (found["replications"], found["seeds"]) == (3, [40, 41, 42])
    cell = found["channels"]["voice"]["service_level"]
    a = [p["channels"]["voice"]["service_level"]["baseline"] for p in plain]
    b = [p["channels"]["voice"]["service_level"]["whatif"] for p in plain]
    assert cell["baseline"] == pytest.approx(sum(a) / 3)
    assert cell["whatif"] == pytest.approx(sum(b) / 3)
    d = [y - x for x, y in zip(a, b, strict=True)]
    low, high = stats.t.interval(0.95, 2, loc=sum(d) / 3, scale=stats.sem(d))
    assert (cell["difference"]["low"], cell["difference"]["high"]) == (
        pytest.approx(low), pytest.approx(high))
    low_a, _ = stats.t.interval(0.95, 2, loc=sum(a) / 3, scale=stats.sem(a))
    assert cell["baseline_interval"]["low"] == pytest.approx(low_a)
    # one more agent on one set of callers: every seed's service level is higher
    assert all(x > 0 for x in d)
    assert found["center"]["occupancy"]["difference"]["high"] < 0
    hours = found["hourly_service_level"]["baseline"]["voice"]
    first_hour = [next(iter(p["hourly_service_level"]["baseline"]["voice"].values()))
                  for p in plain]
    assert next(iter(hours.values())) == pytest.approx(sum(first_hour) / 3)


def test_replications_out_of_range_are_refused() -> None:
    with pytest.raises(UsageError, match="--replications must be 2–100"):
        replicate(_short(10), _short(11), 1)
    with pytest.raises(UsageError, match="--replications must be 2–100"):
        replicate(_short(10), _short(11), 101)


def test_the_cli_prints_the_difference_and_its_interval(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = ERLANG_C.read_text(encoding="utf-8").replace("duration_hours = 24",
                                                        "duration_hours = 2")
    (tmp_path / "a.toml").write_text(text, encoding="utf-8")
    (tmp_path / "b.toml").write_text(text.replace("count = 10", "count = 12"),
                                     encoding="utf-8")
    args = ["simulate", "compare", str(tmp_path / "a.toml"), str(tmp_path / "b.toml"),
            "--replications", "2"]
    from omnikpi.cli import simulate as command

    # the console's width is read once, when the module is first imported (COLUMNS
    # given to the runner came too late when another test had imported it first)
    monkeypatch.setattr(command.console, "width", 200)
    table = CliRunner().invoke(app, args)
    assert table.exit_code == 0, table.output
    assert "difference (95 % interval)" in table.output
    assert "2 replications, seeds 11–12" in table.output
    found = json.loads(CliRunner().invoke(app, [*args, "--format", "json"]).output)
    occupancy = found["center"]["occupancy"]["difference"]
    half = (occupancy["high"] - occupancy["mean"]) * 100
    shown = f"{occupancy['mean'] * 100:+.1f} ± {half:.1f} pts"
    assert shown in table.output
    bad = CliRunner().invoke(app, [*args[:-1], "0"])
    assert bad.exit_code == 2 and "--replications must be 2–100" in bad.output


def test_a_seed_without_contacts_on_a_channel_offered_none_there() -> None:
    """E-mail had 3 contacts on one seed and none on the other: offered is 1.5 on
    average, not 3 (the seed without any was left out of the mean)."""
    from omnikpi.simulate.compare import Comparison, Outcome
    from omnikpi.simulate.replications import Replicated

    center = {"occupancy": 0.5, "chat_occupancy_relative": None}
    busy = Outcome({"email": {"offered": 3, "service_level": 1.0}}, center, {})
    idle = Outcome({}, center, {})
    found = Replicated([Comparison(busy, busy, "UTC"), Comparison(idle, idle, "UTC")],
                       [1, 2]).as_json()["channels"]["email"]
    assert (found["offered"]["baseline"], found["offered"]["baseline_interval"]["runs"]) \
        == (1.5, 2)
    assert found["service_level"]["baseline"] == 1.0  # a rate: the seed that had one
